//! The breaker over a simulated network: a client calls a server over TCP on turmoil's
//! simulated network ([`chaos::sim`]); the network partitions and heals. In simulated time
//! the breaker opens and sheds calls during the partition, probes, and closes after the heal,
//! and the whole run replays from its seed.
//!
//! The test prints its `CHAOS_SEED`, and the command that replays it if it fails.

use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chaos::Seed;
use chaos::sim::turmoil::net::{TcpListener, TcpStream};
use chaos::sim::{SimConfig, Simulation, turmoil};
use circuit_breaker::{
    CallNotPermitted, CircuitBreaker, CircuitBreakerLayer, Config, Event, EventKind, SlidingWindow,
    State, WaitInOpen,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::TryRecvError;
use tower::{BoxError, Service, ServiceBuilder, ServiceExt, service_fn};

const PORT: u16 = 8_080;
const PARTITION_AT: Duration = Duration::from_secs(5);
const HEAL_AT: Duration = Duration::from_secs(15);
/// The client's last call starts before this.
const CALLS_END: Duration = Duration::from_secs(22);
/// The client gives up on a call after this long.
const CALL_TIMEOUT: Duration = Duration::from_millis(500);
/// Between calls the client waits this long plus a seeded jitter of up to `THINK_JITTER`.
const THINK: Duration = Duration::from_millis(100);
const THINK_JITTER_MS: u64 = 20;
const WAIT_IN_OPEN: Duration = Duration::from_secs(3);
const PROBES: u32 = 3;

/// Judge the last 10 calls once 10 are in; open at half failing; probe with 3 calls after 3 s.
fn breaker_config() -> Config {
    Config {
        failure_rate_threshold: 50.0,
        minimum_calls: 10,
        sliding_window: SlidingWindow::Count { size: 10 },
        permitted_calls_in_half_open: PROBES,
        wait_in_open: WaitInOpen::Fixed {
            duration: WAIT_IN_OPEN,
        },
        slow_call_duration: None,
        ..Config::default()
    }
}

/// How a call ended, as the client saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// The server answered.
    Answered,
    /// The call reached the network and failed there (refused, lost or timed out).
    Failed,
    /// The breaker refused the call without trying.
    Shed,
}

/// One call of the client, in simulated time.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Call {
    at: Duration,
    took: Duration,
    outcome: Outcome,
    /// Whether the call got past the breaker to the network.
    attempted: bool,
}

/// Everything a run shows: the client's calls, the breaker's transitions, and when the server
/// served each request. Two runs with the same seed must be equal.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Trace {
    calls: Vec<Call>,
    transitions: Vec<(Duration, State)>,
    served: Vec<Duration>,
}

fn now() -> Duration {
    turmoil::sim_elapsed().expect("inside the simulation")
}

/// The server: answers each connection's number with the number plus one.
async fn server(served: Arc<Mutex<Vec<Duration>>>) -> turmoil::Result {
    let listener = TcpListener::bind((Ipv4Addr::UNSPECIFIED, PORT)).await?;
    loop {
        let (mut stream, _) = listener.accept().await?;
        let served = Arc::clone(&served);
        tokio::spawn(async move {
            if let Ok(request) = stream.read_u32().await {
                served.lock().expect("unpoisoned").push(now());
                let _ = stream.write_u32(request + 1).await;
            }
        });
    }
}

/// One request over a fresh connection, as an HTTP/1.0 client would make it.
async fn exchange(request: u32) -> Result<u32, BoxError> {
    let mut stream = TcpStream::connect(("server", PORT)).await?;
    stream.write_u32(request).await?;
    let answer = stream.read_u32().await?;
    if answer == request + 1 {
        Ok(answer)
    } else {
        Err(format!("asked {request}, got {answer}").into())
    }
}

