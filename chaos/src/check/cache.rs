//! Lowe's memoisation: the configurations the search has already explored.
//!
//! A configuration is the set of operations linearized so far and the register's value after
//! them. Two paths that reach the same configuration have the same future, so the second is
//! cut off. The set's hash is maintained incrementally (Zobrist hashing: the XOR of a random
//! word per member), so a lookup costs a bitset comparison only when hashes collide.
//!
//! Operations are numbered in call order and linearized roughly in that order, so a set is
//! all ones up to a low-water mark, then a short window of mixed bits, then all zeros. The
//! memo stores the mark and the window only: a few words per configuration instead of one bit
//! per operation of the history, which would make memory quadratic in its length.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::model::State;
use crate::Rng;
use crate::rng::mix64;

/// No entry follows in a collision chain.
const END: u32 = u32::MAX;

/// A set of operations, with its Zobrist hash and the bounds of its mixed window.
#[derive(Debug)]
pub(crate) struct Set {
    words: Vec<u64>,
    hash: u64,
    zobrist: Vec<u64>,
    /// Every word before `low` is all ones, and word `low` is not (or is past the end).
    low: usize,
    /// Every word from `high` on is zero.
    high: usize,
}

impl Set {
    /// The empty set of `operations` operations.
    pub(crate) fn new(operations: usize) -> Self {
        let mut rng = Rng::new(0x7a0b_4157);
        Self {
            words: vec![0; operations.div_ceil(64)],
            hash: 0,
            // One random word per operation, from a fixed seed so that a check is
            // reproducible.
            zobrist: (0..operations).map(|_| rng.next_u64()).collect(),
            low: 0,
            high: 0,
        }
    }

    /// Adds `operation` if absent, removes it if present.
    pub(crate) fn toggle(&mut self, operation: usize) {
        let word = operation / 64;
        self.words[word] ^= 1 << (operation % 64);
        self.hash ^= self.zobrist[operation];
        if self.words[word] == 0 {
            while self.high > 0 && self.words[self.high - 1] == 0 {
                self.high -= 1;
            }
        } else {
            self.high = self.high.max(word + 1);
        }
        if self.words[word] == u64::MAX {
            while self.low < self.words.len() && self.words[self.low] == u64::MAX {
                self.low += 1;
            }
        } else {
            self.low = self.low.min(word);
        }
    }

    /// The words between the all-ones prefix and the all-zeros suffix: with `low`, all that
    /// tells two sets apart.
    fn window(&self) -> &[u64] {
        &self.words[self.low..self.high.max(self.low)]
    }
}

/// The configurations explored so far, within a memory bound.
#[derive(Debug)]
pub(crate) struct Cache {
    /// Every stored window, one after the other.
    windows: Vec<u64>,
    /// Entry `i`: its window's start in `windows` and its set's low-water mark.
    starts: Vec<(usize, usize)>,
    /// The register value of entry `i`.
    values: Vec<State>,
    /// The next entry with the same key, or `END`.
    chain: Vec<u32>,
    /// Key (set hash mixed with the value) to the most recent entry with it.
    heads: HashMap<u64, u32, BuildHasherDefault<KeyHasher>>,
    bytes: usize,
    bytes_max: usize,
}

/// What [`Cache::insert`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Insert {
    /// The configuration is new and is now stored.
    New,
    /// The configuration was explored before.
    Seen,
    /// The configuration is new but the memory bound is reached.
    Full,
}

impl Cache {
    /// Bookkeeping per entry besides its window: a start, a mark, a value, a chain link and
    /// about 16 bytes of hash-table slot.
    const ENTRY_BYTES: usize = 2 * size_of::<usize>() + size_of::<State>() + 4 + 16;

    /// A cache that stores at most `bytes_max` bytes.
    pub(crate) fn new(bytes_max: usize) -> Self {
        Self {
            windows: Vec::new(),
            starts: Vec::new(),
            values: Vec::new(),
            chain: Vec::new(),
            heads: HashMap::default(),
            bytes: 0,
            bytes_max,
        }
    }

