//! Turning file-system errors into the answers a session gives.

use std::io;
use std::path::Path;

use crate::store::OpenError;

/// An [`OpenError`] for `err` met while doing `what` at `path`, logged.
///
/// Errors that will not pass without an administrator (permissions, a
/// file where a directory belongs, a read-only file system) are
/// permanent; the rest (full disk, I/O errors, a store that went away)
/// may pass and are temporary.
pub(super) fn open_error(what: &str, path: &Path, err: &io::Error) -> OpenError {
    tracing::warn!(path = %path.display(), error = %err, "maildir: cannot {what}");
    let detail = format!("cannot {what} {}: {err}", path.display());
    if is_permanent(err) {
        OpenError::Permanent(detail)
    } else {
        OpenError::Temporary(detail)
    }
}

/// Whether `err` will not go away by itself.
pub(super) fn is_permanent(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::PermissionDenied
            | io::ErrorKind::NotADirectory
            | io::ErrorKind::IsADirectory
            | io::ErrorKind::ReadOnlyFilesystem
            | io::ErrorKind::InvalidInput
            | io::ErrorKind::InvalidFilename
    )
}
