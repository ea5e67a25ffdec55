//! The server in-process on loopback, for attacks that need no process
//! of their own: short timeouts in milliseconds, tunable limits.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use pop3_proto::server::ServerConfig;
use pop3_server_tokio::Services;
use pop3_server_tokio::auth::PasswdFile;
use pop3_server_tokio::limits::{ConnectionLimits, LoginPenalty, RecentLogins};
use pop3_server_tokio::listener::{Endpoint, StopPolicy};
use pop3_server_tokio::store::MaildirStore;
use pop3_server_tokio::tls::TlsSource;
use tokio::net::TcpListener;

use super::serve::{Serving, self_signed, spawn_serve};
use super::{USERS, Wire};

#[derive(Clone)]
pub struct Options {
    pub protocol: ServerConfig,
    pub max_connections: usize,
    pub max_per_ip: usize,
    pub penalty_base: Duration,
    pub penalty_max: Duration,
    pub handshake_timeout: Duration,
    /// Where the Maildirs live; a fresh directory when `None`.
    pub mail_root: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            protocol: ServerConfig {
                hostname: "pop3d.test".into(),
                ..ServerConfig::default()
            },
            max_connections: 256,
            max_per_ip: 256,
            penalty_base: Duration::ZERO,
            penalty_max: Duration::ZERO,
            handshake_timeout: Duration::from_secs(10),
            mail_root: None,
        }
    }
}

impl Options {
    /// Default options with this autologout (idle) time.
    pub fn idle(autologout: Duration) -> Self {
        let mut options = Self::default();
        options.protocol.autologout = autologout;
        options
    }
}

/// A running server, with STLS offered; stopped when dropped.
pub struct TestServer {
    /// First, so the server is stopped before the files it uses go.
    serving: Serving,
    pub addr: SocketAddr,
    pub dir: tempfile::TempDir,
    pub mail_root: PathBuf,
    pub cert_pem: String,
}

impl TestServer {
    pub async fn start(options: Options) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let users = dir.path().join("users");
        std::fs::write(&users, USERS).unwrap();
        let (cert, key, cert_pem) = self_signed(dir.path());
        let mail_root = options
            .mail_root
            .clone()
            .unwrap_or_else(|| dir.path().join("mail"));
        std::fs::create_dir_all(&mail_root).unwrap();
        let template = mail_root.join("%u/Maildir").display().to_string();
        let services = Services {
            protocol: Arc::new(options.protocol.clone()),
            auth: Arc::new(PasswdFile::load(&users).unwrap()),
            store: Arc::new(MaildirStore::new(template)),
            tls: Some(Arc::new(TlsSource::load(cert, key).unwrap())),
            penalty: LoginPenalty::new(options.penalty_base, options.penalty_max),
            recent_logins: RecentLogins::default(),
            allow_cleartext: false,
            handshake_timeout: options.handshake_timeout,
        };
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let endpoints = vec![Endpoint {
            listener,
            implicit_tls: false,
            proxy: None,
        }];
        let limits = ConnectionLimits::new(options.max_connections, options.max_per_ip);
        let policy = StopPolicy {
            grace: Duration::from_secs(1),
            drain: Duration::from_secs(2),
        };
        Self {
            addr,
            dir,
            mail_root,
            cert_pem,
            serving: spawn_serve(services, limits, endpoints, policy),
        }
    }

    pub fn maildir(&self, user: &str) -> PathBuf {
        self.mail_root.join(user).join("Maildir")
    }

    pub async fn connect(&self) -> Wire {
        Wire::connect(self.addr).await
    }

    /// Proves the server still serves: a fresh session logs in, lists
    /// and quits cleanly.
    pub async fn still_serves(&self) {
        still_serves(self.addr, &self.maildir("carol")).await;
    }
}

/// A full session as `carol` at `addr`, whose Maildir is `maildir`.
pub async fn still_serves(addr: SocketAddr, maildir: &Path) {
    let expected = super::maildir::stored(maildir).len();
    let mut w = Wire::connect(addr).await;
    w.greeted_login("carol", "c4r0l").await;
    let stat = w.ok("STAT").await;
    assert!(stat.starts_with(&format!("+OK {expected} ")), "{stat}");
    w.ok("NOOP").await;
    w.ok("QUIT").await;
    assert!(w.until_closed().await.is_empty());
}
