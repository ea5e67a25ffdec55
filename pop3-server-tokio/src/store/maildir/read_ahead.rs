//! Reading the next small messages together with the one asked for.
//!
//! Clients that download a maildrop ask for message 1, 2, 3, ... in turn.
//! Each trip to the blocking thread pool costs a thread wake-up and a
//! hand-back, which for a few-KiB message is more than the file work
//! itself. Once a session has asked for two messages in a row, the trip
//! that opens one also reads the following small messages, up to a fixed
//! budget, and keeps them for the requests that follow.

use std::collections::VecDeque;
use std::path::Path;

use super::file::open_regular;
use super::open::{Body, read_first};
use super::scan::Location;

/// Stored octets read ahead per trip, at most: bounds the memory a
/// session holds beyond the message it is sending.
pub(super) const BUDGET: u64 = 64 * 1024;

/// Messages read ahead per trip, at most.
const MAX_MESSAGES: usize = 32;

/// A message read ahead of its request.
#[derive(Debug)]
pub(super) struct Prefetched {
    /// Its index into the snapshot.
    pub(super) index: usize,
    /// Its stored octets.
    pub(super) bytes: Vec<u8>,
}

/// The messages read ahead for one session, and what it asked for last.
#[derive(Debug, Default)]
pub(super) struct ReadAhead {
    queue: VecDeque<Prefetched>,
    last_opened: Option<usize>,
}

impl ReadAhead {
    /// Takes message `index` if it was read ahead. Any other request means
    /// the client is not reading in order: what was read ahead is dropped.
    pub(super) fn take(&mut self, index: usize) -> Option<Prefetched> {
        let hit = match self.queue.pop_front() {
            Some(next) if next.index == index => Some(next),
            _ => {
                self.queue.clear();
                None
            }
        };
        self.last_opened = Some(index);
        hit
    }

    /// Whether a trip for message `index` should read ahead: only when the
    /// client asked for the message before it last.
    pub(super) fn wanted(&self, index: usize) -> bool {
        index
            .checked_sub(1)
            .is_some_and(|before| self.last_opened == Some(before))
    }

    /// Keeps messages read ahead, in index order.
    pub(super) fn keep(&mut self, prefetched: Vec<Prefetched>) {
        self.queue = prefetched.into();
    }
}

/// The messages after `index` to read ahead: each `(index, location)`
/// while their wire sizes (never less than the stored size) fit the
/// budget.
pub(super) fn candidates(
    files: &[Location],
    sizes: impl Iterator<Item = u64>,
    index: usize,
) -> Vec<(usize, Location)> {
    let mut total = 0u64;
    let mut out = Vec::new();
    let following = files.iter().zip(sizes).enumerate().skip(index + 1);
    for (i, (location, size)) in following.take(MAX_MESSAGES) {
        total = total.saturating_add(size);
        if total > BUDGET {
            break;
        }
        out.push((i, location.clone()));
    }
    out
}

/// Reads the `candidates` whole, in order, each where the snapshot last
/// saw it, stopping at the first that cannot be read there or is not
/// small: its own request will open it, follow a rename (a directory
/// search, not worth making for a guess) and report what is wrong. Runs
/// blocking file operations.
pub(super) fn read(maildir: &Path, candidates: Vec<(usize, Location)>) -> Vec<Prefetched> {
    let mut out = Vec::with_capacity(candidates.len());
    for (index, seen) in candidates {
        let Ok((file, meta)) = open_regular(&seen.path(maildir)) else {
            break;
        };
        match read_first(maildir, &seen, file, meta.len()) {
            Ok(Body::Whole(bytes)) => out.push(Prefetched { index, bytes }),
            Ok(Body::Chunked(..)) | Err(_) => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::scan::Sub;
    use super::*;

    fn at(name: &str) -> Location {
        Location {
            sub: Sub::New,
            name: name.into(),
        }
    }

    fn prefetched(index: usize) -> Prefetched {
        Prefetched {
            index,
            bytes: vec![b'x'],
        }
    }

    #[test]
    fn only_a_request_for_the_next_message_reads_ahead() {
        let mut ahead = ReadAhead::default();
        assert!(!ahead.wanted(0));
        assert!(!ahead.wanted(1));
        assert!(ahead.take(0).is_none());
        assert!(ahead.wanted(1));
        assert!(!ahead.wanted(2));
        assert!(ahead.take(5).is_none());
        assert!(ahead.wanted(6));
    }

    #[test]
    fn a_request_out_of_order_drops_what_was_read() {
        let mut ahead = ReadAhead::default();
        ahead.keep(vec![prefetched(2), prefetched(3), prefetched(4)]);
        assert_eq!(ahead.take(2).map(|p| p.index), Some(2));
        assert!(ahead.take(4).is_none());
        assert!(ahead.take(4).is_none(), "dropped, not kept for later");
    }

    #[test]
    fn candidates_fit_the_budget_and_start_after_the_request() {
        let files: Vec<Location> = (0..10).map(|i| at(&format!("m{i}"))).collect();
        let sizes = [10, 10, 20_000, 20_000, 20_000, 20_000, 1, 1, 1, 1];
        let picked: Vec<usize> = candidates(&files, sizes.into_iter(), 1)
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        assert_eq!(picked, [2, 3, 4]);
        assert!(candidates(&files, sizes.into_iter(), 9).is_empty());
        let small = [1u64; 100];
        let many: Vec<Location> = (0..100).map(|i| at(&format!("m{i}"))).collect();
        assert_eq!(candidates(&many, small.into_iter(), 0).len(), MAX_MESSAGES);
    }
}
