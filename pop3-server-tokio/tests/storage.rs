//! What the server does to the Maildir: deletions only after QUIT, nothing
//! lost on a dropped connection, deliveries during a session, messages
//! removed behind the server's back.

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
use pop3_proto::server::ServerConfig;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_connection_deletes_nothing() {
    let server = TestServer::start().await;
    server.deliver("alice", "1700000001.a.test", &message("a", 100));
    server.deliver("alice", "1700000002.b.test", &message("b", 100));
    let mut w = server.connect().await;
    w.line().await;
    w.login(ALICE.0, ALICE.1).await;
    w.ok("DELE 1").await;
    w.ok("DELE 2").await;
    drop(w);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server.stored("alice").len(), 2);
    // And the lock was released: a new session gets in and sees both.
    let mut w = server.connect().await;
    w.line().await;
    w.login(ALICE.0, ALICE.1).await;
    assert!(w.ok("STAT").await.starts_with("+OK 2 "));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_timeout_closes_without_update() {
    let server = TestServer::start_with(Options {
        protocol: ServerConfig {
            autologout: Duration::from_millis(400),
            ..Options::default().protocol
        },
        ..Options::default()
    })
    .await;
    server.deliver("alice", "1700000001.a.test", &message("a", 100));
    let mut w = server.connect().await;
    w.line().await;
    w.login(ALICE.0, ALICE.1).await;
    w.ok("DELE 1").await;
    let rest = w.until_closed().await;
    assert!(
        String::from_utf8_lossy(&rest).starts_with("-ERR"),
        "{rest:?}"
    );
    assert_eq!(server.stored("alice").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_during_a_session_wait_for_the_next() {
    let server = TestServer::start().await;
    server.deliver("alice", "1700000001.a.test", &message("a", 100));
    let mut w = server.connect().await;
    w.line().await;
    w.login(ALICE.0, ALICE.1).await;
    server.deliver("alice", "1700000002.b.test", &message("b", 100));
    assert!(w.ok("STAT").await.starts_with("+OK 1 "));
    w.ok("DELE 1").await;
    w.ok("QUIT").await;
    w.until_closed().await;
    let left = server.stored("alice");
    assert_eq!(left.len(), 1);
    assert!(left[0].to_string_lossy().contains("1700000002.b.test"));
    let mut w = server.connect().await;
    w.line().await;
    w.login(ALICE.0, ALICE.1).await;
    assert!(w.ok("STAT").await.starts_with("+OK 1 "));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn message_removed_by_another_program_gives_a_clean_error() {
    let server = TestServer::start().await;
    let gone = server.deliver("alice", "1700000001.a.test", &message("a", 100));
    server.deliver("alice", "1700000002.b.test", &message("b", 100));
    let mut w = server.connect().await;
    w.line().await;
    w.login(ALICE.0, ALICE.1).await;
    std::fs::remove_file(gone).unwrap();
    let answer = w.ask("RETR 1").await;
    assert!(answer.starts_with("-ERR"), "{answer}");
    // The session goes on.
    assert!(String::from_utf8_lossy(&w.multi("RETR 2").await).contains("Subject: b"));
    w.ok("DELE 1").await;
    w.ok("QUIT").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uidl_survives_flag_renames_and_sessions() {
    let server = TestServer::start().await;
    let path = server.deliver("alice", "1700000001.a.test", &message("a", 100));
    let uidl = |server: &TestServer| {
        let plain = server.plain;
        async move {
            let mut w = common::Wire::connect(plain).await;
            w.line().await;
            w.login(ALICE.0, ALICE.1).await;
            let list = w.multi("UIDL").await;
            w.ok("QUIT").await;
            w.until_closed().await;
            list
        }
    };
    let before = uidl(&server).await;
    let renamed = server
        .maildir("alice")
        .join("cur")
        .join("1700000001.a.test:2,S");
    std::fs::rename(path, renamed).unwrap();
    let after = uidl(&server).await;
    assert_eq!(before, after);
}

/// UIDL of one whole session as alice.
async fn uidl_session(server: &TestServer) -> String {
    let mut w = server.connect().await;
    w.line().await;
    w.login(ALICE.0, ALICE.1).await;
    let list = w.multi("UIDL").await;
    w.ok("QUIT").await;
    w.until_closed().await;
    String::from_utf8(list).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reused_listing_still_sees_deliveries_and_removals() {
    let server = TestServer::start().await;
    let a = server.deliver("alice", "1700000001.a.test", &message("a", 100));
    server.deliver("alice", "1700000002.b.test", &message("b", 100));
    // Let new/ and cur/ settle, so the next listing is recorded as
    // reusable while they stay as they are.
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let first = uidl_session(&server).await;
    assert!(first.contains("1700000001.a.test") && first.contains("1700000002.b.test"));
    let cache = std::fs::read_to_string(server.maildir("alice").join("pop3d-cache")).unwrap();
    let header = cache.lines().next().unwrap();
    assert!(
        header.starts_with("pop3d-size-cache 2 2 ") && !header.ends_with(" -"),
        "{header}"
    );
    // Unchanged: the same answer from the recorded listing.
    assert_eq!(uidl_session(&server).await, first);
    // Another program delivers one message and removes another.
    server.deliver("alice", "1700000003.c.test", &message("c", 100));
    std::fs::remove_file(a).unwrap();
    let after = uidl_session(&server).await;
    assert!(!after.contains("1700000001.a.test"), "{after}");
    assert!(after.contains("1 1700000002.b.test"), "{after}");
    assert!(after.contains("2 1700000003.c.test"), "{after}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_user_names_never_reach_the_file_system() {
    let server = TestServer::start_with(Options {
        extra_users: String::new(),
        ..Options::default()
    })
    .await;
    for name in ["../alice", "a/b", "%u", ".."] {
        let mut w = server.connect().await;
        w.line().await;
        let user = w.ask(&format!("USER {name}")).await;
        if user.starts_with("+OK") {
            let answer = w.ask("PASS wonderland").await;
            assert!(answer.starts_with("-ERR"), "{name}: {answer}");
        }
    }
    assert!(
        !server
            .dir
            .path()
            .join("mail")
            .join("..")
            .join("alice")
            .exists()
    );
    assert!(!server.dir.path().join("mail/a").exists());
}

/// Another mail reader renames every message during the session (an IMAP
/// client marking them seen): each is still retrieved, and deleted at
/// QUIT, under its new name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_renamed_mid_session_are_retrieved_and_deleted() {
    let server = TestServer::start().await;
    let count = 40;
    let mut paths = Vec::new();
    for i in 0..count {
        let name = format!("17000000{i:02}.r{i}.test");
        paths.push((
            name.clone(),
            server.deliver("alice", &name, &message(&format!("r{i}"), 300)),
        ));
    }
    let mut w = server.connect().await;
    w.line().await;
    w.login(ALICE.0, ALICE.1).await;
    let cur = server.maildir("alice").join("cur");
    for (name, path) in &paths {
        std::fs::rename(path, cur.join(format!("{name}:2,S"))).unwrap();
    }
    for i in 0..count {
        w.ok(&format!("RETR {}", i + 1)).await;
        let body = w.body().await;
        let expected = common::wire_body(&message(&format!("r{i}"), 300));
        assert_eq!(body, expected, "message {}", i + 1);
        w.ok(&format!("DELE {}", i + 1)).await;
    }
    w.ok("QUIT").await;
    w.until_closed().await;
    assert!(server.stored("alice").is_empty());
}
