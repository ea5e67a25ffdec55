//! The client against the real [`Server`], in memory, answering the
//! server's events the way an adapter with a tiny maildrop would.

use std::sync::Arc;
use std::time::Instant;

use super::*;
use crate::body::{wire_form, wire_size};
use crate::sasl::scram::ScramSecrets;
use crate::server::{
    BodyDemand, CloseReason, CommitOutcome, ConnectionParams, Credentials, Deletion, Event,
    LoginError, Maildrop, MessageEntry, Server, ServerConfig, TlsMode,
};
use crate::types::{LangRequest, Mechanism, ScanListing, Secret, UidListing};

const PASSWORD: &[u8] = b"hunter2 with spaces";
const TOKEN: &str = "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg";
const STAMP: &str = "<1896.697170952@dbc.mtview.ca.us>";

fn messages() -> Vec<Vec<u8>> {
    let mut big = b"Subject: big\r\n\r\n".to_vec();
    for i in 0..20_000 {
        big.extend_from_slice(format!("line {i}\r\n").as_bytes());
        if i % 1000 == 0 {
            big.extend_from_slice(b".dotted line\r\n");
        }
    }
    vec![
        b"Subject: one\r\n\r\nHello\r\n.hidden\r\n..two\r\n.\r\n".to_vec(),
        b"Subject: two\n\nbare LF body\n.\nlast line without newline".to_vec(),
        big,
    ]
}

fn uid(i: usize) -> crate::types::Uid {
    format!("uid-{i}").parse().unwrap()
}

struct Pair {
    client: Client,
    server: Server,
    now: Instant,
    messages: Vec<Vec<u8>>,
    /// The message being streamed: index and offset.
    body: Option<(usize, usize)>,
    scram: ScramSecrets,
    commits: Vec<Vec<Deletion>>,
    closed: Option<CloseReason>,
    server_wants_tls: bool,
    client_wants_tls: bool,
    events: Vec<ClientEvent>,
    /// Refuse good credentials too, with this error.
    refuse_with: Option<LoginError>,
}

impl Pair {
    fn new(tls: TlsMode) -> Self {
        let config = ServerConfig {
            apop: true,
            mechanisms: vec![
                Mechanism::ScramSha256,
                Mechanism::CramMd5,
                Mechanism::Plain,
                Mechanism::Login,
                Mechanism::OAuthBearer,
                Mechanism::XOAuth2,
            ],
            ..ServerConfig::default()
        };
        let params = ConnectionParams {
            tls,
            cleartext_without_tls: true,
            apop_timestamp: Some(STAMP.into()),
            random: [7; 32],
        };
        let now = Instant::now();
        Self {
            client: Client::new(ClientConfig::default()),
            server: Server::new(Arc::new(config), params, now),
            now,
            messages: messages(),
            body: None,
            scram: ScramSecrets::derive(PASSWORD, b"salt of the earth", 4096),
            commits: Vec::new(),
            closed: None,
            server_wants_tls: false,
            client_wants_tls: false,
            events: Vec::new(),
            refuse_with: None,
        }
    }

    fn maildrop(&self) -> Maildrop {
        let entries = self
            .messages
            .iter()
            .enumerate()
            .map(|(i, m)| MessageEntry {
                size: wire_size(m),
                uid: uid(i),
            })
            .collect();
        Maildrop::new(entries).unwrap()
    }

