//! Command parsing and a whole in-memory server session.
//!
//! `parse_commands` parses a realistic mix of command lines; `session`
//! runs a complete POP3 session through the server core with no sockets:
//! greeting, USER/PASS, LIST, RETR of 100 messages of 4 KiB, QUIT. Its
//! throughput is sessions per second.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pop3_proto::parse;
use pop3_proto::server::{
    BodyDemand, CommitOutcome, ConnectionParams, Event, Maildrop, MessageEntry, Server,
    ServerConfig, TlsMode,
};

const LINES: &[&[u8]] = &[
    b"USER alice@example.org",
    b"PASS correct horse battery staple",
    b"STAT",
    b"LIST",
    b"UIDL",
    b"RETR 17",
    b"TOP 4096 0",
    b"DELE 17",
    b"NOOP",
    b"RSET",
    b"LIST 123456",
    b"AUTH PLAIN AGFsaWNlAHNlY3JldA==",
    b"CAPA",
    b"QUIT",
];

fn parse_commands(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Elements(LINES.len() as u64));
    group.bench_function("commands", |b| {
        b.iter(|| {
            for line in LINES {
                black_box(parse::command(black_box(line)).unwrap());
            }
        })
    });
    group.finish();
}

/// A 4 KiB message stored with LF line endings.
fn message() -> Vec<u8> {
    let mut m = b"From: a@example.org\nTo: b@example.org\nSubject: bench\n\n".to_vec();
    while m.len() < 4096 - 72 {
        m.extend_from_slice(&[b'x'; 71]);
        m.push(b'\n');
    }
    m
}

fn run_session(
    config: &Arc<ServerConfig>,
    messages: &[Vec<u8>],
    maildrop: &Maildrop,
    input: &[u8],
) -> usize {
    let now = Instant::now();
    let params = ConnectionParams {
        tls: TlsMode::None,
        cleartext_without_tls: true,
        apop_timestamp: None,
        random: [1; 32],
    };
    let mut server = Server::new(Arc::clone(config), params, now);
    server.handle_input(now, input);
    let mut written = 0;
    let mut body: Option<&[u8]> = None;
    loop {
        let mut progressed = false;
        while let Some(event) = server.poll_event() {
            progressed = true;
            match event {
                Event::Login(request) => server.accept_login(request, maildrop.clone()).unwrap(),
                Event::Retrieve(request) => {
                    body = messages.get(request.index()).map(Vec::as_slice);
                    server.retrieve_start(request).unwrap();
                }
                Event::Commit(request) => server.commit_done(request, CommitOutcome::Done).unwrap(),
                Event::Closed(_) => {}
                other => panic!("unexpected {other:?}"),
            }
        }
        if server.body_demand() == BodyDemand::Wanted {
            if let Some(data) = body.take() {
                server.body_data(data).unwrap();
            } else {
                server.body_end().unwrap();
            }
            progressed = true;
        }
        while let Some(bytes) = server.poll_transmit(now) {
            written += bytes.len();
            progressed = true;
        }
        if !progressed {
            return written;
        }
    }
}

fn session(c: &mut Criterion) {
    let config = Arc::new(ServerConfig::default());
    let messages: Vec<Vec<u8>> = (0..100).map(|_| message()).collect();
    let entries = messages
        .iter()
        .enumerate()
        .map(|(i, m)| MessageEntry {
            size: pop3_proto::body::wire_size(m),
            uid: format!("uid{i}").parse().unwrap(),
        })
        .collect();
    let maildrop = Maildrop::new(entries).unwrap();
    let mut input = b"USER alice\r\nPASS secret\r\nLIST\r\n".to_vec();
    for i in 1..=100 {
        input.extend_from_slice(format!("RETR {i}\r\n").as_bytes());
    }
    input.extend_from_slice(b"QUIT\r\n");
    assert!(run_session(&config, &messages, &maildrop, &input) > 400_000);
    let mut group = c.benchmark_group("server");
    group.throughput(Throughput::Elements(1));
    group.bench_function("session_100x4KiB", |b| {
        b.iter(|| {
            black_box(run_session(
                &config,
                &messages,
                &maildrop,
                black_box(&input),
            ))
        })
    });
    group.finish();
}

criterion_group!(benches, parse_commands, session);
criterion_main!(benches);
