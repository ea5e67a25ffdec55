//! getmail6 against a running `pop3d`: POP3S with the certificate checked
//! and USER/PASS, fetching new messages only (its unique-id list), a run
//! that finds nothing new, then plain POP3 with APOP deleting what it
//! fetched. Each message goes to an MDA and is compared with what was
//! delivered: getmail stores Unix line ends and puts a `Return-Path:`
//! line first. The test runs on a Maildir and on PostgreSQL.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod interop;

use std::path::Path;
use std::process::Command;

use interop::mda::{counting_mda, delivered};
use interop::{Backend, Message, Outcome, PASSWORD, Pop3d, USER, lf, run, sample};

/// Writes getmail's rc file `name` in `home`: the retriever lines given,
/// delivery through the counting MDA, no headers added but the
/// Return-Path getmail always writes.
fn rc(home: &Path, name: &str, retriever: &str, options: &str) {
    let mda = counting_mda(home);
    let text = format!(
        "[retriever]\n\
         {retriever}\
         username = {USER}\n\
         password = {PASSWORD}\n\
         \n\
         [destination]\n\
         type = MDA_external\n\
         path = /bin/sh\n\
         arguments = (\"{mda}\",)\n\
         unixfrom = false\n\
         allow_root_commands = true\n\
         \n\
         [options]\n\
         verbose = 2\n\
         delivered_to = false\n\
         received = false\n\
         {options}",
        mda = mda.display()
    );
    std::fs::write(home.join(name), text).unwrap();
}

fn getmail(daemon: &Pop3d, home: &Path, name: &str) -> Outcome {
    let program = interop::require("getmail", "getmail6");
    let mut command = Command::new(program);
    command
        .env("HOME", home)
        .arg(format!("--getmaildir={}", home.display()))
        .arg(format!("--rcfile={name}"));
    let outcome = run(&mut command, &home.join("run"));
    if !outcome.status.success() {
        panic!(
            "getmail failed: {}\npop3d: {}",
            outcome.transcript(),
            daemon.log()
        );
    }
    outcome
}

/// What getmail delivers for `message`.
fn as_delivered(message: &Message) -> Vec<u8> {
    let mut out = b"Return-Path: <unknown>\n".to_vec();
    out.extend_from_slice(&lf(&message.bytes));
    out
}

fn getmail_fetches_new_over_pop3s_then_deletes_with_apop(backend: Backend) {
    let messages = sample();
    let daemon = Pop3d::start(backend, &messages);
    let home = daemon.scratch("getmail");
    let pop3s = format!(
        "type = SimplePOP3SSLRetriever\n\
         server = 127.0.0.1\n\
         port = {}\n\
         ca_certs = {}\n\
         ssl_cert_hostname = localhost\n",
        daemon.tls.port(),
        daemon.cert.display()
    );
    rc(
        &home,
        "keep.rc",
        &pop3s,
        "read_all = false\ndelete = false\n",
    );

    let first = getmail(&daemon, &home, "keep.rc");
    let expected: Vec<Vec<u8>> = messages.iter().map(as_delivered).collect();
    assert!(delivered(&home) == expected, "{}", first.transcript());
    assert!(
        first.stdout_text().contains("4 messages"),
        "{}",
        first.transcript()
    );
    daemon.assert_holds(&messages);

    let second = getmail(&daemon, &home, "keep.rc");
    assert!(
        second
            .stdout_text()
            .contains("0 messages (0 bytes) retrieved, 4 skipped"),
        "{}",
        second.transcript()
    );
    assert_eq!(delivered(&home).len(), messages.len());

    // Plain POP3 on loopback with APOP; the same unique-id list (getmail
    // keys it by server, port and user, so it lives in a second file):
    // all five are new to it, and it deletes each after delivery.
    let late = interop::late();
    daemon.deliver(&late);
    let apop = format!(
        "type = SimplePOP3Retriever\n\
         server = 127.0.0.1\n\
         port = {}\n\
         use_apop = true\n",
        daemon.plain.port()
    );
    rc(
        &home,
        "delete.rc",
        &apop,
        "read_all = false\ndelete = true\n",
    );
    let third = getmail(&daemon, &home, "delete.rc");
    let mut all = expected;
    all.extend(messages.iter().map(as_delivered));
    all.push(as_delivered(&late));
    assert!(delivered(&home) == all, "{}", third.transcript());
    daemon.assert_holds(&[]);
    let ends = daemon.session_ends(3);
    assert!(ends[2].contains("\"deleted\":5"), "{}", ends[2]);
}

on_both_backends!(getmail_fetches_new_over_pop3s_then_deletes_with_apop,);
