//! The Wing & Gong search for a linearization of one register's operations, with Lowe's
//! memoisation, in the form Porcupine uses.
//!
//! The history is a doubly linked list of call and return entries in real-time order. The
//! search walks it from the front: at a call entry it tries to linearize that operation next
//! (the model accepts it from the current value and the configuration is new), and if so it
//! lifts the call and its return out of the list and starts again from the front. Reaching a
//! return entry means an operation that has already returned has not been linearized, so the
//! last choice was wrong: it is undone (its entries are relinked, dancing-links style) and the
//! search moves on to the entry after it. It succeeds when the list is empty and fails when
//! there is no choice left to undo.
//!
//! Indeterminate operations return at +infinity: their return entries sit after every other
//! entry, so they may be linearized anywhere after their call, including after everything.

use super::cache::{Cache, Insert, Set};
use super::model::{State, Step};

/// The list's sentinel head node.
const HEAD: usize = 0;
/// No node.
const NIL: usize = usize::MAX;

/// One operation to place: its step and when it was called and returned, as positions in the
/// history (`None`: returns at +infinity, as an indeterminate operation does).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    pub(crate) step: Step,
    pub(crate) call: usize,
    pub(crate) ret: Option<usize>,
}

/// What the search may spend: steps (entries visited) and cache memory.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget {
    pub(crate) steps_left: u64,
    pub(crate) cache_bytes_max: usize,
}

/// How the search ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Found {
    /// Every operation placed, in this order.
    Linearization(Vec<usize>),
    /// No order exists; the deepest dead end seen.
    Stuck(Stuck),
    /// The step budget ran out.
    OutOfSteps,
    /// The cache reached its memory bound.
    OutOfMemory,
}

/// The deepest point the search reached: a linearizable prefix after which an operation that
/// had already returned could not be placed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Stuck {
    /// The operations placed, in order.
    pub(crate) prefix: Vec<usize>,
    /// The register's value after them.
    pub(crate) value: State,
    /// Operations called but not placed by then, in call order: the candidates for the next
    /// place, none of which led anywhere.
    pub(crate) pending: Vec<usize>,
    /// The operation whose return was reached unplaced.
    pub(crate) blocked: usize,
}

/// The list of entries: node `k >= 1` is the `k`-th entry in real-time order.
struct List {
    next: Vec<usize>,
    prev: Vec<usize>,
    /// The operation of each node.
    operation: Vec<usize>,
    /// Whether each node is a call (else a return).
    is_call: Vec<bool>,
    /// Each operation's return node.
    return_node: Vec<usize>,
}

impl List {
    fn new(entries: &[Entry]) -> Self {
        // (time, is a return, operation): a never-returned operation returns at +infinity.
        let mut times: Vec<(usize, bool, usize)> = Vec::with_capacity(2 * entries.len());
        for (operation, entry) in entries.iter().enumerate() {
            times.push((entry.call, false, operation));
            times.push((entry.ret.unwrap_or(usize::MAX), true, operation));
        }
        times.sort_unstable();
        let nodes = times.len() + 1;
        let mut list = Self {
            next: (1..=nodes)
                .map(|k| if k == nodes { NIL } else { k })
                .collect(),
            prev: (0..nodes)
                .map(|k| if k == HEAD { NIL } else { k - 1 })
                .collect(),
            operation: vec![NIL; nodes],
            is_call: vec![false; nodes],
            return_node: vec![NIL; entries.len()],
        };
        for (index, &(_, is_return, operation)) in times.iter().enumerate() {
            let node = index + 1;
            list.operation[node] = operation;
            list.is_call[node] = !is_return;
            if is_return {
                list.return_node[operation] = node;
            }
        }
        list
    }

    fn first(&self) -> usize {
        self.next[HEAD]
    }

    /// Unlinks a call node and its return node. The return comes later in the list, so the
    /// call always has a successor.
    fn lift(&mut self, call: usize) {
        let ret = self.return_node[self.operation[call]];
        self.next[self.prev[call]] = self.next[call];
        self.prev[self.next[call]] = self.prev[call];
        self.next[self.prev[ret]] = self.next[ret];
        if self.next[ret] != NIL {
            self.prev[self.next[ret]] = self.prev[ret];
        }
    }

    /// Undoes the most recent [`List::lift`] still in effect, which was of `call`.
    fn unlift(&mut self, call: usize) {
        let ret = self.return_node[self.operation[call]];
        self.next[self.prev[ret]] = ret;
        if self.next[ret] != NIL {
            self.prev[self.next[ret]] = ret;
        }
        self.next[self.prev[call]] = call;
        self.prev[self.next[call]] = call;
    }

    /// The operations whose call nodes lie between the head and `node`.
    fn calls_before(&self, node: usize) -> Vec<usize> {
        let mut calls = Vec::new();
        let mut cursor = self.first();
        while cursor != node {
            if self.is_call[cursor] {
                calls.push(self.operation[cursor]);
            }
            cursor = self.next[cursor];
        }
        calls
    }
}

