//! A server session fed arbitrary client bytes, in arbitrary chunks, with
//! arbitrary answers from the application; see [`check`].

mod model;
mod setup;

use std::sync::Arc;
use std::time::{Duration, Instant};

use pop3_proto::body::wire_size;
use pop3_proto::parse;
use pop3_proto::sasl::scram::ScramSecrets;
use pop3_proto::server::{
    BodyDemand, CloseReason, CommitOutcome, CommitRequest, Credentials, Deletion, Event,
    LoginError, LoginRequest, RetrieveError, RetrieveRequest, Server,
};
use pop3_proto::types::Command;

use crate::lines;
use crate::tape::Tape;
use model::Model;
use setup::Setup;

/// Octets of decision tape before the client's bytes.
pub const TAPE_LEN: usize = 32;

/// A message body being streamed into the server.
struct Streaming {
    data: Vec<u8>,
    offset: usize,
    top: bool,
    listed: u64,
    /// Give up (`body_abort`) once this many octets are sent.
    abort_at: Option<usize>,
}

/// What the application was asked during one step, for the model.
#[derive(Default)]
struct Seen {
    retrieves: Vec<(u32, Option<u32>)>,
    /// Whether the RETR or TOP was answered with `retrieve_start`.
    started: bool,
    aborted: bool,
    commits: Vec<Vec<Deletion>>,
    logins: u32,
}

/// Counters the server's `SessionStats` must agree with.
#[derive(Default)]
struct Expected {
    retrieved: u32,
    mismatches: u32,
    failed_logins: u32,
    deleted: u32,
}

struct Run {
    setup: Setup,
    server: Server,
    tape: Tape,
    now: Instant,
    /// When the session began, for the login timeout.
    started: Instant,
    secrets: ScramSecrets,
    out: Vec<u8>,
    body: Option<Streaming>,
    closed: Option<CloseReason>,
    /// Output length once the closing reply was taken: nothing may follow.
    closed_at: Option<usize>,
    flush_after_close: bool,
    logged_in: bool,
    quit_lines: u32,
    commits: u32,
    seen: Seen,
    expected: Expected,
    model: Model,
}

/// Runs one session. The first [`TAPE_LEN`] bytes choose the
/// configuration, the maildrop, how input is cut and what the application
/// answers; the rest is what the client sends. Panics when the server
/// breaks an invariant:
///
/// - no status or listing line over 512 octets, no SASL challenge longer
///   than the longest SASL line it reads, no bare LF;
/// - nothing at all after the session closed, and after QUIT the
///   sign-off is the last line;
/// - a commit only after QUIT in TRANSACTION, at most once, listing
///   exactly the messages marked deleted (with their unique-ids), and no
///   commit on any other way out;
/// - never `+OK` to RETR, TOP, LIST, UIDL or DELE of a deleted or
///   missing message, and never a retrieval request for one;
/// - STAT, LIST, UIDL and message bodies exactly as the snapshot and the
///   dot-stuffing rules say;
/// - output bounded by a fixed amount per input line;
/// - always ready for more input once the application has answered;
/// - its statistics agree with what happened.
///
/// Per-command checks need to know which output answers which line, so
/// they run while the client sends one line at a time (in chunks of any
/// size); once the tape pipelines several lines in one go, only the
/// session-wide checks go on.
pub fn check(data: &[u8]) {
    let (tape, input) = data.split_at(TAPE_LEN.min(data.len()));
    let mut tape = Tape::new(tape);
    let setup = Setup::from_tape(&mut tape);
    let now = Instant::now();
    let server = Server::new(Arc::new(setup.config.clone()), setup.params.clone(), now);
    let mut run = Run {
        model: Model::new(),
        setup,
        server,
        tape,
        now,
        started: now,
        secrets: ScramSecrets::derive(b"pencil", b"salt", 1),
        out: Vec::new(),
        body: None,
        closed: None,
        closed_at: None,
        flush_after_close: false,
        logged_in: false,
        quit_lines: 0,
        commits: 0,
        seen: Seen::default(),
        expected: Expected::default(),
    };
    run.play(input);
}

