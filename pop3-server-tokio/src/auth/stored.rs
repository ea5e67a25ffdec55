//! One user's stored password: parsed from the users file's password
//! field, checked against what a client sends.

use std::fmt;
use std::sync::OnceLock;

use argon2::{Argon2, PasswordHash, PasswordVerifier as _};
use pop3_proto::sasl::scram::ScramSecrets;
use pop3_proto::server::LoginMethod;
use pop3_proto::types::Username;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::formats::{
    CryptKind, PasswordFormatError, check_argon2id, check_bcrypt, check_sha_crypt,
    parse_dovecot_scram, resolve_crypt,
};
use super::scheme::Scheme;

/// The PBKDF2 iteration count of the SCRAM-SHA-256 keys derived for
/// `{PLAIN}` users; set `ServerConfig::scram_iterations` to the same
/// value so unknown users look alike.
pub const PLAIN_SCRAM_ITERATIONS: u32 = 4096;

/// A password as the users file stores it, in one of the [`Scheme`]s.
///
/// `Debug` shows only the scheme. For `{PLAIN}` users the SCRAM-SHA-256
/// keys are derived the first time a SCRAM login asks for them (PBKDF2 is
/// most of a login's CPU otherwise, and a password looked up per login,
/// as from PostgreSQL, would pay it every time), with a 16-octet salt
/// taken from the user name and a random value fixed for the life of the
/// process (so a reload gives the same salt).
#[derive(Clone)]
pub struct StoredPassword {
    scheme: Scheme,
    material: Material,
}

#[derive(Clone)]
enum Material {
    Plain {
        password: Box<[u8]>,
        salt: [u8; 16],
        scram: OnceLock<ScramSecrets>,
    },
    /// An Argon2id, SHA-crypt or bcrypt string whose shape was checked.
    Hash(Box<str>),
    Scram(ScramSecrets),
}

impl fmt::Debug for StoredPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredPassword")
            .field("scheme", &self.scheme)
            .finish_non_exhaustive()
    }
}

impl StoredPassword {
    /// Reads a users-file password field: `{SCHEME}value`, or a bare value
    /// taken as Dovecot's default scheme CRYPT, which is resolved by its
    /// `$id$` prefix (`$6$`, `$5$`, `$2y$`/`$2b$`/`$2a$`).
    ///
    /// `Ok(None)` is an account that cannot log in: an empty field, or a
    /// CRYPT value starting with `!` or `*` (the usual lock marks).
    /// `user` seeds the salt of a `{PLAIN}` user's SCRAM keys.
    pub(crate) fn parse_field(
        field: &str,
        user: &Username,
        seed: &[u8; 32],
    ) -> Result<Option<Self>, PasswordFormatError> {
        let (scheme, value) = match split_prefix(field)? {
            (Some(scheme), value) => (scheme, value),
            (None, value) => match resolve_crypt(value)? {
                CryptKind::Locked => return Ok(None),
                CryptKind::Hash(scheme) => (scheme, value),
            },
        };
        let material = match scheme {
            Scheme::Plain => {
                if value.is_empty() {
                    return Err(PasswordFormatError::Malformed {
                        scheme,
                        reason: "empty password",
                    });
                }
                Material::Plain {
                    password: value.as_bytes().into(),
                    salt: plain_scram_salt(seed, user),
                    scram: OnceLock::new(),
                }
            }
            Scheme::Argon2id => {
                check_argon2id(value)?;
                Material::Hash(value.into())
            }
            Scheme::Sha512Crypt | Scheme::Sha256Crypt => {
                check_sha_crypt(value, scheme)?;
                Material::Hash(value.into())
            }
            Scheme::BlfCrypt => {
                check_bcrypt(value)?;
                Material::Hash(value.into())
            }
            Scheme::ScramSha256 => Material::Scram(parse_dovecot_scram(value)?),
        };
        Ok(Some(Self { scheme, material }))
    }

    /// The scheme the password is stored in.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Whether this password can serve a login made this way; see
    /// [`Scheme::allows`].
    pub fn allows(&self, method: &LoginMethod) -> bool {
        self.scheme.allows(method)
    }

    /// Whether `password` is the stored password.
    ///
    /// Comparisons run in constant time (the hash crates' own, or
    /// `subtle`'s). Argon2, bcrypt, SHA-crypt and SCRAM checks cost
    /// milliseconds of CPU by design: call this off the async threads.
    pub fn verify(&self, password: &[u8]) -> bool {
        match &self.material {
            Material::Plain {
                password: stored, ..
            } => bool::from(stored.ct_eq(password)),
            Material::Hash(hash) => verify_hash(self.scheme, hash, password),
            Material::Scram(secrets) => {
                let derived = ScramSecrets::derive(password, &secrets.salt, secrets.iterations);
                let stored_ok = derived.stored_key.ct_eq(&secrets.stored_key);
                let server_ok = derived.server_key.ct_eq(&secrets.server_key);
                bool::from(stored_ok & server_ok)
            }
        }
    }

