//! Failures that need no real server: a silent peer, a refusing greeting,
//! a closed port.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::net::TcpListener;
use std::thread;
use std::time::Duration;

use pop3_client_blocking::{Client, ConnectOptions, Error, ResponseCode};

fn short() -> ConnectOptions {
    let limit = Some(Duration::from_millis(300));
    ConnectOptions {
        connect_timeout: limit,
        read_timeout: limit,
        write_timeout: limit,
        ..ConnectOptions::default()
    }
}

#[test]
fn a_silent_server_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let holder = thread::spawn(move || {
        // Accept and say nothing until the client gives up.
        let (stream, _) = listener.accept().unwrap();
        let mut buf = [0u8; 1];
        let _ = std::io::Read::read(&mut &stream, &mut buf);
    });
    let e = Client::connect("127.0.0.1", port, &short()).unwrap_err();
    assert!(matches!(e, Error::Timeout), "{e}");
    assert!(e.is_network());
    holder.join().unwrap();
}

#[test]
fn a_refusing_greeting_keeps_its_code() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream
            .write_all(b"-ERR [SYS/TEMP] too many connections\r\n")
            .unwrap();
    });
    let e = Client::connect("127.0.0.1", port, &short()).unwrap_err();
    assert_eq!(e.response_code(), Some(&ResponseCode::SysTemp), "{e}");
    assert!(e.is_temporary());
    assert!(e.to_string().contains("too many connections"));
    server.join().unwrap();
}

#[test]
fn a_closed_port_is_a_connect_error() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let e = Client::connect("127.0.0.1", port, &short()).unwrap_err();
    assert!(matches!(e, Error::Connect { .. }), "{e}");
    assert!(e.is_network());
}

#[test]
fn a_server_that_hangs_up_mid_reply_is_reported() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream.write_all(b"+OK ready\r\n").unwrap();
        let mut buf = [0u8; 64];
        let _ = std::io::Read::read(&mut stream, &mut buf);
        stream.write_all(b"+OK capabilities\r\nTOP\r\n").unwrap();
    });
    let mut client = Client::connect("127.0.0.1", port, &short()).unwrap();
    let e = client.capa().unwrap_err();
    assert!(matches!(e, Error::ConnectionClosed), "{e}");
    server.join().unwrap();
}
