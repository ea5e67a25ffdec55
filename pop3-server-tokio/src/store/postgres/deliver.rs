//! Writing messages into PostgreSQL maildrops: new deliveries, and
//! imports that keep the unique-id a message already had.

use std::time::{SystemTime, UNIX_EPOCH};

use pop3_proto::body::wire_size;
use pop3_proto::types::Uid;
use tokio_postgres::GenericClient;

use super::mailbox::mailbox_id;

/// Why a message was not stored.
#[derive(Debug, thiserror::Error)]
pub enum DeliverError {
    /// The database refused or could not be reached.
    #[error("database: {0}")]
    Database(#[from] tokio_postgres::Error),
    /// The message is larger than a `bytea` value may be (1 GiB).
    #[error("message too large ({0} octets)")]
    TooLarge(usize),
    /// No system randomness for the unique-id.
    #[error("no system randomness: {0}")]
    Random(String),
}

/// Largest message stored: PostgreSQL's limit for one field.
const MAX_MESSAGE: usize = (1 << 30) - 1024;

/// A fresh unique-id: the delivery time and 64 random bits, e.g.
/// `1732550000.pg5f0c9d2e8a7b6c4d`.
pub fn new_uid() -> Result<Uid, DeliverError> {
    let mut random = [0u8; 8];
    getrandom::fill(&mut random).map_err(|e| DeliverError::Random(e.to_string()))?;
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let text = format!("{secs}.pg{:016x}", u64::from_be_bytes(random));
    Uid::try_from(text).map_err(|e| DeliverError::Random(e.to_string()))
}

/// Stores `message` (as delivered: LF or CRLF line ends) in `user`'s
/// maildrop, creating it if needed, under a new unique-id, and returns
/// that unique-id. The message is visible to sessions that start after
/// this returns.
pub async fn deliver<C: GenericClient + Sync>(
    client: &C,
    user: &str,
    message: &[u8],
) -> Result<Uid, DeliverError> {
    let mailbox = mailbox_id(client, user).await?;
    loop {
        let uid = new_uid()?;
        if insert(client, mailbox, &uid, message).await? {
            return Ok(uid);
        }
        // 64 random bits repeated within one second: pick again.
    }
}

/// Stores `message` under the unique-id it already has (from another
/// store). Returns false, storing nothing, if the maildrop already holds
/// that unique-id, so an interrupted import can be run again.
pub async fn import<C: GenericClient + Sync>(
    client: &C,
    mailbox: i64,
    uid: &Uid,
    message: &[u8],
) -> Result<bool, DeliverError> {
    insert(client, mailbox, uid, message).await
}

async fn insert<C: GenericClient + Sync>(
    client: &C,
    mailbox: i64,
    uid: &Uid,
    message: &[u8],
) -> Result<bool, DeliverError> {
    if message.len() > MAX_MESSAGE {
        return Err(DeliverError::TooLarge(message.len()));
    }
    let size =
        i64::try_from(wire_size(message)).map_err(|_| DeliverError::TooLarge(message.len()))?;
    let inserted = client
        .execute(
            "INSERT INTO messages (mailbox_id, uid, wire_size, body) VALUES ($1, $2, $3, $4)
             ON CONFLICT (mailbox_id, uid) DO NOTHING",
            &[&mailbox, &uid.as_str(), &size, &message],
        )
        .await?;
    Ok(inserted == 1)
}
