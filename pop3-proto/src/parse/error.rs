use thiserror::Error;

/// Why a command line was refused. The `Display` text is what the server
/// puts after `-ERR`, so it is short and says what to fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum CommandError {
    /// The line is empty.
    #[error("Empty command line")]
    Empty,
    /// The keyword is not a command this implementation knows.
    #[error("Unknown command")]
    Unknown,
    /// A required argument is missing.
    #[error("Missing argument")]
    MissingArgument,
    /// The command takes fewer arguments than were given.
    #[error("Too many arguments")]
    TooManyArguments,
    /// Arguments are not separated by exactly one space.
    #[error("Arguments must be separated by one space")]
    BadSpacing,
    /// A message number is 0, negative, too large or not a number.
    #[error("Invalid message number")]
    InvalidMessageNumber,
    /// A line count (TOP) is not a non-negative number.
    #[error("Invalid number of lines")]
    InvalidLineCount,
    /// The user name is empty, too long or holds control characters.
    #[error("Invalid user name")]
    InvalidUsername,
    /// The APOP digest is not 32 hexadecimal digits.
    #[error("Invalid APOP digest")]
    InvalidDigest,
    /// The SASL mechanism name is malformed.
    #[error("Invalid SASL mechanism name")]
    InvalidMechanism,
    /// SASL data is not valid base64 (RFC 5034 requires strict decoding).
    #[error("Invalid base64 data")]
    InvalidBase64,
    /// The language tag is malformed.
    #[error("Invalid language tag")]
    InvalidLanguage,
    /// The line holds NUL, a bare CR, a tab or another control character.
    #[error("Command line contains a forbidden character")]
    ForbiddenCharacter,
    /// The line is longer than the server accepts.
    #[error("Command line too long")]
    LineTooLong,
}

/// Why a server response could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ResponseError {
    /// The line does not start with `+OK` or `-ERR` (or `+ ` where a SASL
    /// continuation is allowed).
    #[error("response does not start with +OK or -ERR")]
    BadStatus,
    /// A `+OK` line lacks the numbers the command calls for.
    #[error("malformed response line")]
    Malformed,
    /// A listing line is malformed.
    #[error("malformed listing line")]
    BadListingLine,
    /// A SASL continuation is not valid base64.
    #[error("SASL challenge is not valid base64")]
    BadContinuation,
    /// A line is longer than the client accepts.
    #[error("response line too long")]
    LineTooLong,
}
