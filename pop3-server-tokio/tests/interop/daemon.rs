//! A `pop3d` process as an operator starts it: flags for the listeners,
//! certificate, users file and Maildir, a config file for the rest; killed
//! when dropped.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use super::mail::Message;
use super::{PASSWORD, USER};

const POP3D: &str = env!("CARGO_BIN_EXE_pop3d");

/// The config file every test server reads: APOP on (the users file holds
/// a plaintext password), a host name matching the certificate, and no
/// failed-login delay so a negative check stays quick.
const CONFIG: &str = "hostname = \"localhost\"\n\
                      apop = true\n\
                      \n\
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
}

fn free_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

impl Pop3d {
    /// Starts a server whose Maildir for [`USER`] holds `messages`, in
    /// that order (their modification times increase).
    pub fn start(messages: &[Message]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("users"), format!("{USER}:{{PLAIN}}{PASSWORD}\n")).unwrap();
        std::fs::write(root.join("pop3d.toml"), CONFIG).unwrap();
        let generated =
            rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()])
                .unwrap();
        let cert = root.join("cert.pem");
        std::fs::write(&cert, generated.cert.pem()).unwrap();
        std::fs::write(root.join("key.pem"), generated.signing_key.serialize_pem()).unwrap();

        let plain = free_port();
        let tls = free_port();
        let log = std::fs::File::create(root.join("pop3d.log")).unwrap();
        let child = Command::new(POP3D)
            .arg("--config")
            .arg(root.join("pop3d.toml"))
            .args(["--listen", &plain.to_string()])
            .args(["--tls-listen", &tls.to_string()])
            .arg("--cert")
            .arg(&cert)
            .arg("--key")
            .arg(root.join("key.pem"))
            .arg("--users")
            .arg(root.join("users"))
            .arg("--maildir")
            .arg(root.join("mail/%u/Maildir"))
            .args(["--log-format", "json"])
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
        };
        for sub in ["tmp", "new", "cur"] {
            std::fs::create_dir_all(daemon.maildir().join(sub)).unwrap();
        }
        for (i, message) in messages.iter().enumerate() {
            daemon.deliver_at(message, 1_700_000_000 + i as u64);
        }
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

    /// [`USER`]'s Maildir.
    pub fn maildir(&self) -> PathBuf {
        self.dir.path().join("mail").join(USER).join("Maildir")
    }

    /// A directory for a client's files, created empty.
    pub fn scratch(&self, name: &str) -> PathBuf {
        let path = self.dir.path().join("clients").join(name);
        std::fs::create_dir_all(&path).unwrap();
        path
    }

    /// Delivers `message` into `new/` the way an MDA does (written in
    /// `tmp/`, renamed), newer than everything delivered before.
    pub fn deliver(&self, message: &Message) {
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        self.deliver_at(message, now);
    }

    fn deliver_at(&self, message: &Message, mtime: u64) {
        let tmp = self.maildir().join("tmp").join(&message.name);
        std::fs::write(&tmp, &message.bytes).unwrap();
        let file = std::fs::File::options().write(true).open(&tmp).unwrap();
        file.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(mtime))
            .unwrap();
        drop(file);
        std::fs::rename(&tmp, self.maildir().join("new").join(&message.name)).unwrap();
    }

    /// The base names of the messages now in `new/` and `cur/`, sorted.
    pub fn stored_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        for sub in ["new", "cur"] {
            for entry in std::fs::read_dir(self.maildir().join(sub)).unwrap() {
                let name = entry.unwrap().file_name().into_string().unwrap();
                let base = name.split(':').next().unwrap().to_owned();
                names.push(base);
            }
        }
        names.sort();
        names
    }

    /// Fails the test unless the Maildir holds exactly `messages`, byte
    /// for byte.
    pub fn assert_holds(&self, messages: &[Message]) {
        let mut expected: Vec<&str> = messages.iter().map(|m| m.name.as_str()).collect();
        expected.sort_unstable();
        assert_eq!(self.stored_names(), expected, "Maildir contents");
        for message in messages {
            let bytes = std::fs::read(find(&self.maildir(), &message.name)).unwrap();
            assert!(bytes == message.bytes, "{} changed on disk", message.name);
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

fn find(maildir: &Path, base: &str) -> PathBuf {
    for sub in ["new", "cur"] {
        for entry in std::fs::read_dir(maildir.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap();
            if name.split(':').next() == Some(base) {
                return path;
            }
        }
    }
    panic!("{base} not in {}", maildir.display());
}

impl Drop for Pop3d {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
