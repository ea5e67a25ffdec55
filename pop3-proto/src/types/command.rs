use std::fmt;

use super::{LanguageTag, Mechanism, MessageNumber, Secret, Username};

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
/// ABNF (RFC 2449 section 3): `command = keyword *(SP param) CRLF`,
/// `keyword = 3*4VCHAR`, each line at most 255 octets with CRLF
/// (AUTH lines carrying SASL data may be longer, RFC 5034).
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
    /// The command keyword, in upper case.
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

/// A client line during a SASL exchange (RFC 5034 section 4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaslResponse {
    /// Decoded base64 data; an empty line is empty data.
    Data(Secret<Vec<u8>>),
    /// `*`: the client cancels the exchange.
    Cancel,
}
