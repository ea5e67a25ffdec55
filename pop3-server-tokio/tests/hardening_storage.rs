//! Storage faults under a running server: a full disk at UPDATE, message
//! files removed, unreadable, replaced or truncated mid-session, and two
//! server processes on one Maildir.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod hardening;

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use hardening::daemon::{Site, is_root};
use hardening::fault::{SmallFs, chown_tree};
use hardening::{Daemon, Options, TestServer, Wire, maildir};

fn name(i: usize) -> String {
    format!("17000000{i:02}.M{i}P1.test")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_does_not_stop_update() {
    let dir = tempfile::tempdir().unwrap();
    let mount = SmallFs::mount(&dir.path().join("mail"), "2m", 200);
    let mail_root = match &mount {
        Ok(fs) => fs.path.clone(),
        Err(why) => {
            // Without the right to mount, the same failure (the size cache
            // cannot be written at login) is caused by a directory where
            // the cache's temporary file goes.
            eprintln!("tmpfs not mounted ({why}); blocking the cache write instead");
            dir.path().join("mail")
        }
    };
    let server = TestServer::start(Options {
        mail_root: Some(mail_root),
        ..Options::default()
    })
    .await;
    let inbox = server.maildir("alice");
    for i in 0..10 {
        maildir::deliver(
            &inbox,
            &name(i),
            &maildir::message(&format!("m{i}"), 20_000),
        );
    }
    // A first session writes the lock file and the size cache.
    let mut w = server.connect().await;
    w.greeted_login("alice", "wonderland").await;
    w.ok("QUIT").await;
    let cache = std::fs::read(inbox.join("pop3d-cache")).unwrap();
    // New mail makes the next login want to rewrite the cache ...
    for i in 10..12 {
        maildir::deliver(
            &inbox,
            &name(i),
            &maildir::message(&format!("m{i}"), 20_000),
        );
    }
    // ... and then the disk fills up, blocks and inodes alike.
    let mut fillers = match &mount {
        Ok(fs) => fs.fill(),
        Err(_) => {
            std::fs::create_dir(inbox.join("pop3d-cache.tmp")).unwrap();
            Vec::new()
        }
    };
    let before = maildir::stored(&inbox);

    let mut w = server.connect().await;
    w.greeted_login("alice", "wonderland").await;
    assert!(w.ok("STAT").await.starts_with("+OK 12 "));
    let first = &before[&format!("new/{}", name(0))];
    assert_eq!(w.multi("RETR 1").await, maildir::wire_body(first));
    for n in 1..=6 {
        w.ok(&format!("DELE {n}")).await;
    }
    let quit = w.ask("QUIT").await;
    assert!(quit.starts_with("+OK"), "{quit}");
    // Exactly the six are gone; the rest are untouched; the old cache
    // was not damaged by the failed rewrite.
    let after = maildir::stored(&inbox);
    assert_eq!(after.len(), 6);
    for (file, bytes) in &after {
        assert_eq!(before.get(file), Some(bytes), "{file}");
    }
    for i in 0..6 {
        assert!(!after.contains_key(&format!("new/{}", name(i))));
    }
    assert_eq!(std::fs::read(inbox.join("pop3d-cache")).unwrap(), cache);

    if let Ok(fs) = &mount {
        // The removals freed room: take it again. A user whose Maildir
        // must first be created now gets a temporary error (not a crash),
        // and others go on.
        fillers.extend(fs.fill());
        let mut w = server.connect().await;
        assert!(w.line().await.starts_with("+OK"));
        w.ok("USER dave").await;
        let answer = w.ask("PASS d4v3").await;
        assert!(answer.starts_with("-ERR [SYS/TEMP]"), "{answer}");
        let mut w = server.connect().await;
        w.greeted_login("alice", "wonderland").await;
        assert!(w.ok("STAT").await.starts_with("+OK 6 "));
        w.ok("QUIT").await;
    }
    // With room again, everything works as before.
    for filler in fillers {
        std::fs::remove_file(filler).unwrap();
    }
    let _ = std::fs::remove_dir(inbox.join("pop3d-cache.tmp"));
    let mut w = server.connect().await;
    w.greeted_login("dave", "d4v3").await;
    w.ok("QUIT").await;
    let mut w = server.connect().await;
    w.greeted_login("alice", "wonderland").await;
    assert!(w.ok("STAT").await.starts_with("+OK 6 "));
    w.ok("QUIT").await;
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_removed_mid_session_gives_a_clean_error() {
    let server = TestServer::start(Options::default()).await;
    let inbox = server.maildir("alice");
    let mut paths = Vec::new();
    for i in 0..3 {
        paths.push(maildir::deliver(
            &inbox,
            &name(i),
            &maildir::message(&format!("m{i}"), 500),
        ));
    }
    let mut w = server.connect().await;
    w.greeted_login("alice", "wonderland").await;
    std::fs::remove_file(&paths[1]).unwrap();
    for command in ["RETR 2", "TOP 2 0"] {
        let answer = w.ask(command).await;
        assert!(answer.starts_with("-ERR"), "{command}: {answer}");
    }
    let third = String::from_utf8(w.multi("RETR 3").await).unwrap();
    assert!(third.contains("Subject: m2"));
    w.ok("DELE 2").await;
    w.ok("DELE 1").await;
    let quit = w.ask("QUIT").await;
    assert!(quit.starts_with("+OK"), "{quit}");
    let left: Vec<String> = maildir::stored(&inbox).into_keys().collect();
    assert_eq!(left, [format!("new/{}", name(2))]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_made_unreadable_mid_session_gives_a_clean_error() {
    // Root reads any file, so the server runs as `nobody` when the test is
    // root; otherwise as the test's own user.
    let site = Site::new();
    let inbox = site.maildir("alice");
    let mut paths = Vec::new();
    for i in 0..3 {
        paths.push(maildir::deliver(
            &inbox,
            &name(i),
            &maildir::message(&format!("m{i}"), 500),
        ));
    }
    let config = site.config("pop3d.toml", "");
    let uid = is_root().then_some(65534);
    if let Some(uid) = uid {
        chown_tree(site.dir.path(), uid);
    }
    let daemon = Daemon::start(&config, uid);
    let mut w = Wire::connect(daemon.addr).await;
    w.greeted_login("alice", "wonderland").await;
    std::fs::set_permissions(&paths[1], std::fs::Permissions::from_mode(0o000)).unwrap();
    let answer = w.ask("RETR 2").await;
    assert!(answer.starts_with("-ERR [SYS/PERM]"), "{answer}");
    let first = String::from_utf8(w.multi("RETR 1").await).unwrap();
    assert!(first.contains("Subject: m0"));
    w.ok("DELE 1").await;
    let quit = w.ask("QUIT").await;
    assert!(quit.starts_with("+OK"), "{quit}");
    assert_eq!(maildir::count(&inbox), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_replaced_or_truncated_mid_session_is_handled() {
    let server = TestServer::start(Options::default()).await;
    let inbox = server.maildir("alice");
    let secret = server.dir.path().join("secret");
    std::fs::write(&secret, "not mail\n").unwrap();
    let mut paths = Vec::new();
    for i in 0..5 {
        paths.push(maildir::deliver(
            &inbox,
            &name(i),
            &maildir::message(&format!("m{i}"), 5000),
        ));
    }
    let mut w = server.connect().await;
    w.greeted_login("alice", "wonderland").await;
    // 1: a FIFO (opening it would block), 2: a link to a file outside the
    // Maildir, 3: a directory, 4: truncated to its headers.
    for path in &paths[..3] {
        std::fs::remove_file(path).unwrap();
    }
    let fifo = std::process::Command::new("mkfifo")
        .arg(&paths[0])
        .status()
        .unwrap();
    assert!(fifo.success());
    std::os::unix::fs::symlink(&secret, &paths[1]).unwrap();
    std::fs::create_dir(&paths[2]).unwrap();
    let short = b"From: a@example.org\nSubject: m3\n\nshort now\n";
    std::fs::write(&paths[3], short).unwrap();
    for n in 1..=3 {
        let answer = w.ask(&format!("RETR {n}")).await;
        assert!(answer.starts_with("-ERR"), "RETR {n}: {answer}");
    }
    // The truncated one is sent as it now is, properly ended.
    assert_eq!(w.multi("RETR 4").await, maildir::wire_body(short));
    let fifth = String::from_utf8(w.multi("RETR 5").await).unwrap();
    assert!(fifth.contains("Subject: m4"));
    w.ok("QUIT").await;
    assert_eq!(std::fs::read(&secret).unwrap(), b"not mail\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_maildir_exclude_each_other() {
    let site = Site::new();
    let inbox = site.maildir("alice");
    for i in 0..3 {
        maildir::deliver(&inbox, &name(i), &maildir::message(&format!("m{i}"), 500));
    }
    maildir::deliver(
        &site.maildir("carol"),
        &name(0),
        &maildir::message("c", 500),
    );
    let config = site.config("pop3d.toml", "");
    let mut first = Daemon::start(&config, None);
    let second = Daemon::start(&config, None);
    let mut a = Wire::connect(first.addr).await;
    a.greeted_login("alice", "wonderland").await;
    a.ok("DELE 1").await;
    let mut b = Wire::connect(second.addr).await;
    assert!(b.line().await.starts_with("+OK"));
    b.ok("USER alice").await;
    let answer = b.ask("PASS wonderland").await;
    assert!(answer.starts_with("-ERR [IN-USE]"), "{answer}");
    // The second process serves everyone else.
    hardening::server::still_serves(second.addr, &site.maildir("carol")).await;
    // When the holder dies, the kernel drops its lock: the other process
    // gets in at once, and the dead session's deletion never happened.
    first.kill_9();
    let mut c = Wire::connect(second.addr).await;
    c.greeted_login("alice", "wonderland").await;
    assert!(c.ok("STAT").await.starts_with("+OK 3 "));
    c.ok("QUIT").await;
    let _ = tokio::time::timeout(Duration::from_secs(1), a.until_closed()).await;
}
