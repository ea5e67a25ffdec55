//! The core runs on a runtime other than tokio: the async-std example's
//! connection loop serves a real socket session here.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../examples/async_std_server/serve.rs"]
mod serve;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::sync::Arc;

#[test]
fn async_std_adapter_serves_a_full_session() {
    let store = Arc::new(serve::MemoryStore::sample());
    let listener =
        async_std::task::block_on(async_std::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    let served = Arc::clone(&store);
    let server = async_std::task::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        serve::connection(stream, &served).await.unwrap();
    });

    let stream = TcpStream::connect(addr).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    let mut line = || {
        let mut l = String::new();
        reader.read_line(&mut l).unwrap();
        l
    };
    assert!(line().starts_with("+OK"));
    writer
        .write_all(b"USER demo\r\nPASS demo\r\nRETR 2\r\nDELE 1\r\nQUIT\r\n")
        .unwrap();
    assert!(line().starts_with("+OK"));
    let pass = line();
    assert!(pass.starts_with("+OK maildrop has 2 messages"), "{pass}");
    let retr = line();
    assert!(retr.starts_with("+OK"), "{retr}");
    assert_eq!(line(), "Subject: two\r\n");
    assert_eq!(line(), "\r\n");
    assert_eq!(line(), "..dotted line\r\n");
    assert_eq!(line(), ".\r\n");
    assert!(line().starts_with("+OK"));
    assert!(line().starts_with("+OK"));
    async_std::task::block_on(server);
    assert_eq!(
        store.messages(),
        vec![b"Subject: two\n\n.dotted line\n".to_vec()]
    );
}
