//! Every SASL mechanism and APOP through the server, driven by this
//! crate's own client-side mechanism code.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Session, TestApp};
use pop3_proto::sasl::oauth::{BearerCredentials, XOAuth2Credentials};
use pop3_proto::sasl::scram::ScramClient;
use pop3_proto::sasl::{cram_md5, decode_base64, encode_base64};
use pop3_proto::server::CloseReason;
use pop3_proto::{Secret, Username};

fn session() -> Session {
    let mut s = Session::plain(TestApp::default().with_message(b"Subject: a\n\nbody\n"));
    s.greeting();
    s
}

/// The decoded data of a `+ base64` continuation line.
fn challenge(line: &str) -> Vec<u8> {
    let data = line
        .strip_prefix("+ ")
        .expect("a continuation")
        .trim_end_matches("\r\n");
    decode_base64(data.as_bytes()).unwrap()
}

fn line(data: &[u8]) -> Vec<u8> {
    format!("{}\r\n", encode_base64(data)).into_bytes()
}

/// `AUTH mechanism` with `data` as its initial response.
fn auth(mechanism: &str, data: &[u8]) -> Vec<u8> {
    [format!("AUTH {mechanism} ").as_bytes(), &line(data)].concat()
}

/// A SCRAM-SHA-256 AUTH line for `user`, whatever the password.
fn scram_auth(user: &str) -> Vec<u8> {
    let user = Username::try_from(user).unwrap();
    let (_, first) = ScramClient::start(&user, b"x", "nonce").unwrap();
    auth("SCRAM-SHA-256", &first)
}

const LOGGED_IN: &str = "+OK maildrop has 1 messages (20 octets)\r\n";

#[test]
fn cram_md5_accepts_the_right_secret_only() {
    for (secret, expected) in [
        ("tanstaaf", LOGGED_IN),
        ("wrong", "-ERR [AUTH] Authentication failed\r\n"),
    ] {
        let mut s = session();
        let c = challenge(&s.send(b"AUTH CRAM-MD5\r\n"));
        assert!(c.starts_with(b"<") && c.ends_with(b"@localhost>"), "{c:?}");
        let user = Username::try_from("mrose").unwrap();
        let response = cram_md5::respond(&user, secret.as_bytes(), &c);
        assert_eq!(s.send(&line(&response)), expected);
    }
}

#[test]
fn cram_md5_challenges_are_unique() {
    let mut s = session();
    let first = challenge(&s.send(b"AUTH CRAM-MD5\r\n"));
    s.send(b"*\r\n");
    let second = challenge(&s.send(b"AUTH CRAM-MD5\r\n"));
    assert_ne!(first, second);
}

fn scram_login(s: &mut Session, user: &str, password: &str) -> String {
    let user = Username::try_from(user).unwrap();
    let (state, first) = ScramClient::start(&user, password.as_bytes(), "clientnonce123").unwrap();
    let server_first = challenge(&s.send(&auth("SCRAM-SHA-256", &first)));
    let (state, client_final) = state.handle_server_first(&server_first).unwrap();
    let reply = s.send(&line(&client_final));
    if !reply.starts_with("+ ") {
        return reply;
    }
    state
        .verify_server_final(&challenge(&reply))
        .expect("server signature verifies");
    s.send(b"\r\n")
}

#[test]
fn scram_sha_256_full_exchange() {
    let mut s = session();
    assert_eq!(scram_login(&mut s, "mrose", "tanstaaf"), LOGGED_IN);
    assert_eq!(s.server.username().unwrap().as_str(), "mrose");
}

#[test]
fn scram_sha_256_wrong_password_and_unknown_user_look_alike() {
    let mut s = session();
    assert_eq!(
        scram_login(&mut s, "mrose", "wrong"),
        "-ERR [AUTH] Authentication failed\r\n"
    );
    assert_eq!(
        scram_login(&mut s, "nobody", "x"),
        "-ERR [AUTH] Authentication failed\r\n"
    );
    assert_eq!(s.server.stats().failed_logins, 2);
}

/// A SCRAM exchange given up after the user was looked up (the lookup
/// can cost the application a database query and a key derivation) is a
/// failed login, whether by `*`, a final message that is none, or an
/// over-long line: repeating it meets the failed-login limit.
#[test]
fn scram_abandoned_after_the_lookup_is_a_failed_login() {
    let endings: [&[u8]; 3] = [
        b"*\r\n",
        b"bm90IGEgZmluYWwgbWVzc2FnZQ==\r\n",
        &[b'A'; 20_000],
    ];
    for ending in endings {
        let mut s = session();
        for round in 1..=3 {
            assert!(s.send(&scram_auth("mrose")).starts_with("+ "));
            let mut last = ending.to_vec();
            if !last.ends_with(b"\n") {
                last.extend_from_slice(b"\r\n");
            }
            assert_eq!(
                s.send(&last),
                "-ERR [AUTH] Authentication failed\r\n",
                "round {round}"
            );
            assert_eq!(s.server.stats().failed_logins, round);
        }
        assert_eq!(s.closed, Some(CloseReason::TooManyLoginFailures));
    }
}

