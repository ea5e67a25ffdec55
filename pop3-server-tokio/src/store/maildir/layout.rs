//! Making sure a Maildir exists, so a user who never got mail has an
//! empty maildrop rather than an error.

use std::fs::DirBuilder;
use std::io;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use super::error::open_error;
use super::path::mail_root;
use super::scan::Sub;
use crate::store::OpenError;

/// Where deliveries are written before they are complete; never read.
pub(super) const TMP: &str = "tmp";

/// Creates the Maildir and its `new`, `cur` and `tmp` (mode 0700, as
/// owner-only as the mail itself) where missing. The mail root above the
/// user's directory must exist already: if it does not, the store is
/// likely unmounted, and creating directories would hide the real mail.
pub(super) fn ensure(template: &str, maildir: &Path) -> Result<(), OpenError> {
    if let Some(root) = mail_root(template) {
        let root = if root.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            root
        };
        match std::fs::metadata(&root) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => {
                let err = io::Error::from(io::ErrorKind::NotADirectory);
                return Err(open_error("use mail root", &root, &err));
            }
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                tracing::warn!(root = %root.display(), "maildir: mail root is missing");
                return Err(OpenError::Temporary(format!(
                    "mail root {} is missing",
                    root.display()
                )));
            }
            Err(err) => return Err(open_error("use mail root", &root, &err)),
        }
    }
    let mut builder = DirBuilder::new();
    builder.recursive(true).mode(0o700);
    for sub in [Sub::New.dir(), Sub::Cur.dir(), TMP] {
        let dir = maildir.join(sub);
        if !dir.is_dir() {
            builder
                .create(&dir)
                .map_err(|err| open_error("create", &dir, &err))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn missing_maildir_is_created_owner_only() {
        let root = tempfile::tempdir().unwrap();
        let template = format!("{}/%u/Maildir", root.path().display());
        let maildir = root.path().join("alice/Maildir");
        ensure(&template, &maildir).unwrap();
        for sub in ["new", "cur", "tmp"] {
            let meta = std::fs::metadata(maildir.join(sub)).unwrap();
            assert!(meta.is_dir());
            assert_eq!(meta.permissions().mode() & 0o077, 0, "{sub}");
        }
        ensure(&template, &maildir).unwrap();
    }

    #[test]
    fn missing_mail_root_is_temporary_and_creates_nothing() {
        let root = tempfile::tempdir().unwrap();
        let template = format!("{}/absent/%u/Maildir", root.path().display());
        let maildir = root.path().join("absent/alice/Maildir");
        let err = ensure(&template, &maildir).unwrap_err();
        assert!(matches!(err, OpenError::Temporary(_)), "{err:?}");
        assert!(!root.path().join("absent").exists());
    }

    #[test]
    fn file_in_the_way_is_permanent() {
        let root = tempfile::tempdir().unwrap();
        let template = format!("{}/%u", root.path().display());
        let maildir = root.path().join("alice");
        std::fs::write(&maildir, b"").unwrap();
        let err = ensure(&template, &maildir).unwrap_err();
        assert!(matches!(err, OpenError::Permanent(_)), "{err:?}");
    }
}
