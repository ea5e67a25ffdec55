use std::collections::VecDeque;

use bytes::{Buf, Bytes, BytesMut};

use super::queue::{InFlight, Queued};
use super::reader::Reading;
use super::{ClientConfig, ClientError, ClientEvent, ProtocolError, SessionState};
use crate::body::DotUnstuffer;
use crate::parse::{LineEnd, next_line};
use crate::types::Capability;

/// Where the connection is with TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TlsState {
    /// Not requested (plain text, or implicit TLS the core never saw).
    None,
    /// STLS queued or in flight.
    Requested,
    /// STLS accepted; the adapter is running the handshake.
    Handshake,
    /// The handshake is done.
    Active,
}

/// One POP3 client session, from greeting to QUIT. See the module docs
/// for the loop that drives it.
#[derive(Debug)]
pub struct Client {
    pub(super) config: ClientConfig,
    pub(super) state: SessionState,
    pub(super) tls: TlsState,
    /// Received octets not yet read: at most a partial line once
    /// [`Client::handle_input`] returns.
    pub(super) input: BytesMut,
    pub(super) out: BytesMut,
    pub(super) events: VecDeque<ClientEvent>,
    pub(super) queue: VecDeque<Queued>,
    pub(super) in_flight: VecDeque<InFlight>,
    pub(super) reading: Reading,
    pub(super) next_id: u64,
    pub(super) capabilities: Option<Vec<Capability>>,
    pub(super) apop_timestamp: Option<String>,
    /// Login requests queued or in flight: TRANSACTION commands may be
    /// queued behind them.
    pub(super) logins_pending: usize,
    pub(super) quit_queued: bool,
    pub(super) failure: Option<ProtocolError>,
}

impl Client {
    /// A session waiting for the server's greeting. Requests may be
    /// queued at once; nothing is sent before the greeting arrives.
    pub fn new(config: ClientConfig) -> Self {
        Self {
            config,
            state: SessionState::Greeting,
            tls: TlsState::None,
            input: BytesMut::new(),
            out: BytesMut::new(),
            events: VecDeque::new(),
            queue: VecDeque::new(),
            in_flight: VecDeque::new(),
            reading: Reading::Line,
            next_id: 0,
            capabilities: None,
            apop_timestamp: None,
            logins_pending: 0,
            quit_queued: false,
            failure: None,
        }
    }

    /// Feeds bytes received from the server, in any chunking.
    ///
    /// Returns [`ClientError::Protocol`] when the server breaks the
    /// protocol; the session is then [`SessionState::Failed`] and every
    /// later call returns the same error. Bytes that arrive while a STLS
    /// handshake is pending are discarded: nothing received in clear after
    /// the server's `+OK` is trusted (the STARTTLS response-injection
    /// class, CVE-2011-0411 and kin).
    pub fn handle_input(&mut self, data: &[u8]) -> Result<(), ClientError> {
        if let Some(error) = &self.failure {
            return Err(ClientError::Protocol(error.clone()));
        }
        if self.tls == TlsState::Handshake {
            return Ok(());
        }
        match self.read_input(data) {
            Ok(()) => Ok(()),
            Err(error) => Err(self.fail(error)),
        }
    }

    /// Bytes to send to the server, if any: every command the pipelining
    /// rules let out now, and SASL answers. Call after each
    /// [`Client::handle_input`] and after queuing requests.
    ///
    /// A command counts as sent once it is in this buffer: the adapter
    /// must write everything returned, in order, before reading on.
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        if self.out.is_empty() {
            None
        } else {
            Some(self.out.split().freeze())
        }
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<ClientEvent> {
        self.events.pop_front()
    }

    /// The TLS handshake after [`super::Reply::TlsReady`] succeeded.
    ///
    /// Cached capabilities are forgotten (RFC 2595 section 4: the server
    /// may offer more over TLS, and what it said in clear could have been
    /// forged), so pipelining is off until a new CAPA is answered; issue
    /// one. Queued requests go out on the next [`Client::poll_transmit`].
    pub fn tls_established(&mut self) -> Result<(), ClientError> {
        if self.tls != TlsState::Handshake {
            return Err(ClientError::WrongState {
                command: "tls_established",
                state: self.state,
            });
        }
        self.tls = TlsState::Active;
        self.capabilities = None;
        self.input.clear();
        self.flush();
        Ok(())
    }

