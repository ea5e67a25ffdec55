//! curl (pop3:// with STLS, pop3s://) against a running `pop3d`: LIST,
//! RETR, UIDL, TOP, DELE, and the SASL mechanisms curl speaks, each
//! download compared byte for byte with what was delivered. Every test
//! runs on a Maildir and on PostgreSQL.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod interop;

use std::path::PathBuf;
use std::process::Command;

use interop::{Backend, Outcome, PASSWORD, Pop3d, USER, crlf, header_block, run, sample};

fn curl() -> PathBuf {
    interop::require("curl", "curl")
}

/// Runs curl verbosely (the protocol exchange on stderr) against `url`,
/// trusting only the test certificate.
fn fetch(daemon: &Pop3d, url: &str, args: &[&str]) -> Outcome {
    let mut command = Command::new(curl());
    command
        .args(["-sS", "-v", "--max-time", "30", "--user"])
        .arg(format!("{USER}:{PASSWORD}"))
        .arg("--cacert")
        .arg(&daemon.cert)
        .args(args)
        .arg(url);
    run(&mut command, &daemon.scratch("curl"))
}

fn stls_url(daemon: &Pop3d, path: &str) -> String {
    format!("pop3://{}/{path}", daemon.plain)
}

fn pop3s_url(daemon: &Pop3d, path: &str) -> String {
    format!("pop3s://{}/{path}", daemon.tls)
}

/// The lines of a LIST answer for `messages`, as curl prints them.
fn scan_listing(messages: &[interop::Message]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        out.extend_from_slice(format!("{} {}\r\n", i + 1, crlf(&m.bytes).len()).as_bytes());
    }
    out
}

fn curl_lists_and_retrieves_every_message_over_stls(backend: Backend) {
    let messages = sample();
    let daemon = Pop3d::start(backend, &messages);

    let listed = fetch(&daemon, &stls_url(&daemon, ""), &["--ssl-reqd"]).success("curl LIST");
    assert!(listed.stderr.contains("> STLS"), "{}", listed.transcript());
    assert!(listed.stderr.contains("> LIST"), "{}", listed.transcript());
    assert_eq!(
        listed.stdout_text(),
        String::from_utf8(scan_listing(&messages)).unwrap()
    );

    for (i, message) in messages.iter().enumerate() {
        let got = fetch(
            &daemon,
            &stls_url(&daemon, &(i + 1).to_string()),
            &["--ssl-reqd"],
        )
        .success("curl RETR");
        assert!(
            got.stderr.contains(&format!("> RETR {}", i + 1)),
            "{}",
            got.transcript()
        );
        assert!(
            got.stdout == crlf(&message.bytes),
            "RETR {} differs from {} ({} vs {} octets)",
            i + 1,
            message.name,
            got.stdout.len(),
            crlf(&message.bytes).len()
        );
    }
    daemon.assert_holds(&messages);
}

fn curl_pop3s_uidl_top_and_dele(backend: Backend) {
    let messages = sample();
    let daemon = Pop3d::start(backend, &messages);

    let uidl = fetch(&daemon, &pop3s_url(&daemon, ""), &["-X", "UIDL"]).success("curl UIDL");
    let expected: String = messages
        .iter()
        .enumerate()
        .map(|(i, m)| format!("{} {}\r\n", i + 1, daemon.uid(m)))
        .collect();
    assert_eq!(uidl.stdout_text(), expected);

    let top = fetch(&daemon, &pop3s_url(&daemon, ""), &["-X", "TOP 1 0"]).success("curl TOP");
    assert!(
        top.stdout == crlf(header_block(&messages[0].bytes)),
        "{}",
        top.stdout_text()
    );
    // TOP with body lines: the header, the blank line, then the first
    // three body lines (the second and third start with a dot).
    let top3 = fetch(&daemon, &pop3s_url(&daemon, ""), &["-X", "TOP 1 3"]).success("curl TOP");
    let mut expected = crlf(header_block(&messages[0].bytes));
    expected.extend_from_slice(
        b"A line starting with a dot follows.\r\n.leading dot\r\n..two dots\r\n",
    );
    assert_eq!(top3.stdout_text(), String::from_utf8(expected).unwrap());
    daemon.assert_holds(&messages);

    // DELE answers on one line, so curl must not wait for a body (-I).
    let dele =
        fetch(&daemon, &pop3s_url(&daemon, ""), &["-I", "-X", "DELE 1"]).success("curl DELE");
    assert!(dele.stderr.contains("> DELE 1"), "{}", dele.transcript());
    // curl sends QUIT when it closes the connection (after its verbose
    // log ends); the server's log line says the session ended with it.
    let ends = daemon.session_ends(4);
    assert!(ends[3].contains("\"deleted\":1"), "{}", ends[3]);
    assert!(ends[3].contains("\"reason\":\"quit\""), "{}", ends[3]);
    daemon.assert_holds(&messages[1..]);

    let listed = fetch(&daemon, &pop3s_url(&daemon, ""), &[]).success("curl LIST");
    assert_eq!(
        listed.stdout_text(),
        String::from_utf8(scan_listing(&messages[1..])).unwrap()
    );
}

fn curl_sasl_mechanisms_and_apop(backend: Backend) {
    let messages = sample();
    let daemon = Pop3d::start(backend, &messages);
    for (option, sent) in [
        ("AUTH=PLAIN", "> AUTH PLAIN"),
        ("AUTH=LOGIN", "> AUTH LOGIN"),
        ("AUTH=CRAM-MD5", "> AUTH CRAM-MD5"),
        ("AUTH=+APOP", "> APOP alice "),
    ] {
        let got = fetch(
            &daemon,
            &stls_url(&daemon, "2"),
            &["--ssl-reqd", "--login-options", option],
        )
        .success(option);
        assert!(got.stderr.contains(sent), "{option}: {}", got.transcript());
        assert!(
            got.stdout == crlf(&messages[1].bytes),
            "{option}: message 2 differs"
        );
    }

    // A wrong password is refused (curl's "login denied").
    let mut command = Command::new(curl());
    command
        .args([
            "-sS",
            "--max-time",
            "30",
            "--user",
            "alice:not-the-password",
        ])
        .args(["--login-options", "AUTH=PLAIN", "--ssl-reqd", "--cacert"])
        .arg(&daemon.cert)
        .arg(stls_url(&daemon, ""));
    let denied = run(&mut command, &daemon.scratch("curl-denied"));
    assert_eq!(denied.status.code(), Some(67), "{}", denied.transcript());
    daemon.assert_holds(&messages);
}

fn curl_refuses_a_server_it_cannot_verify(backend: Backend) {
    // The same server with a certificate curl was not told to trust: the
    // TLS verification is real, so the passing runs above prove the
    // handshake with pop3d's certificate.
    let daemon = Pop3d::start(backend, &sample());
    let other = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let other_ca = daemon.dir.path().join("other.pem");
    std::fs::write(&other_ca, other.cert.pem()).unwrap();
    let mut command = Command::new(curl());
    command
        .args(["-sS", "--max-time", "30", "--user"])
        .arg(format!("{USER}:{PASSWORD}"))
        .arg("--cacert")
        .arg(&other_ca)
        .arg(pop3s_url(&daemon, ""));
    let refused = run(&mut command, &daemon.scratch("curl-untrusted"));
    assert_eq!(refused.status.code(), Some(60), "{}", refused.transcript());
}

on_both_backends!(
    curl_lists_and_retrieves_every_message_over_stls,
    curl_pop3s_uidl_top_and_dele,
    curl_sasl_mechanisms_and_apop,
    curl_refuses_a_server_it_cannot_verify,
);
