//! CRAM-MD5 (RFC 2195): the server sends `<unique@hostname>`, the client
//! answers `username SP hex(HMAC-MD5(secret, challenge))`.
//!
//! The server needs the plaintext secret (or the HMAC-MD5 inner and outer
//! states, which are just as good to an attacker), so this mechanism
//! protects the password on the wire but not in storage.

use subtle::ConstantTimeEq;

use super::{SaslError, check_len, hex, mac};
use crate::types::Username;

/// Builds a challenge `<unique@hostname>`.
///
/// The caller makes `unique` different for every challenge (RFC 2195
/// suggests a process id and a clock reading); a repeated challenge lets
/// an eavesdropper replay an old response.
pub fn challenge(unique: &str, hostname: &str) -> String {
    format!("<{unique}@{hostname}>")
}

/// A client's answer to a challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CramResponse {
    /// The user the client claims to be.
    pub username: Username,
    /// The HMAC-MD5 of the challenge keyed with the user's secret.
    pub digest: [u8; 16],
}

impl CramResponse {
    /// Parses `username SP digest`. The user name is everything before the
    /// last space, so names with spaces work; the digest is 32 hex digits
    /// of either case.
    pub fn decode(response: &[u8]) -> Result<Self, SaslError> {
        check_len(response)?;
        let space = memchr::memrchr(b' ', response)
            .ok_or(SaslError::Malformed("CRAM-MD5 response has no space"))?;
        let (name, rest) = response.split_at(space);
        let hex_digest = rest.get(1..).unwrap_or_default();
        let digest = hex::decode::<16>(hex_digest)
            .ok_or(SaslError::Malformed("CRAM-MD5 digest is not 32 hex digits"))?;
        let username = Username::try_from(name).map_err(SaslError::InvalidUsername)?;
        Ok(Self { username, digest })
    }

    /// The response as a client sends it, digest in lowercase hex.
    pub fn encode(&self) -> Vec<u8> {
        format!("{} {}", self.username, hex::encode(&self.digest)).into_bytes()
    }

    /// Whether the digest is HMAC-MD5(`secret`, `challenge`), compared in
    /// constant time. `challenge` is the exact text the server sent.
    pub fn verify(&self, challenge: &[u8], secret: &[u8]) -> bool {
        let expected = mac::hmac_md5(secret, challenge);
        expected.ct_eq(&self.digest).into()
    }
}

/// The client's answer to `challenge` (the decoded server message).
pub fn respond(username: &Username, secret: &[u8], challenge: &[u8]) -> Vec<u8> {
    CramResponse {
        username: username.clone(),
        digest: mac::hmac_md5(secret, challenge),
    }
    .encode()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const CHALLENGE: &[u8] = b"<1896.697170952@postoffice.reston.mci.net>";

    #[test]
    fn rfc_2195_example() {
        assert_eq!(
            challenge("1896.697170952", "postoffice.reston.mci.net").as_bytes(),
            CHALLENGE
        );
        let tim = Username::try_from("tim").unwrap();
        let response = respond(&tim, b"tanstaaftanstaaf", CHALLENGE);
        assert_eq!(response, b"tim b913a602c7eda7a495b4e6e7334d3890");

        let parsed = CramResponse::decode(&response).unwrap();
        assert_eq!(parsed.username, tim);
        assert!(parsed.verify(CHALLENGE, b"tanstaaftanstaaf"));
        assert!(!parsed.verify(CHALLENGE, b"tanstaaftanstaag"));
        assert!(!parsed.verify(
            b"<1897.697170952@postoffice.reston.mci.net>",
            b"tanstaaftanstaaf"
        ));
    }

    #[test]
    fn accepts_upper_case_hex_and_spaces_in_names() {
        let parsed = CramResponse::decode(b"tim b913A602C7EDA7A495B4E6E7334D3890").unwrap();
        assert!(parsed.verify(CHALLENGE, b"tanstaaftanstaaf"));
        let parsed = CramResponse::decode(b"first last b913a602c7eda7a495b4e6e7334d3890").unwrap();
        assert_eq!(parsed.username.as_str(), "first last");
    }

    #[test]
    fn refuses_malformed_responses() {
        for bad in [
            &b""[..],
            b"tim",
            b"timb913a602c7eda7a495b4e6e7334d3890",
            b"tim b913a602c7eda7a495b4e6e7334d389",
            b"tim b913a602c7eda7a495b4e6e7334d38900",
            b"tim b913a602c7eda7a495b4e6e7334d389g",
            b"tim b913a602c7eda7a495b4e6e7334d3890 ",
            b"tim ",
        ] {
            assert!(
                matches!(CramResponse::decode(bad), Err(SaslError::Malformed(_))),
                "{bad:?}"
            );
        }
        for bad in [
            &b" b913a602c7eda7a495b4e6e7334d3890"[..],
            b"tim  b913a602c7eda7a495b4e6e7334d3890",
        ] {
            assert!(
                matches!(
                    CramResponse::decode(bad),
                    Err(SaslError::InvalidUsername(_))
                ),
                "{bad:?}"
            );
        }
        let huge = vec![b'a'; crate::sasl::MAX_MESSAGE_LEN + 1];
        assert_eq!(CramResponse::decode(&huge), Err(SaslError::TooLong));
    }

    proptest! {
        #[test]
        fn never_panics(input in proptest::collection::vec(any::<u8>(), 0..100)) {
            let _ = CramResponse::decode(&input);
        }

        #[test]
        fn round_trips(name in "[!-~]([ -~]{0,30}[!-~])?", digest in any::<[u8; 16]>()) {
            let response = CramResponse { username: Username::try_from(name).unwrap(), digest };
            prop_assert_eq!(CramResponse::decode(&response.encode()).unwrap(), response);
        }
    }
}