/// Searches for a linearization of `entries`, all operations on one register that starts
/// absent, spending from `budget`.
pub(crate) fn search(entries: &[Entry], budget: &mut Budget) -> Found {
    let mut list = List::new(entries);
    let mut cache = Cache::new(budget.cache_bytes_max);
    let mut linearized = Set::new(entries.len());
    let mut value: State = None;
    // The call nodes linearized, in order, each with the value before it.
    let mut placed: Vec<(usize, State)> = Vec::with_capacity(entries.len());
    let mut deepest: Option<Stuck> = None;
    // How much of `placed` still matches the deepest prefix recorded, so that recording a
    // deeper one copies only what changed: linear in the steps, not quadratic in the length.
    let mut unchanged = 0;
    let mut node = list.first();
    while list.first() != NIL {
        if budget.steps_left == 0 {
            return Found::OutOfSteps;
        }
        budget.steps_left -= 1;
        let operation = list.operation[node];
        if list.is_call[node] {
            if let Some(after) = entries[operation].step.apply(value) {
                linearized.toggle(operation);
                match cache.insert(&linearized, after) {
                    Insert::New => {
                        placed.push((node, value));
                        value = after;
                        list.lift(node);
                        node = list.first();
                        continue;
                    }
                    Insert::Seen => linearized.toggle(operation),
                    Insert::Full => return Found::OutOfMemory,
                }
            }
            node = list.next[node];
        } else {
            if deepest
                .as_ref()
                .is_none_or(|stuck| placed.len() > stuck.prefix.len())
            {
                let stuck = deepest.get_or_insert_with(Stuck::default);
                stuck.prefix.truncate(unchanged);
                let changed = &placed[unchanged..];
                stuck
                    .prefix
                    .extend(changed.iter().map(|&(call, _)| list.operation[call]));
                unchanged = placed.len();
                stuck.value = value;
                stuck.pending = list.calls_before(node);
                stuck.blocked = operation;
            }
            let Some((call, before)) = placed.pop() else {
                return Found::Stuck(deepest.expect("recorded just above"));
            };
            unchanged = unchanged.min(placed.len());
            value = before;
            linearized.toggle(list.operation[call]);
            list.unlift(call);
            node = list.next[call];
        }
    }
    Found::Linearization(
        placed
            .iter()
            .map(|&(call, _)| list.operation[call])
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::{Budget, Entry, Found, Step, search};

    fn budget() -> Budget {
        Budget {
            steps_left: 1_000_000,
            cache_bytes_max: 1 << 20,
        }
    }

    fn entry(step: Step, call: usize, ret: Option<usize>) -> Entry {
        Entry { step, call, ret }
    }

    #[test]
    fn concurrent_operations_are_ordered_by_what_they_saw() {
        // write 1 [1, 6] overlaps read -> 1 [2, 3] and read -> None [4, 5]: the read of
        // None must come first, then the write, then the read of 1.
        let entries = [
            entry(Step::Write(1), 1, Some(6)),
            entry(Step::Read(Some(1)), 2, Some(3)),
            entry(Step::Read(None), 4, Some(5)),
        ];
        // The read of 1 returned (3) before the read of None was called (4): not linearizable.
        assert!(matches!(search(&entries, &mut budget()), Found::Stuck(_)));

        let entries = [
            entry(Step::Write(1), 1, Some(6)),
            entry(Step::Read(None), 2, Some(3)),
            entry(Step::Read(Some(1)), 4, Some(5)),
        ];
        assert_eq!(
            search(&entries, &mut budget()),
            Found::Linearization(vec![1, 0, 2])
        );
    }

    #[test]
    fn a_stale_read_is_stuck_after_the_write_with_the_read_blocked() {
        let entries = [
            entry(Step::Write(1), 1, Some(2)),
            entry(Step::Read(None), 3, Some(4)),
        ];
        let Found::Stuck(stuck) = search(&entries, &mut budget()) else {
            panic!("a read of an overwritten value is not linearizable");
        };
        assert_eq!(stuck.prefix, [0]);
        assert_eq!(stuck.value, Some(1));
        assert_eq!(stuck.pending, [1]);
        assert_eq!(stuck.blocked, 1);
    }

    #[test]
    fn an_indeterminate_write_may_take_effect_late_or_never() {
        let late = [
            entry(Step::Write(1), 1, None),
            entry(Step::Read(None), 2, Some(3)),
            entry(Step::Read(Some(1)), 4, Some(5)),
        ];
        assert_eq!(
            search(&late, &mut budget()),
            Found::Linearization(vec![1, 0, 2])
        );
        let never = [
            entry(Step::Write(1), 1, None),
            entry(Step::Read(None), 2, Some(3)),
        ];
        assert!(matches!(
            search(&never, &mut budget()),
            Found::Linearization(_)
        ));
    }

    #[test]
    fn an_exhausted_budget_is_reported() {
        let entries = [
            entry(Step::Write(1), 1, Some(2)),
            entry(Step::Read(Some(1)), 3, Some(4)),
        ];
        let mut tight = Budget {
            steps_left: 1,
            cache_bytes_max: 1 << 20,
        };
        assert_eq!(search(&entries, &mut tight), Found::OutOfSteps);
        let mut no_memory = Budget {
            steps_left: 100,
            cache_bytes_max: 0,
        };
        assert_eq!(search(&entries, &mut no_memory), Found::OutOfMemory);
    }
}
