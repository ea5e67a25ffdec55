//! Where the generator connects: address, user names, TLS.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use rustls::RootCertStore;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::conn::Failure;

/// The server under test and the accounts to use on it.
#[derive(Clone)]
pub struct Target {
    /// Address to connect to.
    pub addr: SocketAddr,
    /// Implicit TLS (POP3S) when set.
    pub tls: Option<TlsConnector>,
    /// User names are this prefix and a number.
    pub user_prefix: String,
    /// How many such users exist (`prefix0` to `prefix{n-1}`).
    pub users: usize,
    /// Every user's password.
    pub password: Vec<u8>,
}

impl Target {
    /// The user a worker or connection `index` logs in as.
    pub fn user(&self, index: usize) -> String {
        format!("{}{}", self.user_prefix, index % self.users.max(1))
    }

    /// A TCP connection with Nagle off, as mail clients set it.
    pub async fn tcp(&self) -> Result<TcpStream, Failure> {
        let tcp = TcpStream::connect(self.addr).await?;
        tcp.set_nodelay(true)?;
        Ok(tcp)
    }
}

/// A TLS connector trusting only the CA certificate(s) in `ca`, for a
/// server certificate issued to `localhost` and 127.0.0.1.
pub fn connector(ca: &Path) -> Result<TlsConnector, String> {
    let mut roots = RootCertStore::empty();
    let certs = CertificateDer::pem_file_iter(ca).map_err(|e| format!("{}: {e}", ca.display()))?;
    for cert in certs {
        let cert = cert.map_err(|e| format!("{}: {e}", ca.display()))?;
        roots
            .add(cert)
            .map_err(|e| format!("{}: {e}", ca.display()))?;
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

/// The name the server certificate is checked against.
pub fn server_name() -> ServerName<'static> {
    ServerName::IpAddress(std::net::IpAddr::from([127, 0, 0, 1]).into())
}