/// Cancelling before any lookup stays a plain refusal.
#[test]
fn scram_cancelled_before_the_lookup_is_not_a_login() {
    let mut s = session();
    assert_eq!(s.send(b"AUTH SCRAM-SHA-256\r\n"), "+ \r\n");
    assert_eq!(s.send(b"*\r\n"), "-ERR Authentication cancelled\r\n");
    assert_eq!(s.server.stats().failed_logins, 0);
    assert!(s.app.logins.is_empty());
}

#[test]
fn scram_unknown_user_gets_a_stable_salt() {
    let salt_of = |user: &str| {
        let mut s = session();
        let server_first = String::from_utf8(challenge(&s.send(&scram_auth(user)))).unwrap();
        server_first
            .split(',')
            .find(|f| f.starts_with("s="))
            .unwrap()
            .to_owned()
    };
    assert_eq!(salt_of("ghost"), salt_of("ghost"));
    assert_ne!(salt_of("ghost"), salt_of("phantom"));
}

#[test]
fn oauthbearer_success_and_error_flow() {
    let creds = |token: &str| BearerCredentials {
        authzid: Some(Username::try_from("mrose").unwrap()),
        token: Secret::new(token.into()),
        host: Some("localhost".into()),
        port: Some(110),
    };
    let mut s = session();
    let bad = s.send(&auth("OAUTHBEARER", &creds("nope").encode()));
    let error = String::from_utf8(challenge(&bad)).unwrap();
    assert!(error.contains("invalid_token"), "{error}");
    assert_eq!(
        s.send(&line(b"\x01")),
        "-ERR [AUTH] Authentication failed\r\n"
    );
    assert_eq!(
        s.send(&auth("OAUTHBEARER", &creds("tok-mrose").encode())),
        LOGGED_IN
    );
}

/// Three refused bearer tokens, each followed by `dummy` as the client's
/// answer to the error challenge: every round ends in `-ERR [AUTH]`, and
/// only the last closes the session, after that answer.
fn three_bearer_failures(dummy: &[u8]) {
    let creds = BearerCredentials {
        authzid: Some(Username::try_from("mrose").unwrap()),
        token: Secret::new("nope".into()),
        host: None,
        port: None,
    };
    let auth = auth("OAUTHBEARER", &creds.encode());
    let mut s = session();
    for round in 1..=3 {
        assert!(s.send(&auth).starts_with("+ "), "round {round}");
        assert_eq!(s.closed, None, "round {round}");
        assert_eq!(
            s.send(dummy),
            "-ERR [AUTH] Authentication failed\r\n",
            "round {round}"
        );
    }
    assert_eq!(s.closed, Some(CloseReason::TooManyLoginFailures));
}

/// The last failure a session may have, with a bearer token, still gets
/// the whole RFC 7628 3.2.3 exchange: the error challenge, the client's
/// dummy response, the final `-ERR`; only then does the session close.
#[test]
fn the_last_bearer_failure_ends_with_err_before_the_close() {
    three_bearer_failures(&line(b"\x01"));
}

/// The same when the dummy response is a line over the limit: it still
/// ends the failed exchange, and the last failure still closes.
#[test]
fn an_overlong_bearer_dummy_response_still_ends_the_failure() {
    let mut long = vec![b'A'; 20_000];
    long.extend_from_slice(b"\r\n");
    three_bearer_failures(&long);
}

#[test]
fn xoauth2_success_and_error_flow() {
    let creds = |token: &str| XOAuth2Credentials {
        user: Username::try_from("mrose").unwrap(),
        token: Secret::new(token.into()),
    };
    let mut s = session();
    assert_eq!(s.send(b"AUTH XOAUTH2\r\n"), "+ \r\n");
    let bad = s.send(&line(&creds("nope").encode()));
    assert!(bad.starts_with("+ "), "{bad}");
    assert_eq!(s.send(b"\r\n"), "-ERR [AUTH] Authentication failed\r\n");
    assert_eq!(
        s.send(&auth("XOAUTH2", &creds("tok-mrose").encode())),
        LOGGED_IN
    );
}

#[test]
fn apop_rfc1939_digest_logs_in() {
    let mut s = session();
    let digest = pop3_proto::apop::digest(b"<1896.697170952@dbc.mtview.ca.us>", b"tanstaaf");
    assert_eq!(digest.to_string(), "c4c9334bac560ecc979e58001b3e22fb");
    assert_eq!(
        s.send(format!("APOP mrose {digest}\r\n").as_bytes()),
        LOGGED_IN
    );
}