    /// The password itself, for APOP and CRAM-MD5; only `{PLAIN}` has it.
    pub fn plaintext(&self) -> Option<&[u8]> {
        match &self.material {
            Material::Plain { password, .. } => Some(password),
            _ => None,
        }
    }

    /// Whether [`scram_secrets`](Self::scram_secrets) would have to run
    /// PBKDF2: a `{PLAIN}` password whose keys are not derived yet.
    pub fn scram_needs_derivation(&self) -> bool {
        matches!(&self.material, Material::Plain { scram, .. } if scram.get().is_none())
    }

    /// The SCRAM-SHA-256 keys: stored ones for `{SCRAM-SHA-256}`, for
    /// `{PLAIN}` the ones derived from the password (on the first call),
    /// none for the one-way hashes. Costs a PBKDF2 run the first time for
    /// `{PLAIN}`: call this off the async threads.
    pub fn scram_secrets(&self) -> Option<ScramSecrets> {
        match &self.material {
            Material::Plain {
                password,
                salt,
                scram,
            } => Some(
                scram
                    .get_or_init(|| ScramSecrets::derive(password, salt, PLAIN_SCRAM_ITERATIONS))
                    .clone(),
            ),
            Material::Scram(scram) => Some(scram.clone()),
            Material::Hash(_) => None,
        }
    }

    /// The PBKDF2 iteration count a SCRAM login with this password shows
    /// the client, without deriving anything; `None` when SCRAM cannot
    /// use it.
    pub fn scram_iterations(&self) -> Option<u32> {
        match &self.material {
            Material::Plain { .. } => Some(PLAIN_SCRAM_ITERATIONS),
            Material::Scram(scram) => Some(scram.iterations),
            Material::Hash(_) => None,
        }
    }
}

/// Splits `{SCHEME}value`. A field without a closing brace is not taken
/// as a prefix (it falls to CRYPT, which refuses it).
fn split_prefix(field: &str) -> Result<(Option<Scheme>, &str), PasswordFormatError> {
    let Some(after) = field.strip_prefix('{') else {
        return Ok((None, field));
    };
    let Some((name, value)) = after.split_once('}') else {
        return Ok((None, field));
    };
    if name.eq_ignore_ascii_case("CRYPT") {
        return Ok((None, value));
    }
    match Scheme::from_name(name) {
        Some(scheme) => Ok((Some(scheme), value)),
        None => Err(PasswordFormatError::UnknownScheme {
            name: printable_scheme_name(name),
        }),
    }
}

/// The name if it looks like a scheme name, so that it is safe to show.
fn printable_scheme_name(name: &str) -> Option<String> {
    let plausible = !name.is_empty()
        && name.len() <= 32
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
    plausible.then(|| name.to_ascii_uppercase())
}

fn verify_hash(scheme: Scheme, hash: &str, password: &[u8]) -> bool {
    match scheme {
        Scheme::Argon2id => PasswordHash::new(hash)
            .is_ok_and(|parsed| Argon2::default().verify_password(password, &parsed).is_ok()),
        Scheme::Sha512Crypt | Scheme::Sha256Crypt => {
            sha_crypt::PasswordVerifier::<str>::verify_password(
                &sha_crypt::ShaCrypt::default(),
                password,
                hash,
            )
            .is_ok()
        }
        Scheme::BlfCrypt => bcrypt::verify(password, hash).unwrap_or(false),
        Scheme::Plain | Scheme::ScramSha256 => false,
    }
}

/// A random value fixed for the life of the process, from which the salts
/// of `{PLAIN}` users' SCRAM keys are taken.
pub(crate) fn process_seed() -> Result<[u8; 32], getrandom::Error> {
    static SEED: OnceLock<[u8; 32]> = OnceLock::new();
    if let Some(seed) = SEED.get() {
        return Ok(*seed);
    }
    let mut fresh = [0u8; 32];
    getrandom::fill(&mut fresh)?;
    Ok(*SEED.get_or_init(|| fresh))
}

/// `SHA-256(label, seed, user)` cut to 16 octets, Dovecot's salt length.
fn plain_scram_salt(seed: &[u8; 32], user: &Username) -> [u8; 16] {
    let digest = Sha256::new()
        .chain_update(b"pop3d PLAIN SCRAM salt\0")
        .chain_update(seed)
        .chain_update(user.as_str().as_bytes())
        .finalize();
    let mut salt = [0u8; 16];
    salt.iter_mut()
        .zip(digest.iter())
        .for_each(|(s, d)| *s = *d);
    salt
}

#[cfg(test)]
#[path = "stored_tests.rs"]
mod tests;
