//! A hostile or broken server: typed errors, bounded memory, no panics.

use proptest::prelude::*;

use super::*;
use crate::parse::ResponseError;
use crate::types::Secret;

fn protocol(error: ProtocolError) -> Result<(), ClientError> {
    Err(ClientError::Protocol(error))
}

/// Feeds `data` whole and byte by byte to fresh clients made by `setup`;
/// both must fail with `expected` and stay failed.
fn fails(setup: impl Fn() -> Client, data: &[u8], expected: ProtocolError) {
    let mut client = setup();
    assert_eq!(
        client.handle_input(data),
        protocol(expected.clone()),
        "{:?}",
        String::from_utf8_lossy(data)
    );
    assert_eq!(client.state(), SessionState::Failed);
    assert_eq!(client.handle_input(b"+OK\r\n"), protocol(expected.clone()));
    assert_eq!(
        client.capa(),
        Err(ClientError::WrongState {
            command: "CAPA",
            state: SessionState::Failed
        })
    );
    assert_eq!(client.poll_transmit(), None);

    let mut client = setup();
    let mut result = Ok(());
    for byte in data {
        result = client.handle_input(&[*byte]);
        if result.is_err() {
            break;
        }
    }
    assert_eq!(result, protocol(expected));
}

fn stat_pending() -> Client {
    let mut client = session(false, true);
    client.stat().unwrap();
    sent(&mut client);
    client
}

fn list_pending(config: ClientConfig) -> Client {
    let mut client = Client::new(config);
    client.handle_input(GREETING).unwrap();
    client.user_pass(user("a"), b"b").unwrap();
    client.handle_input(b"+OK\r\n+OK\r\n").unwrap();
    client.list(None).unwrap();
    client.uidl(None).unwrap();
    sent(&mut client);
    client
}

#[test]
fn bad_status_lines() {
    let bad = ProtocolError::BadResponse(ResponseError::BadStatus);
    for line in [
        &b"HELLO\r\n"[..],
        b"+OKAY\r\n",
        b"OK 1 2\r\n",
        b"\r\n",
        b"-ER\r\n",
    ] {
        fails(stat_pending, line, bad.clone());
    }
    fails(
        || Client::new(ClientConfig::default()),
        b"SSH-2.0-OpenSSH\r\n",
        bad,
    );
    fails(
        stat_pending,
        b"+OK two\r\n",
        ProtocolError::BadResponse(ResponseError::Malformed),
    );
    fails(
        stat_pending,
        b"+OK 1\r\n",
        ProtocolError::BadResponse(ResponseError::Malformed),
    );
}

#[test]
fn bad_listing_lines() {
    let bad = ProtocolError::BadResponse(ResponseError::BadListingLine);
    let setup = || list_pending(ClientConfig::default());
    fails(setup, b"+OK\r\n1 120\r\nzero 0\r\n.\r\n", bad.clone());
    fails(setup, b"+OK\r\n0 120\r\n.\r\n", bad.clone());
    fails(
        setup,
        b"+OK\r\n.\r\n+OK\r\n1  two spaces\r\n.\r\n",
        bad.clone(),
    );
    fails(setup, b"+OK\r\n.\r\n+OK\r\n1 \x7f\r\n.\r\n", bad);
}

#[test]
fn listing_over_the_entry_limit() {
    let config = ClientConfig {
        max_listing_entries: 3,
        ..ClientConfig::default()
    };
    let mut client = list_pending(config.clone());
    client
        .handle_input(b"+OK\r\n1 1\r\n2 2\r\n3 3\r\n.\r\n")
        .unwrap();
    fails(
        || list_pending(config.clone()),
        b"+OK\r\n1 1\r\n2 2\r\n3 3\r\n4 4\r\n.\r\n",
        ProtocolError::TooManyEntries { max: 3 },
    );
}

