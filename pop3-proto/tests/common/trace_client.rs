//! Replays a trace (see [`super::trace`]) through the client state
//! machine, using only its public API.
//!
//! Client lines are issued as requests; the client must write exactly
//! those lines, all at once when the server's CAPA allowed PIPELINING and
//! one at a time otherwise. Each server line must come back out of the
//! client as the event that carries it: the events are encoded again with
//! the crate's encoders and compared with the trace, so a reply read as
//! the wrong thing (a lost response code, a dropped listing entry, a
//! mangled body) fails the replay.

use std::collections::VecDeque;
use std::vec::IntoIter;

use bytes::BytesMut;
use pop3_proto::client::{
    Client, ClientConfig, ClientError, ClientEvent, Reply, RequestId, SaslCredentials, ServerError,
};
use pop3_proto::{Command, Text, encode};

use super::Session;
use super::trace::{ClientLine, Feed, Origin, Step, is_continuation, parse, replay_all_ways, wire};

/// Stands for a `+OK` line whose text the client does not keep (listing
/// headers, STLS): it matches any `+OK` line of the trace.
const ANY_OK: &str = "+OK …";

/// What a client replay leaves for further checks.
pub struct ClientReplay {
    pub client: Client,
    /// Every event the client raised, the greeting first.
    pub events: Vec<ClientEvent>,
}

impl ClientReplay {
    /// The `-ERR` replies the client reported, in order.
    pub fn errors(&self) -> Vec<&ServerError> {
        self.events
            .iter()
            .filter_map(|e| match e {
                ClientEvent::Reply { result: Err(e), .. } => Some(e),
                _ => None,
            })
            .collect()
    }
}

/// Replays `trace` through the server (every way) and the client.
pub fn replay_both(
    make: impl Fn() -> Session,
    trace: &str,
    credentials: Vec<SaslCredentials>,
) -> ClientReplay {
    replay_all_ways(make, trace);
    replay_client(trace, credentials)
}

/// [`replay_client_with`] the default configuration.
pub fn replay_client(trace: &str, credentials: Vec<SaslCredentials>) -> ClientReplay {
    replay_client_with(ClientConfig::default(), trace, credentials)
}

/// Replays `trace` through a client with `config`, feeding the server's
/// lines a step at a time and then byte by byte; `A:` lines take
/// `credentials` in order. Returns the step-at-a-time run.
pub fn replay_client_with(
    config: ClientConfig,
    trace: &str,
    credentials: Vec<SaslCredentials>,
) -> ClientReplay {
    run(config.clone(), trace, credentials.clone(), Feed::Bytewise);
    run(config, trace, credentials, Feed::Whole)
}

fn run(
    config: ClientConfig,
    text: &str,
    credentials: Vec<SaslCredentials>,
    feed: Feed,
) -> ClientReplay {
    let trace = parse(text);
    let mut r = Replayer {
        client: Client::new(config),
        feed,
        credentials: credentials.into_iter(),
        events: Vec::new(),
        awaiting: VecDeque::new(),
        body: None,
        pipelining: false,
    };
    r.receive(&wire([trace.greeting.as_str()]));
    assert_eq!(
        r.read_events(),
        std::slice::from_ref(&trace.greeting),
        "greeting"
    );
    // What the client wrote by itself after a continuation: its answer,
    // which the next step of the trace must hold.
    let mut answer = None;
    for step in &trace.steps {
        if step.client_sends() {
            answer = r.step(step, answer.take());
        } else {
            r.refuse(step);
        }
    }
    assert!(answer.is_none(), "trace ends inside an AUTH exchange");
    assert!(r.credentials.next().is_none(), "unused credentials");
    ClientReplay {
        client: r.client,
        events: r.events,
    }
}

struct Replayer {
    client: Client,
    feed: Feed,
    credentials: IntoIter<SaslCredentials>,
    events: Vec<ClientEvent>,
    /// Requests sent, their replies not yet read, in order.
    awaiting: VecDeque<RequestId>,
    /// The RETR or TOP whose body is being read, and the body so far.
    body: Option<(RequestId, Vec<u8>)>,
    /// Whether the trace's last CAPA since TLS listed PIPELINING: read
    /// from the trace, not the client, so a client that pipelines when it
    /// must not (or fails to when it may) is caught.
    pipelining: bool,
}

