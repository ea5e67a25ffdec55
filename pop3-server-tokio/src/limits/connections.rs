//! Caps on concurrent connections, in total and per peer (an IPv4
//! address or an IPv6 /64, see [`peer_group`]).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

use super::peer_group;

/// Why a connection was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The server is at its total connection limit.
    Total,
    /// This peer (its address, or its IPv6 /64) is at its own limit.
    PerAddress,
}

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    per_address: HashMap<IpAddr, usize>,
}

/// Counts live connections; [`ConnectionLimits::admit`] hands out a permit
/// that gives its place back when dropped, so a panicking or aborted
/// session task can never leak a slot.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    max_total: usize,
    max_per_address: usize,
    counts: Arc<Mutex<Counts>>,
}

impl ConnectionLimits {
    /// Limits of `max_total` connections, at most `max_per_address` of
    /// them from one IPv4 address or one IPv6 /64.
    pub fn new(max_total: usize, max_per_address: usize) -> Self {
        Self {
            max_total,
            max_per_address,
            counts: Arc::default(),
        }
    }

    /// Takes a place for a connection from `peer`, if there is one.
    pub fn admit(&self, peer: IpAddr) -> Result<ConnectionPermit, Refusal> {
        let peer = peer_group(peer);
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        if counts.total >= self.max_total {
            return Err(Refusal::Total);
        }
        let mine = counts.per_address.entry(peer).or_insert(0);
        if *mine >= self.max_per_address {
            return Err(Refusal::PerAddress);
        }
        *mine += 1;
        counts.total += 1;
        Ok(ConnectionPermit {
            peer,
            counts: Arc::clone(&self.counts),
        })
    }

    /// The most connections open at once.
    pub fn max_total(&self) -> usize {
        self.max_total
    }

    /// Connections now open.
    pub fn open_connections(&self) -> usize {
        self.counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .total
    }
}

/// One admitted connection's place; released on drop.
#[derive(Debug)]
pub struct ConnectionPermit {
    peer: IpAddr,
    counts: Arc<Mutex<Counts>>,
}

impl Drop for ConnectionPermit {
    fn drop(&mut self) {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        counts.total = counts.total.saturating_sub(1);
        if let Some(n) = counts.per_address.get_mut(&self.peer) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                counts.per_address.remove(&self.peer);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_address_and_total_caps_hold_and_release() {
        let limits = ConnectionLimits::new(3, 2);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let a1 = limits.admit(a).unwrap();
        let _a2 = limits.admit(a).unwrap();
        assert_eq!(limits.admit(a).unwrap_err(), Refusal::PerAddress);
        let _b1 = limits.admit(b).unwrap();
        assert_eq!(limits.admit(b).unwrap_err(), Refusal::Total);
        drop(a1);
        assert_eq!(limits.open_connections(), 2);
        assert!(limits.admit(b).is_ok());
    }

    #[test]
    fn one_ipv6_64_is_one_peer() {
        let limits = ConnectionLimits::new(10, 2);
        let addr = |s: &str| s.parse::<IpAddr>().unwrap();
        let _first = limits.admit(addr("2001:db8::1")).unwrap();
        let _second = limits.admit(addr("2001:db8::2")).unwrap();
        assert_eq!(
            limits.admit(addr("2001:db8::3")).unwrap_err(),
            Refusal::PerAddress
        );
        assert!(limits.admit(addr("2001:db8:0:1::1")).is_ok());
    }
}
