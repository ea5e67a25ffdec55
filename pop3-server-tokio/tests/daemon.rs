//! The `pop3d` binary as an operator runs it: flags, the demo, signals,
//! two processes on one Maildir, kill -9.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Wire, message, stored_in};

const POP3D: &str = env!("CARGO_BIN_EXE_pop3d");

fn free_port() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap()
}

/// A `pop3d` process, killed when dropped.
struct Daemon {
    child: Child,
    addr: SocketAddr,
}

impl Daemon {
    fn start(dir: &Path, extra: &[&str]) -> Self {
        Self::start_logging(dir, extra, Stdio::null())
    }

    fn start_logging(dir: &Path, extra: &[&str], stderr: impl Into<Stdio>) -> Self {
        let addr = free_port();
        let child = Command::new(POP3D)
            .arg("--listen")
            .arg(addr.to_string())
            .arg("--users")
            .arg(dir.join("users"))
            .arg("--maildir")
            .arg(dir.join("mail/%u/Maildir"))
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .unwrap();
        let daemon = Self { child, addr };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(addr).is_err() {
            assert!(Instant::now() < deadline, "pop3d did not start listening");
            std::thread::sleep(Duration::from_millis(20));
        }
        daemon
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
    }

    fn wait(&mut self, limit: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "pop3d did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("users"), common::USERS).unwrap();
    let maildir = dir.path().join("mail/alice/Maildir");
    for sub in ["tmp", "new", "cur"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    for i in 0..3 {
        std::fs::write(
            maildir.join("new").join(format!("170000000{i}.M{i}.test")),
            message(&format!("m{i}"), 500),
        )
        .unwrap();
    }
    dir
}

async fn logged_in(addr: SocketAddr) -> Wire {
    let mut w = Wire::connect(addr).await;
    w.line().await;
    w.login("alice", "wonderland").await;
    w
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_share_the_lock() {
    let dir = setup();
    let first = Daemon::start(dir.path(), &[]);
    let second = Daemon::start(dir.path(), &[]);
    let mut a = logged_in(first.addr).await;
    let mut b = Wire::connect(second.addr).await;
    b.line().await;
    b.ok("USER alice").await;
    let answer = b.ask("PASS wonderland").await;
    assert!(answer.starts_with("-ERR [IN-USE]"), "{answer}");
    a.ok("QUIT").await;
    a.until_closed().await;
    let mut c = logged_in(second.addr).await;
    c.ok("QUIT").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_session_loses_nothing() {
    let dir = setup();
    let maildir = dir.path().join("mail/alice/Maildir");
    let before: Vec<Vec<u8>> = stored_in(&maildir)
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    let mut daemon = Daemon::start(dir.path(), &[]);
    let mut w = logged_in(daemon.addr).await;
    for i in 1..=3 {
        w.ok(&format!("DELE {i}")).await;
    }
    daemon.signal("KILL");
    daemon.wait(Duration::from_secs(10));
    let after: Vec<Vec<u8>> = stored_in(&maildir)
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    assert_eq!(before, after);
    // A new process serves them all again (the lock died with the process).
    let daemon = Daemon::start(dir.path(), &[]);
    let mut w = logged_in(daemon.addr).await;
    assert!(w.ok("STAT").await.starts_with("+OK 3 "));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_after_sessions_finish() {
    let dir = setup();
    let mut daemon = Daemon::start(dir.path(), &[]);
    let mut w = logged_in(daemon.addr).await;
    daemon.signal("TERM");
    tokio::time::sleep(Duration::from_millis(200)).await;
    w.ok("DELE 1").await;
    w.ok("QUIT").await;
    w.until_closed().await;
    let status = daemon.wait(Duration::from_secs(20));
    assert!(status.success(), "{status:?}");
    assert_eq!(stored_in(&dir.path().join("mail/alice/Maildir")).len(), 2);
}

#[test]
fn check_config_reports_problems_and_success() {
    let dir = setup();
    let ok = Command::new(POP3D)
        .args(["--listen", "127.0.0.1:1"])
        .arg("--users")
        .arg(dir.path().join("users"))
        .arg("--maildir")
        .arg(dir.path().join("mail/%u"))
        .arg("--check-config")
        .output()
        .unwrap();
    assert!(ok.status.success(), "{ok:?}");

    let missing = Command::new(POP3D)
        .args(["--listen", "127.0.0.1:1", "--users", "/nonexistent/users"])
        .args(["--maildir", "/tmp/%u", "--check-config"])
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/users"));

    let config = dir.path().join("pop3d.toml");
    std::fs::write(&config, "listen = [\"127.0.0.1:1\"]\nmax_conections = 4\n").unwrap();
    let typo = Command::new(POP3D)
        .arg("--config")
        .arg(&config)
        .arg("--check-config")
        .output()
        .unwrap();
    assert!(!typo.status.success());
    assert!(String::from_utf8_lossy(&typo.stderr).contains("max_conections"));
}

#[test]
fn hash_password_output_is_accepted_by_the_server() {
    use std::io::Write;
    for scheme in [
        "argon2id",
        "sha512-crypt",
        "blf-crypt",
        "scram-sha256",
        "plain",
    ] {
        let mut child = Command::new(POP3D)
            .args(["hash-password", "--scheme", scheme])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"s3cret pass\n")
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{scheme}");
        let entry = String::from_utf8(out.stdout).unwrap();
        assert!(entry.starts_with('{'), "{scheme}: {entry}");
        let users = format!("dave:{}", entry.trim());
        let parsed = pop3_server_tokio::auth::PasswdFile::parse(&users, "test").unwrap();
        drop(parsed);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_serves_out_of_the_box() {
    let dir = tempfile::tempdir().unwrap();
    let demo_dir = dir.path().join("demo");
    let addr = free_port();
    let tls_addr = free_port();
    let child = Command::new(POP3D)
        .arg("--demo")
        .arg("--demo-dir")
        .arg(&demo_dir)
        .arg("--listen")
        .arg(addr.to_string())
        .arg("--tls-listen")
        .arg(tls_addr.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _daemon = Daemon { child, addr };
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(addr).is_err() {
        assert!(Instant::now() < deadline, "demo did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut w = logged_in(addr).await;
    assert!(w.ok("STAT").await.starts_with("+OK 3 "));
    w.ok("QUIT").await;
    let cert = std::fs::read_to_string(demo_dir.join("cert.pem")).unwrap();
    let mut t = Wire::connect_tls(tls_addr, &cert).await;
    assert!(t.line().await.starts_with("+OK"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_the_users_file() {
    let dir = setup();
    let daemon = Daemon::start(dir.path(), &[]);
    let mut w = Wire::connect(daemon.addr).await;
    w.line().await;
    w.ok("USER dave").await;
    assert!(w.ask("PASS d4ve").await.starts_with("-ERR [AUTH]"));
    drop(w);

    let users = format!("{}dave:{{PLAIN}}d4ve\n", common::USERS);
    std::fs::write(dir.path().join("users"), users).unwrap();
    daemon.signal("HUP");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut w = Wire::connect(daemon.addr).await;
        w.line().await;
        w.ok("USER dave").await;
        if w.ask("PASS d4ve").await.starts_with("+OK") {
            break;
        }
        assert!(Instant::now() < deadline, "dave never became valid");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // A broken file on reload keeps the old one in service.
    std::fs::write(dir.path().join("users"), "alice:{NOSUCHSCHEME}x\n").unwrap();
    daemon.signal("HUP");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut w = logged_in(daemon.addr).await;
    w.ok("QUIT").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_log_has_one_line_per_session() {
    let dir = setup();
    let log_path = dir.path().join("pop3d.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut daemon = Daemon::start_logging(dir.path(), &["--log-format", "json"], log);
    let mut w = logged_in(daemon.addr).await;
    let mut sink = Vec::new();
    w.ok("RETR 1").await;
    sink.extend(w.body().await);
    w.ok("DELE 1").await;
    w.ok("QUIT").await;
    w.until_closed().await;
    daemon.signal("TERM");
    assert!(daemon.wait(Duration::from_secs(20)).success());
    let text = std::fs::read_to_string(&log_path).unwrap();
    // The start-up probe's connection is a session of its own (ended by
    // a close or a reset, as the kernel has it), without a user.
    let ended: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("session ended"))
        .collect();
    assert_eq!(ended.len(), 2, "{text}");
    assert!(ended[0].contains("\"user\":\"-\""), "{text}");
    let line = ended[1];
    assert!(line.starts_with('{') && line.ends_with('}'), "{line}");
    for field in [
        "\"user\":\"alice\"",
        "\"tls\":false",
        "\"retrieved\":1",
        "\"deleted\":1",
        "\"reason\":\"quit\"",
        "\"peer\":\"127.0.0.1:",
        "\"duration_ms\":",
        &format!("\"octets\":{}", sink.len() - 1),
    ] {
        assert!(line.contains(field), "{field} missing in {line}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_mechanisms_some_user_can_complete_are_offered() {
    use pop3_server_tokio::auth::{Scheme, hash_password};
    let dir = setup();
    let hashed = hash_password(Scheme::Argon2id, b"pw").unwrap();
    std::fs::write(dir.path().join("users"), format!("erin:{hashed}\n")).unwrap();
    let daemon = Daemon::start(dir.path(), &[]);
    let mut w = Wire::connect(daemon.addr).await;
    w.line().await;
    let capa = String::from_utf8(w.multi("CAPA").await).unwrap();
    let sasl = capa.lines().find(|l| l.starts_with("SASL")).unwrap();
    assert_eq!(sasl, "SASL PLAIN LOGIN", "{capa}");
    w.login("erin", "pw").await;
    w.ok("QUIT").await;

    // With a plaintext user, CRAM-MD5 and SCRAM become completable.
    std::fs::write(dir.path().join("users"), common::USERS).unwrap();
    drop(daemon);
    let daemon = Daemon::start(dir.path(), &[]);
    let mut w = Wire::connect(daemon.addr).await;
    w.line().await;
    let capa = String::from_utf8(w.multi("CAPA").await).unwrap();
    let sasl = capa.lines().find(|l| l.starts_with("SASL")).unwrap();
    assert_eq!(sasl, "SASL SCRAM-SHA-256 CRAM-MD5 PLAIN LOGIN", "{capa}");
}

/// `login_delay_secs` and `expire` from the configuration file reach CAPA,
/// and the delay is enforced.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_delay_and_expire_come_from_the_file() {
    let dir = setup();
    let config = dir.path().join("pop3d.toml");
    std::fs::write(&config, "login_delay_secs = 600\nexpire = \"never\"\n").unwrap();
    let daemon = Daemon::start(dir.path(), &["--config", config.to_str().unwrap()]);
    let mut w = Wire::connect(daemon.addr).await;
    w.line().await;
    let capa = String::from_utf8(w.multi("CAPA").await).unwrap();
    assert!(capa.contains("\r\nLOGIN-DELAY 600\r\n"), "{capa}");
    assert!(capa.contains("\r\nEXPIRE NEVER\r\n"), "{capa}");
    w.login("alice", "wonderland").await;
    w.ok("QUIT").await;
    let mut w = Wire::connect(daemon.addr).await;
    w.line().await;
    w.ok("USER alice").await;
    let refused = w.ask("PASS wonderland").await;
    assert!(refused.starts_with("-ERR [LOGIN-DELAY]"), "{refused}");
}

/// `login_timeout_secs` from the file closes a session that keeps sending
/// commands without logging in, and only once the time is up.
#[tokio::test]
async fn login_timeout_comes_from_the_file() {
    let dir = setup();
    let config = dir.path().join("pop3d.toml");
    std::fs::write(&config, "[limits]\nlogin_timeout_secs = 2\n").unwrap();
    let daemon = Daemon::start(dir.path(), &["--config", config.to_str().unwrap()]);
    let mut w = Wire::connect(daemon.addr).await;
    let started = std::time::Instant::now();
    w.line().await;
    let closing = loop {
        let reply = w.ask("CAPA").await;
        if !reply.starts_with("+OK") {
            break reply;
        }
        while w.line().await != "." {}
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert_eq!(closing, "-ERR Too long without logging in");
    assert!(started.elapsed() >= std::time::Duration::from_secs(2));
    assert!(w.until_closed().await.is_empty());
}
