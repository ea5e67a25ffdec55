//! The example dialogues of RFC 1939 and one session per extension
//! (RFC 2449, 2595, 3206, 5034, 6856), each replayed through the server
//! (whole, byte by byte and, where STLS allows, pipelined) and through the
//! client. The trace format is described in `common/trace.rs`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::credentials::{login, plain};
use common::trace::{Feed, replay, replay_all_ways};
use common::trace_client::{replay_both, replay_client, replay_client_with};
use common::{Session, TestApp, config, message_of_size, params};
use pop3_proto::client::{ClientConfig, SessionState};
use pop3_proto::server::{CommitOutcome, LoginError, TlsMode};

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
    let client = replay_both(|| Session::plain(rfc_app()), &trace, vec![]);
    assert_eq!(client.client.state(), SessionState::Closed);
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
    replay_both(|| Session::plain(rfc_app()), &trace, vec![]);
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
         C! STAT
         S: -ERR Not logged in
         C: APOP mrose 00000000000000000000000000000000
         S: -ERR [AUTH] Authentication failed
         C: QUIT
         S: +OK POP3 server signing off";
    let client = replay_both(|| Session::plain(rfc_app()), trace, vec![]);
    let auth: Vec<bool> = client.errors().iter().map(|e| e.is_auth()).collect();
    assert_eq!(auth, [false, true, true]);
    assert_eq!(client.client.state(), SessionState::Closed);
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
    replay_both(make, trace, vec![]);
}

/// A session whose application refuses these users' good credentials,
/// and where failed logins do not end the session.
fn refusing(refusals: &[(&str, LoginError)]) -> Session {
    let mut app = rfc_app();
    for (user, error) in refusals {
        app.users.push(((*user).into(), "secret".into()));
        app.refusals.push(((*user).into(), error.clone()));
    }
    let mut config = config();
    config.max_login_failures = 10;
    Session::new(config, params(TlsMode::StlsAvailable, true), app)
}

#[test]
fn rfc2449_response_codes() {
    let trace = "S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
         C: USER mrose
         S: +OK Send PASS
         C: PASS tanstaaf
         S: -ERR [IN-USE] Maildrop is locked by another session
         C: APOP mrose c4c9334bac560ecc979e58001b3e22fb
         S: -ERR [IN-USE] Maildrop is locked by another session
         C: USER early
         S: +OK Send PASS
         C: PASS secret
         S: -ERR [LOGIN-DELAY] Logged in too recently";
    let make = || {
        let mut session = refusing(&[("early", LoginError::LoginDelay)]);
        session.app.locked.insert("mrose".into());
        session
    };
    let client = replay_both(make, trace, vec![]);
    let errors = client.errors();
    assert_eq!(errors.len(), 3);
    assert!(errors.iter().all(|e| e.is_temporary() && !e.is_auth()));
    assert_eq!(client.client.state(), SessionState::Authorization);
}

#[test]
fn rfc3206_response_codes() {
    let trace = "S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
         C: USER mrose
         S: +OK Send PASS
         C: PASS wrong
         S: -ERR [AUTH] Authentication failed
         C: USER busy
         S: +OK Send PASS
         C: PASS secret
         S: -ERR [SYS/TEMP] Temporary failure; try again later
         C: USER closed
         S: +OK Send PASS
         C: PASS secret
         S: -ERR [SYS/PERM] Maildrop is unavailable
         C: USER mrose
         S: +OK Send PASS
         C: PASS tanstaaf
         S: +OK maildrop has 2 messages (320 octets)
         C: DELE 1
         S: +OK message 1 deleted
         C: QUIT
         S: -ERR [SYS/TEMP] Messages could not be deleted";
    let make = || {
        let mut session = refusing(&[
            ("busy", LoginError::Temporary),
            ("closed", LoginError::Permanent),
        ]);
        session.app.commit_outcome = CommitOutcome::Failed;
        session
    };
    let client = replay_both(make, trace, vec![]);
    let kinds: Vec<_> = client
        .errors()
        .iter()
        .map(|e| (e.is_auth(), e.is_temporary(), e.is_permanent()))
        .collect();
    assert_eq!(
        kinds,
        [
            (true, false, false),
            (false, true, false),
            (false, false, true),
            (false, true, false)
        ]
    );
    assert_eq!(client.client.state(), SessionState::Closed);
}

/// CAPA's answer in AUTHORIZATION with [`config`] and cleartext allowed.
const CAPA: &str = "C: CAPA
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
         S: .";