/// The client: calls through the breaker until `CALLS_END`, recording what it sees.
async fn client(seed: Seed, trace: Arc<Mutex<Trace>>) -> turmoil::Result {
    let breaker = Arc::new(CircuitBreaker::new("server", breaker_config())?);
    let mut events = breaker.subscribe();
    let attempts = Arc::new(AtomicU64::new(0));
    let network = {
        let attempts = Arc::clone(&attempts);
        service_fn(move |request: u32| {
            attempts.fetch_add(1, Ordering::SeqCst);
            async move { tokio::time::timeout(CALL_TIMEOUT, exchange(request)).await? }
        })
    };
    let mut service = ServiceBuilder::new()
        .layer(CircuitBreakerLayer::new(Arc::clone(&breaker)))
        .service(network);
    let mut think = seed.stream("think");
    let mut request = 0;
    while now() < CALLS_END {
        let (at, attempts_before) = (now(), attempts.load(Ordering::SeqCst));
        let ready = service.ready().await.expect("a service_fn is always ready");
        let result = ready.call(request).await;
        let outcome = match &result {
            Ok(_) => Outcome::Answered,
            Err(error) if error.is::<CallNotPermitted>() => Outcome::Shed,
            Err(_) => Outcome::Failed,
        };
        let call = Call {
            at,
            took: now().saturating_sub(at),
            outcome,
            attempted: attempts.load(Ordering::SeqCst) > attempts_before,
        };
        let transitions = transitions(&mut events)?;
        {
            let mut trace = trace.lock().expect("unpoisoned");
            trace.calls.push(call);
            trace.transitions.extend(transitions);
        }
        request += 1;
        let jitter = Duration::from_millis(think.below(THINK_JITTER_MS + 1));
        tokio::time::sleep(THINK + jitter).await;
    }
    Ok(())
}

/// The state transitions the breaker reported since the last look, stamped with the time.
fn transitions(events: &mut Receiver<Event>) -> Result<Vec<(Duration, State)>, String> {
    let mut seen = Vec::new();
    loop {
        match events.try_recv() {
            Ok(Event {
                kind: EventKind::StateTransition { to, .. },
                ..
            }) => seen.push((now(), to)),
            Ok(_) => {}
            Err(TryRecvError::Empty) => return Ok(seen),
            Err(lost) => return Err(format!("breaker events lost: {lost}")),
        }
    }
}

/// Runs the scenario: healthy, partitioned from 5 s to 15 s, healthy again.
fn run(seed: Seed) -> Trace {
    let config = SimConfig {
        duration: Duration::from_secs(30),
        tick: Duration::from_millis(1),
        latency_min: Duration::from_millis(1),
        latency_max: Duration::from_millis(20),
    };
    let mut sim = Simulation::new(&config, seed).expect("a valid config");
    let trace = Arc::new(Mutex::new(Trace::default()));
    let served = Arc::new(Mutex::new(Vec::new()));
    {
        let served = Arc::clone(&served);
        sim.host("server", move || server(Arc::clone(&served)))
            .expect("a new host");
    }
    sim.client("client", client(seed, Arc::clone(&trace)))
        .expect("a new client");

    sim.run_until(PARTITION_AT).expect("runs");
    sim.partition("client", "server").expect("known hosts");
    sim.run_until(HEAL_AT).expect("runs");
    sim.heal();
    sim.run().expect("the client finishes");

    let mut trace = trace.lock().expect("unpoisoned").clone();
    trace.served.clone_from(&served.lock().expect("unpoisoned"));
    trace
}

/// The calls that started in `(after, until]`. A transition is stamped when the call that
/// caused it returns and calls are at least `THINK` apart, so for a state entered at `after`
/// and left at `until` these are exactly the calls that state saw, the one that left it
/// included.
fn calls_after(trace: &Trace, after: Duration, until: Duration) -> impl Iterator<Item = &Call> {
    trace
        .calls
        .iter()
        .filter(move |call| after < call.at && call.at <= until)
}

