//! Finding a message again after another program renamed it.
//!
//! Mail readers change flags by renaming (`cur/B:2,` to `cur/B:2,S`) and
//! move new mail from `new/` to `cur/`; the base name `B` stays. So a
//! message missing under its snapshot name is looked for by base name in
//! both directories.

use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::name::base_name;
use super::scan::{Location, Sub};

/// Where the message last seen at `seen` is now: `seen` itself if that
/// name still exists, else the one file in `new/` or `cur/` with the same
/// base name, else `None` (it was removed).
///
/// Several files sharing the base name is an error: choosing one could
/// show or delete the wrong message.
pub(super) fn relocate(maildir: &Path, seen: &Location) -> io::Result<Option<Location>> {
    match std::fs::symlink_metadata(seen.path(maildir)) {
        Ok(_) => return Ok(Some(seen.clone())),
        Err(err) if err.kind() == io::ErrorKind::NotFound => {}
        Err(err) => return Err(err),
    }
    let base = seen.base();
    let mut matches = Vec::new();
    for sub in [Sub::New, Sub::Cur] {
        for entry in std::fs::read_dir(maildir.join(sub.dir()))? {
            let name = entry?.file_name();
            let bytes = name.as_bytes();
            if !bytes.starts_with(b".") && base_name(bytes) == base {
                matches.push(Location { sub, name });
            }
        }
    }
    match matches.len() {
        0 => Ok(None),
        1 => Ok(matches.pop()),
        _ => Err(io::Error::other(
            "several message files share the base name",
        )),
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::OsString;

    use super::*;

    fn maildir() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["new", "cur", "tmp"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        dir
    }

    fn at(sub: Sub, name: &str) -> Location {
        Location {
            sub,
            name: OsString::from(name),
        }
    }

    #[test]
    fn unchanged_name_is_found_in_place() {
        let dir = maildir();
        std::fs::write(dir.path().join("cur/b:2,S"), b"x\n").unwrap();
        let seen = at(Sub::Cur, "b:2,S");
        assert_eq!(relocate(dir.path(), &seen).unwrap(), Some(seen));
    }

    #[test]
    fn renamed_and_moved_files_are_followed() {
        let dir = maildir();
        std::fs::write(dir.path().join("cur/b:2,RS"), b"x\n").unwrap();
        std::fs::write(dir.path().join("cur/bb:2,S"), b"x\n").unwrap();
        let found = relocate(dir.path(), &at(Sub::New, "b")).unwrap();
        assert_eq!(found, Some(at(Sub::Cur, "b:2,RS")));
        let found = relocate(dir.path(), &at(Sub::Cur, "b:2,")).unwrap();
        assert_eq!(found, Some(at(Sub::Cur, "b:2,RS")));
    }

    #[test]
    fn removed_file_is_none_and_ambiguity_is_an_error() {
        let dir = maildir();
        assert_eq!(relocate(dir.path(), &at(Sub::New, "gone")).unwrap(), None);
        std::fs::write(dir.path().join("new/twin"), b"x\n").unwrap();
        std::fs::write(dir.path().join("cur/twin:2,S"), b"x\n").unwrap();
        assert!(relocate(dir.path(), &at(Sub::Cur, "twin:2,")).is_err());
    }
}
