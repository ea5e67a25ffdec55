//! Opening files inside a Maildir without following symbolic links.
//!
//! A user who can write to their own Maildir could otherwise plant a link
//! to a file only the daemon may read and fetch it with RETR. The file is
//! looked at without following links before and after it is opened: it
//! must be a regular file both times and the very one that was opened
//! (same device and inode), or the open is refused. The first look also
//! keeps a FIFO, whose open would block, from being opened at all unless
//! it is swapped in during that instant.

use std::fs::{File, Metadata};
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// Opens `path` for reading if it names a regular file, not a link.
pub(super) fn open_regular(path: &Path) -> io::Result<(File, Metadata)> {
    if !std::fs::symlink_metadata(path)?.file_type().is_file() {
        return Err(not_regular());
    }
    let file = File::open(path)?;
    let opened = file.metadata()?;
    let named = std::fs::symlink_metadata(path)?;
    if !named.file_type().is_file() || opened.dev() != named.dev() || opened.ino() != named.ino() {
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
        let missing = open_regular(&dir.path().join("missing")).unwrap_err();
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
    }
}
