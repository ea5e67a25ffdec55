//! Whole sessions: the RFC 1939 example, pipelining, barriers, STLS,
//! and what the client refuses locally.

use super::*;
use crate::types::{Command, LangRequest, Secret};

/// RFC 1939 section 10, the server's side.
const RFC_1939_SERVER: [&[u8]; 8] = [
    b"+OK mrose's maildrop has 2 messages (320 octets)\r\n",
    b"+OK 2 320\r\n",
    b"+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n",
    b"+OK 120 octets\r\n<the POP3 server sends message 1>\r\n.\r\n",
    b"+OK message 1 deleted\r\n",
    b"+OK 200 octets\r\n<the POP3 server sends message 2>\r\n.\r\n",
    b"+OK message 2 deleted\r\n",
    b"+OK dewey POP3 server signing off (maildrop empty)\r\n",
];

/// RFC 1939 section 10, the client's side (after the greeting).
const RFC_1939_CLIENT: [&[u8]; 8] = [
    b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n",
    b"STAT\r\n",
    b"LIST\r\n",
    b"RETR 1\r\n",
    b"DELE 1\r\n",
    b"RETR 2\r\n",
    b"DELE 2\r\n",
    b"QUIT\r\n",
];

fn rfc_1939_requests(client: &mut Client) -> Vec<RequestId> {
    vec![
        client.apop(user("mrose"), b"tanstaaf").unwrap(),
        client.stat().unwrap(),
        client.list(None).unwrap(),
        client.retr(n(1)).unwrap(),
        client.dele(n(1)).unwrap(),
        client.retr(n(2)).unwrap(),
        client.dele(n(2)).unwrap(),
        client.quit().unwrap(),
    ]
}

fn rfc_1939_events(ids: &[RequestId]) -> Vec<ClientEvent> {
    let start = |size: u64| Reply::BodyStart {
        size_hint: Some(size),
        text: text(&format!("{size} octets")),
    };
    vec![
        ok(
            ids[0],
            Reply::LoggedIn(text("mrose's maildrop has 2 messages (320 octets)")),
        ),
        ok(
            ids[1],
            Reply::Stat {
                count: 2,
                size: 320,
            },
        ),
        ok(
            ids[2],
            Reply::ScanList(vec![
                crate::types::ScanListing {
                    number: n(1),
                    size: 120,
                },
                crate::types::ScanListing {
                    number: n(2),
                    size: 200,
                },
            ]),
        ),
        ok(ids[3], start(120)),
        body(ids[3], b"<the POP3 server sends message 1>\r\n"),
        ClientEvent::BodyEnd { id: ids[3] },
        ok(ids[4], Reply::Ok(text("message 1 deleted"))),
        ok(ids[5], start(200)),
        body(ids[5], b"<the POP3 server sends message 2>\r\n"),
        ClientEvent::BodyEnd { id: ids[5] },
        ok(ids[6], Reply::Ok(text("message 2 deleted"))),
        ok(
            ids[7],
            Reply::Ok(text("dewey POP3 server signing off (maildrop empty)")),
        ),
    ]
}

#[test]
fn rfc_1939_example_session_step_by_step() {
    let mut client = Client::new(ClientConfig::default());
    assert_eq!(feed(&mut client, GREETING), b"");
    assert_eq!(
        drain(&mut client),
        vec![ClientEvent::Greeting(Ok(Greeting {
            text: text("POP3 server ready <1896.697170952@dbc.mtview.ca.us>"),
            apop_timestamp: Some("<1896.697170952@dbc.mtview.ca.us>".into()),
        }))]
    );
    let ids = rfc_1939_requests(&mut client);
    // Without PIPELINING, one command at a time, each after its reply.
    let mut written = vec![sent(&mut client)];
    for reply in RFC_1939_SERVER {
        written.push(feed(&mut client, reply));
    }
    let expected: Vec<&[u8]> = RFC_1939_CLIENT.iter().copied().chain([&b""[..]]).collect();
    assert_eq!(written, expected);
    assert_eq!(drain(&mut client), rfc_1939_events(&ids));
    assert_eq!(client.state(), SessionState::Closed);
}

