//! Per-connection values the core cannot make itself: randomness and the
//! APOP timestamp.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};

use pop3_proto::server::{ConnectionParams, TlsMode};

/// Connections started by this process, to keep APOP timestamps unique
/// even within one clock tick.
static CONNECTIONS: AtomicU64 = AtomicU64::new(0);

/// Fresh random bytes from the operating system. If the system source
/// fails the connection must not go on with guessable nonces.
pub(super) fn random_bytes() -> Result<[u8; 32], getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(bytes)
}

/// The parameters of a new connection from `peer`.
pub(super) fn connection_params(
    peer: SocketAddr,
    tls: TlsMode,
    allow_cleartext: bool,
    hostname: &str,
    random: [u8; 32],
) -> ConnectionParams {
    let serial = CONNECTIONS.fetch_add(1, Ordering::Relaxed);
    let tag = u64::from_le_bytes([
        random[0], random[1], random[2], random[3], random[4], random[5], random[6], random[7],
    ]);
    let unique = format!("{}.{serial}.{tag:016x}", std::process::id());
    ConnectionParams {
        tls,
        cleartext_without_tls: allow_cleartext || peer.ip().to_canonical().is_loopback(),
        apop_timestamp: pop3_proto::apop::timestamp(&unique, hostname),
        random,
    }
}
