use super::{Mechanism, Text};

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
/// ABNF: `capa-resp = capa-tag *(SP param) CRLF`; tags are matched without
/// regard to case.
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
