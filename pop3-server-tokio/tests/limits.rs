//! Connection caps and graceful shutdown.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::Duration;

use common::{ALICE, Options, TestServer, message};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_address_cap_refuses_with_a_reason() {
    let server = TestServer::start_with(Options {
        max_per_ip: 2,
        ..Options::default()
    })
    .await;
    let mut a = server.connect().await;
    let mut b = server.connect().await;
    assert!(a.line().await.starts_with("+OK"));
    assert!(b.line().await.starts_with("+OK"));
    let mut c = server.connect().await;
    let refused = c.line().await;
    assert!(refused.starts_with("-ERR [SYS/TEMP]"), "{refused}");
    assert!(c.until_closed().await.is_empty());
    a.ok("QUIT").await;
    a.until_closed().await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut d = server.connect().await;
    assert!(d.line().await.starts_with("+OK"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_sessions_finish_then_ends_idle_ones() {
    let mut server = TestServer::start_with(Options {
        grace: Duration::from_millis(500),
        ..Options::default()
    })
    .await;
    server.deliver("alice", "1700000001.a.test", &message("a", 100));
    server.deliver("carol", "1700000001.c.test", &message("c", 100));
    let mut busy = server.connect().await;
    busy.line().await;
    busy.login(ALICE.0, ALICE.1).await;
    let mut idle = server.connect().await;
    idle.line().await;
    idle.login("carol", "c4r0l").await;
    idle.ok("DELE 1").await;

    let stopping = server.begin_stop();
    tokio::time::sleep(Duration::from_millis(100)).await;
    // New connections are no longer accepted.
    assert!(tokio::net::TcpStream::connect(server.plain).await.is_err());
    // A session within the grace period completes normally, UPDATE included.
    busy.ok("DELE 1").await;
    busy.ok("QUIT").await;
    busy.until_closed().await;
    // The idle one is told, after the grace period, and deletes nothing.
    let rest = idle.until_closed().await;
    assert!(
        String::from_utf8_lossy(&rest).starts_with("-ERR [SYS/TEMP]"),
        "{rest:?}"
    );
    stopping.await.unwrap();
    assert!(server.stored("alice").is_empty());
    assert_eq!(server.stored("carol").len(), 1);
}
