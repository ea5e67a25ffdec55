//! Runs one POP3 session through the server core in memory and prints the
//! dialogue: what an adapter does, without a socket.
//!
//! `cargo run -p pop3-proto --example in_memory`

use std::sync::Arc;
use std::time::Instant;

use pop3_proto::server::{
    BodyDemand, CommitOutcome, ConnectionParams, Credentials, Event, LoginError, Maildrop,
    MessageEntry, Server, ServerConfig, TlsMode,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let stored: Vec<&[u8]> = vec![
        b"From: alice@example.org\nSubject: hello\n\nHi Bob.\n.signature line starts with a dot\n",
        b"From: carol@example.org\nSubject: no final newline\n\nlast line",
    ];
    let maildrop = Maildrop::new(
        stored
            .iter()
            .enumerate()
            .map(
                |(i, m)| -> Result<MessageEntry, Box<dyn std::error::Error>> {
                    Ok(MessageEntry {
                        size: pop3_proto::body::wire_size(m),
                        uid: format!("msg-{i}").parse()?,
                    })
                },
            )
            .collect::<Result<_, _>>()?,
    )?;

    let now = Instant::now();
    let params = ConnectionParams {
        tls: TlsMode::None,
        cleartext_without_tls: true,
        apop_timestamp: None,
        random: [42; 32],
    };
    let mut server = Server::new(Arc::new(ServerConfig::default()), params, now);
    let client_lines = [
        "USER bob",
        "PASS hunter2",
        "STAT",
        "LIST",
        "UIDL",
        "RETR 1",
        "TOP 2 0",
        "DELE 1",
        "QUIT",
    ];
    print_output(&mut server, now);
    for line in client_lines {
        println!("C: {line}");
        server.handle_input(now, format!("{line}\r\n").as_bytes());
        let mut body: Option<&[u8]> = None;
        while let Some(event) = server.poll_event() {
            match event {
                Event::Login(request) => {
                    let good = matches!(request.credentials(),
                        Credentials::Password(p) if p.expose_secret() == b"hunter2");
                    if good {
                        server
                            .accept_login(request, maildrop.clone())
                            .map_err(|e| e.reason)?;
                    } else {
                        server
                            .reject_login(request, LoginError::BadCredentials)
                            .map_err(|e| e.reason)?;
                    }
                }
                Event::Retrieve(request) => {
                    body = stored.get(request.index()).copied();
                    server.retrieve_start(request).map_err(|e| e.reason)?;
                }
                Event::Commit(request) => {
                    println!("   (application removes {:?})", request.deletions());
                    server
                        .commit_done(request, CommitOutcome::Done)
                        .map_err(|e| e.reason)?;
                }
                Event::Closed(reason) => println!("   (session closed: {reason:?})"),
                Event::ScramLookup(_) | Event::StartTls => {}
            }
        }
        loop {
            match server.body_demand() {
                BodyDemand::Wanted => match body.take() {
                    Some(data) => server.body_data(data).map_err(|e| e.reason)?,
                    None => server.body_end().map_err(|e| e.reason)?,
                },
                BodyDemand::Complete => server.body_end().map_err(|e| e.reason)?,
                BodyDemand::Blocked | BodyDemand::Idle => break,
            }
        }
        print_output(&mut server, now);
    }
    Ok(())
}

fn print_output(server: &mut Server, now: Instant) {
    let mut out = Vec::new();
    while let Some(bytes) = server.poll_transmit(now) {
        out.extend_from_slice(&bytes);
    }
    for line in String::from_utf8_lossy(&out).split_terminator("\r\n") {
        println!("S: {line}");
    }
}
