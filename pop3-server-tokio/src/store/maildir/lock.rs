//! The maildrop lock: one POP3 session per Maildir at a time.
//!
//! The lock is an exclusive `flock(2)` on `pop3d.lock` in the Maildir,
//! taken without waiting. flock locks belong to an open file description,
//! so they exclude each other across processes and also between two opens
//! of the file in one process; the kernel drops the lock when the file is
//! closed, including when the process dies, so a crash never leaves a
//! maildrop locked. (On NFS, Linux maps flock to byte-range locks, which
//! the server arbitrates between clients.) The file itself is never
//! removed: removing a lock file races with a process about to lock it.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use super::error::open_error;
use super::file::open_regular;
use crate::store::OpenError;

/// The lock file's name inside the Maildir.
pub(super) const LOCK_FILE: &str = "pop3d.lock";

/// A held maildrop lock; dropping it releases the lock.
#[derive(Debug)]
pub(super) struct MaildropLock {
    _file: File,
}

/// Locks the maildrop at `maildir`, or [`OpenError::InUse`] if another
/// session holds it.
pub(super) fn acquire(maildir: &Path) -> Result<MaildropLock, OpenError> {
    let path = maildir.join(LOCK_FILE);
    let file = open_lock_file(&path).map_err(|err| open_error("open lock file", &path, &err))?;
    match file.try_lock() {
        Ok(()) => Ok(MaildropLock { _file: file }),
        Err(std::fs::TryLockError::WouldBlock) => Err(OpenError::InUse),
        Err(std::fs::TryLockError::Error(err)) => Err(open_error("lock", &path, &err)),
    }
}

/// Opens the lock file, creating it if needed. An existing name must be a
/// regular file (not a link planted to make the daemon create or lock a
/// file elsewhere); a new one is created exclusively, which does not
/// follow links either.
fn open_lock_file(path: &Path) -> io::Result<File> {
    for _ in 0..3 {
        match open_regular(path) {
            Ok((file, _)) => return Ok(file),
            Err(err) if err.kind() == io::ErrorKind::NotFound => {}
            Err(err) => return Err(err),
        }
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
        {
            Ok(file) => return Ok(file),
            // Another session created it first, or a link is in the way.
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {}
            Err(err) => return Err(err),
        }
    }
    Err(io::Error::other("lock file keeps appearing and vanishing"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let first = acquire(dir.path()).unwrap();
        assert!(matches!(acquire(dir.path()), Err(OpenError::InUse)));
        drop(first);
        let again = acquire(dir.path()).unwrap();
        drop(again);
        assert!(dir.path().join(LOCK_FILE).is_file());
    }

    #[test]
    fn planted_link_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        std::os::unix::fs::symlink(&target, dir.path().join(LOCK_FILE)).unwrap();
        assert!(acquire(dir.path()).is_err());
        assert!(!target.exists());
    }
}
