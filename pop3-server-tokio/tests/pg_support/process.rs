//! `pop3d` and HAProxy as processes, and a line client that can connect
//! from a chosen loopback address.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpSocket, TcpStream};

pub const POP3D: &str = env!("CARGO_BIN_EXE_pop3d");

pub const HAPROXY_HINT: &str = "HAProxy is required: run `bash .ci/install-postgres-haproxy` (or `apt-get install -y haproxy`)";

pub fn free_addr() -> SocketAddr {
    SocketAddr::new([127, 0, 0, 1].into(), super::cluster::free_port())
}

/// Runs `pop3d` with arguments and returns (success, stdout, stderr).
pub fn pop3d(args: &[&str], stdin: &[u8]) -> (bool, String, String) {
    use std::io::Write;
    let mut child = Command::new(POP3D)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // pop3d may refuse its arguments and exit before reading its input.
    match child.stdin.take().unwrap().write_all(stdin) {
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => {}
        written => written.unwrap(),
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Delivers `message` to `user` in the PostgreSQL store at `url` with
/// `pop3d deliver`, as an MTA would; fails the test if it fails.
pub fn deliver_postgres(url: &str, user: &str, message: &[u8]) {
    let args = [
        "deliver",
        "--user",
        user,
        "--store",
        "postgres",
        "--database-url",
        url,
    ];
    let (ok, _, err) = pop3d(&args, message);
    assert!(ok, "{err}");
}

/// A child process killed (SIGKILL) when dropped.
pub struct Process {
    pub child: Child,
    pub log: PathBuf,
}

impl Process {
    /// `pop3d --config <config>` with JSON logs into `log`; returns once
    /// it says it is listening.
    pub fn pop3d(config: &Path, log: PathBuf) -> Self {
        let child = Command::new(POP3D)
            .arg("--config")
            .arg(config)
            .args(["--log-format", "json"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut process = Self { child, log };
        process.wait_for_log("\"listening\"");
        process
    }

    /// HAProxy in the foreground on `config`.
    pub fn haproxy(config: &Path, log: PathBuf) -> Self {
        let binary = ["/usr/sbin/haproxy", "/usr/local/sbin/haproxy"]
            .into_iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
            .or_else(|| {
                let out = Command::new("sh")
                    .args(["-c", "command -v haproxy"])
                    .output()
                    .ok()?;
                let path = String::from_utf8_lossy(&out.stdout).trim().to_owned();
                (!path.is_empty()).then(|| PathBuf::from(path))
            })
            .unwrap_or_else(|| panic!("{HAPROXY_HINT}"));
        let check = Command::new(&binary)
            .args(["-c", "-f"])
            .arg(config)
            .output()
            .unwrap();
        assert!(check.status.success(), "haproxy config: {check:?}");
        let child = Command::new(&binary)
            .args(["-db", "-f"])
            .arg(config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Self { child, log }
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn wait_for_log(&mut self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.log_text().contains(needle) {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("process exited ({status}): {}", self.log_text());
            }
            assert!(
                Instant::now() < deadline,
                "no {needle} in {}",
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn kill_9(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until something accepts connections on `addr`.
pub fn wait_listening(addr: SocketAddr) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(addr).is_err() {
        assert!(Instant::now() < deadline, "nothing listening on {addr}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A POP3 line client.
pub struct Client {
    stream: BufReader<TcpStream>,
    pub local: SocketAddr,
}

impl Client {
    /// Connects to `to` from `from` (any port), reads the greeting.
    pub async fn connect_from(from: IpAddr, to: SocketAddr) -> Self {
        let socket = TcpSocket::new_v4().unwrap();
        socket.bind(SocketAddr::new(from, 0)).unwrap();
        let stream = socket.connect(to).await.unwrap();
        let local = stream.local_addr().unwrap();
        let mut client = Self {
            stream: BufReader::new(stream),
            local,
        };
        let greeting = client.line().await;
        assert!(greeting.starts_with("+OK"), "{greeting}");
        client
    }

    pub async fn line(&mut self) -> String {
        let mut line = String::new();
        tokio::time::timeout(Duration::from_secs(20), self.stream.read_line(&mut line))
            .await
            .expect("no answer in time")
            .unwrap();
        line.trim_end_matches("\r\n").to_owned()
    }

    pub async fn ask(&mut self, command: &str) -> String {
        self.stream
            .get_mut()
            .write_all(format!("{command}\r\n").as_bytes())
            .await
            .unwrap();
        self.line().await
    }

    pub async fn ok(&mut self, command: &str) -> String {
        let answer = self.ask(command).await;
        assert!(answer.starts_with("+OK"), "{command} -> {answer}");
        answer
    }

    /// Reads a multi-line body up to its terminator; returns its octets.
    pub async fn body(&mut self) -> usize {
        let mut octets = 0;
        loop {
            let line = self.line().await;
            if line == "." {
                return octets;
            }
            octets += line.len() + 2;
        }
    }

    /// USER/PASS; returns the answer to PASS.
    pub async fn login(&mut self, user: &str, password: &str) -> String {
        self.ok(&format!("USER {user}")).await;
        self.ask(&format!("PASS {password}")).await
    }

    /// Reads until the peer closes.
    pub async fn until_closed(&mut self) -> Vec<u8> {
        let mut rest = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(20), self.stream.read_to_end(&mut rest))
            .await
            .expect("not closed in time");
        rest
    }
}
