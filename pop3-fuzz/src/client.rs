//! A client session fed arbitrary server bytes, with requests queued as
//! the tape says; see [`check`].

use std::collections::BTreeMap;

use pop3_proto::client::{
    Client, ClientConfig, ClientError, ClientEvent, Reply, RequestId, SaslCredentials, SessionState,
};
use pop3_proto::sasl::decode_base64;
use pop3_proto::types::{Capability, LangRequest, MessageNumber, Secret, Username};

use crate::lines;
use crate::sasl::too_many_iterations;
use crate::tape::Tape;

/// Octets of decision tape before the server's bytes.
pub const TAPE_LEN: usize = 16;

/// Where a request is, as the events so far tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Pending,
    /// `BodyStart` seen, `BodyEnd` not yet.
    Body,
    Done,
}

struct Run {
    client: Client,
    max_line: usize,
    tape: Tape,
    requests: BTreeMap<RequestId, (Status, bool)>,
    greeted: bool,
    capabilities: Option<Vec<Capability>>,
    body_octets: usize,
    fed: usize,
}

/// Runs one session. The first [`TAPE_LEN`] bytes choose the client's
/// limits, the requests it queues and how input is cut; the rest is what
/// the server sends. Panics when the client breaks an invariant:
///
/// - a protocol error puts the session in `Failed` for good: the same
///   error from then on, nothing more written, no request accepted;
/// - the greeting is the first event and comes once; nothing is written
///   before it, nor once the session is closed;
/// - every event names a request that was made; each request ends once
///   (reply, abort or cancellation), in the order the requests were
///   made, after every earlier request's body; body chunks come only
///   between `BodyStart` and `BodyEnd`;
/// - body octets never exceed the octets received;
/// - every line written is one CRLF-terminated line with no CR, LF or
///   NUL inside (a server cannot inject a command), of bounded length;
/// - the cached capabilities are those of the last CAPA reply.
///
/// Inputs whose SCRAM challenges ask for more than 4096 iterations are
/// skipped: they are valid but slow.
pub fn check(data: &[u8]) {
    let (tape, input) = data.split_at(TAPE_LEN.min(data.len()));
    let slow = input.split(|b| *b == b'\n').any(|line| {
        let line = lines::content(line);
        line.strip_prefix(b"+ ")
            .and_then(|b64| decode_base64(b64).ok())
            .is_some_and(|challenge| too_many_iterations(&challenge))
    });
    if slow {
        return;
    }
    let mut tape = Tape::new(tape);
    let max_line = match tape.byte() {
        0 => 8192,
        b => 16 + usize::from(b) * 8,
    };
    let max_listing_entries = match tape.byte() {
        0 => 5_000_000,
        b => usize::from(b % 16),
    };
    let config = ClientConfig {
        max_line,
        max_listing_entries,
        max_capability_octets: match tape.byte() {
            0 => 64 * 1024,
            b => usize::from(b) * 4,
        },
        sasl_initial_response: tape.byte() & 1 == 0,
    };
    let mut run = Run {
        client: Client::new(config),
        max_line,
        tape,
        requests: BTreeMap::new(),
        greeted: false,
        capabilities: None,
        body_octets: 0,
        fed: 0,
    };
    for _ in 0..=run.tape.pick(10) {
        run.request();
    }
    run.play(input);
}

fn user() -> Username {
    Username::try_from("mrose").expect("valid name")
}

fn secret(s: &str) -> Secret<Vec<u8>> {
    Secret::new(s.as_bytes().to_vec())
}

impl Run {
    /// Queues the request the tape names; refusals are fine, but never
    /// as a protocol error.
    fn request(&mut self) {
        let n = MessageNumber::new(1 + u32::from(self.tape.byte() % 4)).expect("non-zero");
        let choice = self.tape.pick(22);
        let c = &mut self.client;
        let token = || Secret::new("vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==".to_owned());
        let (result, is_auth) = match choice {
            0 => (c.capa(), false),
            1 => (c.stls(), false),
            2 => (c.user_pass(user(), b"tanstaaf"), false),
            3 => (c.apop(user(), b"tanstaaf"), false),
            4..=9 => {
                let credentials = match choice {
                    4 => SaslCredentials::Plain {
                        authzid: None,
                        user: user(),
                        password: secret("tanstaaf"),
                    },
                    5 => SaslCredentials::Login {
                        user: user(),
                        password: secret("tanstaaf"),
                    },
                    6 => SaslCredentials::CramMd5 {
                        user: user(),
                        secret: secret("tanstaaf"),
                    },
                    7 => SaslCredentials::ScramSha256 {
                        user: user(),
                        password: secret("pencil"),
                        client_nonce: "rOprNGfwEbeRWgbNEkqO".to_owned(),
                    },
                    8 => SaslCredentials::OAuthBearer {
                        user: user(),
                        token: token(),
                        host: Some("server.example.com".to_owned()),
                        port: Some(143),
                    },
                    _ => SaslCredentials::XOAuth2 {
                        user: user(),
                        token: token(),
                    },
                };
                (c.authenticate(credentials), true)
            }
            10 => (c.auth_list(), false),
            11 => (c.utf8(), false),
            12 => (c.lang(None), false),
            13 => (c.lang(Some(LangRequest::Wildcard)), false),
            14 => (c.stat(), false),
            15 => (c.list(self.tape.one_in(2).then_some(n)), false),
            16 => (c.uidl(self.tape.one_in(2).then_some(n)), false),
            17 => (c.retr(n), false),
            18 => (c.top(n, u32::from(self.tape.byte() % 4)), false),
            19 => (c.dele(n), false),
            20 => (c.noop(), false),
            _ => (c.quit(), false),
        };
        match result {
            Ok(id) => {
                assert!(!self.requests.contains_key(&id), "id {id:?} reused");
                if let Some((last, _)) = self.requests.last_key_value() {
                    assert!(*last < id, "ids out of order");
                }
                self.requests.insert(id, (Status::Pending, is_auth));
            }
            Err(ClientError::Protocol(e)) => panic!("request refused as a protocol error: {e}"),
            Err(_) => {}
        }
    }

