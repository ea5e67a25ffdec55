//! The `pop3` command against a real server: the thin commands, `fetch` with
//! `--keep` and `--delete`, interrupted fetches, STLS stripping, exit
//! statuses.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use crate::common::proxy::{self, Mischief};
use crate::common::{
    TestServer, crlf, fetched, logged_in, maildir_contents, message, once, pop3, pop3_url,
    pop3s_url, run, tls_args,
};

fn fetch(
    server: &dyn TestServer,
    url: &str,
    maildir: &Path,
    extra: &[&str],
) -> std::process::Output {
    run(pop3(server)
        .arg("fetch")
        .arg(url)
        .arg("--maildir")
        .arg(maildir)
        .args(tls_args(server))
        .args(extra))
}

fn server_count(server: &dyn TestServer) -> u32 {
    let mut client = logged_in(server);
    let count = client.stat().unwrap().count;
    client.quit().unwrap();
    count
}

pub fn fetch_keep_twice_downloads_only_new_mail(server: &dyn TestServer) {
    let mut originals: Vec<Vec<u8>> = (1..=5).map(|n| message(n, n * 20)).collect();
    for m in &originals {
        server.add_message(m);
    }
    let local = tempfile::tempdir().unwrap();
    let maildir = local.path().join("Mail");
    let url = pop3s_url(server);

    let out = fetch(server, &url, &maildir, &["--keep"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(fetched(&out), 5);
    // Stored with LF, as the server's copies were: byte for byte equal.
    assert_eq!(maildir_contents(&maildir), once(&originals));

    let out = fetch(server, &url, &maildir, &["--keep"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(fetched(&out), 0);
    assert!(String::from_utf8_lossy(&out.stdout).contains("5 already seen"));
    assert_eq!(maildir_contents(&maildir), once(&originals));
    assert_eq!(server_count(server), 5);

    // New mail arrives: only it is fetched.
    let sixth = message(6, 10);
    server.add_message(&sixth);
    originals.push(sixth);
    let out = fetch(server, &url, &maildir, &[]);
    assert_eq!(fetched(&out), 1);
    assert_eq!(maildir_contents(&maildir), once(&originals));
}

/// `--max-size` leaves larger messages on the server, unmarked, so a run
/// without it fetches them.
pub fn fetch_max_size_leaves_large_mail_on_the_server(server: &dyn TestServer) {
    let small = message(1, 5);
    let large = message(2, 400);
    assert!(small.len() < 1024 && large.len() > 4096);
    server.add_message(&small);
    server.add_message(&large);
    let local = tempfile::tempdir().unwrap();
    let maildir = local.path().join("Mail");
    let url = pop3s_url(server);

    let out = fetch(server, &url, &maildir, &["--max-size", "2K", "--delete"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(fetched(&out), 1);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("1 over --max-size, left on the server"),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("is over --max-size; left on the server"),
        "{stderr}"
    );
    assert_eq!(
        maildir_contents(&maildir),
        once(std::slice::from_ref(&small))
    );
    assert_eq!(server_count(server), 1);

    let out = fetch(server, &url, &maildir, &[]);
    assert_eq!(fetched(&out), 1);
    assert_eq!(maildir_contents(&maildir), once(&[small, large]));
}

pub fn fetch_delete_removes_only_what_is_stored(server: &dyn TestServer) {
    let first: Vec<Vec<u8>> = (1..=3).map(|n| message(n, 10)).collect();
    for m in &first {
        server.add_message(m);
    }
    let local = tempfile::tempdir().unwrap();
    let maildir = local.path().join("Mail");
    let url = pop3s_url(server);
    // A --keep run first; then more mail; then --delete deletes the
    // earlier ones without downloading them again, and the new ones
    // after storing them.
    let out = fetch(server, &url, &maildir, &["--keep"]);
    assert_eq!(fetched(&out), 3);
    let second: Vec<Vec<u8>> = (4..=5).map(|n| message(n, 10)).collect();
    for m in &second {
        server.add_message(m);
    }
    let out = fetch(server, &url, &maildir, &["--delete"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(fetched(&out), 2);
    assert!(String::from_utf8_lossy(&out.stdout).contains("5 deleted on the server"));
    let all: Vec<Vec<u8>> = first.iter().chain(&second).cloned().collect();
    assert_eq!(maildir_contents(&maildir), once(&all));
    assert_eq!(server_count(server), 0);
    // Nothing left, nothing fetched.
    let out = fetch(server, &url, &maildir, &["--delete"]);
    assert_eq!(fetched(&out), 0);
}

pub fn fetch_over_stls_and_with_password_sources(server: &dyn TestServer) {
    let originals = vec![message(1, 5), message(2, 5)];
    for m in &originals {
        server.add_message(m);
    }
    let local = tempfile::tempdir().unwrap();
    let maildir = local.path().join("Mail");
    let pwfile = local.path().join("pw");
    std::fs::write(&pwfile, [server.password(), b"\n"].concat()).unwrap();
    let url = pop3_url(server, server.addr().port());
    let out = run(pop3(server)
        .env_remove("POP3_PASSWORD")
        .args(["fetch", &url, "--starttls", "required", "--password-file"])
        .arg(&pwfile)
        .arg("--maildir")
        .arg(&maildir)
        .args(tls_args(server)));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(maildir_contents(&maildir), once(&originals));
    let out = run(pop3(server)
        .env_remove("POP3_PASSWORD")
        .args(["list", &pop3s_url(server), "--password-command"])
        .arg(format!("cat '{}'", pwfile.display()))
        .args(tls_args(server)));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
    // No password source and no terminal: a clear local failure.
    let out = run(pop3(server)
        .env_remove("POP3_PASSWORD")
        .args(["list", &pop3s_url(server)])
        .args(tls_args(server)));
    assert_eq!(out.status.code(), Some(10));
    assert!(String::from_utf8_lossy(&out.stderr).contains("POP3_PASSWORD"));
}

pub fn thin_commands_and_exit_statuses(server: &dyn TestServer) {
    let originals = vec![message(1, 5), message(2, 30)];
    for m in &originals {
        server.add_message(m);
    }
    let url = pop3s_url(server);
    let cmd = |args: &[&str]| run(pop3(server).args(args).arg(&url).args(tls_args(server)));

    let out = run(pop3(server).args([
        "capa",
        &pop3_url(server, server.addr().port()),
        "--starttls",
        "never",
    ]));
    assert_eq!(out.status.code(), Some(0));
    let capa = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(capa.contains("STLS") && capa.contains("SASL "), "{capa}");

    let out = cmd(&["list"]);
    assert_eq!(out.status.code(), Some(0));
    let expected: String = originals
        .iter()
        .enumerate()
        .map(|(i, m)| format!("{} {}\n", i + 1, crlf(m).len()))
        .collect();
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);

    let out = cmd(&["uidl"]);
    let uidl = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(uidl.lines().count(), 2);
    assert!(uidl.starts_with("1 "));

    let out = run(pop3(server)
        .args(["retr", &url, "2"])
        .args(tls_args(server)));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, crlf(&originals[1]));

    let out = run(pop3(server)
        .args(["top", &url, "2", "0"])
        .args(tls_args(server)));
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.ends_with(b"Message-ID: <2@test>\r\n\r\n"));

    let out = run(pop3(server)
        .args(["list", &url, "2"])
        .args(tls_args(server)));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("2 {}\n", crlf(&originals[1]).len())
    );

    // No such message: the server refused the command.
    let out = run(pop3(server)
        .args(["retr", &url, "9"])
        .args(tls_args(server)));
    assert_eq!(out.status.code(), Some(8));

    let out = run(pop3(server)
        .args(["dele", &url, "1"])
        .args(tls_args(server)));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(server_count(server), 1);

    // Wrong password.
    let out = run(pop3(server)
        .env("POP3_PASSWORD", "wrong")
        .args(["list", &url])
        .args(tls_args(server)));
    assert_eq!(out.status.code(), Some(6));

    // Untrusted certificate (no --ca-file; SSL_CERT_FILE names no CA).
    let out = run(pop3(server)
        .env("SSL_CERT_FILE", "/nonexistent")
        .env("SSL_CERT_DIR", "/nonexistent")
        .args(["list", &url]));
    assert!(matches!(out.status.code(), Some(4)), "{out:?}");
    // ...accepted when checking is turned off on purpose.
    let out = run(pop3(server).env("SSL_CERT_FILE", "/nonexistent").args([
        "list",
        &url,
        "--danger-accept-invalid-certs",
    ]));
    assert_eq!(out.status.code(), Some(0));

    // A password in the URL is a usage error, never used.
    let bad = format!(
        "pop3s://alice:secret@localhost:{}",
        server.tls_addr().port()
    );
    let out = run(pop3(server).args(["list", &bad]));
    assert_eq!(out.status.code(), Some(2));

    // Cleartext over plain text is refused unless allowed.
    let plain = format!(
        "pop3://{};AUTH=+USER@localhost:{}",
        server.user(),
        server.addr().port()
    );
    let out = run(pop3(server).args(["list", &plain, "--starttls", "never"]));
    assert_eq!(out.status.code(), Some(5));
    let out = run(pop3(server).args([
        "list",
        &plain,
        "--starttls",
        "never",
        "--allow-plaintext-password",
    ]));
    assert_eq!(out.status.code(), Some(0));
}

pub fn in_use_maildrop_exits_temporary(server: &dyn TestServer) {
    server.add_message(&message(1, 3));
    let mut holder = logged_in(server);
    holder.stat().unwrap();
    let local = tempfile::tempdir().unwrap();
    let out = fetch(server, &pop3s_url(server), &local.path().join("M"), &[]);
    assert_eq!(out.status.code(), Some(7));
    assert!(String::from_utf8_lossy(&out.stderr).contains("IN-USE"));
    holder.quit().unwrap();
}

pub fn stripped_stls_is_refused_when_required(server: &dyn TestServer) {
    let proxy = proxy::start(server.addr(), Mischief::StripStls);
    let url = pop3_url(server, proxy.port);
    for command in ["capa", "list"] {
        let out = run(pop3(server)
            .args([command, &url, "--starttls", "required"])
            .args(tls_args(server)));
        assert_eq!(out.status.code(), Some(5), "{command}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("does not offer STLS"), "{stderr}");
        assert!(stderr.contains("--starttls=required"), "{stderr}");
    }
    // Directly, the same server does STLS fine.
    let out = run(pop3(server)
        .args([
            "list",
            &pop3_url(server, server.addr().port()),
            "--starttls",
            "required",
        ])
        .args(tls_args(server)));
    assert_eq!(out.status.code(), Some(0));
    // Opportunistic goes on in clear (and SCRAM keeps the password safe).
    let out = run(pop3(server)
        .args(["list", &url, "--starttls", "opportunistic"])
        .args(tls_args(server)));
    assert_eq!(out.status.code(), Some(0));
}

/// Many messages of different sizes, so cuts land mid-message and
/// between messages.
fn mailbox(server: &dyn TestServer, count: usize) -> Vec<Vec<u8>> {
    let originals: Vec<Vec<u8>> = (1..=count).map(|n| message(n, 50 + n * 37 % 400)).collect();
    for m in &originals {
        server.add_message(m);
    }
    originals
}

pub fn dropped_connections_never_lose_or_duplicate(server: &dyn TestServer) {
    let originals = mailbox(server, 30);
    let total: usize = originals.iter().map(|m| crlf(m).len()).sum();
    let local = tempfile::tempdir().unwrap();
    let maildir = local.path().join("Mail");
    let direct = pop3_url(server, server.addr().port());
    let mut interrupted = 0;
    // Cuts at growing points; each run continues where the last stopped.
    for cut in [2_000, total / 4, total / 2, total * 3 / 4] {
        let proxy = proxy::start(server.addr(), Mischief::CutAfter(cut));
        let out = fetch(
            server,
            &pop3_url(server, proxy.port),
            &maildir,
            &["--starttls", "never"],
        );
        if out.status.code() == Some(3) {
            interrupted += 1;
        }
        let got = maildir_contents(&maildir);
        assert!(got.values().all(|&n| n == 1), "a message was stored twice");
        assert!(got.keys().all(|m| originals.contains(m)));
    }
    assert!(interrupted >= 3, "the cuts did interrupt fetches");
    let out = fetch(server, &direct, &maildir, &["--starttls", "never"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(maildir_contents(&maildir), once(&originals));
    let out = fetch(server, &direct, &maildir, &["--starttls", "never"]);
    assert_eq!(fetched(&out), 0);
}

pub fn killed_fetch_with_delete_never_loses_or_duplicates(server: &dyn TestServer) {
    let originals = mailbox(server, 60);
    let total: usize = originals.iter().map(|m| crlf(m).len()).sum();
    let local = tempfile::tempdir().unwrap();
    let maildir = local.path().join("Mail");
    let stored = |maildir: &Path| maildir_contents(maildir).values().sum::<usize>();
    for stall in [total / 3, total * 2 / 3] {
        let before = stored(&maildir);
        let (tx, rx) = mpsc::channel();
        let proxy = proxy::start(server.addr(), Mischief::StallAfter(stall, tx));
        let mut child = pop3(server)
            .args([
                "fetch",
                &pop3_url(server, proxy.port),
                "--starttls",
                "never",
                "--delete",
            ])
            .arg("--maildir")
            .arg(&maildir)
            .args(tls_args(server))
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Once the stream stalls mid-fetch and the client has committed
        // a group of messages from what it got, kill -9.
        rx.recv_timeout(Duration::from_secs(60)).unwrap();
        let mut waited = 0;
        while stored(&maildir) == before {
            assert!(waited < 600, "no message committed before the stall");
            std::thread::sleep(Duration::from_millis(50));
            waited += 1;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        let got = maildir_contents(&maildir);
        assert!(got.values().all(|&n| n == 1), "a message was stored twice");
        assert!(got.keys().all(|m| originals.contains(m)));
        assert!(got.len() < originals.len());
    }
    // The server releases the dead session's lock once it sees the close;
    // the next run may meet [IN-USE] until then (exit status 7).
    let mut out = fetch(
        server,
        &pop3_url(server, server.addr().port()),
        &maildir,
        &["--starttls", "never", "--delete"],
    );
    for _ in 0..50 {
        if out.status.code() != Some(7) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
        out = fetch(
            server,
            &pop3_url(server, server.addr().port()),
            &maildir,
            &["--starttls", "never", "--delete"],
        );
    }
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(maildir_contents(&maildir), once(&originals));
    assert_eq!(server_count(server), 0);
}
