//! A real server on loopback sockets, with its own users file, Maildir
//! root and certificate in a temporary directory, and a line-level client
//! to talk to it.

#![allow(
    dead_code,
    unreachable_pub,
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod serve;
pub mod wire;

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
use tokio::task::JoinHandle;

pub use serve::{Serving, spawn_serve};
// Each test binary uses part of these.
#[allow(unused_imports)]
pub use wire::{Wire, wire_body};

/// Users every test server knows: `alice` and `carol`, with plaintext
/// secrets so every login method works.
pub const USERS: &str = "alice:{PLAIN}wonderland\ncarol:{PLAIN}c4r0l\n";
pub const ALICE: (&str, &str) = ("alice", "wonderland");

/// Knobs a test may turn.
#[derive(Clone)]
pub struct Options {
    pub protocol: ServerConfig,
    pub max_connections: usize,
    pub max_per_ip: usize,
    pub penalty: Duration,
    pub grace: Duration,
    pub allow_cleartext: bool,
    pub extra_users: String,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            protocol: ServerConfig {
                apop: true,
                hostname: "pop3d.test".into(),
                ..ServerConfig::default()
            },
            max_connections: 64,
            max_per_ip: 64,
            penalty: Duration::ZERO,
            grace: Duration::from_secs(5),
            allow_cleartext: false,
            extra_users: String::new(),
        }
    }
}

/// A running server; stops when dropped or with [`TestServer::stop`].
pub struct TestServer {
    /// First, so the server is stopped before the files it uses go.
    serving: Serving,
    pub plain: SocketAddr,
    pub tls: SocketAddr,
    pub dir: tempfile::TempDir,
    pub cert_pem: String,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(Options::default()).await
    }

    pub async fn start_with(options: Options) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let users = dir.path().join("users");
        std::fs::write(&users, format!("{USERS}{}", options.extra_users)).unwrap();
        let (cert, key, cert_pem) = serve::self_signed(dir.path());
        std::fs::create_dir_all(dir.path().join("mail")).unwrap();
        let template = dir.path().join("mail/%u/Maildir").display().to_string();
        let services = Services {
            protocol: Arc::new(options.protocol.clone()),
            auth: Arc::new(PasswdFile::load(&users).unwrap()),
            store: Arc::new(MaildirStore::new(template)),
            tls: Some(Arc::new(TlsSource::load(cert, key).unwrap())),
            penalty: LoginPenalty::new(options.penalty, options.penalty * 8),
            recent_logins: RecentLogins::default(),
            allow_cleartext: options.allow_cleartext,
            handshake_timeout: Duration::from_secs(10),
        };
        let plain_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let tls_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let plain = plain_listener.local_addr().unwrap();
        let tls = tls_listener.local_addr().unwrap();
        let endpoints = vec![
            Endpoint {
                listener: plain_listener,
                implicit_tls: false,
                proxy: None,
            },
            Endpoint {
                listener: tls_listener,
                implicit_tls: true,
                proxy: None,
            },
        ];
        let limits = ConnectionLimits::new(options.max_connections, options.max_per_ip);
        let policy = StopPolicy {
            grace: options.grace,
            drain: Duration::from_secs(5),
        };
        Self {
            plain,
            tls,
            dir,
            cert_pem,
            serving: spawn_serve(services, limits, endpoints, policy),
        }
    }

    /// Asks the server to stop and waits until it has.
    pub async fn stop(self) {
        self.serving.stop().await;
    }

    /// Starts stopping without waiting.
    pub fn begin_stop(&mut self) -> JoinHandle<()> {
        self.serving.begin_stop().unwrap()
    }

    pub fn maildir(&self, user: &str) -> PathBuf {
        self.dir.path().join("mail").join(user).join("Maildir")
    }

    /// Delivers a message into `user`'s `new/` the way an MDA does.
    pub fn deliver(&self, user: &str, name: &str, body: &[u8]) -> PathBuf {
        let maildir = self.maildir(user);
        for sub in ["tmp", "new", "cur"] {
            std::fs::create_dir_all(maildir.join(sub)).unwrap();
        }
        let tmp = maildir.join("tmp").join(name);
        std::fs::write(&tmp, body).unwrap();
        let new = maildir.join("new").join(name);
        std::fs::rename(&tmp, &new).unwrap();
        new
    }

    /// The message files of `user`, in `new/` and `cur/`.
    pub fn stored(&self, user: &str) -> Vec<PathBuf> {
        stored_in(&self.maildir(user))
    }

    pub async fn connect(&self) -> Wire {
        Wire::connect(self.plain).await
    }

    pub async fn connect_tls(&self) -> Wire {
        Wire::connect_tls(self.tls, &self.cert_pem).await
    }
}

pub fn stored_in(maildir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for sub in ["new", "cur"] {
        if let Ok(entries) = std::fs::read_dir(maildir.join(sub)) {
            files.extend(entries.map(|e| e.unwrap().path()));
        }
    }
    files.sort();
    files
}

/// A message of about `size` octets with LF line endings, a line starting
/// with a dot, and `tag` in its subject.
pub fn message(tag: &str, size: usize) -> Vec<u8> {
    let mut m = format!(
        "From: sender@example.org\nTo: alice@example.org\nSubject: {tag}\n\n.leading dot\n"
    )
    .into_bytes();
    let mut i = 0;
    while m.len() < size {
        m.extend_from_slice(format!("line {i} of {tag} with some text in it\n").as_bytes());
        i += 1;
    }
    m
}
