//! C:/S: dialogue traces replayed through the server.
//!
//! A trace is a list of lines `C: text` (client) and `S: text` (server).
//! Consecutive client lines are one step; the server lines after them are
//! what the server must write in answer, byte for byte (CRLF added).

use super::Session;

/// How client bytes are handed to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feed {
    /// Each step in one chunk.
    Whole,
    /// One byte at a time.
    Bytewise,
    /// Each step with the next step's bytes appended in the same chunk is
    /// not possible for a step-by-step check, so all client lines go in
    /// one chunk and the whole output is compared at once (pipelining).
    Pipelined,
}

struct Step {
    client: String,
    server: String,
}

fn steps(trace: &str) -> (String, Vec<Step>) {
    let mut greeting = String::new();
    let mut steps: Vec<Step> = Vec::new();
    for line in trace.lines().map(str::trim_start).filter(|l| !l.is_empty()) {
        if let Some(c) = line.strip_prefix("C: ").or(line.strip_prefix("C:")) {
            match steps.last_mut() {
                Some(step) if step.server.is_empty() => step.client += &format!("{c}\r\n"),
                _ => steps.push(Step {
                    client: format!("{c}\r\n"),
                    server: String::new(),
                }),
            }
        } else if let Some(s) = line.strip_prefix("S: ").or(line.strip_prefix("S:")) {
            match steps.last_mut() {
                Some(step) => step.server += &format!("{s}\r\n"),
                None => greeting += &format!("{s}\r\n"),
            }
        } else {
            panic!("trace line without C: or S: {line:?}");
        }
    }
    (greeting, steps)
}

/// Replays `trace` through `session`, asserting every server line.
pub fn replay(mut session: Session, trace: &str, feed: Feed) -> Session {
    let (greeting, steps) = steps(trace);
    assert_eq!(session.greeting(), greeting, "greeting");
    if feed == Feed::Pipelined {
        let client: String = steps.iter().map(|s| s.client.as_str()).collect();
        let server: String = steps.iter().map(|s| s.server.as_str()).collect();
        assert_eq!(session.send(client.as_bytes()), server, "pipelined");
        return session;
    }
    for step in steps {
        let got = match feed {
            Feed::Whole => session.send(step.client.as_bytes()),
            _ => session.send_bytewise(step.client.as_bytes()),
        };
        assert_eq!(got, step.server, "after client sent {:?}", step.client);
    }
    session
}

/// Replays `trace` three ways, each on a fresh session from `make`.
pub fn replay_all_ways(make: impl Fn() -> Session, trace: &str) {
    for feed in [Feed::Whole, Feed::Bytewise, Feed::Pipelined] {
        replay(make(), trace, feed);
    }
}

/// Replays `trace` through the client: each client line is issued as a
/// command, the client must write exactly those lines, read the server
/// lines without a protocol error, and report one reply per command with
/// the same success or failure.
pub fn replay_client(trace: &str) {
    use pop3_proto::client::{Client, ClientConfig, ClientEvent};

    let (greeting, steps) = steps(trace);
    let mut client = Client::new(ClientConfig::default());
    client.handle_input(greeting.as_bytes()).unwrap();
    assert!(matches!(
        client.poll_event(),
        Some(ClientEvent::Greeting(Ok(_)))
    ));
    for step in steps {
        let mut sent = 0;
        for line in step.client.split_terminator("\r\n") {
            let command = pop3_proto::parse::command(line.as_bytes()).unwrap();
            client.send(command).unwrap();
            sent += 1;
        }
        let mut written = Vec::new();
        while let Some(bytes) = client.poll_transmit() {
            written.extend_from_slice(&bytes);
        }
        client.handle_input(step.server.as_bytes()).unwrap();
        while let Some(bytes) = client.poll_transmit() {
            written.extend_from_slice(&bytes);
        }
        assert_eq!(
            String::from_utf8(written).unwrap(),
            step.client,
            "client wrote"
        );
        let (mut ok, mut err) = (0, 0);
        while let Some(event) = client.poll_event() {
            match event {
                ClientEvent::Reply { result: Ok(_), .. } => ok += 1,
                ClientEvent::Reply { result: Err(_), .. } => err += 1,
                ClientEvent::BodyChunk { .. } | ClientEvent::BodyEnd { .. } => {}
                other => panic!("unexpected client event {other:?}"),
            }
        }
        let expected_err = step
            .server
            .lines()
            .filter(|l| l.starts_with("-ERR"))
            .count();
        assert_eq!(
            (ok + err, err),
            (sent, expected_err),
            "replies to {:?}",
            step.client
        );
    }
}
