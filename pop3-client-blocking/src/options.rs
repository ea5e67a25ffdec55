//! How to connect: timeouts, TLS trust, protocol limits.

use std::path::PathBuf;
use std::time::Duration;

use pop3_proto::client::ClientConfig;

/// Settings for [`crate::Client::connect`], [`crate::Client::connect_tls`]
/// and the STLS upgrade.
///
/// ```
/// use std::time::Duration;
/// use pop3_client_blocking::{ConnectOptions, TlsOptions};
///
/// let options = ConnectOptions {
///     read_timeout: Some(Duration::from_secs(30)),
///     tls: TlsOptions {
///         extra_ca_file: Some("/etc/ssl/private-ca.pem".into()),
///         ..TlsOptions::default()
///     },
///     ..ConnectOptions::default()
/// };
/// assert_eq!(options.connect_timeout, Some(Duration::from_secs(30)));
/// ```
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// Longest wait for the TCP connection to open (per address tried).
    pub connect_timeout: Option<Duration>,
    /// Longest wait for the server to send anything. A slow server sending
    /// a big message steadily never hits it.
    pub read_timeout: Option<Duration>,
    /// Longest wait for the server to accept what we send.
    pub write_timeout: Option<Duration>,
    /// Certificate trust for TLS.
    pub tls: TlsOptions,
    /// Limits for the protocol core (line length, listing size).
    pub protocol: ClientConfig,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        let minute = Some(Duration::from_secs(60));
        Self {
            connect_timeout: Some(Duration::from_secs(30)),
            read_timeout: minute,
            write_timeout: minute,
            tls: TlsOptions::default(),
            protocol: ClientConfig::default(),
        }
    }
}

/// Which server certificates to trust.
#[derive(Debug, Clone)]
pub struct TlsOptions {
    /// Trust the operating system's certificate store (on Linux the
    /// ca-certificates bundle; `SSL_CERT_FILE` and `SSL_CERT_DIR` are
    /// honoured).
    pub system_roots: bool,
    /// A PEM file with more CA certificates to trust, e.g. a company CA or
    /// the self-signed certificate of a home server.
    pub extra_ca_file: Option<PathBuf>,
    /// Accept any certificate, for any name, without checking who signed
    /// it. Anyone on the path can then read and change the session,
    /// password included. For tests against throwaway servers only.
    pub danger_accept_invalid_certificates: bool,
}

impl Default for TlsOptions {
    fn default() -> Self {
        Self {
            system_roots: true,
            extra_ca_file: None,
            danger_accept_invalid_certificates: false,
        }
    }
}
