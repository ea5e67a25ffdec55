use std::fmt;
use std::str::FromStr;

use super::{LanguageTag, Mechanism, MessageNumber, Secret, Username};
use crate::parse::CommandError;

/// The MD5 digest sent with APOP: 16 octets, written as 32 hex digits.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ApopDigest(pub [u8; 16]);

impl fmt::Debug for ApopDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApopDigest({self})")
    }
}

impl fmt::Display for ApopDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

/// The start of a SASL exchange: `AUTH mechanism [initial-response]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthStart {
    /// The mechanism the client chose.
    pub mechanism: Mechanism,
    /// The decoded initial response, if one was sent on the AUTH line; an
    /// empty value is written `=` on the wire (RFC 5034 section 4).
    pub initial_response: Option<Secret<Vec<u8>>>,
}

/// The argument of LANG (RFC 6856 section 3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LangRequest {
    /// `LANG tag`: switch to this language.
    Tag(LanguageTag),
    /// `LANG *`: let the server pick from the client's context.
    Wildcard,
}

/// A command from client to server (RFC 1939, 2449, 2595, 5034, 6856).
///
/// ABNF (RFC 2449 section 9): `command = keyword *(SP param) CRLF`,
/// `keyword = 3*4VCHAR`, `param = 1*VCHAR`, each line at most 255 octets
/// with CRLF (AUTH lines carrying SASL data may be longer, RFC 5034).
/// Each command then narrows its params (RFC 1939 section 9 and the
/// extensions):
///
/// ```text
/// USER name            PASS string           APOP name digest
/// AUTH [mechanism [initial-response / "="]]  CAPA   STLS   UTF8
/// LANG [lang-tag / "*"]  STAT  LIST [msg]  RETR msg  DELE msg
/// NOOP  RSET  TOP msg n  UIDL [msg]  QUIT
/// ```
///
/// `PASS string` is the rest of the line, spaces included, and `name`
/// may be UTF-8 (RFC 6856).
///
/// Parse a line with `Command::try_from(&line[..])` (or `str::parse`):
/// the same rules as [`crate::parse::command`], with the line ending
/// optional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `USER name`.
    User(Username),
    /// `PASS string`: everything after the first space, spaces included.
    Pass(Secret<Vec<u8>>),
    /// `APOP name digest`.
    Apop {
        /// The maildrop name.
        name: Username,
        /// MD5 of the greeting timestamp followed by the shared secret.
        digest: ApopDigest,
    },
    /// `AUTH`: with no argument, list mechanisms; else start SASL.
    Auth(Option<AuthStart>),
    /// `CAPA`.
    Capa,
    /// `STLS`.
    Stls,
    /// `UTF8`.
    Utf8,
    /// `LANG [tag|*]`: with no argument, list languages.
    Lang(Option<LangRequest>),
    /// `STAT`.
    Stat,
    /// `LIST [msg]`.
    List(Option<MessageNumber>),
    /// `RETR msg`.
    Retr(MessageNumber),
    /// `DELE msg`.
    Dele(MessageNumber),
    /// `NOOP`.
    Noop,
    /// `RSET`.
    Rset,
    /// `TOP msg n`: headers and the first `lines` lines of the body.
    Top {
        /// The message.
        msg: MessageNumber,
        /// Body lines to send after the headers.
        lines: u32,
    },
    /// `UIDL [msg]`.
    Uidl(Option<MessageNumber>),
    /// `QUIT`.
    Quit,
}

impl Command {
    /// The command keyword, in upper case; `Keyword::from(&command)` gives
    /// it as a [`Keyword`](super::Keyword).
    pub fn keyword(&self) -> &'static str {
        match self {
            Self::User(_) => "USER",
            Self::Pass(_) => "PASS",
            Self::Apop { .. } => "APOP",
            Self::Auth(_) => "AUTH",
            Self::Capa => "CAPA",
            Self::Stls => "STLS",
            Self::Utf8 => "UTF8",
            Self::Lang(_) => "LANG",
            Self::Stat => "STAT",
            Self::List(_) => "LIST",
            Self::Retr(_) => "RETR",
            Self::Dele(_) => "DELE",
            Self::Noop => "NOOP",
            Self::Rset => "RSET",
            Self::Top { .. } => "TOP",
            Self::Uidl(_) => "UIDL",
            Self::Quit => "QUIT",
        }
    }
}

impl TryFrom<&[u8]> for Command {
    type Error = CommandError;

    /// Parses one command line, with or without its CRLF (a bare LF is
    /// taken as a line ending too). Anything after that ending, including
    /// a second command, is refused as a forbidden character. The line's
    /// length is not checked: framing does that (see
    /// [`crate::parse::next_line`]).
    fn try_from(line: &[u8]) -> Result<Self, CommandError> {
        crate::parse::command(super::strip_line_end(line))
    }
}

impl TryFrom<&str> for Command {
    type Error = CommandError;

    /// As [`Command::try_from`] for bytes.
    fn try_from(line: &str) -> Result<Self, CommandError> {
        Self::try_from(line.as_bytes())
    }
}

impl FromStr for Command {
    type Err = CommandError;

    fn from_str(line: &str) -> Result<Self, CommandError> {
        Self::try_from(line.as_bytes())
    }
}

/// A client line during a SASL exchange (RFC 5034 section 4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaslResponse {
    /// Decoded base64 data; an empty line is empty data.
    Data(Secret<Vec<u8>>),
    /// `*`: the client cancels the exchange.
    Cancel,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_with_or_without_its_ending() {
        for line in ["STAT\r\n", "STAT\n", "stat", "STAT "] {
            assert_eq!(Command::try_from(line), Ok(Command::Stat), "{line:?}");
        }
        assert_eq!(
            "PASS two words\r\n".parse::<Command>(),
            Ok(Command::Pass(Secret::new(b"two words".to_vec())))
        );
    }

    #[test]
    fn refuses_what_the_parser_refuses_and_second_lines() {
        use CommandError::*;
        let cases: &[(&[u8], CommandError)] = &[
            (b"", Empty),
            (b"\r\n", Empty),
            (b"STAT\r\nQUIT\r\n", ForbiddenCharacter),
            (b"PASS a\nb", ForbiddenCharacter),
            (b"STAT\r", ForbiddenCharacter),
            (b"XYZZY\r\n", Unknown),
            (b"RETR 0\r\n", InvalidMessageNumber),
        ];
        for (line, error) in cases {
            assert_eq!(Command::try_from(*line), Err(*error), "{line:?}");
        }
    }
}
