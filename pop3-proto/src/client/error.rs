//! The client's two kinds of failure: the caller's and the server's.

use thiserror::Error;

use super::SessionState;
use crate::parse::ResponseError;
use crate::sasl::SaslError;

/// Why a request was refused locally or input could not be accepted.
///
/// Only [`ClientError::Protocol`] comes from the server; every other
/// variant is a request the caller made that was not queued, and the
/// session goes on unharmed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ClientError {
    /// The command is not valid in this state (judged after the requests
    /// already queued, so a TRANSACTION command may follow a queued login).
    #[error("{command} is not valid in the {state:?} state")]
    WrongState {
        /// The command keyword, or the method name.
        command: &'static str,
        /// The state that refused it.
        state: SessionState,
    },
    /// APOP needs the timestamp of the greeting, and it had none.
    #[error("the greeting offered no APOP timestamp")]
    NoApopTimestamp,
    /// STLS was already issued on this connection, or TLS is in use.
    #[error("STLS was already used on this connection")]
    AlreadyTls,
    /// An argument cannot be sent as given (a password holding CR or LF
    /// could smuggle in another command).
    #[error("invalid argument: {0}")]
    InvalidArgument(&'static str),
    /// The SASL credentials cannot be used (empty password, bad nonce,
    /// token outside RFC 6750's syntax, ...).
    #[error("unusable SASL credentials: {0}")]
    Credentials(SaslError),
    /// The server broke the protocol. The session is
    /// [`SessionState::Failed`]: a byte stream that went wrong once cannot
    /// be resynchronized, so drop the connection.
    #[error("protocol error: {0}")]
    Protocol(ProtocolError),
}

/// How the server broke the protocol.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProtocolError {
    /// A line that is not the response expected here.
    #[error("bad response: {0}")]
    BadResponse(ResponseError),
    /// A line longer than [`super::ClientConfig::max_line`].
    #[error("response line longer than {max} octets")]
    LineTooLong {
        /// The limit.
        max: usize,
    },
    /// A listing with more entries than
    /// [`super::ClientConfig::max_listing_entries`].
    #[error("listing longer than {max} entries")]
    TooManyEntries {
        /// The limit.
        max: usize,
    },
    /// A CAPA, LANG or bare AUTH listing larger than
    /// [`super::ClientConfig::max_capability_octets`].
    #[error("listing larger than {max} octets")]
    ListingTooLarge {
        /// The limit.
        max: usize,
    },
    /// Bytes arrived when no reply was expected.
    #[error("data from the server when no reply was expected")]
    UnexpectedData,
    /// A SASL continuation (`+ `) outside an AUTH exchange, or after the
    /// client cancelled one.
    #[error("unexpected SASL continuation")]
    UnexpectedContinuation,
    /// The server's replies contradict each other (PASS accepted after
    /// USER was refused).
    #[error("server replies contradict each other")]
    Desynchronized,
    /// The server accepted an AUTH exchange that the client could not
    /// complete or verify, e.g. `+OK` to SCRAM without proving it knows
    /// the password: the server may be an impostor.
    #[error("authentication not verified: {0}")]
    Unverified(SaslError),
}

impl From<ResponseError> for ProtocolError {
    fn from(error: ResponseError) -> Self {
        Self::BadResponse(error)
    }
}
