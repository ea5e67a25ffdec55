//! Unique-ids: stable, unique, always valid.

use std::collections::HashSet;

use pop3_proto::types::Uid;

use super::*;

#[tokio::test]
async fn delivery_agent_names_are_the_uids() {
    let fx = Fixture::new();
    fx.deliver(
        "alice",
        "new",
        "1732550000.V801I2a3bM123456.host",
        b"a\n",
        100,
    );
    fx.deliver(
        "alice",
        "cur",
        "1732550001.M20P300.mx,S=2,W=3:2,S",
        b"b\n",
        101,
    );
    fx.deliver("alice", "cur", "1732550002.M21P300.mx:2,", b"c\n", 102);
    let open = fx.open("alice").await.unwrap();
    assert_eq!(
        uids(&open),
        [
            "1732550000.V801I2a3bM123456.host",
            "1732550001.M20P300.mx,S=2,W=3",
            "1732550002.M21P300.mx",
        ]
    );
}

#[tokio::test]
async fn uids_survive_flag_renames_moves_and_reopening() {
    let fx = Fixture::new();
    let maildir = fx.maildir("alice");
    let first = fx.deliver("alice", "new", "1732550000.V801I2a3bM1.host", b"a\n", 100);
    fx.deliver(
        "alice",
        "cur",
        "1732550001.M20P300.mx,S=2,W=3:2,",
        b"b\n",
        101,
    );
    let odd = fx.deliver("alice", "new", "odd name \u{e9}", b"c\n", 102);
    let before = uids(&fx.open("alice").await.unwrap());

    std::fs::rename(&first, maildir.join("cur/1732550000.V801I2a3bM1.host:2,S")).unwrap();
    std::fs::rename(
        maildir.join("cur/1732550001.M20P300.mx,S=2,W=3:2,"),
        maildir.join("cur/1732550001.M20P300.mx,S=2,W=3:2,RS"),
    )
    .unwrap();
    std::fs::rename(&odd, maildir.join("cur/odd name \u{e9}:2,S")).unwrap();
    let after = uids(&fx.open("alice").await.unwrap());
    assert_eq!(after, before);
    assert_eq!(after[0], "1732550000.V801I2a3bM1.host");
}

#[tokio::test]
async fn odd_names_get_valid_unique_uids() {
    let fx = Fixture::new();
    let long = "x".repeat(200);
    let long_other = format!("{}y", "x".repeat(199));
    let names = [
        "with space",
        "caf\u{e9}.host",
        "\u{1f4e8} mail",
        long.as_str(),
        long_other.as_str(),
        &"y".repeat(70),
        &"y".repeat(71),
        "tab\there:2,S",
        ":2,S",
    ];
    for (i, name) in names.iter().enumerate() {
        let sub = if name.contains(':') { "cur" } else { "new" };
        fx.deliver("alice", sub, name, b"m\n", 100 + i as u64);
    }
    let open = fx.open("alice").await.unwrap();
    let got = uids(&open);
    assert_eq!(got.len(), names.len());
    for uid in &got {
        assert!(Uid::validate(uid.as_bytes()).is_ok(), "{uid:?}");
    }
    assert_eq!(got.iter().collect::<HashSet<_>>().len(), got.len());
    assert_eq!(got[5], "y".repeat(70));
    assert_ne!(got[6], "y".repeat(71));
}

#[tokio::test]
async fn same_base_in_new_and_cur_still_logs_in() {
    let fx = Fixture::new();
    fx.deliver("alice", "new", "twin.host", b"first copy\n", 100);
    fx.deliver("alice", "cur", "twin.host:2,S", b"second copy\n", 101);
    let open = fx.open("alice").await.unwrap();
    let got = uids(&open);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0], "twin.host");
    assert_ne!(got[1], got[0]);
    assert!(Uid::validate(got[1].as_bytes()).is_ok());
    drop(open);
    assert_eq!(uids(&fx.open("alice").await.unwrap()), got);
}

#[tokio::test]
async fn hard_link_is_one_message() {
    let fx = Fixture::new();
    let path = fx.deliver("alice", "new", "linked.host", b"x\n", 100);
    std::fs::hard_link(&path, fx.maildir("alice").join("cur/linked.host:2,S")).unwrap();
    assert_eq!(uids(&fx.open("alice").await.unwrap()), ["linked.host"]);
}
