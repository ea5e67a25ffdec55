//! The Dovecot password schemes a users file may name, and which login
//! methods each one can serve.
//!
//! What a scheme stores decides what the server can check. A plaintext
//! password can answer every challenge; SCRAM's stored keys can check a
//! SCRAM proof or a password sent in the clear, but not an APOP or
//! CRAM-MD5 digest; a one-way hash can only check a password sent in the
//! clear.
//!
//! | scheme | USER/PASS, PLAIN, LOGIN | APOP, CRAM-MD5 | SCRAM-SHA-256 |
//! |---|---|---|---|
//! | `PLAIN` (alias `CLEARTEXT`) | yes | yes | yes |
//! | `SCRAM-SHA-256` | yes | no | yes |
//! | `ARGON2ID`, `SHA512-CRYPT`, `SHA256-CRYPT`, `BLF-CRYPT` | yes | no | no |
//!
//! Bearer tokens (OAUTHBEARER, XOAUTH2) are allowed by no scheme: a users
//! file holds no token verifier.

use std::fmt;
use std::str::FromStr;

use pop3_proto::Mechanism;
use pop3_proto::server::LoginMethod;
use thiserror::Error;

/// A password scheme, named as Dovecot names it inside `{...}`.
///
/// `CRYPT`, the scheme Dovecot assumes for a value without a `{SCHEME}`
/// prefix, is not a variant: the users-file reader resolves it to
/// [`Scheme::Sha512Crypt`], [`Scheme::Sha256Crypt`] or [`Scheme::BlfCrypt`]
/// from the value's `$id$` prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// The password itself (`{PLAIN}`, also spelled `{CLEARTEXT}`).
    Plain,
    /// Argon2id in PHC string form, `$argon2id$v=19$m=...,t=...,p=...$salt$hash`.
    Argon2id,
    /// SHA-512 crypt, `$6$[rounds=N$]salt$hash`.
    Sha512Crypt,
    /// SHA-256 crypt, `$5$[rounds=N$]salt$hash`.
    Sha256Crypt,
    /// bcrypt, `$2y$`, `$2b$` or `$2a$` followed by the cost, salt and hash.
    BlfCrypt,
    /// SCRAM-SHA-256 keys in Dovecot's form:
    /// `iterations,base64 salt,base64 StoredKey,base64 ServerKey`.
    ScramSha256,
}

impl Scheme {
    /// Every scheme, for listings such as `pop3d hash-password --help`.
    pub const ALL: [Scheme; 6] = [
        Scheme::Argon2id,
        Scheme::Sha512Crypt,
        Scheme::Sha256Crypt,
        Scheme::BlfCrypt,
        Scheme::ScramSha256,
        Scheme::Plain,
    ];

