//! A line-level POP3 client for tests: sends exact bytes, reads exact
//! lines, over plain TCP or TLS.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

trait Stream: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Stream for T {}

/// How long any single read may take before the test fails.
const READ_LIMIT: Duration = Duration::from_secs(20);

pub struct Wire {
    stream: BufReader<Pin<Box<dyn Stream>>>,
}

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
    pub async fn connect(addr: SocketAddr) -> Self {
        let tcp = TcpStream::connect(addr).await.unwrap();
        Self {
            stream: BufReader::new(Box::pin(tcp)),
        }
    }

    pub async fn connect_tls(addr: SocketAddr, cert_pem: &str) -> Self {
        let tcp = TcpStream::connect(addr).await.unwrap();
        let name = ServerName::try_from("localhost").unwrap();
        let tls = tls_connector(cert_pem).connect(name, tcp).await.unwrap();
        Self {
            stream: BufReader::new(Box::pin(tls)),
        }
    }

    /// Upgrades after `STLS` was answered `+OK`. Fails the test if the
    /// server had already sent anything more.
    pub async fn upgrade(self, cert_pem: &str) -> Self {
        assert!(
            self.stream.buffer().is_empty(),
            "bytes after the STLS answer"
        );
        let inner = self.stream.into_inner();
        let name = ServerName::try_from("localhost").unwrap();
        let tls = tls_connector(cert_pem).connect(name, inner).await.unwrap();
        Self {
            stream: BufReader::new(Box::pin(tls)),
        }
    }

    /// Like [`Wire::upgrade`], but a failed handshake is returned.
    pub async fn try_upgrade(self, cert_pem: &str) -> std::io::Result<Self> {
        let inner = self.stream.into_inner();
        let name = ServerName::try_from("localhost").unwrap();
        let tls = tls_connector(cert_pem).connect(name, inner).await?;
        Ok(Self {
            stream: BufReader::new(Box::pin(tls)),
        })
    }

    pub async fn send(&mut self, bytes: &[u8]) {
        self.stream.get_mut().write_all(bytes).await.unwrap();
        self.stream.get_mut().flush().await.unwrap();
    }

    /// Sends a command line (CRLF added).
    pub async fn command(&mut self, line: &str) {
        self.send(format!("{line}\r\n").as_bytes()).await;
    }

    /// Reads one line, CRLF included; empty at end of stream.
    pub async fn raw_line(&mut self) -> Vec<u8> {
        let mut line = Vec::new();
        tokio::time::timeout(READ_LIMIT, self.stream.read_until(b'\n', &mut line))
            .await
            .expect("server did not answer in time")
            .unwrap();
        line
    }

    /// Reads one line as text without its CRLF; panics at end of stream.
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

    /// Reads until the server closes; returns what came.
    pub async fn until_closed(&mut self) -> Vec<u8> {
        let mut rest = Vec::new();
        tokio::time::timeout(READ_LIMIT, self.stream.read_to_end(&mut rest))
            .await
            .expect("server did not close in time")
            .unwrap_or_default();
        rest
    }

    /// Logs in with USER/PASS.
    pub async fn login(&mut self, user: &str, password: &str) {
        self.ok(&format!("USER {user}")).await;
        self.ok(&format!("PASS {password}")).await;
    }
}
