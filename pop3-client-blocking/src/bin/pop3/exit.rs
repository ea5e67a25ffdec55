//! What went wrong, as an exit status a script can act on.
//!
//! | status | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | an unexpected failure not listed below |
//! | 2 | bad command line (including a bad POP URL) |
//! | 3 | network: cannot connect, timeout, connection dropped; retry later |
//! | 4 | TLS: certificate not trusted, name mismatch, handshake failure |
//! | 5 | security refusal: STLS required but not offered (downgrade), password would go in clear, server failed to prove it knows the password (SCRAM) |
//! | 6 | login refused (wrong user name or password), or no login method the server offers is usable |
//! | 7 | temporary: mailbox in use (`[IN-USE]`), `[LOGIN-DELAY]`, `[SYS/TEMP]`; retry later |
//! | 8 | the server refused a command (`-ERR`), e.g. no such message |
//! | 9 | the server broke the protocol |
//! | 10 | local failure: Maildir, state file, password source, output |

use std::fmt;
use std::process::ExitCode;

use pop3_client_blocking::Error;

/// A failure with the exit status it maps to.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) status: u8,
    pub(crate) message: String,
}

pub(crate) const OTHER: u8 = 1;
pub(crate) const USAGE: u8 = 2;
pub(crate) const NETWORK: u8 = 3;
pub(crate) const TLS: u8 = 4;
pub(crate) const SECURITY: u8 = 5;
pub(crate) const AUTH: u8 = 6;
pub(crate) const TEMPORARY: u8 = 7;
pub(crate) const REFUSED: u8 = 8;
pub(crate) const PROTOCOL: u8 = 9;
pub(crate) const LOCAL: u8 = 10;

impl Failure {
    pub(crate) fn new(status: u8, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    pub(crate) fn local(message: impl Into<String>) -> Self {
        Self::new(LOCAL, message)
    }

    /// A client error outside of login.
    pub(crate) fn pop(error: Error) -> Self {
        let status = match &error {
            e if e.is_temporary() => TEMPORARY,
            Error::Server(_) => REFUSED,
            Error::Connect { .. } | Error::Io(_) | Error::Timeout | Error::ConnectionClosed => {
                NETWORK
            }
            Error::Tls(_) | Error::TlsSetup(_) => TLS,
            Error::StlsNotOffered | Error::CleartextRefused | Error::AuthAborted(_) => SECURITY,
            Error::Protocol(_) => PROTOCOL,
            Error::Sink(_) => LOCAL,
            Error::NoMechanism => AUTH,
            _ => OTHER,
        };
        Self::new(status, error.to_string())
    }

    /// A client error while logging in: a `-ERR` then means the
    /// credentials, unless its code says the failure is temporary.
    pub(crate) fn login(error: Error) -> Self {
        match &error {
            Error::Server(e) if !e.is_temporary() => {
                Self::new(AUTH, format!("login refused: {error}"))
            }
            _ => Self::pop(error),
        }
    }

    pub(crate) fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.status)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use pop3_client_blocking::{ResponseCode, ServerError};

    use super::*;

    fn server(code: Option<ResponseCode>) -> Error {
        Error::Server(ServerError {
            code,
            text: "x".try_into().unwrap(),
        })
    }

    #[test]
    fn login_failures_are_sorted_by_code() {
        assert_eq!(
            Failure::login(server(Some(ResponseCode::Auth))).status,
            AUTH
        );
        assert_eq!(Failure::login(server(None)).status, AUTH);
        assert_eq!(
            Failure::login(server(Some(ResponseCode::InUse))).status,
            TEMPORARY
        );
        assert_eq!(
            Failure::login(server(Some(ResponseCode::SysTemp))).status,
            TEMPORARY
        );
        assert_eq!(Failure::login(Error::Timeout).status, NETWORK);
    }

    #[test]
    fn command_failures() {
        assert_eq!(Failure::pop(server(None)).status, REFUSED);
        assert_eq!(Failure::pop(Error::StlsNotOffered).status, SECURITY);
        assert_eq!(Failure::pop(Error::CleartextRefused).status, SECURITY);
        assert_eq!(Failure::pop(Error::ConnectionClosed).status, NETWORK);
    }
}
