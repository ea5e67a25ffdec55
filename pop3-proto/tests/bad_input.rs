//! Every bad-input line of the protocol checklist that reaches the core:
//! each gets the right `-ERR` and the session goes on, or closes where the
//! standard says. Each case is fed whole, byte by byte, and with a
//! following command in the same chunk; where one of those ways means
//! something else for a case (STLS), the test says so.
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

/// A session with one message whose body holds NUL bytes and bare LFs,
/// logged in.
fn logged_in_with_nul_body() -> Session {
    let mut s = Session::plain(TestApp::default().with_message(b"A: \0\n\n\0.x\n."));
    s.greeting();
    assert!(
        s.send(b"USER mrose\r\nPASS tanstaaf\r\n")
            .ends_with("(16 octets)\r\n")
    );
    s
}

/// A session inside AUTH LOGIN, waiting for the user name.
fn in_auth_login() -> Session {
    let mut s = fresh();
    assert_eq!(s.send(b"AUTH LOGIN\r\n"), "+ VXNlcm5hbWU6\r\n");
    s
}

/// A session that has done STLS and its handshake.
fn after_stls() -> Session {
    let mut s = fresh();
    assert_eq!(s.send(b"STLS\r\n"), "+OK Begin TLS negotiation now\r\n");
    assert!(s.server.is_tls());
    s
}

/// Runs `input` three ways and checks the reply; afterwards NOOP is
/// answered as a command in the state reached (so an exchange that should
/// have ended has). Returns the three sessions for further checks.
fn check(make: fn() -> Session, input: &[u8], expected: &str) -> [Session; 3] {
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
    assert_eq!(bytewise.send_bytewise(follow), follow_reply, "bytewise");

    let mut trailing = make();
    let both = [input, follow].concat();
    assert_eq!(
        trailing.send(&both),
        format!("{expected}{follow_reply}"),
        "with trailing data"
    );
    [whole, bytewise, trailing]
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
    check(in_auth_login, b"*\r\n", "-ERR Authentication cancelled\r\n");
    let empty_name = pop3_proto::sasl::login::decode_username(b"").unwrap_err();
    check(
        in_auth_login,
        b"\r\n",
        &format!("-ERR Authentication failed: {empty_name}\r\n"),
    );
    check(
        in_auth_login,
        b"bXJvc2U\r\n",
        "-ERR Invalid base64 data\r\n",
    );
}

#[test]
fn a_second_stls_is_refused() {
    check(after_stls, b"STLS\r\n", "-ERR Already using TLS\r\n");
}

#[test]
fn bytes_pipelined_after_stls_are_discarded() {
    // Whole and byte by byte, STLS alone starts the handshake.
    let mut whole = fresh();
    assert_eq!(whole.send(b"STLS\r\n"), "+OK Begin TLS negotiation now\r\n");
    let mut bytewise = fresh();
    assert_eq!(
        bytewise.send_bytewise(b"STLS\r\n"),
        "+OK Begin TLS negotiation now\r\n"
    );
    for s in [&whole, &bytewise] {
        assert!(s.server.is_tls());
        assert_eq!(s.tls_handshakes, 1);
    }
    // With trailing data the bytes after STLS are dropped, not left for the
    // next parse; feeding them byte by byte would deliver them after the
    // handshake, where they are rightly read, so the line is split instead.
    let stls = b"STLS\r\n";
    for split in 0..stls.len() {
        let mut s = fresh();
        let mut out = s.send_bytewise(&stls[..split]);
        out += &s.send(&[&stls[split..], b"USER mrose\r\nPASS tanstaaf\r\n"].concat());
        assert_eq!(out, "+OK Begin TLS negotiation now\r\n", "split at {split}");
        assert!(s.server.is_tls());
        assert!(
            s.app.logins.is_empty(),
            "nothing sent before the handshake was acted on"
        );
        assert_eq!(s.send(b"STAT\r\n"), "-ERR Not logged in\r\n");
    }
}

// About when input arrives (during the handshake), not how a line is cut.
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
    let limit = common::config().max_bad_commands as usize;
    let bogus: &[u8] = b"BOGUS\r\n";
    let unknown = "-ERR Unknown command\r\n";
    let closing = "-ERR Too many bad commands; closing connection\r\n";
    let mut sessions = Vec::new();
    for (way, feed) in [
        ("whole", Session::send as fn(&mut Session, &[u8]) -> String),
        ("bytewise", Session::send_bytewise),
    ] {
        let mut s = fresh();
        for _ in 0..limit {
            assert_eq!(feed(&mut s, bogus), unknown, "{way}");
        }
        assert_eq!(feed(&mut s, bogus), closing, "{way}");
        sessions.push(s);
    }
    // With trailing data: every line in one chunk, and a CAPA after the
    // last that the closed session never answers.
    let mut trailing = fresh();
    let chunk = [bogus.repeat(limit + 1), b"CAPA\r\n".to_vec()].concat();
    assert_eq!(
        trailing.send(&chunk),
        format!("{}{closing}", unknown.repeat(limit)),
        "with trailing data"
    );
    sessions.push(trailing);
    for mut s in sessions {
        assert_eq!(s.closed, Some(CloseReason::TooManyBadCommands));
        assert_eq!(s.send(b"CAPA\r\n"), "", "nothing after close");
    }
}

#[test]
fn a_huge_pipelined_burst_is_answered_in_order() {
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
    assert_eq!(logged_in().send(&burst), expected, "whole");
    assert_eq!(logged_in().send_bytewise(&burst), expected, "bytewise");
    // With trailing data: the start of one more command waits for its end.
    let mut trailing = logged_in();
    assert_eq!(
        trailing.send(&[&burst[..], b"ST"].concat()),
        expected,
        "with trailing data"
    );
    assert_eq!(trailing.send(b"AT\r\n"), "+OK 1 21\r\n");
}

#[test]
fn nul_bytes_and_bare_lf_in_bodies_do_not_break_the_session() {
    check(logged_in_with_nul_body, b"LIST 1\r\n", "+OK 1 16\r\n");
    let sessions = check(
        logged_in_with_nul_body,
        b"RETR 1\r\n",
        "+OK 16 octets\r\nA: \0\r\n\r\n\0.x\r\n..\r\n.\r\n",
    );
    for s in sessions {
        assert_eq!(s.server.stats().size_mismatches, 0);
    }
}
