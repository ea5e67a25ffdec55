//! Where maildrops live: the [`MaildropStore`] trait the session driver
//! talks to, and its Maildir and PostgreSQL implementations.
//!
//! A store opens a user's maildrop, holding an exclusive lock for as long
//! as the returned [`OpenMaildrop`] lives; the snapshot it reports is what
//! the session lists, numbers and retrieves until QUIT.

use std::future::Future;
use std::pin::Pin;

use pop3_proto::server::{CommitOutcome, Deletion, Maildrop, RetrieveError};
use pop3_proto::types::Username;
use tokio::io::{AsyncRead, ReadBuf};

pub mod maildir;
pub mod postgres;

pub use maildir::MaildirStore;
pub use postgres::PostgresStore;

/// A message body being read: the stored octets, as they are on disk.
/// The session driver dot-stuffs them and turns bare LF into CRLF.
pub type MessageReader = Pin<Box<dyn AsyncRead + Send>>;

/// Serves a reader's next octets from `buffer[*at..]` into `out`, as far
/// as both go; false when the buffer is used up, so the reader fetches
/// more.
pub(crate) fn serve_buffered(buffer: &[u8], at: &mut usize, out: &mut ReadBuf<'_>) -> bool {
    let rest = buffer.get(*at..).unwrap_or_default();
    if rest.is_empty() {
        return false;
    }
    let n = rest.len().min(out.remaining());
    out.put_slice(rest.get(..n).unwrap_or_default());
    *at += n;
    true
}

/// Why a maildrop could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// Another session holds the maildrop's lock: `-ERR [IN-USE]`.
    #[error("maildrop is locked by another session")]
    InUse,
    /// A failure that may pass (I/O error, storage unreachable):
    /// `-ERR [SYS/TEMP]`.
    #[error("temporary storage failure: {0}")]
    Temporary(String),
    /// A failure that will not pass by itself (maildrop missing and not
    /// creatable, bad configuration): `-ERR [SYS/PERM]`.
    #[error("permanent storage failure: {0}")]
    Permanent(String),
}

/// Opens maildrops by user name.
///
/// `user` has already been authenticated and is the maildrop owner's
/// canonical name; implementations must still never let it name a path
/// outside their root.
pub trait MaildropStore: Send + Sync + 'static {
    /// The open, locked maildrop.
    type Open: OpenMaildrop;

    /// Locks `user`'s maildrop and takes its snapshot.
    fn open(&self, user: &Username) -> impl Future<Output = Result<Self::Open, OpenError>> + Send;
}

/// A locked maildrop for one session. Dropping it releases the lock and
/// deletes nothing.
pub trait OpenMaildrop: Send + 'static {
    /// The messages at login, in the order the session numbers them
    /// (message *n* is `snapshot().messages()[n - 1]`). Sizes are the exact
    /// wire sizes RETR sends; unique-ids are stable across sessions.
    fn snapshot(&self) -> &Maildrop;

    /// Opens the message at `index` (0-based, into the snapshot) for
    /// reading. [`RetrieveError::Gone`] if another program removed it.
    fn open_message(
        &mut self,
        index: usize,
    ) -> impl Future<Output = Result<MessageReader, RetrieveError>> + Send;

    /// The UPDATE state: removes these messages durably (the removal is
    /// on disk when this returns `Done`). Messages that cannot be removed
    /// stay; messages already gone count as removed.
    fn commit(&mut self, deletions: &[Deletion]) -> impl Future<Output = CommitOutcome> + Send;
}
