//! One session per maildrop, across processes too.

use std::process::Command;

use super::*;

/// Tells a child test process which maildrop to try and where to report.
const PROBE_ENV: &str = "POP3D_MAILDIR_LOCK_PROBE";

#[tokio::test]
async fn second_open_is_in_use_until_the_first_is_dropped() {
    let fx = Fixture::new();
    fx.deliver("alice", "new", "1732550000.V801I2a3bM1.host", b"a\n", 100);
    let first = fx.open("alice").await.unwrap();
    assert!(matches!(fx.open("alice").await, Err(OpenError::InUse)));
    // Another user's maildrop is not affected.
    fx.open("bob").await.unwrap();
    drop(first);
    let again = fx.open("alice").await.unwrap();
    assert_eq!(uids(&again), ["1732550000.V801I2a3bM1.host"]);
}

/// Runs [`lock_probe_child`] in a new process of this test binary and
/// returns what it saw when opening `user` under `template`.
fn probe_in_child(template: &str, user: &str, report: &Path) -> String {
    let _ = std::fs::remove_file(report);
    let status = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "store::maildir::tests::lock::lock_probe_child",
            "--ignored",
            "--test-threads=1",
        ])
        .env(
            PROBE_ENV,
            format!("{template}\n{user}\n{}", report.display()),
        )
        .output()
        .unwrap();
    assert!(status.status.success(), "{status:?}");
    std::fs::read_to_string(report).unwrap()
}

#[tokio::test]
async fn lock_excludes_another_process() {
    let fx = Fixture::new();
    let report = fx.root.path().join("probe-report");
    let template = fx.store.template().to_owned();
    let held = fx.open("alice").await.unwrap();
    assert_eq!(probe_in_child(&template, "alice", &report), "in-use");
    drop(held);
    assert_eq!(probe_in_child(&template, "alice", &report), "opened");
    // And the child's lock was released when it exited.
    fx.open("alice").await.unwrap();
}

#[tokio::test]
#[ignore = "helper: run in a child process by lock_excludes_another_process"]
async fn lock_probe_child() {
    let spec = std::env::var(PROBE_ENV).unwrap();
    let mut parts = spec.split('\n');
    let (template, user, report) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let seen = match MaildirStore::new(template).open(&username(user)).await {
        Ok(_) => "opened".to_owned(),
        Err(OpenError::InUse) => "in-use".to_owned(),
        Err(err) => format!("error: {err}"),
    };
    std::fs::write(report, seen).unwrap();
}
