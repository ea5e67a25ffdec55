//! One error type for every way a session can fail, shaped so a caller
//! can tell "try again later" from "wrong password" from "broken server".

use std::io;

use pop3_proto::ResponseCode;
use pop3_proto::client::{ClientError, ProtocolError, ServerError};
use pop3_proto::sasl::SaslError;
use thiserror::Error;

/// Why a call on a [`crate::Client`] failed.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// Resolving or connecting to the server failed.
    #[error("cannot connect to {host}:{port}: {source}")]
    Connect {
        /// The host as given.
        host: String,
        /// The port.
        port: u16,
        /// What went wrong.
        #[source]
        source: io::Error,
    },
    /// Reading from or writing to the connection failed.
    #[error("network error: {0}")]
    Io(#[source] io::Error),
    /// The server did not answer (or accept data) within the timeout.
    #[error("timed out waiting for the server")]
    Timeout,
    /// The server closed the connection before answering.
    #[error("the server closed the connection")]
    ConnectionClosed,
    /// The TLS handshake or a TLS record failed: an invalid or untrusted
    /// certificate, a name mismatch, a protocol alert.
    #[error("TLS error: {0}")]
    Tls(#[source] rustls::Error),
    /// TLS could not be set up locally: no trust roots, an unreadable CA
    /// file, a host name that cannot be a TLS server name.
    #[error("TLS setup: {0}")]
    TlsSetup(String),
    /// The server answered `-ERR`. Its response code and text are kept:
    /// see [`Error::is_temporary`] and [`Error::is_auth_failure`].
    #[error("server: {0}")]
    Server(ServerError),
    /// The server broke the protocol; the connection is unusable.
    #[error("the server broke the protocol: {0}")]
    Protocol(ProtocolError),
    /// The request could not be sent as asked (wrong state, bad argument).
    #[error("request refused locally: {0}")]
    Request(ClientError),
    /// An argument cannot be used (user name with control characters,
    /// message number 0, ...).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// STLS was required but the server does not offer it. On a network
    /// that strips STLS from CAPA this is a downgrade attack.
    #[error("the server does not offer STLS, and TLS is required (possible downgrade attack)")]
    StlsNotOffered,
    /// A password would have gone over an unencrypted connection.
    #[error(
        "refusing to send a password in clear over an unencrypted connection; use TLS or allow cleartext"
    )]
    CleartextRefused,
    /// The server offers no login method this client can use with the
    /// credentials and policy given.
    #[error("the server offers no usable login method")]
    NoMechanism,
    /// The client abandoned an AUTH exchange because the server's side of
    /// it was wrong (a bad SCRAM signature: the server does not know the
    /// password and may be an impostor).
    #[error("authentication abandoned: {0}")]
    AuthAborted(SaslError),
    /// The request was not sent because an earlier one it depended on
    /// failed.
    #[error("request cancelled because an earlier request failed")]
    Cancelled,
    /// Writing a message to the caller's sink failed. The connection was
    /// abandoned mid-message; connect again.
    #[error("writing the message failed: {0}")]
    Sink(#[source] io::Error),
    /// An earlier error left the connection unusable.
    #[error("the connection was abandoned after an earlier error")]
    Abandoned,
}

impl Error {
    /// The server's `-ERR`, if that is what this is.
    pub fn server_error(&self) -> Option<&ServerError> {
        match self {
            Self::Server(e) => Some(e),
            _ => None,
        }
    }

    /// The server's response code (`[IN-USE]`, `[AUTH]`, ...), if any.
    pub fn response_code(&self) -> Option<&ResponseCode> {
        self.server_error().and_then(|e| e.code.as_ref())
    }

    /// `[IN-USE]`, `[LOGIN-DELAY]` or `[SYS/TEMP]`: keep the credentials
    /// and try again later.
    pub fn is_temporary(&self) -> bool {
        self.server_error().is_some_and(ServerError::is_temporary)
    }

    /// The server refused the credentials (`[AUTH]`, RFC 3206).
    pub fn is_auth_failure(&self) -> bool {
        self.server_error().is_some_and(ServerError::is_auth)
    }

    /// A failure of the network rather than of the server's answers:
    /// worth retrying as is.
    pub fn is_network(&self) -> bool {
        matches!(
            self,
            Self::Connect { .. } | Self::Io(_) | Self::Timeout | Self::ConnectionClosed
        )
    }
}

impl From<ClientError> for Error {
    fn from(error: ClientError) -> Self {
        match error {
            ClientError::Protocol(e) => Self::Protocol(e),
            other => Self::Request(other),
        }
    }
}

impl From<ServerError> for Error {
    fn from(error: ServerError) -> Self {
        Self::Server(error)
    }
}

/// Sorts an I/O error from the connection: timeouts, TLS failures and
/// end of stream each get their own variant.
pub(crate) fn from_io(error: io::Error) -> Error {
    match error.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => return Error::Timeout,
        io::ErrorKind::UnexpectedEof
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe => return Error::ConnectionClosed,
        _ => {}
    }
    if error
        .get_ref()
        .is_some_and(|inner| inner.is::<rustls::Error>())
    {
        if let Some(Ok(tls)) = error.into_inner().map(|e| e.downcast::<rustls::Error>()) {
            return Error::Tls(*tls);
        }
        return Error::TlsSetup("TLS failure".into());
    }
    Error::Io(error)
}

/// A `Result` with this crate's [`enum@Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
