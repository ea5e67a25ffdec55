//! The failed-login penalty: a delay before each refusal that doubles with
//! every recent failure from the same peer (an IPv4 address or an IPv6
//! /64, see [`peer_group`]), up to a ceiling.

use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::peer_group;
use super::swept::SweptMap;

/// Entries this old are forgotten: a peer that stopped failing for this
/// long starts again at the base delay.
const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Clone, Copy)]
struct Record {
    failures: u32,
    last: Instant,
}

/// Remembers recent failed logins per peer address.
///
/// Time is passed in, so the policy is testable without sleeping.
#[derive(Debug, Clone)]
pub struct LoginPenalty {
    base: Duration,
    max: Duration,
    /// Swept of forgotten entries as it grows, so a scan from many
    /// addresses can neither grow it without bound nor make every failure
    /// scan it.
    records: Arc<Mutex<SweptMap<IpAddr, Record>>>,
}

impl LoginPenalty {
    /// A penalty starting at `base` and doubling up to `max`. A zero base
    /// disables it.
    pub fn new(base: Duration, max: Duration) -> Self {
        Self {
            base,
            max,
            records: Arc::default(),
        }
    }

    /// Records a failed login from `peer` at `now` and returns how long to
    /// wait before answering it.
    pub fn failed(&self, peer: IpAddr, now: Instant) -> Duration {
        let peer = peer_group(peer);
        let mut records = self.records.lock().unwrap_or_else(PoisonError::into_inner);
        let fresh = |r: &Record| now.saturating_duration_since(r.last) < FORGET_AFTER;
        let record = records.entry(peer, fresh).or_insert(Record {
            failures: 0,
            last: now,
        });
        if now.saturating_duration_since(record.last) >= FORGET_AFTER {
            record.failures = 0;
        }
        record.failures = record.failures.saturating_add(1);
        record.last = now;
        let doublings = record.failures.saturating_sub(1).min(31);
        self.base
            .checked_mul(1u32 << doublings)
            .unwrap_or(self.max)
            .min(self.max)
    }

    /// Forgets `peer`'s failures after a successful login.
    pub fn succeeded(&self, peer: IpAddr) {
        self.records
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&peer_group(peer));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_to_the_ceiling_and_resets() {
        let p = LoginPenalty::new(Duration::from_secs(2), Duration::from_secs(15));
        let peer: IpAddr = "198.51.100.7".parse().unwrap();
        let other: IpAddr = "198.51.100.8".parse().unwrap();
        let t = Instant::now();
        let delays: Vec<u64> = (0..5).map(|_| p.failed(peer, t).as_secs()).collect();
        assert_eq!(delays, [2, 4, 8, 15, 15]);
        assert_eq!(p.failed(other, t).as_secs(), 2);
        p.succeeded(peer);
        assert_eq!(p.failed(peer, t).as_secs(), 2);
        assert_eq!(p.failed(peer, t + FORGET_AFTER).as_secs(), 2);
    }

    #[test]
    fn addresses_of_one_ipv6_64_share_their_failures() {
        let p = LoginPenalty::new(Duration::from_secs(1), Duration::from_secs(60));
        let t = Instant::now();
        let addr = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(p.failed(addr("2001:db8::1"), t).as_secs(), 1);
        assert_eq!(p.failed(addr("2001:db8::2"), t).as_secs(), 2);
        assert_eq!(p.failed(addr("2001:db8::ffff"), t).as_secs(), 4);
        assert_eq!(p.failed(addr("2001:db8:0:1::1"), t).as_secs(), 1);
    }

    #[test]
    fn zero_base_means_no_delay() {
        let p = LoginPenalty::new(Duration::ZERO, Duration::from_secs(15));
        let peer: IpAddr = "::1".parse().unwrap();
        assert_eq!(p.failed(peer, Instant::now()), Duration::ZERO);
    }
}
