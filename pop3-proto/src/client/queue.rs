//! Requests waiting to be sent, and requests waiting for their replies.

use super::reader::Reading;
use super::sasl::SaslDriver;
use super::session::{Client, TlsState};
use super::{ClientEvent, RequestId, SessionState};
use crate::encode;
use crate::types::{Command, Secret};

/// How to read the reply to a command, and what it leads to.
#[derive(Debug)]
pub(super) enum Expect {
    /// A status line, reported as [`super::Reply::Ok`].
    Simple,
    Stat,
    Scan,
    ScanList,
    Uid,
    UidList,
    Capabilities,
    Languages,
    Mechanisms,
    /// The USER of a `user_pass` request. `password` is the PASS still to
    /// send after `+OK`; `None` once PASS was pipelined behind USER.
    User {
        password: Option<Secret<Vec<u8>>>,
    },
    /// PASS or APOP: `+OK` means logged in.
    Login,
    /// The reply to a pipelined PASS whose USER was refused: read and
    /// dropped, as the request was already answered.
    Discard,
    /// AUTH with a mechanism, driving the exchange.
    Auth(Box<SaslDriver>),
    Stls,
    /// RETR or TOP.
    Body,
    Quit,
}

impl Expect {
    /// STLS and AUTH change what the connection is, so nothing may be in
    /// flight when they are sent and nothing is sent until they finish.
    pub(super) fn is_barrier(&self) -> bool {
        matches!(self, Self::Auth(_) | Self::Stls)
    }

    /// Whether `+OK` to this logs the session in.
    pub(super) fn is_login(&self) -> bool {
        matches!(self, Self::User { .. } | Self::Login | Self::Auth(_))
    }
}

/// Which state a command belongs to (RFC 1939, 2449, 2595, 6856).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Allowed {
    Authorization,
    Transaction,
    Any,
}

impl Allowed {
    pub(super) fn of(command: &Command) -> Self {
        match command {
            Command::Capa | Command::Lang(_) | Command::Quit => Self::Any,
            Command::User(_)
            | Command::Pass(_)
            | Command::Apop { .. }
            | Command::Auth(_)
            | Command::Stls
            | Command::Utf8 => Self::Authorization,
            Command::Stat
            | Command::List(_)
            | Command::Retr(_)
            | Command::Dele(_)
            | Command::Noop
            | Command::Rset
            | Command::Top { .. }
            | Command::Uidl(_) => Self::Transaction,
        }
    }
}

/// A request not yet written.
#[derive(Debug)]
pub(super) struct Pending {
    pub(super) id: RequestId,
    pub(super) command: Command,
    pub(super) expect: Expect,
}

/// An entry of the queue of requests not yet written.
#[derive(Debug)]
pub(super) enum Queued {
    Request(Pending),
    /// A request cancelled before it was written. Its
    /// [`ClientEvent::Cancelled`] waits here until every earlier request
    /// has ended, so requests end in the order they were made.
    Cancelled(RequestId),
}

/// A command written, its reply not yet read. A `user_pass` request may
/// have two (USER and PASS) under one id.
#[derive(Debug)]
pub(super) struct InFlight {
    pub(super) id: RequestId,
    pub(super) expect: Expect,
}

impl Client {
    /// Writes as many queued commands as the rules allow: all of them
    /// under PIPELINING (RFC 2449), else one at a time; STLS and AUTH only
    /// with nothing in flight, and nothing after them until they finish.
    /// A cancellation at the head is reported once nothing is in flight.
    pub(super) fn flush(&mut self) {
        let open = matches!(
            self.state,
            SessionState::Authorization | SessionState::Transaction
        );
        if !open || self.tls == TlsState::Handshake {
            return;
        }
        let pipelining = self.pipelining_allowed();
        while let Some(next) = self.queue.front() {
            // A listing or body still being read is in flight too.
            let busy = !self.in_flight.is_empty() || !matches!(self.reading, Reading::Line);
            let barrier = match next {
                Queued::Request(pending) => pending.expect.is_barrier(),
                // Ends once everything before it has: like a barrier.
                Queued::Cancelled(_) => true,
            };
            let head_barrier = self
                .in_flight
                .front()
                .is_some_and(|head| head.expect.is_barrier());
            if busy && (barrier || !pipelining || head_barrier) {
                break;
            }
            match self.queue.pop_front() {
                Some(Queued::Request(pending)) => {
                    self.write(pending, pipelining);
                    if barrier {
                        break;
                    }
                }
                Some(Queued::Cancelled(id)) => self.events.push_back(ClientEvent::Cancelled { id }),
                None => break,
            }
        }
    }

