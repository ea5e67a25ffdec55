use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;

use bytes::{Buf, Bytes, BytesMut};
use memchr::memchr;

use super::config::{ConnectionParams, ServerConfig, TlsMode};
use super::events::{CloseReason, Event, SessionStats};
use super::maildrop::Mailbox;
use super::output::Producer;
use super::sasl::SaslExchange;
use crate::parse::{CommandError, LineEnd, next_line};
use crate::types::Username;

/// One POP3 server session, from greeting to close. See the module docs
/// for the loop that drives it.
#[derive(Debug)]
pub struct Server {
    pub(super) config: Arc<ServerConfig>,
    pub(super) params: ConnectionParams,
    pub(super) tls_active: bool,
    pub(super) utf8: bool,
    pub(super) phase: Phase,
    pub(super) waiting: Waiting,
    pub(super) producer: Producer,
    pub(super) input: BytesMut,
    pub(super) discarding_long_line: bool,
    pub(super) out: BytesMut,
    pub(super) events: VecDeque<Event>,
    pub(super) next_id: u64,
    /// The autologout deadline; `None` when the configured time reaches
    /// past what `Instant` can hold, which means never.
    pub(super) deadline: Option<Instant>,
    /// When the session must have left AUTHORIZATION, however active.
    pub(super) login_deadline: Option<Instant>,
    /// When input last arrived: a complete command restarts the
    /// autologout clock from here.
    pub(super) last_input: Instant,
    pub(super) stats: SessionStats,
    pub(super) username: Option<Username>,
}

/// Where the session is in RFC 1939's state machine.
#[derive(Debug)]
pub(super) enum Phase {
    /// Not logged in; `user` is set after a USER command, `sasl` during AUTH.
    Authorization {
        user: Option<Username>,
        sasl: Option<SaslExchange>,
    },
    /// Logged in with the maildrop snapshot.
    Transaction(Box<Mailbox>),
    /// QUIT was received; the commit is under way. `remaining` counts
    /// the messages not marked deleted, for the sign-off line.
    Update { remaining: u32 },
    /// Nothing more will be read or produced.
    Closed,
}

/// What the core waits for from the application before reading on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Waiting {
    Nothing,
    /// `token` is set for bearer-token logins, whose failure takes an
    /// extra error challenge.
    Login {
        id: u64,
        token: Option<TokenMechanism>,
    },
    Scram {
        id: u64,
    },
    Retrieve {
        id: u64,
    },
    Commit {
        id: u64,
    },
    Tls,
}

/// The bearer-token mechanisms, which fail with an error challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TokenMechanism {
    OAuthBearer,
    XOAuth2,
}

impl Server {
    /// Starts a session and queues its greeting.
    pub fn new(config: Arc<ServerConfig>, params: ConnectionParams, now: Instant) -> Self {
        let tls_active = params.tls == TlsMode::Implicit;
        let deadline = now.checked_add(config.autologout);
        let login_deadline = config.login_timeout.and_then(|t| now.checked_add(t));
        let mut server = Self {
            config,
            params,
            tls_active,
            utf8: false,
            phase: Phase::Authorization {
                user: None,
                sasl: None,
            },
            waiting: Waiting::Nothing,
            producer: Producer::Idle,
            input: BytesMut::new(),
            discarding_long_line: false,
            out: BytesMut::new(),
            events: VecDeque::new(),
            next_id: 0,
            deadline,
            login_deadline,
            last_input: now,
            stats: SessionStats::default(),
            username: None,
        };
        server.greet();
        server
    }