    /// Stores the configuration (`set`, `value`) unless it is already there.
    pub(crate) fn insert(&mut self, set: &Set, value: State) -> Insert {
        let key = set.hash ^ value_hash(value);
        let window = set.window();
        let head = self.heads.get(&key).copied().unwrap_or(END);
        let mut entry = head;
        while entry != END {
            let index = entry as usize;
            if self.values[index] == value && self.stored(index) == (set.low, window) {
                return Insert::Seen;
            }
            entry = self.chain[index];
        }
        let bytes = Self::ENTRY_BYTES + size_of_val(window);
        if self.bytes + bytes > self.bytes_max || self.values.len() == END as usize {
            return Insert::Full;
        }
        let index = u32::try_from(self.values.len()).expect("checked against END above");
        self.bytes += bytes;
        self.starts.push((self.windows.len(), set.low));
        self.windows.extend_from_slice(window);
        self.values.push(value);
        self.chain.push(head);
        self.heads.insert(key, index);
        Insert::New
    }

    /// Entry `index`'s low-water mark and window.
    fn stored(&self, index: usize) -> (usize, &[u64]) {
        let (start, low) = self.starts[index];
        let end = self
            .starts
            .get(index + 1)
            .map_or(self.windows.len(), |&(next, _)| next);
        (low, &self.windows[start..end])
    }
}

fn value_hash(value: State) -> u64 {
    // A bijective mixer, so different values never cancel out in the XOR with the set hash
    // any more often than chance.
    value.map_or(0x9e37_79b9_7f4a_7c15, |value| mix64(value.cast_unsigned()))
}

/// Keys are already uniformly random words; hashing them again would only cost time.
#[derive(Debug, Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.0 = word;
    }
}

#[cfg(test)]
mod tests {
    use super::{Cache, Insert, Set};

    fn set(operations: usize, members: &[usize]) -> Set {
        let mut set = Set::new(operations);
        for &member in members {
            set.toggle(member);
        }
        set
    }

    #[test]
    fn a_configuration_is_new_once_then_seen() {
        let mut cache = Cache::new(1 << 20);
        let a = set(200, &[0, 2, 70]);
        assert_eq!(cache.insert(&a, Some(3)), Insert::New);
        assert_eq!(cache.insert(&a, Some(3)), Insert::Seen);
        assert_eq!(cache.insert(&a, None), Insert::New, "another value");
        // The same members added in another order are the same set.
        assert_eq!(cache.insert(&set(200, &[70, 2, 0]), Some(3)), Insert::Seen);
        assert_eq!(cache.insert(&set(200, &[0, 70]), Some(3)), Insert::New);
    }

    #[test]
    fn the_window_is_what_lies_between_the_full_prefix_and_the_empty_suffix() {
        let mut set = set(300, &(0..130).collect::<Vec<_>>());
        assert_eq!((set.low, set.window()), (2, &[0b11][..]));
        set.toggle(5);
        assert_eq!((set.low, set.window().len()), (0, 3));
        set.toggle(5);
        set.toggle(129);
        set.toggle(128);
        assert_eq!((set.low, set.window()), (2, &[][..]));
        set.toggle(299);
        assert_eq!(set.window(), [0, 0, 1 << 43]);
    }

    #[test]
    fn sets_that_differ_only_in_the_full_prefix_are_different() {
        let mut cache = Cache::new(1 << 20);
        // Same window contents, different low-water marks.
        let a = set(256, &(0..64).chain([64]).collect::<Vec<_>>());
        let b = set(256, &(0..128).chain([128]).collect::<Vec<_>>());
        assert_eq!(a.window(), b.window());
        assert_eq!(cache.insert(&a, None), Insert::New);
        assert_eq!(cache.insert(&b, None), Insert::New);
    }

    #[test]
    fn the_memory_bound_is_kept() {
        let entry = Cache::ENTRY_BYTES + 8;
        let mut cache = Cache::new(3 * entry);
        for member in 0..3 {
            assert_eq!(cache.insert(&set(64, &[member]), None), Insert::New);
        }
        assert_eq!(cache.insert(&set(64, &[9]), None), Insert::Full);
        assert_eq!(
            cache.insert(&set(64, &[1]), None),
            Insert::Seen,
            "lookups still work"
        );
    }
}
