use thiserror::Error;

use crate::types::{ApopDigest, Mechanism, MessageNumber, Secret, Uid, Username};

/// Something the application must act on, from [`super::Server::poll_event`].
///
/// Requests are values the application hands back with its answer; the
/// core does not read more commands until the answer arrives, so pipelined
/// commands are still answered in order.
#[derive(Debug)]
#[must_use]
pub enum Event {
    /// Check credentials and, if good, open and lock the maildrop; answer
    /// with `accept_login` or `reject_login`.
    Login(LoginRequest),
    /// Look up SCRAM-SHA-256 secrets for a user; answer with
    /// `scram_secrets`.
    ScramLookup(ScramLookup),
    /// Open a message; answer with `retrieve_start` (then stream it with
    /// `body_data`/`body_end`) or `retrieve_failed`.
    Retrieve(RetrieveRequest),
    /// Flush all output, run the TLS handshake, then call `tls_established`.
    StartTls,
    /// UPDATE state: remove the listed messages; answer with `commit_done`.
    Commit(CommitRequest),
    /// The session is over: flush what `poll_transmit` still returns, then
    /// close the connection and release the maildrop.
    Closed(CloseReason),
}

/// How the client proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// A password to verify (USER/PASS, PLAIN, LOGIN).
    Password(Secret<Vec<u8>>),
    /// APOP: verify with [`LoginRequest::verify_shared_secret`].
    Apop {
        /// The greeting timestamp the digest covers.
        timestamp: String,
        /// The client's digest.
        digest: ApopDigest,
    },
    /// CRAM-MD5: verify with [`LoginRequest::verify_shared_secret`].
    CramMd5 {
        /// The challenge the digest covers.
        challenge: String,
        /// The client's HMAC-MD5 digest.
        digest: [u8; 16],
    },
    /// An OAuth 2.0 bearer token (OAUTHBEARER or XOAUTH2) to verify.
    BearerToken(Secret<String>),
    /// Already proven by the SASL exchange itself (SCRAM-SHA-256): only the
    /// maildrop remains to be opened.
    Verified,
    /// The SASL exchange itself disproved the client (a wrong SCRAM proof,
    /// or an unknown user), or the client gave up on it after its user was
    /// looked up (`*`, or a final message that is none): the login must be
    /// rejected. It still reaches the application so that every failure is
    /// logged and throttled alike.
    ScramFailed,
}

/// How a login was attempted, for logs and per-user policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginMethod {
    /// USER and PASS.
    UserPass,
    /// APOP.
    Apop,
    /// AUTH with this mechanism.
    Sasl(Mechanism),
}

/// A login attempt waiting for the application's verdict.
#[derive(Debug)]
#[must_use = "answer with Server::accept_login or Server::reject_login"]
pub struct LoginRequest {
    pub(crate) id: u64,
    pub(crate) username: Username,
    pub(crate) authzid: Option<Username>,
    pub(crate) method: LoginMethod,
    pub(crate) credentials: Credentials,
    pub(crate) utf8: bool,
}

impl LoginRequest {
    /// The user whose credentials were given.
    pub fn username(&self) -> &Username {
        &self.username
    }

    /// The identity to act as, if the client asked for one different from
    /// the user it authenticated as (PLAIN, SCRAM and OAUTHBEARER allow
    /// this); the application decides whether that is allowed.
    pub fn authzid(&self) -> Option<&Username> {
        self.authzid.as_ref()
    }

    /// How the login was attempted.
    pub fn method(&self) -> &LoginMethod {
        &self.method
    }

    /// The credentials to verify.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// Whether the client issued UTF8 before this login (RFC 6856): if
    /// not, and the maildrop holds UTF-8 headers the application cannot
    /// downgrade, refuse with [`LoginError::Utf8Required`].
    pub fn utf8_enabled(&self) -> bool {
        self.utf8
    }

    /// For APOP and CRAM-MD5: whether the client's digest matches the
    /// user's plaintext-equivalent `secret`, compared in constant time.
    /// `None` for other credentials.
    pub fn verify_shared_secret(&self, secret: &[u8]) -> Option<bool> {
        match &self.credentials {
            Credentials::Apop { timestamp, digest } => {
                Some(crate::apop::verify(timestamp.as_bytes(), secret, digest))
            }
            Credentials::CramMd5 { challenge, digest } => Some(
                crate::sasl::cram_md5::CramResponse {
                    username: self.username.clone(),
                    digest: *digest,
                }
                .verify(challenge.as_bytes(), secret),
            ),
            _ => None,
        }
    }
}

