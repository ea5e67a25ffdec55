use std::str::FromStr;

use super::{Mechanism, Text};
use crate::parse::ResponseError;

/// How long the server keeps messages (RFC 2449 section 6.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Expire {
    /// Messages are kept until the client deletes them.
    Never,
    /// Retrieved messages may be removed after this many days; 0 means
    /// at the end of the session that retrieved them.
    Days(u32),
}

/// One line of a CAPA listing (RFC 2449 section 5).
///
/// ABNF (RFC 2449 section 9):
///
/// ```text
/// capa-resp  = single-line *capability "." CRLF
/// capability = capa-tag *(SP param) CRLF   ; 512 octets maximum
/// capa-tag   = 1*cchar
/// param      = 1*VCHAR
/// cchar      = %x21-2D / %x2F-7F           ; printable ASCII, excluding "."
/// ```
///
/// Tags are matched without regard to case. Each known tag narrows its
/// params (section 6 of RFC 2449, RFC 2595, RFC 5034, RFC 6856), e.g.
/// `"LOGIN-DELAY" SP 1*DIGIT [SP "USER"]`; a known tag whose params do not
/// fit, and any unknown tag, is kept as [`Capability::Other`].
///
/// Parse one line with `Capability::try_from(&line[..])` (or
/// `str::parse`): the same rules as [`crate::parse::capability_line`],
/// with the line ending optional.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Capability {
    /// `TOP`: the TOP command is supported.
    Top,
    /// `USER`: USER/PASS login is available now.
    User,
    /// `UIDL`: unique-id listings are supported.
    Uidl,
    /// `RESP-CODES`: `-ERR`/`+OK` may carry response codes.
    RespCodes,
    /// `AUTH-RESP-CODE`: the `[AUTH]` code is sent (RFC 3206).
    AuthRespCode,
    /// `PIPELINING`: the client may send commands without waiting.
    Pipelining,
    /// `STLS`: the connection can be upgraded to TLS (RFC 2595).
    Stls,
    /// `SASL mech...`: AUTH with these mechanisms (RFC 5034).
    Sasl(Vec<Mechanism>),
    /// `LOGIN-DELAY n [USER]`: seconds between logins.
    LoginDelay {
        /// Minimum seconds between two logins.
        seconds: u32,
        /// `USER`: the value may differ per user (AUTHORIZATION state only).
        per_user: bool,
    },
    /// `EXPIRE policy [USER]`: how long mail is kept.
    Expire {
        /// The retention policy.
        policy: Expire,
        /// `USER`: the value may differ per user (AUTHORIZATION state only).
        per_user: bool,
    },
    /// `UTF8 [USER]`: the UTF8 command is supported (RFC 6856); with `USER`,
    /// USER/PASS accept UTF-8.
    Utf8 {
        /// Whether the `USER` argument is present.
        user: bool,
    },
    /// `LANG`: the LANG command is supported (RFC 6856).
    Lang,
    /// `IMPLEMENTATION text`: what server software this is.
    Implementation(Text),
    /// Any other capability, kept as it was sent.
    Other {
        /// The capability tag.
        tag: Box<str>,
        /// Its parameters, each without spaces.
        params: Vec<Box<str>>,
    },
}

impl TryFrom<&[u8]> for Capability {
    type Error = ResponseError;

    /// Parses one CAPA line, as it stands after dot-unstuffing, with or
    /// without its CRLF (a bare LF is taken as a line ending too). A line
    /// that holds CR, LF or NUL anywhere else is refused.
    fn try_from(line: &[u8]) -> Result<Self, ResponseError> {
        let line = super::strip_line_end(line);
        if line.iter().any(|b| matches!(b, b'\r' | b'\n' | b'\0')) {
            return Err(ResponseError::BadListingLine);
        }
        crate::parse::capability_line(line)
    }
}

impl TryFrom<&str> for Capability {
    type Error = ResponseError;

    /// As [`Capability::try_from`] for bytes.
    fn try_from(line: &str) -> Result<Self, ResponseError> {
        Self::try_from(line.as_bytes())
    }
}

impl FromStr for Capability {
    type Err = ResponseError;

    fn from_str(line: &str) -> Result<Self, ResponseError> {
        Self::try_from(line.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_with_or_without_its_ending() {
        for line in ["SASL PLAIN\r\n", "SASL PLAIN\n", "sasl plain"] {
            assert_eq!(
                Capability::try_from(line),
                Ok(Capability::Sasl(vec![Mechanism::Plain])),
                "{line:?}"
            );
        }
        assert_eq!(
            "UTF8 USER".parse::<Capability>(),
            Ok(Capability::Utf8 { user: true })
        );
    }

    #[test]
    fn refuses_empty_lines_and_embedded_line_ends() {
        for line in ["", "\r\n", "TOP\r\nUSER", "TOP\r", "X\0Y", "TOP\r\n\r\n"] {
            assert_eq!(
                Capability::try_from(line),
                Err(ResponseError::BadListingLine),
                "{line:?}"
            );
        }
    }
}
