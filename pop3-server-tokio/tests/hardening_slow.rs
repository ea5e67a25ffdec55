//! Slow and silent peers. Each is dropped at the idle deadline and gives
//! back what it held.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod hardening;

use std::time::{Duration, Instant};

use hardening::{Options, TestServer, maildir};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_never_reads_is_dropped_and_its_lock_released() {
    never_reading_peer(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tls_peer_that_never_reads_is_dropped_and_its_lock_released() {
    never_reading_peer(true).await;
}

/// Logs in (over STLS when `tls`), asks for 8 MiB and reads none of it.
async fn never_reading_peer(tls: bool) {
    let idle = Duration::from_millis(800);
    let server = TestServer::start(Options::idle(idle)).await;
    let inbox = server.maildir("alice");
    for i in 0..4 {
        maildir::deliver(
            &inbox,
            &format!("170000000{i}.big"),
            &maildir::message("big", 2 << 20),
        );
    }
    let mut stuck = server.connect().await;
    if tls {
        assert!(stuck.line().await.starts_with("+OK"));
        stuck.ok("STLS").await;
        stuck = stuck.upgrade(&server.cert_pem).await;
        stuck.ok("USER alice").await;
        stuck.ok("PASS wonderland").await;
    } else {
        stuck.greeted_login("alice", "wonderland").await;
    }
    stuck
        .send(b"RETR 1\r\nRETR 2\r\nRETR 3\r\nRETR 4\r\n")
        .await;
    let started = Instant::now();
    // While the server waits to write, the maildrop stays locked ...
    let mut other = server.connect().await;
    other.line().await;
    other.ok("USER alice").await;
    let answer = other.ask("PASS wonderland").await;
    assert!(answer.starts_with("-ERR [IN-USE]"), "{answer}");
    drop(other);
    // ... until the idle deadline passes with nothing read: then the
    // session is dropped and the lock released, deleting nothing.
    let mut released = None;
    while started.elapsed() < idle * 10 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut w = server.connect().await;
        w.line().await;
        w.ok("USER alice").await;
        if w.ask("PASS wonderland").await.starts_with("+OK") {
            released = Some(started.elapsed());
            w.ok("QUIT").await;
            break;
        }
    }
    let released = released.expect("the stuck session kept its lock");
    assert!(released >= idle, "dropped early: {released:?}");
    assert_eq!(maildir::count(&inbox), 4);
    drop(stuck);
}
