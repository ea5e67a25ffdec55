//! OAUTHBEARER (RFC 7628 section 3.1): a GS2 header, then `key=value`
//! pairs separated by `%x01`, one of them `auth=Bearer <token>`.

use super::kv::Pairs;
use super::{encode_auth, parse_auth};
use crate::sasl::{SaslError, check_len, gs2};
use crate::types::{Secret, Username};

/// What an OAUTHBEARER client sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BearerCredentials {
    /// The user to log in as; RFC 7628 lets the token alone decide when
    /// it is absent.
    pub authzid: Option<Username>,
    /// The access token, without the `Bearer` scheme.
    pub token: Secret<String>,
    /// The host name the client connected to, if sent.
    pub host: Option<String>,
    /// The port the client connected to, if sent.
    pub port: Option<u16>,
}

impl BearerCredentials {
    /// Parses a client response. Keys other than `auth`, `host` and
    /// `port` are allowed and ignored; values must be printable ASCII,
    /// space, tab, CR or LF.
    pub fn decode(message: &[u8]) -> Result<Self, SaslError> {
        check_len(message)?;
        let sep = memchr::memchr(0x01, message).ok_or(SaslError::Malformed("missing %x01"))?;
        let (header, pairs) = message.split_at(sep);
        let header = std::str::from_utf8(header)
            .map_err(|_| SaslError::Malformed("GS2 header is not UTF-8"))?;
        let (header, rest) = gs2::split(header)?;
        if !rest.is_empty() {
            return Err(SaslError::Malformed("data between GS2 header and %x01"));
        }
        let pairs = Pairs::parse(pairs.get(1..).unwrap_or_default())?;
        if !pairs
            .values()
            .flatten()
            .all(|&b| b.is_ascii_graphic() || matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        {
            return Err(SaslError::Malformed("bad character in OAUTHBEARER value"));
        }
        let token = parse_auth(pairs.get("auth").ok_or(SaslError::InvalidToken)?)?;
        let host = pairs.get("host").map(parse_host).transpose()?;
        let port = pairs.get("port").map(parse_port).transpose()?;
        Ok(Self {
            authzid: header.authzid,
            token,
            host,
            port,
        })
    }

    /// The message a client sends (before base64). `host` must be printable
    /// ASCII without spaces and the token valid RFC 6750 syntax
    /// ([`super::is_valid_bearer_token`]), or the server will refuse it.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = gs2::encode(self.authzid.as_ref());
        out.push('\x01');
        if let Some(host) = &self.host {
            out.push_str(&format!("host={host}\x01"));
        }
        if let Some(port) = self.port {
            out.push_str(&format!("port={port}\x01"));
        }
        out.push_str(&format!("auth={}\x01\x01", encode_auth(&self.token)));
        out.into_bytes()
    }
}

fn parse_host(value: &[u8]) -> Result<String, SaslError> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_graphic) {
        return Err(SaslError::Malformed("bad OAUTHBEARER host"));
    }
    Ok(String::from_utf8_lossy(value).into_owned())
}

