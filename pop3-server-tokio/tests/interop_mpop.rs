//! mpop against a running `pop3d`: pipelined retrieval into a Maildir
//! with `--keep`, a run that finds nothing new, a deleting run; STLS and
//! POP3S with the certificate checked; every login method mpop has that
//! pop3d offers. Messages are compared with what was delivered (mpop
//! stores Unix line ends). Every test runs with the server on a Maildir
//! and on PostgreSQL.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod interop;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Command;

use interop::{Backend, Message, Outcome, PASSWORD, Pop3d, USER, lf, run, sample};

/// How mpop reaches the server.
#[derive(Clone, Copy, Debug)]
enum Transport {
    Stls,
    Pop3s,
    /// No TLS at all (pop3d allows passwords in the clear on loopback).
    Clear,
}

/// A client's home: an empty 0600 configuration file, the UIDL list and
/// the Maildir mpop delivers to.
struct Home {
    dir: PathBuf,
}

impl Home {
    fn new(daemon: &Pop3d, name: &str) -> Self {
        let dir = daemon.scratch(name);
        for sub in ["tmp", "new", "cur"] {
            std::fs::create_dir_all(dir.join("Maildir").join(sub)).unwrap();
        }
        let rc = dir.join("mpoprc");
        std::fs::write(&rc, "").unwrap();
        std::fs::set_permissions(&rc, std::fs::Permissions::from_mode(0o600)).unwrap();
        Self { dir }
    }

    /// The messages mpop delivered, sorted (mpop names files by time and
    /// a counter, so the set is what is compared).
    fn delivered(&self) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            for entry in std::fs::read_dir(self.dir.join("Maildir").join(sub)).unwrap() {
                out.push(std::fs::read(entry.unwrap().path()).unwrap());
            }
        }
        out.sort();
        out
    }
}

fn unix_sorted(messages: &[Message]) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = messages.iter().map(|m| lf(&m.bytes)).collect();
    out.sort();
    out
}

fn mpop(daemon: &Pop3d, home: &Home, transport: Transport, auth: &str, keep: bool) -> Outcome {
    let program = interop::require("mpop", "mpop");
    let (port, tls, starttls) = match transport {
        Transport::Stls => (daemon.plain.port(), "on", "on"),
        Transport::Pop3s => (daemon.tls.port(), "on", "off"),
        Transport::Clear => (daemon.plain.port(), "off", "off"),
    };
    let mut command = Command::new(program);
    command
        .env("HOME", &home.dir)
        .arg(format!("--file={}", home.dir.join("mpoprc").display()))
        .arg("--debug")
        .arg("--host=127.0.0.1")
        .arg(format!("--port={port}"))
        .arg(format!("--tls={tls}"))
        .arg(format!("--tls-starttls={starttls}"))
        .arg(format!("--tls-trust-file={}", daemon.cert.display()))
        .arg(format!("--auth={auth}"))
        .arg(format!("--user={USER}"))
        .arg(format!("--passwordeval=echo {PASSWORD}"))
        .arg(format!(
            "--delivery=maildir,{}",
            home.dir.join("Maildir").display()
        ))
        .arg(format!("--uidls-file={}", home.dir.join("uidls").display()))
        .arg("--received-header=off")
        .arg(format!("--keep={}", if keep { "on" } else { "off" }));
    let outcome = run(&mut command, &home.dir.join("run"));
    if !outcome.status.success() {
        panic!(
            "mpop failed: {}\npop3d: {}",
            outcome.transcript(),
            daemon.log()
        );
    }
    outcome
}

/// The commands mpop sent, in order, from its debug transcript.
fn sent(outcome: &Outcome) -> Vec<String> {
    outcome
        .stdout_text()
        .lines()
        .filter_map(|line| line.strip_prefix("--> "))
        .map(str::to_owned)
        .collect()
}

/// True if `second` was sent right after `first`, before any answer
/// arrived: mpop pipelined them.
fn pipelined(outcome: &Outcome, first: &str, second: &str) -> bool {
    let text = outcome.stdout_text();
    let lines: Vec<&str> = text.lines().collect();
    lines
        .windows(2)
        .any(|w| w[0] == format!("--> {first}") && w[1] == format!("--> {second}"))
}

fn mpop_pipelines_keeps_then_deletes_over_stls(backend: Backend) {
    let messages = sample();
    let daemon = Pop3d::start(backend, &messages);
    let home = Home::new(&daemon, "mpop");

    let first = mpop(&daemon, &home, Transport::Stls, "scram-sha-256", true);
    let commands = sent(&first);
    assert!(commands.contains(&"STLS".to_owned()), "{commands:?}");
    assert!(
        commands.contains(&"AUTH SCRAM-SHA-256".to_owned()),
        "{commands:?}"
    );
    assert!(pipelined(&first, "RETR 1", "RETR 2"), "{commands:?}");
    assert!(pipelined(&first, "RETR 3", "RETR 4"), "{commands:?}");
    assert!(
        home.delivered() == unix_sorted(&messages),
        "{}",
        first.transcript()
    );
    daemon.assert_holds(&messages);

    // Every unique-id is in mpop's list now: nothing is retrieved.
    let second = mpop(&daemon, &home, Transport::Stls, "scram-sha-256", true);
    assert!(
        !sent(&second).iter().any(|c| c.starts_with("RETR")),
        "{}",
        second.transcript()
    );
    assert!(home.delivered() == unix_sorted(&messages));
    daemon.assert_holds(&messages);

    // A new message; without --keep mpop fetches only it and deletes
    // every message, pipelining the DELEs.
    let late = interop::late();
    daemon.deliver(&late);
    let third = mpop(&daemon, &home, Transport::Stls, "scram-sha-256", false);
    let commands = sent(&third);
    let retrieved: Vec<&String> = commands.iter().filter(|c| c.starts_with("RETR")).collect();
    assert_eq!(retrieved, ["RETR 5"], "{commands:?}");
    assert!(pipelined(&third, "DELE 1", "DELE 2"), "{commands:?}");
    let mut all = messages.clone();
    all.push(late);
    assert!(
        home.delivered() == unix_sorted(&all),
        "{}",
        third.transcript()
    );
    daemon.assert_holds(&[]);
}

fn mpop_login_methods(backend: Backend) {
    let messages = sample();
    let daemon = Pop3d::start(backend, &messages);
    for (auth, transport, command) in [
        ("user", Transport::Stls, "USER alice"),
        ("plain", Transport::Pop3s, "AUTH PLAIN"),
        ("login", Transport::Stls, "AUTH LOGIN"),
        ("cram-md5", Transport::Clear, "AUTH CRAM-MD5"),
        ("apop", Transport::Clear, "APOP alice "),
        ("scram-sha-256", Transport::Pop3s, "AUTH SCRAM-SHA-256"),
    ] {
        let home = Home::new(&daemon, &format!("mpop-{auth}"));
        let outcome = mpop(&daemon, &home, transport, auth, true);
        assert!(
            sent(&outcome).iter().any(|c| c.starts_with(command)),
            "{auth} over {transport:?}: {}",
            outcome.transcript()
        );
        assert!(
            home.delivered() == unix_sorted(&messages),
            "{auth} over {transport:?}: {}",
            outcome.transcript()
        );
    }
    daemon.assert_holds(&messages);
}

on_both_backends!(
    mpop_pipelines_keeps_then_deletes_over_stls,
    mpop_login_methods,
);
