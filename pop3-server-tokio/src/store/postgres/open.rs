//! A locked PostgreSQL maildrop for one session.

use std::sync::Arc;

use deadpool_postgres::Object;
use pop3_proto::server::{CommitOutcome, Deletion, Maildrop, MessageEntry, RetrieveError};
use pop3_proto::types::Uid;
use tokio_postgres::Statement;

use super::mailbox::mailbox_id;
use super::reader::{PAGE, PageReader};
use super::{RELEASE_LOCKS, temporary};
use crate::store::{MessageReader, OpenError, OpenMaildrop};

/// The session's connection, holding the advisory lock on the mailbox,
/// and the snapshot taken at login. Dropping it releases the lock (then
/// the connection goes back to the pool) and deletes nothing.
pub struct OpenPostgres {
    client: Arc<Object>,
    mailbox: i64,
    maildrop: Maildrop,
    /// The `messages.id` of each snapshot entry.
    ids: Vec<i64>,
    length: Statement,
    page: Statement,
    /// Whether the advisory lock is still held (it is given up after
    /// UPDATE).
    locked: bool,
}

impl std::fmt::Debug for OpenPostgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenPostgres")
            .field("mailbox", &self.mailbox)
            .field("messages", &self.ids.len())
            .finish_non_exhaustive()
    }
}

impl OpenPostgres {
    /// Locks `user`'s mailbox on `client` (a session connection) and
    /// takes the snapshot.
    pub(super) async fn lock(client: Object, user: &str) -> Result<Self, OpenError> {
        let (mailbox, locked) = find_and_lock(&client, user)
            .await
            .map_err(|e| temporary("locking the mailbox", &e))?;
        if !locked {
            return Err(OpenError::InUse);
        }
        match Self::snapshot_of(&client, mailbox).await {
            Ok((maildrop, ids, length, page)) => Ok(Self {
                client: Arc::new(client),
                mailbox,
                maildrop,
                ids,
                length,
                page,
                locked: true,
            }),
            Err(error) => {
                release(Arc::new(client)).await;
                Err(error)
            }
        }
    }

    /// The snapshot and the statements RETR needs, taken under the lock.
    async fn snapshot_of(
        client: &Object,
        mailbox: i64,
    ) -> Result<(Maildrop, Vec<i64>, Statement, Statement), OpenError> {
        let listing = client
            .prepare_cached(
                "SELECT id, uid, wire_size FROM messages WHERE mailbox_id = $1 ORDER BY id",
            )
            .await
            .map_err(|e| temporary("preparing", &e))?;
        let rows = client
            .query(&listing, &[&mailbox])
            .await
            .map_err(|e| temporary("listing the mailbox", &e))?;
        let mut ids = Vec::with_capacity(rows.len());
        let mut entries = Vec::with_capacity(rows.len());
        for row in rows {
            let (id, uid, size) = match (
                row.try_get::<_, i64>(0),
                row.try_get::<_, &str>(1),
                row.try_get::<_, i64>(2),
            ) {
                (Ok(id), Ok(uid), Ok(size)) => (id, uid, size),
                (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
                    return Err(temporary("reading the snapshot", &e));
                }
            };
            let (Ok(uid), Ok(size)) = (Uid::try_from(uid), u64::try_from(size)) else {
                tracing::warn!(id, "postgres: message with an invalid unique-id or size");
                return Err(OpenError::Permanent("invalid message row".into()));
            };
            ids.push(id);
            entries.push(MessageEntry { size, uid });
        }
        let maildrop = Maildrop::new(entries).map_err(|e| {
            tracing::warn!(mailbox, error = %e, "postgres: snapshot refused");
            OpenError::Permanent(e.to_string())
        })?;
        let length = client
            .prepare_cached(
                "SELECT octet_length(body), substring(body FROM 1 FOR $2) FROM messages WHERE id = $1",
            )
            .await
            .map_err(|e| temporary("preparing", &e))?;
        let page = client
            .prepare_cached("SELECT substring(body FROM $2 FOR $3) FROM messages WHERE id = $1")
            .await
            .map_err(|e| temporary("preparing", &e))?;
        Ok((maildrop, ids, length, page))
    }

    /// Gives up the lock now, rather than when the session object goes,
    /// so the next session (on any instance) gets in at once. If this
    /// fails the lock is still held, and dropping releases it.
    async fn unlock(&mut self) {
        if !self.locked {
            return;
        }
        let unlocked = match self
            .client
            .prepare_cached("SELECT pg_advisory_unlock($1)")
            .await
        {
            Ok(statement) => self.client.execute(&statement, &[&self.mailbox]).await,
            Err(e) => Err(e),
        };
        match unlocked {
            Ok(_) => self.locked = false,
            Err(e) => {
                tracing::warn!(error = %e, "postgres: unlock failed; retried when the session ends")
            }
        }
    }
}