/// CAPA, LANG and bare AUTH listings are capped by octets as well: a
/// CAPA line of one-letter parameters costs far more memory than its
/// octets.
#[test]
fn capability_listings_over_the_octet_limit() {
    let config = ClientConfig {
        max_capability_octets: 64,
        ..ClientConfig::default()
    };
    let pending = |request: fn(&mut Client) -> Result<RequestId, ClientError>| {
        let config = config.clone();
        move || {
            let mut client = Client::new(config.clone());
            client.handle_input(GREETING).unwrap();
            request(&mut client).unwrap();
            client
        }
    };
    // Entry lines of exactly 64 octets with their endings pass; one more
    // octet fails.
    let capa = |width: usize| {
        let mut line = b"X".to_vec();
        while line.len() < width {
            line.extend_from_slice(b" a");
        }
        line.truncate(width);
        [b"+OK\r\n".as_slice(), &line, b"\r\nUSER\r\n.\r\n"].concat()
    };
    let mut client = pending(Client::capa)();
    client.handle_input(&capa(56)).unwrap();
    assert_eq!(client.capabilities().map(<[Capability]>::len), Some(2));
    fails(
        pending(Client::capa),
        &capa(57),
        ProtocolError::ListingTooLarge { max: 64 },
    );
    let over = [b"+OK\r\n".as_slice(), &b"en text\r\n".repeat(8), b".\r\n"].concat();
    fails(
        pending(|c| c.lang(None)),
        &over,
        ProtocolError::ListingTooLarge { max: 64 },
    );
    let over = [b"+OK\r\n".as_slice(), &b"PLAIN\r\n".repeat(10), b".\r\n"].concat();
    fails(
        pending(Client::auth_list),
        &over,
        ProtocolError::ListingTooLarge { max: 64 },
    );
    // LIST is capped by entries only.
    let mut client = Client::new(config.clone());
    client.handle_input(GREETING).unwrap();
    client.apop(user("a"), b"b").unwrap();
    client.handle_input(b"+OK\r\n").unwrap();
    client.list(None).unwrap();
    let long = [b"+OK\r\n".as_slice(), &b"1 1\r\n".repeat(50), b".\r\n"].concat();
    client.handle_input(&long).unwrap();
    assert!(client.is_idle());
}

#[test]
fn line_over_the_limit() {
    let config = ClientConfig {
        max_line: 64,
        ..ClientConfig::default()
    };
    let setup = || {
        let mut client = Client::new(config.clone());
        client.handle_input(GREETING).unwrap();
        client.capa().unwrap();
        client
    };
    let long = [b"+OK ".as_slice(), &[b'x'; 100]].concat();
    fails(setup, &long, ProtocolError::LineTooLong { max: 64 });
    let mut ok_line = [b"+OK ".as_slice(), &[b'x'; 58]].concat();
    ok_line.extend_from_slice(b"\r\n.\r\n");
    setup().handle_input(&ok_line).unwrap();
    // A body line is not a response line: any length passes.
    let mut client = session(false, true);
    client.retr(n(1)).unwrap();
    let mut reply = b"+OK\r\n".to_vec();
    reply.extend(std::iter::repeat_n(b'y', 100_000));
    reply.extend_from_slice(b"\r\n.\r\n");
    client.handle_input(&reply).unwrap();
}

#[test]
fn greeting_too_long_or_never_ending() {
    let config = ClientConfig {
        max_line: 512,
        ..ClientConfig::default()
    };
    fails(
        || Client::new(config.clone()),
        &[b'+'; 600],
        ProtocolError::LineTooLong { max: 512 },
    );
}

#[test]
fn garbage_after_greeting() {
    fails(
        || Client::new(ClientConfig::default()),
        b"+OK hi\r\n+OK surprise\r\n",
        ProtocolError::UnexpectedData,
    );
    fails(
        || session(false, true),
        b"\r\n",
        ProtocolError::UnexpectedData,
    );
}

#[test]
fn unexpected_continuations() {
    fails(
        stat_pending,
        b"+ c3VycHJpc2U=\r\n",
        ProtocolError::UnexpectedContinuation,
    );
    fails(
        || session(false, false),
        b"+ \r\n",
        ProtocolError::UnexpectedContinuation,
    );
}

