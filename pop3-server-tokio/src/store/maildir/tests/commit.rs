//! The UPDATE state: removing exactly the deleted messages.

use std::ffi::OsString;

use pop3_proto::server::{CommitOutcome, Deletion};
use pop3_proto::types::MessageNumber;

use super::super::commit::remove;
use super::super::locate::Relocator;
use super::super::scan::{Location, Sub};
use super::*;

/// The deletion of message `index` (0-based) of the snapshot.
fn deletion(open: &OpenMaildir, index: usize) -> Deletion {
    Deletion {
        number: MessageNumber::from_index(index).unwrap(),
        uid: open.snapshot().messages()[index].uid.clone(),
    }
}

/// A maildrop of three Postfix deliveries and one Dovecot-renamed message.
fn four_messages(fx: &Fixture) {
    fx.deliver("alice", "new", "1732550000.V801I2a3bM1.host", b"1\n", 100);
    fx.deliver("alice", "new", "1732550001.V801I2a3bM2.host", b"2\n", 101);
    fx.deliver(
        "alice",
        "cur",
        "1732550002.M20P300.mx,S=2,W=3:2,S",
        b"3\n",
        102,
    );
    fx.deliver("alice", "new", "1732550003.V801I2a3bM4.host", b"4\n", 103);
}

#[tokio::test]
async fn commit_removes_exactly_the_listed_messages() {
    let fx = Fixture::new();
    four_messages(&fx);
    let mut open = fx.open("alice").await.unwrap();
    fx.deliver("alice", "new", "1732550004.V801I2a3bM5.host", b"5\n", 104);
    let deletions = [deletion(&open, 1), deletion(&open, 2)];
    assert_eq!(open.commit(&deletions).await, CommitOutcome::Done);
    let maildir = fx.maildir("alice");
    assert_eq!(
        names(&maildir.join("new")),
        [
            "1732550000.V801I2a3bM1.host",
            "1732550003.V801I2a3bM4.host",
            "1732550004.V801I2a3bM5.host",
        ]
    );
    assert!(names(&maildir.join("cur")).is_empty());
    drop(open);
    let reopened = fx.open("alice").await.unwrap();
    assert_eq!(
        uids(&reopened),
        [
            "1732550000.V801I2a3bM1.host",
            "1732550003.V801I2a3bM4.host",
            "1732550004.V801I2a3bM5.host",
        ]
    );
}

#[tokio::test]
async fn dropping_without_commit_removes_nothing() {
    let fx = Fixture::new();
    four_messages(&fx);
    let open = fx.open("alice").await.unwrap();
    let before = uids(&open);
    drop(open);
    assert_eq!(uids(&fx.open("alice").await.unwrap()), before);
}

#[tokio::test]
async fn message_removed_by_another_program_counts_as_removed() {
    let fx = Fixture::new();
    four_messages(&fx);
    let mut open = fx.open("alice").await.unwrap();
    std::fs::remove_file(fx.maildir("alice").join("new/1732550000.V801I2a3bM1.host")).unwrap();
    let deletions = [deletion(&open, 0), deletion(&open, 3)];
    assert_eq!(open.commit(&deletions).await, CommitOutcome::Done);
    assert_eq!(
        names(&fx.maildir("alice").join("new")),
        ["1732550001.V801I2a3bM2.host"]
    );
}

#[tokio::test]
async fn renamed_message_is_removed_under_its_new_name() {
    let fx = Fixture::new();
    four_messages(&fx);
    let mut open = fx.open("alice").await.unwrap();
    let maildir = fx.maildir("alice");
    std::fs::rename(
        maildir.join("new/1732550001.V801I2a3bM2.host"),
        maildir.join("cur/1732550001.V801I2a3bM2.host:2,S"),
    )
    .unwrap();
    std::fs::rename(
        maildir.join("cur/1732550002.M20P300.mx,S=2,W=3:2,S"),
        maildir.join("cur/1732550002.M20P300.mx,S=2,W=3:2,RS"),
    )
    .unwrap();
    let deletions = [deletion(&open, 1), deletion(&open, 2)];
    assert_eq!(open.commit(&deletions).await, CommitOutcome::Done);
    assert!(names(&maildir.join("cur")).is_empty());
    assert_eq!(names(&maildir.join("new")).len(), 2);
}

/// Makes message `base` (in `new/`) impossible to find unambiguously:
/// two files in `cur/` now claim its base name.
fn make_ambiguous(maildir: &Path, base: &str) {
    std::fs::remove_file(maildir.join("new").join(base)).unwrap();
    std::fs::write(maildir.join("cur").join(format!("{base}:2,S")), b"a\n").unwrap();
    std::fs::write(maildir.join("cur").join(format!("{base}:2,T")), b"b\n").unwrap();
}

#[tokio::test]
async fn some_failures_are_partial_and_leave_those_messages() {
    let fx = Fixture::new();
    four_messages(&fx);
    let mut open = fx.open("alice").await.unwrap();
    let maildir = fx.maildir("alice");
    make_ambiguous(&maildir, "1732550000.V801I2a3bM1.host");
    let deletions = [deletion(&open, 0), deletion(&open, 1)];
    assert_eq!(
        open.commit(&deletions).await,
        CommitOutcome::Partial { removed: 1 }
    );
    assert_eq!(names(&maildir.join("new")), ["1732550003.V801I2a3bM4.host"]);
    assert_eq!(names(&maildir.join("cur")).len(), 3);
}

#[tokio::test]
async fn all_failures_are_failed() {
    let fx = Fixture::new();
    four_messages(&fx);
    let mut open = fx.open("alice").await.unwrap();
    make_ambiguous(&fx.maildir("alice"), "1732550000.V801I2a3bM1.host");
    let mut wrong_uid = deletion(&open, 1);
    wrong_uid.uid = open.snapshot().messages()[3].uid.clone();
    let deletions = [deletion(&open, 0), wrong_uid];
    assert_eq!(open.commit(&deletions).await, CommitOutcome::Failed);
    assert_eq!(names(&fx.maildir("alice").join("new")).len(), 2);
}

#[test]
fn directories_are_flushed_after_unlinking() {
    let fx = Fixture::new();
    four_messages(&fx);
    let maildir = fx.maildir("alice");
    let target = Location {
        sub: Sub::Cur,
        name: OsString::from("1732550002.M20P300.mx,S=2,W=3:2,S"),
    };
    let removal = remove(
        &maildir,
        std::slice::from_ref(&target),
        0,
        &mut Relocator::default(),
    );
    assert_eq!(removal.removed, 1);
    assert_eq!(removal.synced, [Sub::New, Sub::Cur]);
    assert!(!removal.sync_failed);
    // Nothing unlinked (already gone): nothing to flush.
    let removal = remove(&maildir, &[target], 0, &mut Relocator::default());
    assert_eq!(removal.removed, 1);
    assert!(removal.synced.is_empty());
}
