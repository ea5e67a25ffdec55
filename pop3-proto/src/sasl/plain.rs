//! PLAIN (RFC 4616): `[authzid] NUL authcid NUL passwd` in one message.

use super::{SaslError, check_len};
use crate::types::{Secret, Username};

/// The longest password PLAIN carries, in octets. RFC 4616 section 2
/// asks for at least 255; PASS takes a password as long as a command line
/// holds, and the same password must work with either.
pub const MAX_PASSWORD_LEN: usize = 1024;

/// What a PLAIN message carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlainCredentials {
    /// Who the client wants to act as; `None` means the same as `authcid`.
    pub authzid: Option<Username>,
    /// Whose password this is.
    pub authcid: Username,
    /// The password: 1 to [`MAX_PASSWORD_LEN`] octets without NUL. RFC
    /// 4616 says UTF-8, but the octets are kept as sent so a server can
    /// compare them with whatever encoding its password store uses.
    pub password: Secret<Vec<u8>>,
}

impl PlainCredentials {
    /// Credentials for a client, refusing a password PLAIN cannot carry.
    pub fn new(
        authzid: Option<Username>,
        authcid: Username,
        password: Vec<u8>,
    ) -> Result<Self, SaslError> {
        check_password(&password)?;
        Ok(Self {
            authzid,
            authcid,
            password: Secret::new(password),
        })
    }

    /// Parses a decoded PLAIN message: exactly two NULs, an empty authzid
    /// meaning none.
    pub fn decode(message: &[u8]) -> Result<Self, SaslError> {
        check_len(message)?;
        let mut fields = message.split(|&b| b == 0);
        let (Some(authzid), Some(authcid), Some(password), None) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(SaslError::Malformed("PLAIN needs exactly two NULs"));
        };
        let authzid = if authzid.is_empty() {
            None
        } else {
            Some(Username::try_from(authzid).map_err(SaslError::InvalidUsername)?)
        };
        let authcid = Username::try_from(authcid).map_err(SaslError::InvalidUsername)?;
        Self::new(authzid, authcid, password.to_vec())
    }

    /// The message a client sends (before base64).
    pub fn encode(&self) -> Vec<u8> {
        let authzid = self.authzid.as_ref().map_or("", Username::as_str);
        let password = self.password.expose_secret();
        let mut out =
            Vec::with_capacity(authzid.len() + self.authcid.as_str().len() + 2 + password.len());
        out.extend_from_slice(authzid.as_bytes());
        out.push(0);
        out.extend_from_slice(self.authcid.as_str().as_bytes());
        out.push(0);
        out.extend_from_slice(password);
        out
    }
}

fn check_password(password: &[u8]) -> Result<(), SaslError> {
    if password.is_empty() || password.len() > MAX_PASSWORD_LEN || password.contains(&0) {
        Err(SaslError::InvalidPassword)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::types::ValueError;

    fn user(s: &str) -> Username {
        Username::try_from(s).unwrap()
    }

    #[test]
    fn decodes_rfc_4616_examples() {
        let c = PlainCredentials::decode(b"\0tim\0tanstaaftanstaaf").unwrap();
        assert_eq!(c.authzid, None);
        assert_eq!(c.authcid, user("tim"));
        assert_eq!(c.password.expose_secret(), b"tanstaaftanstaaf");

        let c = PlainCredentials::decode(b"Ursel\0Kurt\0xipj3plmq").unwrap();
        assert_eq!(c.authzid, Some(user("Ursel")));
        assert_eq!(c.authcid, user("Kurt"));
        assert_eq!(c.encode(), b"Ursel\0Kurt\0xipj3plmq");
    }

    #[test]
    fn keeps_non_utf8_passwords() {
        let c = PlainCredentials::decode(b"\0j\xc3\xbcrgen\0p\xe4ss").unwrap();
        assert_eq!(c.authcid.as_str(), "jürgen");
        assert_eq!(c.password.expose_secret(), b"p\xe4ss");
    }

    #[test]
    fn refuses_malformed_messages() {
        for bad in [
            &b""[..],
            b"tim",
            b"\0tim",
            b"\0tim\0pw\0",
            b"\0\0tim\0pw",
            b"a\0b\0c\0d",
        ] {
            assert!(
                matches!(PlainCredentials::decode(bad), Err(SaslError::Malformed(_))),
                "{bad:?}"
            );
        }
        assert_eq!(
            PlainCredentials::decode(b"\0\0pw"),
            Err(SaslError::InvalidUsername(ValueError::Empty))
        );
        assert_eq!(
            PlainCredentials::decode(b"\0tim\0"),
            Err(SaslError::InvalidPassword)
        );
        assert!(matches!(
            PlainCredentials::decode(b"\0ti\xffm\0pw"),
            Err(SaslError::InvalidUsername(ValueError::NotUtf8))
        ));
        assert!(matches!(
            PlainCredentials::decode(b"\x01\0tim\0pw"),
            Err(SaslError::InvalidUsername(_))
        ));
    }

    #[test]
    fn enforces_lengths() {
        let mut msg = b"\0tim\0".to_vec();
        msg.extend(vec![b'p'; MAX_PASSWORD_LEN]);
        assert!(PlainCredentials::decode(&msg).is_ok());
        msg.push(b'p');
        assert_eq!(
            PlainCredentials::decode(&msg),
            Err(SaslError::InvalidPassword)
        );

        let long_user = format!("\0{}\0pw", "u".repeat(256));
        assert!(matches!(
            PlainCredentials::decode(long_user.as_bytes()),
            Err(SaslError::InvalidUsername(ValueError::TooLong { .. }))
        ));
        let huge = vec![b'a'; crate::sasl::MAX_MESSAGE_LEN + 1];
        assert_eq!(PlainCredentials::decode(&huge), Err(SaslError::TooLong));
    }

    #[test]
    fn new_refuses_unsendable_passwords() {
        assert_eq!(
            PlainCredentials::new(None, user("a"), vec![]),
            Err(SaslError::InvalidPassword)
        );
        assert_eq!(
            PlainCredentials::new(None, user("a"), b"a\0b".to_vec()),
            Err(SaslError::InvalidPassword)
        );
    }

    proptest! {
        #[test]
        fn never_panics(input in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = PlainCredentials::decode(&input);
        }

        #[test]
        fn round_trips(
            authzid in proptest::option::of("[!-~]([ -~]{0,30}[!-~])?"),
            authcid in "[!-~]([ -~]{0,30}[!-~])?",
            password in proptest::collection::vec(1u8.., 1..=MAX_PASSWORD_LEN),
        ) {
            let creds = PlainCredentials::new(
                authzid.map(|a| user(&a)),
                user(&authcid),
                password,
            ).unwrap();
            prop_assert_eq!(PlainCredentials::decode(&creds.encode()).unwrap(), creds);
        }
    }
}
