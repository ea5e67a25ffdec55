//! The example dialogues of RFC 1939 and one session per extension
//! (RFC 2449, 2595, 3206, 5034, 6856), replayed through the server whole,
//! byte by byte and pipelined.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::trace::{Feed, replay, replay_all_ways, replay_client};
use common::{Session, TestApp, config, message_of_size, params};
use pop3_proto::server::TlsMode;

/// The two messages of RFC 1939's example: 120 and 200 octets.
fn rfc_app() -> TestApp {
    let mut app = TestApp::default()
        .with_message(&message_of_size(120, "one"))
        .with_message(&message_of_size(200, "two"));
    app.uids = vec![
        "whqtswO00WBw418f9t5JxYwZ".into(),
        "QhdPYR:00WBw1Ph7x7".into(),
    ];
    app
}

fn body_lines(message: &[u8]) -> String {
    let text = String::from_utf8(message.to_vec()).unwrap();
    text.lines().map(|l| format!("S: {l}\n")).collect()
}

#[test]
fn rfc1939_section10_example_session() {
    let app = rfc_app();
    let trace = format!(
        "S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
         C: APOP mrose c4c9334bac560ecc979e58001b3e22fb
         S: +OK maildrop has 2 messages (320 octets)
         C: STAT
         S: +OK 2 320
         C: LIST
         S: +OK 2 messages (320 octets)
         S: 1 120
         S: 2 200
         S: .
         C: RETR 1
         S: +OK 120 octets
         {}S: .
         C: DELE 1
         S: +OK message 1 deleted
         C: RETR 2
         S: +OK 200 octets
         {}S: .
         C: DELE 2
         S: +OK message 2 deleted
         C: QUIT
         S: +OK POP3 server signing off (maildrop empty)",
        body_lines(&app.messages[0]),
        body_lines(&app.messages[1]),
    );
    replay_all_ways(|| Session::plain(rfc_app()), &trace);
    replay_client(&trace);
    let session = replay(Session::plain(rfc_app()), &trace, Feed::Whole);
    let deleted: Vec<u32> = session.app.commits[0]
        .iter()
        .map(|d| d.number.get())
        .collect();
    assert_eq!(deleted, vec![1, 2]);
    assert!(session.server.is_closed());
}

#[test]
fn rfc1939_command_examples() {
    let app = rfc_app();
    let top = {
        let text = String::from_utf8(app.messages[0].clone()).unwrap();
        // Headers, the blank line and one body line.
        text.lines()
            .take(3)
            .map(|l| format!("S: {l}\n"))
            .collect::<String>()
    };
    let trace = format!(
        "S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
         C: USER mrose
         S: +OK Send PASS
         C: PASS tanstaaf
         S: +OK maildrop has 2 messages (320 octets)
         C: LIST 2
         S: +OK 2 200
         C: LIST 3
         S: -ERR no such message
         C: UIDL
         S: +OK Unique-ID listing follows
         S: 1 whqtswO00WBw418f9t5JxYwZ
         S: 2 QhdPYR:00WBw1Ph7x7
         S: .
         C: UIDL 2
         S: +OK 2 QhdPYR:00WBw1Ph7x7
         C: UIDL 3
         S: -ERR no such message
         C: TOP 1 1
         S: +OK Top of message follows
         {top}S: .
         C: TOP 100 3
         S: -ERR no such message
         C: DELE 1
         S: +OK message 1 deleted
         C: DELE 1
         S: -ERR message 1 already deleted
         C: RETR 1
         S: -ERR message 1 already deleted
         C: LIST
         S: +OK 1 messages (200 octets)
         S: 2 200
         S: .
         C: STAT
         S: +OK 1 200
         C: RSET
         S: +OK maildrop has 2 messages (320 octets)
         C: NOOP
         S: +OK
         C: QUIT
         S: +OK POP3 server signing off (2 messages left)"
    );
    replay_all_ways(|| Session::plain(rfc_app()), &trace);
    let session = replay(Session::plain(rfc_app()), &trace, Feed::Whole);
    assert_eq!(
        session.app.commits,
        vec![vec![]],
        "RSET unmarked everything"
    );
}

