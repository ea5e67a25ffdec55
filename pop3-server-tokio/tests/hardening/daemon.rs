//! The `pop3d` binary as a child process, for faults that need a process
//! of its own: kill -9, memory measured as the server's alone, two
//! processes on one Maildir.

use std::net::{SocketAddr, TcpListener};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::USERS;

const POP3D: &str = env!("CARGO_BIN_EXE_pop3d");

/// A test's data: the users file and the mail root, in a temporary
/// directory that several daemons may share.
pub struct Site {
    pub dir: tempfile::TempDir,
}

impl Site {
    /// In `/dev/shm` where there is one: creating thousands of small
    /// files there is quick, and a killed process leaves the same state
    /// in memory-backed files as on a disk's page cache.
    pub fn new() -> Self {
        let shm = std::path::Path::new("/dev/shm");
        let dir = if shm.is_dir() {
            tempfile::tempdir_in(shm).unwrap()
        } else {
            tempfile::tempdir().unwrap()
        };
        std::fs::write(dir.path().join("users"), USERS).unwrap();
        std::fs::create_dir_all(dir.path().join("mail")).unwrap();
        Self { dir }
    }

    pub fn maildir(&self, user: &str) -> PathBuf {
        self.dir.path().join("mail").join(user).join("Maildir")
    }

    /// Writes a configuration file with these `[limits]` lines and returns
    /// its path.
    pub fn config(&self, name: &str, limits: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        let text = format!(
            "users = \"{}\"\nmaildir = \"{}\"\n[limits]\n{limits}\n",
            self.dir.path().join("users").display(),
            self.dir.path().join("mail/%u/Maildir").display(),
        );
        std::fs::write(&path, text).unwrap();
        path
    }
}

/// A running `pop3d`; killed when dropped.
pub struct Daemon {
    child: Child,
    pub addr: SocketAddr,
}

impl Daemon {
    /// Starts `pop3d` with `config` on a free loopback port; `uid` runs it
    /// as that user (the test must be root to ask).
    pub fn start(config: &Path, uid: Option<u32>) -> Self {
        let addr = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let mut command = Command::new(POP3D);
        command
            .arg("--config")
            .arg(config)
            .arg("--listen")
            .arg(addr.to_string())
            .env("RUST_LOG", "error")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        if let Some(uid) = uid {
            command.uid(uid).gid(uid);
        }
        let child = command.spawn().unwrap();
        let mut daemon = Self { child, addr };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(addr).is_err() {
            if let Some(status) = daemon.child.try_wait().unwrap() {
                panic!("pop3d exited at start: {status}");
            }
            assert!(Instant::now() < deadline, "pop3d did not start listening");
            std::thread::sleep(Duration::from_millis(20));
        }
        daemon
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory in KiB (`VmRSS` of `/proc/<pid>/status`).
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.trim().strip_suffix("kB"))
            .map(|kib| kib.trim().parse().unwrap())
            .expect("no VmRSS line")
    }

    /// Open file descriptors of the process.
    pub fn open_fds(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.pid()))
            .unwrap()
            .count()
    }

    /// Waits until the process has at most `limit` descriptors open;
    /// false if `patience` ran out first.
    pub fn wait_for_fds_at_most(&self, limit: usize, patience: Duration) -> bool {
        let deadline = Instant::now() + patience;
        loop {
            if self.open_fds() <= limit {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGKILL, then waits for the process to be gone.
    pub fn kill_9(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether this test runs as root (and may mount, or start `pop3d` as
/// another user).
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().next().map(|id| id == "0"))
        .unwrap_or(false)
}
