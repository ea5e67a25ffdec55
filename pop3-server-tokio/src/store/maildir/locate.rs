//! Finding a message again after another program renamed it.
//!
//! Mail readers change flags by renaming (`cur/B:2,` to `cur/B:2,S`) and
//! move new mail from `new/` to `cur/`; the base name `B` stays. So a
//! message missing under its snapshot name is looked for by base name in
//! both directories.

use std::collections::{HashMap, HashSet};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use super::name::base_name;
use super::scan::{Location, Sub};

/// Follows messages renamed since login. Lists `new/` and `cur/` once, at
/// the first message found missing, and answers later ones from that
/// listing: when another mail reader has renamed every message (an IMAP
/// client marking them seen), a session reads the directories once, not
/// once per message. A name the listing gives that is gone by now (the
/// message was renamed again) makes it list again.
#[derive(Debug, Default)]
pub(super) struct Relocator {
    /// Files by base name, as last listed.
    listing: Option<HashMap<Vec<u8>, Vec<Location>>>,
    /// Times the directories were listed.
    listings: u32,
    /// Base names several messages of the session share (copies, a
    /// restore): such a message, once missing, cannot be told from the
    /// others, so it is never followed.
    shared: HashSet<Vec<u8>>,
}

impl Relocator {
    /// A relocator for the messages of `snapshot`.
    pub(super) fn new(snapshot: &[Location]) -> Self {
        let mut seen = HashSet::new();
        let shared = snapshot
            .iter()
            .filter(|location| !seen.insert(location.base()))
            .map(|location| location.base().to_vec())
            .collect();
        Self {
            shared,
            ..Self::default()
        }
    }

    /// Where the message last seen at `seen` is now: `seen` itself if that
    /// name still exists, else the one file in `new/` or `cur/` with the
    /// same base name, else `None` (it was removed).
    ///
    /// Several files sharing the base name is an error: choosing one could
    /// show or delete the wrong message.
    pub(super) fn relocate(
        &mut self,
        maildir: &Path,
        seen: &Location,
    ) -> io::Result<Option<Location>> {
        if exists(&seen.path(maildir))? {
            return Ok(Some(seen.clone()));
        }
        if self.shared.contains(seen.base()) {
            return Err(io::Error::other(
                "the message is gone and shares its base name with another one",
            ));
        }
        loop {
            let fresh = self.listing.is_none();
            let listing = match &mut self.listing {
                Some(listing) => listing,
                slot @ None => {
                    self.listings += 1;
                    slot.insert(list(maildir)?)
                }
            };
            let found = match listing.get(seen.base()).map(Vec::as_slice) {
                None | Some([]) => return Ok(None),
                Some([found]) => found.clone(),
                Some(_) => {
                    return Err(io::Error::other(
                        "several message files share the base name",
                    ));
                }
            };
            if fresh || exists(&found.path(maildir))? {
                return Ok(Some(found));
            }
            // Renamed again since the listing: list again.
            self.listing = None;
        }
    }
}

/// The message files of `new/` and `cur/` by base name. A name the
/// directory read returns twice (it can, while another process unlinks
/// there) is one file, not two sharing a base name.
fn list(maildir: &Path) -> io::Result<HashMap<Vec<u8>, Vec<Location>>> {
    let mut files: HashMap<Vec<u8>, Vec<Location>> = HashMap::new();
    for sub in [Sub::New, Sub::Cur] {
        for entry in std::fs::read_dir(maildir.join(sub.dir()))? {
            let name = entry?.file_name();
            let bytes = name.as_bytes();
            if !bytes.starts_with(b".") {
                let base = base_name(bytes).to_vec();
                let location = Location { sub, name };
                let same_base = files.entry(base).or_default();
                if !same_base.contains(&location) {
                    same_base.push(location);
                }
            }
        }
    }
    Ok(files)
}

