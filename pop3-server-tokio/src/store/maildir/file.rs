//! Opening files inside a Maildir without following symbolic links.
//!
//! A user who can write to their own Maildir could otherwise plant a link
//! to a file only the daemon may read and fetch it with RETR. Files are
//! opened with `O_NOFOLLOW` (a link is refused by the kernel, with no
//! window between a check and the open) and `O_NONBLOCK` (a FIFO opens
//! at once instead of blocking), then must be regular files by `fstat`
//! of the descriptor itself.

use std::fs::{File, Metadata};
use std::io;
use std::path::Path;

use rustix::fs::{Mode, OFlags};
use rustix::io::Errno;

/// Opens `path` for reading if it names a regular file, not a link.
pub(super) fn open_regular(path: &Path) -> io::Result<(File, Metadata)> {
    let flags = OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NOFOLLOW | OFlags::NONBLOCK;
    let fd = match rustix::fs::open(path, flags, Mode::empty()) {
        Ok(fd) => fd,
        Err(Errno::LOOP) => return Err(not_regular()),
        Err(err) => return Err(err.into()),
    };
    let file = File::from(fd);
    let opened = file.metadata()?;
    if !opened.file_type().is_file() {
        return Err(not_regular());
    }
    Ok((file, opened))
}

fn not_regular() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        "not a regular file in the maildir",
    )
}

/// Flushes a directory's entries (new and removed names) to disk.
pub(super) fn sync_dir(path: &Path) -> io::Result<()> {
    File::open(path)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_files_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m");
        std::fs::write(&path, b"abc\n").unwrap();
        let (_, meta) = open_regular(&path).unwrap();
        assert_eq!(meta.len(), 4);
    }

    #[test]
    fn links_and_directories_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("secret");
        std::fs::write(&secret, b"x\n").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&secret, &link).unwrap();
        let err = open_regular(&link).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        assert!(open_regular(&sub).is_err());
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success(), "mkfifo");
        let err = open_regular(&fifo).unwrap_err();
        assert_eq!(
            err.kind(),
            io::ErrorKind::InvalidInput,
            "a FIFO neither blocks nor opens"
        );
        let missing = open_regular(&dir.path().join("missing")).unwrap_err();
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
    }
}