    /// The session's state, as known from the replies read so far.
    pub fn state(&self) -> SessionState {
        self.state
    }

    /// The capabilities from the last CAPA reply, if one was read since
    /// the connection started or since TLS was established.
    pub fn capabilities(&self) -> Option<&[Capability]> {
        self.capabilities.as_deref()
    }

    /// Whether the server advertised PIPELINING in its last CAPA reply,
    /// so the client writes queued commands without waiting for replies.
    pub fn pipelining_allowed(&self) -> bool {
        self.capabilities
            .as_ref()
            .is_some_and(|caps| caps.contains(&Capability::Pipelining))
    }

    /// The greeting's APOP timestamp, if it had one.
    pub fn apop_timestamp(&self) -> Option<&str> {
        self.apop_timestamp.as_deref()
    }

    /// Whether a reply or queued request is outstanding.
    pub fn is_idle(&self) -> bool {
        self.queue.is_empty() && self.in_flight.is_empty() && matches!(self.reading, Reading::Line)
    }

    /// Puts the session in the failed state for good.
    fn fail(&mut self, error: ProtocolError) -> ClientError {
        self.state = SessionState::Failed;
        self.failure = Some(error.clone());
        self.input.clear();
        self.out.clear();
        self.queue.clear();
        self.in_flight.clear();
        self.reading = Reading::Line;
        ClientError::Protocol(error)
    }

    /// Reads every complete line and body chunk in the buffered input
    /// followed by `data`.
    fn read_input(&mut self, mut data: &[u8]) -> Result<(), ProtocolError> {
        loop {
            // A command counts as sent once it is in the output buffer, so
            // the reply after this one may already be in the input.
            self.flush();
            if self.tls == TlsState::Handshake {
                self.input.clear();
                return Ok(());
            }
            if let Reading::Body { .. } = self.reading {
                if !self.input.is_empty() {
                    self.read_body(None);
                } else if !data.is_empty() {
                    // Body octets are decoded straight from the caller's
                    // buffer, never copied into ours first.
                    let used = self.read_body(Some(data));
                    data = data.get(used..).unwrap_or_default();
                } else {
                    return Ok(());
                }
                continue;
            }
            if !data.is_empty() {
                self.input.extend_from_slice(data);
                data = &[];
            }
            match next_line(&self.input, self.config.max_line) {
                LineEnd::Complete { content, total } => {
                    let mut line = self.input.split_to(total);
                    line.truncate(content);
                    self.read_line(&line)?;
                }
                LineEnd::Incomplete => return Ok(()),
                LineEnd::TooLong => {
                    return Err(ProtocolError::LineTooLong {
                        max: self.config.max_line,
                    });
                }
            }
        }
    }

    /// Decodes body octets from `data`, or from the input buffer when
    /// `None`, and returns how many octets of `data` were used.
    fn read_body(&mut self, data: Option<&[u8]>) -> usize {
        let Reading::Body { id, decoder } = &mut self.reading else {
            return 0;
        };
        let id = *id;
        let mut message = BytesMut::new();
        let decoded = decoder.decode(data.unwrap_or(&self.input), &mut message);
        if data.is_none() {
            self.input.advance(decoded.consumed);
        }
        if !message.is_empty() {
            self.events.push_back(ClientEvent::BodyChunk {
                id,
                data: message.freeze(),
            });
        }
        if decoded.done {
            self.events.push_back(ClientEvent::BodyEnd { id });
            self.reading = Reading::Line;
        }
        decoded.consumed
    }

    /// Starts reading a body after the `+OK` of RETR or TOP.
    pub(super) fn start_body(&mut self, id: super::RequestId) {
        self.reading = Reading::Body {
            id,
            decoder: Box::new(DotUnstuffer::new()),
        };
    }
}
