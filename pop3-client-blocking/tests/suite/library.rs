//! The library against a real server: every call, every mechanism, STLS and
//! implicit TLS, certificate checks, response codes.

use std::io::{self, Write};

use crate::common::{TestServer, crlf, logged_in, message, options};
use pop3_client_blocking::{
    Capability, Client, ConnectOptions, Error, LoginMethod, LoginPolicy, Mechanism, ResponseCode,
    RetrSink, ServerError, TlsOptions,
};

fn login_with(client: &mut Client, method: &LoginMethod, user: &str, password: &[u8]) {
    match method {
        LoginMethod::UserPass => client.login(user, password).map(drop),
        LoginMethod::Apop => client.apop(user, password).map(drop),
        LoginMethod::Sasl(m) => client.auth(m, user, password).map(drop),
    }
    .unwrap_or_else(|e| panic!("{user} with {method}: {e}"));
    assert!(client.is_logged_in());
}

pub fn every_call_over_stls(server: &dyn TestServer) {
    let originals: Vec<Vec<u8>> = (1..=3).map(|n| message(n, 40)).collect();
    for m in &originals {
        server.add_message(m);
    }
    let mut client = Client::connect("localhost", server.addr().port(), &options(server)).unwrap();
    assert!(!client.is_tls());
    assert!(client.greeting().apop_timestamp.is_some());
    let caps = client.capa().unwrap();
    assert!(caps.contains(&Capability::Stls), "{caps:?}");
    client.stls().unwrap();
    assert!(client.is_tls());
    // CAPA was asked again over TLS: no STLS any more.
    let caps = client.capabilities().unwrap().to_vec();
    assert!(!caps.contains(&Capability::Stls), "{caps:?}");
    // A second STLS is refused locally, without asking the server.
    assert!(matches!(client.stls(), Err(Error::Request(_))));

    client.login(server.user(), server.password()).unwrap();
    let stat = client.stat().unwrap();
    assert_eq!(stat.count, 3);
    let list = client.list().unwrap();
    assert_eq!(list.len(), 3);
    for (entry, original) in list.iter().zip(&originals) {
        assert_eq!(entry.size, crlf(original).len() as u64);
    }
    assert_eq!(stat.size, list.iter().map(|e| e.size).sum::<u64>());
    assert_eq!(client.list_one(2).unwrap(), list[1]);
    let uids = client.uidl().unwrap();
    assert_eq!(uids.len(), 3);
    assert_eq!(client.uidl_one(3).unwrap(), uids[2]);

    for (n, original) in originals.iter().enumerate() {
        let mut got = Vec::new();
        let size = client.retr(n as u32 + 1, &mut got).unwrap();
        assert_eq!(got, crlf(original), "message {}", n + 1);
        assert_eq!(size, got.len() as u64);
    }
    let mut head = Vec::new();
    client.top(1, 0, &mut head).unwrap();
    let header_end = originals[0].windows(2).position(|w| w == b"\n\n").unwrap() + 2;
    assert_eq!(head, crlf(&originals[0][..header_end]));
    let mut head = Vec::new();
    client.top(1, 1, &mut head).unwrap();
    assert_eq!(
        head,
        crlf(&originals[0][..header_end + "line 0 of message 1\n".len()])
    );

    client.noop().unwrap();
    client.dele(1).unwrap();
    assert_eq!(client.stat().unwrap().count, 2);
    let gone = client.retr(1, &mut io::sink()).unwrap_err();
    assert!(gone.server_error().is_some(), "{gone}");
    client.rset().unwrap();
    assert_eq!(client.stat().unwrap().count, 3);
    client.dele(2).unwrap();
    let missing = client.list_one(9).unwrap_err();
    assert!(matches!(missing, Error::Server(_)), "{missing}");
    assert!(matches!(client.list_one(0), Err(Error::InvalidArgument(_))));
    client.quit().unwrap();

    // QUIT committed the deletion of message 2 only.
    let mut client = logged_in(server);
    let uids_after = client.uidl().unwrap();
    let left: Vec<_> = uids_after.iter().map(|e| e.uid.clone()).collect();
    assert_eq!(left, vec![uids[0].uid.clone(), uids[2].uid.clone()]);
    client.quit().unwrap();
}

