//! What the client reports: greetings, replies, message bodies.

use std::fmt;

use bytes::Bytes;

use crate::sasl::SaslError;
use crate::types::{
    Capability, LangEntry, Mechanism, ResponseCode, ScanListing, Status, Text, UidListing,
};

/// Names one request, so its reply can be matched when many are queued.
///
/// Ids are handed out in increasing order by each [`super::Client`] and
/// never reused within it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RequestId(pub(super) u64);

/// Where the session is, as far as the replies read so far tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SessionState {
    /// Waiting for the server's greeting.
    Greeting,
    /// Greeted, not logged in (RFC 1939 AUTHORIZATION).
    Authorization,
    /// Logged in (RFC 1939 TRANSACTION).
    Transaction,
    /// QUIT was answered or the greeting was `-ERR`: nothing more will
    /// be sent or accepted.
    Closed,
    /// The server broke the protocol; the connection must be dropped.
    Failed,
}

/// A `+OK` greeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Greeting {
    /// The greeting text.
    pub text: Text,
    /// The APOP timestamp `<...>` found in the text (brackets included),
    /// if the server offers APOP; see [`crate::apop::find_timestamp`].
    pub apop_timestamp: Option<String>,
}

/// A `-ERR` from the server: the request failed, the session goes on.
///
/// The response code, when the server sends one (RFC 2449, RFC 3206),
/// tells the caller what to do: [`ServerError::is_temporary`] means keep
/// the credentials and try again later, [`ServerError::is_auth`] means
/// the credentials themselves were refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerError {
    /// The response code, if any.
    pub code: Option<ResponseCode>,
    /// The human-readable text.
    pub text: Text,
}

impl ServerError {
    pub(super) fn from_status(status: Status) -> Self {
        Self {
            code: status.code,
            text: status.text,
        }
    }

    /// `[IN-USE]`, `[LOGIN-DELAY]` or `[SYS/TEMP]`: not the credentials'
    /// fault; try again later without asking the user.
    pub fn is_temporary(&self) -> bool {
        self.code.as_ref().is_some_and(ResponseCode::is_temporary)
    }

    /// `[AUTH]` (RFC 3206): the credentials were wrong or not acceptable.
    pub fn is_auth(&self) -> bool {
        self.code == Some(ResponseCode::Auth)
    }

    /// `[SYS/PERM]`: a server failure that retrying will not fix.
    pub fn is_permanent(&self) -> bool {
        self.code == Some(ResponseCode::SysPerm)
    }
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("-ERR")?;
        if let Some(code) = &self.code {
            write!(f, " [{code}]")?;
        }
        if !self.text.is_empty() {
            write!(f, " {}", self.text)?;
        }
        Ok(())
    }
}

impl std::error::Error for ServerError {}

/// A successful reply, shaped by the command it answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// A plain `+OK`: USER, DELE, RSET, NOOP, UTF8, `LANG tag`, QUIT.
    Ok(Text),
    /// STAT.
    Stat {
        /// Messages not marked deleted.
        count: u32,
        /// Their total size in octets.
        size: u64,
    },
    /// `LIST msg`.
    Scan(ScanListing),
    /// `LIST`.
    ScanList(Vec<ScanListing>),
    /// `UIDL msg`.
    Uid(UidListing),
    /// `UIDL`.
    UidList(Vec<UidListing>),
    /// CAPA; also cached, see [`super::Client::capabilities`].
    Capabilities(Vec<Capability>),
    /// `LANG` without argument.
    Languages(Vec<LangEntry>),
    /// A bare `AUTH`: the mechanisms the server offers.
    Mechanisms(Vec<Mechanism>),
    /// USER/PASS, APOP or AUTH succeeded: the session is in TRANSACTION.
    LoggedIn(Text),
    /// STLS was accepted: run the TLS handshake on the connection now,
    /// then call [`super::Client::tls_established`].
    TlsReady,
    /// RETR or TOP: [`ClientEvent::BodyChunk`]s and a
    /// [`ClientEvent::BodyEnd`] with the same id follow.
    BodyStart {
        /// The size the server announced, if its text starts with a number
        /// (`+OK 120 octets`); a hint for progress, not a promise.
        size_hint: Option<u64>,
        /// The text of the `+OK` line.
        text: Text,
    },
}

/// Something the caller learns from the server, from
/// [`super::Client::poll_event`], in the order it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientEvent {
    /// The greeting: always the first event. After a `-ERR` greeting the
    /// session is [`SessionState::Closed`] and queued requests are
    /// [`ClientEvent::Cancelled`].
    Greeting(Result<Greeting, ServerError>),
    /// The reply to a request.
    Reply {
        /// The request.
        id: RequestId,
        /// `+OK` and what it carried, or the `-ERR`.
        result: Result<Reply, ServerError>,
    },
    /// Part of a message body: dot-unstuffed, line endings as received.
    /// Chunks follow the input's chunking; the message is never buffered
    /// whole.
    BodyChunk {
        /// The RETR or TOP request.
        id: RequestId,
        /// The next octets of the message.
        data: Bytes,
    },
    /// The body of a RETR or TOP is complete.
    BodyEnd {
        /// The RETR or TOP request.
        id: RequestId,
    },
    /// The client abandoned an AUTH exchange (it sent `*`) because the
    /// server's side of it was wrong: a bad SCRAM signature (the server
    /// does not know the password: it may be an impostor), a malformed
    /// challenge, or more challenges than the mechanism has. The server's
    /// `-ERR` answering the cancellation is consumed. The session stays in
    /// AUTHORIZATION.
    AuthAborted {
        /// The AUTH request.
        id: RequestId,
        /// What was wrong.
        error: SaslError,
    },
    /// The request was never sent, because one it depended on failed:
    /// everything queued behind a refused STLS (so nothing meant for TLS
    /// goes out in clear), TRANSACTION commands queued behind a failed
    /// login, and everything queued before a `-ERR` greeting.
    ///
    /// Like every request's end, it comes in request order: after the
    /// reply that caused it and after the replies to requests made before
    /// it (a CAPA queued between the failed login and the cancelled STAT
    /// is answered first).
    Cancelled {
        /// The request.
        id: RequestId,
    },
}