    /// Feeds bytes received from the peer, in any chunking.
    ///
    /// Bytes that arrive while a STLS handshake is pending, or after the
    /// session closed, are discarded: nothing sent in clear before TLS is
    /// ever acted on (RFC 2595 section 4, CVE-2011-0411).
    pub fn handle_input(&mut self, now: Instant, data: &[u8]) {
        if data.is_empty() || self.is_closed() || self.waiting == Waiting::Tls {
            return;
        }
        // Only complete commands count as activity (RFC 1939: "receipt of
        // a command"), so a peer trickling bytes that never end a line
        // cannot hold the session open.
        self.last_input = now;
        let data = if self.discarding_long_line {
            match memchr(b'\n', data) {
                Some(lf) => {
                    self.discarding_long_line = false;
                    data.get(lf + 1..).unwrap_or_default()
                }
                None => return,
            }
        } else {
            data
        };
        self.input.extend_from_slice(data);
        self.advance();
    }

    /// Whether the adapter should read more from the peer now. False while
    /// events wait for the application (taking output can let the core
    /// read on into pipelined commands and raise more), while a full
    /// line's worth of input waits unprocessed, during a STLS handshake,
    /// and after close.
    pub fn wants_input(&self) -> bool {
        !self.is_closed()
            && self.events.is_empty()
            && self.waiting != Waiting::Tls
            && self.input.len() < self.config.max_sasl_line
    }

    /// The next event for the application, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Bytes to send to the peer, if any. Call until it returns `None`;
    /// each call may produce more of a long listing.
    pub fn poll_transmit(&mut self, now: Instant) -> Option<Bytes> {
        self.fill_output();
        self.advance();
        self.fill_output();
        if self.out.is_empty() {
            return None;
        }
        if !self.is_closed() {
            self.deadline = self.autologout_from(now);
        }
        Some(self.out.split().freeze())
    }

