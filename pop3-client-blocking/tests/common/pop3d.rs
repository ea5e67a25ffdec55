//! This workspace's `pop3d` as a test server, run in-process: the library
//! of pop3-server-tokio serves on loopback ports from a tokio runtime of
//! its own (the client under test blocks), with a users file, a Maildir
//! root and certificates in a temporary folder. Stopped on drop.

use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use pop3_client_blocking::{LoginMethod, Mechanism};
use pop3_proto::server::ServerConfig;
use pop3_server_tokio::Services;
use pop3_server_tokio::auth::{HashCost, PasswdFile, Scheme, hash_password_with};
use pop3_server_tokio::limits::{ConnectionLimits, LoginPenalty, RecentLogins};
use pop3_server_tokio::listener::{Endpoint, StopPolicy, serve};
use pop3_server_tokio::store::MaildirStore;
use pop3_server_tokio::tls::TlsSource;
use tokio::net::TcpListener;
use tokio::runtime::Runtime;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::certs::certificates;
use super::{TestAccount, TestServer};

const PASSWORD: &str = "correct horse battery";

/// One pop3d instance.
pub struct Pop3d {
    dir: tempfile::TempDir,
    runtime: Option<Runtime>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    plain: SocketAddr,
    tls: SocketAddr,
    counter: AtomicUsize,
    ca: PathBuf,
    alice: PathBuf,
}

/// The users file: alice's password in the clear (every method works),
/// bob's as SCRAM-SHA-256 keys, carol's as an Argon2id hash. The hash
/// costs are the smallest allowed: what is tested is the protocol.
fn users_file() -> String {
    let cheap = HashCost {
        argon2_memory_kib: 64,
        argon2_iterations: 1,
        argon2_parallelism: 1,
        ..HashCost::default()
    };
    let mut users = String::new();
    for (user, scheme) in [
        ("alice", Scheme::Plain),
        ("bob", Scheme::ScramSha256),
        ("carol", Scheme::Argon2id),
    ] {
        let value = hash_password_with(scheme, PASSWORD.as_bytes(), &cheap).unwrap();
        users.push_str(&format!("{user}:{value}\n"));
    }
    users
}

impl Pop3d {
    /// Starts pop3d; it accepts connections once this returns.
    pub fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let (ca, cert, key) = certificates();
        fs::write(root.join("ca.pem"), ca).unwrap();
        fs::write(root.join("cert.pem"), cert).unwrap();
        fs::write(root.join("key.pem"), key).unwrap();
        fs::write(root.join("users"), users_file()).unwrap();
        for user in ["alice", "bob", "carol"] {
            for sub in ["cur", "new", "tmp"] {
                fs::create_dir_all(root.join("mail").join(user).join("Maildir").join(sub)).unwrap();
            }
        }

        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).unwrap();
        let services = Services {
            protocol: Arc::new(ServerConfig {
                apop: true,
                hostname: "localhost".into(),
                secret_seed: seed,
                ..ServerConfig::default()
            }),
            auth: Arc::new(PasswdFile::load(root.join("users")).unwrap()),
            store: Arc::new(MaildirStore::new(
                root.join("mail/%u/Maildir").display().to_string(),
            )),
            tls: Some(Arc::new(
                TlsSource::load(root.join("cert.pem"), root.join("key.pem")).unwrap(),
            )),
            // No delay after a failed login: the suite fails many on purpose.
            penalty: LoginPenalty::new(Duration::ZERO, Duration::ZERO),
            recent_logins: RecentLogins::default(),
            allow_cleartext: false,
            handshake_timeout: Duration::from_secs(10),
        };

        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let (plain_listener, tls_listener) = runtime.block_on(async {
            (
                TcpListener::bind("127.0.0.1:0").await.unwrap(),
                TcpListener::bind("127.0.0.1:0").await.unwrap(),
            )
        });
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
        let (stop, stopped) = oneshot::channel::<()>();
        let policy = StopPolicy {
            grace: Duration::ZERO,
            drain: Duration::from_secs(5),
        };
        let task = runtime.spawn(serve(
            services,
            ConnectionLimits::new(64, 64),
            endpoints,
            async move {
                let _ = stopped.await;
            },
            policy,
        ));
        Self {
            ca: root.join("ca.pem"),
            alice: root.join("mail").join("alice").join("Maildir"),
            dir,
            runtime: Some(runtime),
            stop: Some(stop),
            task: Some(task),
            plain,
            tls,
            counter: AtomicUsize::new(0),
        }
    }
}

impl TestServer for Pop3d {
    fn kind(&self) -> &'static str {
        "pop3d"
    }

    fn addr(&self) -> SocketAddr {
        self.plain
    }

    fn tls_addr(&self) -> SocketAddr {
        self.tls
    }

    fn user(&self) -> &str {
        "alice"
    }

    fn password(&self) -> &[u8] {
        PASSWORD.as_bytes()
    }

    fn maildir(&self) -> &Path {
        &self.alice
    }

    fn accounts(&self) -> Vec<TestAccount> {
        use LoginMethod::{Apop, Sasl, UserPass};
        use Mechanism::{CramMd5, Login, Plain, ScramSha256};
        let password = PASSWORD.as_bytes().to_vec();
        let cleartext = [UserPass, Sasl(Plain), Sasl(Login)];
        vec![
            TestAccount {
                user: "alice".into(),
                password: password.clone(),
                methods: vec![
                    UserPass,
                    Apop,
                    Sasl(Plain),
                    Sasl(Login),
                    Sasl(CramMd5),
                    Sasl(ScramSha256),
                ],
            },
            // SCRAM keys serve SCRAM and the cleartext methods.
            TestAccount {
                user: "bob".into(),
                password: password.clone(),
                methods: [cleartext.as_slice(), &[Sasl(ScramSha256)]].concat(),
            },
            // A one-way hash serves the cleartext methods only.
            TestAccount {
                user: "carol".into(),
                password,
                methods: cleartext.to_vec(),
            },
        ]
    }

    fn ca_file(&self) -> &Path {
        &self.ca
    }

    fn add_message(&self, content: &[u8]) -> PathBuf {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let name = format!("{}.M{n}P{}.test", 1_700_000_000 + n, std::process::id());
        let tmp = self.alice.join("tmp").join(&name);
        fs::write(&tmp, content).unwrap();
        let path = self.alice.join("new").join(&name);
        fs::rename(&tmp, &path).unwrap();
        path
    }

    /// A users file holds no token verifier: pop3d offers no bearer
    /// token mechanism.
    fn bearer_token(&self) -> Option<&str> {
        None
    }
}

impl Drop for Pop3d {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let (Some(runtime), Some(task)) = (self.runtime.take(), self.task.take()) {
            // Sessions end and commit before the folder is removed.
            let _ = runtime.block_on(task);
            runtime.shutdown_timeout(Duration::from_secs(5));
        }
    }
}