impl Replayer {
    /// Plays a step the client writes; returns the client's next AUTH
    /// answer if the step ends in a continuation.
    fn step(&mut self, step: &Step, answer: Option<String>) -> Option<String> {
        let expected = step.client_wire();
        let before = match answer {
            Some(written) => {
                assert!(
                    step.client.iter().all(|l| l.origin == Origin::Command),
                    "only answers inside an AUTH exchange: {expected:?}"
                );
                written
            }
            None => {
                assert_eq!(
                    self.client.pipelining_allowed(),
                    self.pipelining,
                    "PIPELINING"
                );
                for line in &step.client {
                    let id = self.issue(line);
                    self.awaiting.push_back(id);
                }
                let written = self.transmit();
                let first = wire(step.client.first().map(|l| l.text.as_str()));
                let now = if self.pipelining { &expected } else { &first };
                assert_eq!(&written, now, "written before any reply");
                written
            }
        };
        self.receive(&step.server_wire());
        let after = self.transmit();
        self.check_replies(step, &expected);
        if step.ends_in_continuation() {
            assert_eq!(before, expected, "client wrote");
            Some(after)
        } else {
            assert_eq!(before + &after, expected, "client wrote");
            None
        }
    }

    /// Checks that the client read the step's server lines as they were
    /// meant, and follows PIPELINING and TLS through the trace.
    fn check_replies(&mut self, step: &Step, expected: &str) {
        let answers: Vec<String> = step
            .server
            .iter()
            .filter(|l| !is_continuation(l))
            .cloned()
            .collect();
        let mut read = self.read_events();
        for (r, e) in read.iter_mut().zip(&answers) {
            if r == ANY_OK && e.starts_with("+OK") {
                e.clone_into(r);
            }
        }
        assert_eq!(
            read, answers,
            "client's reading of the replies to {expected:?}"
        );
        // A step's server lines answer all of its client lines, and only
        // them; an AUTH exchange waits for its final reply.
        let open = usize::from(step.ends_in_continuation());
        assert_eq!(self.awaiting.len(), open, "unanswered after {expected:?}");
        assert!(self.body.is_none(), "body unfinished after {expected:?}");
        if step
            .client
            .iter()
            .any(|l| l.text.eq_ignore_ascii_case("CAPA"))
        {
            self.pipelining = answers.iter().any(|l| l.eq_ignore_ascii_case("PIPELINING"));
        }
        if step.tls_after {
            self.pipelining = false;
            assert!(
                matches!(
                    self.events.last(),
                    Some(ClientEvent::Reply {
                        result: Ok(Reply::TlsReady),
                        ..
                    })
                ),
                "TLS without STLS accepted"
            );
            self.client.tls_established().unwrap();
        }
    }

    /// Plays a step only the server sees: each `C!` line must be refused
    /// for the state the client is in, and nothing written. `send` makes
    /// the same state check as the typed methods, `authenticate` too.
    fn refuse(&mut self, step: &Step) {
        for line in step.client.iter().filter(|l| l.origin == Origin::Refused) {
            let command = command(&line.text);
            let keyword = command.keyword();
            let state = self.client.state();
            match self.client.send(command) {
                Err(ClientError::WrongState { command, state: s }) => {
                    assert_eq!((command, s), (keyword, state), "{:?}", line.text);
                }
                Err(ClientError::AlreadyTls) => {}
                other => panic!("{:?} should be refused locally: {other:?}", line.text),
            }
        }
        assert_eq!(self.transmit(), "", "written for {:?}", step.client_wire());
        assert!(!step.tls_after, "TLS after a step the client did not send");
    }

    fn issue(&mut self, line: &ClientLine) -> RequestId {
        let result = match line.origin {
            Origin::Auth => {
                let credentials = self.credentials.next().expect("credentials for A:");
                self.client.authenticate(credentials)
            }
            _ => self.client.send(command(&line.text)),
        };
        result.unwrap_or_else(|e| panic!("client refused {:?}: {e}", line.text))
    }

