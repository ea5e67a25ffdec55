//! Property tests of the server session: any input, in any chunking,
//! never panics and never breaks the session's promises.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Session, TestApp};
use proptest::prelude::*;

const PIECES: &[&str] = &[
    "USER mrose\r\n",
    "PASS tanstaaf\r\n",
    "PASS nope\r\n",
    "STAT\r\n",
    "LIST\r\n",
    "LIST 2\r\n",
    "UIDL\r\n",
    "UIDL 1\r\n",
    "RETR 1\r\n",
    "RETR 3\r\n",
    "TOP 2 1\r\n",
    "DELE 1\r\n",
    "DELE 2\r\n",
    "RSET\r\n",
    "NOOP\r\n",
    "CAPA\r\n",
    "STLS\r\n",
    "UTF8\r\n",
    "LANG\r\n",
    "AUTH\r\n",
    "AUTH PLAIN\r\n",
    "AG1yb3NlAHRhbnN0YWFm\r\n",
    "*\r\n",
    "AUTH LOGIN\r\n",
    "AUTH CRAM-MD5\r\n",
    "AUTH SCRAM-SHA-256\r\n",
    "APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n",
    "QUIT\r\n",
    "\r\n",
    "\n",
    "\r",
];

fn input() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        4 => proptest::sample::select(PIECES).prop_map(|p| p.as_bytes().to_vec()),
        1 => proptest::collection::vec(any::<u8>(), 0..40),
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

fn app() -> TestApp {
    TestApp::default()
        .with_message(b"Subject: 1\n\nline one\n.dot\n")
        .with_message(b"Subject: 2\r\n\r\nbody\r\n")
        .with_message(b"no newline at end")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    #[test]
    fn any_input_any_chunking(data in input(), cuts in proptest::collection::vec(1usize..64, 0..50)) {
        let mut s = Session::plain(app());
        let mut out = s.greeting();
        let mut rest: &[u8] = &data;
        let mut cuts = cuts.into_iter();
        while !rest.is_empty() {
            let n = cuts.next().unwrap_or(rest.len()).min(rest.len());
            let (chunk, tail) = rest.split_at(n);
            let was_closed = s.closed.is_some();
            let reply = s.send(chunk);
            if was_closed {
                prop_assert_eq!(reply.as_str(), "", "nothing is written after close");
            }
            out += &reply;
            rest = tail;
        }
        for line in out.split("\r\n") {
            prop_assert!(line.len() + 2 <= 512, "line over 512 octets: {}", line.len());
        }
        let quit_seen = data.windows(4).any(|w| w.eq_ignore_ascii_case(b"QUIT"));
        prop_assert!(s.app.commits.is_empty() || quit_seen, "commit without QUIT");
        prop_assert!(s.app.commits.len() <= 1);
        prop_assert_eq!(s.server.stats().size_mismatches, 0);
    }
}