#[test]
fn rfc1939_failed_logins_stay_in_authorization() {
    let trace = "S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
         C: PASS tanstaaf
         S: -ERR Send USER first
         C: USER mrose
         S: +OK Send PASS
         C: PASS wrong
         S: -ERR [AUTH] Authentication failed
         C: STAT
         S: -ERR Not logged in
         C: APOP mrose 00000000000000000000000000000000
         S: -ERR [AUTH] Authentication failed
         C: QUIT
         S: +OK POP3 server signing off";
    replay_all_ways(|| Session::plain(rfc_app()), trace);
}

#[test]
fn rfc2449_capa_announces_authorization_capabilities_in_both_states() {
    let trace = "S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
         C: CAPA
         S: +OK Capability list follows
         S: TOP
         S: UIDL
         S: RESP-CODES
         S: AUTH-RESP-CODE
         S: PIPELINING
         S: USER
         S: SASL SCRAM-SHA-256 CRAM-MD5 PLAIN LOGIN OAUTHBEARER XOAUTH2
         S: STLS
         S: UTF8 USER
         S: LANG
         S: LOGIN-DELAY 60
         S: EXPIRE NEVER
         S: IMPLEMENTATION pop3-proto test
         S: .
         C: USER mrose
         S: +OK Send PASS
         C: PASS tanstaaf
         S: +OK maildrop has 2 messages (320 octets)
         C: CAPA
         S: +OK Capability list follows
         S: TOP
         S: UIDL
         S: RESP-CODES
         S: AUTH-RESP-CODE
         S: PIPELINING
         S: USER
         S: SASL SCRAM-SHA-256 CRAM-MD5 PLAIN LOGIN OAUTHBEARER XOAUTH2
         S: STLS
         S: UTF8 USER
         S: LANG
         S: LOGIN-DELAY 60
         S: EXPIRE NEVER
         S: IMPLEMENTATION pop3-proto test
         S: .";
    let make = || {
        let mut config = config();
        config.login_delay = Some(60);
        config.expire = Some(pop3_proto::Expire::Never);
        config.implementation = Some("pop3-proto test".try_into().unwrap());
        Session::new(config, params(TlsMode::StlsAvailable, true), rfc_app())
    };
    replay_all_ways(make, trace);
    replay_client(trace);
}

#[test]
fn rfc2449_response_codes() {
    let trace = "S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
         C: USER mrose
         S: +OK Send PASS
         C: PASS tanstaaf
         S: -ERR [IN-USE] Maildrop is locked by another session
         C: APOP mrose c4c9334bac560ecc979e58001b3e22fb
         S: -ERR [IN-USE] Maildrop is locked by another session";
    let make = || {
        let mut app = rfc_app();
        app.locked.insert("mrose".into());
        Session::plain(app)
    };
    replay_all_ways(make, trace);
    replay_client(trace);
}

#[test]
fn rfc2449_pipelining_answers_in_order() {
    let mut client = String::from("USER mrose\r\nPASS tanstaaf\r\n");
    let mut expected =
        String::from("+OK Send PASS\r\n+OK maildrop has 2 messages (320 octets)\r\n");
    let app = rfc_app();
    for _ in 0..100 {
        client += "RETR 2\r\nLIST 1\r\n";
        expected += "+OK 200 octets\r\n";
        expected += &String::from_utf8(app.messages[1].clone()).unwrap();
        expected += ".\r\n+OK 1 120\r\n";
    }
    client += "QUIT\r\n";
    expected += "+OK POP3 server signing off (2 messages left)\r\n";
    let mut session = Session::plain(rfc_app());
    session.greeting();
    assert_eq!(session.send(client.as_bytes()), expected);
}