    fn transmit(&mut self) -> String {
        let mut out = Vec::new();
        while let Some(bytes) = self.client.poll_transmit() {
            out.extend_from_slice(&bytes);
        }
        String::from_utf8(out).unwrap()
    }

    fn receive(&mut self, data: &str) {
        let result = match self.feed {
            Feed::Bytewise => data
                .as_bytes()
                .chunks(1)
                .try_for_each(|b| self.client.handle_input(b)),
            _ => self.client.handle_input(data.as_bytes()),
        };
        result.unwrap_or_else(|e| panic!("client could not read {data:?}: {e}"));
    }

    /// Takes the pending events and writes them back as server lines.
    fn read_events(&mut self) -> Vec<String> {
        let mut lines = Vec::new();
        while let Some(event) = self.client.poll_event() {
            match &event {
                ClientEvent::Greeting(Ok(g)) => lines.push(ok_line(&g.text)),
                ClientEvent::Reply { id, result } => {
                    assert_eq!(Some(*id), self.awaiting.pop_front(), "reply order");
                    if let Ok(Reply::BodyStart { .. }) = result {
                        self.body = Some((*id, Vec::new()));
                    }
                    reply_lines(result, &mut lines);
                }
                ClientEvent::BodyChunk { id, data } => {
                    let (body_id, body) = self.body.as_mut().expect("a body started");
                    assert_eq!(id, body_id);
                    body.extend_from_slice(data);
                }
                ClientEvent::BodyEnd { id } => {
                    let (body_id, body) = self.body.take().expect("a body started");
                    assert_eq!(*id, body_id);
                    let text = String::from_utf8(body).unwrap();
                    for line in text.split_terminator("\r\n") {
                        let stuffed = if line.starts_with('.') { "." } else { "" };
                        lines.push(format!("{stuffed}{line}"));
                    }
                    lines.push(".".into());
                }
                other => panic!("unexpected client event {other:?}"),
            }
            self.events.push(event);
        }
        lines
    }
}

fn command(text: &str) -> Command {
    pop3_proto::parse::command(text.as_bytes())
        .unwrap_or_else(|e| panic!("not a command {text:?}: {e}"))
}

fn ok_line(text: &Text) -> String {
    if text.is_empty() {
        "+OK".into()
    } else {
        format!("+OK {text}")
    }
}

/// The server lines a reply was read from, as far as the reply keeps
/// them; a body's lines come with its `BodyEnd`.
fn reply_lines(result: &Result<Reply, ServerError>, lines: &mut Vec<String>) {
    let reply = match result {
        Ok(reply) => reply,
        Err(e) => return lines.push(e.to_string()),
    };
    match reply {
        Reply::Ok(text) | Reply::LoggedIn(text) | Reply::BodyStart { text, .. } => {
            lines.push(ok_line(text));
        }
        Reply::Stat { count, size } => lines.push(format!("+OK {count} {size}")),
        Reply::Scan(s) => lines.push(format!("+OK {}", encoded(|o| encode::scan_line(s, o)))),
        Reply::Uid(u) => lines.push(format!("+OK {}", encoded(|o| encode::uid_line(u, o)))),
        Reply::TlsReady => lines.push(ANY_OK.into()),
        Reply::ScanList(v) => listing(lines, v, encode::scan_line),
        Reply::UidList(v) => listing(lines, v, encode::uid_line),
        Reply::Capabilities(v) => listing(lines, v, encode::capability_line),
        Reply::Languages(v) => listing(lines, v, encode::lang_line),
        Reply::Mechanisms(v) => listing(lines, v, encode::mechanism_line),
    }
}

fn listing<T>(lines: &mut Vec<String>, items: &[T], encode: fn(&T, &mut BytesMut)) {
    lines.push(ANY_OK.into());
    lines.extend(items.iter().map(|i| encoded(|o| encode(i, o))));
    lines.push(".".into());
}

fn encoded(write: impl FnOnce(&mut BytesMut)) -> String {
    let mut out = BytesMut::new();
    write(&mut out);
    let line = String::from_utf8(out.to_vec()).unwrap();
    line.trim_end_matches("\r\n").to_owned()
}
