//! fetchmail against a running `pop3d`: a `--keep` run with UIDL, a
//! second one that finds nothing new, a deleting run; over STLS with the
//! certificate checked, over POP3S with APOP, and with CRAM-MD5. Each
//! message is handed to an MDA and compared with what was delivered
//! (fetchmail stores Unix line ends). Every test runs on a Maildir and on
//! PostgreSQL.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod interop;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use interop::mda::{counting_mda, delivered};
use interop::{Backend, Message, Outcome, PASSWORD, Pop3d, USER, lf, run, sample};

/// How fetchmail reaches the server in a poll entry.
enum Transport {
    /// STLS on the plain port, certificate checked.
    Stls,
    /// TLS from the first byte on the POP3S port, certificate checked.
    Pop3s,
}

/// Writes a 0600 rc file for one poll entry and returns fetchmail's home
/// (holding the rc file, the UIDL list and the lock).
fn setup(daemon: &Pop3d, name: &str, transport: Transport, auth: &str) -> std::path::PathBuf {
    let home = daemon.scratch(name);
    std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).unwrap();
    let mda = counting_mda(&home);
    let (port, tls) = match transport {
        Transport::Stls => (daemon.plain.port(), "sslproto \"tls1.2+\""),
        Transport::Pop3s => (daemon.tls.port(), "ssl sslproto \"tls1.2+\""),
    };
    let rc = format!(
        "set no syslog\n\
         poll 127.0.0.1 service {port} {auth} uidl\n\
         \x20   user \"{USER}\" password \"{PASSWORD}\"\n\
         \x20   {tls} sslcertck sslcertfile \"{cert}\" sslcommonname \"localhost\"\n\
         \x20   mda \"/bin/sh {mda}\"\n\
         \x20   no rewrite\n",
        cert = daemon.cert.display(),
        mda = mda.display(),
    );
    let rc_path = home.join("fetchmailrc");
    std::fs::write(&rc_path, rc).unwrap();
    std::fs::set_permissions(&rc_path, std::fs::Permissions::from_mode(0o600)).unwrap();
    home
}

fn fetchmail(daemon: &Pop3d, home: &Path, flags: &[&str]) -> Outcome {
    let program = interop::require("fetchmail", "fetchmail");
    let mut command = Command::new(program);
    command
        .env("FETCHMAILHOME", home)
        .env("HOME", home)
        .arg("--fetchmailrc")
        .arg(home.join("fetchmailrc"))
        // As root fetchmail locks /var/run/fetchmail.pid, which would keep
        // tests running side by side from polling at once.
        .arg("--pidfile")
        .arg(home.join("fetchmail.pid"))
        .args(["--nosyslog", "--invisible", "--verbose"])
        .args(flags);
    let outcome = run(&mut command, &home.join("run"));
    if !outcome.status.success() && outcome.status.code() != Some(1) {
        panic!(
            "fetchmail failed: {}\npop3d: {}",
            outcome.transcript(),
            daemon.log()
        );
    }
    outcome
}

fn unix(messages: &[Message]) -> Vec<Vec<u8>> {
    messages.iter().map(|m| lf(&m.bytes)).collect()
}

fn fetchmail_keeps_with_uidl_then_deletes_over_stls(backend: Backend) {
    let messages = sample();
    let daemon = Pop3d::start(backend, &messages);
    let home = setup(
        &daemon,
        "fetchmail",
        Transport::Stls,
        "protocol pop3 auth password",
    );

    let first = fetchmail(&daemon, &home, &["--keep"]).success("fetchmail --keep");
    let text = first.stdout_text();
    assert!(text.contains("POP3> STLS"), "{text}");
    assert!(text.contains("upgrade to TLS succeeded"), "{text}");
    assert!(text.contains("POP3> USER alice"), "{text}");
    assert!(text.contains("POP3> UIDL"), "{text}");
    assert!(delivered(&home) == unix(&messages), "first run: {text}");
    daemon.assert_holds(&messages);

    // The UIDL list says every message is old: nothing is fetched, and
    // fetchmail's status 1 means "no mail".
    let second = fetchmail(&daemon, &home, &["--keep"]);
    assert_eq!(second.status.code(), Some(1), "{}", second.transcript());
    assert!(
        second.stdout_text().contains("4 messages (4 seen)"),
        "{}",
        second.transcript()
    );
    assert_eq!(delivered(&home).len(), messages.len());
    daemon.assert_holds(&messages);

    // A new message arrives; a deleting run fetches only it, and --flush
    // removes the old ones it had kept.
    let late = interop::late();
    daemon.deliver(&late);
    let third = fetchmail(&daemon, &home, &["--flush"]).success("fetchmail --flush");
    assert!(
        third.stdout_text().contains("5 messages (4 seen)"),
        "{}",
        third.transcript()
    );
    let mut expected = unix(&messages);
    expected.push(lf(&late.bytes));
    assert!(
        delivered(&home) == expected,
        "third run: {}",
        third.stdout_text()
    );
    daemon.assert_holds(&[]);
}

fn fetchmail_apop_over_pop3s_deletes_what_it_fetched(backend: Backend) {
    let messages = sample();
    let daemon = Pop3d::start(backend, &messages);
    let home = setup(&daemon, "fetchmail", Transport::Pop3s, "protocol apop");
    let outcome = fetchmail(&daemon, &home, &[]).success("fetchmail APOP");
    let text = outcome.stdout_text();
    assert!(text.contains("POP3> APOP alice "), "{text}");
    assert!(delivered(&home) == unix(&messages), "{text}");
    daemon.assert_holds(&[]);
}

fn fetchmail_cram_md5_over_stls(backend: Backend) {
    let messages = sample();
    let daemon = Pop3d::start(backend, &messages);
    let home = setup(
        &daemon,
        "fetchmail",
        Transport::Stls,
        "protocol pop3 auth cram-md5",
    );
    let outcome = fetchmail(&daemon, &home, &["--keep"]).success("fetchmail CRAM-MD5");
    let text = outcome.stdout_text();
    assert!(text.contains("POP3> AUTH CRAM-MD5"), "{text}");
    assert!(delivered(&home) == unix(&messages), "{text}");
    daemon.assert_holds(&messages);
}

on_both_backends!(
    fetchmail_keeps_with_uidl_then_deletes_over_stls,
    fetchmail_apop_over_pop3s_deletes_what_it_fetched,
    fetchmail_cram_md5_over_stls,
);
