//! A test application around the server core: users, messages and a
//! driver that answers every event the way a real adapter would, in
//! memory. Shared by the integration tests of this crate.
#![allow(
    dead_code,
    unreachable_pub,
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod credentials;
pub mod three_ways;
pub mod trace;
pub mod trace_client;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use pop3_proto::sasl::scram::ScramSecrets;
use pop3_proto::server::{
    BodyDemand, CloseReason, CommitOutcome, ConnectionParams, Credentials, Deletion, Event,
    LoginError, LoginRequest, Maildrop, MessageEntry, RetrieveError, Server, ServerConfig, TlsMode,
};

/// What the in-memory application knows and how it should behave.
#[derive(Debug, Clone)]
pub struct TestApp {
    /// (user, password) pairs; the password doubles as the APOP/CRAM secret.
    pub users: Vec<(String, String)>,
    /// Stored messages, as a Maildrop would hold them.
    pub messages: Vec<Vec<u8>>,
    /// Their unique-ids.
    pub uids: Vec<String>,
    /// Users whose maildrop another session holds.
    pub locked: HashSet<String>,
    /// Message numbers whose file has vanished.
    pub gone: HashSet<u32>,
    /// Body chunk size the application reads files with.
    pub chunk: usize,
    /// SCRAM iteration count of stored secrets.
    pub scram_iterations: u32,
    /// SCRAM salt of stored secrets.
    pub scram_salt: Vec<u8>,
    /// (user, token) pairs accepted besides [`TestApp::token_for`], for
    /// the published OAuth examples.
    pub tokens: Vec<(String, String)>,
    /// Users whose good credentials are still refused, and how.
    pub refusals: Vec<(String, LoginError)>,
    /// What the commit should report.
    pub commit_outcome: CommitOutcome,
    /// Deletions handed to the application, per commit.
    pub commits: Vec<Vec<Deletion>>,
    /// Every login request seen: (user, method debug).
    pub logins: Vec<String>,
}

impl Default for TestApp {
    fn default() -> Self {
        Self {
            users: vec![("mrose".into(), "tanstaaf".into())],
            messages: Vec::new(),
            uids: Vec::new(),
            locked: HashSet::new(),
            gone: HashSet::new(),
            chunk: 7,
            scram_iterations: 64,
            scram_salt: b"test salt".to_vec(),
            tokens: Vec::new(),
            refusals: Vec::new(),
            commit_outcome: CommitOutcome::Done,
            commits: Vec::new(),
            logins: Vec::new(),
        }
    }
}

impl TestApp {
    /// Adds a message with a generated unique-id.
    pub fn with_message(mut self, body: &[u8]) -> Self {
        let uid = format!("uid-{}", self.messages.len() + 1);
        self.messages.push(body.to_vec());
        self.uids.push(uid);
        self
    }

    fn password(&self, user: &str) -> Option<&str> {
        self.users
            .iter()
            .find(|(u, _)| u == user)
            .map(|(_, p)| p.as_str())
    }

    /// The token this application accepts for a user.
    pub fn token_for(user: &str) -> String {
        format!("tok-{user}")
    }

    fn maildrop(&self) -> Maildrop {
        let entries = self
            .messages
            .iter()
            .zip(&self.uids)
            .map(|(m, uid)| MessageEntry {
                size: pop3_proto::body::wire_size(m),
                uid: uid.parse().unwrap(),
            })
            .collect();
        Maildrop::new(entries).unwrap()
    }

    fn check(&self, request: &LoginRequest) -> Result<(), LoginError> {
        let user = request.username().as_str();
        let Some(password) = self.password(user) else {
            return Err(LoginError::BadCredentials);
        };
        let good = match request.credentials() {
            Credentials::Password(p) => p.expose_secret() == password.as_bytes(),
            Credentials::Apop { .. } | Credentials::CramMd5 { .. } => {
                request.verify_shared_secret(password.as_bytes()) == Some(true)
            }
            Credentials::BearerToken(t) => {
                let t = t.expose_secret();
                *t == Self::token_for(user) || self.tokens.iter().any(|(u, k)| u == user && k == t)
            }
            Credentials::Verified => true,
            Credentials::ScramFailed => false,
        };
        if !good {
            return Err(LoginError::BadCredentials);
        }
        if self.locked.contains(user) {
            return Err(LoginError::InUse);
        }
        if let Some((_, error)) = self.refusals.iter().find(|(u, _)| u == user) {
            return Err(error.clone());
        }
        Ok(())
    }
}

/// The configuration the tests start from: everything on, APOP included.
pub fn config() -> ServerConfig {
    ServerConfig {
        apop: true,
        mechanisms: vec![
            pop3_proto::Mechanism::ScramSha256,
            pop3_proto::Mechanism::CramMd5,
            pop3_proto::Mechanism::Plain,
            pop3_proto::Mechanism::Login,
            pop3_proto::Mechanism::OAuthBearer,
            pop3_proto::Mechanism::XOAuth2,
        ],
        scram_iterations: 64,
        ..ServerConfig::default()
    }
}

