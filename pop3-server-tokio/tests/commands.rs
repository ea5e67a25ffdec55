//! Every transaction command over a real socket, against a real Maildir.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{ALICE, TestServer, message, wire_body};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_session_with_every_command() {
    let server = TestServer::start().await;
    let one = message("one", 300);
    let two = b"Subject: two\n\nno final newline".to_vec();
    server.deliver("alice", "1700000001.M1P1.test", &one);
    server.deliver("alice", "1700000002.M2P1.test", &two);
    let mut w = server.connect().await;
    let greeting = w.line().await;
    assert!(greeting.starts_with("+OK"), "{greeting}");

    let capa = String::from_utf8(w.multi("CAPA").await).unwrap();
    for cap in [
        "USER",
        "UIDL",
        "TOP",
        "PIPELINING",
        "RESP-CODES",
        "STLS",
        "AUTH-RESP-CODE",
    ] {
        assert!(
            capa.lines().any(|l| l.starts_with(cap)),
            "{cap} missing from {capa}"
        );
    }
    w.login(ALICE.0, ALICE.1).await;

    let size = |b: &[u8]| pop3_proto::body::wire_size(b);
    let stat = w.ok("STAT").await;
    assert_eq!(stat, format!("+OK 2 {}", size(&one) + size(&two)));
    let list = String::from_utf8(w.multi("LIST").await).unwrap();
    assert_eq!(list, format!("1 {}\r\n2 {}\r\n", size(&one), size(&two)));
    assert_eq!(w.ok("LIST 2").await, format!("+OK 2 {}", size(&two)));
    let uidl = String::from_utf8(w.multi("UIDL").await).unwrap();
    assert_eq!(uidl.lines().count(), 2);
    let first_uid = uidl
        .lines()
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .to_owned();
    assert_eq!(w.ok("UIDL 1").await, format!("+OK 1 {first_uid}"));

    // RETR sends the CRLF, dot-stuffed form, exactly as long as listed.
    assert_eq!(w.multi("RETR 1").await, wire_body(&one));
    let retr_two = w.multi("RETR 2").await;
    assert_eq!(retr_two, b"Subject: two\r\n\r\nno final newline\r\n");
    assert_eq!(retr_two.len() as u64, size(&two));

    // TOP: headers, the blank line, then n body lines.
    let top = w.multi("TOP 1 1").await;
    assert_eq!(
        top,
        b"From: sender@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\n..leading dot\r\n"
    );
    assert!(w.multi("TOP 1 0").await.ends_with(b"Subject: one\r\n\r\n"));

    assert!(w.ask("RETR 3").await.starts_with("-ERR"));
    w.ok("DELE 1").await;
    assert!(w.ask("RETR 1").await.starts_with("-ERR"));
    assert!(w.ask("DELE 1").await.starts_with("-ERR"));
    assert_eq!(w.ok("STAT").await, format!("+OK 1 {}", size(&two)));
    w.ok("RSET").await;
    assert_eq!(
        w.ok("STAT").await,
        format!("+OK 2 {}", size(&one) + size(&two))
    );
    w.ok("NOOP").await;
    w.ok("DELE 2").await;
    w.ok("QUIT").await;
    assert!(w.until_closed().await.is_empty());

    // Only message 2 was removed, and only after QUIT.
    let left = server.stored("alice");
    assert_eq!(left.len(), 1);
    assert_eq!(std::fs::read(&left[0]).unwrap(), one);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipelined_burst_is_answered_in_order() {
    let server = TestServer::start().await;
    for i in 0..5 {
        server.deliver(
            "alice",
            &format!("17000000{i:02}.M{i}P1.test"),
            &message(&format!("m{i}"), 2000),
        );
    }
    let mut w = server.connect().await;
    w.line().await;
    let mut burst = String::from("USER alice\r\nPASS wonderland\r\nSTAT\r\n");
    for i in 1..=5 {
        burst.push_str(&format!("RETR {i}\r\nDELE {i}\r\n"));
    }
    burst.push_str("NOOP\r\nQUIT\r\n");
    w.send(burst.as_bytes()).await;
    assert!(w.line().await.starts_with("+OK"));
    assert!(w.line().await.starts_with("+OK"));
    assert!(w.line().await.starts_with("+OK 5 "));
    for i in 0..5 {
        assert!(w.line().await.starts_with("+OK"));
        let body = w.body().await;
        assert!(String::from_utf8_lossy(&body).contains(&format!("Subject: m{i}")));
        assert!(w.line().await.starts_with("+OK"), "DELE {}", i + 1);
    }
    assert!(w.line().await.starts_with("+OK"));
    assert!(w.line().await.starts_with("+OK"));
    assert!(w.until_closed().await.is_empty());
    assert!(server.stored("alice").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_message_streams_exactly() {
    let server = TestServer::start().await;
    let big = message("big", 5 * 1024 * 1024);
    server.deliver("alice", "1700000000.big.test", &big);
    let mut w = server.connect().await;
    w.line().await;
    w.login(ALICE.0, ALICE.1).await;
    let listed: u64 = w
        .ok("LIST 1")
        .await
        .rsplit(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let body = w.multi("RETR 1").await;
    assert_eq!(body, wire_body(&big));
    let unstuffed_len = body.len() as u64 - 1; // one stuffed dot
    assert_eq!(unstuffed_len, listed);
    w.ok("QUIT").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_commands_get_errors_and_too_many_close() {
    let server = TestServer::start().await;
    let mut w = server.connect().await;
    w.line().await;
    assert!(w.ask("FROB").await.starts_with("-ERR"));
    assert!(w.ask("STAT").await.starts_with("-ERR"));
    assert!(w.ask("RETR x").await.starts_with("-ERR"));
    // A line far over the limit is refused, and the session goes on.
    let long = format!("USER {}", "a".repeat(5000));
    assert!(w.ask(&long).await.starts_with("-ERR"));
    w.ok("USER alice").await;
    w.send("FROB\r\n".repeat(30).as_bytes()).await;
    let rest = w.until_closed().await;
    assert!(String::from_utf8_lossy(&rest).contains("-ERR"));
}