#[test]
fn rfc_1939_example_session_in_one_chunk_and_byte_by_byte() {
    let server: Vec<u8> = [GREETING]
        .iter()
        .chain(RFC_1939_SERVER.iter())
        .flat_map(|s| s.iter().copied())
        .collect();
    let client_side: Vec<u8> = RFC_1939_CLIENT.concat();
    for bytewise in [false, true] {
        let mut client = Client::new(ClientConfig::default());
        client.handle_input(GREETING).unwrap();
        drain(&mut client);
        let ids = rfc_1939_requests(&mut client);
        let rest = &server[GREETING.len()..];
        let mut written = sent(&mut client);
        if bytewise {
            for b in rest {
                written.extend(feed(&mut client, &[*b]));
            }
        } else {
            written.extend(feed(&mut client, rest));
        }
        assert_eq!(written, client_side);
        assert_eq!(drain(&mut client), rfc_1939_events(&ids));
    }
}

#[test]
fn pipelining_sends_100_retrs_at_once() {
    let mut client = session(true, true);
    let ids: Vec<RequestId> = (1..=100).map(|i| client.retr(n(i)).unwrap()).collect();
    let first = client.poll_transmit().unwrap();
    let expected: Vec<u8> = (1..=100)
        .flat_map(|i| format!("RETR {i}\r\n").into_bytes())
        .collect();
    assert_eq!(&first[..], &expected[..]);
    assert_eq!(client.poll_transmit(), None);
    let replies: Vec<u8> = (1..=100)
        .flat_map(|i| format!("+OK\r\nmessage {i}\r\n.\r\n").into_bytes())
        .collect();
    client.handle_input(&replies).unwrap();
    let events = drain(&mut client);
    assert_eq!(events.len(), 300);
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(
            events[3 * i + 1],
            body(*id, format!("message {}\r\n", i + 1).as_bytes())
        );
    }
}

#[test]
fn without_pipelining_one_command_at_a_time() {
    let mut client = session(false, true);
    for i in 1..=100 {
        client.retr(n(i)).unwrap();
    }
    assert_eq!(sent(&mut client), b"RETR 1\r\n");
    for i in 1..=100u32 {
        // Half a reply sends nothing.
        assert_eq!(feed(&mut client, b"+OK\r\nx\r\n"), b"");
        let next = feed(&mut client, b".\r\n");
        let expected = if i < 100 {
            format!("RETR {}\r\n", i + 1)
        } else {
            String::new()
        };
        assert_eq!(next, expected.as_bytes());
    }
    assert!(client.is_idle());
}

#[test]
fn auth_is_a_barrier_even_with_pipelining() {
    let mut client = session(true, false);
    let capa = client.capa().unwrap();
    client
        .authenticate(SaslCredentials::Plain {
            authzid: None,
            user: user("alice"),
            password: Secret::new(b"secret".to_vec()),
        })
        .unwrap();
    client.stat().unwrap();
    client.list(None).unwrap();
    assert_eq!(sent(&mut client), b"CAPA\r\n");
    assert_eq!(
        feed(&mut client, b"+OK\r\nPIPELINING\r\n.\r\n"),
        b"AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n"
    );
    assert_eq!(feed(&mut client, b"+OK\r\n"), b"STAT\r\nLIST\r\n");
    assert_eq!(
        drain(&mut client)[0],
        ok(capa, Reply::Capabilities(vec![Capability::Pipelining]))
    );
}

#[test]
fn stls_discards_plaintext_and_forgets_capabilities() {
    let mut client = session(true, false);
    let stls = client.stls().unwrap();
    let capa = client.capa().unwrap();
    let login = client.user_pass(user("alice"), b"secret").unwrap();
    assert_eq!(sent(&mut client), b"STLS\r\n");
    // An attacker's reply injected behind the +OK must never be read as
    // the answer to CAPA or the login.
    assert_eq!(
        feed(&mut client, b"+OK Begin TLS\r\n+OK\r\n.\r\n+OK\r\n+OK\r\n"),
        b""
    );
    assert_eq!(drain(&mut client), vec![ok(stls, Reply::TlsReady)]);
    assert_eq!(feed(&mut client, b"more plaintext\r\n"), b"");
    assert_eq!(client.stls(), Err(ClientError::AlreadyTls));
    client.tls_established().unwrap();
    assert_eq!(client.capabilities(), None);
    assert!(!client.pipelining_allowed());
    // Pipelining is off until the new CAPA arrives.
    assert_eq!(sent(&mut client), b"CAPA\r\n");
    assert_eq!(
        feed(&mut client, b"+OK\r\nUSER\r\n.\r\n"),
        b"USER alice\r\n"
    );
    assert_eq!(feed(&mut client, b"+OK\r\n"), b"PASS secret\r\n");
    feed(&mut client, b"+OK hi\r\n");
    assert_eq!(
        drain(&mut client),
        vec![
            ok(capa, Reply::Capabilities(vec![Capability::User])),
            ok(login, Reply::LoggedIn(text("hi"))),
        ]
    );
}

