//! Two `pop3d` processes on one PostgreSQL behind HAProxy (PROXY protocol
//! v2): the maildrop lock holds across instances, a killed instance
//! loses nothing and frees the lock, and the logs name the real client.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
mod pg_support;

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use pg_support::fleet::Fleet;
use pg_support::process::Client;

/// The client's own loopback address, distinct from HAProxy's
/// (127.0.0.1), so the logs show whose address they carry.
const CLIENT: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, 2));

/// The `session ended` JSON log lines of an instance for `client`.
fn session_lines(log: &str, client: SocketAddr) -> Vec<String> {
    let peer = format!("\"peer\":\"{client}\"");
    log.lines()
        .filter(|l| l.contains("session ended") && l.contains(&peer))
        .map(str::to_owned)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lock_holds_across_instances_and_survives_kill_9() {
    let mut fleet = Fleet::start().await;
    assert_eq!(fleet.stored().await, 3);

    // Logged in through instance 0: instance 1 says [IN-USE].
    let mut first = Client::connect_from(CLIENT, fleet.via[0]).await;
    assert!(first.login("alice", "wonderland").await.starts_with("+OK"));
    assert!(first.ok("STAT").await.starts_with("+OK 3 "));
    let mut second = Client::connect_from(CLIENT, fleet.via[1]).await;
    let answer = second.login("alice", "wonderland").await;
    assert!(answer.starts_with("-ERR [IN-USE]"), "{answer}");
    second.ok("QUIT").await;
    second.until_closed().await;

    // Mid-session, with every message marked deleted, instance 0 dies.
    for i in 1..=3 {
        first.ok(&format!("DELE {i}")).await;
    }
    fleet.instances[0].kill_9();
    first.until_closed().await;

    // The database ends the dead instance's connection and its lock:
    // instance 1 lets alice in (bounded wait), and nothing was deleted.
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut again = loop {
        let mut c = Client::connect_from(CLIENT, fleet.via[1]).await;
        let answer = c.login("alice", "wonderland").await;
        if answer.starts_with("+OK") {
            break c;
        }
        assert!(answer.starts_with("-ERR [IN-USE]"), "{answer}");
        assert!(Instant::now() < deadline, "lock not released after kill -9");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(again.ok("STAT").await.starts_with("+OK 3 "));
    again.ok("QUIT").await;
    again.until_closed().await;
    assert_eq!(fleet.stored().await, 3);

    // The surviving instance logged the client's own address and port,
    // as HAProxy's PROXY header gave it.
    fleet.instances[1].wait_for_log(&again.local.to_string());
    let log = fleet.instances[1].log_text();
    let lines = session_lines(&log, again.local);
    assert_eq!(lines.len(), 1, "{log}");
    assert!(lines[0].contains("\"user\":\"alice\""), "{}", lines[0]);
    let refused = session_lines(&log, second.local);
    assert_eq!(refused.len(), 1, "{log}");
    assert!(refused[0].contains("\"user\":\"-\""), "{}", refused[0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn balanced_sessions_share_one_maildrop() {
    let fleet = Fleet::start().await;
    // Round-robin over both instances: each session deletes one message,
    // and the next (on the other instance) sees the result.
    for left in (0..3).rev() {
        let mut c = Client::connect_from(CLIENT, fleet.balanced).await;
        assert!(c.login("alice", "wonderland").await.starts_with("+OK"));
        assert!(
            c.ok("STAT")
                .await
                .starts_with(&format!("+OK {} ", left + 1))
        );
        c.ok("DELE 1").await;
        c.ok("QUIT").await;
        c.until_closed().await;
    }
    assert_eq!(fleet.stored().await, 0);
    let both = fleet
        .instances
        .iter()
        .filter(|p| p.log_text().contains("\"user\":\"alice\""))
        .count();
    assert_eq!(both, 2, "sessions did not reach both instances");
    drop(fleet.dir);
}