fn exists(path: &Path) -> io::Result<bool> {
    match std::fs::symlink_metadata(path) {
        Ok(_) => Ok(true),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(err) => Err(err),
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
        let found = Relocator::default().relocate(dir.path(), &seen).unwrap();
        assert_eq!(found, Some(seen));
    }

    #[test]
    fn renamed_and_moved_files_are_followed() {
        let dir = maildir();
        std::fs::write(dir.path().join("cur/b:2,RS"), b"x\n").unwrap();
        std::fs::write(dir.path().join("cur/bb:2,S"), b"x\n").unwrap();
        let mut relocator = Relocator::default();
        let found = relocator.relocate(dir.path(), &at(Sub::New, "b")).unwrap();
        assert_eq!(found, Some(at(Sub::Cur, "b:2,RS")));
        let found = relocator
            .relocate(dir.path(), &at(Sub::Cur, "b:2,"))
            .unwrap();
        assert_eq!(found, Some(at(Sub::Cur, "b:2,RS")));
    }

    #[test]
    fn removed_file_is_none_and_ambiguity_is_an_error() {
        let dir = maildir();
        let gone = Relocator::default().relocate(dir.path(), &at(Sub::New, "gone"));
        assert_eq!(gone.unwrap(), None);
        std::fs::write(dir.path().join("new/twin"), b"x\n").unwrap();
        std::fs::write(dir.path().join("cur/twin:2,S"), b"x\n").unwrap();
        let twin = Relocator::default().relocate(dir.path(), &at(Sub::Cur, "twin:2,"));
        assert!(twin.is_err());
    }

    /// Two messages of the session share a base name (`new/b` and
    /// `cur/b:2,S`); one is removed by another program. It is not followed
    /// to the other, which would then be served or deleted in its place.
    #[test]
    fn a_missing_message_sharing_its_base_name_is_not_followed() {
        let dir = maildir();
        std::fs::write(dir.path().join("cur/b:2,S"), b"second\n").unwrap();
        let snapshot = [at(Sub::New, "b"), at(Sub::Cur, "b:2,S")];
        let mut relocator = Relocator::new(&snapshot);
        assert!(relocator.relocate(dir.path(), &snapshot[0]).is_err());
        assert_eq!(
            relocator.relocate(dir.path(), &snapshot[1]).unwrap(),
            Some(snapshot[1].clone())
        );
        // Without the shared name, the same file would have been taken.
        let found = Relocator::default()
            .relocate(dir.path(), &snapshot[0])
            .unwrap();
        assert_eq!(found, Some(snapshot[1].clone()));
    }

    /// Every message renamed since login: the directories are listed once
    /// for all of them. A message renamed or removed after that listing
    /// makes it list once more.
    #[test]
    fn directories_are_listed_once_for_many_renamed_messages() {
        let dir = maildir();
        let count = 200;
        for i in 0..count {
            std::fs::write(dir.path().join(format!("cur/m{i}:2,S")), b"x\n").unwrap();
        }
        let mut relocator = Relocator::default();
        for i in 0..count {
            let found = relocator.relocate(dir.path(), &at(Sub::New, &format!("m{i}")));
            assert_eq!(found.unwrap(), Some(at(Sub::Cur, &format!("m{i}:2,S"))));
        }
        assert_eq!(relocator.listings, 1);
        let cur = dir.path().join("cur");
        std::fs::rename(cur.join("m7:2,S"), cur.join("m7:2,RS")).unwrap();
        let found = relocator.relocate(dir.path(), &at(Sub::New, "m7"));
        assert_eq!(found.unwrap(), Some(at(Sub::Cur, "m7:2,RS")));
        assert_eq!(relocator.listings, 2);
        std::fs::remove_file(cur.join("m8:2,S")).unwrap();
        let found = relocator.relocate(dir.path(), &at(Sub::New, "m8"));
        assert_eq!(found.unwrap(), None);
        assert_eq!(relocator.listings, 3);
        // The rest are found from that listing.
        for i in 9..count {
            let found = relocator.relocate(dir.path(), &at(Sub::New, &format!("m{i}")));
            assert_eq!(found.unwrap(), Some(at(Sub::Cur, &format!("m{i}:2,S"))));
        }
        assert_eq!(relocator.listings, 3);
    }
}
