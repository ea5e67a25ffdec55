//! Implicit TLS and STLS with a certificate made for the test.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{ALICE, TestServer, Wire, message, wire_body};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn implicit_tls_session() {
    let server = TestServer::start().await;
    let m = message("secret", 1000);
    server.deliver("alice", "1700000000.M1.test", &m);
    let mut w = server.connect_tls().await;
    assert!(w.line().await.starts_with("+OK"));
    let capa = String::from_utf8(w.multi("CAPA").await).unwrap();
    assert!(
        !capa.contains("STLS"),
        "STLS offered on a TLS connection: {capa}"
    );
    w.login(ALICE.0, ALICE.1).await;
    assert_eq!(w.multi("RETR 1").await, wire_body(&m));
    w.ok("QUIT").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stls_upgrades_and_capa_changes() {
    let server = TestServer::start().await;
    let mut w = server.connect().await;
    w.line().await;
    let before = String::from_utf8(w.multi("CAPA").await).unwrap();
    assert!(before.contains("STLS"));
    w.ok("STLS").await;
    let mut w = w.upgrade(&server.cert_pem).await;
    let after = String::from_utf8(w.multi("CAPA").await).unwrap();
    assert!(!after.contains("STLS"), "{after}");
    assert!(w.ask("STLS").await.starts_with("-ERR"));
    w.login(ALICE.0, ALICE.1).await;
    w.ok("QUIT").await;
}

/// Commands sent in the same packet as STLS, before the handshake, must
/// never be acted on (the STARTTLS command injection class of bugs).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_sent_before_the_handshake_is_acted_on() {
    let server = TestServer::start().await;
    server.deliver("alice", "1700000000.M1.test", &message("keep", 200));
    let mut w = server.connect().await;
    w.line().await;
    w.send(b"STLS\r\nUSER alice\r\nPASS wonderland\r\nDELE 1\r\nQUIT\r\n")
        .await;
    assert!(w.line().await.starts_with("+OK"));
    // The server must take the injected lines as handshake bytes (and
    // fail the handshake), never as commands.
    match w.try_upgrade(&server.cert_pem).await {
        Err(_) => {}
        Ok(mut tls) => {
            let answer = tls.ask("STAT").await;
            assert!(
                answer.starts_with("-ERR"),
                "injected login took effect: {answer}"
            );
        }
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(server.stored("alice").len(), 1);

    // A clean STLS session still works and sees the message.
    let mut w: Wire = server.connect().await;
    w.line().await;
    w.ok("STLS").await;
    let mut w = w.upgrade(&server.cert_pem).await;
    w.login(ALICE.0, ALICE.1).await;
    assert!(w.ok("STAT").await.starts_with("+OK 1 "));
    w.ok("QUIT").await;
}