#[test]
fn rfc2449_pipelining_answers_in_order() {
    let app = rfc_app();
    let mut trace = format!(
        "S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
         {CAPA}
         C: USER mrose
         C: PASS tanstaaf\n"
    );
    let mut answers = String::from(
        "S: +OK Send PASS
         S: +OK maildrop has 2 messages (320 octets)\n",
    );
    for _ in 0..100 {
        trace += "C: RETR 2\nC: LIST 1\n";
        answers += "S: +OK 200 octets\n";
        answers += &body_lines(&app.messages[1]);
        answers += "S: .\nS: +OK 1 120\n";
    }
    trace += "C: QUIT\n";
    answers += "S: +OK POP3 server signing off (2 messages left)";
    trace += &answers;
    // The client writes all 203 commands before reading a reply: the
    // harness checks it once CAPA has listed PIPELINING.
    let client = replay_both(|| Session::plain(rfc_app()), &trace, vec![]);
    assert!(client.client.pipelining_allowed());
    assert_eq!(client.client.state(), SessionState::Closed);
}

#[test]
fn rfc2595_stls_restarts_authorization_on_tls() {
    // "\0mrose\0tanstaaf" in base64 after AUTH PLAIN.
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
         A: AUTH PLAIN AG1yb3NlAHRhbnN0YWFm
         S: -ERR [AUTH] Plaintext authentication disallowed on non-secure connections; use STLS or port 995
         C: STLS
         S: +OK Begin TLS negotiation now
         -- TLS --
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
         C! STLS
         S: -ERR Already using TLS
         C: USER mrose
         S: +OK Send PASS
         C: PASS tanstaaf
         S: +OK maildrop has 2 messages (320 octets)";
    let make = || Session::new(config(), params(TlsMode::StlsAvailable, false), rfc_app());
    replay_all_ways(make, trace);
    let session = replay(make(), trace, Feed::Bytewise);
    assert!(session.server.is_tls());
    assert_eq!(session.tls_handshakes, 1);
    let client = replay_client(trace, vec![plain("mrose", "tanstaaf")]);
    assert_eq!(client.client.state(), SessionState::Transaction);
}

#[test]
fn rfc5034_auth_plain_without_initial_response() {
    // "\0mrose\0wrong" and "\0mrose\0tanstaaf" in base64. The cancelled
    // exchange is one only a hand-typing client makes: this client cancels
    // only when the server misbehaves.
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
         R: AUTH PLAIN
         S: + 
         R: *
         S: -ERR Authentication cancelled
         A: AUTH PLAIN
         S: + 
         C: AG1yb3NlAHdyb25n
         S: -ERR [AUTH] Authentication failed
         A: AUTH PLAIN
         S: + 
         C: AG1yb3NlAHRhbnN0YWFm
         S: +OK maildrop has 2 messages (320 octets)";
    replay_all_ways(|| Session::plain(rfc_app()), trace);
    let config = ClientConfig {
        sasl_initial_response: false,
        ..ClientConfig::default()
    };
    let credentials = vec![plain("mrose", "wrong"), plain("mrose", "tanstaaf")];
    let client = replay_client_with(config, trace, credentials);
    assert_eq!(client.client.state(), SessionState::Transaction);
}

#[test]
fn rfc5034_auth_plain_with_initial_response() {
    let trace = "S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
         A: AUTH PLAIN AG1yb3NlAHdyb25n
         S: -ERR [AUTH] Authentication failed
         A: AUTH PLAIN AG1yb3NlAHRhbnN0YWFm
         S: +OK maildrop has 2 messages (320 octets)
         C! AUTH PLAIN AG1yb3NlAHRhbnN0YWFm
         S: -ERR Already logged in";
    let credentials = vec![plain("mrose", "wrong"), plain("mrose", "tanstaaf")];
    replay_both(|| Session::plain(rfc_app()), trace, credentials);
}

#[test]
fn rfc5034_auth_login_and_empty_initial_response() {
    // LOGIN prompts are "Username:" and "Password:" in base64. No client
    // sends PLAIN with an empty message, so only the server sees it.
    let trace = "S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
         R: AUTH PLAIN =
         S: -ERR Authentication failed: malformed SASL message: PLAIN needs exactly two NULs
         A: AUTH LOGIN
         S: + VXNlcm5hbWU6
         C: bXJvc2U=
         S: + UGFzc3dvcmQ6
         C: dGFuc3RhYWY=
         S: +OK maildrop has 2 messages (320 octets)";
    let client = replay_both(
        || Session::plain(rfc_app()),
        trace,
        vec![login("mrose", "tanstaaf")],
    );
    assert_eq!(client.client.state(), SessionState::Transaction);
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
         C! UTF8
         S: -ERR Already logged in
         C: LANG en
         S: +OK en English";
    let make = || {
        let mut app = TestApp::default();
        app.users.push(("jürgen".into(), "pässwörd".into()));
        Session::plain(app)
    };
    replay_both(make, trace, vec![]);
}
