//! Phase transitions: by call count, by elapsed tokio time, and across quiet spells.

use std::time::Duration;

use chaos::{FaultPlan, FaultSpec, Until};

use crate::support::{self, call, faulty, is_injected, outcomes};

const OUTAGE: Duration = Duration::from_secs(10);
const NANO: Duration = Duration::from_nanos(1);

#[tokio::test(start_paused = true)]
async fn healthy_then_failing_for_a_while_then_recovered() {
    let plan = FaultPlan::builder()
        .phase(FaultSpec::healthy(), Until::Calls(5))
        .phase(FaultSpec::failing(), Until::Elapsed(OUTAGE))
        .forever(FaultSpec::healthy())
        .expect("a valid plan");
    let seed = support::test_seed();
    let (mut service, recorder, stats) = faulty(plan, seed.seed());

    for request in 0..5 {
        assert_eq!(call(&mut service, request).await.ok(), Some(request));
    }
    assert_eq!(recorder.calls(), 5);
    assert_eq!(stats.snapshot().phase, 0);

    // The sixth call starts the outage; it lasts until exactly OUTAGE after that call.
    for request in 5..10 {
        assert!(is_injected(&call(&mut service, request).await));
    }
    tokio::time::advance(OUTAGE.saturating_sub(NANO)).await;
    assert!(is_injected(&call(&mut service, 10).await));
    assert_eq!(
        recorder.calls(),
        5,
        "no failed call reached the inner service"
    );
    assert_eq!(stats.snapshot().phase, 1);

    tokio::time::advance(NANO).await;
    assert_eq!(call(&mut service, 11).await.ok(), Some(11));
    assert_eq!(recorder.calls(), 6);
    let stats = stats.snapshot();
    assert_eq!(
        (stats.phase, stats.calls, stats.errors_injected),
        (2, 12, 6)
    );
}

#[tokio::test(start_paused = true)]
async fn call_bounded_phases_count_only_their_own_calls() {
    let plan = FaultPlan::builder()
        .phase(FaultSpec::failing(), Until::Calls(2))
        .phase(FaultSpec::healthy(), Until::Calls(3))
        .forever(FaultSpec::failing())
        .expect("a valid plan");
    let seed = support::test_seed();
    let (mut service, ..) = faulty(plan, seed.seed());
    let failed: Vec<bool> = outcomes(&mut service, 8)
        .await
        .into_iter()
        .map(|(failed, _)| failed)
        .collect();
    assert_eq!(failed, [true, true, false, false, false, true, true, true]);
}

fn three_timed_phases() -> FaultPlan {
    FaultPlan::builder()
        .phase(FaultSpec::failing(), Until::Elapsed(OUTAGE))
        .phase(FaultSpec::healthy(), Until::Elapsed(OUTAGE))
        .forever(FaultSpec::failing())
        .expect("a valid plan")
}

#[tokio::test(start_paused = true)]
async fn timed_phases_follow_one_timeline_whenever_calls_arrive() {
    let seed = support::test_seed();
    let (mut service, _, stats) = faulty(three_timed_phases(), seed.seed());
    assert!(is_injected(&call(&mut service, 0).await));

    // The second phase began at 10 s, when the first ended, not at this late call...
    tokio::time::advance(OUTAGE + OUTAGE / 2).await;
    assert_eq!(call(&mut service, 1).await.ok(), Some(1));
    assert_eq!(stats.snapshot().phase, 1);

    // ...so it ends at 20 s, not 25 s.
    tokio::time::advance(OUTAGE / 2).await;
    assert!(is_injected(&call(&mut service, 2).await));
    assert_eq!(stats.snapshot().phase, 2);
}

#[tokio::test(start_paused = true)]
async fn a_call_after_a_quiet_spell_skips_the_phases_that_ended_meanwhile() {
    let seed = support::test_seed();
    let (mut service, _, stats) = faulty(three_timed_phases(), seed.seed());
    assert!(is_injected(&call(&mut service, 0).await));
    tokio::time::advance(3 * OUTAGE).await;
    assert!(is_injected(&call(&mut service, 1).await));
    assert_eq!(stats.snapshot().phase, 2);
}

#[tokio::test(start_paused = true)]
async fn the_first_phase_starts_with_the_first_call_not_at_construction() {
    let seed = support::test_seed();
    let (mut service, ..) = faulty(three_timed_phases(), seed.seed());
    tokio::time::advance(3 * OUTAGE).await;
    assert!(is_injected(&call(&mut service, 0).await));
    tokio::time::advance(OUTAGE).await;
    assert_eq!(call(&mut service, 1).await.ok(), Some(1));
}

#[tokio::test(start_paused = true)]
async fn the_last_phase_lasts_forever() {
    let plan = FaultPlan::builder()
        .phase(FaultSpec::healthy(), Until::Calls(1))
        .forever(FaultSpec::failing())
        .expect("a valid plan");
    let seed = support::test_seed();
    let (mut service, _, stats) = faulty(plan, seed.seed());
    assert!(call(&mut service, 0).await.is_ok());
    for request in 1..50 {
        tokio::time::advance(Duration::from_hours(1)).await;
        assert!(is_injected(&call(&mut service, request).await));
    }
    assert_eq!(stats.snapshot().phase, 1);
}
