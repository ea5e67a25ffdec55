//! XOAUTH2: `user=<name>%x01auth=Bearer <token>%x01%x01`, with no GS2
//! header.

use super::kv::Pairs;
use super::{encode_auth, parse_auth};
use crate::sasl::{SaslError, check_len};
use crate::types::{Secret, Username};

/// What an XOAUTH2 client sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XOAuth2Credentials {
    /// The user to log in as.
    pub user: Username,
    /// The access token, without the `Bearer` scheme.
    pub token: Secret<String>,
}

impl XOAuth2Credentials {
    /// Parses a client response. Both `user` and `auth` are required;
    /// other keys are ignored. The user name may be UTF-8.
    pub fn decode(message: &[u8]) -> Result<Self, SaslError> {
        check_len(message)?;
        let pairs = Pairs::parse(message)?;
        let user = pairs
            .get("user")
            .ok_or(SaslError::Malformed("XOAUTH2 without user"))?;
        let user = Username::try_from(user).map_err(SaslError::InvalidUsername)?;
        let token = parse_auth(pairs.get("auth").ok_or(SaslError::InvalidToken)?)?;
        Ok(Self { user, token })
    }

    /// The message a client sends (before base64).
    pub fn encode(&self) -> Vec<u8> {
        format!(
            "user={}\x01auth={}\x01\x01",
            self.user,
            encode_auth(&self.token)
        )
        .into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const EXAMPLE: &[u8] =
        b"user=someuser@example.com\x01auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01";

    #[test]
    fn decodes_the_documented_example() {
        let c = XOAuth2Credentials::decode(EXAMPLE).unwrap();
        assert_eq!(c.user.as_str(), "someuser@example.com");
        assert_eq!(
            c.token.expose_secret(),
            "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"
        );
        assert_eq!(c.encode(), EXAMPLE);
    }

    #[test]
    fn refuses_malformed_messages() {
        let cases: &[(&[u8], SaslError)] = &[
            (b"", SaslError::Malformed("missing final %x01")),
            (b"\x01", SaslError::Malformed("XOAUTH2 without user")),
            (
                b"auth=Bearer t\x01\x01",
                SaslError::Malformed("XOAUTH2 without user"),
            ),
            (b"user=u\x01\x01", SaslError::InvalidToken),
            (
                b"user=u\x01auth=Bearer t\x01",
                SaslError::Malformed("missing final %x01"),
            ),
            (b"user=u\x01auth=Bearer\x01\x01", SaslError::InvalidToken),
            (
                b"user=u\x01auth=Bearer t t\x01\x01",
                SaslError::InvalidToken,
            ),
            (
                b"user=\x01auth=Bearer t\x01\x01",
                SaslError::InvalidUsername(crate::ValueError::Empty),
            ),
            (
                b"user=u\x01user=v\x01auth=Bearer t\x01\x01",
                SaslError::Malformed("repeated key"),
            ),
        ];
        for (input, error) in cases {
            assert_eq!(
                XOAuth2Credentials::decode(input).as_ref(),
                Err(error),
                "{input:?}"
            );
        }
        assert!(matches!(
            XOAuth2Credentials::decode(b"user=a\rb\x01auth=Bearer t\x01\x01"),
            Err(SaslError::InvalidUsername(_))
        ));
    }

    proptest! {
        #[test]
        fn never_panics(input in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = XOAuth2Credentials::decode(&input);
        }

        #[test]
        fn round_trips(
            user in "[!-~]([ -~]{0,20}[!-~])?",
            token in "[A-Za-z0-9._~+/-]{1,40}={0,2}",
        ) {
            let creds = XOAuth2Credentials {
                user: Username::try_from(user).unwrap(),
                token: Secret::new(token),
            };
            prop_assert_eq!(XOAuth2Credentials::decode(&creds.encode()).unwrap(), creds);
        }
    }
}
