//! The session loop: read, hand to the core, answer its events, stream
//! bodies, write what it produced; repeat until it closes.

use std::net::SocketAddr;
use std::time::Instant;

use pop3_proto::server::{BodyDemand, Event, Server, TlsMode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;

use super::events::Pending;
use super::params::{connection_params, random_bytes};
use super::{EndReason, SessionEnd};
use crate::auth::Authenticator;
use crate::services::Services;
use crate::store::{MaildropStore, MessageReader};
use crate::transport::Transport;

/// Socket reads at most this much at a time; the core buffers at most one
/// command line beyond it.
const READ_CHUNK: usize = 4096;
/// How a TLS connection starts: a handshake record (content type 22) of
/// protocol version 3.x. No POP3 command starts with these octets.
const TLS_HANDSHAKE_RECORD: &[u8] = &[0x16, 0x03];
/// Message bodies are read from storage in chunks this large.
const BODY_CHUNK: usize = 64 * 1024;
/// Longest wait for the last words of a session (a refusal line, the TLS
/// close_notify) when the peer does not read them; the autologout time
/// bounds it too.
const CLOSE_LIMIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Runs one session on an accepted connection until it ends, and says how
/// it ended. `implicit_tls` starts with a TLS handshake (POP3S). When
/// `stop` turns true the session is ended at its next wait for input
/// (never in the middle of an UPDATE).
pub async fn run_session<A: Authenticator, S: MaildropStore>(
    services: Services<A, S>,
    stream: TcpStream,
    peer: SocketAddr,
    implicit_tls: bool,
    stop: watch::Receiver<bool>,
) -> SessionEnd {
    let started = Instant::now();
    let mut session = Session {
        services,
        transport: Transport::Plain(stream),
        peer,
        stop,
        body: None,
        body_buf: Vec::new(),
        maildrop: None,
        tls: false,
        read_any: false,
        closed: None,
    };
    let (reason, server) = session.run(implicit_tls, started).await;
    SessionEnd {
        peer,
        user: server
            .as_ref()
            .and_then(|s| s.username().map(|u| u.as_str().to_owned())),
        tls: session.tls,
        stats: server.map(|s| s.stats().clone()).unwrap_or_default(),
        duration: started.elapsed(),
        reason,
    }
}

/// One connection's state outside the core.
pub(super) struct Session<A, S: MaildropStore> {
    pub(super) services: Services<A, S>,
    pub(super) transport: Transport,
    pub(super) peer: SocketAddr,
    stop: watch::Receiver<bool>,
    /// The message being sent, if any.
    pub(super) body: Option<MessageReader>,
    body_buf: Vec<u8>,
    /// The locked maildrop, from login to the end.
    pub(super) maildrop: Option<S::Open>,
    pub(super) tls: bool,
    /// Whether the peer has sent anything yet.
    read_any: bool,
    /// Why the core closed the session, once it has.
    pub(super) closed: Option<pop3_proto::server::CloseReason>,
}

impl<A: Authenticator, S: MaildropStore> Session<A, S> {
    async fn run(&mut self, implicit_tls: bool, now: Instant) -> (EndReason, Option<Server>) {
        let random = match random_bytes() {
            Ok(r) => r,
            Err(e) => return (EndReason::Io(format!("no system randomness: {e}")), None),
        };
        if implicit_tls && let Err(reason) = self.start_tls().await {
            return (reason, None);
        }
        let mode = match (implicit_tls, self.services.tls.is_some()) {
            (true, _) => TlsMode::Implicit,
            (false, true) => TlsMode::StlsAvailable,
            (false, false) => TlsMode::None,
        };
        let params = connection_params(
            self.peer,
            mode,
            self.services.allow_cleartext,
            &self.services.protocol.hostname,
            random,
        );
        let mut server = Server::new(self.services.protocol.clone(), params, now);
        let reason = self.drive(&mut server).await;
        // A TLS shutdown first writes whatever ciphertext is still
        // buffered: a peer that stopped reading would make it wait forever
        // and keep the session, its maildrop lock and its connection slot.
        let _ = tokio::time::timeout(self.close_limit(), self.transport.shutdown()).await;
        (reason, Some(server))
    }

    async fn drive(&mut self, server: &mut Server) -> EndReason {
        let mut input = [0u8; READ_CHUNK];
        loop {
            while let Some(event) = server.poll_event() {
                if let Err(reason) = self.handle(server, event).await {
                    return reason;
                }
            }
            self.pump_body(server).await;
            if let Err(reason) = self.flush(server).await {
                return reason;
            }
            if let Some(reason) = self.closed_reason(server) {
                return reason;
            }
            // Writing output lets the core read on into pipelined
            // commands, which may have raised new events.
            if let Some(event) = server.poll_event() {
                if let Err(reason) = self.handle(server, event).await {
                    return reason;
                }
                continue;
            }
            if matches!(
                server.body_demand(),
                BodyDemand::Wanted | BodyDemand::Complete
            ) {
                continue;
            }
            if !server.wants_input() {
                // Nothing to read, nothing to send, not closed: the core is
                // waiting for something this driver does not provide.
                return EndReason::Io("session stalled".into());
            }
            if let Err(reason) = self.wait_for_input(server, &mut input).await {
                return reason;
            }
        }
    }

    /// Answers one event, running the STLS handshake when asked.
    async fn handle(&mut self, server: &mut Server, event: Event) -> Result<(), EndReason> {
        if let Pending::StartTls = self.answer(server, event).await {
            self.flush(server).await?;
            self.start_tls().await?;
            let _ = server.tls_established(Instant::now());
        }
        Ok(())
    }

    /// Waits for peer bytes, the autologout deadline or a stop request.
    async fn wait_for_input(
        &mut self,
        server: &mut Server,
        input: &mut [u8],
    ) -> Result<(), EndReason> {
        // The core's autologout clock runs from the last complete command,
        // so a peer trickling bytes (slowloris) is dropped on time. There
        // is no deadline during UPDATE; wake up now and then anyway.
        let deadline = server
            .poll_timeout()
            .map(tokio::time::Instant::from_std)
            .unwrap_or_else(|| tokio::time::Instant::now() + self.services.protocol.autologout);
        tokio::select! {
            read = self.transport.read(input) => match read {
                Ok(0) => Err(EndReason::PeerClosed),
                Ok(n) => {
                    let bytes = input.get(..n).unwrap_or_default();
                    let first = !std::mem::replace(&mut self.read_any, true);
                    if first && !self.tls && bytes.starts_with(TLS_HANDSHAKE_RECORD) {
                        return Err(EndReason::TlsOnPlainPort);
                    }
                    server.handle_input(Instant::now(), bytes);
                    Ok(())
                }
                Err(e) => Err(EndReason::Io(e.to_string())),
            },
            () = tokio::time::sleep_until(deadline) => {
                server.handle_timeout(Instant::now());
                Ok(())
            }
            stopped = wait_for_stop(&mut self.stop) => {
                if stopped {
                    let line = b"-ERR [SYS/TEMP] Server shutting down; try again later\r\n";
                    self.last_words(line).await;
                    Err(EndReason::Shutdown)
                } else {
                    // The stop signal's sender is gone: no stop will come.
                    std::future::pending().await
                }
            }
        }
    }

    /// Streams the current message while the core wants more of it.
    async fn pump_body(&mut self, server: &mut Server) {
        loop {
            match server.body_demand() {
                BodyDemand::Idle | BodyDemand::Blocked => return,
                BodyDemand::Complete => {
                    self.body = None;
                    let _ = server.body_end();
                }
                BodyDemand::Wanted => {
                    let Some(reader) = self.body.as_mut() else {
                        let _ = server.body_end();
                        continue;
                    };
                    self.body_buf.resize(BODY_CHUNK, 0);
                    match reader.read(&mut self.body_buf).await {
                        Ok(0) => {
                            self.body = None;
                            let _ = server.body_end();
                        }
                        Ok(n) => {
                            let _ = server.body_data(self.body_buf.get(..n).unwrap_or_default());
                        }
                        Err(e) => {
                            tracing::warn!(peer = %self.peer, error = %e, "reading a message failed mid-way");
                            self.body = None;
                            server.body_abort();
                        }
                    }
                }
            }
        }
    }

    /// Writes everything the core has produced. A peer that does not read
    /// for the autologout time is dropped.
    pub(super) async fn flush(&mut self, server: &mut Server) -> Result<(), EndReason> {
        let limit = self.services.protocol.autologout;
        while let Some(bytes) = server.poll_transmit(Instant::now()) {
            match tokio::time::timeout(limit, self.transport.write_all(&bytes)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(EndReason::Io(e.to_string())),
                Err(_) => return Err(EndReason::WriteTimeout),
            }
        }
        match tokio::time::timeout(limit, self.transport.flush()).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(EndReason::Io(e.to_string())),
            Err(_) => Err(EndReason::WriteTimeout),
        }
    }

    /// How long closing may wait on a peer that does not read.
    fn close_limit(&self) -> std::time::Duration {
        self.services.protocol.autologout.min(CLOSE_LIMIT)
    }

    /// Sends a final line the core did not produce, waiting no longer than
    /// [`Self::close_limit`] for the peer to take it.
    async fn last_words(&mut self, line: &[u8]) {
        let limit = self.close_limit();
        let transport = &mut self.transport;
        let _ = tokio::time::timeout(limit, async move {
            transport.write_all(line).await?;
            transport.flush().await
        })
        .await;
    }

    fn closed_reason(&self, server: &Server) -> Option<EndReason> {
        server.is_closed().then(|| {
            EndReason::Protocol(self.closed.unwrap_or(pop3_proto::server::CloseReason::Quit))
        })
    }

    /// Runs the TLS handshake on the plain stream.
    async fn start_tls(&mut self) -> Result<(), EndReason> {
        let Some(tls) = self.services.tls.clone() else {
            return Err(EndReason::Handshake("TLS is not configured".into()));
        };
        let Transport::Plain(tcp) = std::mem::replace(&mut self.transport, Transport::Upgrading)
        else {
            return Err(EndReason::Handshake(
                "connection is already encrypted".into(),
            ));
        };
        let handshake = tls.acceptor().accept(tcp);
        match tokio::time::timeout(self.services.handshake_timeout, handshake).await {
            Ok(Ok(stream)) => {
                self.transport = Transport::Tls(Box::new(stream));
                self.tls = true;
                Ok(())
            }
            Ok(Err(e)) => Err(EndReason::Handshake(e.to_string())),
            Err(_) => Err(EndReason::Handshake("timed out".into())),
        }
    }
}

/// Whether a stop was requested; false if the sender went away (then no
/// stop can come).
async fn wait_for_stop(stop: &mut watch::Receiver<bool>) -> bool {
    stop.wait_for(|stop| *stop).await.is_ok()
}
