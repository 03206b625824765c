//! Properties: generated sequential executions are always linearizable, and on small histories
//! the checker agrees with brute force over every order, broken registers included.

use chaos::{CasFailure, Checker, History, Model, Rng, Verdict};
use proptest::prelude::*;

use super::generate::{self, Flaw, Shape};
use super::{assert_witness, in_witness, replay, returned};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn sequential_executions_with_real_time_overlaps_are_linearizable(
        seed: u64,
        processes in 1_usize..8,
        operations in 0_usize..300,
        keys in 1_usize..4,
        info in 0.0..0.1_f64,
    ) {
        let shape = Shape { processes, operations, keys, info };
        let history = generate::history(shape, Flaw::None, &mut Rng::new(seed));
        for cas_failure in [CasFailure::CompareMismatch, CasFailure::NoEffect] {
            let report = Checker::new(Model::Kv)
                .cas_failure(cas_failure)
                .check(&history)
                .expect("generated histories fit the kv model");
            assert_witness(&history, &report, cas_failure);
        }
    }

    #[test]
    fn on_small_histories_the_checker_agrees_with_brute_force(
        seed: u64,
        processes in 1_usize..4,
        operations in 0_usize..7,
        flaw in prop_oneof![Just(Flaw::None), Just(Flaw::StaleReads), Just(Flaw::LostWrites)],
        cas_failure in prop_oneof![Just(CasFailure::CompareMismatch), Just(CasFailure::NoEffect)],
    ) {
        let shape = Shape { processes, operations, keys: 1, info: 0.15 };
        let history = generate::history(shape, flaw, &mut Rng::new(seed));
        let report = Checker::default().cas_failure(cas_failure).check(&history).unwrap();
        prop_assert!(!matches!(report.verdict, Verdict::Unknown(_)));
        prop_assert_eq!(
            report.verdict.is_linearizable(),
            brute_force(&history, cas_failure),
            "{:?}",
            history.events()
        );
    }
}

/// Whether some order of the operations that matter respects real time and replays legally,
/// trying every permutation. Indeterminate operations are in every order: one that did not take
/// effect can be placed last, where a write or a cas changes nothing anyone observes.
fn brute_force(history: &History, cas_failure: CasFailure) -> bool {
    let operations: Vec<_> = history
        .operations()
        .iter()
        .filter(|operation| in_witness(operation, cas_failure))
        .collect();
    let mut order: Vec<usize> = (0..operations.len()).collect();
    loop {
        let respects_real_time = order.iter().enumerate().all(|(position, &later)| {
            order[..position].iter().all(|&earlier| {
                returned(operations[later])
                    .is_none_or(|complete| complete > operations[earlier].invoke_line)
            })
        });
        if respects_real_time
            && order
                .iter()
                .try_fold(None, |value, &index| {
                    replay(operations[index], value, cas_failure)
                })
                .is_some()
        {
            return true;
        }
        if !next_permutation(&mut order) {
            return false;
        }
    }
}

/// Rearranges `order` into the next permutation in lexicographic order; `false` after the last.
fn next_permutation(order: &mut [usize]) -> bool {
    let Some(pivot) = (1..order.len()).rev().find(|&i| order[i - 1] < order[i]) else {
        return false;
    };
    let swap = (pivot..order.len())
        .rev()
        .find(|&i| order[i] > order[pivot - 1])
        .expect("order[pivot] itself is larger");
    order.swap(pivot - 1, swap);
    order[pivot..].reverse();
    true
}
