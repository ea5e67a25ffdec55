//! A locked PostgreSQL maildrop for one session.

use std::sync::Arc;

use pop3_proto::server::{CommitOutcome, Deletion, Maildrop, MessageEntry, RetrieveError};
use pop3_proto::types::Uid;
use tokio_postgres::{Client, Statement};

use super::mailbox::mailbox_id;
use super::reader::PageReader;
use super::temporary;
use crate::store::{MessageReader, OpenError, OpenMaildrop};

/// The session's connection, holding the advisory lock on the mailbox,
/// and the snapshot taken at login. Dropping it closes the connection,
/// which releases the lock and deletes nothing.
pub struct OpenPostgres {
    client: Arc<Client>,
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
    /// Locks `user`'s mailbox on `client` (a connection of its own) and
    /// takes the snapshot.
    pub(super) async fn lock(client: Client, user: &str) -> Result<Self, OpenError> {
        let mailbox = mailbox_id(&client, user)
            .await
            .map_err(|e| temporary("finding the mailbox", &e))?;
        let locked: bool = client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&mailbox])
            .await
            .and_then(|row| row.try_get(0))
            .map_err(|e| temporary("locking the mailbox", &e))?;
        if !locked {
            return Err(OpenError::InUse);
        }
        let rows = client
            .query(
                "SELECT id, uid, wire_size FROM messages WHERE mailbox_id = $1 ORDER BY id",
                &[&mailbox],
            )
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
            .prepare("SELECT octet_length(body) FROM messages WHERE id = $1")
            .await
            .map_err(|e| temporary("preparing", &e))?;
        let page = client
            .prepare("SELECT substring(body FROM $2 FOR $3) FROM messages WHERE id = $1")
            .await
            .map_err(|e| temporary("preparing", &e))?;
        Ok(Self {
            client: Arc::new(client),
            mailbox,
            maildrop,
            ids,
            length,
            page,
            locked: true,
        })
    }

    /// Gives up the lock now, rather than when the connection closes, so
    /// the next session (on any instance) gets in at once.
    async fn unlock(&mut self) {
        if !std::mem::take(&mut self.locked) {
            return;
        }
        if let Err(e) = self
            .client
            .execute("SELECT pg_advisory_unlock($1)", &[&self.mailbox])
            .await
        {
            tracing::warn!(error = %e, "postgres: unlock failed; the connection's end releases it");
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
            .query_opt(&self.length, &[&id])
            .await
            .map_err(|e| {
                tracing::warn!(id, error = %e, "postgres: cannot open message");
                RetrieveError::Temporary
            })?;
        let Some(row) = row else {
            return Err(RetrieveError::Gone);
        };
        let length: i32 = row.try_get(0).map_err(|e| {
            tracing::warn!(id, error = %e, "postgres: cannot read message length");
            RetrieveError::Temporary
        })?;
        Ok(Box::pin(PageReader::new(
            Arc::clone(&self.client),
            self.page.clone(),
            id,
            length,
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
