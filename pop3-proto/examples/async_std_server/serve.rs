//! One connection on async-std: the same loop every adapter runs.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_std::io::{ReadExt, WriteExt};
use async_std::net::TcpStream;
use pop3_proto::server::{
    BodyDemand, CommitOutcome, ConnectionParams, Credentials, Event, LoginError, Maildrop,
    MessageEntry, Server, ServerConfig, TlsMode,
};

/// Messages held in memory for one user; deletions really remove them.
pub(crate) struct MemoryStore {
    user: &'static str,
    password: &'static [u8],
    messages: Mutex<Vec<(String, Vec<u8>)>>,
}

impl MemoryStore {
    /// `demo`/`demo` with two messages.
    pub(crate) fn sample() -> Self {
        Self {
            user: "demo",
            password: b"demo",
            messages: Mutex::new(vec![
                ("m1".into(), b"Subject: one\n\nfirst message\n".to_vec()),
                ("m2".into(), b"Subject: two\n\n.dotted line\n".to_vec()),
            ]),
        }
    }

    /// What is stored now (after any deletions).
    #[allow(dead_code)]
    pub(crate) fn messages(&self) -> Vec<Vec<u8>> {
        let guard = self.messages.lock().unwrap_or_else(|e| e.into_inner());
        guard.iter().map(|(_, m)| m.clone()).collect()
    }

    fn snapshot(&self) -> Vec<(String, Vec<u8>)> {
        self.messages
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn remove(&self, uids: &[String]) {
        let mut guard = self.messages.lock().unwrap_or_else(|e| e.into_inner());
        guard.retain(|(uid, _)| !uids.contains(uid));
    }
}

/// Serves one connection until the session ends.
pub(crate) async fn connection(
    mut stream: TcpStream,
    store: &Arc<MemoryStore>,
) -> std::io::Result<()> {
    let loopback = stream.peer_addr()?.ip().is_loopback();
    let params = ConnectionParams {
        tls: TlsMode::None,
        cleartext_without_tls: loopback,
        apop_timestamp: None,
        random: [7; 32],
    };
    let mut server = Server::new(Arc::new(ServerConfig::default()), params, Instant::now());
    let mut snapshot: Vec<(String, Vec<u8>)> = Vec::new();
    let mut body: Option<Vec<u8>> = None;
    let mut input = [0u8; 4096];
    loop {
        while let Some(event) = server.poll_event() {
            match event {
                Event::Login(request) => {
                    let good = request.username().as_str() == store.user
                        && matches!(request.credentials(),
                            Credentials::Password(p) if p.expose_secret() == store.password);
                    if good {
                        snapshot = store.snapshot();
                        let entries = snapshot
                            .iter()
                            .map(|(uid, m)| {
                                Ok(MessageEntry {
                                    size: pop3_proto::body::wire_size(m),
                                    uid: uid.parse()?,
                                })
                            })
                            .collect::<Result<Vec<_>, pop3_proto::types::ValueError>>()
                            .map_err(std::io::Error::other)?;
                        let maildrop = Maildrop::new(entries).map_err(std::io::Error::other)?;
                        let _ = server.accept_login(request, maildrop);
                    } else {
                        let _ = server.reject_login(request, LoginError::BadCredentials);
                    }
                }
                Event::Retrieve(request) => {
                    body = snapshot.get(request.index()).map(|(_, m)| m.clone());
                    let _ = server.retrieve_start(request);
                }
                Event::Commit(request) => {
                    let uids: Vec<String> = request
                        .deletions()
                        .iter()
                        .map(|d| d.uid.as_str().to_owned())
                        .collect();
                    store.remove(&uids);
                    let _ = server.commit_done(request, CommitOutcome::Done);
                }
                Event::ScramLookup(lookup) => {
                    let _ = server.scram_secrets(lookup, None);
                }
                Event::StartTls | Event::Closed(_) => {}
            }
        }
        loop {
            match server.body_demand() {
                BodyDemand::Wanted => match body.take() {
                    Some(data) => {
                        let _ = server.body_data(&data);
                    }
                    None => {
                        let _ = server.body_end();
                    }
                },
                BodyDemand::Complete => {
                    body = None;
                    let _ = server.body_end();
                }
                BodyDemand::Blocked | BodyDemand::Idle => break,
            }
        }
        while let Some(bytes) = server.poll_transmit(Instant::now()) {
            stream.write_all(&bytes).await?;
        }
        if server.is_closed() {
            return Ok(());
        }
        // Taking output lets the core read on into pipelined commands,
        // which may have raised events: handle those before waiting.
        if server.body_demand() != BodyDemand::Idle || !server.wants_input() {
            continue;
        }
        let wait = server
            .poll_timeout()
            .map(|t| t.saturating_duration_since(Instant::now()))
            .unwrap_or(Duration::from_secs(600));
        match async_std::future::timeout(wait, stream.read(&mut input)).await {
            Ok(Ok(0)) => return Ok(()),
            Ok(Ok(n)) => server.handle_input(Instant::now(), input.get(..n).unwrap_or_default()),
            Ok(Err(e)) => return Err(e),
            Err(_) => server.handle_timeout(Instant::now()),
        }
    }
}
