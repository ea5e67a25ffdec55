use thiserror::Error;

use crate::types::ValueError;

/// Why a SASL message was refused or an exchange failed.
///
/// The variants say what went wrong for logs and tests; a server should
/// answer every one of them with the same `-ERR`, so a client learns
/// nothing about which check failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SaslError {
    /// The line is not canonical padded base64 (RFC 5034 section 4).
    #[error("invalid base64")]
    InvalidBase64,
    /// The message is longer than [`super::MAX_MESSAGE_LEN`].
    #[error("SASL message too long")]
    TooLong,
    /// The message does not follow the mechanism's grammar.
    #[error("malformed SASL message: {0}")]
    Malformed(&'static str),
    /// A user or authorization name is not a valid [`crate::Username`].
    #[error("invalid user name: {0}")]
    InvalidUsername(ValueError),
    /// The password is empty, too long or holds a NUL.
    #[error("invalid password")]
    InvalidPassword,
    /// The bearer token is missing, not `Bearer`, or not RFC 6750 syntax.
    #[error("invalid bearer token")]
    InvalidToken,
    /// The client asked for channel binding (`p=`), which is not offered.
    #[error("channel binding is not supported")]
    UnsupportedChannelBinding,
    /// A SCRAM message starts with a mandatory extension (`m=`).
    #[error("unsupported mandatory SCRAM extension")]
    UnsupportedExtension,
    /// A SCRAM nonce does not continue the nonce sent before, or is not
    /// printable ASCII.
    #[error("SCRAM nonce mismatch")]
    NonceMismatch,
    /// The SCRAM channel binding (`c=`) does not match the GS2 header.
    #[error("SCRAM channel binding mismatch")]
    ChannelBindingMismatch,
    /// A SCRAM iteration count is zero, badly written or above
    /// [`super::scram::MAX_ITERATIONS`].
    #[error("SCRAM iteration count out of range")]
    IterationCount,
    /// The SCRAM client proof is wrong: wrong password or unknown user.
    #[error("SCRAM client proof is wrong")]
    WrongProof,
    /// The SCRAM server signature is wrong: the server does not know the
    /// password, so it may be an impostor.
    #[error("SCRAM server signature is wrong")]
    WrongServerSignature,
    /// The SCRAM server ended the exchange with `e=` and this value.
    #[error("SCRAM server error: {0}")]
    ServerError(String),
}
