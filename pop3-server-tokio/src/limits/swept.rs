//! A table of recent entries that drops stale ones as it grows, so peers
//! cannot make it grow without bound, nor make each insert scan it.

use std::collections::HashMap;
use std::hash::Hash;

/// Entries kept before the first sweep.
const FIRST_SWEEP_AT: usize = 10_000;

/// A map swept of stale entries when it reaches a size that doubles with
/// what each sweep leaves: the sweeps cost, together, a constant per
/// insert, however many entries stay fresh.
#[derive(Debug)]
pub(super) struct SweptMap<K, V> {
    entries: HashMap<K, V>,
    sweep_at: usize,
}

impl<K, V> Default for SweptMap<K, V> {
    fn default() -> Self {
        Self {
            entries: HashMap::new(),
            sweep_at: FIRST_SWEEP_AT,
        }
    }
}

impl<K: Eq + Hash, V> SweptMap<K, V> {
    /// Makes room for one more entry: when the table has reached its
    /// sweep size, keeps only the entries for which `fresh` holds.
    pub(super) fn sweep_if_full(&mut self, fresh: impl FnMut(&V) -> bool) {
        if self.entries.len() >= self.sweep_at {
            let mut fresh = fresh;
            self.entries.retain(|_, value| fresh(value));
            self.sweep_at = (2 * self.entries.len()).max(FIRST_SWEEP_AT);
        }
    }

    pub(super) fn entries(&self) -> &HashMap<K, V> {
        &self.entries
    }

    pub(super) fn entries_mut(&mut self) -> &mut HashMap<K, V> {
        &mut self.entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweeps_stale_entries_once_full_then_waits_for_twice_the_rest() {
        let mut map = SweptMap::<usize, bool>::default();
        // Three keys in four are fresh.
        for key in 0..FIRST_SWEEP_AT {
            map.sweep_if_full(|fresh| *fresh);
            map.entries_mut().insert(key, key % 4 != 0);
        }
        assert_eq!(map.entries().len(), FIRST_SWEEP_AT);
        map.sweep_if_full(|fresh| *fresh);
        let left = FIRST_SWEEP_AT * 3 / 4;
        assert_eq!(map.entries().len(), left);
        // The next sweep waits until the table holds twice what was left
        // (above the first size), not for every insert.
        for key in FIRST_SWEEP_AT..FIRST_SWEEP_AT + left - 1 {
            map.sweep_if_full(|_| false);
            map.entries_mut().insert(key, false);
        }
        assert_eq!(map.entries().len(), 2 * left - 1);
        map.sweep_if_full(|_| false);
        assert_eq!(map.entries().len(), 2 * left - 1);
        map.entries_mut().insert(usize::MAX, false);
        map.sweep_if_full(|_| false);
        assert!(map.entries().is_empty());
    }
}