/// Why a login was refused; decides the response code sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginError {
    /// Wrong user or credentials: `-ERR [AUTH]`.
    BadCredentials,
    /// The maildrop is locked by another session: `-ERR [IN-USE]`.
    InUse,
    /// Too soon since the last login: `-ERR [LOGIN-DELAY]`.
    LoginDelay,
    /// The maildrop needs UTF-8 mode: `-ERR [UTF8]` (RFC 6856).
    Utf8Required,
    /// A temporary failure (storage down, ...): `-ERR [SYS/TEMP]`.
    Temporary,
    /// A permanent failure (account disabled, ...): `-ERR [SYS/PERM]`.
    Permanent,
}

/// A SCRAM-SHA-256 exchange waiting for the user's stored secrets.
#[derive(Debug)]
#[must_use = "answer with Server::scram_secrets"]
pub struct ScramLookup {
    pub(crate) id: u64,
    pub(crate) username: Username,
}

impl ScramLookup {
    /// The user to look up.
    pub fn username(&self) -> &Username {
        &self.username
    }
}

/// A RETR or TOP waiting for the application to open the message.
#[derive(Debug)]
#[must_use = "answer with Server::retrieve_start or Server::retrieve_failed"]
pub struct RetrieveRequest {
    pub(crate) id: u64,
    pub(crate) number: MessageNumber,
    pub(crate) uid: Uid,
    pub(crate) size: u64,
    pub(crate) top_lines: Option<u32>,
}

impl RetrieveRequest {
    /// The message number the client asked for.
    pub fn number(&self) -> MessageNumber {
        self.number
    }

    /// The message's position in the snapshot given at login (0-based).
    pub fn index(&self) -> usize {
        self.number.index()
    }

    /// The message's unique-id, as in the snapshot.
    pub fn uid(&self) -> &Uid {
        &self.uid
    }

    /// The message's size as listed.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// For TOP, the body lines asked for; `None` for RETR.
    pub fn top_lines(&self) -> Option<u32> {
        self.top_lines
    }
}

/// Why a message could not be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetrieveError {
    /// It was removed by another program during the session.
    Gone,
    /// A temporary storage failure: `-ERR [SYS/TEMP]`.
    Temporary,
    /// A permanent storage failure: `-ERR [SYS/PERM]`.
    Permanent,
}

/// What streaming a body wants now, from [`super::Server::body_demand`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyDemand {
    /// No body is being sent.
    Idle,
    /// Send more with `body_data`, or `body_end` at the end of the message.
    Wanted,
    /// The output buffer is full: write out `poll_transmit` first.
    Blocked,
    /// TOP has all the lines it needs: call `body_end` now.
    Complete,
}

/// One message to remove in the UPDATE state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deletion {
    /// Its message number in this session.
    pub number: MessageNumber,
    /// Its unique-id.
    pub uid: Uid,
}

/// The UPDATE state: the messages marked deleted, to remove now.
#[derive(Debug)]
#[must_use = "answer with Server::commit_done"]
pub struct CommitRequest {
    pub(crate) id: u64,
    pub(crate) deletions: Vec<Deletion>,
}

impl CommitRequest {
    /// The messages to remove, in message-number order.
    pub fn deletions(&self) -> &[Deletion] {
        &self.deletions
    }
}

/// How the UPDATE state went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitOutcome {
    /// Every listed message was removed.
    Done,
    /// Some could not be removed; they remain. `removed` counts the rest.
    /// `-ERR [SYS/TEMP]` (RFC 2449 section 8.1.2).
    Partial {
        /// Messages that were removed.
        removed: u32,
    },
    /// Nothing could be removed: `-ERR [SYS/TEMP]`.
    Failed,
}

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// QUIT, in either state.
    Quit,
    /// The autologout timer expired.
    Timeout,
    /// The session did not log in within the login timeout.
    LoginTimeout,
    /// Too many refused commands.
    TooManyBadCommands,
    /// Too many failed logins.
    TooManyLoginFailures,
    /// The application aborted a message part-way (`body_abort`).
    StorageError,
}

/// The application called an answer that does not fit the session's
/// state: a stale request, or a call out of order. The request, if any,
/// is handed back.
#[derive(Debug, Error)]
#[error("{reason}")]
pub struct Misuse<T> {
    /// What was wrong.
    pub reason: &'static str,
    /// The value that was passed in.
    pub value: Box<T>,
}

/// Counters for the session-end log line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionStats {
    /// RETR and TOP answered with a body.
    pub retrieved_messages: u32,
    /// Octets of message data sent (wire form, before dot-stuffing).
    pub retrieved_octets: u64,
    /// Messages the application reported removed in UPDATE.
    pub deleted_messages: u32,
    /// Commands refused for syntax or state.
    pub bad_commands: u32,
    /// Logins refused.
    pub failed_logins: u32,
    /// RETR bodies whose octet count differed from the listed size; a
    /// non-zero value is a storage bug worth logging.
    pub size_mismatches: u32,
}
