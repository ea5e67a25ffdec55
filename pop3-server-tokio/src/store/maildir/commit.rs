//! The UPDATE state: removing the deleted messages durably.

use std::io;
use std::path::Path;

use pop3_proto::server::CommitOutcome;

use super::file::sync_dir;
use super::locate::Relocator;
use super::scan::{Location, Sub};

/// What a removal did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Removal {
    /// Messages no longer in the Maildir (unlinked now, or already gone).
    pub(super) removed: u32,
    /// Messages that stay because they could not be removed.
    pub(super) failed: u32,
    /// Directories flushed to disk after unlinking.
    pub(super) synced: Vec<Sub>,
    /// Whether flushing a directory failed, leaving the removals' fate
    /// after a crash unknown.
    pub(super) sync_failed: bool,
}

impl Removal {
    /// The answer for the session. A failed flush makes it `Failed`: the
    /// removals are not known to be on disk, so success cannot be claimed.
    pub(super) fn outcome(&self) -> CommitOutcome {
        if self.sync_failed || (self.removed == 0 && self.failed > 0) {
            CommitOutcome::Failed
        } else if self.failed > 0 {
            CommitOutcome::Partial {
                removed: self.removed,
            }
        } else {
            CommitOutcome::Done
        }
    }
}

/// Unlinks each message (following renames by base name; a message
/// already gone counts as removed, unless another message of the session
/// shares its base name, which makes it a failure), then flushes `new/`
/// and `cur/` so the removals survive a crash. `failed` starts the
/// failure count (entries the caller could not match to a message).
pub(super) fn remove(
    maildir: &Path,
    targets: &[Location],
    failed: u32,
    relocator: &mut Relocator,
) -> Removal {
    let mut removal = Removal {
        removed: 0,
        failed,
        synced: Vec::new(),
        sync_failed: false,
    };
    let mut unlinked = false;
    for target in targets {
        match remove_one(maildir, target, relocator) {
            Ok(did_unlink) => {
                removal.removed += 1;
                unlinked |= did_unlink;
            }
            Err(err) => {
                tracing::warn!(
                    path = %target.path(maildir).display(),
                    error = %err,
                    "maildir: cannot remove message"
                );
                removal.failed += 1;
            }
        }
    }
    if unlinked {
        for sub in [Sub::New, Sub::Cur] {
            let dir = maildir.join(sub.dir());
            match sync_dir(&dir) {
                Ok(()) => removal.synced.push(sub),
                Err(err) => {
                    tracing::warn!(path = %dir.display(), error = %err, "maildir: cannot flush directory after removals");
                    removal.sync_failed = true;
                }
            }
        }
    }
    removal
}

/// Removes one message; `Ok(true)` if a file was unlinked, `Ok(false)` if
/// it was already gone.
fn remove_one(maildir: &Path, target: &Location, relocator: &mut Relocator) -> io::Result<bool> {
    match std::fs::remove_file(target.path(maildir)) {
        Ok(()) => return Ok(true),
        Err(err) if err.kind() == io::ErrorKind::NotFound => {}
        Err(err) => return Err(err),
    }
    let Some(moved) = relocator.relocate(maildir, target)? else {
        return Ok(false);
    };
    match std::fs::remove_file(moved.path(maildir)) {
        Ok(()) => Ok(true),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(err) => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_follows_the_counts() {
        let removal = |removed, failed, sync_failed| Removal {
            removed,
            failed,
            synced: Vec::new(),
            sync_failed,
        };
        assert_eq!(removal(3, 0, false).outcome(), CommitOutcome::Done);
        assert_eq!(removal(0, 0, false).outcome(), CommitOutcome::Done);
        assert_eq!(
            removal(2, 1, false).outcome(),
            CommitOutcome::Partial { removed: 2 }
        );
        assert_eq!(removal(0, 2, false).outcome(), CommitOutcome::Failed);
        assert_eq!(removal(3, 0, true).outcome(), CommitOutcome::Failed);
    }
}
