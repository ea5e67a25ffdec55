//! Reading messages during the session.

use pop3_proto::server::RetrieveError;

use super::*;

#[tokio::test]
async fn message_bytes_are_read_as_stored() {
    let fx = Fixture::new();
    let first = postfix_message("one");
    let second = b"Subject: two\r\n\r\nCRLF body\r\n".to_vec();
    fx.deliver("alice", "new", "1732550000.V801I2a3bM1.host", &first, 100);
    fx.deliver("alice", "cur", "1732550001.M20P300.mx:2,S", &second, 101);
    let mut open = fx.open("alice").await.unwrap();
    assert_eq!(read_all(open.open_message(1).await.unwrap()).await, second);
    assert_eq!(read_all(open.open_message(0).await.unwrap()).await, first);
}

#[tokio::test]
async fn renamed_message_is_still_found() {
    let fx = Fixture::new();
    let body = postfix_message("renamed");
    let path = fx.deliver("alice", "new", "1732550000.V801I2a3bM1.host", &body, 100);
    let mut open = fx.open("alice").await.unwrap();
    let cur = fx.maildir("alice").join("cur");
    std::fs::rename(&path, cur.join("1732550000.V801I2a3bM1.host:2,S")).unwrap();
    assert_eq!(read_all(open.open_message(0).await.unwrap()).await, body);
    // Renamed again after being found once.
    std::fs::rename(
        cur.join("1732550000.V801I2a3bM1.host:2,S"),
        cur.join("1732550000.V801I2a3bM1.host:2,RS"),
    )
    .unwrap();
    assert_eq!(read_all(open.open_message(0).await.unwrap()).await, body);
}

#[tokio::test]
async fn removed_message_is_gone() {
    let fx = Fixture::new();
    let path = fx.deliver("alice", "new", "1732550000.V801I2a3bM1.host", b"x\n", 100);
    let mut open = fx.open("alice").await.unwrap();
    std::fs::remove_file(path).unwrap();
    assert_eq!(open.open_message(0).await.err(), Some(RetrieveError::Gone));
}

#[tokio::test]
async fn index_outside_the_snapshot_is_refused() {
    let fx = Fixture::new();
    fx.deliver("alice", "new", "1732550000.V801I2a3bM1.host", b"x\n", 100);
    let mut open = fx.open("alice").await.unwrap();
    assert_eq!(
        open.open_message(1).await.err(),
        Some(RetrieveError::Permanent)
    );
}

#[tokio::test]
async fn message_swapped_for_a_link_is_not_followed() {
    let fx = Fixture::new();
    let path = fx.deliver("alice", "new", "1732550000.V801I2a3bM1.host", b"x\n", 100);
    let secret = fx.root.path().join("secret");
    std::fs::write(&secret, b"not for alice\n").unwrap();
    let mut open = fx.open("alice").await.unwrap();
    std::fs::remove_file(&path).unwrap();
    std::os::unix::fs::symlink(&secret, &path).unwrap();
    assert_eq!(
        open.open_message(0).await.err(),
        Some(RetrieveError::Permanent)
    );
}

#[tokio::test]
async fn delivery_during_the_session_is_not_in_the_snapshot() {
    let fx = Fixture::new();
    fx.deliver("alice", "new", "1732550000.V801I2a3bM1.host", b"x\n", 100);
    let open = fx.open("alice").await.unwrap();
    fx.deliver("alice", "new", "1732550001.V801I2a3bM2.host", b"y\n", 101);
    assert_eq!(uids(&open), ["1732550000.V801I2a3bM1.host"]);
}
