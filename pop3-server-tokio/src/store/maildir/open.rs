//! A locked Maildir for one session: its snapshot, message reading and
//! the UPDATE-state removal.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use pop3_proto::server::{CommitOutcome, Deletion, Maildrop, RetrieveError};

use super::commit;
use super::error::is_permanent;
use super::file::open_regular;
use super::locate::Relocator;
use super::read_ahead::{self, ReadAhead};
use super::scan::Location;
use super::snapshot::Snapshot;
use super::stream::{CHUNK, Chunked, read_chunk};
use crate::store::{MessageReader, OpenMaildrop};

/// A user's Maildir, locked for one POP3 session, with the snapshot taken
/// at login. Made by [`super::MaildirStore`]; dropping it releases the
/// lock and removes nothing.
#[derive(Debug)]
pub struct OpenMaildir {
    maildir: PathBuf,
    snapshot: Snapshot,
    read_ahead: ReadAhead,
    /// Follows messages renamed since login; shared with the blocking
    /// tasks that open them, one at a time.
    relocator: Arc<Mutex<Relocator>>,
}

impl OpenMaildir {
    pub(super) fn new(maildir: PathBuf, snapshot: Snapshot) -> Self {
        Self {
            maildir,
            read_ahead: ReadAhead::default(),
            relocator: Arc::new(Mutex::new(Relocator::new(&snapshot.files))),
            snapshot,
        }
    }

    /// The Maildir's path (for logs).
    pub fn path(&self) -> &Path {
        &self.maildir
    }
}

impl OpenMaildrop for OpenMaildir {
    fn snapshot(&self) -> &Maildrop {
        &self.snapshot.maildrop
    }

    /// Opens the message's file, following it if a mail reader renamed it
    /// since login (flags changed, or moved from `new/` to `cur/`). When
    /// the client reads in order, small messages that follow are read in
    /// the same trip to the blocking pool (see the `read_ahead` module).
    async fn open_message(&mut self, index: usize) -> Result<MessageReader, RetrieveError> {
        let read_ahead_wanted = self.read_ahead.wanted(index);
        if let Some(ready) = self.read_ahead.take(index) {
            return Ok(Box::pin(io::Cursor::new(ready.bytes)));
        }
        let Some(seen) = self.snapshot.files.get(index).cloned() else {
            tracing::warn!(index, "maildir: message index outside the snapshot");
            return Err(RetrieveError::Permanent);
        };
        let ahead = if read_ahead_wanted {
            let sizes = self.snapshot.maildrop.messages().iter().map(|m| m.size);
            read_ahead::candidates(&self.snapshot.files, sizes, index)
        } else {
            Vec::new()
        };
        let maildir = self.maildir.clone();
        let relocator = Arc::clone(&self.relocator);
        let opened = tokio::task::spawn_blocking(move || {
            let (file, len, location) = open_file(&maildir, &seen, &relocator)?;
            let body = read_first(&maildir, &location, file, len)?;
            let prefetched = match body {
                Body::Whole(_) => read_ahead::read(&maildir, ahead),
                Body::Chunked(..) => Vec::new(),
            };
            Ok::<_, RetrieveError>((body, location, prefetched))
        })
        .await
        .map_err(|err| {
            tracing::warn!(error = %err, "maildir: message open task failed");
            RetrieveError::Temporary
        })??;
        let (body, location, prefetched) = opened;
        if let Some(slot) = self.snapshot.files.get_mut(index) {
            *slot = location;
        }
        self.read_ahead.keep(prefetched);
        Ok(match body {
            Body::Whole(bytes) => Box::pin(io::Cursor::new(bytes)),
            Body::Chunked(file, first) => Box::pin(Chunked::start(file, first)),
        })
    }

    /// Removes the listed messages, matched to the snapshot by number and
    /// unique-id; a deletion that matches no message counts as a failure.
    async fn commit(&mut self, deletions: &[Deletion]) -> CommitOutcome {
        let messages = self.snapshot.maildrop.messages();
        let mut targets = Vec::with_capacity(deletions.len());
        let mut unmatched = 0;
        for deletion in deletions {
            let index = deletion.number.index();
            match (self.snapshot.files.get(index), messages.get(index)) {
                (Some(location), Some(entry)) if entry.uid == deletion.uid => {
                    targets.push(location.clone());
                }
                _ => {
                    tracing::warn!(uid = %deletion.uid, "maildir: deletion matches no message in the snapshot");
                    unmatched += 1;
                }
            }
        }
        let maildir = self.maildir.clone();
        let relocator = Arc::clone(&self.relocator);
        match tokio::task::spawn_blocking(move || {
            let mut relocator = relocator.lock().unwrap_or_else(PoisonError::into_inner);
            commit::remove(&maildir, &targets, unmatched, &mut relocator)
        })
        .await
        {
            Ok(removal) => removal.outcome(),
            Err(err) => {
                tracing::warn!(error = %err, "maildir: removal task failed");
                CommitOutcome::Failed
            }
        }
    }
}

/// Opens the message last seen at `seen`, returning its length and
/// where it is now.
fn open_file(
    maildir: &Path,
    seen: &Location,
    relocator: &Mutex<Relocator>,
) -> Result<(File, u64, Location), RetrieveError> {
    match open_regular(&seen.path(maildir)) {
        Ok((file, meta)) => return Ok((file, meta.len(), seen.clone())),
        Err(err) if err.kind() == io::ErrorKind::NotFound => {}
        Err(err) => return Err(retrieve_error(maildir, seen, &err)),
    }
    let relocated = relocator
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .relocate(maildir, seen);
    let moved = match relocated {
        Ok(Some(moved)) => moved,
        Ok(None) => return Err(RetrieveError::Gone),
        Err(err) => return Err(retrieve_error(maildir, seen, &err)),
    };
    match open_regular(&moved.path(maildir)) {
        Ok((file, meta)) => Ok((file, meta.len(), moved)),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Err(RetrieveError::Gone),
        Err(err) => Err(retrieve_error(maildir, &moved, &err)),
    }
}

/// An opened message: read already, or its first chunk read and the
/// rest to be streamed.
pub(super) enum Body {
    Whole(Vec<u8>),
    Chunked(File, Vec<u8>),
}

/// Reads the first [`CHUNK`] of a message of `len` octets (its length
/// when opened), in the same trip to the blocking pool as the open. A
/// message that fits is read whole with exactly `len` octets asked for:
/// one `read` call, none more to find the end (Maildir messages are not
/// rewritten in place). Memory stays within a chunk whatever happens to
/// the file.
pub(super) fn read_first(
    maildir: &Path,
    at: &Location,
    file: File,
    len: u64,
) -> Result<Body, RetrieveError> {
    use std::io::Read;
    let fail = |err: io::Error| retrieve_error(maildir, at, &err);
    if let Some(small) = usize::try_from(len).ok().filter(|&len| len <= CHUNK) {
        let mut bytes = Vec::with_capacity(small);
        file.take(len).read_to_end(&mut bytes).map_err(fail)?;
        return Ok(Body::Whole(bytes));
    }
    let first = read_chunk(&file, Vec::with_capacity(CHUNK)).map_err(fail)?;
    if first.len() < CHUNK {
        Ok(Body::Whole(first))
    } else {
        Ok(Body::Chunked(file, first))
    }
}

fn retrieve_error(maildir: &Path, at: &Location, err: &io::Error) -> RetrieveError {
    tracing::warn!(path = %at.path(maildir).display(), error = %err, "maildir: cannot open message");
    if is_permanent(err) {
        RetrieveError::Permanent
    } else {
        RetrieveError::Temporary
    }
}