    /// When [`Server::handle_timeout`] should next be called, if ever.
    /// There is no deadline in the UPDATE state (a commit is never cut
    /// short) or after close.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match (self.idle_deadline(), self.pending_login_deadline()) {
            (Some(idle), Some(login)) => Some(idle.min(login)),
            (idle, login) => idle.or(login),
        }
    }

    /// The autologout deadline, while it applies.
    fn idle_deadline(&self) -> Option<Instant> {
        match (&self.phase, self.waiting) {
            (Phase::Closed | Phase::Update { .. }, _) | (_, Waiting::Commit { .. }) => None,
            _ => self.deadline,
        }
    }

    /// The login deadline, while it applies: in AUTHORIZATION, and not
    /// while the application decides on a login or looks up a user (its
    /// answer is let through; the deadline fires right after).
    fn pending_login_deadline(&self) -> Option<Instant> {
        match (&self.phase, self.waiting) {
            (Phase::Authorization { .. }, Waiting::Nothing) => self.login_deadline,
            _ => None,
        }
    }

    /// The autologout deadline for activity at `moment`.
    pub(super) fn autologout_from(&self, moment: Instant) -> Option<Instant> {
        moment.checked_add(self.config.autologout)
    }

    /// Closes the session if the autologout deadline has passed: RFC 1939's
    /// autologout, which does not enter UPDATE, so nothing is deleted.
    /// A session still in AUTHORIZATION at its login deadline
    /// ([`ServerConfig::login_timeout`](super::ServerConfig::login_timeout))
    /// is closed the same way, however active it was.
    pub fn handle_timeout(&mut self, now: Instant) {
        let passed = |deadline: Option<Instant>| deadline.is_some_and(|d| now >= d);
        if passed(self.idle_deadline()) {
            // Checked first: a session that is also idle is closed for
            // that, the reason operators know.
            self.reply_err(None, "Autologout; idle for too long");
            self.close(CloseReason::Timeout);
        } else if passed(self.pending_login_deadline()) {
            self.reply_err(None, "Too long without logging in");
            self.close(CloseReason::LoginTimeout);
        }
    }

    /// Whether the session has ended.
    pub fn is_closed(&self) -> bool {
        matches!(self.phase, Phase::Closed)
    }

    /// Whether the connection is encrypted (implicit TLS or after STLS).
    pub fn is_tls(&self) -> bool {
        self.tls_active
    }

    /// Whether the client has turned on UTF-8 mode with the UTF8 command
    /// (RFC 6856 section 2). Until it does, the application must not hand
    /// out UTF-8 headers it cannot downgrade: it may refuse the login with
    /// [`super::LoginError::Utf8Required`] instead ([`super::LoginRequest`]
    /// carries the same flag). The mode lasts for the session, except that
    /// STLS turns it off again with the rest of what was said before TLS.
    pub fn utf8_enabled(&self) -> bool {
        self.utf8
    }

    /// The logged-in user, once TRANSACTION is reached.
    pub fn username(&self) -> Option<&Username> {
        self.username.as_ref()
    }

    /// Counters for logging.
    pub fn stats(&self) -> &SessionStats {
        &self.stats
    }

    /// Whether the core can take the next command now.
    fn ready_for_command(&self) -> bool {
        !self.is_closed()
            && self.waiting == Waiting::Nothing
            && self.producer.is_idle()
            && self.out.len() < self.config.output_high_water
    }

    /// Reads and runs buffered command lines for as long as nothing blocks.
    pub(super) fn advance(&mut self) {
        while self.ready_for_command() {
            match next_line(&self.input, self.config.max_sasl_line) {
                LineEnd::Complete { content, total } => {
                    self.deadline = self.autologout_from(self.last_input);
                    let line = self.input.split_to(total);
                    let line = line.get(..content).unwrap_or_default();
                    let is_auth = line
                        .get(..4)
                        .is_some_and(|k| k.eq_ignore_ascii_case(b"AUTH"));
                    if total > self.config.max_command_line && !self.in_sasl() && !is_auth {
                        self.bad_command(CommandError::LineTooLong);
                    } else {
                        self.execute_line(line);
                    }
                }
                LineEnd::Incomplete => break,
                LineEnd::TooLong => {
                    let lf = memchr(b'\n', &self.input);
                    match lf {
                        Some(lf) => {
                            self.deadline = self.autologout_from(self.last_input);
                            self.input.advance(lf + 1);
                        }
                        None => {
                            self.input.clear();
                            self.discarding_long_line = true;
                        }
                    }
                    if !self.abandon_sasl() {
                        self.bad_command(CommandError::LineTooLong);
                    }
                }
            }
        }
        if self.is_closed() {
            self.input.clear();
        }
    }

    fn in_sasl(&self) -> bool {
        matches!(self.phase, Phase::Authorization { sasl: Some(_), .. })
    }

    /// Refuses a malformed command.
    pub(super) fn bad_command(&mut self, error: CommandError) {
        self.refuse(&error.to_string());
    }

    /// Answers `-ERR text` to a command that breaks the protocol (bad
    /// syntax, wrong state) and closes the session past the limit.
    pub(super) fn refuse(&mut self, text: &str) {
        self.stats.bad_commands += 1;
        if self.stats.bad_commands > self.config.max_bad_commands {
            self.reply_err(None, "Too many bad commands; closing connection");
            self.close(CloseReason::TooManyBadCommands);
        } else {
            self.reply_err(None, text);
        }
    }

    /// Ends the session: no more input is read, the application is told.
    pub(super) fn close(&mut self, reason: CloseReason) {
        if self.is_closed() {
            return;
        }
        self.phase = Phase::Closed;
        self.waiting = Waiting::Nothing;
        self.producer = Producer::Idle;
        self.input.clear();
        self.events.push_back(Event::Closed(reason));
    }

    /// A fresh id for a request handed to the application.
    pub(super) fn next_request_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Whether cleartext credentials may be used on this connection now.
    pub(super) fn cleartext_allowed(&self) -> bool {
        self.tls_active || self.params.cleartext_without_tls
    }

    /// The APOP timestamp, when APOP is offered.
    pub(super) fn apop_timestamp(&self) -> Option<&str> {
        self.params
            .apop_timestamp
            .as_deref()
            .filter(|_| self.config.apop)
    }
}
