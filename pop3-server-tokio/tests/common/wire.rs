//! A line-level POP3 client for tests: exact bytes out, exact lines in,
//! over plain TCP (from any loopback address) or TLS, and a way to tell
//! an open connection from one the server closed.

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

/// How long any single read may take before the test fails: a hang is a
/// failure, not a slow pass.
pub const READ_LIMIT: Duration = Duration::from_secs(30);

pub struct Wire {
    stream: BufReader<Pin<Box<dyn Stream>>>,
}

/// A TLS client trusting only `cert_pem`.
pub fn tls_connector(cert_pem: &str) -> tokio_rustls::TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    let cert = CertificateDer::from_pem_slice(cert_pem.as_bytes()).unwrap();
    roots.add(cert).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

impl Wire {
    fn over(stream: impl Stream + 'static) -> Self {
        Self {
            stream: BufReader::new(Box::pin(stream)),
        }
    }

    pub async fn connect(addr: SocketAddr) -> Self {
        Self::from_tcp(TcpStream::connect(addr).await.unwrap())
    }

    /// Connects from a chosen local address (any of 127.0.0.0/8 works on
    /// Linux), so one test can play several peers.
    pub async fn connect_from(local: IpAddr, addr: SocketAddr) -> Self {
        let socket = TcpSocket::new_v4().unwrap();
        socket.bind(SocketAddr::new(local, 0)).unwrap();
        Self::from_tcp(socket.connect(addr).await.unwrap())
    }

    pub fn from_tcp(tcp: TcpStream) -> Self {
        Self::over(tcp)
    }

    pub async fn connect_tls(addr: SocketAddr, cert_pem: &str) -> Self {
        let tcp = TcpStream::connect(addr).await.unwrap();
        let name = ServerName::try_from("localhost").unwrap();
        Self::over(tls_connector(cert_pem).connect(name, tcp).await.unwrap())
    }

    /// Upgrades after `STLS` was answered `+OK`. Fails the test if the
    /// server had already sent anything more.
    pub async fn upgrade(self, cert_pem: &str) -> Self {
        assert!(
            self.stream.buffer().is_empty(),
            "bytes after the STLS answer"
        );
        self.try_upgrade(cert_pem).await.unwrap()
    }

    /// Like [`Wire::upgrade`], but a failed handshake is returned.
    pub async fn try_upgrade(self, cert_pem: &str) -> std::io::Result<Self> {
        let inner = self.stream.into_inner();
        let name = ServerName::try_from("localhost").unwrap();
        let tls = tls_connector(cert_pem).connect(name, inner).await?;
        Ok(Self::over(tls))
    }

    pub async fn send(&mut self, bytes: &[u8]) {
        self.stream.get_mut().write_all(bytes).await.unwrap();
        self.stream.get_mut().flush().await.unwrap();
    }

    /// Sends a command line (CRLF added).
    pub async fn command(&mut self, line: &str) {
        self.send(format!("{line}\r\n").as_bytes()).await;
    }

    /// Reads one line, CRLF included; empty at end of stream. A reset
    /// fails the test: use [`Wire::until_closed`] where one may come.
    pub async fn raw_line(&mut self) -> Vec<u8> {
        let mut line = Vec::new();
        tokio::time::timeout(READ_LIMIT, self.stream.read_until(b'\n', &mut line))
            .await
            .expect("server did not answer in time")
            .unwrap();
        line
    }

    /// Reads one line as text without its CRLF; fails the test at end of
    /// stream or on a line that is not UTF-8.
    pub async fn line(&mut self) -> String {
        let line = self.raw_line().await;
        assert!(line.ends_with(b"\r\n"), "not a CRLF line: {line:?}");
        String::from_utf8(line[..line.len() - 2].to_vec()).unwrap()
    }

    /// Sends a command and returns its status line.
    pub async fn ask(&mut self, line: &str) -> String {
        self.command(line).await;
        self.line().await
    }

    /// Sends a command, expects `+OK`, and returns the status line.
    pub async fn ok(&mut self, line: &str) -> String {
        let answer = self.ask(line).await;
        assert!(answer.starts_with("+OK"), "{line:?} -> {answer:?}");
        answer
    }

    /// Reads a multi-line body up to the terminator; returns the lines as
    /// sent (still dot-stuffed, CRLFs included), without the terminator.
    pub async fn body(&mut self) -> Vec<u8> {
        let mut body = Vec::new();
        loop {
            let line = self.raw_line().await;
            assert!(
                !line.is_empty(),
                "connection closed inside a multi-line answer"
            );
            if line == b".\r\n" {
                return body;
            }
            body.extend_from_slice(&line);
        }
    }

    /// Sends a command expecting a multi-line `+OK` answer.
    pub async fn multi(&mut self, line: &str) -> Vec<u8> {
        self.ok(line).await;
        self.body().await
    }

    /// Reads exactly `n` octets, whatever they hold.
    pub async fn exact(&mut self, n: usize) -> Vec<u8> {
        let mut bytes = vec![0; n];
        tokio::time::timeout(READ_LIMIT, self.stream.read_exact(&mut bytes))
            .await
            .expect("server did not send in time")
            .unwrap();
        bytes
    }

    /// Reads until the server closes; returns what came. A reset counts
    /// as closed: a server that closes with input unread resets.
    pub async fn until_closed(&mut self) -> Vec<u8> {
        let mut rest = Vec::new();
        let _ = tokio::time::timeout(READ_LIMIT, self.stream.read_to_end(&mut rest))
            .await
            .expect("server did not close in time");
        rest
    }

    /// Logs in with USER/PASS.
    pub async fn login(&mut self, user: &str, password: &str) {
        self.ok(&format!("USER {user}")).await;
        self.ok(&format!("PASS {password}")).await;
    }

    /// Reads the greeting, then logs in with USER/PASS.
    pub async fn greeted_login(&mut self, user: &str, password: &str) {
        let greeting = self.line().await;
        assert!(greeting.starts_with("+OK"), "{greeting}");
        self.login(user, password).await;
    }
}

/// What RETR must send for stored `bytes`: CRLF line ends, dot-stuffed.
pub fn wire_body(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let text = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    for line in text.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.first() == Some(&b'.') {
            out.push(b'.');
        }
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
    out
}
