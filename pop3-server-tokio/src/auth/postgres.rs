//! Users in PostgreSQL: the `users` table (see `migrations/`), one row a
//! user, the password field in passwd-file form (`{SCHEME}value`; NULL
//! or empty for an account that cannot log in).
//!
//! Each login reads the user's row through the pool and checks it
//! exactly as a passwd-file entry is checked (same schemes, same rules).
//! An unknown user is checked against a decoy Argon2id hash, so refusing
//! them costs what refusing a real user does.

use deadpool_postgres::Pool;
use pop3_proto::sasl::scram::ScramSecrets;
use pop3_proto::server::{LoginError, LoginRequest};
use pop3_proto::types::Username;

use super::{Account, Authenticator, HashError, PasswdFile, Scheme, hash_password};

/// The decoy's user name (any name would do: the decoy file is only
/// asked about other users).
const DECOY_USER: &str = "pop3d-decoy";

/// Authenticates against the `users` table.
#[derive(Clone)]
pub struct PostgresUsers {
    pool: Pool,
    decoy: PasswdFile,
}

impl std::fmt::Debug for PostgresUsers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresUsers").finish_non_exhaustive()
    }
}

/// Why the authenticator could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// No decoy hash could be made.
    #[error("decoy password: {0}")]
    Decoy(String),
}

impl PostgresUsers {
    /// Reads users through `pool`.
    pub fn new(pool: Pool) -> Result<Self, SetupError> {
        let mut random = [0u8; 24];
        getrandom::fill(&mut random).map_err(|e| SetupError::Decoy(e.to_string()))?;
        let password: String = random.iter().map(|b| format!("{b:02x}")).collect();
        let hashed = hash_password(Scheme::Argon2id, password.as_bytes())
            .map_err(|e: HashError| SetupError::Decoy(e.to_string()))?;
        let decoy = PasswdFile::parse(&format!("{DECOY_USER}:{hashed}"), "decoy")
            .map_err(|e| SetupError::Decoy(e.to_string()))?;
        Ok(Self { pool, decoy })
    }

    /// A one-user table for `user` from the database, or the decoy when
    /// the user is unknown or the row unusable.
    async fn lookup(&self, user: &Username) -> Result<PasswdFile, LoginError> {
        let client = self.pool.get().await.map_err(|e| {
            tracing::warn!(error = %e, "postgres users: no connection");
            LoginError::Temporary
        })?;
        let lookup = client
            .prepare_cached("SELECT password FROM users WHERE name = $1")
            .await;
        let row = match lookup {
            Ok(statement) => client.query_opt(&statement, &[&user.as_str()]).await,
            Err(e) => Err(e),
        }
        .map_err(|e| {
            tracing::warn!(error = %e, "postgres users: lookup failed");
            LoginError::Temporary
        })?;
        let Some(row) = row else {
            return Ok(self.decoy.clone());
        };
        let password: Option<String> = row.try_get(0).map_err(|e| {
            tracing::warn!(error = %e, "postgres users: bad password column");
            LoginError::Temporary
        })?;
        let password = password.unwrap_or_default();
        if password.contains([':', '\r', '\n']) {
            tracing::warn!(
                user = user.as_str(),
                "postgres users: password field holds ':' or a line end; account disabled"
            );
            return Ok(self.decoy.clone());
        }
        match PasswdFile::parse(&format!("{}:{password}", user.as_str()), "users table") {
            Ok(file) => Ok(file),
            Err(e) => {
                tracing::warn!(error = %e, "postgres users: unusable row; account disabled");
                Ok(self.decoy.clone())
            }
        }
    }
}

impl Authenticator for PostgresUsers {
    async fn authenticate(&self, request: &LoginRequest) -> Result<Account, LoginError> {
        self.lookup(request.username())
            .await?
            .authenticate(request)
            .await
    }

    /// A found `{PLAIN}` user's keys are derived for this login (the row
    /// is read afresh each time). Every other answer (stored keys, none,
    /// unknown user) spends the same derivation anyway, so timing does
    /// not tell the cases apart.
    async fn scram_secrets(&self, user: &Username) -> Option<ScramSecrets> {
        let Ok(table) = self.lookup(user).await else {
            super::verify::scram_decoy_derivation().await;
            return None;
        };
        let plain = table
            .get(user)
            .and_then(|entry| entry.password())
            .is_some_and(|password| password.scheme() == Scheme::Plain);
        let found = table.scram_secrets(user).await;
        if !(plain && found.is_some()) {
            super::verify::scram_decoy_derivation().await;
        }
        found
    }
}
