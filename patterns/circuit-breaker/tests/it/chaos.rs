//! Seeded fault scenarios on paused tokio time: a [`chaos::FaultLayer`] makes the
//! dependency fail, slow down and recover; the breaker must react as designed.
//!
//! Each test prints its `CHAOS_SEED`; set it to replay a failing run.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chaos::{FaultLayer, FaultPlan, FaultSpec, FaultStatsHandle, InjectedFault, Seed, Until};
use circuit_breaker::{
    CallNotPermitted, CircuitBreaker, CircuitBreakerLayer, Config, EventKind, Outcome, Permit,
    Policy, Reason, SlidingWindow, State,
};
use tokio::time::Instant;
use tower::util::BoxCloneService;
use tower::{BoxError, Service, ServiceBuilder, ServiceExt};

use crate::small_config;

fn seed() -> Seed {
    let seed = Seed::from_env_or_random().expect("CHAOS_SEED must be a decimal or 0x-hex u64");
    eprintln!("CHAOS_SEED={seed}");
    seed
}

type Client = BoxCloneService<u32, u32, BoxError>;

/// breaker -> fault layer -> a dependency that echoes its request.
fn client(
    breaker: &Arc<CircuitBreaker>,
    plan: FaultPlan,
    seed: Seed,
) -> (Client, FaultStatsHandle) {
    let faults = FaultLayer::new(plan, seed.stream("dependency"));
    let stats = faults.stats_handle();
    let service = ServiceBuilder::new()
        .layer(CircuitBreakerLayer::new(Arc::clone(breaker)))
        .layer(faults)
        .service_fn(|n: u32| async move { Ok::<_, BoxError>(n) });
    (BoxCloneService::new(service), stats)
}

fn is_refusal(error: &BoxError) -> bool {
    error.downcast_ref::<CallNotPermitted>().is_some()
}

