//! Perl's Net::POP3 against a running `pop3d`: STLS and POP3S with the
//! certificate checked, USER/PASS, APOP, SASL PLAIN and CRAM-MD5, and the
//! rest of the module's API (tests/interop/net_pop3.pl asserts each
//! answer). What it downloaded is compared here with what was delivered
//! (Net::POP3 keeps each line's CRLF and removes the stuffing dot). The
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

use interop::{Backend, PASSWORD, Pop3d, USER, crlf, header_block, run, sample, stuffed};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/net_pop3.pl");

fn net_pop3_stls_pop3s_apop_and_sasl(backend: Backend) {
    let perl = interop::require("perl", "perl");
    interop::require_perl_module("IO::Socket::SSL", "libio-socket-ssl-perl");
    interop::require_perl_module("Authen::SASL", "libauthen-sasl-perl");
    interop::require_perl_module("Digest::HMAC_MD5", "libdigest-hmac-perl");
    let messages = sample();
    let daemon = Pop3d::start(backend, &messages);
    let out = daemon.scratch("net-pop3");
    let mut command = Command::new(perl);
    command
        .arg(SCRIPT)
        .arg("127.0.0.1")
        .arg(daemon.plain.port().to_string())
        .arg(daemon.tls.port().to_string())
        .arg(&daemon.cert)
        .args([USER, PASSWORD])
        .arg(&out)
        .arg(messages.len().to_string());
    let outcome = run(&mut command, &out.join("run"));
    assert!(
        outcome.status.success(),
        "Net::POP3 script failed: {}\npop3d: {}",
        outcome.transcript(),
        daemon.log()
    );
    assert_eq!(outcome.stdout_text(), "Net::POP3: all checks passed\n");

    let read = |name: &str| std::fs::read(out.join(name)).unwrap();
    for (i, message) in messages.iter().enumerate() {
        for prefix in ["stls", "pop3s"] {
            assert!(
                read(&format!("{prefix}-{}", i + 1)) == crlf(&message.bytes),
                "{prefix} RETR {} differs from {}",
                i + 1,
                message.name
            );
        }
    }
    let uidl: String = messages
        .iter()
        .enumerate()
        .map(|(i, m)| format!("{} {}\n", i + 1, daemon.uid(m)))
        .collect();
    assert_eq!(String::from_utf8(read("uidl")).unwrap(), uidl);
    // getfh's handle gives the lines as sent, stuffing dots included.
    assert!(read("getfh-2") == stuffed(&messages[1].bytes));
    assert!(read("top-1-0") == crlf(header_block(&messages[0].bytes)));
    let mut top3 = crlf(header_block(&messages[0].bytes));
    top3.extend_from_slice(
        b"A line starting with a dot follows.\r\n.leading dot\r\n..two dots\r\n",
    );
    assert_eq!(
        String::from_utf8(read("top-1-3")).unwrap(),
        String::from_utf8(top3).unwrap()
    );
    for mechanism in ["PLAIN", "CRAM-MD5"] {
        assert!(read(&format!("auth-{mechanism}-3")) == crlf(&messages[2].bytes));
    }
    // The CRAM-MD5 session deleted message 1 and quit.
    daemon.assert_holds(&messages[1..]);
}

on_both_backends!(net_pop3_stls_pop3s_apop_and_sasl,);