impl Run {
    fn play(&mut self, mut input: &[u8]) {
        self.drive();
        assert!(lines::is_ok(&self.out), "greeting {:?}", self.out);
        while !input.is_empty() {
            self.maybe_let_time_pass();
            let group = if self.tape.one_in(8) {
                2 + self.tape.pick(6)
            } else {
                1
            };
            let mut end = 0;
            for _ in 0..group {
                let rest = input.get(end..).unwrap_or_default();
                end += rest
                    .iter()
                    .position(|b| *b == b'\n')
                    .map_or(rest.len(), |lf| lf + 1);
            }
            let (step, rest) = input.split_at(end);
            input = rest;
            if group > 1 {
                self.model.stop_tracking();
            }
            self.step(step);
        }
        self.finish();
    }

    /// Sometimes lets a second pass (never enough for the autologout),
    /// rarely more than the autologout time (which must close the
    /// session). A session not logged in by its login timeout must be
    /// closed for that, and no other may be.
    fn maybe_let_time_pass(&mut self) {
        let was_closed = self.closed.is_some();
        if self.tape.one_in(64) {
            self.now += self.setup.config.autologout + Duration::from_secs(1);
            self.server.handle_timeout(self.now);
            self.drive();
            if !was_closed {
                if self.closed != Some(CloseReason::LoginTimeout) {
                    assert_eq!(self.closed, Some(CloseReason::Timeout));
                }
                let last = lines::split(&self.out).last().unwrap_or_default();
                assert!(lines::is_err(last), "autologout answered {last:?}");
            }
            self.check_login_timeout(was_closed);
            self.model.stop_tracking();
        } else if self.tape.one_in(4) {
            self.now += Duration::from_secs(1);
            self.server.handle_timeout(self.now);
            self.drive();
            if self.closed != Some(CloseReason::LoginTimeout) {
                assert_eq!(
                    self.closed.is_some(),
                    was_closed,
                    "closed before autologout"
                );
            }
            self.check_login_timeout(was_closed);
            if self.closed.is_some() && !was_closed {
                self.model.stop_tracking();
            }
        }
    }

    /// A session that never logged in is closed once it reaches its login
    /// timeout (for being idle, if it is that too), and a close for the
    /// login timeout comes only then.
    fn check_login_timeout(&self, was_closed: bool) {
        if was_closed {
            return;
        }
        let due = self
            .setup
            .config
            .login_timeout
            .is_some_and(|limit| self.now.duration_since(self.started) >= limit)
            && !self.logged_in;
        let timed_out = matches!(
            self.closed,
            Some(CloseReason::LoginTimeout | CloseReason::Timeout)
        );
        assert!(
            if due {
                timed_out
            } else {
                self.closed != Some(CloseReason::LoginTimeout)
            },
            "login timeout (due: {due}, logged in: {}, closed: {:?})",
            self.logged_in,
            self.closed
        );
        if due {
            let last = lines::split(&self.out).last().unwrap_or_default();
            assert!(lines::is_err(last), "login timeout answered {last:?}");
        }
    }

    /// Feeds one line (or several pipelined) in tape-chosen chunks.
    fn step(&mut self, step: &[u8]) {
        self.seen = Seen::default();
        let before = self.out.len();
        let logged_in = self.logged_in;
        let closed = self.closed.is_some();
        for line in step.split_inclusive(|b| *b == b'\n') {
            let content = lines::content(line);
            if line.ends_with(b"\n") && parse::command(content) == Ok(Command::Quit) {
                self.quit_lines += 1;
            }
        }
        let mut rest = step;
        for len in self.tape.chunks(step.len()) {
            let (chunk, tail) = rest.split_at(len);
            rest = tail;
            self.server.handle_input(self.now, chunk);
            self.drive();
        }
        let produced = self.out.get(before..).unwrap_or_default().to_vec();
        let line_ends = step.iter().filter(|b| **b == b'\n').count();
        let bound = self.setup.output_bound() * (line_ends + 1);
        assert!(
            produced.len() <= bound,
            "{} octets of output for {} input lines",
            produced.len(),
            line_ends
        );
        if !self.seen.commits.is_empty() {
            assert!(self.quit_lines > 0, "commit without any QUIT line");
        }
        if !closed {
            let seen = std::mem::take(&mut self.seen);
            self.model.check_line(
                &self.setup,
                step,
                &produced,
                &seen,
                logged_in,
                self.logged_in,
                self.closed,
            );
        }
    }