/// How the network must end a call that reached it: answered if the call ran wholly while
/// the network was whole, failed if it started while partitioned (the connection attempt is
/// refused). `None` where the order of events within one tick decides: a call in flight when
/// the partition starts (answered just before it, or dropped with its messages), and a call
/// starting on the tick of the heal.
fn network_outcome(call: &Call) -> Option<Outcome> {
    if call.at + call.took < PARTITION_AT || call.at > HEAL_AT {
        Some(Outcome::Answered)
    } else if (PARTITION_AT..HEAL_AT).contains(&call.at) {
        Some(Outcome::Failed)
    } else {
        None
    }
}

#[test]
fn opens_during_a_partition_sheds_calls_and_closes_after_the_heal_reproducibly() {
    let seed = chaos::test_seed!().expect("CHAOS_SEED must be a decimal or 0x-hex u64");
    let trace = run(seed.seed());

    // Every call either reached the network, which ended it as the partition dictates, or
    // was shed by the breaker at once.
    for call in &trace.calls {
        if call.attempted {
            assert_ne!(call.outcome, Outcome::Shed, "{call:?}");
            if let Some(outcome) = network_outcome(call) {
                assert_eq!(call.outcome, outcome, "{call:?}");
            }
        } else {
            assert!(
                call.outcome == Outcome::Shed && call.took.is_zero(),
                "{call:?}"
            );
        }
    }
    // The server saw nothing in between.
    assert!(
        trace
            .served
            .iter()
            .all(|at| !(PARTITION_AT..HEAL_AT).contains(at)),
        "{:?}",
        trace.served
    );

    // The breaker opens, then half-opens and reopens while partitioned, until a half-open
    // after the heal closes it.
    let states: Vec<State> = trace.transitions.iter().map(|(_, state)| *state).collect();
    let mut expected = vec![State::Open];
    for _ in 1..states.len() / 2 {
        expected.extend([State::HalfOpen, State::Open]);
    }
    expected.extend([State::HalfOpen, State::Closed]);
    assert_eq!(states, expected, "{:?}", trace.transitions);
    let (opened_at, _) = trace.transitions[0];
    let (closed_at, _) = trace.transitions[states.len() - 1];
    // It opens within a second of the partition: five failures among ten calls.
    assert!(
        (PARTITION_AT..PARTITION_AT + Duration::from_secs(1)).contains(&opened_at),
        "opened at {opened_at:?}"
    );
    // It closes after the heal, within one wait and the probes.
    assert!(
        (HEAL_AT..HEAL_AT + WAIT_IN_OPEN + Duration::from_secs(1)).contains(&closed_at),
        "closed at {closed_at:?}"
    );
    // Closed, it lets every call through.
    assert!(
        trace
            .calls
            .iter()
            .filter(|call| call.at <= opened_at || call.at > closed_at)
            .all(|call| call.attempted)
    );
    // Each time it opens, it sheds every call for the whole wait, then lets exactly the
    // probes through, and their failure rate decides: half failing reopens it.
    for cycle in trace.transitions.windows(3).step_by(2) {
        let ((opened, _), (decided, next)) = (cycle[0], cycle[2]);
        let calls: Vec<&Call> = calls_after(&trace, opened, decided).collect();
        let (refused, probes) =
            calls.split_at(calls.iter().take_while(|call| !call.attempted).count());
        assert!(
            !refused.is_empty() && refused.iter().all(|call| call.at < opened + WAIT_IN_OPEN),
            "opened at {opened:?}, refused {refused:?}"
        );
        assert!(
            probes.len() == PROBES as usize
                && probes
                    .iter()
                    .all(|call| call.attempted && call.at >= opened + WAIT_IN_OPEN),
            "opened at {opened:?}, probed {probes:?}"
        );
        let failed = probes
            .iter()
            .filter(|call| call.outcome == Outcome::Failed)
            .count();
        let reopens = 2 * failed >= probes.len();
        assert_eq!(
            next,
            if reopens { State::Open } else { State::Closed },
            "{probes:?}"
        );
    }

    // The same seed replays the same run, to the nanosecond; another seed does not.
    assert_eq!(run(seed.seed()), trace);
    assert_ne!(run(Seed::new(seed.seed().value() ^ 1)), trace);
}
