//! The session scenarios every store must pass, over a real socket.

use std::time::{Duration, Instant};

use pop3_proto::body::wire_size;

use super::backend::Backend;
use super::server::{Served, ServerOptions, passwd_users};
use crate::common::{Wire, message, wire_body};

async fn start<B: Backend>(options: ServerOptions) -> (B, Served) {
    let backend = B::create().await;
    let served = Served::start(passwd_users(), backend.store(), options).await;
    (backend, served)
}

pub async fn login(served: &Served) -> Wire {
    let mut w = Wire::connect(served.addr).await;
    assert!(w.line().await.starts_with("+OK"));
    w.login("alice", "wonderland").await;
    w
}

/// Logs in, retrying while the maildrop is still locked by a session
/// that just ended (a lock held by a closing database connection is
/// released when the database notices); gives up after 10 s.
pub async fn login_when_free(addr: std::net::SocketAddr) -> Wire {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut w = Wire::connect(addr).await;
        assert!(w.line().await.starts_with("+OK"));
        w.ok("USER alice").await;
        let answer = w.ask("PASS wonderland").await;
        if answer.starts_with("+OK") {
            return w;
        }
        assert!(answer.starts_with("-ERR [IN-USE]"), "{answer}");
        assert!(Instant::now() < deadline, "maildrop still locked");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn full_session_with_every_command<B: Backend>() {
    let (backend, served) = start::<B>(ServerOptions::default()).await;
    let one = message("one", 300);
    let two = b"Subject: two\n\nno final newline".to_vec();
    backend.deliver("alice", &one).await;
    backend.deliver("alice", &two).await;
    let mut w = login(&served).await;
    let size = |b: &[u8]| wire_size(b);
    assert_eq!(
        w.ok("STAT").await,
        format!("+OK 2 {}", size(&one) + size(&two))
    );
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
    assert_eq!(w.multi("RETR 1").await, wire_body(&one));
    let retr_two = w.multi("RETR 2").await;
    assert_eq!(retr_two, b"Subject: two\r\n\r\nno final newline\r\n");
    assert_eq!(retr_two.len() as u64, size(&two));
    let top = w.multi("TOP 1 1").await;
    assert_eq!(
        top,
        b"From: sender@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\n..leading dot\r\n"
    );
    assert!(w.ask("RETR 3").await.starts_with("-ERR"));
    w.ok("DELE 1").await;
    assert!(w.ask("RETR 1").await.starts_with("-ERR"));
    assert_eq!(w.ok("STAT").await, format!("+OK 1 {}", size(&two)));
    w.ok("RSET").await;
    assert_eq!(
        w.ok("STAT").await,
        format!("+OK 2 {}", size(&one) + size(&two))
    );
    w.ok("DELE 2").await;
    w.ok("QUIT").await;
    assert!(w.until_closed().await.is_empty());
    assert_eq!(backend.stored("alice").await, vec![one]);
}

pub async fn pipelined_burst_is_answered_in_order<B: Backend>() {
    let (backend, served) = start::<B>(ServerOptions::default()).await;
    for i in 0..5 {
        backend
            .deliver("alice", &message(&format!("m{i}"), 2000))
            .await;
    }
    let mut w = Wire::connect(served.addr).await;
    w.line().await;
    let mut burst = String::from("USER alice\r\nPASS wonderland\r\nSTAT\r\n");
    for i in 1..=5 {
        burst.push_str(&format!("RETR {i}\r\nDELE {i}\r\n"));
    }
    burst.push_str("QUIT\r\n");
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
    assert!(w.until_closed().await.is_empty());
    assert!(backend.stored("alice").await.is_empty());
}

pub async fn large_message_streams_exactly<B: Backend>() {
    let (backend, served) = start::<B>(ServerOptions::default()).await;
    let big = message("big", 5 * 1024 * 1024 + 77);
    backend.deliver("alice", &big).await;
    let mut w = login(&served).await;
    let listed: u64 = w
        .ok("LIST 1")
        .await
        .rsplit(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(listed, wire_size(&big));
    let body = w.multi("RETR 1").await;
    assert_eq!(body, wire_body(&big));
    w.ok("QUIT").await;
}

pub async fn dropped_connection_deletes_nothing<B: Backend>() {
    let (backend, served) = start::<B>(ServerOptions::default()).await;
    backend.deliver("alice", &message("a", 100)).await;
    backend.deliver("alice", &message("b", 100)).await;
    let mut w = login(&served).await;
    w.ok("DELE 1").await;
    w.ok("DELE 2").await;
    drop(w);
    let mut w = login_when_free(served.addr).await;
    assert!(w.ok("STAT").await.starts_with("+OK 2 "));
    assert_eq!(backend.stored("alice").await.len(), 2);
}

pub async fn idle_timeout_closes_without_update<B: Backend>() {
    let (backend, served) = start::<B>(ServerOptions {
        autologout: Duration::from_millis(400),
        ..ServerOptions::default()
    })
    .await;
    backend.deliver("alice", &message("a", 100)).await;
    let mut w = login(&served).await;
    w.ok("DELE 1").await;
    let rest = w.until_closed().await;
    assert!(
        String::from_utf8_lossy(&rest).starts_with("-ERR"),
        "{rest:?}"
    );
    assert_eq!(backend.stored("alice").await.len(), 1);
}

pub async fn deliveries_during_a_session_wait_for_the_next<B: Backend>() {
    let (backend, served) = start::<B>(ServerOptions::default()).await;
    let first = message("a", 100);
    let second = message("b", 100);
    backend.deliver("alice", &first).await;
    let mut w = login(&served).await;
    backend.deliver("alice", &second).await;
    assert!(w.ok("STAT").await.starts_with("+OK 1 "));
    w.ok("DELE 1").await;
    w.ok("QUIT").await;
    w.until_closed().await;
    assert_eq!(backend.stored("alice").await, vec![second.clone()]);
    let mut w = login_when_free(served.addr).await;
    assert!(w.ok("STAT").await.starts_with("+OK 1 "));
    assert_eq!(w.multi("RETR 1").await, wire_body(&second));
}

pub async fn message_removed_by_another_program_gives_a_clean_error<B: Backend>() {
    let (backend, served) = start::<B>(ServerOptions::default()).await;
    backend.deliver("alice", &message("a", 100)).await;
    backend.deliver("alice", &message("b", 100)).await;
    let mut w = login(&served).await;
    backend.remove_behind("alice", 0).await;
    let answer = w.ask("RETR 1").await;
    assert!(answer.starts_with("-ERR"), "{answer}");
    assert!(String::from_utf8_lossy(&w.multi("RETR 2").await).contains("Subject: b"));
    w.ok("DELE 1").await;
    w.ok("QUIT").await;
}

pub async fn uidl_is_stable_across_sessions<B: Backend>() {
    let (backend, served) = start::<B>(ServerOptions::default()).await;
    for tag in ["a", "b", "c"] {
        backend.deliver("alice", &message(tag, 100)).await;
    }
    let mut w = login(&served).await;
    let before = String::from_utf8(w.multi("UIDL").await).unwrap();
    let uids: Vec<String> = before
        .lines()
        .map(|l| l.split(' ').nth(1).unwrap().to_owned())
        .collect();
    w.ok("DELE 2").await;
    w.ok("QUIT").await;
    w.until_closed().await;
    let mut w = login_when_free(served.addr).await;
    let after = String::from_utf8(w.multi("UIDL").await).unwrap();
    assert_eq!(after, format!("1 {}\r\n2 {}\r\n", uids[0], uids[2]));
    w.ok("QUIT").await;
}

pub async fn second_session_gets_in_use<B: Backend>() {
    let (backend, served) = start::<B>(ServerOptions::default()).await;
    backend.deliver("alice", &message("a", 100)).await;
    let mut a = login(&served).await;
    let mut b = Wire::connect(served.addr).await;
    b.line().await;
    b.ok("USER alice").await;
    let answer = b.ask("PASS wonderland").await;
    assert!(answer.starts_with("-ERR [IN-USE]"), "{answer}");
    // Another user is not affected.
    let mut c = Wire::connect(served.addr).await;
    c.line().await;
    c.login("carol", "c4r0l").await;
    assert!(c.ok("STAT").await.starts_with("+OK 0 "));
    a.ok("QUIT").await;
    a.until_closed().await;
    // QUIT gives the lock back before its answer: no retry needed.
    let mut d = login(&served).await;
    d.ok("QUIT").await;
}