    /// Answers events, streams bodies and takes output until nothing
    /// moves, then checks the server is ready for more.
    fn drive(&mut self) {
        loop {
            let mut progressed = false;
            while let Some(event) = self.server.poll_event() {
                progressed = true;
                self.handle(event);
            }
            progressed |= self.stream_body();
            while let Some(bytes) = self.server.poll_transmit(self.now) {
                progressed = true;
                assert!(
                    self.closed_at.is_none(),
                    "output after the session closed: {bytes:?}"
                );
                self.out.extend_from_slice(&bytes);
            }
            if self.flush_after_close {
                self.flush_after_close = false;
                self.closed_at = Some(self.out.len());
            }
            if !progressed {
                break;
            }
        }
        assert!(
            self.server.is_closed() || self.server.wants_input(),
            "the server waits for nothing yet reads no input"
        );
        assert_eq!(self.server.is_closed(), self.closed.is_some());
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::Login(request) => self.login(request),
            Event::ScramLookup(lookup) => {
                let secrets = (!self.tape.one_in(4)).then_some(&self.secrets);
                self.server
                    .scram_secrets(lookup, secrets)
                    .expect("pending SCRAM lookup");
            }
            Event::Retrieve(request) => self.retrieve(request),
            Event::StartTls => {
                self.server.tls_established(self.now).expect("pending STLS");
            }
            Event::Commit(request) => self.commit(request),
            Event::Closed(reason) => {
                assert_eq!(self.closed, None, "closed twice");
                self.closed = Some(reason);
                self.flush_after_close = true;
                if reason != CloseReason::Quit {
                    assert_eq!(self.commits, 0, "commit, then closed by {reason:?}");
                } else if self.logged_in {
                    assert_eq!(self.commits, 1, "QUIT in TRANSACTION closed without commit");
                }
            }
        }
    }

    /// Accepts or refuses a login as the tape says; a failed SCRAM proof
    /// must be impossible to accept.
    fn login(&mut self, request: LoginRequest) {
        self.seen.logins += 1;
        let choice = self.tape.byte();
        if choice % 4 == 3 {
            let errors = [
                LoginError::BadCredentials,
                LoginError::InUse,
                LoginError::LoginDelay,
                LoginError::Utf8Required,
                LoginError::Temporary,
                LoginError::Permanent,
            ];
            let error = errors[usize::from(choice / 4) % errors.len()].clone();
            self.reject(request, error);
            return;
        }
        let scram_failed = *request.credentials() == Credentials::ScramFailed;
        match self.server.accept_login(request, self.setup.maildrop()) {
            Ok(()) => {
                assert!(!scram_failed, "accepted a failed SCRAM proof");
                self.logged_in = true;
            }
            Err(misuse) => {
                assert!(scram_failed, "login refused: {}", misuse.reason);
                self.reject(*misuse.value, LoginError::BadCredentials);
            }
        }
    }

    /// Opens the message, or fails, as the tape says; the request must
    /// describe a message of the snapshot exactly.
    fn retrieve(&mut self, request: RetrieveRequest) {
        let index = request.index();
        let message = self
            .setup
            .messages
            .get(index)
            .unwrap_or_else(|| panic!("retrieval of missing message {index}"));
        assert_eq!(request.uid(), &message.uid);
        assert_eq!(request.size(), message.listed);
        assert!(self.logged_in);
        self.seen
            .retrieves
            .push((request.number().get(), request.top_lines()));
        let choice = self.tape.pick(16);
        if choice >= 13 {
            let error = [
                RetrieveError::Gone,
                RetrieveError::Temporary,
                RetrieveError::Permanent,
            ][choice - 13];
            self.server
                .retrieve_failed(request, error)
                .expect("pending retrieval");
            return;
        }
        self.seen.started = true;
        let abort_at = self
            .tape
            .one_in(32)
            .then(|| self.tape.pick(message.data.len() + 1));
        self.body = Some(Streaming {
            data: message.data.clone(),
            offset: 0,
            top: request.top_lines().is_some(),
            listed: message.listed,
            abort_at,
        });
        self.server
            .retrieve_start(request)
            .expect("pending retrieval");
    }

    /// Checks the deletions handed over and reports an outcome.
    fn commit(&mut self, request: CommitRequest) {
        self.commits += 1;
        assert_eq!(self.commits, 1, "second commit");
        assert!(self.logged_in, "commit without login");
        let deletions = request.deletions().to_vec();
        for pair in deletions.windows(2) {
            assert!(pair[0].number < pair[1].number, "deletions out of order");
        }
        for d in &deletions {
            let message = self.setup.messages.get(d.number.index());
            assert_eq!(message.map(|m| &m.uid), Some(&d.uid), "bad deletion {d:?}");
        }
        let asked = u32::try_from(deletions.len()).unwrap_or(u32::MAX);
        let outcome = match self.tape.pick(4) {
            0 | 1 => CommitOutcome::Done,
            2 => CommitOutcome::Partial {
                removed: u32::from(self.tape.byte() % 8),
            },
            _ => CommitOutcome::Failed,
        };
        self.expected.deleted = match outcome {
            CommitOutcome::Done => asked,
            CommitOutcome::Partial { removed } => removed.min(asked),
            CommitOutcome::Failed => 0,
        };
        self.seen.commits.push(deletions);
        self.server
            .commit_done(request, outcome)
            .expect("pending commit");
    }

    fn reject(&mut self, request: LoginRequest, error: LoginError) {
        self.expected.failed_logins += 1;
        self.server
            .reject_login(request, error)
            .expect("pending login");
    }

    /// Streams the open body as the server asks for it.
    fn stream_body(&mut self) -> bool {
        let mut progressed = false;
        loop {
            match self.server.body_demand() {
                BodyDemand::Wanted => {
                    let chunk = usize::from(self.tape.byte()).max(1);
                    let body = self.body.as_mut().expect("body wanted but none open");
                    if body.abort_at.is_some_and(|at| body.offset >= at) {
                        self.seen.aborted = true;
                        self.body = None;
                        self.server.body_abort();
                        return true;
                    }
                    if body.offset == body.data.len() {
                        self.end_body();
                    } else {
                        let end = (body.offset + chunk).min(body.data.len());
                        let data = body.data.get(body.offset..end).unwrap_or_default();
                        self.server.body_data(data).expect("body open");
                        body.offset = end;
                    }
                    progressed = true;
                }
                BodyDemand::Complete => {
                    self.end_body();
                    progressed = true;
                }
                BodyDemand::Blocked => return progressed,
                BodyDemand::Idle => {
                    assert!(self.body.is_none(), "body open but not wanted");
                    return progressed;
                }
            }
        }
    }

    fn end_body(&mut self) {
        if let Some(body) = self.body.take() {
            self.expected.retrieved += 1;
            if !body.top && wire_size(&body.data) != body.listed {
                self.expected.mismatches += 1;
            }
        }
        self.server.body_end().expect("body open");
    }

    /// Session-wide checks on everything written.
    fn finish(&mut self) {
        self.drive();
        let aborted = self.closed == Some(CloseReason::StorageError);
        for line in lines::split(&self.out) {
            let complete = line.ends_with(b"\r\n");
            assert!(
                complete || aborted || line.is_empty(),
                "unterminated {line:?}"
            );
            let limit = if lines::is_continuation(line) {
                self.setup.continuation_bound()
            } else {
                lines::MAX_RESPONSE_LINE
            };
            assert!(line.len() <= limit, "{} octet line: {line:?}", line.len());
        }
        if self.closed == Some(CloseReason::Quit) {
            let last = lines::split(&self.out).last().unwrap_or_default();
            assert!(
                last.starts_with(b"+OK POP3 server signing off")
                    || last.starts_with(b"-ERR [SYS/TEMP]"),
                "QUIT answered last by {last:?}"
            );
        }
        let stats = self.server.stats();
        assert_eq!(stats.retrieved_messages, self.expected.retrieved);
        assert_eq!(stats.size_mismatches, self.expected.mismatches);
        assert_eq!(stats.failed_logins, self.expected.failed_logins);
        assert_eq!(stats.deleted_messages, self.expected.deleted);
    }
}
