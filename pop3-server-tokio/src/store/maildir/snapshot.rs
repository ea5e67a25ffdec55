//! Opening a maildrop: lock, list, size and name its messages.

use std::io;
use std::path::Path;
use std::time::{Duration, SystemTime};

use pop3_proto::server::{Maildrop, MessageEntry};

use super::cache::{Cached, SizeCache};
use super::dirs;
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
///
/// The cached listing is used as it is when `new/` and `cur/` are as they
/// were when it was taken and had then been still for `settle` (see
/// [`super::dirs`]); otherwise the directories are read, each file looked
/// at, and the cache brought up to date.
pub(super) fn take(
    template: &str,
    maildir: &Path,
    settle: Duration,
) -> Result<Snapshot, OpenError> {
    layout::ensure(template, maildir)?;
    let lock = lock::acquire(maildir)?;
    // The clock first, then the directories, then their contents: a
    // change after the directories were looked at shows in their stamps.
    let now = SystemTime::now();
    let dirs_now = dirs::current(maildir);
    let mut cache = SizeCache::load(maildir);
    if cache.listing_for(dirs_now.as_ref()).is_none() {
        let found = scan(maildir).map_err(|err| open_error("list", maildir, &err))?;
        let (files, complete) = sizes(maildir, found, &cache);
        let fresh = SizeCache {
            dirs: dirs::settled(dirs_now, now, settle).filter(|_| complete),
            files,
        };
        if fresh != cache
            && let Err(err) = fresh.store(maildir)
        {
            tracing::warn!(path = %maildir.display(), error = %err, "maildir: cannot write size cache");
        }
        cache = fresh;
    }
    let uids = unique_uids(cache.files.iter().map(|cached| cached.location.base()))
        .map_err(|err| OpenError::Permanent(format!("unique-id: {err}")))?;
    let mut files = Vec::with_capacity(cache.files.len());
    let mut entries = Vec::with_capacity(cache.files.len());
    for (cached, uid) in cache.files.into_iter().zip(uids) {
        entries.push(MessageEntry {
            size: cached.size,
            uid,
        });
        files.push(cached.location);
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

/// Each found message with its wire size, from the cache where it is
/// current and by measuring otherwise, and whether every message could
/// be sized. A message that cannot be measured is left out of this
/// session (it vanished, or is unreadable: logged).
fn sizes(maildir: &Path, found: Vec<Found>, cache: &SizeCache) -> (Vec<Cached>, bool) {
    let known = cache.sizes();
    let mut sized = Vec::with_capacity(found.len());
    let mut complete = true;
    for Found { location, stamp } in found {
        let cached = match known.get(location.base()) {
            Some(&(cached_stamp, size)) if cached_stamp == stamp => Ok((size, stamp)),
            _ => measure(&location.path(maildir), location.base()),
        };
        match cached {
            Ok((size, stamp)) => sized.push(Cached {
                location,
                stamp,
                size,
            }),
            Err(err) => {
                complete = false;
                if err.kind() != io::ErrorKind::NotFound {
                    tracing::warn!(
                        path = %location.path(maildir).display(),
                        error = %err,
                        "maildir: cannot measure message, leaving it out of this session"
                    );
                }
            }
        }
    }
    (sized, complete)
}
