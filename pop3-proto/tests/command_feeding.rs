//! Command lines of every shape, valid or not, fed three ways: whole, byte
//! by byte, and followed by more input. The parser (through the line
//! framing) and a server session must reach the same outcome each way, and
//! what follows a line must be left for the next read.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use bytes::BytesMut;
use common::{Session, TestApp, three_ways};
use pop3_proto::parse::{CommandError, LineEnd, next_line};
use pop3_proto::server::ServerConfig;
use pop3_proto::types::Command;
use pop3_proto::{encode, parse};
use proptest::prelude::*;

const KEYWORDS: &[&str] = &[
    "USER", "PASS", "APOP", "AUTH", "CAPA", "STLS", "UTF8", "LANG", "STAT", "LIST", "RETR", "DELE",
    "NOOP", "RSET", "TOP", "UIDL", "QUIT",
];

/// A keyword: a known one in any case, or a short unknown one.
fn keyword() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => (prop::sample::select(KEYWORDS), any::<[bool; 4]>()).prop_map(|(k, lower)| {
            k.bytes()
                .zip(lower.iter().cycle())
                .map(|(b, l)| if *l { b.to_ascii_lowercase() } else { b })
                .collect()
        }),
        1 => "[A-Za-z0-9]{1,6}".prop_map(String::into_bytes),
    ]
}

/// Any octet but LF, which would end the line.
fn octet_but_lf() -> impl Strategy<Value = u8> {
    any::<u8>().prop_map(|b| if b == b'\n' { b'x' } else { b })
}

/// One argument: shapes the commands take, and arbitrary octets but LF.
fn argument() -> impl Strategy<Value = Vec<u8>> {
    const WORDS: &[&str] = &[
        "*",
        "=",
        "PLAIN",
        "LOGIN",
        "CRAM-MD5",
        "SCRAM-SHA-256",
        "mrose",
    ];
    let text = |pattern: &'static str| pattern.prop_map(String::into_bytes);
    prop_oneof![
        2 => text("[1-3]"),
        1 => text("[0-9]{1,11}"),
        1 => text("-?[0-9]{0,3}[a-z]?"),
        1 => text("[0-9a-f]{32}"),
        1 => text("[0-9a-f]{30,34}"),
        1 => text("[A-Za-z0-9+/]{0,16}={0,2}"),
        1 => text("[a-z]{1,8}(-[a-z0-9]{1,8})?"),
        1 => prop::sample::select(WORDS).prop_map(|w| w.as_bytes().to_vec()),
        1 => proptest::collection::vec(octet_but_lf(), 0..6),
    ]
}

/// An argument after one space, or sometimes two.
fn separated_argument() -> impl Strategy<Value = (usize, Vec<u8>)> {
    (prop_oneof![6 => Just(1usize), 1 => Just(2)], argument())
}

/// A command line without its line ending: a keyword, arguments after one
/// or two spaces, and maybe trailing spaces.
fn command_line() -> impl Strategy<Value = Vec<u8>> {
    (
        keyword(),
        prop_oneof![
            2 => proptest::collection::vec(separated_argument(), 0..=2),
            1 => proptest::collection::vec(separated_argument(), 3..=4),
        ],
        0usize..3,
    )
        .prop_map(|(keyword, args, trailing_spaces)| {
            let mut line = keyword;
            for (spaces, arg) in args {
                line.extend(std::iter::repeat_n(b' ', spaces));
                line.extend(arg);
            }
            line.extend(std::iter::repeat_n(b' ', trailing_spaces));
            line
        })
}

/// Splits the first complete line off `buf`: its content and the rest.
fn frame(buf: &[u8]) -> Option<(&[u8], &[u8])> {
    match next_line(buf, ServerConfig::default().max_sasl_line) {
        LineEnd::Complete { content, total } => Some((&buf[..content], &buf[total..])),
        LineEnd::Incomplete => None,
        LineEnd::TooLong => panic!("test line over the limit"),
    }
}

/// Frames `wire` (one line and its ending) and parses it three ways,
/// checking that all agree and that trailing input is left intact.
fn parsed_three_ways(wire: &[u8]) -> Result<Command, CommandError> {
    three_ways::parsed_three_ways(wire, frame, parse::command)
}

/// A session before login, or logged in with two messages.
fn session(logged_in: bool) -> Session {
    let app = TestApp::default()
        .with_message(b"Subject: a\r\n\r\nhello\r\n")
        .with_message(b"Subject: b\r\n\r\n.dot\r\n");
    let mut s = Session::plain(app);
    s.greeting();
    if logged_in {
        assert!(
            s.send(b"USER mrose\r\nPASS tanstaaf\r\n")
                .starts_with("+OK Send PASS\r\n+OK")
        );
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// The parser sees the same line however it arrives, and a valid
    /// command encodes to a line that parses back to it the same three ways.
    #[test]
    fn framing_does_not_change_the_parse(line in command_line()) {
        let parsed = parsed_three_ways(&[&line[..], b"\r\n"].concat());
        if let Ok(command) = parsed {
            let mut out = BytesMut::new();
            encode::command(&command, &mut out);
            prop_assert_eq!(parsed_three_ways(&out), Ok(command));
        }
    }

    /// A session answers a line and the NOOP after it the same whether the
    /// line comes whole, byte by byte, or in one chunk with the NOOP.
    #[test]
    fn a_session_answers_the_same_however_the_line_arrives(
        line in command_line(),
        logged_in in any::<bool>(),
    ) {
        let wire = [&line[..], b"\r\n"].concat();
        let follow: &[u8] = b"NOOP\r\n";

        let mut whole = session(logged_in);
        let was_tls = whole.server.is_tls();
        let whole_line = whole.send(&wire);
        let started_tls = !was_tls && whole.server.is_tls();
        let whole_follow = whole.send(follow);

        let mut bytewise = session(logged_in);
        prop_assert_eq!(&bytewise.send_bytewise(&wire), &whole_line, "bytewise");
        prop_assert_eq!(&bytewise.send_bytewise(follow), &whole_follow, "bytewise");

        let mut trailing = session(logged_in);
        let out = trailing.send(&[&wire[..], follow].concat());
        if started_tls {
            // Input pipelined after STLS is discarded, not read after the
            // handshake as a later chunk is.
            prop_assert_eq!(out, whole_line, "with trailing data after STLS");
            prop_assert!(trailing.server.is_tls());
        } else {
            prop_assert_eq!(out, format!("{whole_line}{whole_follow}"), "with trailing data");
        }
    }
}
