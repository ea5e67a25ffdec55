//! A thousand connections that connect and go silent: the server keeps
//! serving a normal client, refuses past its cap, and gives back every
//! descriptor once they go.

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
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpStream;

/// How many silent connections to open.
const SILENT: usize = 1000;

/// The soft limit on open descriptors; each silent connection costs one
/// in this process and one in `pop3d` (which inherits the limit).
fn descriptor_limit() -> usize {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap();
    line.split_whitespace().nth(3).unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_silent_connections_do_not_stop_a_normal_client() {
    // Under a low `ulimit -n` the crowd shrinks to fit (and says so).
    let silent = SILENT.min(descriptor_limit().saturating_sub(100));
    assert!(silent >= 100, "`ulimit -n` is too low for this test");
    if silent < SILENT {
        eprintln!("ulimit -n allows only {silent} silent connections");
    }
    let site = Site::new();
    let body = maildir::message("hello", 2000);
    maildir::deliver(&site.maildir("alice"), "1700000000.a", &body);
    // Room for the silent crowd and one normal client, no more.
    let config = site.config(
        "pop3d.toml",
        &format!(
            "idle_timeout_secs = 60\nmax_connections = {}\nmax_connections_per_ip = {}",
            silent + 1,
            silent + 1
        ),
    );
    let daemon = Daemon::start(&config, None);
    // Let the start-up probe's connection finish closing first.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let fds_before = daemon.open_fds();
    let rss_before = daemon.rss_kib();

    let mut crowd = Vec::with_capacity(silent);
    for _ in 0..silent {
        crowd.push(TcpStream::connect(daemon.addr).await.unwrap());
    }
    // The server holds all of them (one descriptor each).
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while daemon.open_fds() < fds_before + silent {
        assert!(
            std::time::Instant::now() < deadline,
            "not all accepted: {} descriptors, {fds_before} before",
            daemon.open_fds()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let rss_crowded = daemon.rss_kib();

    // A normal client takes the last place and gets full service.
    let mut w = Wire::connect(daemon.addr).await;
    w.greeted_login("alice", "wonderland").await;
    assert_eq!(w.multi("RETR 1").await, maildir::wire_body(&body));
    // One more is refused cleanly at the cap.
    let mut extra = Wire::connect(daemon.addr).await;
    let refused = extra.line().await;
    assert!(refused.starts_with("-ERR [SYS/TEMP]"), "{refused}");
    w.ok("DELE 1").await;
    w.ok("QUIT").await;
    assert!(w.until_closed().await.is_empty());
    assert_eq!(maildir::count(&site.maildir("alice")), 0);

    // Every silent connection was greeted and is still open.
    for stream in &mut crowd {
        let mut greeting = String::new();
        BufReader::new(stream)
            .read_line(&mut greeting)
            .await
            .unwrap();
        assert!(greeting.starts_with("+OK"), "{greeting}");
    }
    eprintln!(
        "{silent} silent connections: pop3d RSS {rss_before} KiB before, {rss_crowded} KiB \
         with them ({} KiB each); descriptors {fds_before} before",
        rss_crowded.saturating_sub(rss_before) / silent as u64
    );
    assert!(
        rss_crowded.saturating_sub(rss_before) < 64 * 1024,
        "RSS grew from {rss_before} KiB to {rss_crowded} KiB"
    );
    // When they go, the server gives every descriptor back.
    drop(crowd);
    assert!(
        daemon.wait_for_fds_at_most(fds_before, Duration::from_secs(20)),
        "pop3d still holds {} descriptors (had {fds_before})",
        daemon.open_fds()
    );
    hardening::server::still_serves(daemon.addr, &site.maildir("carol")).await;
}