#[test]
fn apop_can_be_turned_off() {
    let mut config = common::config();
    config.apop = false;
    let mut s = Session::new(
        config,
        common::params(pop3_proto::server::TlsMode::None, true),
        TestApp::default(),
    );
    assert_eq!(s.greeting(), "+OK POP3 server ready\r\n");
    assert_eq!(
        s.send(b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n"),
        "-ERR APOP is not available\r\n"
    );
}

#[test]
fn plain_with_authzid_reaches_the_application() {
    let mut s = session();
    let reply = s.send(&auth("PLAIN", b"admin\0mrose\0tanstaaf"));
    assert_eq!(reply, LOGGED_IN);
    assert!(s.app.logins[0].starts_with("mrose"), "{:?}", s.app.logins);
}

/// A password as long as PASS takes works through PLAIN and LOGIN too,
/// and a wrong one fails as credentials do.
#[test]
fn long_passwords_work_through_every_password_mechanism() {
    let long = "p".repeat(600);
    let mut app = TestApp::default().with_message(b"Subject: a\n\nbody\n");
    app.users.push(("long".into(), long.clone()));
    let fresh = || {
        let mut s = Session::plain(app.clone());
        s.greeting();
        s
    };
    let mut s = fresh();
    s.send(b"USER long\r\n");
    assert_eq!(s.send(format!("PASS {long}\r\n").as_bytes()), LOGGED_IN);
    let mut s = fresh();
    let plain = format!("\0long\0{long}");
    assert_eq!(s.send(&auth("PLAIN", plain.as_bytes())), LOGGED_IN);
    let mut s = fresh();
    let wrong = format!("\0long\0{long}x");
    assert_eq!(
        s.send(&auth("PLAIN", wrong.as_bytes())),
        "-ERR [AUTH] Authentication failed\r\n"
    );
    let mut s = fresh();
    s.send(b"AUTH LOGIN\r\n");
    s.send(&line(b"long"));
    assert_eq!(s.send(&line(long.as_bytes())), LOGGED_IN);
}

/// A SASL message that cannot be read, or an AUTH the server cannot
/// start, counts as a bad command, so it cannot be sent again and again
/// without end.
#[test]
fn unreadable_sasl_messages_count_as_bad_commands() {
    let mut s = session();
    for _ in 0..20 {
        assert!(
            s.send(b"AUTH PLAIN =\r\n")
                .starts_with("-ERR Authentication failed: ")
        );
    }
    assert_eq!(s.server.stats().bad_commands, 20);
    assert!(s.closed.is_none());
    let mut other = session();
    other.send(b"AUTH GSSAPI\r\n");
    other.send(b"AUTH CRAM-MD5 dGVzdA==\r\n");
    assert_eq!(other.server.stats().bad_commands, 2);
    assert_eq!(
        s.send(b"AUTH PLAIN =\r\n"),
        "-ERR Too many bad commands; closing connection\r\n"
    );
    assert_eq!(s.closed, Some(CloseReason::TooManyBadCommands));
}

#[test]
fn too_many_failed_logins_close_the_session() {
    let mut s = session();
    for _ in 0..2 {
        s.send(b"USER mrose\r\n");
        assert_eq!(
            s.send(b"PASS bad\r\n"),
            "-ERR [AUTH] Authentication failed\r\n"
        );
    }
    s.send(b"USER mrose\r\n");
    assert_eq!(
        s.send(b"PASS bad\r\n"),
        "-ERR [AUTH] Authentication failed\r\n"
    );
    assert_eq!(s.closed, Some(CloseReason::TooManyLoginFailures));
    assert_eq!(s.send(b"USER mrose\r\n"), "");
}

#[test]
fn unsupported_and_malformed_mechanisms() {
    let mut s = session();
    assert_eq!(
        s.send(b"AUTH GSSAPI\r\n"),
        "-ERR Unsupported authentication mechanism\r\n"
    );
    assert_eq!(
        s.send(b"AUTH CRAM-MD5 dGVzdA==\r\n"),
        "-ERR CRAM-MD5 does not take an initial response\r\n"
    );
    assert_eq!(s.send(b"AUTH PLAIN\r\n"), "+ \r\n");
    assert_eq!(s.send(b"not base64!\r\n"), "-ERR Invalid base64 data\r\n");
    assert_eq!(s.send(b"AUTH PLAIN\r\n"), "+ \r\n");
    assert!(s.send(b"\r\n").starts_with("-ERR Authentication failed: "));
    assert_eq!(
        s.send(b"STAT\r\n"),
        "-ERR Not logged in\r\n",
        "the exchange ended"
    );
}
