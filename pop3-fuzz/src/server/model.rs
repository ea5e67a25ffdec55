//! What the server must answer to each line, from a model of the
//! maildrop's deletion marks.

use std::collections::BTreeSet;

use pop3_proto::parse;
use pop3_proto::server::{CloseReason, Deletion};
use pop3_proto::types::{Command, MessageNumber};

use super::Seen;
use super::setup::Setup;
use crate::lines;

/// The model: which messages are marked deleted, and whether the server
/// expects a SASL line next. Valid only while the client sends one line
/// per step.
pub(crate) struct Model {
    tracking: bool,
    sasl: bool,
    deleted: BTreeSet<u32>,
}

/// What one step's output and events must look like, beyond the
/// session-wide rules.
struct Step<'a> {
    setup: &'a Setup,
    out: Vec<&'a [u8]>,
    produced: &'a [u8],
    seen: &'a Seen,
}

impl Step<'_> {
    fn one_err(&self, what: &str) {
        assert_eq!(self.out.len(), 1, "{what}: {:?}", self.produced);
        assert!(lines::is_err(self.produced), "{what}: {:?}", self.produced);
    }

    fn one_ok(&self, what: &str) {
        assert_eq!(self.out.len(), 1, "{what}: {:?}", self.produced);
        assert!(lines::is_ok(self.produced), "{what}: {:?}", self.produced);
    }

    fn no_requests(&self, what: &str) {
        assert!(
            self.seen.retrieves.is_empty(),
            "{what}: retrieval requested"
        );
        assert!(self.seen.commits.is_empty(), "{what}: commit requested");
    }

    /// The lines after the first, which must be `+OK`.
    fn listing(&self) -> Vec<u8> {
        assert!(lines::is_ok(self.produced), "{:?}", self.produced);
        self.out
            .iter()
            .skip(1)
            .flat_map(|l| l.iter().copied())
            .collect()
    }
}

impl Model {
    pub(crate) fn new() -> Self {
        Self {
            tracking: true,
            sasl: false,
            deleted: BTreeSet::new(),
        }
    }

    /// Output can no longer be matched to lines (pipelining, a timeout).
    pub(crate) fn stop_tracking(&mut self) {
        self.tracking = false;
    }