fn parse_port(value: &[u8]) -> Result<u16, SaslError> {
    let bad = SaslError::Malformed("bad OAUTHBEARER port");
    if value.is_empty() || value.len() > 5 || !value.iter().all(u8::is_ascii_digit) {
        return Err(bad);
    }
    std::str::from_utf8(value)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or(bad)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::sasl::oauth::is_valid_bearer_token;

    const RFC_7628: &[u8] = b"n,a=user@example.com,\x01host=server.example.com\x01port=143\x01\
auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01";

    #[test]
    fn decodes_the_rfc_7628_example() {
        let c = BearerCredentials::decode(RFC_7628).unwrap();
        assert_eq!(
            c.authzid.as_ref().map(Username::as_str),
            Some("user@example.com")
        );
        assert_eq!(
            c.token.expose_secret(),
            "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg=="
        );
        assert_eq!(c.host.as_deref(), Some("server.example.com"));
        assert_eq!(c.port, Some(143));
        assert_eq!(c.encode(), RFC_7628);
    }

    #[test]
    fn accepts_minimal_and_unknown_keys() {
        let c = BearerCredentials::decode(b"n,,\x01auth=bearer t0k\x01\x01").unwrap();
        assert_eq!((c.authzid, c.host, c.port), (None, None, None));
        assert_eq!(c.token.expose_secret(), "t0k");
        assert!(BearerCredentials::decode(b"y,,\x01mtls=x y\x01auth=Bearer t\x01\x01").is_ok());
    }

    #[test]
    fn refuses_malformed_messages() {
        let cases: &[(&[u8], SaslError)] = &[
            (b"", SaslError::Malformed("missing %x01")),
            (b"\x01", SaslError::Malformed("missing GS2 header")),
            (b"n,,", SaslError::Malformed("missing %x01")),
            (
                b"p=tls-unique,,\x01auth=Bearer t\x01\x01",
                SaslError::UnsupportedChannelBinding,
            ),
            (
                b"n,,x\x01auth=Bearer t\x01\x01",
                SaslError::Malformed("data between GS2 header and %x01"),
            ),
            (
                b"n,,\x01auth=Bearer t\x01",
                SaslError::Malformed("missing final %x01"),
            ),
            (
                b"n,,\x01auth=Bearer t\x01\x01\x01",
                SaslError::Malformed("data after the final %x01"),
            ),
            (b"n,,\x01\x01", SaslError::InvalidToken),
            (
                b"n,,\x01auth=Basic dXNlcjpwdw==\x01\x01",
                SaslError::InvalidToken,
            ),
            (b"n,,\x01auth=Bearer a b\x01\x01", SaslError::InvalidToken),
            (
                b"n,,\x01auth=Bearer t\x01auth=Bearer u\x01\x01",
                SaslError::Malformed("repeated key"),
            ),
            (
                b"n,,\x01host=\x01auth=Bearer t\x01\x01",
                SaslError::Malformed("bad OAUTHBEARER host"),
            ),
            (
                b"n,,\x01host=a b\x01auth=Bearer t\x01\x01",
                SaslError::Malformed("bad OAUTHBEARER host"),
            ),
            (
                b"n,,\x01port=65536\x01auth=Bearer t\x01\x01",
                SaslError::Malformed("bad OAUTHBEARER port"),
            ),
            (
                b"n,,\x01port=-1\x01auth=Bearer t\x01\x01",
                SaslError::Malformed("bad OAUTHBEARER port"),
            ),
            (
                b"n,,\x01x=\xc3\xa4\x01auth=Bearer t\x01\x01",
                SaslError::Malformed("bad character in OAUTHBEARER value"),
            ),
            (
                b"n,,\x01x=\0\x01auth=Bearer t\x01\x01",
                SaslError::Malformed("bad character in OAUTHBEARER value"),
            ),
            (
                b"n,a=\xff,\x01auth=Bearer t\x01\x01",
                SaslError::Malformed("GS2 header is not UTF-8"),
            ),
        ];
        for (input, error) in cases {
            assert_eq!(
                BearerCredentials::decode(input).as_ref(),
                Err(error),
                "{input:?}"
            );
        }
        let mut huge = b"n,,\x01auth=Bearer ".to_vec();
        huge.resize(crate::sasl::MAX_MESSAGE_LEN + 1, b'a');
        assert_eq!(BearerCredentials::decode(&huge), Err(SaslError::TooLong));
    }

    proptest! {
        #[test]
        fn never_panics(input in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = BearerCredentials::decode(&input);
        }

        #[test]
        fn round_trips(
            authzid in proptest::option::of("[!-~]([ -~]{0,20}[!-~])?"),
            token in "[A-Za-z0-9._~+/-]{1,40}={0,2}",
            host in proptest::option::of("[!-~]{1,30}"),
            port in proptest::option::of(any::<u16>()),
        ) {
            prop_assert!(is_valid_bearer_token(&token));
            let creds = BearerCredentials {
                authzid: authzid.map(|a| Username::try_from(a).unwrap()),
                token: Secret::new(token),
                host,
                port,
            };
            prop_assert_eq!(BearerCredentials::decode(&creds.encode()).unwrap(), creds);
        }
    }
}