    /// Moves bytes both ways and answers events until nothing moves.
    fn drive(&mut self) {
        loop {
            let mut moved = false;
            while let Some(bytes) = self.client.poll_transmit() {
                self.server.handle_input(self.now, &bytes);
                moved = true;
            }
            while let Some(event) = self.server.poll_event() {
                self.answer(event);
                moved = true;
            }
            moved |= self.stream_body();
            while let Some(bytes) = self.server.poll_transmit(self.now) {
                // Odd chunk sizes, so replies straddle chunks.
                for chunk in bytes.chunks(777) {
                    self.client.handle_input(chunk).unwrap();
                }
                moved = true;
            }
            while let Some(event) = self.client.poll_event() {
                if matches!(
                    event,
                    ClientEvent::Reply {
                        result: Ok(Reply::TlsReady),
                        ..
                    }
                ) {
                    self.client_wants_tls = true;
                }
                self.events.push(event);
                moved = true;
            }
            if self.server_wants_tls && self.client_wants_tls {
                // The handshake would run here.
                self.server.tls_established(self.now).unwrap();
                self.client.tls_established().unwrap();
                self.server_wants_tls = false;
                self.client_wants_tls = false;
                moved = true;
            }
            if !moved {
                return;
            }
        }
    }

    fn stream_body(&mut self) -> bool {
        let Some((index, mut offset)) = self.body else {
            return false;
        };
        let message = &self.messages[index];
        loop {
            match self.server.body_demand() {
                BodyDemand::Wanted if offset < message.len() => {
                    let end = (offset + 4099).min(message.len());
                    self.server.body_data(&message[offset..end]).unwrap();
                    offset = end;
                }
                BodyDemand::Wanted | BodyDemand::Complete => {
                    self.server.body_end().unwrap();
                    self.body = None;
                    return true;
                }
                BodyDemand::Blocked => {
                    self.body = Some((index, offset));
                    return true;
                }
                BodyDemand::Idle => {
                    self.body = None;
                    return true;
                }
            }
        }
    }

    fn answer(&mut self, event: Event) {
        match event {
            Event::Login(request) => {
                let good = request.username().as_str() == "alice"
                    && match request.credentials() {
                        Credentials::Password(p) => p.expose_secret() == PASSWORD,
                        Credentials::Apop { .. } | Credentials::CramMd5 { .. } => {
                            request.verify_shared_secret(PASSWORD) == Some(true)
                        }
                        Credentials::BearerToken(t) => t.expose_secret() == TOKEN,
                        Credentials::Verified => true,
                        Credentials::ScramFailed => false,
                    };
                match (good, self.refuse_with.clone()) {
                    (true, None) => {
                        let maildrop = self.maildrop();
                        self.server.accept_login(request, maildrop).unwrap();
                    }
                    (_, error) => {
                        let error = error.unwrap_or(LoginError::BadCredentials);
                        self.server.reject_login(request, error).unwrap();
                    }
                }
            }
            Event::ScramLookup(lookup) => {
                let known = lookup.username().as_str() == "alice";
                let secrets = known.then_some(&self.scram);
                self.server.scram_secrets(lookup, secrets).unwrap();
            }
            Event::Retrieve(request) => {
                let index = request.index();
                self.server.retrieve_start(request).unwrap();
                self.body = Some((index, 0));
            }
            Event::StartTls => self.server_wants_tls = true,
            Event::Commit(request) => {
                self.commits.push(request.deletions().to_vec());
                self.server
                    .commit_done(request, CommitOutcome::Done)
                    .unwrap();
            }
            Event::Closed(reason) => self.closed = Some(reason),
        }
    }

    /// Runs one request to completion and returns its events.
    fn run(
        &mut self,
        request: impl FnOnce(&mut Client) -> Result<RequestId, ClientError>,
    ) -> (RequestId, Vec<ClientEvent>) {
        let id = request(&mut self.client).unwrap();
        self.drive();
        assert!(self.client.is_idle());
        (id, std::mem::take(&mut self.events))
    }

    /// Runs one request and returns its reply.
    fn reply(
        &mut self,
        request: impl FnOnce(&mut Client) -> Result<RequestId, ClientError>,
    ) -> Result<Reply, ServerError> {
        let (id, events) = self.run(request);
        match events.as_slice() {
            [ClientEvent::Reply { id: got, result }] if *got == id => result.clone(),
            other => panic!("unexpected events {other:?}"),
        }
    }

