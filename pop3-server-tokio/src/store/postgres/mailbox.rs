//! Finding (and creating) a user's mailbox row.

use tokio_postgres::GenericClient;

/// The id of `user`'s mailbox, created if missing. The id is also the
/// maildrop's advisory lock key.
pub async fn mailbox_id<C: GenericClient + Sync>(
    client: &C,
    user: &str,
) -> Result<i64, tokio_postgres::Error> {
    // Usually one query; the insert runs once per user, and a concurrent
    // first insert is found by the last select.
    if let Some(row) = client
        .query_opt("SELECT id FROM mailboxes WHERE name = $1", &[&user])
        .await?
    {
        return row.try_get(0);
    }
    if let Some(row) = client
        .query_opt(
            "INSERT INTO mailboxes (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING id",
            &[&user],
        )
        .await?
    {
        return row.try_get(0);
    }
    client
        .query_one("SELECT id FROM mailboxes WHERE name = $1", &[&user])
        .await?
        .try_get(0)
}
