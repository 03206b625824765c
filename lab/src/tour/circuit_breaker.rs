//! Circuit breaker: a dependency hangs for 30 s, then recovers.
//!
//! Twenty callers each make a call every 50 ms for a minute, through a 1 s timeout, to a
//! dependency that answers in 20–40 ms, except from 10 s to 40 s when it hangs. The run is
//! made twice in simulated time from the same seed: without a breaker, and with one.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chaos::{FaultLayer, FaultPlan, FaultSpec, Seed, Until};
use circuit_breaker::{
    CallNotPermitted, CircuitBreaker, CircuitBreakerLayer, Config, EventKind, SlidingWindow, State,
    WaitInOpen,
};
use tokio::time::Instant;
use tower::util::BoxCloneService;
use tower::{BoxError, Layer, Service, ServiceBuilder, ServiceExt};

use super::Finding;

const SCENARIO: &str = "circuit-breaker";
const CALLERS: u32 = 20;
const RUN: Duration = Duration::from_mins(1);
const PAUSE: Duration = Duration::from_millis(50);
const TIMEOUT: Duration = Duration::from_secs(1);
const OUTAGE_START: Duration = Duration::from_secs(10);
const OUTAGE: Duration = Duration::from_secs(30);
const WAIT_IN_OPEN: Duration = Duration::from_secs(5);

/// What one run observed.
#[derive(Debug, Default)]
struct Observed {
    latencies: Vec<Duration>,
    shed: usize,
    /// Calls that reached the dependency while it was hung.
    reached_during_outage: usize,
    /// Times of the breaker's transitions, from the start of the run.
    transitions: Vec<(Duration, State)>,
}

impl Observed {
    fn p99(&self) -> Duration {
        crate::percentile::nearest_rank(&self.latencies, 99).expect("every run makes calls")
    }

    /// How long after `after` the breaker first entered `state`.
    fn time_to(&self, state: State, after: Duration) -> Option<Duration> {
        self.transitions
            .iter()
            .find(|(at, to)| *to == state && *at >= after)
            .map(|(at, _)| at.saturating_sub(after))
    }
}

pub(crate) fn run(seed: u64) -> anyhow::Result<Vec<Finding>> {
    let without = simulate(seed, None)?;
    let breaker = Arc::new(CircuitBreaker::new(SCENARIO, config())?);
    let with = simulate(seed, Some(breaker))?;
    Ok(findings(&without, &with))
}

fn config() -> Config {
    Config {
        failure_rate_threshold: 50.0,
        slow_call_duration: None,
        minimum_calls: 20,
        sliding_window: SlidingWindow::Count { size: 20 },
        permitted_calls_in_half_open: 5,
        wait_in_open: WaitInOpen::Fixed {
            duration: WAIT_IN_OPEN,
        },
        event_capacity: 4_096,
        ..Config::default()
    }
}

fn findings(without: &Observed, with: &Observed) -> Vec<Finding> {
    let outage_end = OUTAGE_START + OUTAGE;
    let to_open = with.time_to(State::Open, OUTAGE_START);
    let to_close = with.time_to(State::Closed, outage_end);
    let open_bound = TIMEOUT * 2;
    let close_bound = WAIT_IN_OPEN + TIMEOUT + Duration::from_millis(500);
    let load_cut = 1.0 - with.reached_during_outage as f64 / without.reached_during_outage as f64;
    let (p99_without, p99_with) = (without.p99(), with.p99());
    let speedup = p99_without.as_secs_f64() / p99_with.as_secs_f64();
    vec![
        within("opens", "opened", "the outage", to_open, open_bound),
        finding(
            "cuts the calls reaching the hung dependency by >= 90%".into(),
            format!(
                "{} -> {} calls ({:.1}% fewer); {} calls shed",
                without.reached_during_outage,
                with.reached_during_outage,
                load_cut * 100.0,
                with.shed
            ),
            load_cut >= 0.9,
        ),
        within("closes", "closed", "recovery", to_close, close_bound),
        finding(
            "callers' p99 latency is >= 5x lower with the breaker".into(),
            format!(
                "p99 {} without, {} with ({speedup:.0}x)",
                millis(p99_without),
                millis(p99_with)
            ),
            speedup >= 5.0,
        ),
    ]
}