    /// Runs RETR or TOP and returns the message octets.
    fn body(
        &mut self,
        request: impl FnOnce(&mut Client) -> Result<RequestId, ClientError>,
    ) -> Vec<u8> {
        let (id, events) = self.run(request);
        let mut data = Vec::new();
        let mut ended = false;
        for (i, event) in events.into_iter().enumerate() {
            match event {
                ClientEvent::Reply {
                    id: got,
                    result: Ok(Reply::BodyStart { .. }),
                } if i == 0 && got == id => {}
                ClientEvent::BodyChunk { id: got, data: d } if got == id && !ended => {
                    data.extend_from_slice(&d)
                }
                ClientEvent::BodyEnd { id: got } if got == id => ended = true,
                other => panic!("unexpected event {other:?}"),
            }
        }
        assert!(ended);
        data
    }

    fn greet(&mut self) {
        self.drive();
        let events = std::mem::take(&mut self.events);
        assert!(
            matches!(&events[..], [ClientEvent::Greeting(Ok(g))] if g.apop_timestamp.as_deref() == Some(STAMP)),
            "{events:?}"
        );
    }
}

fn logged_in(login: impl FnOnce(&mut Client) -> Result<RequestId, ClientError>) -> Pair {
    let mut pair = Pair::new(TlsMode::None);
    pair.greet();
    let reply = pair.reply(login);
    assert!(matches!(reply, Ok(Reply::LoggedIn(_))), "{reply:?}");
    assert_eq!(pair.client.state(), SessionState::Transaction);
    pair
}

/// A way to log in, for tables of them.
type Login = Box<dyn Fn(&mut Client) -> Result<RequestId, ClientError>>;

fn alice() -> Username {
    user("alice")
}

fn secret(bytes: &[u8]) -> Secret<Vec<u8>> {
    Secret::new(bytes.to_vec())
}

#[test]
fn login_every_way() {
    let logins: Vec<(&str, Login)> = vec![
        ("USER/PASS", Box::new(|c| c.user_pass(alice(), PASSWORD))),
        ("APOP", Box::new(|c| c.apop(alice(), PASSWORD))),
        (
            "PLAIN",
            Box::new(|c| {
                c.authenticate(SaslCredentials::Plain {
                    authzid: None,
                    user: alice(),
                    password: secret(PASSWORD),
                })
            }),
        ),
        (
            "LOGIN",
            Box::new(|c| {
                c.authenticate(SaslCredentials::Login {
                    user: alice(),
                    password: secret(PASSWORD),
                })
            }),
        ),
        (
            "CRAM-MD5",
            Box::new(|c| {
                c.authenticate(SaslCredentials::CramMd5 {
                    user: alice(),
                    secret: secret(PASSWORD),
                })
            }),
        ),
        (
            "SCRAM-SHA-256",
            Box::new(|c| {
                c.authenticate(SaslCredentials::ScramSha256 {
                    user: alice(),
                    password: secret(PASSWORD),
                    client_nonce: "fyko+d2lbbFgONRv9qkxdawL".into(),
                })
            }),
        ),
        (
            "OAUTHBEARER",
            Box::new(|c| {
                c.authenticate(SaslCredentials::OAuthBearer {
                    user: alice(),
                    token: Secret::new(TOKEN.into()),
                    host: Some("pop.example.com".into()),
                    port: Some(995),
                })
            }),
        ),
        (
            "XOAUTH2",
            Box::new(|c| {
                c.authenticate(SaslCredentials::XOAuth2 {
                    user: alice(),
                    token: Secret::new(TOKEN.into()),
                })
            }),
        ),
    ];
    for (name, login) in &logins {
        let mut pair = logged_in(login);
        let reply = pair.reply(Client::stat);
        assert_eq!(
            reply,
            Ok(Reply::Stat {
                count: 3,
                size: pair.messages.iter().map(|m| wire_size(m)).sum(),
            }),
            "{name}"
        );
    }
}

mod session;
