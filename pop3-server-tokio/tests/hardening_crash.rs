//! kill -9 of `pop3d` in TRANSACTION and in the middle of UPDATE: every
//! message is afterwards either still there, byte for byte, or gone;
//! nothing is half-written; unique-ids stay with their messages.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod hardening;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use hardening::daemon::Site;
use hardening::{Daemon, Wire, maildir};

/// What a session sees of a maildrop: unique-id to listed size.
async fn listing(daemon: &Daemon) -> BTreeMap<String, u64> {
    let mut w = Wire::connect(daemon.addr).await;
    w.greeted_login("alice", "wonderland").await;
    let uidl = maildir::uidl_pairs(&w.multi("UIDL").await);
    let list = String::from_utf8(w.multi("LIST").await).unwrap();
    w.ok("QUIT").await;
    w.until_closed().await;
    let sizes: BTreeMap<u32, u64> = list
        .lines()
        .map(|l| {
            let (n, size) = l.split_once(' ').unwrap();
            (n.parse().unwrap(), size.parse().unwrap())
        })
        .collect();
    assert_eq!(uidl.len(), sizes.len());
    let by_uid: BTreeMap<String, u64> = uidl.into_iter().map(|(n, uid)| (uid, sizes[&n])).collect();
    assert_eq!(by_uid.len(), sizes.len(), "a unique-id is listed twice");
    by_uid
}

/// Checks the Maildir after a crash against what was stored before:
/// every file left is one of the originals, unchanged, and nothing else
/// was written where messages live. Returns how many are left.
fn nothing_half_written(maildir: &Path, before: &BTreeMap<String, Vec<u8>>) -> usize {
    let after = maildir::stored(maildir);
    for (name, bytes) in &after {
        let original = before
            .get(name)
            .unwrap_or_else(|| panic!("{name} appeared"));
        assert!(original == bytes, "{name} changed");
    }
    assert_eq!(std::fs::read_dir(maildir.join("tmp")).unwrap().count(), 0);
    for entry in std::fs::read_dir(maildir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            [
                "new",
                "cur",
                "tmp",
                "pop3d.lock",
                "pop3d-cache",
                "pop3d-cache.tmp"
            ]
            .contains(&name.as_str()),
            "unexpected {name} in the Maildir"
        );
    }
    after.len()
}

/// After a restart the listing holds exactly the messages left, each
/// under the unique-id and size it had before, and RETR of a few of them
/// gives their stored bytes.
async fn restarted_listing_matches(
    site: &Site,
    before: &BTreeMap<String, u64>,
    stored_before: &BTreeMap<String, Vec<u8>>,
) {
    let daemon = Daemon::start(&site.config("after.toml", ""), None);
    let after = listing(&daemon).await;
    let left = maildir::stored(&site.maildir("alice"));
    assert_eq!(after.len(), left.len());
    for (uid, size) in &after {
        assert_eq!(before.get(uid), Some(size), "{uid} is new or resized");
    }
    // Unique-ids here are the file names: check the content behind a few.
    let mut w = Wire::connect(daemon.addr).await;
    w.greeted_login("alice", "wonderland").await;
    let uidl = maildir::uidl_pairs(&w.multi("UIDL").await);
    for (n, uid) in uidl.iter().step_by(uidl.len().div_ceil(3).max(1)) {
        let body = w.multi(&format!("RETR {n}")).await;
        let stored = &stored_before[&format!("new/{uid}")];
        assert!(body == maildir::wire_body(stored), "message {n} ({uid})");
    }
    w.ok("QUIT").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_in_transaction_loses_and_changes_nothing() {
    let site = Site::new();
    let inbox = site.maildir("alice");
    for i in 0..50 {
        let size = if i == 49 { 4 << 20 } else { 500 };
        maildir::deliver(
            &inbox,
            &format!("1700000{i:03}.M{i}P1.test"),
            &maildir::message(&format!("m{i}"), size),
        );
    }
    let config = site.config("pop3d.toml", "");
    let mut daemon = Daemon::start(&config, None);
    let before = listing(&daemon).await;
    let stored_before = maildir::stored(&inbox);
    // Marked deletions, and a large message mid-send, when the process dies.
    let mut w = Wire::connect(daemon.addr).await;
    w.greeted_login("alice", "wonderland").await;
    for n in 1..=25 {
        w.ok(&format!("DELE {n}")).await;
    }
    w.command("RETR 50").await;
    assert!(w.line().await.starts_with("+OK"));
    w.exact(64 * 1024).await;
    daemon.kill_9();
    assert_eq!(nothing_half_written(&inbox, &stored_before), 50);
    assert_eq!(maildir::stored(&inbox), stored_before);
    restarted_listing_matches(&site, &before, &stored_before).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_in_the_middle_of_update_keeps_each_message_whole_or_gone() {
    const MESSAGES: usize = 5000;
    let site = Site::new();
    let inbox = site.maildir("alice");
    for i in 0..MESSAGES {
        maildir::deliver(
            &inbox,
            &format!("1700{i:06}.M{i}P1.test"),
            &maildir::message(&format!("m{i}"), 300),
        );
    }
    let config = site.config("pop3d.toml", "");
    let mut daemon = Daemon::start(&config, None);
    let before = listing(&daemon).await;
    let stored_before = maildir::stored(&inbox);

    let mut w = Wire::connect(daemon.addr).await;
    w.greeted_login("alice", "wonderland").await;
    let mut deletes = String::new();
    for n in 1..=MESSAGES {
        deletes.push_str(&format!("DELE {n}\r\n"));
    }
    w.send(deletes.as_bytes()).await;
    for _ in 0..MESSAGES {
        assert!(w.line().await.starts_with("+OK"));
    }
    // QUIT starts UPDATE; kill the process as soon as the first message
    // is seen gone, while the rest are still being removed.
    w.command("QUIT").await;
    let started = Instant::now();
    let mut seen = MESSAGES;
    while seen == MESSAGES && started.elapsed() < Duration::from_secs(20) {
        seen = maildir::count(&inbox);
    }
    daemon.kill_9();
    let left = nothing_half_written(&inbox, &stored_before);
    eprintln!(
        "kill -9 in UPDATE: {MESSAGES} to remove, {seen} left when the kill was sent, \
         {left} left after it"
    );
    assert!(
        seen > 0 && seen < MESSAGES,
        "UPDATE was not caught in progress ({seen} left)"
    );
    restarted_listing_matches(&site, &before, &stored_before).await;
}