/// "`verb` within `bound` of `event`", measured by when it `happened`, if it did.
fn within(
    verb: &str,
    past: &str,
    event: &str,
    happened: Option<Duration>,
    bound: Duration,
) -> Finding {
    finding(
        format!("{verb} within {} of {event}", secs(bound)),
        happened.map_or_else(
            || format!("never {past}"),
            |t| format!("{past} after {}", secs(t)),
        ),
        happened.is_some_and(|t| t <= bound),
    )
}

fn finding(hypothesis: String, measured: String, holds: bool) -> Finding {
    Finding::new(SCENARIO, hypothesis, measured, holds)
}

fn secs(duration: Duration) -> String {
    format!("{:.2} s", duration.as_secs_f64())
}

fn millis(duration: Duration) -> String {
    format!("{:.0} ms", duration.as_secs_f64() * 1_000.0)
}

/// The dependency: 20–40 ms answers, hanging (5 s, past any timeout) during the outage.
fn dependency_plan() -> anyhow::Result<FaultPlan> {
    let answering = FaultSpec {
        latency: Duration::from_millis(20),
        latency_jitter: Duration::from_millis(20),
        latency_probability: 1.0,
        ..FaultSpec::healthy()
    };
    let hung = FaultSpec {
        latency: Duration::from_secs(5),
        ..answering
    };
    Ok(FaultPlan::builder()
        .phase(answering, Until::Elapsed(OUTAGE_START))
        .phase(hung, Until::Elapsed(OUTAGE))
        .forever(answering)?)
}

type Client = BoxCloneService<u32, u32, BoxError>;

fn simulate(seed: u64, breaker: Option<Arc<CircuitBreaker>>) -> anyhow::Result<Observed> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()?;
    let plan = dependency_plan()?;
    runtime.block_on(async move {
        let start = Instant::now();
        let faults = FaultLayer::new(plan, Seed::new(seed).stream("dependency"));
        let dependency = ServiceBuilder::new()
            .timeout(TIMEOUT)
            .layer(faults)
            .service_fn(|n: u32| async move { Ok::<_, BoxError>(n) });
        let observed = Arc::new(Mutex::new(Observed::default()));
        let client: Client = match &breaker {
            Some(breaker) => {
                watch_transitions(breaker, start, Arc::clone(&observed));
                BoxCloneService::new(
                    CircuitBreakerLayer::new(Arc::clone(breaker)).layer(dependency),
                )
            }
            None => BoxCloneService::new(dependency),
        };
        let mut callers = tokio::task::JoinSet::new();
        for caller in 0..CALLERS {
            let (client, observed) = (client.clone(), Arc::clone(&observed));
            callers.spawn(call_in_a_loop(caller, client, start, observed));
        }
        while let Some(done) = callers.join_next().await {
            done?;
        }
        // Let the watcher drain the last events before reading the record.
        tokio::task::yield_now().await;
        let observed = std::mem::take(&mut *observed.lock().expect("no caller panicked"));
        Ok(observed)
    })
}

fn watch_transitions(breaker: &CircuitBreaker, start: Instant, observed: Arc<Mutex<Observed>>) {
    let mut events = breaker.subscribe();
    tokio::spawn(async move {
        while let Ok(event) = events.recv().await {
            if let EventKind::StateTransition { to, .. } = event.kind {
                let mut observed = observed.lock().expect("no caller panicked");
                observed.transitions.push((start.elapsed(), to));
            }
        }
    });
}

async fn call_in_a_loop(
    caller: u32,
    mut client: Client,
    start: Instant,
    observed: Arc<Mutex<Observed>>,
) {
    // Spread the callers over one pause so they do not move in lockstep.
    tokio::time::sleep(PAUSE * caller / CALLERS).await;
    let outage = OUTAGE_START..OUTAGE_START + OUTAGE;
    let mut request = 0;
    while start.elapsed() < RUN {
        let began = Instant::now();
        let since_start = began - start;
        let result = match client.ready().await {
            Ok(ready) => ready.call(request).await,
            Err(error) => Err(error),
        };
        let shed = result
            .as_ref()
            .is_err_and(|e| e.downcast_ref::<CallNotPermitted>().is_some());
        {
            let mut observed = observed.lock().expect("no caller panicked");
            observed.latencies.push(began.elapsed());
            if shed {
                observed.shed += 1;
            } else if outage.contains(&since_start) {
                observed.reached_during_outage += 1;
            }
        }
        request += 1;
        tokio::time::sleep(PAUSE).await;
    }
}
