//! Maildrops in PostgreSQL, so several `pop3d` instances can serve the
//! same users.
//!
//! - Messages live in `messages` (see `migrations/`), stored once as
//!   delivered, with their exact wire size and a unique-id that never
//!   changes; the snapshot is one index range scan in delivery order.
//! - Each session takes a connection of its own from the session pool and
//!   `pg_try_advisory_lock(mailbox id)` on it: a second session on any
//!   instance gets `[IN-USE]`, and if the instance dies the database ends
//!   its connections and the locks with them. The session's queries (RETR
//!   pages, UPDATE) run on that connection.
//! - A session connection goes back to the pool only after
//!   `pg_advisory_unlock_all()` succeeded on it; if that fails it is
//!   closed instead. The pool also runs `pg_advisory_unlock_all()` before
//!   handing a connection out, so no session can inherit a lock.
//! - RETR reads the body in pages with `substring()`, never whole.
//! - UPDATE is one `DELETE`: all deletions or none.
//!
//! A second, small pool serves the authenticator, which holds no lock;
//! `pop3d deliver` connects on its own. Connections are plain TCP (no TLS): the
//! database is expected on loopback or a private network.

use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use pop3_proto::types::Username;
use tokio_postgres::{Client, NoTls};

use crate::store::{MaildropStore, OpenError};

mod deliver;
mod mailbox;
mod migrate;
mod open;
mod reader;

pub use deliver::{DeliverError, deliver, import, new_uid};
pub use mailbox::mailbox_id;
pub use migrate::{MIGRATIONS, current, latest, migrate};
pub use open::OpenPostgres;

/// Longest wait for a connection to the database.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections the pool keeps for short jobs.
const POOL_SIZE: usize = 16;

/// Most sessions one instance holds connections for at once (the
/// database's `max_connections` must allow this across the fleet).
const SESSION_POOL_SIZE: usize = 1024;

/// What a connection runs before it serves another session.
const RELEASE_LOCKS: &str = "SELECT pg_advisory_unlock_all()";

/// A PostgreSQL maildrop store.
#[derive(Clone)]
pub struct PostgresStore {
    config: Arc<tokio_postgres::Config>,
    pool: Pool,
    sessions: Pool,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("hosts", &self.config.get_hosts())
            .field("dbname", &self.config.get_dbname())
            .finish_non_exhaustive()
    }
}

/// Why a store could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The URL or connection string is not one tokio-postgres accepts.
    #[error("bad database_url: {0}")]
    Url(tokio_postgres::Error),
    /// The pool could not be built.
    #[error("database pool: {0}")]
    Pool(String),
}

impl PostgresStore {
    /// A store for `url` (`postgresql://user@host:port/db` or
    /// `host=... user=... dbname=...`). Connects lazily.
    pub fn new(url: &str) -> Result<Self, SetupError> {
        let mut config: tokio_postgres::Config = url.parse().map_err(SetupError::Url)?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("pop3d");
        }
        let pool = pool_of(&config, RecyclingMethod::Fast, POOL_SIZE)?;
        let sessions = pool_of(
            &config,
            RecyclingMethod::Custom(RELEASE_LOCKS.into()),
            SESSION_POOL_SIZE,
        )?;
        Ok(Self {
            config: Arc::new(config),
            pool,
            sessions,
        })
    }

    /// The pool for short jobs (delivery, authentication).
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// A new connection of its own, outside the pools (for commands that
    /// run once).
    pub async fn connect(&self) -> Result<Client, tokio_postgres::Error> {
        let (client, connection) = self.config.connect(NoTls).await?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::warn!(error = %e, "postgres: connection ended with an error");
            }
        });
        Ok(client)
    }
}

impl MaildropStore for PostgresStore {
    type Open = OpenPostgres;

    async fn open(&self, user: &Username) -> Result<OpenPostgres, OpenError> {
        let client = self.sessions.get().await.map_err(|e| {
            tracing::warn!(error = %e, "postgres: no session connection");
            OpenError::Temporary("database unreachable".into())
        })?;
        OpenPostgres::lock(client, user.as_str()).await
    }
}

/// A pool of at most `size` connections, checked with `recycling`
/// before each reuse, with time limits on connecting and waiting.
fn pool_of(
    config: &tokio_postgres::Config,
    recycling: RecyclingMethod,
    size: usize,
) -> Result<Pool, SetupError> {
    let manager = Manager::from_config(
        config.clone(),
        NoTls,
        ManagerConfig {
            recycling_method: recycling,
        },
    );
    Pool::builder(manager)
        .max_size(size)
        .runtime(Runtime::Tokio1)
        .create_timeout(Some(CONNECT_TIMEOUT))
        .wait_timeout(Some(CONNECT_TIMEOUT))
        .recycle_timeout(Some(CONNECT_TIMEOUT))
        .build()
        .map_err(|e| SetupError::Pool(e.to_string()))
}

/// The session-facing error for a database failure, logged.
pub(super) fn temporary(what: &str, error: &tokio_postgres::Error) -> OpenError {
    tracing::warn!(error = %error, "postgres: {what} failed");
    OpenError::Temporary(format!("database: {what} failed"))
}
