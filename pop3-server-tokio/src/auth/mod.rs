//! Who may log in: the [`Authenticator`] trait the session driver talks
//! to, and the Dovecot-compatible passwd-file implementation.

use std::future::Future;

use pop3_proto::sasl::scram::ScramSecrets;
use pop3_proto::server::{LoginError, LoginRequest};
use pop3_proto::types::Username;

mod formats;
mod hash;
pub mod passwd_file;
pub mod postgres;
pub mod scheme;
mod shared;
mod stored;
mod user_name;
mod verify;

pub use formats::{MIN_SCRAM_ITERATIONS, PasswordFormatError};
pub use hash::{HashCost, HashError, hash_password, hash_password_with};
pub use passwd_file::{LineProblem, LoadError, PasswdFile, UserEntry};
pub use scheme::{Scheme, UnknownScheme};
pub use shared::SharedPasswdFile;
pub use stored::{PLAIN_SCRAM_ITERATIONS, StoredPassword};
pub use user_name::is_safe_maildrop_name;

/// A user whose credentials were accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The maildrop to open: the authenticated user, or the authorization
    /// identity the user was allowed to act as.
    pub maildrop_owner: Username,
}

/// Checks credentials.
///
/// Implementations decide every [`pop3_proto::server::Credentials`] kind:
/// a password, an APOP or CRAM-MD5 digest (which need a
/// plaintext-equivalent secret), a bearer token, or a login the SASL
/// exchange already proved (SCRAM). A failure must take the same path, and
/// as near as possible the same time, whether or not the user exists.
pub trait Authenticator: Send + Sync + 'static {
    /// Verifies a login attempt.
    fn authenticate(
        &self,
        request: &LoginRequest,
    ) -> impl Future<Output = Result<Account, LoginError>> + Send;

    /// The SCRAM-SHA-256 verifier for `user`, or `None` if the user is
    /// unknown or has no secret SCRAM can use.
    fn scram_secrets(&self, user: &Username) -> impl Future<Output = Option<ScramSecrets>> + Send;
}
