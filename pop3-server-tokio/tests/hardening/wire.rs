//! A raw POP3 client for attacks: exact bytes out, exact lines in, and a
//! way to tell an open connection from one the server closed.

use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpSocket, TcpStream};

trait Stream: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Stream for T {}

/// How long a read may take before the test fails: a hang is a failure,
/// not a slow pass.
pub const READ_LIMIT: Duration = Duration::from_secs(30);

pub struct Wire {
    stream: BufReader<Pin<Box<dyn Stream>>>,
}

impl Wire {
    pub async fn connect(addr: SocketAddr) -> Self {
        let tcp = TcpStream::connect(addr).await.unwrap();
        Self::from_tcp(tcp)
    }

    /// Connects from a chosen local address (any of 127.0.0.0/8 works on
    /// Linux), so one test can play several peers.
    pub async fn connect_from(local: IpAddr, addr: SocketAddr) -> Self {
        let socket = TcpSocket::new_v4().unwrap();
        socket.bind(SocketAddr::new(local, 0)).unwrap();
        Self::from_tcp(socket.connect(addr).await.unwrap())
    }

    pub fn from_tcp(tcp: TcpStream) -> Self {
        Self {
            stream: BufReader::new(Box::pin(tcp)),
        }
    }

    /// Upgrades after `STLS` was answered `+OK`; fails the test if the
    /// server had sent anything after that answer.
    pub async fn upgrade(self, cert_pem: &str) -> Self {
        assert!(
            self.stream.buffer().is_empty(),
            "bytes after the STLS answer"
        );
        let inner = self.stream.into_inner();
        let name = ServerName::try_from("localhost").unwrap();
        let tls = connector(cert_pem).connect(name, inner).await.unwrap();
        Self {
            stream: BufReader::new(Box::pin(tls)),
        }
    }

    pub async fn send(&mut self, bytes: &[u8]) {
        self.stream.get_mut().write_all(bytes).await.unwrap();
        self.stream.get_mut().flush().await.unwrap();
    }

    pub async fn command(&mut self, line: &str) {
        self.send(format!("{line}\r\n").as_bytes()).await;
    }

    /// One line, CRLF included; empty at end of stream (or on a reset).
    pub async fn raw_line(&mut self) -> Vec<u8> {
        let mut line = Vec::new();
        let read = tokio::time::timeout(READ_LIMIT, self.stream.read_until(b'\n', &mut line))
            .await
            .expect("server did not answer in time");
        if read.is_err() {
            line.clear();
        }
        line
    }

    /// One line as text without its CRLF; fails the test at end of stream.
    pub async fn line(&mut self) -> String {
        let line = self.raw_line().await;
        assert!(line.ends_with(b"\r\n"), "not a CRLF line: {line:?}");
        String::from_utf8_lossy(&line[..line.len() - 2]).into_owned()
    }

    pub async fn ask(&mut self, line: &str) -> String {
        self.command(line).await;
        self.line().await
    }

    pub async fn ok(&mut self, line: &str) -> String {
        let answer = self.ask(line).await;
        assert!(answer.starts_with("+OK"), "{line:?} -> {answer:?}");
        answer
    }

    /// A multi-line body up to its terminator, lines as sent.
    pub async fn body(&mut self) -> Vec<u8> {
        let mut body = Vec::new();
        loop {
            let line = self.raw_line().await;
            assert!(!line.is_empty(), "closed inside a multi-line answer");
            if line == b".\r\n" {
                return body;
            }
            body.extend_from_slice(&line);
        }
    }

    /// Exactly `n` octets, whatever they hold.
    pub async fn exact(&mut self, n: usize) -> Vec<u8> {
        let mut bytes = vec![0; n];
        tokio::time::timeout(READ_LIMIT, self.stream.read_exact(&mut bytes))
            .await
            .expect("server did not send in time")
            .unwrap();
        bytes
    }

    pub async fn multi(&mut self, line: &str) -> Vec<u8> {
        self.ok(line).await;
        self.body().await
    }

    /// Everything until the server closes (a reset counts as closed).
    pub async fn until_closed(&mut self) -> Vec<u8> {
        let mut rest = Vec::new();
        let _ = tokio::time::timeout(READ_LIMIT, self.stream.read_to_end(&mut rest))
            .await
            .expect("server did not close in time");
        rest
    }

    /// Reads the greeting, then logs in with USER/PASS.
    pub async fn greeted_login(&mut self, user: &str, password: &str) {
        let greeting = self.line().await;
        assert!(greeting.starts_with("+OK"), "{greeting}");
        self.ok(&format!("USER {user}")).await;
        self.ok(&format!("PASS {password}")).await;
    }
}

fn connector(cert_pem: &str) -> tokio_rustls::TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(cert_pem.as_bytes()).unwrap())
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    tokio_rustls::TlsConnector::from(Arc::new(config))
}
