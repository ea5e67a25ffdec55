//! Opening a maildrop: lock, list, size and name its messages.

use std::io;
use std::path::Path;

use pop3_proto::server::{Maildrop, MessageEntry};

use super::cache::SizeCache;
use super::error::open_error;
use super::layout;
use super::lock::{self, MaildropLock};
use super::scan::{Found, Location, scan};
use super::size::measure;
use super::uid::unique_uids;
use crate::store::OpenError;

/// A locked maildrop and its snapshot.
#[derive(Debug)]
pub(super) struct Snapshot {
    /// The lock, held as long as the snapshot is in use.
    pub(super) _lock: MaildropLock,
    /// The messages, in session order.
    pub(super) maildrop: Maildrop,
    /// Where each message's file was when the snapshot was taken.
    pub(super) files: Vec<Location>,
}

/// Opens the Maildir at `maildir` (creating it if missing): locks it,
/// then lists `new/` and `cur/` with each message's wire size and
/// unique-id. Runs blocking file operations.
pub(super) fn take(template: &str, maildir: &Path) -> Result<Snapshot, OpenError> {
    layout::ensure(template, maildir)?;
    let lock = lock::acquire(maildir)?;
    let found = scan(maildir).map_err(|err| open_error("list", maildir, &err))?;
    let sized = sizes(maildir, found);
    let uids = unique_uids(sized.iter().map(|(location, _)| location.base()))
        .map_err(|err| OpenError::Permanent(format!("unique-id: {err}")))?;
    let mut files = Vec::with_capacity(sized.len());
    let mut entries = Vec::with_capacity(sized.len());
    for ((location, size), uid) in sized.into_iter().zip(uids) {
        files.push(location);
        entries.push(MessageEntry { size, uid });
    }
    let maildrop = Maildrop::new(entries).map_err(|err| {
        tracing::warn!(path = %maildir.display(), error = %err, "maildir: snapshot refused");
        OpenError::Permanent(err.to_string())
    })?;
    Ok(Snapshot {
        _lock: lock,
        maildrop,
        files,
    })
}

/// The wire size of each found message, from the size cache where it is
/// current and by measuring otherwise; the cache is rewritten if that
/// changed it. A message that cannot be measured is left out of this
/// session (it vanished, or is unreadable: logged).
fn sizes(maildir: &Path, found: Vec<Found>) -> Vec<(Location, u64)> {
    let old = SizeCache::load(maildir);
    let mut new = SizeCache::default();
    let mut sized = Vec::with_capacity(found.len());
    for Found { location, stamp } in found {
        let base = location.base();
        let size = match old.get(base, stamp) {
            Some(size) => {
                new.insert(base, stamp, size);
                size
            }
            None => match measure(&location.path(maildir), base) {
                Ok((size, measured)) => {
                    new.insert(base, measured, size);
                    size
                }
                Err(err) => {
                    if err.kind() != io::ErrorKind::NotFound {
                        tracing::warn!(
                            path = %location.path(maildir).display(),
                            error = %err,
                            "maildir: cannot measure message, leaving it out of this session"
                        );
                    }
                    continue;
                }
            },
        };
        sized.push((location, size));
    }
    if new != old
        && let Err(err) = new.store(maildir)
    {
        tracing::warn!(path = %maildir.display(), error = %err, "maildir: cannot write size cache");
    }
    sized
}
