//! The request methods: each checks the state, queues a command and
//! returns the id its reply will carry.

use super::queue::{Allowed, Expect};
use super::sasl::{SaslCredentials, SaslDriver};
use super::session::{Client, TlsState};
use super::{ClientError, RequestId, SessionState};
use crate::apop;
use crate::types::{Command, LangRequest, MessageNumber, Secret, Username};

impl Client {
    /// `CAPA` (RFC 2449): valid in every state. The reply is cached for
    /// [`Client::capabilities`] and decides [`Client::pipelining_allowed`].
    pub fn capa(&mut self) -> Result<RequestId, ClientError> {
        self.send(Command::Capa)
    }

    /// `STLS` (RFC 2595). On [`super::Reply::TlsReady`] run the handshake
    /// and call [`Client::tls_established`]; requests queued meanwhile go
    /// out over TLS, and are cancelled if the server refuses STLS.
    pub fn stls(&mut self) -> Result<RequestId, ClientError> {
        self.send(Command::Stls)
    }

    /// `USER` then `PASS`, as one request answered by
    /// [`super::Reply::LoggedIn`]. If USER is refused, that `-ERR` is the
    /// reply and PASS is not sent (or, when it was pipelined, its reply is
    /// dropped). The password is sent in clear: use TLS.
    pub fn user_pass(&mut self, user: Username, password: &[u8]) -> Result<RequestId, ClientError> {
        self.check("USER", Allowed::Authorization)?;
        let password = check_password(password)?;
        let expect = Expect::User {
            password: Some(password),
        };
        Ok(self.enqueue(Command::User(user), expect))
    }

    /// `APOP user digest` (RFC 1939 section 7), the digest computed from
    /// the greeting's timestamp and `secret`. Needs the greeting first.
    pub fn apop(&mut self, user: Username, secret: &[u8]) -> Result<RequestId, ClientError> {
        self.check("APOP", Allowed::Authorization)?;
        let Some(timestamp) = &self.apop_timestamp else {
            return Err(match self.state {
                SessionState::Greeting => ClientError::WrongState {
                    command: "APOP",
                    state: self.state,
                },
                _ => ClientError::NoApopTimestamp,
            });
        };
        let digest = apop::digest(timestamp.as_bytes(), secret);
        Ok(self.enqueue(Command::Apop { name: user, digest }, Expect::Login))
    }

    /// `AUTH mechanism` (RFC 5034) with these credentials; the exchange
    /// runs inside the client and ends in [`super::Reply::LoggedIn`], a
    /// `-ERR`, or [`super::ClientEvent::AuthAborted`].
    pub fn authenticate(&mut self, credentials: SaslCredentials) -> Result<RequestId, ClientError> {
        self.check("AUTH", Allowed::Authorization)?;
        let (driver, start) = SaslDriver::start(credentials, self.config.sasl_initial_response)
            .map_err(ClientError::Credentials)?;
        Ok(self.enqueue(Command::Auth(Some(start)), Expect::Auth(Box::new(driver))))
    }

    /// A bare `AUTH`: the older way to list SASL mechanisms.
    pub fn auth_list(&mut self) -> Result<RequestId, ClientError> {
        self.send(Command::Auth(None))
    }

    /// `UTF8` (RFC 6856): AUTHORIZATION only.
    pub fn utf8(&mut self) -> Result<RequestId, ClientError> {
        self.send(Command::Utf8)
    }

    /// `LANG` (RFC 6856): with `None`, list the languages.
    pub fn lang(&mut self, request: Option<LangRequest>) -> Result<RequestId, ClientError> {
        self.send(Command::Lang(request))
    }

    /// `STAT`.
    pub fn stat(&mut self) -> Result<RequestId, ClientError> {
        self.send(Command::Stat)
    }

    /// `LIST` or `LIST msg`.
    pub fn list(&mut self, msg: Option<MessageNumber>) -> Result<RequestId, ClientError> {
        self.send(Command::List(msg))
    }

    /// `UIDL` or `UIDL msg`.
    pub fn uidl(&mut self, msg: Option<MessageNumber>) -> Result<RequestId, ClientError> {
        self.send(Command::Uidl(msg))
    }

