//! Slow and silent peers: slowloris trickles, and clients that never
//! read. Each is dropped at the idle deadline, and none keeps a normal
//! client from being served.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod hardening;

use std::net::IpAddr;
use std::time::{Duration, Instant};

use hardening::{Options, TestServer, Wire, maildir};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What a trickling client saw: when the server closed (if it did while
/// the client was still trickling) and the bytes it received.
struct Trickled {
    closed_after: Option<Duration>,
    received: Vec<u8>,
}

/// Connects and sends `bytes` one octet every `every`, for at most
/// `patience`, while reading whatever the server sends; stops when the
/// server closes.
async fn trickle(
    addr: std::net::SocketAddr,
    bytes: &'static [u8],
    every: Duration,
    patience: Duration,
) -> Trickled {
    let stream = TcpStream::connect(addr).await.unwrap();
    let started = Instant::now();
    let (mut reader, mut writer) = stream.into_split();
    let reading = tokio::spawn(async move {
        let mut received = Vec::new();
        let _ = reader.read_to_end(&mut received).await;
        (started.elapsed(), received)
    });
    let mut next = bytes.iter().cycle();
    while started.elapsed() < patience && !reading.is_finished() {
        let byte = *next.next().unwrap();
        if writer.write_all(&[byte]).await.is_err() {
            break;
        }
        tokio::time::sleep(every).await;
    }
    if reading.is_finished() {
        let (closed_after, received) = reading.await.unwrap();
        Trickled {
            closed_after: Some(closed_after),
            received,
        }
    } else {
        reading.abort();
        Trickled {
            closed_after: None,
            received: Vec::new(),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slowloris_is_dropped_at_the_idle_deadline() {
    let idle = Duration::from_millis(800);
    let server = TestServer::start(Options {
        max_per_ip: 4,
        ..Options::idle(idle)
    })
    .await;
    maildir::deliver(&server.maildir("carol"), "1.c", &maildir::message("c", 100));
    // Four peers trickle a byte every 150 ms: one never ends a line, the
    // others would, slowly, form commands.
    let patience = idle * 8;
    let every = Duration::from_millis(150);
    let lines: [&'static [u8]; 4] = [
        b"USERRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRR",
        b"NOOP\r\n",
        b"USER carol\r\n",
        b"CAPA\r\n",
    ];
    let clients: Vec<_> = lines
        .into_iter()
        .map(|line| tokio::spawn(trickle(server.addr, line, every, patience)))
        .collect();
    tokio::time::sleep(Duration::from_millis(100)).await;
    // They hold every place this address may have, and no more.
    let mut fifth = server.connect().await;
    let refused = fifth.line().await;
    assert!(refused.starts_with("-ERR [SYS/TEMP]"), "{refused}");
    for client in clients {
        let seen = client.await.unwrap();
        let closed_after = seen
            .closed_after
            .expect("a trickling peer outlived the idle deadline");
        assert!(closed_after >= idle, "closed early: {closed_after:?}");
        let text = String::from_utf8_lossy(&seen.received);
        assert!(text.starts_with("+OK"), "{text}");
        assert!(text.contains("-ERR"), "no autologout line: {text}");
    }
    // Their places are free again.
    server.still_serves().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_do_not_block_a_normal_client() {
    // The deadline is long here: the slow clients must still be connected
    // while the normal session runs.
    let server = TestServer::start(Options {
        max_connections: 512,
        max_per_ip: 512,
        ..Options::idle(Duration::from_secs(60))
    })
    .await;
    let big = maildir::message("big", 1 << 20);
    maildir::deliver(&server.maildir("alice"), "1700000000.big", &big);
    let mut slow = Vec::new();
    for _ in 0..200 {
        slow.push(tokio::spawn(trickle(
            server.addr,
            b"USER alice\r\n",
            Duration::from_millis(200),
            Duration::from_secs(60),
        )));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut w = server.connect().await;
    w.greeted_login("alice", "wonderland").await;
    assert_eq!(w.multi("RETR 1").await, maildir::wire_body(&big));
    w.ok("DELE 1").await;
    w.ok("QUIT").await;
    assert!(w.until_closed().await.is_empty());
    assert!(maildir::stored(&server.maildir("alice")).is_empty());
    // Every slow client was still being served all along.
    for client in &slow {
        assert!(!client.is_finished(), "a slow client was dropped early");
    }
    for client in slow {
        client.abort();
    }
}

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_tls_handshake_is_dropped() {
    let limit = Duration::from_millis(500);
    let server = TestServer::start(Options {
        handshake_timeout: limit,
        ..Options::idle(Duration::from_secs(60))
    })
    .await;
    let mut w = server.connect().await;
    assert!(w.line().await.starts_with("+OK"));
    w.ok("STLS").await;
    // The client never starts the handshake (or trickles it): the server
    // gives up after the handshake limit, long before the idle deadline.
    let started = Instant::now();
    let rest = w.until_closed().await;
    let closed_after = started.elapsed();
    assert!(rest.is_empty(), "{rest:?}");
    assert!(closed_after >= limit, "closed early: {closed_after:?}");
    assert!(closed_after < Duration::from_secs(60));
    server.still_serves().await;
}

/// Not a hardening attack of its own, but the check the others rely on:
/// a peer on another loopback address is a different peer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_loopback_addresses_count_as_other_peers() {
    let server = TestServer::start(Options {
        max_per_ip: 1,
        ..Options::default()
    })
    .await;
    let mut first = server.connect().await;
    assert!(first.line().await.starts_with("+OK"));
    let other: IpAddr = "127.0.0.2".parse().unwrap();
    let mut second = Wire::connect_from(other, server.addr).await;
    assert!(second.line().await.starts_with("+OK"));
}
