//! One AUTH dialogue per SASL mechanism (RFC 5034), each replayed through
//! the server and through the client's `authenticate`, with a refused
//! attempt before the accepted one. The published example exchanges are
//! used where the server can produce them; CRAM-MD5 and SCRAM-SHA-256 need
//! a server nonce, which the server derives from the connection's random
//! bytes with no way to set it, so their two-way traces use the nonces
//! those fixed bytes give, and the exact RFC 2195 and RFC 7677 examples are
//! replayed through the client alone.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::credentials::{cram_md5, login, plain, scram, user, xoauth2};
use common::trace_client::{replay_both, replay_client};
use common::{Session, TestApp, config, params};
use pop3_proto::Secret;
use pop3_proto::client::{SaslCredentials, SessionState};
use pop3_proto::sasl::{decode_base64, encode_base64};
use pop3_proto::server::TlsMode;

const GREETING: &str = "S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>";

/// A server with every mechanism on, the CRAM-MD5 host of RFC 2195, and
/// the users of the RFC examples.
fn session() -> Session {
    let mut app = TestApp::default();
    app.users.push(("tim".into(), "tanstaaftanstaaf".into()));
    app.users.push(("user".into(), "pencil".into()));
    for (name, token) in [
        (
            "user@example.com",
            "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==",
        ),
        (
            "someuser@example.com",
            "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg",
        ),
    ] {
        app.users.push((name.into(), "unused".into()));
        app.tokens.push((name.into(), token.into()));
    }
    // RFC 7677's salt and iteration count.
    app.scram_salt = decode_base64(b"W22ZaJ0SNY7soEsUEjb6gQ==").unwrap();
    app.scram_iterations = 4096;
    let mut config = config();
    config.hostname = "postoffice.reston.mci.net".into();
    Session::new(config, params(TlsMode::StlsAvailable, true), app)
}

fn b64(text: &str) -> String {
    encode_base64(text.as_bytes())
}

fn logged_in(client: &common::trace_client::ClientReplay) {
    assert_eq!(client.client.state(), SessionState::Transaction);
    assert_eq!(client.errors().len(), 1, "one refused attempt");
    assert!(client.errors()[0].is_auth());
}

#[test]
fn plain_rfc4616_example() {
    let trace = format!(
        "{GREETING}
         A: AUTH PLAIN {}
         S: -ERR [AUTH] Authentication failed
         A: AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm
         S: +OK maildrop has 0 messages (0 octets)",
        b64("\0tim\0tanstaaf")
    );
    let credentials = vec![plain("tim", "tanstaaf"), plain("tim", "tanstaaftanstaaf")];
    logged_in(&replay_both(session, &trace, credentials));
}

#[test]
fn login_prompts_answered_in_order() {
    // The prompts are "Username:" and "Password:".
    let trace = format!(
        "{GREETING}
         A: AUTH LOGIN
         S: + VXNlcm5hbWU6
         C: {tim}
         S: + UGFzc3dvcmQ6
         C: {}
         S: -ERR [AUTH] Authentication failed
         A: AUTH LOGIN
         S: + VXNlcm5hbWU6
         C: {tim}
         S: + UGFzc3dvcmQ6
         C: {}
         S: +OK maildrop has 0 messages (0 octets)",
        b64("tanstaaf"),
        b64("tanstaaftanstaaf"),
        tim = b64("tim"),
    );
    let credentials = vec![login("tim", "tanstaaf"), login("tim", "tanstaaftanstaaf")];
    logged_in(&replay_both(session, &trace, credentials));
}

#[test]
fn cram_md5_rfc2195_example_through_the_client() {
    let trace = "S: +OK POP3 server ready
         A: AUTH CRAM-MD5
         S: + PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+
         C: dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw
         S: +OK maildrop has 0 messages (0 octets)";
    let client = replay_client(trace, vec![cram_md5("tim", "tanstaaftanstaaf")]);
    assert_eq!(client.client.state(), SessionState::Transaction);
}

#[test]
fn cram_md5_both_ways() {
    // The challenges are those the server derives from the fixed random
    // bytes of `params`; the digests are HMAC-MD5 of them.
    let trace = format!(
        "{GREETING}
         A: AUTH CRAM-MD5
         S: + {}
         C: {}
         S: -ERR [AUTH] Authentication failed
         A: AUTH CRAM-MD5
         S: + {}
         C: {}
         S: +OK maildrop has 0 messages (0 octets)",
        b64("<19c6b01acdf98ca0@postoffice.reston.mci.net>"),
        b64("tim c55a6198cc4bef5fb1ff71ab9b16ee84"),
        b64("<e4e6b4415a69b080@postoffice.reston.mci.net>"),
        b64("tim d5d142fc803c254caf086f5ec8f9399c"),
    );
    let credentials = vec![
        cram_md5("tim", "tanstaaf"),
        cram_md5("tim", "tanstaaftanstaaf"),
    ];
    logged_in(&replay_both(session, &trace, credentials));
}