    /// `RETR msg`: the body arrives in [`super::ClientEvent::BodyChunk`]s.
    pub fn retr(&mut self, msg: MessageNumber) -> Result<RequestId, ClientError> {
        self.send(Command::Retr(msg))
    }

    /// `TOP msg lines`: the headers and the first `lines` body lines.
    pub fn top(&mut self, msg: MessageNumber, lines: u32) -> Result<RequestId, ClientError> {
        self.send(Command::Top { msg, lines })
    }

    /// `DELE msg`.
    pub fn dele(&mut self, msg: MessageNumber) -> Result<RequestId, ClientError> {
        self.send(Command::Dele(msg))
    }

    /// `RSET`.
    pub fn rset(&mut self) -> Result<RequestId, ClientError> {
        self.send(Command::Rset)
    }

    /// `NOOP`.
    pub fn noop(&mut self) -> Result<RequestId, ClientError> {
        self.send(Command::Noop)
    }

    /// `QUIT`: from TRANSACTION the server commits deletions (UPDATE).
    /// Nothing can be queued after it.
    pub fn quit(&mut self) -> Result<RequestId, ClientError> {
        self.send(Command::Quit)
    }

    /// Queues any command, read as the typed methods read it (`PASS` and
    /// `APOP` log in, `STLS` waits for TLS, ...). AUTH with a mechanism
    /// needs credentials to answer challenges: use
    /// [`Client::authenticate`].
    pub fn send(&mut self, command: Command) -> Result<RequestId, ClientError> {
        self.check(command.keyword(), Allowed::of(&command))?;
        let expect = match &command {
            Command::User(_)
            | Command::Utf8
            | Command::Lang(Some(_))
            | Command::Dele(_)
            | Command::Noop
            | Command::Rset => Expect::Simple,
            Command::Pass(password) => {
                check_password(password.expose_secret())?;
                Expect::Login
            }
            Command::Apop { .. } => Expect::Login,
            Command::Auth(None) => Expect::Mechanisms,
            Command::Auth(Some(_)) => {
                return Err(ClientError::InvalidArgument(
                    "AUTH with a mechanism goes through authenticate()",
                ));
            }
            Command::Capa => Expect::Capabilities,
            Command::Stls if self.tls != TlsState::None => return Err(ClientError::AlreadyTls),
            Command::Stls => Expect::Stls,
            Command::Lang(None) => Expect::Languages,
            Command::Stat => Expect::Stat,
            Command::List(None) => Expect::ScanList,
            Command::List(Some(_)) => Expect::Scan,
            Command::Uidl(None) => Expect::UidList,
            Command::Uidl(Some(_)) => Expect::Uid,
            Command::Retr(_) | Command::Top { .. } => Expect::Body,
            Command::Quit => Expect::Quit,
        };
        Ok(self.enqueue(command, expect))
    }

    /// Refuses a command the session cannot take, judged after what is
    /// already queued: TRANSACTION commands are fine behind a pending
    /// login, nothing is fine after QUIT.
    fn check(&self, command: &'static str, allowed: Allowed) -> Result<(), ClientError> {
        let state = match self.state {
            SessionState::Failed => SessionState::Failed,
            _ if self.quit_queued => SessionState::Closed,
            state => state,
        };
        let ok = match (state, allowed) {
            (SessionState::Closed | SessionState::Failed, _) => false,
            (_, Allowed::Any) => true,
            (SessionState::Greeting | SessionState::Authorization, Allowed::Authorization) => true,
            (SessionState::Transaction, Allowed::Transaction) => true,
            (_, Allowed::Transaction) => self.logins_pending > 0,
            (SessionState::Transaction, Allowed::Authorization) => false,
        };
        if ok {
            Ok(())
        } else {
            Err(ClientError::WrongState { command, state })
        }
    }
}

/// A password PASS can carry: CR or LF would end the line early and let
/// the rest pass for another command.
fn check_password(password: &[u8]) -> Result<Secret<Vec<u8>>, ClientError> {
    if password.is_empty() || password.iter().any(|b| matches!(b, b'\r' | b'\n' | b'\0')) {
        return Err(ClientError::InvalidArgument(
            "a password must be non-empty, without CR, LF or NUL",
        ));
    }
    Ok(Secret::new(password.to_vec()))
}