/// `user`'s mailbox id and whether its advisory lock was taken: one round
/// trip with statements prepared once per connection, as every login
/// does this. A mailbox seen for the first time is created first.
async fn find_and_lock(client: &Object, user: &str) -> Result<(i64, bool), tokio_postgres::Error> {
    let statement = client
        .prepare_cached("SELECT id, pg_try_advisory_lock(id) FROM mailboxes WHERE name = $1")
        .await?;
    if let Some(row) = client.query_opt(&statement, &[&user]).await? {
        return Ok((row.try_get(0)?, row.try_get(1)?));
    }
    let mailbox = mailbox_id(&***client, user).await?;
    let statement = client
        .prepare_cached("SELECT pg_try_advisory_lock($1)")
        .await?;
    let locked = client
        .query_one(&statement, &[&mailbox])
        .await?
        .try_get(0)?;
    Ok((mailbox, locked))
}

impl Drop for OpenPostgres {
    /// A session that ends without UPDATE still holds the lock: release
    /// it before the connection can serve anyone else.
    fn drop(&mut self) {
        if !self.locked {
            return;
        }
        let client = Arc::clone(&self.client);
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(release(client));
            }
            Err(_) => tracing::warn!(
                "postgres: no runtime to release the lock; the pool releases it before reuse"
            ),
        }
    }
}

/// Releases every lock `client` holds, then lets it go back to the pool;
/// a connection on which that fails is closed instead, which ends its
/// locks too. (A RETR reader still holding the connection returns it when
/// it is done.)
async fn release(client: Arc<Object>) {
    if let Err(e) = client.batch_execute(RELEASE_LOCKS).await {
        tracing::warn!(error = %e, "postgres: releasing locks failed; closing the connection");
        if let Ok(object) = Arc::try_unwrap(client) {
            drop(Object::take(object));
        }
    }
}

impl OpenMaildrop for OpenPostgres {
    fn snapshot(&self) -> &Maildrop {
        &self.maildrop
    }

    async fn open_message(&mut self, index: usize) -> Result<MessageReader, RetrieveError> {
        let Some(&id) = self.ids.get(index) else {
            tracing::warn!(index, "postgres: message index outside the snapshot");
            return Err(RetrieveError::Permanent);
        };
        let row = self
            .client
            .query_opt(&self.length, &[&id, &PAGE])
            .await
            .map_err(|e| {
                tracing::warn!(id, error = %e, "postgres: cannot open message");
                RetrieveError::Temporary
            })?;
        let Some(row) = row else {
            return Err(RetrieveError::Gone);
        };
        let (length, first): (i32, Vec<u8>) = match (row.try_get(0), row.try_get(1)) {
            (Ok(length), Ok(first)) => (length, first),
            (Err(e), _) | (_, Err(e)) => {
                tracing::warn!(id, error = %e, "postgres: cannot read message");
                return Err(RetrieveError::Temporary);
            }
        };
        Ok(Box::pin(PageReader::new(
            Arc::clone(&self.client),
            self.page.clone(),
            id,
            length,
            first,
        )))
    }

    /// Deletes the listed messages in one statement. A deletion that
    /// matches no message of the snapshot (by number and unique-id) fails
    /// the whole UPDATE: all or nothing.
    async fn commit(&mut self, deletions: &[Deletion]) -> CommitOutcome {
        let messages = self.maildrop.messages();
        let mut ids = Vec::with_capacity(deletions.len());
        for deletion in deletions {
            let index = deletion.number.index();
            match (self.ids.get(index), messages.get(index)) {
                (Some(&id), Some(entry)) if entry.uid == deletion.uid => ids.push(id),
                _ => {
                    tracing::warn!(uid = %deletion.uid, "postgres: deletion matches no message in the snapshot");
                    self.unlock().await;
                    return CommitOutcome::Failed;
                }
            }
        }
        let outcome = if ids.is_empty() {
            CommitOutcome::Done
        } else {
            match self
                .client
                .execute(
                    "DELETE FROM messages WHERE mailbox_id = $1 AND id = ANY($2)",
                    &[&self.mailbox, &ids],
                )
                .await
            {
                Ok(_) => CommitOutcome::Done,
                Err(e) => {
                    tracing::warn!(mailbox = self.mailbox, error = %e, "postgres: UPDATE failed; nothing deleted");
                    CommitOutcome::Failed
                }
            }
        };
        self.unlock().await;
        outcome
    }
}
