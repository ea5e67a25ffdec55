//! Bearer-token mechanisms: OAUTHBEARER (RFC 7628) and XOAUTH2 (the older
//! Google and Microsoft form).
//!
//! Both carry an OAuth 2.0 access token; checking it is the application's
//! job. When a token is refused, the server does not answer `-ERR` at
//! once: it sends an error challenge ([`bearer_error_challenge`] or
//! [`xoauth2_error_challenge`]), the client answers with a fixed message
//! ([`OAUTHBEARER_ERROR_ACK`] or [`XOAUTH2_ERROR_ACK`]), and only then
//! does the server fail the exchange.

mod bearer;
mod json;
mod kv;
mod xoauth2;

pub use bearer::BearerCredentials;
pub use json::{bearer_error_challenge, xoauth2_error_challenge};
pub use xoauth2::XOAuth2Credentials;

use super::SaslError;
use crate::types::Secret;

/// What an OAUTHBEARER client sends after an error challenge
/// (RFC 7628 section 3.2.3): a lone `%x01`.
pub const OAUTHBEARER_ERROR_ACK: &[u8] = b"\x01";

/// What an XOAUTH2 client sends after an error challenge: nothing.
pub const XOAUTH2_ERROR_ACK: &[u8] = b"";

/// Whether `token` has the `b64token` syntax of RFC 6750 section 2.1:
/// `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
pub fn is_valid_bearer_token(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        })
}

/// Reads an `auth` value: `Bearer` (any case), one or more spaces, a
/// token, and nothing else.
fn parse_auth(value: &[u8]) -> Result<Secret<String>, SaslError> {
    let text = std::str::from_utf8(value).map_err(|_| SaslError::InvalidToken)?;
    let (scheme, rest) = text.split_once(' ').ok_or(SaslError::InvalidToken)?;
    let token = rest.trim_start_matches(' ');
    if scheme.eq_ignore_ascii_case("Bearer") && is_valid_bearer_token(token) {
        Ok(Secret::new(token.to_owned()))
    } else {
        Err(SaslError::InvalidToken)
    }
}

/// Writes an `auth` value for a client.
fn encode_auth(token: &Secret<String>) -> String {
    format!("Bearer {}", token.expose_secret())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_token_syntax() {
        for ok in [
            "abc",
            "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==",
            "a-._~+/",
            "x=",
        ] {
            assert!(is_valid_bearer_token(ok), "{ok:?}");
        }
        for bad in ["", "=", "a=b", "a b", "a,b", "ä", "a\x01"] {
            assert!(!is_valid_bearer_token(bad), "{bad:?}");
        }
    }

    #[test]
    fn parses_auth_values() {
        assert_eq!(parse_auth(b"Bearer abc").unwrap().expose_secret(), "abc");
        assert_eq!(
            parse_auth(b"bEARER   abc=").unwrap().expose_secret(),
            "abc="
        );
        for bad in [
            &b""[..],
            b"Bearer",
            b"Bearer ",
            b"Basic abc",
            b"Bearer abc ",
            b"Bearerabc",
            b"Bearer a\xff",
        ] {
            assert_eq!(parse_auth(bad), Err(SaslError::InvalidToken), "{bad:?}");
        }
    }
}