#[test]
fn data_after_quit() {
    let setup = || {
        let mut client = session(false, true);
        client.quit().unwrap();
        client
    };
    fails(
        setup,
        b"+OK bye\r\n+OK more\r\n",
        ProtocolError::UnexpectedData,
    );
}

#[test]
fn pass_accepted_after_user_refused() {
    let setup = || {
        let mut client = session(true, false);
        client.user_pass(user("a"), b"b").unwrap();
        client
    };
    fails(
        setup,
        b"-ERR no\r\n+OK in anyway\r\n",
        ProtocolError::Desynchronized,
    );
}

/// A client with every kind of reply outstanding, pipelined.
fn busy_client() -> Client {
    let mut client = Client::new(ClientConfig {
        max_line: 256,
        max_listing_entries: 50,
        ..ClientConfig::default()
    });
    client.capa().unwrap();
    client.user_pass(user("a"), b"b").unwrap();
    client.stat().unwrap();
    client.list(None).unwrap();
    client.list(Some(n(1))).unwrap();
    client.uidl(None).unwrap();
    client.uidl(Some(n(1))).unwrap();
    client.retr(n(1)).unwrap();
    client.top(n(1), 2).unwrap();
    client.lang(None).unwrap();
    client.dele(n(1)).unwrap();
    client.quit().unwrap();
    client
}

fn sasl_client() -> Client {
    let mut client = Client::new(ClientConfig::default());
    client
        .authenticate(SaslCredentials::ScramSha256 {
            user: user("user"),
            password: Secret::new(b"pencil".to_vec()),
            client_nonce: "rOprNGfwEbeRWgbNEkqO".into(),
        })
        .unwrap();
    client.stat().unwrap();
    client
}

/// Feeds `chunks`, draining output and events like an adapter, until
/// the client fails. Nothing may panic.
fn survive(mut client: Client, chunks: &[Vec<u8>]) {
    for chunk in chunks {
        let result = client.handle_input(chunk);
        while client.poll_transmit().is_some() {}
        while client.poll_event().is_some() {}
        if result.is_err() {
            assert_eq!(client.state(), SessionState::Failed);
            assert!(client.handle_input(b"x").is_err());
            return;
        }
    }
}

/// Pieces of plausible server output, to get deeper than random bytes.
const PIECES: &[&[u8]] = &[
    b"+OK",
    b"-ERR",
    b" [IN-USE]",
    b" [SYS/TEMP]",
    b" [",
    b"]",
    b" ",
    b"1",
    b" 120",
    b"0",
    b"\r\n",
    b"\n",
    b"\r",
    b".",
    b"..",
    b".\r\n",
    b"+ ",
    b"+",
    b"PIPELINING",
    b"SASL PLAIN",
    b"abc",
    b"en English",
    b"cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTJSYVRDQWZ1eEZJbGopaE5sRiRrMCxzPVcyMlphSjBTTlk3c29Fc1VFamI2Z1E9PSxpPTE=",
    b"\0",
    b"\xff",
];

fn pieces() -> impl Strategy<Value = Vec<Vec<u8>>> {
    proptest::collection::vec(
        proptest::collection::vec(proptest::sample::select(PIECES), 1..20).prop_map(|p| p.concat()),
        1..30,
    )
}

fn chunks() -> impl Strategy<Value = Vec<Vec<u8>>> {
    proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..30)
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(chunks in chunks()) {
        survive(busy_client(), &chunks);
        survive(sasl_client(), &chunks);
        let mut greeted = vec![GREETING.to_vec()];
        greeted.extend(chunks);
        survive(busy_client(), &greeted);
        survive(sasl_client(), &greeted);
    }

    #[test]
    fn plausible_pieces_never_panic(chunks in pieces()) {
        survive(busy_client(), &chunks);
        let mut greeted = vec![GREETING.to_vec()];
        greeted.extend(chunks);
        survive(busy_client(), &greeted.clone());
        survive(sasl_client(), &greeted);
    }
}