    fn live<'a>(&self, setup: &'a Setup, n: MessageNumber) -> Option<&'a super::setup::Message> {
        if self.deleted.contains(&n.get()) {
            None
        } else {
            setup.messages.get(n.index())
        }
    }

    fn live_totals(&self, setup: &Setup) -> (usize, u64) {
        let live = setup
            .messages
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.deleted.contains(&(*i as u32 + 1)));
        live.fold((0, 0u64), |(n, size), (_, m)| {
            (n + 1, size.saturating_add(m.listed))
        })
    }

    /// Checks the answer to one line the client sent whole (in chunks).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn check_line(
        &mut self,
        setup: &Setup,
        line: &[u8],
        produced: &[u8],
        seen: &Seen,
        logged_in_before: bool,
        logged_in_after: bool,
        closed_after: Option<CloseReason>,
    ) {
        if !self.tracking {
            return;
        }
        let step = Step {
            setup,
            out: lines::split(produced).collect(),
            produced,
            seen,
        };
        self.answer(&step, line, logged_in_before, closed_after);
        if logged_in_after && !logged_in_before {
            self.deleted.clear();
        }
        self.sasl =
            closed_after.is_none() && step.out.last().is_some_and(|l| lines::is_continuation(l));
    }

    fn answer(
        &mut self,
        step: &Step<'_>,
        line: &[u8],
        logged_in: bool,
        closed_after: Option<CloseReason>,
    ) {
        let config = &step.setup.config;
        if !line.ends_with(b"\n") {
            if line.len() < config.max_sasl_line {
                assert!(step.produced.is_empty(), "answer to half a line");
            } else {
                step.one_err("endless line");
            }
            step.no_requests("half a line");
            return;
        }
        if line.len() > config.max_sasl_line {
            step.one_err("line over the SASL limit");
            step.no_requests("overlong line");
            return;
        }
        if self.sasl {
            assert_eq!(step.out.len(), 1, "SASL step: {:?}", step.produced);
            step.no_requests("SASL line");
            return;
        }
        let content = lines::content(line);
        let is_auth = content
            .get(..4)
            .is_some_and(|k| k.eq_ignore_ascii_case(b"AUTH"));
        if line.len() > config.max_command_line && !is_auth {
            step.one_err("line over the command limit");
            step.no_requests("overlong line");
            return;
        }
        let command = match parse::command(content) {
            Ok(command) => command,
            Err(_) => {
                step.one_err("malformed command");
                step.no_requests("malformed command");
                assert_eq!(step.seen.logins, 0);
                return;
            }
        };
        if !(logged_in && matches!(command, Command::Retr(_) | Command::Top { .. })) {
            assert!(step.seen.retrieves.is_empty(), "{command:?} retrieved");
        }
        if !(logged_in && command == Command::Quit) {
            assert!(step.seen.commits.is_empty(), "{command:?} committed");
        }
        if logged_in {
            self.transaction(step, command, closed_after);
        } else {
            match command {
                Command::Stat
                | Command::List(_)
                | Command::Uidl(_)
                | Command::Retr(_)
                | Command::Top { .. }
                | Command::Dele(_)
                | Command::Rset
                | Command::Noop => step.one_err("TRANSACTION command before login"),
                Command::Quit => {
                    step.one_ok("QUIT before login");
                    assert_eq!(closed_after, Some(CloseReason::Quit));
                }
                _ => {}
            }
        }
    }

    fn transaction(
        &mut self,
        step: &Step<'_>,
        command: Command,
        closed_after: Option<CloseReason>,
    ) {
        let setup = step.setup;
        match command {
            Command::Stat => {
                let (count, size) = self.live_totals(setup);
                assert_eq!(step.produced, format!("+OK {count} {size}\r\n").as_bytes());
            }
            Command::List(None) => {
                let expected: String = setup
                    .messages
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !self.deleted.contains(&(*i as u32 + 1)))
                    .map(|(i, m)| format!("{} {}\r\n", i + 1, m.listed))
                    .chain([".\r\n".to_owned()])
                    .collect();
                assert_eq!(step.listing(), expected.as_bytes(), "LIST");
            }
            Command::Uidl(None) => {
                let expected: String = setup
                    .messages
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !self.deleted.contains(&(*i as u32 + 1)))
                    .map(|(i, m)| format!("{} {}\r\n", i + 1, m.uid))
                    .chain([".\r\n".to_owned()])
                    .collect();
                assert_eq!(step.listing(), expected.as_bytes(), "UIDL");
            }
            Command::List(Some(n)) => match self.live(setup, n) {
                Some(m) => assert_eq!(
                    step.produced,
                    format!("+OK {n} {}\r\n", m.listed).as_bytes()
                ),
                None => step.one_err("LIST of a deleted or missing message"),
            },
            Command::Uidl(Some(n)) => match self.live(setup, n) {
                Some(m) => assert_eq!(step.produced, format!("+OK {n} {}\r\n", m.uid).as_bytes()),
                None => step.one_err("UIDL of a deleted or missing message"),
            },
            Command::Retr(n) => self.retrieve(step, n, None),
            Command::Top { msg, lines } => self.retrieve(step, msg, Some(lines)),
            Command::Dele(n) => {
                if self.live(setup, n).is_some() {
                    step.one_ok("DELE");
                    self.deleted.insert(n.get());
                } else {
                    step.one_err("DELE of a deleted or missing message");
                }
            }
            Command::Rset => {
                step.one_ok("RSET");
                self.deleted.clear();
            }
            Command::Noop => assert_eq!(step.produced, b"+OK\r\n"),
            Command::Quit => {
                let expected: Vec<Deletion> = self
                    .deleted
                    .iter()
                    .filter_map(|n| {
                        let number = MessageNumber::new(*n)?;
                        let uid = setup.messages.get(number.index())?.uid.clone();
                        Some(Deletion { number, uid })
                    })
                    .collect();
                assert_eq!(step.seen.commits, vec![expected], "commit != marks");
                assert_eq!(step.out.len(), 1, "QUIT: {:?}", step.produced);
                assert_eq!(closed_after, Some(CloseReason::Quit));
            }
            Command::User(_)
            | Command::Pass(_)
            | Command::Apop { .. }
            | Command::Auth(_)
            | Command::Stls
            | Command::Utf8 => step.one_err("AUTHORIZATION command after login"),
            Command::Capa | Command::Lang(_) => {}
        }
    }

    fn retrieve(&self, step: &Step<'_>, n: MessageNumber, top: Option<u32>) {
        let Some(message) = self.live(step.setup, n) else {
            step.one_err("RETR or TOP of a deleted or missing message");
            assert!(step.seen.retrieves.is_empty());
            return;
        };
        assert_eq!(step.seen.retrieves, vec![(n.get(), top)]);
        if !step.seen.started {
            step.one_err("failed retrieval");
        } else if !step.seen.aborted {
            assert_eq!(
                step.listing(),
                message.expected_body(top),
                "body of message {n}"
            );
        }
    }
}
