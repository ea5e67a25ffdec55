//! PROXY listeners without a proxy process: headers written by hand, so
//! every refusal path is reached. The address in the header is what the
//! per-address limit and the cleartext rule see.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
mod pg_support;

use std::net::SocketAddr;

use pg_support::backend::{Backend, MaildirBackend};
use pg_support::server::{Served, ServerOptions, passwd_users};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn server(trusted: &'static str, max_per_ip: usize) -> (MaildirBackend, Served) {
    let backend = MaildirBackend::create().await;
    let served = Served::start(
        passwd_users(),
        backend.store(),
        ServerOptions {
            max_per_ip,
            proxy_trusted: Some(vec![trusted]),
            ..ServerOptions::default()
        },
    )
    .await;
    (backend, served)
}

fn v2(source: SocketAddr, destination: SocketAddr) -> Vec<u8> {
    let (SocketAddr::V4(s), SocketAddr::V4(d)) = (source, destination) else {
        panic!("IPv4 only here");
    };
    let mut out = b"\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x0c".to_vec();
    out.extend_from_slice(&s.ip().octets());
    out.extend_from_slice(&d.ip().octets());
    out.extend_from_slice(&s.port().to_be_bytes());
    out.extend_from_slice(&d.port().to_be_bytes());
    out
}

/// Connects, sends `header`, and returns the stream and the first line.
async fn open(addr: SocketAddr, header: &[u8]) -> (TcpStream, String) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(header).await.unwrap();
    let line = read_line(&mut stream).await;
    (stream, line)
}

async fn read_line(stream: &mut TcpStream) -> String {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        let read = tokio::time::timeout(std::time::Duration::from_secs(20), stream.read(&mut byte))
            .await
            .expect("no answer in time");
        // A server closing on unread input makes the kernel send a reset
        // instead of an orderly close: either way nothing was answered.
        let n = match read {
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => 0,
            other => other.unwrap(),
        };
        if n == 0 || byte[0] == b'\n' {
            break;
        }
        line.push(byte[0]);
    }
    String::from_utf8(line).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_address_limit_counts_the_proxied_client() {
    let (_backend, served) = server("127.0.0.1/32", 1).await;
    let client = "203.0.113.5:40000".parse().unwrap();
    let (_first, line) = open(served.addr, &v2(client, served.addr)).await;
    assert!(line.starts_with("+OK"), "{line}");
    let (_second, line) = open(served.addr, &v2(client, served.addr)).await;
    assert!(line.contains("from your address"), "{line}");
    let v1 = format!(
        "PROXY TCP4 203.0.113.6 127.0.0.1 40000 {}\r\n",
        served.addr.port()
    );
    let (_third, line) = open(served.addr, v1.as_bytes()).await;
    assert!(line.starts_with("+OK"), "{line}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cleartext_rule_follows_the_proxied_client() {
    let (_backend, served) = server("127.0.0.1/32", 8).await;
    let remote = "203.0.113.5:40000".parse().unwrap();
    let (mut stream, _) = open(served.addr, &v2(remote, served.addr)).await;
    stream.write_all(b"USER alice\r\n").await.unwrap();
    let answer = read_line(&mut stream).await;
    assert!(answer.starts_with("-ERR"), "{answer}");

    let local = "127.0.0.5:40000".parse().unwrap();
    let (mut stream, _) = open(served.addr, &v2(local, served.addr)).await;
    stream
        .write_all(b"USER alice\r\nPASS wonderland\r\n")
        .await
        .unwrap();
    assert!(read_line(&mut stream).await.starts_with("+OK"));
    assert!(read_line(&mut stream).await.starts_with("+OK"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn untrusted_senders_and_bad_headers_are_closed_unanswered() {
    // Trusts a loopback address the test does not connect from.
    let (_backend, served) = server("127.0.0.9/32", 8).await;
    let client = "203.0.113.5:40000".parse().unwrap();
    let (_s, line) = open(served.addr, &v2(client, served.addr)).await;
    assert_eq!(line, "");

    let (_backend, served) = server("127.0.0.0/8", 8).await;
    for junk in [
        &b"USER alice\r\n"[..],
        b"PROXY TCP4 203.0.113.5 127.0.0.1 99999 110\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\x00",
    ] {
        let (_s, line) = open(served.addr, junk).await;
        assert_eq!(line, "", "{junk:?}");
    }
}

/// Connections still owing their PROXY header hold places of their own, as
/// many as sessions: past that, more are closed at once instead of being
/// held until the header timeout; a header that arrives frees its place.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_awaiting_a_header_are_capped() {
    let backend = MaildirBackend::create().await;
    let served = Served::start(
        passwd_users(),
        backend.store(),
        ServerOptions {
            max_total: 2,
            proxy_trusted: Some(vec!["127.0.0.1/32"]),
            ..ServerOptions::default()
        },
    )
    .await;
    let mut first = TcpStream::connect(served.addr).await.unwrap();
    let _second = TcpStream::connect(served.addr).await.unwrap();
    // Let the server accept both before the third arrives.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let started = std::time::Instant::now();
    let mut third = TcpStream::connect(served.addr).await.unwrap();
    assert_eq!(read_line(&mut third).await, "");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(4),
        "closed by the header timeout, not at once"
    );
    let client = "203.0.113.5:40000".parse().unwrap();
    first.write_all(&v2(client, served.addr)).await.unwrap();
    assert!(read_line(&mut first).await.starts_with("+OK"));
    let (_fourth, line) = open(served.addr, &v2(client, served.addr)).await;
    assert!(line.starts_with("+OK"), "{line}");
}