/// Connection parameters with the RFC 1939 example timestamp.
pub fn params(tls: TlsMode, cleartext: bool) -> ConnectionParams {
    ConnectionParams {
        tls,
        cleartext_without_tls: cleartext,
        apop_timestamp: Some("<1896.697170952@dbc.mtview.ca.us>".into()),
        random: [7; 32],
    }
}

/// A server session with its application, driven in memory.
pub struct Session {
    pub server: Server,
    pub app: TestApp,
    pub now: Instant,
    pub closed: Option<CloseReason>,
    pub tls_handshakes: u32,
    body: Option<(Vec<u8>, usize)>,
}

impl Session {
    pub fn new(config: ServerConfig, params: ConnectionParams, app: TestApp) -> Self {
        let now = Instant::now();
        Self {
            server: Server::new(Arc::new(config), params, now),
            app,
            now,
            closed: None,
            tls_handshakes: 0,
            body: None,
        }
    }

    /// A session with [`config`], cleartext allowed, no TLS.
    pub fn plain(app: TestApp) -> Self {
        Self::new(config(), params(TlsMode::StlsAvailable, true), app)
    }

    /// Collects what the server writes first (the greeting).
    pub fn greeting(&mut self) -> String {
        self.drive()
    }

    /// Sends bytes in one chunk and returns everything the server writes
    /// in response, with events answered.
    pub fn send(&mut self, bytes: &[u8]) -> String {
        self.server.handle_input(self.now, bytes);
        self.drive()
    }

    /// Sends bytes one at a time, driving after each.
    pub fn send_bytewise(&mut self, bytes: &[u8]) -> String {
        let mut out = String::new();
        for b in bytes {
            self.server.handle_input(self.now, std::slice::from_ref(b));
            out += &self.drive();
        }
        out
    }

    /// Lets virtual time pass and fires the timer if due.
    pub fn advance_time(&mut self, by: Duration) -> String {
        self.now += by;
        self.server.handle_timeout(self.now);
        self.drive()
    }

    /// Answers events, streams bodies and collects output until quiet.
    pub fn drive(&mut self) -> String {
        let mut out = Vec::new();
        loop {
            let mut progressed = false;
            while let Some(event) = self.server.poll_event() {
                progressed = true;
                self.handle(event);
            }
            progressed |= self.stream_body();
            while let Some(bytes) = self.server.poll_transmit(self.now) {
                progressed = true;
                out.extend_from_slice(&bytes);
            }
            if !progressed {
                break;
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    fn stream_body(&mut self) -> bool {
        let mut progressed = false;
        loop {
            match self.server.body_demand() {
                BodyDemand::Wanted => {
                    let (data, offset) = self.body.as_mut().expect("body open");
                    let end = (*offset + self.app.chunk).min(data.len());
                    if *offset == data.len() {
                        self.body = None;
                        self.server.body_end().unwrap();
                    } else {
                        let chunk = data[*offset..end].to_vec();
                        *offset = end;
                        self.server.body_data(&chunk).unwrap();
                    }
                    progressed = true;
                }
                BodyDemand::Complete => {
                    self.body = None;
                    self.server.body_end().unwrap();
                    progressed = true;
                }
                BodyDemand::Blocked | BodyDemand::Idle => return progressed,
            }
        }
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::Login(request) => {
                self.app
                    .logins
                    .push(format!("{} {:?}", request.username(), request.method()));
                match self.app.check(&request) {
                    Ok(()) => {
                        let maildrop = self.app.maildrop();
                        self.server.accept_login(request, maildrop).unwrap();
                    }
                    Err(e) => self.server.reject_login(request, e).unwrap(),
                }
            }
            Event::ScramLookup(lookup) => {
                let secrets = self.app.password(lookup.username().as_str()).map(|p| {
                    ScramSecrets::derive(
                        p.as_bytes(),
                        &self.app.scram_salt,
                        self.app.scram_iterations,
                    )
                });
                self.server.scram_secrets(lookup, secrets.as_ref()).unwrap();
            }
            Event::Retrieve(request) => {
                if self.app.gone.contains(&request.number().get()) {
                    self.server
                        .retrieve_failed(request, RetrieveError::Gone)
                        .unwrap();
                } else {
                    let data = self.app.messages[request.index()].clone();
                    self.body = Some((data, 0));
                    self.server.retrieve_start(request).unwrap();
                }
            }
            Event::StartTls => {
                self.tls_handshakes += 1;
                self.server.tls_established(self.now).unwrap();
            }
            Event::Commit(request) => {
                self.app.commits.push(request.deletions().to_vec());
                let outcome = self.app.commit_outcome.clone();
                self.server.commit_done(request, outcome).unwrap();
            }
            Event::Closed(reason) => self.closed = Some(reason),
        }
    }
}

/// A message of exactly `size` octets in wire form: headers, a blank
/// line, then filler lines.
pub fn message_of_size(size: usize, tag: &str) -> Vec<u8> {
    let mut m = format!("Subject: {tag}\r\n\r\n").into_bytes();
    while m.len() + 2 <= size {
        let room = size - m.len() - 2;
        let line = "x".repeat(room.min(70));
        m.extend_from_slice(line.as_bytes());
        m.extend_from_slice(b"\r\n");
    }
    assert_eq!(m.len(), size, "size {size} cannot be built");
    m
}