#[test]
fn refused_stls_cancels_what_was_meant_for_tls() {
    let mut client = session(false, false);
    let stls = client.stls().unwrap();
    let login = client.user_pass(user("alice"), b"secret").unwrap();
    assert_eq!(sent(&mut client), b"STLS\r\n");
    assert_eq!(feed(&mut client, b"-ERR not available\r\n"), b"");
    assert_eq!(
        drain(&mut client),
        vec![
            err(stls, None, "not available"),
            ClientEvent::Cancelled { id: login },
        ]
    );
    // The caller may now decide to go on without TLS.
    client.user_pass(user("alice"), b"secret").unwrap();
    assert_eq!(sent(&mut client), b"USER alice\r\n");
}

#[test]
fn failed_login_cancels_transaction_commands_up_to_the_next_login() {
    let mut client = session(false, false);
    let first = client.apop(user("alice"), b"wrong").unwrap();
    let stat1 = client.stat().unwrap();
    let second = client.user_pass(user("alice"), b"right").unwrap();
    let stat2 = client.stat().unwrap();
    sent(&mut client);
    assert_eq!(feed(&mut client, b"-ERR [AUTH] no\r\n"), b"USER alice\r\n");
    assert_eq!(feed(&mut client, b"+OK\r\n"), b"PASS right\r\n");
    assert_eq!(feed(&mut client, b"+OK in\r\n"), b"STAT\r\n");
    feed(&mut client, b"+OK 0 0\r\n");
    assert_eq!(
        drain(&mut client),
        vec![
            err(first, Some(ResponseCode::Auth), "no"),
            ClientEvent::Cancelled { id: stat1 },
            ok(second, Reply::LoggedIn(text("in"))),
            ok(stat2, Reply::Stat { count: 0, size: 0 }),
        ]
    );
}

/// A cancellation waits for the requests made before it: the CAPA queued
/// between the failed login and the STAT is answered first.
#[test]
fn cancellations_keep_request_order() {
    let mut client = session(false, false);
    let login = client.apop(user("alice"), b"wrong").unwrap();
    let capa = client.capa().unwrap();
    let stat = client.stat().unwrap();
    let quit = client.quit().unwrap();
    assert!(sent(&mut client).starts_with(b"APOP alice "));
    assert_eq!(feed(&mut client, b"-ERR no\r\n"), b"CAPA\r\n");
    assert_eq!(drain(&mut client), vec![err(login, None, "no")]);
    // The STAT's cancellation is decided, but the CAPA is still out.
    assert!(!client.is_idle());
    assert_eq!(feed(&mut client, b"+OK\r\nUSER\r\n.\r\n"), b"QUIT\r\n");
    assert_eq!(
        drain(&mut client),
        vec![
            ok(capa, Reply::Capabilities(vec![Capability::User])),
            ClientEvent::Cancelled { id: stat },
        ]
    );
    feed(&mut client, b"+OK bye\r\n");
    assert_eq!(drain(&mut client), vec![ok(quit, Reply::Ok(text("bye")))]);
    assert!(client.is_idle());
}

