//! TLS: certificates loaded from PEM files into a rustls configuration
//! (ring provider) that can be swapped while the server runs.

use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};

use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

/// The ALPN protocol id IANA registered for POP3. Offering it makes
/// rustls refuse a client that asks for other protocols only (RFC 7301
/// 3.2), such as a browser sent here by a cross-protocol attack (ALPACA)
/// to reuse a certificate shared with a web server. Clients that send no
/// ALPN, as POP3 clients usually do, are served as before.
pub const ALPN_POP3: &[u8] = b"pop3";

/// Why certificates could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The certificate file could not be read or holds no certificate.
    #[error("certificate file {path}: {reason}")]
    Certificate {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        reason: String,
    },
    /// The key file could not be read or holds no private key.
    #[error("key file {path}: {reason}")]
    Key {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        reason: String,
    },
    /// rustls refused the pair (key does not match, unsupported key type).
    #[error("certificate and key: {0}")]
    Config(#[from] rustls::Error),
}

/// Builds a rustls server configuration from a PEM certificate chain and
/// a PEM private key (PKCS#8, PKCS#1 or SEC1).
pub fn load_server_config(cert: &Path, key: &Path) -> Result<ServerConfig, TlsError> {
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| TlsError::Certificate {
            path: cert.to_owned(),
            reason: e.to_string(),
        })?;
    if chain.is_empty() {
        return Err(TlsError::Certificate {
            path: cert.to_owned(),
            reason: "no PEM certificate found".into(),
        });
    }
    let key_der = PrivateKeyDer::from_pem_file(key).map_err(|e| TlsError::Key {
        path: key.to_owned(),
        reason: e.to_string(),
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)?;
    config.alpn_protocols = vec![ALPN_POP3.to_vec()];
    Ok(config)
}

/// The certificate files and the configuration built from them; reloaded
/// on SIGHUP. Connections already running keep the configuration they
/// started with.
#[derive(Debug)]
pub struct TlsSource {
    cert: PathBuf,
    key: PathBuf,
    current: RwLock<Arc<ServerConfig>>,
}

impl TlsSource {
    /// Loads the pair once; fails if it cannot be used.
    pub fn load(cert: PathBuf, key: PathBuf) -> Result<Self, TlsError> {
        let config = load_server_config(&cert, &key)?;
        Ok(Self {
            cert,
            key,
            current: RwLock::new(Arc::new(config)),
        })
    }

    /// Reads the files again. On failure the old configuration stays.
    pub fn reload(&self) -> Result<(), TlsError> {
        let config = Arc::new(load_server_config(&self.cert, &self.key)?);
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = config;
        Ok(())
    }

    /// An acceptor for a new handshake, with the current certificates.
    pub fn acceptor(&self) -> TlsAcceptor {
        let config = Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner));
        TlsAcceptor::from(config)
    }
}
