//! A `pop3d` process as an operator starts it: flags for the listeners
//! and certificate, a config file for the rest, a Maildir (paths given as
//! flags) or PostgreSQL (store and users, in the config file) behind it;
//! killed when dropped.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use super::mail::Message;
use super::maildrop::{Backend, Maildrop};
use super::{PASSWORD, USER};

const POP3D: &str = env!("CARGO_BIN_EXE_pop3d");

/// The config every test server reads: APOP on (the users hold a
/// plaintext password), a host name matching the certificate, and no
/// failed-login delay so a negative check stays quick. The store's own
/// lines go between the two parts.
const CONFIG_TOP: &str = "hostname = \"localhost\"\n\
                          apop = true\n";
const CONFIG_LIMITS: &str = "\n\
                             [limits]\n\
                             login_failure_delay_ms = 0\n";

pub struct Pop3d {
    pub dir: tempfile::TempDir,
    /// Plain POP3 with STLS.
    pub plain: SocketAddr,
    /// POP3S.
    pub tls: SocketAddr,
    /// The server's self-signed certificate (for `localhost` and
    /// 127.0.0.1), the one trust anchor clients are given.
    pub cert: PathBuf,
    child: Child,
    maildrop: Maildrop,
}

fn free_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

impl Pop3d {
    /// Starts a server on `backend` whose maildrop for [`USER`] holds
    /// `messages`, delivered in that order (in a Maildir their
    /// modification times increase).
    pub fn start(backend: Backend, messages: &[Message]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let maildrop = Maildrop::create(backend, root);
        for (i, message) in messages.iter().enumerate() {
            maildrop.deliver(message, 1_700_000_000 + i as u64);
        }
        std::fs::write(
            root.join("pop3d.toml"),
            format!("{CONFIG_TOP}{}{CONFIG_LIMITS}", maildrop.config()),
        )
        .unwrap();
        let generated =
            rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])
                .unwrap();
        let cert = root.join("cert.pem");
        std::fs::write(&cert, generated.cert.pem()).unwrap();
        std::fs::write(root.join("key.pem"), generated.signing_key.serialize_pem()).unwrap();

        let plain = free_port();
        let tls = free_port();
        let log = std::fs::File::create(root.join("pop3d.log")).unwrap();
        let mut command = Command::new(POP3D);
        command
            .arg("--config")
            .arg(root.join("pop3d.toml"))
            .args(["--listen", &plain.to_string()])
            .args(["--tls-listen", &tls.to_string()])
            .arg("--cert")
            .arg(&cert)
            .arg("--key")
            .arg(root.join("key.pem"))
            .args(["--log-format", "json"]);
        if backend == Backend::Maildir {
            std::fs::write(root.join("users"), format!("{USER}:{{PLAIN}}{PASSWORD}\n")).unwrap();
            command
                .arg("--users")
                .arg(root.join("users"))
                .arg("--maildir")
                .arg(root.join("mail/%u/Maildir"));
        }
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut daemon = Self {
            dir,
            plain,
            tls,
            cert,
            child,
            maildrop,
        };
        daemon.wait_listening();
        daemon
    }

    fn wait_listening(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        for addr in [self.plain, self.tls] {
            while TcpStream::connect(addr).is_err() {
                if let Some(status) = self.child.try_wait().unwrap() {
                    panic!("pop3d exited ({status}): {}", self.log());
                }
                assert!(
                    Instant::now() < deadline,
                    "pop3d did not listen on {addr}: {}",
                    self.log()
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }

    /// A directory for a client's files, created empty.
    pub fn scratch(&self, name: &str) -> PathBuf {
        let path = self.dir.path().join("clients").join(name);
        std::fs::create_dir_all(&path).unwrap();
        path
    }

    /// Delivers `message` while the server runs, after everything
    /// delivered before (in a Maildir: written in `tmp/`, renamed into
    /// `new/`, modified now).
    pub fn deliver(&self, message: &Message) {
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        self.maildrop.deliver(message, now);
    }

    /// The unique-id the server lists `message` under: its Maildir file
    /// name, or the one the PostgreSQL store chose at delivery.
    pub fn uid(&self, message: &Message) -> String {
        self.maildrop.uid(message)
    }

    /// The names of the messages still stored, sorted.
    pub fn stored_names(&self) -> Vec<String> {
        self.maildrop
            .contents()
            .into_iter()
            .map(|(name, _)| name)
            .collect()
    }

    /// Fails the test unless the store holds exactly `messages`, byte
    /// for byte.
    pub fn assert_holds(&self, messages: &[Message]) {
        let stored = self.maildrop.contents();
        let names: Vec<&str> = stored.iter().map(|(name, _)| name.as_str()).collect();
        let mut expected: Vec<&str> = messages.iter().map(|m| m.name.as_str()).collect();
        expected.sort_unstable();
        assert_eq!(names, expected, "stored messages");
        for message in messages {
            let (_, bytes) = stored
                .iter()
                .find(|(name, _)| *name == message.name)
                .unwrap();
            assert!(
                *bytes == message.bytes,
                "{} changed in the store",
                message.name
            );
        }
    }

    /// The JSON log lines of the first `count` sessions of [`USER`] that
    /// ended, waiting for them (the server logs a session after closing
    /// it).
    pub fn session_ends(&self, count: usize) -> Vec<String> {
        let user = format!("\"user\":\"{USER}\"");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let ends: Vec<String> = self
                .log()
                .lines()
                .filter(|line| line.contains("\"session ended\"") && line.contains(&user))
                .map(str::to_owned)
                .collect();
            if ends.len() >= count {
                return ends;
            }
            assert!(
                Instant::now() < deadline,
                "fewer than {count} sessions ended: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// What the server logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("pop3d.log")).unwrap_or_default()
    }
}

impl Drop for Pop3d {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
