//! C:/S: dialogue traces, written once and replayed through the server
//! (here) and through the client ([`super::trace_client`]), so both sides
//! are held to the same dialogue.
//!
//! A trace is a list of tagged lines; leading blanks are ignored:
//!
//! | tag | line | server replay | client replay |
//! |---|---|---|---|
//! | `S:` | a server line | must be written byte for byte | fed to the client, which must read it as the server meant it |
//! | `C:` | a command, or an answer inside an AUTH exchange | sent | a command is issued with `Client::send`; an answer must be what the client wrote by itself |
//! | `A:` | `AUTH mechanism [...]` | sent | issued with `Client::authenticate` and the next credentials given |
//! | `C!` | a command the client refuses in its state | sent | must be refused locally with nothing written; the server's answer is not fed |
//! | `R:` | a line only a hand-typing client sends (`*`, a malformed AUTH) | sent | not issued; the server's answer is not fed |
//! | `-- TLS --` | the handshake after STLS | the server must be on TLS now | `Client::tls_established` |
//!
//! Consecutive client lines are one step: the server lines after them are
//! the answers to all of them. `C!` and `R:` lines cannot share a step with
//! lines the client sends, as the answers could not be told apart.

use super::Session;

/// Where a client line comes from in the client replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `C:`: a command issued with `Client::send`, or an AUTH answer.
    Command,
    /// `A:`: an AUTH started with `Client::authenticate`.
    Auth,
    /// `C!`: refused by the client before anything is written.
    Refused,
    /// `R:`: only the server sees it.
    Raw,
}

impl Origin {
    /// Whether the client writes this line itself.
    pub fn client_sends(self) -> bool {
        matches!(self, Self::Command | Self::Auth)
    }
}

/// One client line of a trace.
#[derive(Debug, Clone)]
pub struct ClientLine {
    pub origin: Origin,
    pub text: String,
}

/// Client lines and the server lines answering them.
#[derive(Debug, Clone, Default)]
pub struct Step {
    pub client: Vec<ClientLine>,
    pub server: Vec<String>,
    /// A `-- TLS --` marker follows the server lines.
    pub tls_after: bool,
}

impl Step {
    /// The client lines as the wire carries them.
    pub fn client_wire(&self) -> String {
        wire(self.client.iter().map(|l| l.text.as_str()))
    }

    /// The server lines as the wire carries them.
    pub fn server_wire(&self) -> String {
        wire(self.server.iter().map(String::as_str))
    }

    /// Whether the client writes this step's lines (else only the server
    /// sees them).
    pub fn client_sends(&self) -> bool {
        self.client.iter().all(|l| l.origin.client_sends())
    }

    /// Whether the last server line is a SASL continuation (`+ ...`): the
    /// next step is the client's answer in the same AUTH exchange.
    pub fn ends_in_continuation(&self) -> bool {
        self.server.last().is_some_and(|l| is_continuation(l))
    }
}

/// A parsed trace.
#[derive(Debug, Clone)]
pub struct Trace {
    pub greeting: String,
    pub steps: Vec<Step>,
}

/// Whether a server line is a SASL continuation rather than a reply.
pub fn is_continuation(line: &str) -> bool {
    line == "+" || line.starts_with("+ ")
}

/// Joins lines, each with its CRLF.
pub fn wire<'a>(lines: impl IntoIterator<Item = &'a str>) -> String {
    lines.into_iter().map(|l| format!("{l}\r\n")).collect()
}

/// Reads a trace; panics on a line without a known tag.
pub fn parse(text: &str) -> Trace {
    let mut greeting = None;
    let mut steps: Vec<Step> = Vec::new();
    for line in text.lines().map(str::trim_start).filter(|l| !l.is_empty()) {
        if line == "-- TLS --" {
            steps.last_mut().expect("a step before TLS").tls_after = true;
            continue;
        }
        let (tag, rest) = line.split_at_checked(2).expect("a tagged line");
        let body = rest.strip_prefix(' ').unwrap_or(rest).to_owned();
        let origin = match tag {
            "S:" => {
                match steps.last_mut() {
                    Some(step) => step.server.push(body),
                    None if greeting.is_none() => greeting = Some(body),
                    None => panic!("two greetings: {line:?}"),
                }
                continue;
            }
            "C:" => Origin::Command,
            "A:" => Origin::Auth,
            "C!" => Origin::Refused,
            "R:" => Origin::Raw,
            _ => panic!("trace line without a known tag: {line:?}"),
        };
        let new = ClientLine { origin, text: body };
        match steps.last_mut() {
            Some(step) if step.server.is_empty() && !step.tls_after => {
                assert_eq!(
                    step.client_sends(),
                    origin.client_sends(),
                    "C!/R: lines need a step of their own: {line:?}"
                );
                step.client.push(new);
            }
            _ => steps.push(Step {
                client: vec![new],
                ..Step::default()
            }),
        }
    }
    Trace {
        greeting: greeting.expect("a greeting"),
        steps,
    }
}

/// How client bytes are handed to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feed {
    /// Each step in one chunk.
    Whole,
    /// One byte at a time.
    Bytewise,
    /// Every client line of the trace in one chunk, the whole output
    /// compared at once (RFC 2449 pipelining).
    Pipelined,
}

/// Replays `trace` through `session`, asserting every server line and
/// that TLS starts exactly where the trace says.
pub fn replay(mut session: Session, trace: &str, feed: Feed) -> Session {
    let trace = parse(trace);
    assert_eq!(
        session.greeting(),
        wire([trace.greeting.as_str()]),
        "greeting"
    );
    if feed == Feed::Pipelined {
        let client: String = trace.steps.iter().map(Step::client_wire).collect();
        let server: String = trace.steps.iter().map(Step::server_wire).collect();
        assert_eq!(session.send(client.as_bytes()), server, "pipelined");
        return session;
    }
    for step in trace.steps {
        let handshakes = session.tls_handshakes;
        let client = step.client_wire();
        let got = match feed {
            Feed::Whole => session.send(client.as_bytes()),
            _ => session.send_bytewise(client.as_bytes()),
        };
        assert_eq!(got, step.server_wire(), "after client sent {client:?}");
        let started = u32::from(step.tls_after);
        assert_eq!(
            session.tls_handshakes,
            handshakes + started,
            "TLS after {client:?}"
        );
        if step.tls_after {
            assert!(session.server.is_tls(), "on TLS after {client:?}");
        }
    }
    session
}

/// Replays `trace` through fresh sessions from `make`, whole, byte by byte
/// and, unless it has STLS (RFC 2595: nothing may follow STLS before the
/// handshake), pipelined.
pub fn replay_all_ways(make: impl Fn() -> Session, trace: &str) {
    let has_tls = parse(trace).steps.iter().any(|s| s.tls_after);
    for feed in [Feed::Whole, Feed::Bytewise, Feed::Pipelined] {
        if feed != Feed::Pipelined || !has_tls {
            replay(make(), trace, feed);
        }
    }
}
