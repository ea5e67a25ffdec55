//! The cached listing: reused while `new/` and `cur/` are unchanged, and
//! never when another program changed them, however quickly.

use pop3_proto::body::wire_size;

use super::super::cache::CACHE_FILE;
use super::*;

/// A fixture whose store reuses a listing as soon as the directories'
/// times are in the past (the daemon waits a few seconds).
fn eager() -> Fixture {
    let mut fx = Fixture::new();
    fx.store = fx.store.clone().with_settle(Duration::ZERO);
    fx
}

/// Sets the mtimes of `new/` and `cur/` to `secs` after the epoch, so
/// the next change to either cannot leave its times as they are.
fn age_dirs(maildir: &Path, secs: u64) {
    for sub in ["new", "cur"] {
        set_mtime_dir(&maildir.join(sub), secs);
    }
}

fn set_mtime_dir(dir: &Path, secs: u64) {
    let file = std::fs::File::open(dir).unwrap();
    file.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
        .unwrap();
}

/// Rewrites a message's contents in place: no directory changes, so only
/// a look at the file itself can notice.
fn rewrite_in_place(path: &Path, body: &[u8], mtime: u64) {
    std::fs::write(path, body).unwrap();
    set_mtime(path, mtime);
}

fn cache_header(maildir: &Path) -> String {
    let text = std::fs::read_to_string(maildir.join(CACHE_FILE)).unwrap();
    text.lines().next().unwrap().to_owned()
}

const A: &str = "1732550000.V801I2a3bM1.host";
const B: &str = "1732550001.V801I2a3bM2.host";

#[tokio::test]
async fn unchanged_directories_reuse_the_listing() {
    let fx = eager();
    let a = fx.deliver("alice", "new", A, b"first\n", 100);
    fx.deliver("alice", "cur", &format!("{B}:2,S"), b"second\n", 101);
    let maildir = fx.maildir("alice");
    age_dirs(&maildir, 1000);
    let first = fx.open("alice").await.unwrap();
    assert_eq!(uids(&first), [A, B]);
    drop(first);
    assert!(!cache_header(&maildir).ends_with(" -"));

    // A change no directory shows is not seen: the files were not looked
    // at. (Delivery agents and readers never rewrite a message in place.)
    rewrite_in_place(&a, b"a longer first message\n", 100);
    let second = fx.open("alice").await.unwrap();
    assert_eq!(uids(&second), [A, B]);
    assert_eq!(
        sizes(&second),
        [wire_size(b"first\n"), wire_size(b"second\n")]
    );
}

#[tokio::test]
async fn delivery_after_a_cached_listing_is_seen() {
    let fx = eager();
    fx.deliver("alice", "new", A, b"first\n", 100);
    let maildir = fx.maildir("alice");
    age_dirs(&maildir, 1000);
    assert_eq!(uids(&fx.open("alice").await.unwrap()), [A]);
    fx.deliver("alice", "new", B, b"second\n", 101);
    let open = fx.open("alice").await.unwrap();
    assert_eq!(uids(&open), [A, B]);
    assert_eq!(
        sizes(&open),
        [wire_size(b"first\n"), wire_size(b"second\n")]
    );
    drop(open);

    // Straight into cur/, as some delivery agents do.
    age_dirs(&maildir, 2000);
    assert_eq!(uids(&fx.open("alice").await.unwrap()), [A, B]);
    fx.deliver("alice", "cur", "1732550002.M3P4.mx:2,", b"third\n", 102);
    let uids_now = uids(&fx.open("alice").await.unwrap());
    assert_eq!(uids_now, [A, B, "1732550002.M3P4.mx"]);
}

#[tokio::test]
async fn removal_after_a_cached_listing_is_seen() {
    let fx = eager();
    let a = fx.deliver("alice", "new", A, b"first\n", 100);
    fx.deliver("alice", "new", B, b"second\n", 101);
    let maildir = fx.maildir("alice");
    age_dirs(&maildir, 1000);
    assert_eq!(uids(&fx.open("alice").await.unwrap()), [A, B]);
    std::fs::remove_file(a).unwrap();
    assert_eq!(uids(&fx.open("alice").await.unwrap()), [B]);
}

#[tokio::test]
async fn rename_after_a_cached_listing_is_followed() {
    let fx = eager();
    let a = fx.deliver("alice", "new", A, b"first\n", 100);
    let maildir = fx.maildir("alice");
    age_dirs(&maildir, 1000);
    assert_eq!(uids(&fx.open("alice").await.unwrap()), [A]);
    let moved = maildir.join(format!("cur/{A}:2,S"));
    std::fs::rename(&a, &moved).unwrap();
    let mut open = fx.open("alice").await.unwrap();
    assert_eq!(uids(&open), [A]);
    let reader = open.open_message(0).await.unwrap();
    assert_eq!(read_all(reader).await, b"first\n");
    drop(open);
    let text = std::fs::read_to_string(maildir.join(CACHE_FILE)).unwrap();
    assert!(text.contains(&format!(" c {A}:2,S\n")), "{text:?}");
}

#[tokio::test]
async fn a_listing_of_directories_changed_just_now_is_not_reused() {
    // The daemon's own window. The directories were written a moment
    // ago, so another change in the same clock tick would leave their
    // times as they are; the listing is not recorded as reusable.
    let fx = Fixture::new();
    let a = fx.deliver("alice", "new", A, b"first\n", 100);
    assert_eq!(uids(&fx.open("alice").await.unwrap()), [A]);
    let maildir = fx.maildir("alice");
    assert!(cache_header(&maildir).ends_with(" -"));
    // A change the directories do not show, as a same-tick one would not.
    let stamps = dir_stamps(&maildir);
    rewrite_in_place(&a, b"a longer first message\n", 100);
    assert_eq!(dir_stamps(&maildir), stamps);
    let open = fx.open("alice").await.unwrap();
    assert_eq!(sizes(&open), [wire_size(b"a longer first message\n")]);
    drop(open);
    // And a delivery right after a session.
    fx.deliver("alice", "new", B, b"second\n", 101);
    assert_eq!(uids(&fx.open("alice").await.unwrap()), [A, B]);
}

/// `new/` and `cur/`'s identity and times, as the listing records them.
fn dir_stamps(maildir: &Path) -> Vec<(i64, i64, i64, i64)> {
    use std::os::unix::fs::MetadataExt;
    ["new", "cur"]
        .iter()
        .map(|sub| {
            let meta = std::fs::metadata(maildir.join(sub)).unwrap();
            (
                meta.mtime(),
                meta.mtime_nsec(),
                meta.ctime(),
                meta.ctime_nsec(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_damaged_listing_is_not_reused() {
    let fx = eager();
    let a = fx.deliver("alice", "new", A, b"first\n", 100);
    fx.deliver("alice", "new", B, b"second\n", 101);
    let maildir = fx.maildir("alice");
    age_dirs(&maildir, 1000);
    assert_eq!(uids(&fx.open("alice").await.unwrap()), [A, B]);
    // Cut the last line, as an interrupted write might.
    let path = maildir.join(CACHE_FILE);
    let text = std::fs::read_to_string(&path).unwrap();
    let cut: String = text.split_inclusive('\n').take(2).collect();
    std::fs::write(&path, cut).unwrap();
    rewrite_in_place(&a, b"a longer first message\n", 100);
    let open = fx.open("alice").await.unwrap();
    assert_eq!(uids(&open), [A, B]);
    assert_eq!(
        sizes(&open),
        [
            wire_size(b"a longer first message\n"),
            wire_size(b"second\n")
        ]
    );
}
