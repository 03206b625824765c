//! Thousands of operations over five and ten processes are decided in a few steps per
//! operation, so within seconds even in a debug build.

use std::time::Instant;

use chaos::{CasFailure, Checker, Model, Verdict};

use super::assert_witness;
use super::generate::{self, Flaw, Shape};
use crate::support;

/// A ceiling on search steps per operation and process. Each placement scans the operations
/// concurrent with it, so steps grow with the processes; the memo keeps them from growing
/// with the length of the history. Over 300 seeds the worst case was 0.7 (five processes)
/// and 4.6 (ten).
const STEPS_PER_OPERATION_AND_PROCESS_MAX: u64 = 10;

#[test]
fn thousands_of_operations_over_many_processes_are_decided_within_the_step_ceiling() {
    let seed = support::seed();
    for (processes, operations) in [(5, 3000), (10, 3000)] {
        let shape = Shape {
            processes,
            operations,
            keys: 1,
            info: 0.01,
        };
        let history = generate::history(shape, Flaw::None, &mut seed.stream("scale"));
        let started = Instant::now();
        let report = Checker::new(Model::Register).check(&history).unwrap();
        eprintln!(
            "{processes} processes, {operations} operations: {} steps, {:?}",
            report.steps,
            started.elapsed()
        );
        assert_witness(&history, &report, CasFailure::CompareMismatch);
        let ceiling = STEPS_PER_OPERATION_AND_PROCESS_MAX * (operations * processes) as u64;
        assert!(
            report.steps <= ceiling,
            "{} steps for {operations} operations",
            report.steps
        );
    }
}

#[test]
fn a_broken_register_among_thousands_of_operations_is_found_as_quickly() {
    let seed = support::seed();
    let shape = Shape {
        processes: 5,
        operations: 3000,
        keys: 1,
        info: 0.01,
    };
    for flaw in [Flaw::StaleReads, Flaw::LostWrites] {
        let history = generate::history(shape, flaw, &mut seed.stream("scale-broken"));
        let report = Checker::new(Model::Register).check(&history).unwrap();
        assert!(
            matches!(report.verdict, Verdict::NotLinearizable(_)),
            "{flaw:?}: {:?}",
            report.verdict
        );
        let ceiling = STEPS_PER_OPERATION_AND_PROCESS_MAX * 3000 * 5;
        assert!(report.steps <= ceiling, "{flaw:?}: {} steps", report.steps);
    }
}
