//! Server memory under peers that push or pull without limit, measured
//! as the `pop3d` process's resident set (`VmRSS`), so it is the
//! server's alone. The bounds are generous: they tell buffering without
//! limit (which would grow by the whole amount queued) from buffering a
//! few chunks, and say nothing about speed.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod hardening;

use std::time::Duration;

use hardening::daemon::Site;
use hardening::{Daemon, Wire, maildir};

const MIB: u64 = 1024;

/// Resident-set growth allowed, in KiB.
const GROWTH_BOUND_KIB: u64 = 64 * MIB;

/// Samples the daemon's RSS every 100 ms for `span`; the largest seen.
async fn peak_rss(daemon: &Daemon, span: Duration) -> u64 {
    let mut peak = daemon.rss_kib();
    let samples = span.as_millis() / 100;
    for _ in 0..samples {
        tokio::time::sleep(Duration::from_millis(100)).await;
        peak = peak.max(daemon.rss_kib());
    }
    peak
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipelined_retrs_never_read_keep_memory_bounded() {
    let site = Site::new();
    let inbox = site.maildir("alice");
    let mut stored = Vec::new();
    for i in 0..4 {
        let body = maildir::message(&format!("big{i}"), 5 << 20);
        maildir::deliver(&inbox, &format!("170000000{i}.big"), &body);
        stored.push(body);
    }
    let config = site.config("pop3d.toml", "idle_timeout_secs = 60");
    let daemon = Daemon::start(&config, None);
    // Warm up: one full session, so the baseline includes what any
    // session allocates.
    let mut w = Wire::connect(daemon.addr).await;
    w.greeted_login("alice", "wonderland").await;
    assert_eq!(w.multi("RETR 1").await, maildir::wire_body(&stored[0]));
    w.ok("QUIT").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let baseline = daemon.rss_kib();

    // 20 RETRs of 5 MiB messages: about 100 MiB asked for, none read.
    let mut stuck = Wire::connect(daemon.addr).await;
    stuck.greeted_login("alice", "wonderland").await;
    let rounds = 5;
    let mut burst = String::new();
    for _ in 0..rounds {
        for n in 1..=stored.len() {
            burst.push_str(&format!("RETR {n}\r\n"));
        }
    }
    stuck.send(burst.as_bytes()).await;
    let queued: usize = stored.iter().map(|m| m.len()).sum::<usize>() * rounds;
    let peak = peak_rss(&daemon, Duration::from_millis(1500)).await;
    // Meanwhile another user is served as usual.
    hardening::server::still_serves(daemon.addr, &site.maildir("carol")).await;
    eprintln!(
        "pipelined RETRs never read: {} MiB queued, pop3d RSS {baseline} KiB before, \
         peak {peak} KiB while stuck (growth {} KiB)",
        queued >> 20,
        peak.saturating_sub(baseline)
    );
    assert!(queued >= 100 << 20);
    assert!(
        peak.saturating_sub(baseline) < GROWTH_BOUND_KIB,
        "RSS grew from {baseline} KiB to {peak} KiB"
    );
    // Nothing was lost by holding back: every answer arrives whole.
    let expected: Vec<Vec<u8>> = stored
        .iter()
        .map(|m| [maildir::wire_body(m), b".\r\n".to_vec()].concat())
        .collect();
    for round in 0..rounds {
        for (i, body) in expected.iter().enumerate() {
            let status = stuck.line().await;
            assert!(status.starts_with("+OK"), "{status}");
            let got = stuck.exact(body.len()).await;
            assert!(got == *body, "round {round}, message {}", i + 1);
        }
    }
    stuck.ok("QUIT").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_line_keeps_memory_bounded() {
    let site = Site::new();
    let config = site.config("pop3d.toml", "idle_timeout_secs = 60");
    let daemon = Daemon::start(&config, None);
    let mut w = Wire::connect(daemon.addr).await;
    assert!(w.line().await.starts_with("+OK"));
    let baseline = daemon.rss_kib();
    // 64 MiB without a line ending, in 1 MiB writes.
    let chunk = vec![b'x'; 1 << 20];
    let mut peak = baseline;
    for _ in 0..64 {
        w.send(&chunk).await;
        peak = peak.max(daemon.rss_kib());
    }
    w.send(b"\r\n").await;
    let refused = w.line().await;
    assert!(refused.starts_with("-ERR"), "{refused}");
    w.ok("QUIT").await;
    eprintln!(
        "64 MiB line without a newline: pop3d RSS {baseline} KiB before, peak {peak} KiB \
         (growth {} KiB)",
        peak.saturating_sub(baseline)
    );
    assert!(
        peak.saturating_sub(baseline) < GROWTH_BOUND_KIB,
        "RSS grew from {baseline} KiB to {peak} KiB"
    );
}