    fn play(&mut self, input: &[u8]) {
        self.drain(false);
        let mut rest = input;
        for len in self.tape.chunks(input.len()) {
            let (chunk, tail) = rest.split_at(len);
            rest = tail;
            let closed_before = self.client.state() == SessionState::Closed;
            self.fed += chunk.len();
            let result = self.client.handle_input(chunk);
            self.events();
            self.drain(closed_before);
            if let Err(error) = result {
                self.failed(error);
                return;
            }
            if self.tape.one_in(4) {
                self.request();
                self.drain(closed_before);
            }
        }
    }

    /// Checks a failed session stays failed.
    fn failed(&mut self, error: ClientError) {
        assert!(matches!(error, ClientError::Protocol(_)), "{error:?}");
        assert_eq!(self.client.state(), SessionState::Failed);
        assert_eq!(self.client.handle_input(b"+OK\r\n"), Err(error));
        assert!(self.client.poll_transmit().is_none());
        assert!(self.client.noop().is_err() && self.client.capa().is_err());
        assert!(self.client.poll_event().is_none());
    }

    /// Takes what the client wrote and checks it line by line.
    fn drain(&mut self, closed_before: bool) {
        while let Some(bytes) = self.client.poll_transmit() {
            assert!(self.greeted, "wrote {bytes:?} before the greeting");
            assert!(!closed_before, "wrote {bytes:?} after close");
            for line in lines::split(&bytes) {
                let content = line.strip_suffix(b"\r\n").expect("CRLF-terminated");
                assert!(
                    !content.iter().any(|b| matches!(b, 0 | b'\r' | b'\n')),
                    "wrote {line:?}"
                );
                assert!(
                    line.len() <= 2 * self.max_line + 512,
                    "{} octets",
                    line.len()
                );
            }
        }
    }

    /// Handles and checks every pending event.
    fn events(&mut self) {
        while let Some(event) = self.client.poll_event() {
            if let ClientEvent::Greeting(_) = event {
                assert!(!self.greeted, "second greeting");
                self.greeted = true;
                continue;
            }
            assert!(self.greeted, "{event:?} before the greeting");
            match event {
                ClientEvent::Reply { id, result } => {
                    let body = matches!(result, Ok(Reply::BodyStart { .. }));
                    if let Ok(Reply::Capabilities(caps)) = &result {
                        self.capabilities = Some(caps.clone());
                    }
                    let tls = matches!(result, Ok(Reply::TlsReady));
                    self.finish(id, if body { Status::Body } else { Status::Done });
                    if tls {
                        self.client.tls_established().expect("handshake pending");
                        self.capabilities = None;
                    }
                }
                ClientEvent::BodyChunk { id, data } => {
                    assert_eq!(self.status(id), Status::Body, "chunk outside a body");
                    self.body_octets += data.len();
                    assert!(self.body_octets <= self.fed, "more body than input");
                }
                ClientEvent::BodyEnd { id } => {
                    assert_eq!(self.status(id), Status::Body, "end outside a body");
                    self.requests.insert(id, (Status::Done, false));
                }
                ClientEvent::AuthAborted { id, .. } => {
                    let is_auth = self.requests.get(&id).is_some_and(|(_, auth)| *auth);
                    assert!(is_auth, "AUTH aborted for another request");
                    self.finish(id, Status::Done);
                }
                ClientEvent::Cancelled { id } => self.finish(id, Status::Done),
                ClientEvent::Greeting(_) => {}
            }
        }
        assert_eq!(self.client.capabilities(), self.capabilities.as_deref());
    }

    fn status(&self, id: RequestId) -> Status {
        match self.requests.get(&id) {
            Some((status, _)) => *status,
            None => panic!("event for unknown request {id:?}"),
        }
    }

    /// Records the end of a request, which must be pending. Requests end
    /// in the order they were made: every earlier one has ended already,
    /// body and all.
    fn finish(&mut self, id: RequestId, status: Status) {
        assert_eq!(self.status(id), Status::Pending, "{id:?} answered twice");
        if let Some((earlier, _)) = self
            .requests
            .range(..id)
            .find(|(_, (status, _))| *status != Status::Done)
        {
            panic!("{id:?} ended before {earlier:?}");
        }
        let is_auth = self.requests.get(&id).is_some_and(|(_, auth)| *auth);
        self.requests.insert(id, (status, is_auth));
    }
}
