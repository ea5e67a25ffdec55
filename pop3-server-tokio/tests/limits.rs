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

/// LOGIN-DELAY and EXPIRE are advertised as configured, and a second
/// login to a maildrop within the delay is refused with `[LOGIN-DELAY]`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_delay_is_advertised_and_enforced_per_maildrop() {
    let mut options = Options::default();
    options.protocol.login_delay = Some(900);
    options.protocol.expire = Some(pop3_proto::types::Expire::Days(30));
    let server = TestServer::start_with(options).await;

    let mut first = server.connect().await;
    first.line().await;
    let capa = String::from_utf8(first.multi("CAPA").await).unwrap();
    assert!(capa.contains("\r\nLOGIN-DELAY 900\r\n"), "{capa}");
    assert!(capa.contains("\r\nEXPIRE 30\r\n"), "{capa}");
    // A wrong password is not a login: it starts no delay.
    first.ok("USER alice").await;
    let refused = first.ask("PASS wrong").await;
    assert!(refused.starts_with("-ERR [AUTH]"), "{refused}");
    first.login(ALICE.0, ALICE.1).await;
    first.ok("QUIT").await;
    first.until_closed().await;

    let mut again = server.connect().await;
    again.line().await;
    again.ok("USER alice").await;
    let refused = again.ask(&format!("PASS {}", ALICE.1)).await;
    assert!(refused.starts_with("-ERR [LOGIN-DELAY]"), "{refused}");
    // The session stays in AUTHORIZATION; another maildrop is not held
    // back.
    again.login("carol", "c4r0l").await;
    again.ok("QUIT").await;
}

/// Without a LOGIN-DELAY, nothing is advertised and logins are not
/// limited.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_login_delay_logins_follow_each_other() {
    let server = TestServer::start().await;
    for _ in 0..2 {
        let mut wire = server.connect().await;
        wire.line().await;
        let capa = String::from_utf8(wire.multi("CAPA").await).unwrap();
        assert!(!capa.contains("LOGIN-DELAY"), "{capa}");
        assert!(!capa.contains("EXPIRE"), "{capa}");
        wire.login(ALICE.0, ALICE.1).await;
        wire.ok("QUIT").await;
        wire.until_closed().await;
    }
}
