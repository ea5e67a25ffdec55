//! Which files make up a maildrop, in what order, and for which users.

use super::*;

#[tokio::test]
async fn unsafe_user_names_never_reach_the_file_system() {
    let fx = Fixture::new();
    // Each of these is a valid POP3 user name, but not a safe path part.
    for user in [
        ".", "..", ".hidden", "../bob", "a/b", "a\\b", "%u", "50%", "/etc",
    ] {
        let err = fx.open(user).await.unwrap_err();
        assert!(matches!(err, OpenError::Permanent(_)), "{user:?}: {err:?}");
    }
    assert!(names(fx.root.path()).is_empty());
}

#[tokio::test]
async fn template_without_user_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let store = MaildirStore::new(format!("{}/Maildir", root.path().display()));
    let err = store.open(&username("alice")).await.unwrap_err();
    assert!(matches!(err, OpenError::Permanent(_)), "{err:?}");
    assert!(names(root.path()).is_empty());
}

#[tokio::test]
async fn fresh_user_gets_an_empty_maildrop() {
    let fx = Fixture::new();
    let open = fx.open("alice").await.unwrap();
    assert!(open.snapshot().messages().is_empty());
    let maildir = fx.maildir("alice");
    assert_eq!(open.path(), maildir);
    for sub in ["new", "cur", "tmp"] {
        assert!(maildir.join(sub).is_dir(), "{sub}");
    }
}

#[tokio::test]
async fn missing_subdirectory_is_recreated() {
    let fx = Fixture::new();
    fx.deliver("alice", "new", "1732550000.V801I2a3bM1.host", b"a\n", 10);
    std::fs::remove_dir(fx.maildir("alice").join("tmp")).unwrap();
    let open = fx.open("alice").await.unwrap();
    assert_eq!(uids(&open), ["1732550000.V801I2a3bM1.host"]);
    assert!(fx.maildir("alice").join("tmp").is_dir());
}

#[tokio::test]
async fn missing_mail_root_is_temporary() {
    let root = tempfile::tempdir().unwrap();
    let store = MaildirStore::new(format!("{}/unmounted/%u/Maildir", root.path().display()));
    let err = store.open(&username("alice")).await.unwrap_err();
    assert!(matches!(err, OpenError::Temporary(_)), "{err:?}");
}

#[tokio::test]
async fn tmp_dot_files_links_and_directories_are_ignored() {
    let fx = Fixture::new();
    let kept = fx.deliver("alice", "new", "1732550000.V801I2a3bM1.host", b"a\n", 10);
    fx.deliver(
        "alice",
        "tmp",
        "1732550001.V801I2a3bM2.host",
        b"partial",
        11,
    );
    fx.deliver("alice", "cur", ".hidden:2,S", b"b\n", 12);
    let maildir = fx.maildir("alice");
    std::os::unix::fs::symlink(&kept, maildir.join("cur/link:2,S")).unwrap();
    std::fs::create_dir(maildir.join("cur/subdir")).unwrap();
    let open = fx.open("alice").await.unwrap();
    assert_eq!(uids(&open), ["1732550000.V801I2a3bM1.host"]);
    drop(open);
    assert_eq!(names(&maildir.join("tmp")), ["1732550001.V801I2a3bM2.host"]);
}

#[tokio::test]
async fn messages_are_in_delivery_order() {
    let fx = Fixture::new();
    // mtime decides first; equal mtimes fall back to the base name,
    // whichever directory the file is in.
    fx.deliver("alice", "cur", "c,S=2,W=3:2,S", b"c\n", 300);
    fx.deliver("alice", "new", "a", b"a\n", 100);
    fx.deliver("alice", "new", "z", b"z\n", 200);
    fx.deliver("alice", "cur", "b:2,S", b"b\n", 200);
    let open = fx.open("alice").await.unwrap();
    assert_eq!(uids(&open), ["a", "b", "z", "c,S=2,W=3"]);
}

#[tokio::test]
async fn ten_thousand_messages_open() {
    let fx = Fixture::new();
    let body = postfix_message("bulk");
    for i in 0..10_000u64 {
        let name = format!("{}.V801I{i:x}M{i}.host", 1_732_550_000 + i);
        fx.deliver("alice", "new", &name, &body, 1_732_550_000 + i);
    }
    let open = fx.open("alice").await.unwrap();
    let messages = open.snapshot().messages();
    assert_eq!(messages.len(), 10_000);
    let size = pop3_proto::body::wire_size(&body);
    assert!(messages.iter().all(|m| m.size == size));
    assert_eq!(messages[0].uid.as_str(), "1732550000.V801I0M0.host");
    assert_eq!(
        messages[9_999].uid.as_str(),
        "1732559999.V801I270fM9999.host"
    );
}
