//! Every bad-input line of the protocol checklist that reaches the core:
//! each gets the right `-ERR` and the session goes on, or closes where the
//! standard says. Each case is fed whole, byte by byte, and with a
//! following command in the same chunk.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Session, TestApp};
use pop3_proto::server::CloseReason;

fn logged_in() -> Session {
    let mut s = Session::plain(TestApp::default().with_message(b"Subject: a\r\n\r\nhello\r\n"));
    s.greeting();
    assert!(
        s.send(b"USER mrose\r\nPASS tanstaaf\r\n")
            .ends_with("(21 octets)\r\n")
    );
    s
}

fn fresh() -> Session {
    let mut s = Session::plain(TestApp::default().with_message(b"Subject: a\r\n\r\nhello\r\n"));
    s.greeting();
    s
}

/// Runs `input` three ways and checks the reply; afterwards NOOP (or CAPA
/// before login) still works.
fn check(make: fn() -> Session, input: &[u8], expected: &str) {
    let follow: &[u8] = b"NOOP\r\n";
    let mut whole = make();
    let follow_reply = if whole.server.username().is_some() {
        "+OK\r\n"
    } else {
        "-ERR Not logged in\r\n"
    };
    assert_eq!(
        whole.send(input),
        expected,
        "whole: {:?}",
        String::from_utf8_lossy(input)
    );
    assert_eq!(whole.send(follow), follow_reply);

    let mut bytewise = make();
    assert_eq!(bytewise.send_bytewise(input), expected, "bytewise");

    let mut trailing = make();
    let both = [input, follow].concat();
    assert_eq!(
        trailing.send(&both),
        format!("{expected}{follow_reply}"),
        "with trailing data"
    );
}

#[test]
fn malformed_lines_before_login() {
    let cases: &[(&[u8], &str)] = &[
        (b"\r\n", "-ERR Empty command line\r\n"),
        (b"HELO\r\n", "-ERR Unknown command\r\n"),
        (b"RETRIEVE 1\r\n", "-ERR Unknown command\r\n"),
        (
            b"ST\0AT\r\n",
            "-ERR Command line contains a forbidden character\r\n",
        ),
        (
            b"STAT\rX\r\n",
            "-ERR Command line contains a forbidden character\r\n",
        ),
        (
            b"USER\tmrose\r\n",
            "-ERR Command line contains a forbidden character\r\n",
        ),
        (b"USER \xff\xfe\r\n", "-ERR Invalid user name\r\n"),
        (b"USER\r\n", "-ERR Missing argument\r\n"),
        (b"CAPA now\r\n", "-ERR Too many arguments\r\n"),
        (b"STAT\r\n", "-ERR Not logged in\r\n"),
        (b"RETR 1\r\n", "-ERR Not logged in\r\n"),
        (b"AUTH PLAIN !!!!\r\n", "-ERR Invalid base64 data\r\n"),
        (b"AUTH PLAIN AHRlc3Q\r\n", "-ERR Invalid base64 data\r\n"),
        (b"APOP mrose xyz\r\n", "-ERR Invalid APOP digest\r\n"),
        (b"LANG en_US\r\n", "-ERR Invalid language tag\r\n"),
    ];
    for (input, expected) in cases {
        check(fresh, input, expected);
    }
}

#[test]
fn malformed_message_numbers_after_login() {
    let cases: &[(&[u8], &str)] = &[
        (b"RETR 0\r\n", "-ERR Invalid message number\r\n"),
        (b"RETR -1\r\n", "-ERR Invalid message number\r\n"),
        (b"RETR 4294967296\r\n", "-ERR Invalid message number\r\n"),
        (b"RETR 1x\r\n", "-ERR Invalid message number\r\n"),
        (b"RETR\r\n", "-ERR Missing argument\r\n"),
        (b"RETR 1 2\r\n", "-ERR Too many arguments\r\n"),
        (
            b"RETR  1\r\n",
            "-ERR Arguments must be separated by one space\r\n",
        ),
        (b"DELE 0\r\n", "-ERR Invalid message number\r\n"),
        (b"LIST 1 2\r\n", "-ERR Too many arguments\r\n"),
        (b"TOP 1\r\n", "-ERR Missing argument\r\n"),
        (b"TOP 1 -1\r\n", "-ERR Invalid number of lines\r\n"),
        (b"UIDL x\r\n", "-ERR Invalid message number\r\n"),
        (b"RETR 2\r\n", "-ERR no such message\r\n"),
        (b"RETR 4294967295\r\n", "-ERR no such message\r\n"),
        (
            b"AUTH PLAIN AG1yb3NlAHRhbnN0YWFm\r\n",
            "-ERR Already logged in\r\n",
        ),
        (b"USER mrose\r\n", "-ERR Already logged in\r\n"),
        (
            b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n",
            "-ERR Already logged in\r\n",
        ),
        (b"STLS\r\n", "-ERR Already logged in\r\n"),
        (b"UTF8\r\n", "-ERR Already logged in\r\n"),
        (b"NOOP\n", "+OK\r\n"),
    ];
    for (input, expected) in cases {
        check(logged_in, input, expected);
    }
}

