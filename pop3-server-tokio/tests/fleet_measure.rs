//! The figures in docs/scaling.md: sessions and messages per second
//! through HAProxy to one pop3d, then to two, on one PostgreSQL, all on
//! this machine. A measurement, not a check, so it runs only when asked:
//!
//! cargo test --release -p pop3-server-tokio --test fleet_measure -- --ignored --nocapture

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
mod pg_support;

use std::net::SocketAddr;
use std::time::Instant;

use pg_support::cluster::connect;
use pg_support::fleet::Fleet;
use pg_support::process::Client;

const USERS: usize = 16;
const SESSIONS_PER_USER: usize = 40;
const MESSAGES: usize = 5;
const MESSAGE_SIZE: usize = 4096;
/// Messages stored in the delivery measurement, into a user no session
/// reads.
const BULK: usize = 2000;

/// One worker per user, each from its own loopback address (as distinct
/// clients would be): connect, log in, STAT, RETR every message, QUIT.
async fn sessions(addr: SocketAddr) -> (f64, usize, usize) {
    let started = Instant::now();
    let mut workers = Vec::new();
    for u in 0..USERS {
        workers.push(tokio::spawn(async move {
            let mut retrieved = 0;
            for _ in 0..SESSIONS_PER_USER {
                let from = [127, 0, 1, u8::try_from(u + 1).unwrap()];
                let mut c = Client::connect_from(from.into(), addr).await;
                let answer = c.login(&format!("u{u}"), "pw").await;
                assert!(answer.starts_with("+OK"), "{answer}");
                c.ok("STAT").await;
                for i in 1..=MESSAGES {
                    c.ok(&format!("RETR {i}")).await;
                    c.body().await;
                    retrieved += 1;
                }
                c.ok("QUIT").await;
                c.until_closed().await;
            }
            retrieved
        }));
    }
    let mut retrieved = 0;
    for w in workers {
        retrieved += w.await.unwrap();
    }
    (
        started.elapsed().as_secs_f64(),
        USERS * SESSIONS_PER_USER,
        retrieved,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement for docs/scaling.md; run with --ignored --nocapture"]
async fn sessions_and_messages_per_second() {
    let users: String = (0..USERS).map(|u| format!("u{u}:{{PLAIN}}pw\n")).collect();
    let fleet = Fleet::start_with(&users).await;

    // The sessions' mail.
    let client = connect(&fleet.url).await;
    for u in 0..USERS {
        for i in 0..MESSAGES {
            let m = common::message(&format!("u{u} m{i}"), MESSAGE_SIZE);
            pop3_server_tokio::store::postgres::deliver(&client, &format!("u{u}"), &m)
                .await
                .unwrap();
        }
    }

    // Deliveries: 4 connections storing messages side by side.
    let started = Instant::now();
    let mut writers = Vec::new();
    for w in 0..4 {
        let url = fleet.url.clone();
        writers.push(tokio::spawn(async move {
            let client = connect(&url).await;
            let m = common::message(&format!("bulk {w}"), MESSAGE_SIZE);
            for _ in 0..BULK / 4 {
                pop3_server_tokio::store::postgres::deliver(&client, "bulk", &m)
                    .await
                    .unwrap();
            }
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    let delivered = BULK;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "deliveries: {delivered} messages of {MESSAGE_SIZE} octets in {secs:.2} s = {:.0} messages/s",
        delivered as f64 / secs
    );

    for (label, addr) in [
        ("one instance", fleet.via[0]),
        ("two instances", fleet.balanced),
    ] {
        let (secs, count, retrieved) = sessions(addr).await;
        println!(
            "{label}: {count} sessions, {retrieved} messages retrieved in {secs:.2} s = {:.0} sessions/s, {:.0} messages/s",
            count as f64 / secs,
            retrieved as f64 / secs
        );
    }
}
