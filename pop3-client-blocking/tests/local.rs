//! Failures that need no real server: a silent peer, a refusing greeting,
//! a closed port, a server that lies about a message's size.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::Command;
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

/// A server that lists message 1 at 100 octets, then sends 64 KiB of it:
/// `pop3 fetch --max-size 1K` drops it as it arrives, keeps nothing of
/// it, and still fetches message 2.
#[test]
fn a_message_larger_than_listed_is_dropped_at_max_size() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut out = stream;
        out.write_all(b"+OK liar ready\r\n").unwrap();
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap_or(0) > 0 {
            let command = line.trim_end().to_ascii_uppercase();
            let reply: Vec<u8> = match command.split(' ').next().unwrap_or("") {
                "CAPA" => b"+OK\r\nUSER\r\nUIDL\r\n.\r\n".to_vec(),
                "USER" | "PASS" | "QUIT" => b"+OK\r\n".to_vec(),
                "UIDL" => b"+OK\r\n1 liar\r\n2 honest\r\n.\r\n".to_vec(),
                "LIST" => b"+OK\r\n1 100\r\n2 20\r\n.\r\n".to_vec(),
                "RETR" if command == "RETR 2" => b"+OK\r\nSubject: 2\r\n\r\nhi\r\n.\r\n".to_vec(),
                "RETR" => {
                    let mut body = b"+OK\r\n".to_vec();
                    for _ in 0..1024 {
                        body.extend_from_slice(&[b'x'; 62]);
                        body.extend_from_slice(b"\r\n");
                    }
                    body.extend_from_slice(b".\r\n");
                    body
                }
                _ => b"-ERR no\r\n".to_vec(),
            };
            if out.write_all(&reply).is_err() {
                break;
            }
            line.clear();
        }
    });
    let local = tempfile::tempdir().unwrap();
    let maildir = local.path().join("Mail");
    let out = Command::new(env!("CARGO_BIN_EXE_pop3"))
        .env("POP3_PASSWORD", "pw")
        .args(["fetch", &format!("pop3://alice@127.0.0.1:{port}")])
        .arg("--maildir")
        .arg(&maildir)
        .args(["--starttls", "never", "--allow-plaintext-password"])
        .args(["--max-size", "1K", "--timeout", "10"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("message 1 grew past --max-size"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("fetched 1 message(s)"), "{stdout}");
    assert!(stdout.contains("1 over --max-size"), "{stdout}");
    let stored: Vec<Vec<u8>> = ["new", "cur", "tmp"]
        .iter()
        .filter_map(|sub| std::fs::read_dir(maildir.join(sub)).ok())
        .flatten()
        .filter_map(Result::ok)
        .map(|entry| std::fs::read(entry.path()).unwrap())
        .collect();
    assert_eq!(stored, [b"Subject: 2\n\nhi\n".to_vec()]);
    server.join().unwrap();
}
