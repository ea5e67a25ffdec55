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

#[cfg(test)]
mod tests {
    use super::*;

    fn params(peer: &str, allow: bool) -> ConnectionParams {
        connection_params(
            peer.parse().unwrap(),
            TlsMode::StlsAvailable,
            allow,
            "mail.example.org",
            [1; 32],
        )
    }

    #[test]
    fn cleartext_only_from_loopback_unless_allowed() {
        for loopback in ["127.0.0.1:5000", "[::1]:5000", "[::ffff:127.0.0.1]:5000"] {
            assert!(params(loopback, false).cleartext_without_tls, "{loopback}");
        }
        for remote in [
            "192.0.2.7:5000",
            "[2001:db8::1]:5000",
            "[::ffff:192.0.2.7]:5000",
        ] {
            assert!(!params(remote, false).cleartext_without_tls, "{remote}");
            assert!(params(remote, true).cleartext_without_tls, "{remote}");
        }
    }

    #[test]
    fn apop_timestamps_are_unique_and_well_formed() {
        let a = params("127.0.0.1:1", false).apop_timestamp.unwrap();
        let b = params("127.0.0.1:1", false).apop_timestamp.unwrap();
        assert_ne!(a, b);
        assert!(
            a.starts_with('<') && a.ends_with("@mail.example.org>"),
            "{a}"
        );
    }
}