    fn write(&mut self, pending: Pending, pipelining: bool) {
        let Pending {
            id,
            command,
            expect,
        } = pending;
        encode::command(&command, &mut self.out);
        match expect {
            Expect::User {
                password: Some(password),
            } if pipelining => {
                // Both lines go out now; the PASS reply is read as the
                // login result (or dropped if USER is refused).
                encode::command(&Command::Pass(password), &mut self.out);
                self.in_flight.push_back(InFlight {
                    id,
                    expect: Expect::User { password: None },
                });
                self.in_flight.push_back(InFlight {
                    id,
                    expect: Expect::Login,
                });
            }
            expect => self.in_flight.push_back(InFlight { id, expect }),
        }
    }

    /// Queues a request and hands out its id.
    pub(super) fn enqueue(&mut self, command: Command, expect: Expect) -> RequestId {
        self.next_id += 1;
        let id = RequestId(self.next_id);
        if expect.is_login() {
            self.logins_pending += 1;
        }
        if matches!(command, Command::Quit) {
            self.quit_queued = true;
        }
        if matches!(expect, Expect::Stls) {
            self.tls = TlsState::Requested;
        }
        self.queue.push_back(Queued::Request(Pending {
            id,
            command,
            expect,
        }));
        self.flush();
        id
    }

    /// Drops every queued request, telling the caller now: nothing is in
    /// flight when this is called (after a greeting or a STLS refusal).
    pub(super) fn cancel_queue(&mut self) {
        while let Some(queued) = self.queue.pop_front() {
            let id = match queued {
                Queued::Request(pending) => self.cancelled(pending),
                Queued::Cancelled(id) => id,
            };
            self.events.push_back(ClientEvent::Cancelled { id });
        }
    }

    /// Forgets what `pending` would have changed; returns its id.
    fn cancelled(&mut self, pending: Pending) -> RequestId {
        if pending.expect.is_login() {
            self.logins_pending = self.logins_pending.saturating_sub(1);
        }
        if matches!(pending.command, Command::Quit) {
            self.quit_queued = false;
        }
        pending.id
    }

    /// A login failed: TRANSACTION commands queued behind it would only
    /// draw `-ERR`s, so they are cancelled, up to the next queued login
    /// (the caller's fallback, which they may have been meant for).
    pub(super) fn login_failed(&mut self) {
        self.logins_pending = self.logins_pending.saturating_sub(1);
        if self.in_flight.iter().any(|f| f.expect.is_login()) {
            return;
        }
        let mut kept = std::collections::VecDeque::with_capacity(self.queue.len());
        let mut behind_login = false;
        while let Some(queued) = self.queue.pop_front() {
            match queued {
                Queued::Request(pending) => {
                    behind_login |= pending.expect.is_login();
                    if !behind_login && Allowed::of(&pending.command) == Allowed::Transaction {
                        let id = self.cancelled(pending);
                        kept.push_back(Queued::Cancelled(id));
                    } else {
                        kept.push_back(Queued::Request(pending));
                    }
                }
                cancelled @ Queued::Cancelled(_) => kept.push_back(cancelled),
            }
        }
        self.queue = kept;
    }

    /// A login succeeded.
    pub(super) fn logged_in(&mut self) {
        self.logins_pending = self.logins_pending.saturating_sub(1);
        self.state = SessionState::Transaction;
    }
}
