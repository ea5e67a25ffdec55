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

/// Delivers `count` small messages, `m0` first, and returns their paths
/// and bodies.
fn numbered(fx: &Fixture, count: usize) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    (0..count)
        .map(|i| {
            let body = postfix_message(&format!("m{i}"));
            let name = format!("17325500{i:02}.V801I2a3bM{i}.host");
            let path = fx.deliver("alice", "new", &name, &body, 100 + i as u64);
            (path, body)
        })
        .collect()
}

#[tokio::test]
async fn reading_in_order_then_out_of_order_gives_every_message() {
    let fx = Fixture::new();
    let messages = numbered(&fx, 40);
    let mut open = fx.open("alice").await.unwrap();
    for (i, (_, body)) in messages.iter().enumerate() {
        assert_eq!(read_all(open.open_message(i).await.unwrap()).await, *body);
    }
    for i in [7, 3, 4, 39, 0, 20, 21, 22] {
        let body = &messages[i].1;
        assert_eq!(read_all(open.open_message(i).await.unwrap()).await, *body);
    }
}

#[tokio::test]
async fn messages_read_ahead_are_served_from_memory() {
    let fx = Fixture::new();
    let messages = numbered(&fx, 5);
    let mut open = fx.open("alice").await.unwrap();
    read_all(open.open_message(0).await.unwrap()).await;
    // In order: this trip also reads messages 2 to 4.
    read_all(open.open_message(1).await.unwrap()).await;
    std::fs::remove_file(&messages[3].0).unwrap();
    assert_eq!(
        read_all(open.open_message(2).await.unwrap()).await,
        messages[2].1
    );
    assert_eq!(
        read_all(open.open_message(3).await.unwrap()).await,
        messages[3].1
    );
    // Out of order: the file is opened again, and is gone.
    assert_eq!(open.open_message(3).await.err(), Some(RetrieveError::Gone));
}

#[tokio::test]
async fn a_first_request_or_a_jump_reads_nothing_ahead() {
    let fx = Fixture::new();
    let messages = numbered(&fx, 6);
    let mut open = fx.open("alice").await.unwrap();
    read_all(open.open_message(0).await.unwrap()).await;
    std::fs::remove_file(&messages[1].0).unwrap();
    assert_eq!(open.open_message(1).await.err(), Some(RetrieveError::Gone));
    read_all(open.open_message(3).await.unwrap()).await;
    std::fs::remove_file(&messages[4].0).unwrap();
    assert_eq!(open.open_message(4).await.err(), Some(RetrieveError::Gone));
}

#[tokio::test]
async fn large_messages_are_not_read_ahead() {
    let fx = Fixture::new();
    let mut messages = numbered(&fx, 2);
    let large = vec![b'x'; 200 * 1024];
    let path = fx.deliver("alice", "new", "1732550099.V801I2a3bM99.host", &large, 199);
    messages.push((path, large));
    let mut open = fx.open("alice").await.unwrap();
    read_all(open.open_message(0).await.unwrap()).await;
    read_all(open.open_message(1).await.unwrap()).await;
    std::fs::remove_file(&messages[2].0).unwrap();
    assert_eq!(open.open_message(2).await.err(), Some(RetrieveError::Gone));
}
