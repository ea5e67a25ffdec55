//! Making users-file password values, for `pop3d hash-password`.

use argon2::{Argon2, PasswordHasher as _};
use pop3_proto::sasl::scram::ScramSecrets;
use thiserror::Error;

use super::formats::{
    MAX_BCRYPT_COST, MAX_SHA_CRYPT_ROUNDS, MIN_SCRAM_ITERATIONS, argon2_too_costly,
    format_dovecot_scram,
};
use super::scheme::Scheme;

/// Work factors for new hashes. The defaults suit a login server today;
/// raise them on fast hardware.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashCost {
    /// Argon2id memory in KiB (default 19456, OWASP's minimum).
    pub argon2_memory_kib: u32,
    /// Argon2id passes (default 2).
    pub argon2_iterations: u32,
    /// Argon2id lanes (default 1).
    pub argon2_parallelism: u32,
    /// bcrypt cost, 4 to 18 (default 12).
    pub bcrypt_cost: u32,
    /// SHA-crypt rounds, 1000 to 20000000 (default 5000, glibc's).
    pub sha_crypt_rounds: u32,
    /// SCRAM-SHA-256 PBKDF2 iterations, 4096 to 1048576 (default 4096,
    /// Dovecot's and RFC 7677's).
    pub scram_iterations: u32,
}

impl Default for HashCost {
    fn default() -> Self {
        Self {
            argon2_memory_kib: argon2::Params::DEFAULT_M_COST,
            argon2_iterations: argon2::Params::DEFAULT_T_COST,
            argon2_parallelism: argon2::Params::DEFAULT_P_COST,
            bcrypt_cost: bcrypt::DEFAULT_COST,
            sha_crypt_rounds: sha_crypt::Params::RECOMMENDED_ROUNDS,
            scram_iterations: MIN_SCRAM_ITERATIONS,
        }
    }
}

/// Why no value could be made.
#[derive(Debug, Error)]
pub enum HashError {
    /// The operating system gave no random salt.
    #[error("no randomness for the salt: {0}")]
    Random(getrandom::Error),
    /// A [`HashCost`] field is out of the scheme's range.
    #[error("{scheme} cost out of range: {reason}")]
    Cost {
        /// The scheme asked for.
        scheme: Scheme,
        /// Which limit was crossed.
        reason: &'static str,
    },
    /// The password cannot be stored in this scheme.
    #[error("password cannot be stored as {scheme}: {reason}")]
    Password {
        /// The scheme asked for.
        scheme: Scheme,
        /// Why.
        reason: &'static str,
    },
}

/// Hashes `password` with the default [`HashCost`]; see [`hash_password_with`].
pub fn hash_password(scheme: Scheme, password: &[u8]) -> Result<String, HashError> {
    hash_password_with(scheme, password, &HashCost::default())
}

/// Makes a users-file password value, `{SCHEME}...`, with a fresh random
/// salt. [`Scheme::Argon2id`] is the one to choose unless APOP, CRAM-MD5
/// (which need [`Scheme::Plain`]) or SCRAM-SHA-256 are wanted.
///
/// Refused: an empty password; bcrypt passwords over 72 octets (bcrypt
/// would ignore the rest); PLAIN passwords that are not UTF-8 or hold `:`,
/// CR or LF, which the file format cannot carry.
pub fn hash_password_with(
    scheme: Scheme,
    password: &[u8],
    cost: &HashCost,
) -> Result<String, HashError> {
    let refuse = |reason| Err(HashError::Password { scheme, reason });
    let out_of_range = |reason| HashError::Cost { scheme, reason };
    if password.is_empty() {
        return refuse("empty password");
    }
    let value = match scheme {
        Scheme::Plain => {
            let Ok(text) = std::str::from_utf8(password) else {
                return refuse("not UTF-8");
            };
            if text.contains([':', '\r', '\n']) {
                return refuse("contains ':', CR or LF");
            }
            text.to_owned()
        }
        Scheme::Argon2id => {
            let params = argon2::Params::new(
                cost.argon2_memory_kib,
                cost.argon2_iterations,
                cost.argon2_parallelism,
                None,
            )
            .map_err(|_| out_of_range("memory, passes or lanes"))?;
            if let Some(reason) = argon2_too_costly(cost.argon2_memory_kib, cost.argon2_iterations)
            {
                return Err(out_of_range(reason));
            }
            let salt = random::<16>()?;
            Argon2::from(params)
                .hash_password_with_salt(password, &salt)
                .map_err(|_| out_of_range("memory, passes or lanes"))?
                .to_string()
        }
        Scheme::Sha512Crypt | Scheme::Sha256Crypt => {
            if cost.sha_crypt_rounds > MAX_SHA_CRYPT_ROUNDS {
                return Err(out_of_range("rounds must be 1000 to 20000000"));
            }
            let params = sha_crypt::Params::new(cost.sha_crypt_rounds)
                .map_err(|_| out_of_range("rounds must be 1000 to 20000000"))?;
            let algorithm = if scheme == Scheme::Sha256Crypt {
                sha_crypt::Algorithm::Sha256Crypt
            } else {
                sha_crypt::Algorithm::Sha512Crypt
            };
            // 12 random octets make the 16-character salt crypt allows.
            let salt = random::<12>()?;
            sha_crypt::PasswordHasher::hash_password_with_salt(
                &sha_crypt::ShaCrypt::new(algorithm, params),
                password,
                &salt,
            )
            .map_err(|_| out_of_range("rounds"))?
            .to_string()
        }
        Scheme::BlfCrypt => {
            if password.len() > 72 {
                return refuse("bcrypt uses only the first 72 octets");
            }
            if !(4..=MAX_BCRYPT_COST).contains(&cost.bcrypt_cost) {
                return Err(out_of_range("cost must be 4 to 18"));
            }
            bcrypt::hash_with_salt(password, cost.bcrypt_cost, random::<16>()?)
                .map_err(|_| out_of_range("cost must be 4 to 18"))?
                .format_for_version(bcrypt::Version::TwoY)
        }
        Scheme::ScramSha256 => {
            let iterations = cost.scram_iterations;
            if !(MIN_SCRAM_ITERATIONS..=pop3_proto::sasl::scram::MAX_ITERATIONS)
                .contains(&iterations)
            {
                return Err(out_of_range("iterations must be 4096 to 1048576"));
            }
            let salt = random::<16>()?;
            format_dovecot_scram(&ScramSecrets::derive(password, &salt, iterations))
        }
    };
    Ok(format!("{{{}}}{value}", scheme.name()))
}

fn random<const N: usize>() -> Result<[u8; N], HashError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(HashError::Random)?;
    Ok(bytes)
}
