//! Registers served to concurrent client tasks over a simulated network, in paused tokio time
//! with every delay drawn from a seed: the correct register's histories are linearizable, the
//! broken ones' are not. Clients time out, so some outcomes are unknown (`info`), and some of
//! those operations took effect while others did not.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chaos::{CasFailure, Checker, History, Outcome, Recorder, Rng, Seed, Verdict};
use tokio::time::{sleep, timeout};

use super::assert_witness;
use crate::support;

/// A bug planted in the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flaw {
    /// A correct, atomic register.
    None,
    /// Half the reads are served by a replica that is one write behind.
    StaleReplica,
    /// A third of the writes are acknowledged but never applied.
    LostWrites,
}

/// What a client asks.
#[derive(Debug, Clone, Copy)]
enum Request {
    Read,
    Write(i64),
    Cas { from: i64, to: i64 },
}

/// What the server answers.
#[derive(Debug, Clone, Copy)]
enum Answer {
    Read(Option<i64>),
    Written,
    Swapped(bool),
}

/// The server: a register, and a replica that lags one write behind it.
struct Server {
    value: Option<i64>,
    replica: Option<i64>,
    flaw: Flaw,
    rng: Rng,
}

impl Server {
    /// Serves one request atomically: this is the instant it takes effect.
    fn serve(&mut self, request: Request) -> Answer {
        match request {
            Request::Read if self.flaw == Flaw::StaleReplica && self.rng.chance(0.5) => {
                Answer::Read(self.replica)
            }
            Request::Read => Answer::Read(self.value),
            Request::Write(_) if self.flaw == Flaw::LostWrites && self.rng.chance(1.0 / 3.0) => {
                Answer::Written
            }
            Request::Write(value) => {
                self.set(value);
                Answer::Written
            }
            Request::Cas { from, to } => {
                let matched = self.value == Some(from);
                if matched {
                    self.set(to);
                }
                Answer::Swapped(matched)
            }
        }
    }

    fn set(&mut self, value: i64) {
        self.replica = self.value;
        self.value = Some(value);
    }
}

const PROCESSES: u64 = 5;
const OPERATIONS_PER_PROCESS: u64 = 200;
/// Each way, a message takes up to this long.
const DELAY_MS_MAX: u64 = 10;
/// Clients give up after this long: a little over the mean round trip, so a few operations
/// time out, some before the server saw them and some after.
const TIMEOUT: Duration = Duration::from_millis(14);

/// Runs the clients against a server with `flaw` and returns what they recorded.
async fn run(seed: Seed, flaw: Flaw) -> History {
    let server = Arc::new(Mutex::new(Server {
        value: None,
        replica: None,
        flaw,
        rng: seed.stream("server"),
    }));
    let recorder = Recorder::new(2 * (PROCESSES * OPERATIONS_PER_PROCESS) as usize);
    let clients: Vec<_> = (0..PROCESSES)
        .map(|process| {
            let rng = seed.stream(&format!("client-{process}"));
            tokio::spawn(client(process, rng, Arc::clone(&server), recorder.clone()))
        })
        .collect();
    for client in clients {
        client.await.expect("clients do not panic");
    }
    recorder
        .history()
        .expect("the recorder keeps histories well formed")
}

/// Sends `request` over the simulated network: it travels `there`, is served, and its answer
/// travels `back`. A timeout abandons it wherever it is.
async fn call(server: &Mutex<Server>, request: Request, there: Duration, back: Duration) -> Answer {
    sleep(there).await;
    let answer = server
        .lock()
        .expect("no panics while serving")
        .serve(request);
    sleep(back).await;
    answer
}

async fn client(process: u64, mut rng: Rng, server: Arc<Mutex<Server>>, recorder: Recorder) {
    // The last value this client saw, a likely candidate for a cas that succeeds.
    let mut seen = 0;
    for counter in 0..OPERATIONS_PER_PROCESS {
        sleep(Duration::from_millis(rng.below(5))).await;
        let unique = (process * OPERATIONS_PER_PROCESS + counter).cast_signed() + 1;
        let request = match rng.below(10) {
            0..4 => Request::Read,
            4..8 => Request::Write(unique),
            _ => Request::Cas {
                from: seen,
                to: unique,
            },
        };
        let there = Duration::from_millis(rng.below(DELAY_MS_MAX));
        let back = Duration::from_millis(rng.below(DELAY_MS_MAX));
        let answer = || timeout(TIMEOUT, call(&server, request, there, back));
        let sized = "the recorder is sized for every call";
        match request {
            Request::Read => {
                let pending = recorder.read(process, None).expect(sized);
                // On a timeout the ticket is dropped, which records `info`.
                if let Ok(Answer::Read(value)) = answer().await {
                    seen = value.unwrap_or(seen);
                    pending.ok(value);
                }
            }
            Request::Write(value) => {
                let pending = recorder.write(process, None, value).expect(sized);
                match answer().await {
                    Ok(_) => pending.ok(),
                    Err(_) => pending.info(),
                }
                seen = value;
            }
            Request::Cas { from, to } => {
                let pending = recorder.cas(process, None, from, to).expect(sized);
                match answer().await {
                    Ok(Answer::Swapped(true)) => pending.ok(),
                    Ok(_) => pending.fail(),
                    Err(_) => pending.info(),
                }
            }
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_correct_register_with_timeouts_is_linearizable() {
    let seed = support::seed();
    let history = run(seed, Flaw::None).await;
    let operations = history.operations();
    assert_eq!(
        operations.len(),
        (PROCESSES * OPERATIONS_PER_PROCESS) as usize
    );
    let info = operations
        .iter()
        .filter(|operation| operation.outcome == Outcome::Info)
        .count();
    let failed = operations
        .iter()
        .filter(|operation| operation.outcome == Outcome::Fail)
        .count();
    assert!(info > 0, "some clients time out");
    assert!(failed > 0, "some compares do not match");

    let report = Checker::default().check(&history).unwrap();
    assert_witness(&history, &report, CasFailure::CompareMismatch);
}

#[tokio::test(start_paused = true)]
async fn registers_that_serve_stale_reads_or_lose_writes_are_not_linearizable() {
    let seed = support::seed();
    for flaw in [Flaw::StaleReplica, Flaw::LostWrites] {
        let history = run(seed, flaw).await;
        let report = Checker::default().check(&history).unwrap();
        let Verdict::NotLinearizable(counterexample) = &report.verdict else {
            panic!("{flaw:?}: {:?}", report.verdict);
        };
        // The operation that could not be placed had completed: only an operation with a
        // definite outcome can contradict the others.
        let blocked = &history.operations()[counterexample.blocked];
        assert!(blocked.complete_line.is_some(), "{flaw:?}: {blocked}");
        assert!(
            counterexample
                .pending
                .iter()
                .any(|candidate| candidate.operation == counterexample.blocked),
            "{flaw:?}: the blocked operation is among the pending ones"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn the_same_seed_replays_the_same_history() {
    let seed = support::seed();
    let first = run(seed, Flaw::StaleReplica).await;
    let second = run(seed, Flaw::StaleReplica).await;
    assert_eq!(first, second);
}