#[tokio::test(start_paused = true)]
async fn opens_sheds_probes_and_closes_as_the_dependency_fails_and_recovers() {
    // Room for every event of the run, refusals included, so none is lost to lag.
    let config = Config {
        event_capacity: 1_024,
        ..small_config()
    };
    let breaker = Arc::new(CircuitBreaker::new("dependency", config).unwrap());
    let mut events = breaker.subscribe();
    // Healthy for 20 calls, down for 30 s, then healthy again.
    let plan = FaultPlan::builder()
        .phase(FaultSpec::healthy(), Until::Calls(20))
        .phase(
            FaultSpec::failing(),
            Until::Elapsed(Duration::from_secs(30)),
        )
        .forever(FaultSpec::healthy())
        .unwrap();
    let (mut client, stats) = client(&breaker, plan, seed());
    let start = Instant::now();
    let mut opened_at_call = None;
    let mut reached_while_open = 0;
    let mut closed_again_at = None;
    for call in 0..900u32 {
        let reached_before = stats.snapshot().calls;
        let was_open = breaker.state() == State::Open;
        let result = client.ready().await.unwrap().call(call).await;
        if was_open && breaker.state() == State::Open {
            reached_while_open += stats.snapshot().calls - reached_before;
            assert!(is_refusal(&result.unwrap_err()), "open must refuse");
        }
        if opened_at_call.is_none() && breaker.state() == State::Open {
            opened_at_call = Some(call);
        }
        if opened_at_call.is_some() && closed_again_at.is_none() && breaker.state() == State::Closed
        {
            closed_again_at = Some(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // 20 healthy calls fill the window with successes; the 5th failure makes it 5 of 10.
    assert_eq!(opened_at_call, Some(24));
    assert_eq!(
        reached_while_open, 0,
        "no call reaches the dependency while open"
    );
    // The outage runs from 2.0 s to 32.0 s. It opens at 2.4 s for 10 s; three probes from
    // 12.4 s fail and reopen it at 12.6 s, three from 22.6 s at 22.8 s; the three probes from
    // 32.8 s succeed and close it after the one at 33.0 s.
    let closed = closed_again_at.expect("the circuit closes after recovery");
    assert_eq!(closed, Duration::from_secs(33));
    let transitions: Vec<_> = std::iter::from_fn(|| match events.try_recv() {
        Err(tokio::sync::broadcast::error::TryRecvError::Empty) => None,
        received => Some(received.expect("no event lost")),
    })
    .filter_map(|event| match event.kind {
        EventKind::StateTransition { to, .. } => Some(to),
        _ => None,
    })
    .collect();
    let (open, half_open, closed) = (State::Open, State::HalfOpen, State::Closed);
    let expected = [open, half_open, open, half_open, open, half_open, closed];
    assert_eq!(transitions, expected);
    assert_eq!(breaker.state(), State::Closed);
}

#[tokio::test(start_paused = true)]
async fn a_modest_error_rate_never_trips_it_and_a_heavy_one_always_does() {
    let seed = seed();
    for (error_probability, trips) in [(0.2, false), (0.8, true)] {
        let config = Config {
            minimum_calls: 100,
            sliding_window: SlidingWindow::Count { size: 100 },
            slow_call_duration: None,
            ..Config::default()
        };
        let breaker = Arc::new(CircuitBreaker::new("flaky", config).unwrap());
        let spec = FaultSpec {
            error_probability,
            ..FaultSpec::healthy()
        };
        let (mut client, stats) = client(&breaker, FaultPlan::constant(spec).unwrap(), seed);
        for call in 0..2_000 {
            let _ = client.ready().await.unwrap().call(call).await;
        }
        // P(X >= 50) for X ~ Binomial(100, 0.2) is about 1e-11: a false trip is not a risk.
        assert_eq!(
            breaker.metrics().not_permitted_calls > 0,
            trips,
            "p = {error_probability}"
        );
        let injected = stats.snapshot().errors_injected;
        assert!(injected > 0, "the fault layer injected errors");
    }
}

#[tokio::test(start_paused = true)]
async fn slow_successes_open_it_through_the_slow_call_rate() {
    let config = Config {
        slow_call_duration: Some(Duration::from_secs(1)),
        slow_call_rate_threshold: 50.0,
        ..small_config()
    };
    let breaker = Arc::new(CircuitBreaker::new("slow", config).unwrap());
    // Every call succeeds, but after 10 fast ones each takes 1.5 s to 2 s.
    let slow = FaultSpec {
        latency: Duration::from_millis(1_500),
        latency_jitter: Duration::from_millis(500),
        latency_probability: 1.0,
        ..FaultSpec::healthy()
    };
    let plan = FaultPlan::builder()
        .phase(FaultSpec::healthy(), Until::Calls(10))
        .forever(slow)
        .unwrap();
    let (mut client, _stats) = client(&breaker, plan, seed());
    let mut admitted = 0;
    while breaker.state() == State::Closed {
        client
            .ready()
            .await
            .unwrap()
            .call(admitted)
            .await
            .expect("slow but successful");
        admitted += 1;
    }
    assert_eq!(admitted, 15, "the 5th slow call makes 5 of 10");
    let metrics = breaker.metrics();
    assert_eq!(metrics.state, State::Open);
    let refused = client.ready().await.unwrap().call(0).await.unwrap_err();
    assert_eq!(
        refused.downcast_ref::<CallNotPermitted>().unwrap().reason,
        Reason::Open
    );
}

/// The breaker, counting the half-open permits in flight as the tower layer uses them.
#[derive(Debug)]
struct CountingProbes {
    breaker: CircuitBreaker,
    probes_in_flight: AtomicUsize,
    most_probes_in_flight: AtomicUsize,
}

impl Policy for CountingProbes {
    type Permit = (Permit, bool);

    fn try_acquire(&self) -> Result<Self::Permit, CallNotPermitted> {
        let permit = self.breaker.try_acquire()?;
        let probe = self.breaker.state() == State::HalfOpen;
        if probe {
            let now = self.probes_in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            self.most_probes_in_flight.fetch_max(now, Ordering::SeqCst);
        }
        Ok((permit, probe))
    }

    fn on_result(&self, (permit, probe): Self::Permit, outcome: Outcome) {
        self.breaker.on_result(permit, outcome);
        if probe {
            self.probes_in_flight.fetch_sub(1, Ordering::SeqCst);
        }
    }

    fn release(&self, (permit, probe): Self::Permit) {
        self.breaker.release(permit);
        if probe {
            self.probes_in_flight.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

#[tokio::test(start_paused = true)]
async fn many_concurrent_callers_never_exceed_the_half_open_permits() {
    let config = Config {
        permitted_calls_in_half_open: 4,
        ..small_config()
    };
    let policy = Arc::new(CountingProbes {
        breaker: CircuitBreaker::new("busy", config).unwrap(),
        probes_in_flight: AtomicUsize::new(0),
        most_probes_in_flight: AtomicUsize::new(0),
    });
    // Down for 20 s; every call that reaches the dependency takes 0.5 s to 1.5 s.
    let spec = |error_probability| FaultSpec {
        error_probability,
        latency: Duration::from_millis(500),
        latency_jitter: Duration::from_secs(1),
        latency_probability: 1.0,
    };
    let plan = FaultPlan::builder()
        .phase(spec(1.0), Until::Elapsed(Duration::from_secs(20)))
        .forever(spec(0.0))
        .unwrap();
    let service = ServiceBuilder::new()
        .layer(CircuitBreakerLayer::new(Arc::clone(&policy)))
        .layer(FaultLayer::new(plan, seed().stream("dependency")))
        .service_fn(|n: u32| async move { Ok::<_, BoxError>(n) });
    let mut tasks = tokio::task::JoinSet::new();
    for task in 0..50u32 {
        let mut service = service.clone();
        tasks.spawn(async move {
            let mut outcomes = (0u32, 0u32);
            for call in 0..120 {
                match service
                    .ready()
                    .await
                    .unwrap()
                    .call(task * 1_000 + call)
                    .await
                {
                    Ok(_) => outcomes.0 += 1,
                    Err(error) if error.is::<InjectedFault>() => outcomes.1 += 1,
                    Err(error) => assert!(is_refusal(&error), "{error}"),
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            outcomes
        });
    }
    let mut totals = (0, 0);
    while let Some(outcome) = tasks.join_next().await {
        let (ok, failed) = outcome.unwrap();
        totals = (totals.0 + ok, totals.1 + failed);
    }
    let most = policy.most_probes_in_flight.load(Ordering::SeqCst);
    assert!(most <= 4, "{most} probes in flight, 4 permitted");
    assert!(most >= 2, "the scenario did exercise concurrent probes");
    assert_eq!(
        policy.breaker.state(),
        State::Closed,
        "recovered by the end"
    );
    assert!(
        totals.0 > 0 && totals.1 > 0,
        "both failures and successes were seen: {totals:?}"
    );
}

/// Real threads on the bare state machine: the counts stay within their bounds and a
/// dependency that fails everything is cut off, whatever the interleaving.
#[test]
fn threads_hammering_one_breaker_keep_its_invariants() {
    let seed = seed();
    let clock = circuit_breaker::ManualClock::new();
    let config = Config {
        minimum_calls: 50,
        sliding_window: SlidingWindow::Count { size: 50 },
        ..small_config()
    };
    let breaker = Arc::new(CircuitBreaker::with_clock("threads", config, clock).unwrap());
    std::thread::scope(|scope| {
        for thread in 0..4 {
            let (breaker, mut rng) = (&breaker, seed.stream(&format!("thread-{thread}")));
            scope.spawn(move || {
                for _ in 0..20_000 {
                    if let Ok(permit) = breaker.try_acquire() {
                        // A 10% failure rate: never enough to open at a 50% threshold.
                        let outcome = if rng.chance(0.1) {
                            Outcome::Failure
                        } else {
                            Outcome::Success
                        };
                        breaker.on_result(permit, outcome);
                    }
                }
            });
        }
    });
    let metrics = breaker.metrics();
    assert_eq!(metrics.state, State::Closed);
    assert_eq!(metrics.calls, 50, "the window is full and never over-full");
    assert!(metrics.failed_calls < 25);
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for _ in 0..1_000 {
                    if let Ok(permit) = breaker.try_acquire() {
                        breaker.on_result(permit, Outcome::Failure);
                    }
                }
            });
        }
    });
    assert_eq!(breaker.state(), State::Open);
}