pub fn every_mechanism_the_server_offers(server: &dyn TestServer) {
    server.add_message(&message(1, 3));
    let port = server.tls_addr().port();
    let mut probe = Client::connect_tls("localhost", port, &options(server)).unwrap();
    let caps = probe.capa().unwrap();
    let offered: Vec<Mechanism> = caps
        .iter()
        .find_map(|c| match c {
            Capability::Sasl(m) => Some(m.clone()),
            _ => None,
        })
        .unwrap();
    drop(probe);
    let accounts = server.accounts();
    // Every mechanism offered is exercised: with a password by some
    // account, or with the server's bearer token.
    for m in &offered {
        let by_password = accounts
            .iter()
            .any(|a| a.methods.contains(&LoginMethod::Sasl(m.clone())));
        let by_token = m.is_bearer_token() && server.bearer_token().is_some();
        assert!(by_password || by_token, "{m} is offered but not tested");
    }
    for account in &accounts {
        for method in &account.methods {
            let mut client = Client::connect_tls("localhost", port, &options(server)).unwrap();
            login_with(&mut client, method, &account.user, &account.password);
            client.stat().unwrap();
            client.quit().unwrap();
        }
    }
    let Some(token) = server.bearer_token() else {
        return;
    };
    for m in [Mechanism::OAuthBearer, Mechanism::XOAuth2] {
        if !offered.contains(&m) {
            continue;
        }
        let mut client = Client::connect_tls("localhost", port, &options(server)).unwrap();
        client.auth(&m, server.user(), token.as_bytes()).unwrap();
        assert_eq!(client.stat().unwrap().count, 1);
        client.quit().unwrap();
        let mut client = Client::connect_tls("localhost", port, &options(server)).unwrap();
        let e = client
            .auth(&m, server.user(), b"not-the-token")
            .unwrap_err();
        assert!(matches!(e, Error::Server(_)), "{m}: {e}");
        assert!(!client.is_logged_in());
    }
}

pub fn wrong_password_is_an_auth_failure_for_every_method(server: &dyn TestServer) {
    let port = server.tls_addr().port();
    for method in &server.accounts()[0].methods {
        let mut client = Client::connect_tls("localhost", port, &options(server)).unwrap();
        let result = match method {
            LoginMethod::UserPass => client.login(server.user(), b"wrong"),
            LoginMethod::Apop => client.apop(server.user(), b"wrong"),
            LoginMethod::Sasl(m) => client.auth(m, server.user(), b"wrong"),
        };
        let e = result.unwrap_err();
        assert!(e.is_auth_failure(), "{method}: {e}");
        assert!(!e.is_temporary());
        assert!(!client.is_logged_in());
    }
}

pub fn login_best_prefers_scram_and_keeps_passwords_off_plain_text(server: &dyn TestServer) {
    let port = server.addr().port();
    let opts = options(server);

    // Plain connection: SCRAM never shows the password, so it is fine.
    let mut client = Client::connect("localhost", port, &opts).unwrap();
    let used = client
        .login_best(server.user(), server.password(), LoginPolicy::default())
        .unwrap();
    assert_eq!(used, LoginMethod::Sasl(Mechanism::ScramSha256));
    client.quit().unwrap();

    // Forcing a cleartext method over plain text is refused locally.
    for only in [LoginMethod::UserPass, LoginMethod::Sasl(Mechanism::Plain)] {
        let mut client = Client::connect("localhost", port, &opts).unwrap();
        let policy = LoginPolicy {
            only: Some(only.clone()),
            ..LoginPolicy::default()
        };
        let e = client
            .login_best(server.user(), server.password(), policy)
            .unwrap_err();
        assert!(matches!(e, Error::CleartextRefused), "{only}: {e}");
        // ...unless the caller allows it.
        let policy = LoginPolicy {
            only: Some(only.clone()),
            allow_cleartext_without_tls: true,
            ..LoginPolicy::default()
        };
        assert_eq!(
            client
                .login_best(server.user(), server.password(), policy)
                .unwrap(),
            only
        );
        client.quit().unwrap();
    }

    // Over TLS every method is allowed; the strongest still wins.
    let mut client = Client::connect_tls("localhost", server.tls_addr().port(), &opts).unwrap();
    let used = client
        .login_best(server.user(), server.password(), LoginPolicy::default())
        .unwrap();
    assert_eq!(used, LoginMethod::Sasl(Mechanism::ScramSha256));
    client.quit().unwrap();
}

pub fn certificates_are_checked(server: &dyn TestServer) {
    let port = server.tls_addr().port();
    // Without the test CA the certificate is not trusted.
    let untrusting = ConnectOptions {
        tls: TlsOptions {
            system_roots: true,
            extra_ca_file: None,
            danger_accept_invalid_certificates: false,
        },
        ..options(server)
    };
    let e = Client::connect_tls("localhost", port, &untrusting).unwrap_err();
    assert!(matches!(e, Error::Tls(_)), "{e}");
    // The same through STLS.
    let mut client = Client::connect("localhost", server.addr().port(), &untrusting).unwrap();
    assert!(matches!(client.stls(), Err(Error::Tls(_))));

    // The certificate names 127.0.0.1 too: an IP address is checked.
    let client = Client::connect_tls("127.0.0.1", port, &options(server)).unwrap();
    assert!(client.is_tls());

    // Checking turned off: anything goes.
    let reckless = ConnectOptions {
        tls: TlsOptions {
            system_roots: false,
            extra_ca_file: None,
            danger_accept_invalid_certificates: true,
        },
        ..options(server)
    };
    let mut client = Client::connect_tls("127.0.0.1", port, &reckless).unwrap();
    assert!(client.is_tls());
    client.login(server.user(), server.password()).unwrap();
    client.quit().unwrap();
}

