//! Shared test harness: a server kind behind a trait (Dovecot, and this
//! workspace's pop3d), proxies that misbehave on purpose, and helpers to
//! run the `pop3` command and read Maildirs.

#![allow(dead_code, unreachable_pub)]

pub mod certs;
pub mod dovecot;
pub mod pop3d;
pub mod proxy;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use pop3_client_blocking::{Client, ConnectOptions, LoginMethod, TlsOptions};

/// One account on a test server and the login methods it must accept.
#[derive(Debug, Clone)]
pub struct TestAccount {
    pub user: String,
    pub password: Vec<u8>,
    pub methods: Vec<LoginMethod>,
}

/// A POP3 server started for a test, stopped when dropped.
pub trait TestServer {
    /// For messages: "dovecot", "pop3d".
    fn kind(&self) -> &'static str;
    /// The plain port, offering STLS.
    fn addr(&self) -> SocketAddr;
    /// The implicit-TLS port.
    fn tls_addr(&self) -> SocketAddr;
    /// The main account's user name and password.
    fn user(&self) -> &str;
    fn password(&self) -> &[u8];
    /// The main account's Maildir on the server side.
    fn maildir(&self) -> &Path;
    /// Every account, with the methods each must accept.
    fn accounts(&self) -> Vec<TestAccount>;
    /// A PEM file with the CA that signed the server's certificate.
    fn ca_file(&self) -> &Path;
    /// Stores a message for the main account; returns its file.
    fn add_message(&self, content: &[u8]) -> PathBuf;
    /// An access token the server accepts for the main account with
    /// OAUTHBEARER and XOAUTH2, if it takes bearer tokens.
    fn bearer_token(&self) -> Option<&str>;
}

/// One `#[test]` per suite function, each against a fresh server made by
/// `$start`. A new server kind adds a file with one call:
/// `server_tests!(Pop3d::start(); every_call_over_stls, ...);`
#[macro_export]
macro_rules! server_tests {
    ($start:expr; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let server = $start;
                suite::$name(&server);
            }
        )*
    };
}

/// Options trusting the test server's CA, with short timeouts.
pub fn options(server: &dyn TestServer) -> ConnectOptions {
    let limit = Some(std::time::Duration::from_secs(20));
    ConnectOptions {
        connect_timeout: limit,
        read_timeout: limit,
        write_timeout: limit,
        tls: TlsOptions {
            system_roots: false,
            extra_ca_file: Some(server.ca_file().to_owned()),
            danger_accept_invalid_certificates: false,
        },
        ..ConnectOptions::default()
    }
}

/// An implicit-TLS session, logged in as the main account.
///
/// A session the test just dropped (a killed fetch, a connection cut on
/// purpose) may hold the maildrop lock for a moment after the socket
/// closed, until the server has noticed: `[IN-USE]` is retried for a few
/// seconds, as a real client retries later.
pub fn logged_in(server: &dyn TestServer) -> Client {
    let addr = server.tls_addr();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let mut client = Client::connect_tls("localhost", addr.port(), &options(server)).unwrap();
        match client.login(server.user(), server.password()) {
            Ok(_) => return client,
            Err(e) if e.is_temporary() && std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => panic!("login failed: {e:?}"),
        }
    }
}

/// A message with `n` in it, LF line endings (as stored by delivery
/// agents), with a dot-starting line to exercise dot-stuffing.
pub fn message(n: usize, body_lines: usize) -> Vec<u8> {
    let mut m = format!(
        "From: sender{n}@example.org\nTo: alice@example.org\nSubject: message {n}\nMessage-ID: <{n}@test>\n\n"
    )
    .into_bytes();
    for i in 0..body_lines {
        m.extend_from_slice(format!("line {i} of message {n}\n").as_bytes());
        if i % 50 == 0 {
            m.extend_from_slice(b".a line starting with a dot\n");
        }
    }
    m
}

/// LF to CRLF: how a server sends a message stored with LF.
pub fn crlf(lf: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(lf.len() + lf.len() / 20);
    for &b in lf {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

/// The contents of every message in a Maildir's new/ and cur/, counted.
pub fn maildir_contents(dir: &Path) -> BTreeMap<Vec<u8>, usize> {
    let mut found = BTreeMap::new();
    for sub in ["new", "cur"] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for entry in entries {
            let data = std::fs::read(entry.unwrap().path()).unwrap();
            *found.entry(data).or_insert(0) += 1;
        }
    }
    found
}

/// Each message once.
pub fn once(messages: &[Vec<u8>]) -> BTreeMap<Vec<u8>, usize> {
    let mut map = BTreeMap::new();
    for m in messages {
        *map.entry(m.clone()).or_insert(0) += 1;
    }
    map
}

/// The `pop3` command with the server's password in the environment
/// and its CA trusted.
pub fn pop3(server: &dyn TestServer) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pop3"));
    cmd.env(
        "POP3_PASSWORD",
        String::from_utf8(server.password().to_vec()).unwrap(),
    );
    cmd.env("SSL_CERT_FILE", server.ca_file());
    cmd.stdin(std::process::Stdio::null());
    cmd
}

/// Arguments naming the CA and a short timeout.
pub fn tls_args(server: &dyn TestServer) -> Vec<String> {
    vec![
        "--ca-file".into(),
        server.ca_file().display().to_string(),
        "--timeout".into(),
        "20".into(),
    ]
}

/// `pop3s://user@localhost:port` for the server's TLS port.
pub fn pop3s_url(server: &dyn TestServer) -> String {
    format!(
        "pop3s://{}@localhost:{}",
        server.user(),
        server.tls_addr().port()
    )
}

/// `pop3://user@localhost:port` for `port` (the plain port or a proxy).
pub fn pop3_url(server: &dyn TestServer, port: u16) -> String {
    format!("pop3://{}@localhost:{port}", server.user())
}

/// Runs and returns the output, printing it for failing tests.
pub fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap();
    eprintln!(
        "{:?} -> {:?}\nstdout: {}\nstderr: {}",
        cmd.get_args().collect::<Vec<_>>(),
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Parses "fetched N message(s)" from the summary line.
pub fn fetched(out: &Output) -> usize {
    let text = String::from_utf8_lossy(&out.stdout);
    let rest = text.split("fetched ").nth(1).unwrap();
    rest.split(' ').next().unwrap().parse().unwrap()
}
