//! Every login method over a real socket, and the login policies.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::{Duration, Instant};

use common::{ALICE, Options, TestServer, Wire};
use pop3_proto::sasl::scram::ScramClient;
use pop3_proto::sasl::{decode_base64, encode_base64};
use pop3_proto::types::Username;

async fn greeted(server: &TestServer) -> (Wire, String) {
    let mut w = server.connect().await;
    let greeting = w.line().await;
    (w, greeting)
}

async fn assert_logged_in(w: &mut Wire) {
    assert!(w.ok("STAT").await.starts_with("+OK 0 0"));
    w.ok("QUIT").await;
}

fn b64(s: &[u8]) -> String {
    encode_base64(s)
}

/// The text after `+ ` in a continuation, base64-decoded.
async fn challenge(w: &mut Wire) -> Vec<u8> {
    let line = w.line().await;
    let data = line
        .strip_prefix("+ ")
        .or(line.strip_prefix("+"))
        .unwrap_or_else(|| panic!("not a continuation: {line}"));
    decode_base64(data.trim().as_bytes()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_pass() {
    let server = TestServer::start().await;
    let (mut w, _) = greeted(&server).await;
    w.login(ALICE.0, ALICE.1).await;
    assert_logged_in(&mut w).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apop_uses_the_greeting_timestamp() {
    let server = TestServer::start().await;
    let (mut w, greeting) = greeted(&server).await;
    let timestamp = pop3_proto::apop::find_timestamp(greeting.as_bytes()).unwrap();
    let digest = pop3_proto::apop::digest(timestamp, ALICE.1.as_bytes());
    w.ok(&format!("APOP alice {digest}")).await;
    assert_logged_in(&mut w).await;

    // Each connection gets its own timestamp.
    let (_, other) = greeted(&server).await;
    assert_ne!(
        pop3_proto::apop::find_timestamp(other.as_bytes()).unwrap(),
        timestamp
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_plain_with_and_without_initial_response() {
    let server = TestServer::start().await;
    let (mut w, _) = greeted(&server).await;
    w.ok(&format!("AUTH PLAIN {}", b64(b"\0alice\0wonderland")))
        .await;
    assert_logged_in(&mut w).await;

    let (mut w, _) = greeted(&server).await;
    w.command("AUTH PLAIN").await;
    assert!(challenge(&mut w).await.is_empty());
    w.ok(&b64(b"\0alice\0wonderland")).await;
    assert_logged_in(&mut w).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_login() {
    let server = TestServer::start().await;
    let (mut w, _) = greeted(&server).await;
    w.command("AUTH LOGIN").await;
    challenge(&mut w).await;
    w.command(&b64(b"alice")).await;
    challenge(&mut w).await;
    w.ok(&b64(b"wonderland")).await;
    assert_logged_in(&mut w).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_cram_md5() {
    let server = TestServer::start().await;
    let (mut w, _) = greeted(&server).await;
    w.command("AUTH CRAM-MD5").await;
    let challenge = challenge(&mut w).await;
    let user = Username::try_from("alice").unwrap();
    let response = pop3_proto::sasl::cram_md5::respond(&user, ALICE.1.as_bytes(), &challenge);
    w.ok(&b64(&response)).await;
    assert_logged_in(&mut w).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_scram_sha_256_proves_both_sides() {
    let server = TestServer::start().await;
    let (mut w, _) = greeted(&server).await;
    let user = Username::try_from("alice").unwrap();
    let (client, first) =
        ScramClient::start(&user, ALICE.1.as_bytes(), "rOprNGfwEbeRWgbNEkqO").unwrap();
    w.command(&format!("AUTH SCRAM-SHA-256 {}", b64(&first)))
        .await;
    let server_first = challenge(&mut w).await;
    let (client, client_final) = client.handle_server_first(&server_first).unwrap();
    w.command(&b64(&client_final)).await;
    let server_final = challenge(&mut w).await;
    client.verify_server_final(&server_final).unwrap();
    w.ok("").await;
    assert_logged_in(&mut w).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_and_unknown_user_look_alike() {
    let server = TestServer::start().await;
    let (mut w, _) = greeted(&server).await;
    w.ok("USER alice").await;
    let wrong = w.ask("PASS nope").await;
    w.ok("USER mallory").await;
    let unknown = w.ask("PASS nope").await;
    assert!(wrong.starts_with("-ERR [AUTH]"), "{wrong}");
    assert_eq!(wrong, unknown);
    // After three failures the session is closed.
    w.ok("USER alice").await;
    w.command("PASS nope").await;
    let rest = w.until_closed().await;
    assert!(String::from_utf8_lossy(&rest).starts_with("-ERR [AUTH]"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_logins_are_delayed_increasingly() {
    let server = TestServer::start_with(Options {
        penalty: Duration::from_millis(300),
        ..Options::default()
    })
    .await;
    let (mut w, _) = greeted(&server).await;
    let mut waits = Vec::new();
    for _ in 0..2 {
        w.ok("USER alice").await;
        let started = Instant::now();
        assert!(w.ask("PASS nope").await.starts_with("-ERR [AUTH]"));
        waits.push(started.elapsed());
    }
    assert!(waits[0] >= Duration::from_millis(300), "{waits:?}");
    assert!(waits[1] >= Duration::from_millis(600), "{waits:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_session_gets_in_use() {
    let server = TestServer::start().await;
    let (mut first, _) = greeted(&server).await;
    first.login(ALICE.0, ALICE.1).await;
    let (mut second, _) = greeted(&server).await;
    second.ok("USER alice").await;
    let answer = second.ask("PASS wonderland").await;
    assert!(answer.starts_with("-ERR [IN-USE]"), "{answer}");
    // Another user is not affected.
    let (mut carol, _) = greeted(&server).await;
    carol.login("carol", "c4r0l").await;
    first.ok("QUIT").await;
    first.until_closed().await;
    // Once the first session is over the maildrop is free again.
    let (mut third, _) = greeted(&server).await;
    third.login(ALICE.0, ALICE.1).await;
}