pub fn a_locked_maildrop_is_reported_as_in_use(server: &dyn TestServer) {
    server.add_message(&message(1, 3));
    let mut first = logged_in(server);
    first.stat().unwrap();
    let mut second =
        Client::connect_tls("localhost", server.tls_addr().port(), &options(server)).unwrap();
    let e = second.login(server.user(), server.password()).unwrap_err();
    assert_eq!(e.response_code(), Some(&ResponseCode::InUse), "{e}");
    assert!(e.is_temporary());
    assert!(!e.is_auth_failure());
    first.quit().unwrap();
}

/// Collects messages of a batch.
#[derive(Default)]
struct Collect {
    messages: Vec<(u32, Vec<u8>)>,
    refused: Vec<(u32, ServerError)>,
}

impl RetrSink for Collect {
    fn begin(&mut self, msg: u32, _hint: Option<u64>) -> io::Result<()> {
        self.messages.push((msg, Vec::new()));
        Ok(())
    }
    fn data(&mut self, msg: u32, data: &[u8]) -> io::Result<()> {
        let last = self.messages.last_mut().unwrap();
        assert_eq!(last.0, msg);
        last.1.write_all(data)
    }
    fn end(&mut self, _msg: u32) -> io::Result<()> {
        Ok(())
    }
    fn refused(&mut self, msg: u32, error: ServerError) -> io::Result<()> {
        self.refused.push((msg, error));
        Ok(())
    }
}

pub fn pipelined_batches(server: &dyn TestServer) {
    let originals: Vec<Vec<u8>> = (1..=120).map(|n| message(n, n % 7 * 30)).collect();
    for m in &originals {
        server.add_message(m);
    }
    let mut client = logged_in(server);
    client.capa().unwrap();
    assert!(client.pipelining(), "the server advertises PIPELINING");
    let all: Vec<u32> = (1..=120).collect();
    let mut sink = Collect::default();
    // Message 200 does not exist: refused, and the batch goes on.
    let mut wanted = all.clone();
    wanted.insert(50, 200);
    client.retr_many(&wanted, &mut sink).unwrap();
    assert_eq!(sink.refused.len(), 1);
    assert_eq!(sink.refused[0].0, 200);
    assert_eq!(sink.messages.len(), 120);
    for ((n, got), original) in sink.messages.iter().zip(&originals) {
        assert_eq!(got, &crlf(original), "message {n}");
    }
    let outcomes = client.dele_many(&[1, 2, 300, 3]).unwrap();
    let ok: Vec<bool> = outcomes.iter().map(|(_, r)| r.is_ok()).collect();
    assert_eq!(ok, [true, true, false, true]);
    client.quit().unwrap();
    let mut client = logged_in(server);
    assert_eq!(client.stat().unwrap().count, 117);
    client.quit().unwrap();
}

/// Counts and checks octets without keeping them.
struct Compare<'a> {
    expected: &'a [u8],
    at: usize,
}

impl Write for Compare<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let end = self.at + data.len();
        assert!(end <= self.expected.len(), "more octets than stored");
        assert_eq!(&self.expected[self.at..end], data, "at octet {}", self.at);
        self.at = end;
        Ok(data.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

pub fn a_large_message_streams_through(server: &dyn TestServer) {
    let big = message(1, 120_000); // about 3.5 MB
    server.add_message(&big);
    let expected = crlf(&big);
    let mut client = logged_in(server);
    let mut compare = Compare {
        expected: &expected,
        at: 0,
    };
    let size = client.retr(1, &mut compare).unwrap();
    assert_eq!(compare.at, expected.len());
    assert_eq!(size, expected.len() as u64);
    client.quit().unwrap();
}

pub fn a_failing_sink_abandons_the_connection(server: &dyn TestServer) {
    struct Broken;
    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::other("disk full"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    server.add_message(&message(1, 500));
    let mut client = logged_in(server);
    assert!(matches!(client.retr(1, &mut Broken), Err(Error::Sink(_))));
    assert!(matches!(client.noop(), Err(Error::Abandoned)));
}
