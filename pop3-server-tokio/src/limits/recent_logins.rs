//! LOGIN-DELAY (RFC 2449 section 6.5): when each maildrop was last logged
//! in to, so a login sooner than the advertised delay can be refused with
//! `[LOGIN-DELAY]`.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::swept::SweptMap;

/// The last successful login per maildrop owner, shared by the sessions
/// of one server. It holds the owners that logged in within the delay,
/// and about as many stale entries at most (swept as it grows); a restart
/// forgets it.
///
/// Time is passed in, so the policy is testable without sleeping.
#[derive(Debug, Clone, Default)]
pub struct RecentLogins {
    table: Arc<Mutex<SweptMap<String, Instant>>>,
}

impl RecentLogins {
    /// Whether a login to `owner`'s maildrop at `now` comes less than
    /// `delay` after the last one.
    pub fn too_soon(&self, owner: &str, now: Instant, delay: Duration) -> bool {
        let table = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        table
            .get(owner)
            .is_some_and(|&last| now.saturating_duration_since(last) < delay)
    }

    /// Records a successful login to `owner`'s maildrop at `now`.
    pub fn logged_in(&self, owner: &str, now: Instant, delay: Duration) {
        let mut table = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        let fresh = |&last: &Instant| now.saturating_duration_since(last) < delay;
        table.entry(owner.to_owned(), fresh).insert_entry(now);
    }

    /// Owners remembered.
    #[cfg(test)]
    fn len(&self) -> usize {
        let table = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        table.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::limits::swept::FIRST_SWEEP_AT;

    const DELAY: Duration = Duration::from_secs(900);

    #[test]
    fn a_second_login_within_the_delay_is_too_soon() {
        let logins = RecentLogins::default();
        let t0 = Instant::now();
        assert!(!logins.too_soon("alice", t0, DELAY));
        logins.logged_in("alice", t0, DELAY);
        assert!(logins.too_soon("alice", t0 + DELAY - Duration::from_secs(1), DELAY));
        assert!(!logins.too_soon("alice", t0 + DELAY, DELAY));
        // Another maildrop is not affected.
        assert!(!logins.too_soon("carol", t0, DELAY));
    }

    #[test]
    fn the_delay_runs_from_the_last_login() {
        let logins = RecentLogins::default();
        let t0 = Instant::now();
        logins.logged_in("alice", t0, DELAY);
        logins.logged_in("alice", t0 + DELAY, DELAY);
        assert!(logins.too_soon("alice", t0 + DELAY + Duration::from_secs(60), DELAY));
    }

    #[test]
    fn old_entries_are_swept_and_recent_ones_kept() {
        let logins = RecentLogins::default();
        let t0 = Instant::now();
        for i in 1..FIRST_SWEEP_AT {
            logins.logged_in(&format!("old{i}"), t0, DELAY);
        }
        logins.logged_in("recent", t0 + DELAY / 2, DELAY);
        assert_eq!(logins.len(), FIRST_SWEEP_AT);
        // The table is full: this login sweeps every entry older than the
        // delay first.
        let later = t0 + DELAY;
        logins.logged_in("new", later, DELAY);
        assert_eq!(logins.len(), 2);
        assert!(logins.too_soon("recent", later, DELAY));
        assert!(logins.too_soon("new", later, DELAY));
        assert!(!logins.too_soon("old1", later, DELAY));
        // The next sweep waits until the table has grown again.
        for i in 0..FIRST_SWEEP_AT - 3 {
            logins.logged_in(&format!("more{i}"), later, DELAY);
        }
        assert_eq!(logins.len(), FIRST_SWEEP_AT - 1);
    }
}
