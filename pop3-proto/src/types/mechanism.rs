use std::fmt;
use std::str::FromStr;

use super::ValueError;

/// A SASL mechanism name.
///
/// ABNF (RFC 4422 section 3.1): `sasl-mech = 1*20mech-char`,
/// `mech-char = UPPER-ALPHA / DIGIT / HYPHEN / UNDERSCORE`. Names are
/// matched without regard to case and always written in upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Mechanism {
    /// PLAIN (RFC 4616).
    Plain,
    /// LOGIN (draft-murchison-sasl-login).
    Login,
    /// CRAM-MD5 (RFC 2195).
    CramMd5,
    /// SCRAM-SHA-256 (RFC 5802, RFC 7677), without channel binding.
    ScramSha256,
    /// OAUTHBEARER (RFC 7628).
    OAuthBearer,
    /// XOAUTH2 (Google and Microsoft's bearer-token mechanism).
    XOAuth2,
    /// Any other well-formed name, kept in upper case.
    Other(Box<str>),
}

impl Mechanism {
    /// The longest mechanism name RFC 4422 allows.
    pub const MAX_LEN: usize = 20;

    /// The name as written on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Plain => "PLAIN",
            Self::Login => "LOGIN",
            Self::CramMd5 => "CRAM-MD5",
            Self::ScramSha256 => "SCRAM-SHA-256",
            Self::OAuthBearer => "OAUTHBEARER",
            Self::XOAuth2 => "XOAUTH2",
            Self::Other(name) => name,
        }
    }

    /// Whether the mechanism sends a reusable password in the clear, which
    /// RFC 8314 forbids on an unencrypted link unless the operator allows it.
    pub fn is_cleartext(&self) -> bool {
        matches!(self, Self::Plain | Self::Login)
    }

    /// Whether the mechanism carries a bearer token, which is as good as a
    /// password to anyone who sees it.
    pub fn is_bearer_token(&self) -> bool {
        matches!(self, Self::OAuthBearer | Self::XOAuth2)
    }
}

impl TryFrom<&[u8]> for Mechanism {
    type Error = ValueError;

    fn try_from(bytes: &[u8]) -> Result<Self, ValueError> {
        ValueError::check_token(bytes, Self::MAX_LEN, |b| {
            b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
        })?;
        let upper: String = bytes
            .iter()
            .map(|b| char::from(b.to_ascii_uppercase()))
            .collect();
        Ok(match upper.as_str() {
            "PLAIN" => Self::Plain,
            "LOGIN" => Self::Login,
            "CRAM-MD5" => Self::CramMd5,
            "SCRAM-SHA-256" => Self::ScramSha256,
            "OAUTHBEARER" => Self::OAuthBearer,
            "XOAUTH2" => Self::XOAuth2,
            _ => Self::Other(upper.into_boxed_str()),
        })
    }
}

impl FromStr for Mechanism {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        Self::try_from(s.as_bytes())
    }
}

impl fmt::Display for Mechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_insensitive_and_canonical() {
        assert_eq!("plain".parse::<Mechanism>().unwrap(), Mechanism::Plain);
        assert_eq!(
            "Scram-Sha-256".parse::<Mechanism>().unwrap(),
            Mechanism::ScramSha256
        );
        assert_eq!("gssapi".parse::<Mechanism>().unwrap().as_str(), "GSSAPI");
    }

    #[test]
    fn grammar_is_enforced() {
        assert!("".parse::<Mechanism>().is_err());
        assert!("A".repeat(21).parse::<Mechanism>().is_err());
        assert!("CRAM MD5".parse::<Mechanism>().is_err());
        assert!("SCRAM-SHA-256-PLUS".parse::<Mechanism>().is_ok());
    }
}
