//! Accepting connections: the PROXY header where a listener asks for
//! one, admission against the limits, one task per session, and a
//! graceful stop.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};

use crate::auth::Authenticator;
use crate::limits::{ConnectionLimits, Refusal};
use crate::proxy::{TrustedNetworks, read_header};
use crate::services::Services;
use crate::session::run_session;
use crate::store::MaildropStore;

/// A bound socket and whether it speaks TLS from the first byte.
#[derive(Debug)]
pub struct Endpoint {
    /// The listening socket.
    pub listener: TcpListener,
    /// POP3S (implicit TLS) rather than POP3 with STLS.
    pub implicit_tls: bool,
    /// Expect a PROXY protocol header before anything else, and take the
    /// client's address from it; `None` for direct clients.
    pub proxy: Option<Arc<ProxyPolicy>>,
}

/// Who may send a PROXY header to a listener, and how long it may take.
#[derive(Debug, Clone)]
pub struct ProxyPolicy {
    /// Connections from elsewhere are closed unanswered.
    pub trusted: TrustedNetworks,
    /// Longest wait for the whole header.
    pub timeout: Duration,
}

/// How the server stops once told to.
#[derive(Debug, Clone, Copy)]
pub struct StopPolicy {
    /// How long running sessions may go on after the listeners close.
    pub grace: Duration,
    /// After the grace period sessions are told to end at their next wait
    /// for input; this long more is allowed for UPDATEs in progress.
    pub drain: Duration,
}

/// Serves on every endpoint until `shutdown` completes, then stops
/// accepting, lets sessions finish within the grace period, tells the
/// rest to end, and returns once all are gone (or the drain time is up).
pub async fn serve<A: Authenticator, S: MaildropStore>(
    services: Services<A, S>,
    limits: ConnectionLimits,
    endpoints: Vec<Endpoint>,
    shutdown: impl Future<Output = ()>,
    stop_policy: StopPolicy,
) {
    let (stop_sessions, sessions_stop) = watch::channel(false);
    let (stop_accepting, accepting_stop) = watch::channel(false);
    // Connections on PROXY listeners whose header has not arrived yet have
    // no client address to count under: they get places of their own, as
    // many as sessions, so that even a trusted proxy cannot hold sockets
    // and tasks without bound.
    let pending_headers = Arc::new(Semaphore::new(
        limits.max_total().min(Semaphore::MAX_PERMITS),
    ));
    let mut acceptors = Vec::new();
    for endpoint in endpoints {
        acceptors.push(tokio::spawn(accept_loop(
            services.clone(),
            limits.clone(),
            Arc::clone(&pending_headers),
            endpoint,
            accepting_stop.clone(),
            sessions_stop.clone(),
        )));
    }
    shutdown.await;
    tracing::info!(
        sessions = limits.open_connections(),
        "stopping: no new connections"
    );
    let _ = stop_accepting.send(true);
    for acceptor in acceptors {
        let _ = acceptor.await;
    }
    if !wait_for_sessions(&limits, stop_policy.grace).await {
        tracing::info!(
            sessions = limits.open_connections(),
            "grace period over: ending idle sessions"
        );
        let _ = stop_sessions.send(true);
        if !wait_for_sessions(&limits, stop_policy.drain).await {
            tracing::warn!(
                sessions = limits.open_connections(),
                "sessions still busy at exit"
            );
        }
    }
}

/// Waits until no session is left; false if `limit` passed first.
async fn wait_for_sessions(limits: &ConnectionLimits, limit: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + limit;
    while limits.open_connections() > 0 {
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    true
}

async fn accept_loop<A: Authenticator, S: MaildropStore>(
    services: Services<A, S>,
    limits: ConnectionLimits,
    pending_headers: Arc<Semaphore>,
    endpoint: Endpoint,
    mut stop: watch::Receiver<bool>,
    sessions_stop: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            accepted = endpoint.listener.accept() => accepted,
            _ = stop.wait_for(|stop| *stop) => return,
        };
        let (stream, socket_peer) = match accepted {
            Ok(pair) => pair,
            Err(e) => {
                // Out of file descriptors and the like: back off briefly
                // rather than spin.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let start = Start {
            services: services.clone(),
            limits: limits.clone(),
            implicit_tls: endpoint.implicit_tls,
            sessions_stop: sessions_stop.clone(),
        };
        match &endpoint.proxy {
            None => start.admit(stream, socket_peer),
            Some(policy) => {
                if !policy.trusted.trusts(socket_peer.ip()) {
                    tracing::warn!(%socket_peer, "PROXY listener: connection from an untrusted address closed");
                    continue;
                }
                let Ok(pending) = Arc::clone(&pending_headers).try_acquire_owned() else {
                    tracing::warn!(%socket_peer, "PROXY listener: too many headers awaited; connection closed");
                    continue;
                };
                let policy = Arc::clone(policy);
                let stop = stop.clone();
                tokio::spawn(async move {
                    let mut stream = stream;
                    let header = read_header(&mut stream, policy.timeout).await;
                    drop(pending);
                    match header {
                        Ok(header) if !*stop.borrow() => {
                            start.admit(stream, header.client(socket_peer));
                        }
                        Ok(_) => {}
                        Err(e) => {
                            tracing::info!(proxy = %socket_peer, error = %e, "no valid PROXY header: connection closed");
                        }
                    }
                });
            }
        }
    }
}

/// What starting a session on an accepted connection needs.
struct Start<A, S> {
    services: Services<A, S>,
    limits: ConnectionLimits,
    implicit_tls: bool,
    sessions_stop: watch::Receiver<bool>,
}

impl<A: Authenticator, S: MaildropStore> Start<A, S> {
    /// Admits the client `peer` (the socket's peer, or the address a
    /// PROXY header gave) against the limits and runs its session, or
    /// refuses it.
    fn admit(self, stream: TcpStream, peer: SocketAddr) {
        let permit = match self.limits.admit(peer.ip()) {
            Ok(permit) => permit,
            Err(refusal) => {
                tracing::info!(%peer, ?refusal, "connection refused: limit reached");
                tokio::spawn(refuse(stream, self.implicit_tls, refusal));
                return;
            }
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let end = run_session(
                self.services,
                stream,
                peer,
                self.implicit_tls,
                self.sessions_stop,
            )
            .await;
            end.log();
            drop(permit);
        });
    }
}

/// Tells a refused plain-text peer why before closing; a TLS peer could
/// not read a clear-text line, so it is just closed.
async fn refuse(mut stream: TcpStream, implicit_tls: bool, refusal: Refusal) {
    if !implicit_tls {
        let line: &[u8] = match refusal {
            Refusal::Total => b"-ERR [SYS/TEMP] Too many connections; try again later\r\n",
            Refusal::PerAddress => {
                b"-ERR [SYS/TEMP] Too many connections from your address; try again later\r\n"
            }
        };
        let _ = tokio::time::timeout(Duration::from_secs(5), stream.write_all(line)).await;
    }
    let _ = stream.shutdown().await;
}

/// Binds a listening socket on `addr`.
pub async fn bind(addr: std::net::SocketAddr) -> io::Result<TcpListener> {
    TcpListener::bind(addr).await
}