#[test]
fn overlong_arguments_and_lines() {
    let long_user = format!("USER {}\r\n", "u".repeat(300));
    check(fresh, long_user.as_bytes(), "-ERR Invalid user name\r\n");
    let long_pass = format!("PASS {}\r\n", "p".repeat(2000));
    check(
        fresh,
        long_pass.as_bytes(),
        "-ERR Command line too long\r\n",
    );
    let long_auth = format!("AUTH PLAIN {}\r\n", "A".repeat(20_000));
    check(
        fresh,
        long_auth.as_bytes(),
        "-ERR Command line too long\r\n",
    );
}

#[test]
fn a_line_that_never_ends_is_discarded_not_stored() {
    let mut s = fresh();
    let flood = vec![b'A'; 64 * 1024];
    let mut replies = String::new();
    for _ in 0..64 {
        replies += &s.send(&flood);
        assert!(
            s.server.wants_input(),
            "the flood is discarded as it arrives"
        );
    }
    assert_eq!(
        replies, "-ERR Command line too long\r\n",
        "one reply for the one long line"
    );
    assert_eq!(
        s.send(b"AAAA\r\nCAPA\r\n").lines().next(),
        Some("+OK Capability list follows")
    );
}

#[test]
fn sasl_cancel_empty_and_bad_responses() {
    let mut s = fresh();
    assert_eq!(s.send(b"AUTH LOGIN\r\n"), "+ VXNlcm5hbWU6\r\n");
    assert_eq!(s.send(b"*\r\n"), "-ERR Authentication cancelled\r\n");
    assert_eq!(s.send(b"AUTH LOGIN\r\n"), "+ VXNlcm5hbWU6\r\n");
    assert!(
        s.send(b"\r\n").starts_with("-ERR Authentication failed: "),
        "empty user name"
    );
    assert_eq!(s.send(b"AUTH LOGIN\r\n"), "+ VXNlcm5hbWU6\r\n");
    assert_eq!(s.send(b"bXJvc2U\r\n"), "-ERR Invalid base64 data\r\n");
    assert_eq!(
        s.send(b"CAPA\r\n").lines().next(),
        Some("+OK Capability list follows")
    );
}

#[test]
fn bytes_pipelined_after_stls_are_discarded() {
    let mut s = fresh();
    let out = s.send(b"STLS\r\nUSER mrose\r\nPASS tanstaaf\r\n");
    assert_eq!(out, "+OK Begin TLS negotiation now\r\n");
    assert!(s.server.is_tls());
    assert!(
        s.app.logins.is_empty(),
        "nothing sent before the handshake was acted on"
    );
    assert_eq!(s.send(b"STAT\r\n"), "-ERR Not logged in\r\n");
}

#[test]
fn input_during_the_handshake_is_discarded() {
    let mut s = fresh();
    s.server.handle_input(s.now, b"STLS\r\n");
    let mut out = Vec::new();
    while let Some(b) = s.server.poll_transmit(s.now) {
        out.extend_from_slice(&b);
    }
    assert_eq!(out, b"+OK Begin TLS negotiation now\r\n");
    assert!(!s.server.wants_input());
    s.server
        .handle_input(s.now, b"USER mrose\r\nPASS tanstaaf\r\n");
    assert!(matches!(
        s.server.poll_event(),
        Some(pop3_proto::server::Event::StartTls)
    ));
    s.server.tls_established(s.now).unwrap();
    assert_eq!(s.drive(), "");
    assert!(s.app.logins.is_empty());
}

#[test]
fn too_many_bad_commands_close_the_session() {
    let mut s = fresh();
    let limit = common::config().max_bad_commands;
    for _ in 0..limit {
        assert_eq!(s.send(b"BOGUS\r\n"), "-ERR Unknown command\r\n");
    }
    assert_eq!(
        s.send(b"BOGUS\r\n"),
        "-ERR Too many bad commands; closing connection\r\n"
    );
    assert_eq!(s.closed, Some(CloseReason::TooManyBadCommands));
    assert_eq!(s.send(b"CAPA\r\n"), "", "nothing after close");
}

#[test]
fn a_huge_pipelined_burst_is_answered_in_order() {
    let mut s = logged_in();
    let mut burst = Vec::new();
    let mut expected = String::new();
    for i in 0..10_000 {
        if i % 2 == 0 {
            burst.extend_from_slice(b"NOOP\r\n");
            expected += "+OK\r\n";
        } else {
            burst.extend_from_slice(b"STAT\r\n");
            expected += "+OK 1 21\r\n";
        }
    }
    assert_eq!(s.send(&burst), expected);
}

#[test]
fn nul_bytes_and_bare_lf_in_bodies_do_not_break_the_session() {
    let mut s = Session::plain(TestApp::default().with_message(b"A: \0\n\n\0.x\n."));
    s.greeting();
    s.send(b"USER mrose\r\nPASS tanstaaf\r\n");
    assert_eq!(s.send(b"LIST 1\r\n"), "+OK 1 16\r\n");
    assert_eq!(
        s.send(b"RETR 1\r\n"),
        "+OK 16 octets\r\nA: \0\r\n\r\n\0.x\r\n..\r\n.\r\n"
    );
    assert_eq!(s.send(b"NOOP\r\n"), "+OK\r\n");
    assert_eq!(s.server.stats().size_mismatches, 0);
}