    /// The name written inside `{...}` in a users file.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Plain => "PLAIN",
            Self::Argon2id => "ARGON2ID",
            Self::Sha512Crypt => "SHA512-CRYPT",
            Self::Sha256Crypt => "SHA256-CRYPT",
            Self::BlfCrypt => "BLF-CRYPT",
            Self::ScramSha256 => "SCRAM-SHA-256",
        }
    }

    /// Looks a scheme up by name, ignoring case as Dovecot does.
    /// `CRYPT` is not accepted here (see the type's documentation).
    pub fn from_name(name: &str) -> Option<Self> {
        let upper = name.to_ascii_uppercase();
        Some(match upper.as_str() {
            "PLAIN" | "CLEARTEXT" => Self::Plain,
            "ARGON2ID" => Self::Argon2id,
            "SHA512-CRYPT" => Self::Sha512Crypt,
            "SHA256-CRYPT" => Self::Sha256Crypt,
            "BLF-CRYPT" => Self::BlfCrypt,
            "SCRAM-SHA-256" => Self::ScramSha256,
            _ => return None,
        })
    }

    /// Whether a password stored in this scheme can serve a login made
    /// this way (the table in the module documentation).
    pub fn allows(self, method: &LoginMethod) -> bool {
        match method {
            LoginMethod::UserPass
            | LoginMethod::Sasl(Mechanism::Plain)
            | LoginMethod::Sasl(Mechanism::Login) => true,
            LoginMethod::Apop | LoginMethod::Sasl(Mechanism::CramMd5) => self.is_plaintext(),
            LoginMethod::Sasl(Mechanism::ScramSha256) => self.serves_scram(),
            LoginMethod::Sasl(_) => false,
        }
    }

    /// Whether the scheme keeps the password itself, which APOP and
    /// CRAM-MD5 need.
    pub const fn is_plaintext(self) -> bool {
        matches!(self, Self::Plain)
    }

    /// Whether SCRAM-SHA-256 keys can be had from this scheme.
    pub const fn serves_scram(self) -> bool {
        matches!(self, Self::Plain | Self::ScramSha256)
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A scheme name that is not one of [`Scheme::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "unknown password scheme (known: ARGON2ID, SHA512-CRYPT, SHA256-CRYPT, BLF-CRYPT, SCRAM-SHA-256, PLAIN)"
)]
pub struct UnknownScheme;

impl FromStr for Scheme {
    type Err = UnknownScheme;

    fn from_str(s: &str) -> Result<Self, UnknownScheme> {
        Self::from_name(s).ok_or(UnknownScheme)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_ignore_case() {
        for scheme in Scheme::ALL {
            assert_eq!(Scheme::from_name(scheme.name()), Some(scheme));
            assert_eq!(
                scheme.name().to_ascii_lowercase().parse::<Scheme>(),
                Ok(scheme)
            );
            assert_eq!(scheme.to_string(), scheme.name());
        }
        assert_eq!(Scheme::from_name("cleartext"), Some(Scheme::Plain));
        assert_eq!(Scheme::from_name("CRYPT"), None);
        assert_eq!("MD5".parse::<Scheme>(), Err(UnknownScheme));
    }

    fn sasl(m: Mechanism) -> LoginMethod {
        LoginMethod::Sasl(m)
    }

    #[test]
    fn plain_allows_every_password_method() {
        for method in [
            LoginMethod::UserPass,
            LoginMethod::Apop,
            sasl(Mechanism::Plain),
            sasl(Mechanism::Login),
            sasl(Mechanism::CramMd5),
            sasl(Mechanism::ScramSha256),
        ] {
            assert!(Scheme::Plain.allows(&method), "{method:?}");
        }
    }

    #[test]
    fn scram_allows_cleartext_and_scram_only() {
        let s = Scheme::ScramSha256;
        assert!(s.allows(&LoginMethod::UserPass));
        assert!(s.allows(&sasl(Mechanism::Plain)));
        assert!(s.allows(&sasl(Mechanism::Login)));
        assert!(s.allows(&sasl(Mechanism::ScramSha256)));
        assert!(!s.allows(&LoginMethod::Apop));
        assert!(!s.allows(&sasl(Mechanism::CramMd5)));
    }

    #[test]
    fn hashes_allow_cleartext_methods_only() {
        for s in [
            Scheme::Argon2id,
            Scheme::Sha512Crypt,
            Scheme::Sha256Crypt,
            Scheme::BlfCrypt,
        ] {
            assert!(s.allows(&LoginMethod::UserPass));
            assert!(s.allows(&sasl(Mechanism::Plain)));
            assert!(s.allows(&sasl(Mechanism::Login)));
            assert!(!s.allows(&LoginMethod::Apop), "{s}");
            assert!(!s.allows(&sasl(Mechanism::CramMd5)), "{s}");
            assert!(!s.allows(&sasl(Mechanism::ScramSha256)), "{s}");
        }
    }

    #[test]
    fn no_scheme_allows_bearer_tokens_or_unknown_mechanisms() {
        for s in Scheme::ALL {
            assert!(!s.allows(&sasl(Mechanism::OAuthBearer)));
            assert!(!s.allows(&sasl(Mechanism::XOAuth2)));
            assert!(!s.allows(&sasl(Mechanism::Other("GSSAPI".into()))));
        }
    }
}