#[test]
fn wrong_state_is_refused_locally() {
    let wrong = |command, state| Err(ClientError::WrongState { command, state });
    let mut client = Client::new(ClientConfig::default());
    assert_eq!(
        client.apop(user("a"), b"s"),
        wrong("APOP", SessionState::Greeting)
    );
    assert_eq!(client.stat(), wrong("STAT", SessionState::Greeting));
    assert_eq!(
        client.tls_established(),
        Err(ClientError::WrongState {
            command: "tls_established",
            state: SessionState::Greeting
        })
    );
    client.handle_input(b"+OK no timestamp here\r\n").unwrap();
    assert_eq!(
        client.apop(user("a"), b"s"),
        Err(ClientError::NoApopTimestamp)
    );
    assert_eq!(
        client.retr(n(1)),
        wrong("RETR", SessionState::Authorization)
    );
    assert_eq!(client.noop(), wrong("NOOP", SessionState::Authorization));
    for bad in [&b""[..], b"a\r\nDELE 1", b"a\nb", b"a\0"] {
        assert!(matches!(
            client.user_pass(user("a"), bad),
            Err(ClientError::InvalidArgument(_))
        ));
        assert!(matches!(
            client.send(Command::Pass(Secret::new(bad.to_vec()))),
            Err(ClientError::InvalidArgument(_))
        ));
    }
    assert_eq!(sent(&mut client), b"");

    let mut client = session(false, true);
    assert_eq!(
        client.user_pass(user("a"), b"s"),
        wrong("USER", SessionState::Transaction)
    );
    assert_eq!(client.stls(), wrong("STLS", SessionState::Transaction));
    assert_eq!(client.utf8(), wrong("UTF8", SessionState::Transaction));
    assert_eq!(client.auth_list(), wrong("AUTH", SessionState::Transaction));
    client.lang(Some(LangRequest::Wildcard)).unwrap();
    client.capa().unwrap();
    client.quit().unwrap();
    assert_eq!(client.noop(), wrong("NOOP", SessionState::Closed));
    assert_eq!(client.quit(), wrong("QUIT", SessionState::Closed));
    assert_eq!(client.capa(), wrong("CAPA", SessionState::Closed));
}

#[test]
fn err_greeting_cancels_everything() {
    let mut client = Client::new(ClientConfig::default());
    let capa = client.capa().unwrap();
    feed(&mut client, b"-ERR [SYS/TEMP] too busy\r\n");
    assert_eq!(
        drain(&mut client),
        vec![
            ClientEvent::Greeting(Err(ServerError {
                code: Some(ResponseCode::SysTemp),
                text: text("too busy"),
            })),
            ClientEvent::Cancelled { id: capa },
        ]
    );
    assert_eq!(client.state(), SessionState::Closed);
    assert_eq!(sent(&mut client), b"");
}

#[test]
fn requests_queued_before_the_greeting_go_out_after_it() {
    let mut client = Client::new(ClientConfig::default());
    client.capa().unwrap();
    client.user_pass(user("a"), b"b").unwrap();
    assert_eq!(sent(&mut client), b"");
    assert_eq!(feed(&mut client, b"+OK hello\r\n"), b"CAPA\r\n");
    assert_eq!(
        feed(&mut client, b"+OK\r\nPIPELINING\r\n.\r\n"),
        b"USER a\r\nPASS b\r\n"
    );
}

#[test]
fn bodies_stream_chunk_by_chunk() {
    let mut client = session(true, true);
    let retr = client.retr(n(1)).unwrap();
    let noop = client.noop().unwrap();
    assert_eq!(sent(&mut client), b"RETR 1\r\nNOOP\r\n");
    client.handle_input(b"+OK 1000 octets\r\n").unwrap();
    assert!(matches!(
        client.poll_event(),
        Some(ClientEvent::Reply { id, result: Ok(Reply::BodyStart { size_hint: Some(1000), .. }) }) if id == retr
    ));
    for i in 0..10 {
        let chunk = format!("line {i} {}\r\n", "x".repeat(90));
        client.handle_input(chunk.as_bytes()).unwrap();
        // Each chunk is handed out as it arrives, nothing held back.
        assert_eq!(client.poll_event(), Some(body(retr, chunk.as_bytes())));
        assert_eq!(client.poll_event(), None);
    }
    client.handle_input(b".").unwrap();
    assert_eq!(client.poll_event(), None, "a line-initial dot waits");
    client.handle_input(b".x\r\n.\r").unwrap();
    assert_eq!(client.poll_event(), Some(body(retr, b".x\r\n")));
    assert_eq!(client.poll_event(), None);
    client.handle_input(b"\n+OK\r").unwrap();
    assert_eq!(client.poll_event(), Some(ClientEvent::BodyEnd { id: retr }));
    assert_eq!(client.poll_event(), None);
    client.handle_input(b"\n").unwrap();
    assert_eq!(client.poll_event(), Some(ok(noop, Reply::Ok(text("")))));
    assert!(client.is_idle());
}