#[test]
fn rfc2595_stls_restarts_authorization_on_tls() {
    let trace = "S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
         C: CAPA
         S: +OK Capability list follows
         S: TOP
         S: UIDL
         S: RESP-CODES
         S: AUTH-RESP-CODE
         S: PIPELINING
         S: SASL SCRAM-SHA-256 CRAM-MD5
         S: STLS
         S: UTF8 USER
         S: LANG
         S: .
         C: USER mrose
         S: -ERR [AUTH] Plaintext authentication disallowed on non-secure connections; use STLS or port 995
         C: AUTH PLAIN
         S: -ERR [AUTH] Plaintext authentication disallowed on non-secure connections; use STLS or port 995
         C: STLS
         S: +OK Begin TLS negotiation now
         C: CAPA
         S: +OK Capability list follows
         S: TOP
         S: UIDL
         S: RESP-CODES
         S: AUTH-RESP-CODE
         S: PIPELINING
         S: USER
         S: SASL SCRAM-SHA-256 CRAM-MD5 PLAIN LOGIN OAUTHBEARER XOAUTH2
         S: UTF8 USER
         S: LANG
         S: .
         C: STLS
         S: -ERR Already using TLS
         C: USER mrose
         S: +OK Send PASS
         C: PASS tanstaaf
         S: +OK maildrop has 2 messages (320 octets)";
    for feed in [Feed::Whole, Feed::Bytewise] {
        let session = Session::new(config(), params(TlsMode::StlsAvailable, false), rfc_app());
        let session = replay(session, trace, feed);
        assert!(session.server.is_tls());
        assert_eq!(session.tls_handshakes, 1);
    }
}

#[test]
fn rfc5034_auth_plain_with_and_without_initial_response() {
    // "\0mrose\0tanstaaf" in base64.
    let trace = "S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
         C: AUTH
         S: +OK Supported SASL mechanisms follow
         S: SCRAM-SHA-256
         S: CRAM-MD5
         S: PLAIN
         S: LOGIN
         S: OAUTHBEARER
         S: XOAUTH2
         S: .
         C: AUTH PLAIN
         S: + 
         C: *
         S: -ERR Authentication cancelled
         C: AUTH PLAIN
         S: + 
         C: AG1yb3NlAHdyb25n
         S: -ERR [AUTH] Authentication failed
         C: AUTH PLAIN AG1yb3NlAHRhbnN0YWFm
         S: +OK maildrop has 2 messages (320 octets)
         C: AUTH PLAIN AG1yb3NlAHRhbnN0YWFm
         S: -ERR Already logged in";
    replay_all_ways(|| Session::plain(rfc_app()), trace);
}

#[test]
fn rfc5034_auth_login_and_empty_initial_response() {
    // LOGIN prompts are "Username:" and "Password:" in base64.
    let trace = "S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
         C: AUTH PLAIN =
         S: -ERR Authentication failed: malformed SASL message: PLAIN needs exactly two NULs
         C: AUTH LOGIN
         S: + VXNlcm5hbWU6
         C: bXJvc2U=
         S: + UGFzc3dvcmQ6
         C: dGFuc3RhYWY=
         S: +OK maildrop has 2 messages (320 octets)";
    replay_all_ways(|| Session::plain(rfc_app()), trace);
}

#[test]
fn rfc6856_utf8_and_lang() {
    let trace = "S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
         C: LANG
         S: +OK Language listing follows
         S: en English
         S: .
         C: LANG *
         S: +OK en English
         C: LANG fr
         S: -ERR Unsupported language
         C: UTF8
         S: +OK UTF8 enabled
         C: USER jürgen
         S: +OK Send PASS
         C: PASS pässwörd
         S: +OK maildrop has 0 messages (0 octets)
         C: UTF8
         S: -ERR Already logged in
         C: LANG en
         S: +OK en English";
    let make = || {
        let mut app = TestApp::default();
        app.users.push(("jürgen".into(), "pässwörd".into()));
        Session::plain(app)
    };
    replay_all_ways(make, trace);
}
