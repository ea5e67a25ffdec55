//! Tests of the client state machine: scripted servers fed whole, byte by
//! byte and with the next reply in the same chunk; the RFC examples;
//! hostile input; and sessions against the real [`crate::server::Server`].

mod commands;
mod flow;
mod hostile;
mod pair;
mod sasl;
mod transaction;

use bytes::BytesMut;

use super::*;
use crate::types::{Capability, MessageNumber, ResponseCode, Text, Username};

pub(super) const GREETING: &[u8] = b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n";

pub(super) fn user(name: &str) -> Username {
    Username::try_from(name).unwrap()
}

pub(super) fn n(v: u32) -> MessageNumber {
    MessageNumber::new(v).unwrap()
}

pub(super) fn text(s: &str) -> Text {
    Text::try_from(s).unwrap()
}

pub(super) fn ok(id: RequestId, reply: Reply) -> ClientEvent {
    ClientEvent::Reply {
        id,
        result: Ok(reply),
    }
}

pub(super) fn err(id: RequestId, code: Option<ResponseCode>, message: &str) -> ClientEvent {
    ClientEvent::Reply {
        id,
        result: Err(ServerError {
            code,
            text: text(message),
        }),
    }
}

pub(super) fn body(id: RequestId, data: &[u8]) -> ClientEvent {
    ClientEvent::BodyChunk {
        id,
        data: bytes::Bytes::copy_from_slice(data),
    }
}

/// Every event so far, with consecutive body chunks of one request joined
/// so that results do not depend on input chunking.
pub(super) fn drain(client: &mut Client) -> Vec<ClientEvent> {
    let mut events: Vec<ClientEvent> = Vec::new();
    while let Some(event) = client.poll_event() {
        if let (
            Some(ClientEvent::BodyChunk {
                id: last,
                data: joined,
            }),
            ClientEvent::BodyChunk { id, data },
        ) = (events.last_mut(), &event)
            && last == id
        {
            let mut both = BytesMut::from(&joined[..]);
            both.extend_from_slice(data);
            *joined = both.freeze();
            continue;
        }
        events.push(event);
    }
    events
}

/// Everything the client wants to write now.
pub(super) fn sent(client: &mut Client) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(bytes) = client.poll_transmit() {
        out.extend_from_slice(&bytes);
    }
    out
}

/// Feeds `data` whole, then collects what the client writes.
pub(super) fn feed(client: &mut Client, data: &[u8]) -> Vec<u8> {
    client.handle_input(data).unwrap();
    sent(client)
}

/// A client past the greeting (which offers APOP); with `pipelining` its
/// CAPA listed PIPELINING; with `logged_in` it is in TRANSACTION.
pub(super) fn session(pipelining: bool, logged_in: bool) -> Client {
    let mut client = Client::new(ClientConfig::default());
    client.handle_input(GREETING).unwrap();
    if pipelining {
        client.capa().unwrap();
        client
            .handle_input(b"+OK\r\nPIPELINING\r\nUSER\r\n.\r\n")
            .unwrap();
        assert!(client.pipelining_allowed());
    }
    if logged_in {
        client.user_pass(user("alice"), b"secret").unwrap();
        client.handle_input(b"+OK\r\n+OK logged in\r\n").unwrap();
        assert_eq!(client.state(), SessionState::Transaction);
    }
    sent(&mut client);
    drain(&mut client);
    client
}

/// How a scripted server's bytes reach the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Feed {
    /// The whole script in one chunk.
    Whole,
    /// One octet per `handle_input`, writes collected after each.
    ByteByByte,
    /// The whole script with the reply to a following CAPA in the same
    /// chunk.
    Trailing,
}

/// One scripted exchange: a request, what the client must write, what
/// the server answers, and the events that must follow.
pub(super) struct Case {
    pub(super) name: &'static str,
    pub(super) logged_in: bool,
    pub(super) request: fn(&mut Client) -> Result<RequestId, ClientError>,
    pub(super) wire: &'static [u8],
    pub(super) server: &'static [u8],
    pub(super) events: fn(RequestId) -> Vec<ClientEvent>,
    /// The state afterwards.
    pub(super) state: SessionState,
}

/// Runs a case fed each of the three ways, with and without pipelining.
pub(super) fn run(case: &Case) {
    for pipelining in [false, true] {
        for how in [Feed::Whole, Feed::ByteByByte, Feed::Trailing] {
            run_one(case, pipelining, how);
        }
    }
}

fn run_one(case: &Case, pipelining: bool, how: Feed) {
    let label = format!("{} ({how:?}, pipelining: {pipelining})", case.name);
    let mut client = session(pipelining, case.logged_in);
    let id = (case.request)(&mut client).unwrap();
    let mut wire = case.wire.to_vec();
    let mut server = case.server.to_vec();
    let mut expected = (case.events)(id);
    if how == Feed::Trailing && case.state != SessionState::Closed {
        let capa = client.capa().unwrap();
        wire.extend_from_slice(b"CAPA\r\n");
        server.extend_from_slice(b"+OK\r\nUIDL\r\n.\r\n");
        expected.push(ok(capa, Reply::Capabilities(vec![Capability::Uidl])));
    }
    let mut written = sent(&mut client);
    let mut input = |client: &mut Client, data: &[u8]| {
        if let Err(error) = client.handle_input(data) {
            panic!("{label}: {error:?}");
        }
        written.extend(sent(client));
    };
    match how {
        Feed::Whole | Feed::Trailing => input(&mut client, &server),
        Feed::ByteByByte => server.iter().for_each(|b| input(&mut client, &[*b])),
    }
    assert_eq!(
        String::from_utf8_lossy(&written),
        String::from_utf8_lossy(&wire),
        "{label}: written"
    );
    assert_eq!(drain(&mut client), expected, "{label}: events");
    assert_eq!(client.state(), case.state, "{label}: state");
    assert!(client.is_idle(), "{label}: idle");
}
