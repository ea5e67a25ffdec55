//! A table of recent entries that drops stale ones as it grows, so peers
//! cannot make it grow without bound, nor make each insert scan it.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::Hash;

/// Entries kept before the first sweep.
pub(super) const FIRST_SWEEP_AT: usize = 10_000;

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
    /// The entry for `key`, to read or fill. When the table has reached
    /// its sweep size, it first keeps only the entries for which `fresh`
    /// holds, so an insert can never skip the sweep.
    pub(super) fn entry(&mut self, key: K, mut fresh: impl FnMut(&V) -> bool) -> Entry<'_, K, V> {
        if self.entries.len() >= self.sweep_at {
            self.entries.retain(|_, value| fresh(value));
            self.sweep_at = (2 * self.entries.len()).max(FIRST_SWEEP_AT);
        }
        self.entries.entry(key)
    }

    pub(super) fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        self.entries.get(key)
    }

    pub(super) fn remove(&mut self, key: &K) -> Option<V> {
        self.entries.remove(key)
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweeps_stale_entries_once_full_then_waits_for_twice_the_rest() {
        let mut map = SweptMap::<usize, bool>::default();
        let fresh = |fresh: &bool| *fresh;
        // Three keys in four are fresh.
        for key in 0..FIRST_SWEEP_AT {
            map.entry(key, fresh).or_insert(key % 4 != 0);
        }
        assert_eq!(map.len(), FIRST_SWEEP_AT);
        // The table is full: the next entry sweeps the stale quarter first.
        map.entry(FIRST_SWEEP_AT, fresh).or_insert(false);
        let left = FIRST_SWEEP_AT * 3 / 4;
        assert_eq!(map.len(), left + 1);
        // The next sweep waits until the table holds twice what was left
        // (above the first size), not for every insert.
        for key in FIRST_SWEEP_AT + 1..FIRST_SWEEP_AT + left {
            map.entry(key, fresh).or_insert(false);
        }
        assert_eq!(map.len(), 2 * left);
        map.entry(usize::MAX, fresh).or_insert(false);
        assert_eq!(map.len(), left + 1);
    }
}
