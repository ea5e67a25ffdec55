//! Credential spraying: one password tried against many users from one
//! address. Each failure from that address waits longer than the last;
//! another address starts from the base delay; no account is locked, so
//! the right password still works at once.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod hardening;

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use hardening::{Options, TestServer, Wire};

const BASE: Duration = Duration::from_millis(50);
const MAX: Duration = Duration::from_millis(800);

/// One failed login as `user` from `from`; how long the refusal took.
async fn failed_login(addr: SocketAddr, from: IpAddr, user: &str) -> Duration {
    let mut w = Wire::connect_from(from, addr).await;
    assert!(w.line().await.starts_with("+OK"));
    w.ok(&format!("USER {user}")).await;
    let asked = Instant::now();
    let answer = w.ask("PASS Summer2025!").await;
    let took = asked.elapsed();
    assert!(answer.starts_with("-ERR [AUTH]"), "{user}: {answer}");
    took
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spraying_is_slowed_per_address_and_locks_no_account() {
    let server = TestServer::start(Options {
        penalty_base: BASE,
        penalty_max: MAX,
        ..Options::default()
    })
    .await;
    let sprayer: IpAddr = "127.0.0.1".parse().unwrap();
    let bystander: IpAddr = "127.0.0.2".parse().unwrap();
    let users = ["alice", "carol", "dave", "admin", "root", "test"];
    let mut delays = Vec::new();
    for (i, user) in users.iter().enumerate() {
        let took = failed_login(server.addr, sprayer, user).await;
        // The delay doubles with each failure from this address, up to
        // the ceiling: the server waits at least that long.
        let owed = BASE.saturating_mul(1 << i).min(MAX);
        assert!(took >= owed, "attempt {}: {took:?} < {owed:?}", i + 1);
        delays.push(took);
    }
    eprintln!("refusal times from one address: {delays:?}");
    // Another login method draws on the same account of failures.
    let mut w = Wire::connect_from(sprayer, server.addr).await;
    assert!(w.line().await.starts_with("+OK"));
    let asked = Instant::now();
    let answer = w.ask("AUTH PLAIN AGFsaWNlAGd1ZXNz").await;
    let took = asked.elapsed();
    assert!(answer.starts_with("-ERR [AUTH]"), "{answer}");
    assert!(took >= MAX, "AUTH PLAIN refused after {took:?}");

    // Another address is not charged for the sprayer's failures: its first
    // refusal comes after the base delay, not the grown one.
    let other = failed_login(server.addr, bystander, "alice").await;
    eprintln!("first refusal from another address: {other:?}");
    assert!(other >= BASE);
    assert!(other < MAX, "{other:?}: charged for another address");

    // No account was locked: the right passwords work, from the
    // sprayer's own address too, and are answered without a penalty
    // wait (the penalty applies to failures only).
    for (user, password) in [("carol", "c4r0l"), ("alice", "wonderland")] {
        let mut w = Wire::connect_from(sprayer, server.addr).await;
        w.greeted_login(user, password).await;
        w.ok("STAT").await;
        w.ok("QUIT").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_session_gets_only_a_few_guesses() {
    let server = TestServer::start(Options::default()).await;
    let limit = pop3_proto::server::ServerConfig::default().max_login_failures;
    let mut w = server.connect().await;
    assert!(w.line().await.starts_with("+OK"));
    for _ in 0..limit {
        w.ok("USER alice").await;
        let answer = w.ask("PASS guess").await;
        assert!(answer.starts_with("-ERR"), "{answer}");
    }
    // The session is over: a further guess goes nowhere.
    let rest = w.until_closed().await;
    assert!(rest.is_empty(), "{:?}", String::from_utf8_lossy(&rest));
    server.still_serves().await;
}