/// RFC 7677's client nonce.
const NONCE: &str = "rOprNGfwEbeRWgbNEkqO";

#[test]
fn scram_sha_256_rfc7677_example_through_the_client() {
    let nonce = format!("{NONCE}%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
    let trace = format!(
        "S: +OK POP3 server ready
         A: AUTH SCRAM-SHA-256 biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=
         S: + {}
         C: {}
         S: + {}
         C:
         S: +OK maildrop has 0 messages (0 octets)",
        b64(&format!("r={nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")),
        b64(&format!(
            "c=biws,r={nonce},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
        )),
        b64("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="),
    );
    let client = replay_client(&trace, vec![scram("user", "pencil", NONCE)]);
    assert_eq!(client.client.state(), SessionState::Transaction);
}

#[test]
fn scram_sha_256_both_ways() {
    // RFC 7677's user, password, client nonce, salt and iteration count;
    // the server's half of each nonce comes from the fixed random bytes.
    let (first, second) = ("ZIx55lQG9DQGfm3V9fT0Kl6x", "dhfxxGZjZm5w2gbFq9138i2O");
    let trace = format!(
        "{GREETING}
         A: AUTH SCRAM-SHA-256 biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=
         S: + {}
         C: {}
         S: -ERR [AUTH] Authentication failed
         A: AUTH SCRAM-SHA-256 biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8=
         S: + {}
         C: {}
         S: + {}
         C:
         S: +OK maildrop has 0 messages (0 octets)",
        b64(&format!(
            "r={NONCE}{first},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
        )),
        b64(&format!(
            "c=biws,r={NONCE}{first},p=bpPQhObxRyCpq3amlbaNbVHhrzjR/pbrAUZFMEYV1V4="
        )),
        b64(&format!(
            "r={NONCE}{second},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
        )),
        b64(&format!(
            "c=biws,r={NONCE}{second},p=nOywWar2ZC95g0ce1dO+ZtdpX6GQ8fO/wj/Xb1Yg9H8="
        )),
        b64("v=ngFpdIC3INJIrIOzHAi7LN+lKguWLBlGI4x8BzPoZ20="),
    );
    let credentials = vec![
        scram("user", "pencil?", NONCE),
        scram("user", "pencil", NONCE),
    ];
    logged_in(&replay_both(session, &trace, credentials));
}

fn oauthbearer(token: &str) -> SaslCredentials {
    SaslCredentials::OAuthBearer {
        user: user("user@example.com"),
        token: Secret::new(token.into()),
        host: Some("server.example.com".into()),
        port: Some(143),
    }
}

#[test]
fn oauthbearer_rfc7628_example() {
    // A refused token draws a JSON error challenge, which the client must
    // answer with 0x01 before the -ERR (RFC 7628 section 3.2.3).
    let trace = format!(
        "{GREETING}
         A: AUTH OAUTHBEARER {}
         S: + {}
         C: AQ==
         S: -ERR [AUTH] Authentication failed
         A: AUTH OAUTHBEARER bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB
         S: +OK maildrop has 0 messages (0 octets)",
        b64("n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer expired\x01\x01"),
        b64(r#"{"status":"invalid_token"}"#),
    );
    let credentials = vec![
        oauthbearer("expired"),
        oauthbearer("vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg=="),
    ];
    logged_in(&replay_both(session, &trace, credentials));
}

#[test]
fn xoauth2_example() {
    // A refused token draws a JSON error challenge, answered with an
    // empty line before the -ERR.
    let trace = format!(
        "{GREETING}
         A: AUTH XOAUTH2 {}
         S: + {}
         C:
         S: -ERR [AUTH] Authentication failed
         A: AUTH XOAUTH2 dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==
         S: +OK maildrop has 0 messages (0 octets)",
        b64("user=someuser@example.com\x01auth=Bearer expired\x01\x01"),
        b64(r#"{"status":"401","schemes":"bearer"}"#),
    );
    let credentials = vec![
        xoauth2("someuser@example.com", "expired"),
        xoauth2(
            "someuser@example.com",
            "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg",
        ),
    ];
    logged_in(&replay_both(session, &trace, credentials));
}
