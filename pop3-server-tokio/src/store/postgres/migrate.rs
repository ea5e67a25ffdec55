//! The schema, applied by `pop3d migrate`: numbered SQL files from
//! `migrations/`, each run once, in order, in one transaction, recorded
//! in `pop3d_schema`.

use tokio_postgres::Client;

/// The migrations, in order: (version, SQL).
pub const MIGRATIONS: &[(i32, &str)] =
    &[(1, include_str!("../../../migrations/0001_maildrops.sql"))];

/// Advisory lock key pair (two-int form, apart from the one-bigint
/// mailbox locks) taken while migrating, so two `pop3d migrate` runs at
/// once apply each step once.
const MIGRATION_LOCK: (i32, i32) = (0x706f_7033, 1);

/// Applies the migrations not yet applied; returns their versions.
pub async fn migrate(client: &mut Client) -> Result<Vec<i32>, tokio_postgres::Error> {
    let tx = client.transaction().await?;
    tx.execute(
        "SELECT pg_advisory_xact_lock($1, $2)",
        &[&MIGRATION_LOCK.0, &MIGRATION_LOCK.1],
    )
    .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS pop3d_schema (
             version    integer PRIMARY KEY,
             applied_at timestamptz NOT NULL DEFAULT now()
         )",
    )
    .await?;
    let done = tx
        .query("SELECT version FROM pop3d_schema", &[])
        .await?
        .iter()
        .map(|row| row.try_get::<_, i32>(0))
        .collect::<Result<Vec<_>, _>>()?;
    let mut applied = Vec::new();
    for (version, sql) in MIGRATIONS {
        if done.contains(version) {
            continue;
        }
        tx.batch_execute(sql).await?;
        tx.execute("INSERT INTO pop3d_schema (version) VALUES ($1)", &[version])
            .await?;
        applied.push(*version);
    }
    tx.commit().await?;
    Ok(applied)
}

/// The newest migration, for checking a database is up to date.
pub fn latest() -> i32 {
    MIGRATIONS.last().map_or(0, |(version, _)| *version)
}

/// The version the database is at (0 if never migrated).
pub async fn current(client: &Client) -> Result<i32, tokio_postgres::Error> {
    let exists: bool = client
        .query_one("SELECT to_regclass('pop3d_schema') IS NOT NULL", &[])
        .await?
        .try_get(0)?;
    if !exists {
        return Ok(0);
    }
    let row = client
        .query_one("SELECT coalesce(max(version), 0) FROM pop3d_schema", &[])
        .await?;
    row.try_get(0)
}
