//! Deciding logins from a [`PasswdFile`].
//!
//! | credentials | accepted when |
//! |---|---|
//! | `Password` (USER/PASS, PLAIN, LOGIN) | the password verifies |
//! | `Apop`, `CramMd5` | the user is `{PLAIN}` and the digest matches |
//! | `Verified` (SCRAM-SHA-256 proved) | the user's scheme serves SCRAM |
//! | `BearerToken` | never: a users file has no token verifier |
//! | `ScramFailed` | never |
//!
//! and, for all of them, the authorization identity is absent or equal to
//! the user name. Every refusal is [`LoginError::BadCredentials`].
//!
//! An unknown user, a locked account or a method the scheme does not
//! allow takes the same path as a wrong password: the password is checked
//! against a decoy entry of the file's most common scheme, so the refusal
//! costs what a real check costs. Hash checks run on tokio's blocking
//! pool, so the async threads stay free, and no more of them run at once
//! than the machine has cores: Argon2 takes its memory cost (19 MiB by
//! default) per check, so a burst of logins waits in line rather than
//! exhausting memory.

use std::sync::{Arc, OnceLock};

use pop3_proto::sasl::scram::ScramSecrets;
use pop3_proto::server::{Credentials, LoginError, LoginMethod, LoginRequest};
use pop3_proto::types::{Secret, Username};
use tokio::sync::Semaphore;

use super::passwd_file::PasswdFile;
use super::scheme::Scheme;
use super::stored::StoredPassword;
use super::{Account, Authenticator};

/// What an APOP or CRAM-MD5 digest is checked against when the user has
/// no plaintext password, so that the refusal does the same work.
const DECOY_SHARED_SECRET: &[u8] = b"decoy shared secret";

impl PasswdFile {
    /// The user's password, if the user exists, can log in and may use
    /// `method`.
    fn usable(&self, user: &Username, method: &LoginMethod) -> Option<Arc<StoredPassword>> {
        self.get(user)
            .and_then(|entry| entry.password_arc())
            .filter(|p| p.allows(method))
            .cloned()
    }

    /// Checks a login attempt; see the module documentation.
    async fn decide(&self, request: &LoginRequest) -> Result<Account, LoginError> {
        let user = request.username();
        let stored = self.usable(user, request.method());
        let accepted = match request.credentials() {
            Credentials::Password(password) => {
                let target = stored.clone().or_else(|| self.decoy().cloned());
                let matched = match target {
                    Some(target) => verify_off_thread(target, password).await?,
                    None => false,
                };
                matched && stored.is_some()
            }
            Credentials::Apop { .. } | Credentials::CramMd5 { .. } => {
                let secret = stored.as_deref().and_then(StoredPassword::plaintext);
                let matched = request.verify_shared_secret(secret.unwrap_or(DECOY_SHARED_SECRET))
                    == Some(true);
                matched && secret.is_some()
            }
            Credentials::Verified => stored.is_some_and(|p| p.scheme().serves_scram()),
            Credentials::BearerToken(_) | Credentials::ScramFailed => false,
        };
        let authzid_ok = request.authzid().is_none_or(|authzid| authzid == user);
        if accepted && authzid_ok {
            Ok(Account {
                maildrop_owner: user.clone(),
            })
        } else {
            Err(LoginError::BadCredentials)
        }
    }

    /// The user's SCRAM-SHA-256 keys, if the user can log in that way. A
    /// `{PLAIN}` user's are derived on first use, which is a PBKDF2 run:
    /// that goes to the blocking pool, within the hash slots.
    async fn scram_for(&self, user: &Username) -> Option<ScramSecrets> {
        let stored = self.usable(user, &LoginMethod::Sasl(pop3_proto::Mechanism::ScramSha256))?;
        if !stored.scram_needs_derivation() {
            return stored.scram_secrets();
        }
        let _slot = hash_slots().acquire().await.ok()?;
        tokio::task::spawn_blocking(move || stored.scram_secrets())
            .await
            .ok()
            .flatten()
    }
}

/// Runs a password check; the costly schemes go to the blocking pool.
async fn verify_off_thread(
    stored: Arc<StoredPassword>,
    password: &Secret<Vec<u8>>,
) -> Result<bool, LoginError> {
    if stored.scheme() == Scheme::Plain {
        return Ok(stored.verify(password.expose_secret()));
    }
    let _slot = hash_slots()
        .acquire()
        .await
        .map_err(|_| LoginError::Temporary)?;
    let password = password.clone();
    tokio::task::spawn_blocking(move || stored.verify(password.expose_secret()))
        .await
        .map_err(|_| LoginError::Temporary)
}

/// Spends what deriving a `{PLAIN}` user's SCRAM keys costs, for a SCRAM
/// lookup that finds no keys, where a found user's keys are derived per
/// login (a users table read per login): the two then take equally long.
pub(super) async fn scram_decoy_derivation() {
    let Ok(_slot) = hash_slots().acquire().await else {
        return;
    };
    let _ = tokio::task::spawn_blocking(|| {
        ScramSecrets::derive(b"decoy", &[0u8; 16], super::stored::PLAIN_SCRAM_ITERATIONS)
    })
    .await;
}

/// Process-wide limit on password hashes computed at once: one per core.
fn hash_slots() -> &'static Semaphore {
    static SLOTS: OnceLock<Semaphore> = OnceLock::new();
    SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Semaphore::new(cores)
    })
}

impl Authenticator for PasswdFile {
    async fn authenticate(&self, request: &LoginRequest) -> Result<Account, LoginError> {
        self.decide(request).await
    }

    async fn scram_secrets(&self, user: &Username) -> Option<ScramSecrets> {
        self.scram_for(user).await
    }
}

#[cfg(test)]
#[path = "verify_tests.rs"]
mod tests;
