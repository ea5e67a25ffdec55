//! Python's poplib against a running `pop3d`: every method of the module
//! (see tests/interop/poplib_client.py, which asserts each answer), STLS
//! and POP3S with the certificate checked, APOP; what it downloaded is
//! compared here with what was delivered (poplib returns lines without
//! their CRLF and unstuffed; the script writes them back with CRLF). The
//! test runs on a Maildir and on PostgreSQL.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod interop;

use std::process::Command;

use interop::{Backend, PASSWORD, Pop3d, USER, crlf, header_block, run, sample};

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/interop/poplib_client.py"
);

fn poplib_every_method_stls_pop3s_and_apop(backend: Backend) {
    let python = interop::require("python3", "python3");
    let messages = sample();
    let daemon = Pop3d::start(backend, &messages);
    let out = daemon.scratch("poplib");
    let uids: Vec<String> = messages.iter().map(|m| daemon.uid(m)).collect();
    let mut command = Command::new(python);
    command
        .arg(SCRIPT)
        .arg("127.0.0.1")
        .arg(daemon.plain.port().to_string())
        .arg(daemon.tls.port().to_string())
        .arg(&daemon.cert)
        .args([USER, PASSWORD])
        .arg(&out)
        .arg(uids.join(","));
    let outcome = run(&mut command, &out.join("run"));
    assert!(
        outcome.status.success(),
        "poplib script failed: {}\npop3d: {}",
        outcome.transcript(),
        daemon.log()
    );
    assert_eq!(outcome.stdout_text(), "poplib: all checks passed\n");

    let read = |name: &str| std::fs::read(out.join(name)).unwrap();
    for (i, message) in messages.iter().enumerate() {
        assert!(
            read(&format!("stls-{}", i + 1)) == crlf(&message.bytes),
            "RETR {} over STLS differs from {}",
            i + 1,
            message.name
        );
    }
    assert!(read("top-1-0") == crlf(header_block(&messages[0].bytes)));
    let mut top3 = crlf(header_block(&messages[0].bytes));
    top3.extend_from_slice(
        b"A line starting with a dot follows.\r\n.leading dot\r\n..two dots\r\n",
    );
    assert_eq!(
        String::from_utf8(read("top-1-3")).unwrap(),
        String::from_utf8(top3).unwrap()
    );

    // The first session deleted the last message and quit; the second
    // (POP3S, APOP) saw the rest, unchanged.
    let (last, kept) = messages.split_last().unwrap();
    for (i, message) in kept.iter().enumerate() {
        assert!(
            read(&format!("pop3s-{}", i + 1)) == crlf(&message.bytes),
            "RETR {} over POP3S differs from {}",
            i + 1,
            message.name
        );
    }
    assert!(!out.join(format!("pop3s-{}", messages.len())).exists());
    daemon.assert_holds(kept);
    assert!(!daemon.stored_names().contains(&last.name));
}

on_both_backends!(poplib_every_method_stls_pop3s_and_apop,);
