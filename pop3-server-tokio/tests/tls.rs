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

/// The server offers ALPN `pop3`: a client asking for another protocol
/// only (a browser led there by a cross-protocol attack) fails the
/// handshake, while one asking for `pop3`, or for nothing, is served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alpn_other_than_pop3_is_refused() {
    use rustls_pki_types::ServerName;
    let server = TestServer::start().await;
    let connect = |protocols: Vec<Vec<u8>>| {
        let mut roots = rustls::RootCertStore::empty();
        let pem = server.cert_pem.clone();
        let addr = server.tls;
        async move {
            use rustls_pki_types::pem::PemObject;
            roots
                .add(rustls_pki_types::CertificateDer::from_pem_slice(pem.as_bytes()).unwrap())
                .unwrap();
            let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
            let mut config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_root_certificates(roots)
                .with_no_client_auth();
            config.alpn_protocols = protocols;
            let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
            tokio_rustls::TlsConnector::from(std::sync::Arc::new(config))
                .connect(ServerName::try_from("localhost").unwrap(), tcp)
                .await
        }
    };
    assert!(connect(vec![b"http/1.1".to_vec()]).await.is_err());
    let tls = connect(vec![b"h2".to_vec(), b"pop3".to_vec()])
        .await
        .unwrap();
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"pop3"[..]));
    let tls = connect(Vec::new()).await.unwrap();
    assert_eq!(tls.get_ref().1.alpn_protocol(), None);
}

/// A client set up for POP3S on the plain-text port opens with a TLS
/// handshake record: the server closes at once instead of waiting for a
/// command line that never comes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tls_handshake_on_the_plain_port_is_closed_at_once() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = TestServer::start().await;
    let mut tcp = tokio::net::TcpStream::connect(server.plain).await.unwrap();
    // The start of a TLS 1.2 ClientHello record, without a line feed.
    tcp.write_all(b"\x16\x03\x01\x00\xc8\x01\x00\x00\xc4\x03\x03")
        .await
        .unwrap();
    let mut seen = Vec::new();
    let closed = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        tcp.read_to_end(&mut seen),
    )
    .await;
    assert!(
        matches!(closed, Ok(Ok(_)) | Ok(Err(_))),
        "still open after 5 s"
    );
    assert!(seen.starts_with(b"+OK"), "{seen:?}");
    assert!(!seen.windows(4).any(|w| w == b"-ERR"), "{seen:?}");
}
