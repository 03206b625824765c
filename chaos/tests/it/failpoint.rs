//! Failpoints: each action, probability and cap from the seed, pauses and releases, and
//! registries that stay apart while tests run in parallel.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use chaos::{FAILPOINTS_MAX, Fail, FailpointError, Failpoints, Seed};
use tokio::task::JoinError;
use tokio::time::Instant;

use crate::support;

/// The error of the code under test.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Injected(String);

/// Code under test: one failpoint that can fail the operation, then the work.
async fn write(failpoints: &Failpoints, done: &AtomicU32) -> Result<(), Injected> {
    chaos::fail_point!(failpoints, "store::write", |message| Err(Injected(message)));
    done.fetch_add(1, Ordering::SeqCst);
    Ok(())
}

/// Code under test whose failpoint has no error to return.
async fn flush(failpoints: &Failpoints, done: &AtomicU32) {
    chaos::fail_point!(failpoints, "store::flush");
    done.fetch_add(1, Ordering::SeqCst);
}

/// Runs `flush` on its own task, so a test can pause it and release it.
fn spawn_flush(failpoints: &Failpoints, done: &Arc<AtomicU32>) -> tokio::task::JoinHandle<()> {
    let (failpoints, done) = (failpoints.clone(), Arc::clone(done));
    tokio::spawn(async move { flush(&failpoints, &done).await })
}

fn registry() -> (Failpoints, chaos::TestSeed) {
    let seed = support::test_seed();
    (Failpoints::new(seed.seed()), seed)
}

fn panic_message(error: JoinError) -> String {
    let payload = error.into_panic();
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| {
            payload
                .downcast_ref::<&str>()
                .map(|message| (*message).to_owned())
        })
        .expect("a text panic message")
}

#[tokio::test(start_paused = true)]
async fn an_unset_failpoint_does_nothing() {
    let (failpoints, _seed) = registry();
    let done = AtomicU32::new(0);
    assert_eq!(write(&failpoints, &done).await, Ok(()));
    flush(&failpoints, &done).await;
    assert_eq!(done.load(Ordering::SeqCst), 2);
    assert!(failpoints.handle("store::write").is_none());
    assert_eq!(failpoints.hit("never::set").await, None);
}

#[tokio::test(start_paused = true)]
async fn an_error_returns_the_sites_own_error_and_skips_the_work() {
    let (failpoints, _seed) = registry();
    let point = failpoints
        .set("store::write", Fail::error("disk full"))
        .expect("valid");
    let done = AtomicU32::new(0);
    assert_eq!(
        write(&failpoints, &done).await,
        Err(Injected("disk full".into()))
    );
    assert_eq!(done.load(Ordering::SeqCst), 0);
    assert_eq!((point.hits(), point.fired()), (1, 1));
}

#[tokio::test(start_paused = true)]
async fn a_panic_panics_the_task_naming_the_failpoint() {
    let (failpoints, _seed) = registry();
    failpoints
        .set("store::write", Fail::panic("torn write"))
        .expect("valid");
    let done = Arc::new(AtomicU32::new(0));
    let task = tokio::spawn({
        let (failpoints, done) = (failpoints.clone(), Arc::clone(&done));
        async move { write(&failpoints, &done).await }
    });
    let error = task.await.expect_err("the task panicked");
    assert_eq!(
        panic_message(error),
        "failpoint `store::write` panicked: torn write"
    );
    assert_eq!(done.load(Ordering::SeqCst), 0);
}

#[tokio::test(start_paused = true)]
async fn a_sleep_delays_the_site_on_the_tokio_clock() {
    let (failpoints, _seed) = registry();
    failpoints
        .set("store::flush", Fail::sleep(Duration::from_secs(3)))
        .expect("valid");
    let done = AtomicU32::new(0);
    let start = Instant::now();
    flush(&failpoints, &done).await;
    assert_eq!(start.elapsed(), Duration::from_secs(3));
    assert_eq!(done.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn a_pause_holds_tasks_until_released_and_pauses_later_ones_again() {
    let (failpoints, _seed) = registry();
    let point = failpoints
        .set("store::flush", Fail::pause(Duration::from_mins(1)))
        .expect("valid");
    let done = Arc::new(AtomicU32::new(0));
    let tasks: Vec<_> = (0..3).map(|_| spawn_flush(&failpoints, &done)).collect();
    point.wait_paused(3).await;
    // Paused, not merely slow: time passes and nothing moves.
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert_eq!(done.load(Ordering::SeqCst), 0);
    assert_eq!(point.paused(), 3);

    point.release();
    for task in tasks {
        task.await.expect("released, no panic");
    }
    assert_eq!((done.load(Ordering::SeqCst), point.paused()), (3, 0));

    let late = spawn_flush(&failpoints, &done);
    point.wait_paused(1).await;
    assert_eq!(done.load(Ordering::SeqCst), 3, "a later hit pauses again");
    point.release();
    late.await.expect("released");
    assert_eq!((point.hits(), point.fired()), (4, 4));
}

#[tokio::test(start_paused = true)]
async fn a_pause_nobody_releases_panics_at_its_bound() {
    let (failpoints, _seed) = registry();
    let point = failpoints
        .set("store::flush", Fail::pause(Duration::from_secs(5)))
        .expect("valid");
    let done = Arc::new(AtomicU32::new(0));
    let start = Instant::now();
    let task = spawn_flush(&failpoints, &done);
    let message = panic_message(task.await.expect_err("the pause ran out"));
    assert_eq!(start.elapsed(), Duration::from_secs(5));
    assert!(
        message.starts_with("failpoint `store::flush` stayed paused for 5s without a release"),
        "{message}"
    );
    assert_eq!((done.load(Ordering::SeqCst), point.paused()), (0, 0));
}

#[tokio::test(start_paused = true)]
async fn an_error_at_a_site_without_one_panics_with_the_fix() {
    let (failpoints, _seed) = registry();
    failpoints
        .set("store::flush", Fail::error("EIO"))
        .expect("valid");
    let task = tokio::spawn({
        let failpoints = failpoints.clone();
        async move { flush(&failpoints, &AtomicU32::new(0)).await }
    });
    let message = panic_message(task.await.expect_err("no error to return"));
    assert!(
        message.contains("failpoint `store::flush` is set to return an error"),
        "{message}"
    );
    assert!(message.contains("give the site a closure"), "{message}");
}

#[tokio::test(start_paused = true)]
async fn the_probability_draws_from_the_failpoints_own_stream() {
    // The oracle: one draw per hit from the stream named after the failpoint.
    let seed = Seed::new(42);
    let mut stream = seed.stream("store::write");
    let expected: Vec<bool> = (0..1_000).map(|_| stream.chance(0.3)).collect();

    let failpoints = Failpoints::new(seed);
    failpoints
        .set("store::write", Fail::error("flaky").with_probability(0.3))
        .expect("valid");
    // Another failpoint, set and hit in between, draws from its own stream.
    failpoints
        .set(
            "store::flush",
            Fail::sleep(Duration::ZERO).with_probability(0.5),
        )
        .expect("valid");
    let done = AtomicU32::new(0);
    let mut failed = Vec::new();
    for _ in 0..1_000 {
        failed.push(write(&failpoints, &done).await.is_err());
        flush(&failpoints, &done).await;
    }
    assert_eq!(failed, expected);
}

#[tokio::test(start_paused = true)]
async fn a_cap_limits_the_firings() {
    let (failpoints, _seed) = registry();
    let point = failpoints
        .set("store::write", Fail::error("full").at_most(3))
        .expect("valid");
    let done = AtomicU32::new(0);
    let mut outcomes = Vec::new();
    for _ in 0..10 {
        outcomes.push(write(&failpoints, &done).await.is_ok());
    }
    let mut expected = vec![false; 3];
    expected.extend([true; 7]);
    assert_eq!(outcomes, expected);
    assert_eq!((point.hits(), point.fired()), (10, 3));
}

#[tokio::test(start_paused = true)]
async fn setting_again_starts_afresh_and_releases_the_old_pause() {
    let (failpoints, _seed) = registry();
    let old = failpoints
        .set("store::flush", Fail::pause(Duration::from_mins(1)))
        .expect("valid");
    let done = Arc::new(AtomicU32::new(0));
    let task = spawn_flush(&failpoints, &done);
    old.wait_paused(1).await;
    let new = failpoints
        .set("store::flush", Fail::sleep(Duration::ZERO))
        .expect("valid");
    task.await.expect("released by the replacement");
    assert_eq!(done.load(Ordering::SeqCst), 1);
    flush(&failpoints, &done).await;
    assert_eq!((old.hits(), new.hits()), (1, 1), "counts start afresh");

    failpoints.remove("store::flush");
    assert!(failpoints.handle("store::flush").is_none());
    failpoints.remove("store::flush");
    flush(&failpoints, &done).await;
    assert_eq!(done.load(Ordering::SeqCst), 3);
    assert_eq!(new.hits(), 1, "a removed failpoint sees no more hits");
}

#[tokio::test(start_paused = true)]
async fn removing_a_failpoint_releases_its_paused_tasks() {
    let (failpoints, _seed) = registry();
    let point = failpoints
        .set("store::flush", Fail::pause(Duration::from_mins(1)))
        .expect("valid");
    let done = Arc::new(AtomicU32::new(0));
    let task = spawn_flush(&failpoints, &done);
    point.wait_paused(1).await;
    failpoints.remove("store::flush");
    task.await.expect("released");
    assert_eq!(done.load(Ordering::SeqCst), 1);
}

#[test]
fn bad_configurations_are_refused_naming_the_failpoint_and_the_rule() {
    let failpoints = Failpoints::new(Seed::new(1));
    assert_eq!(
        failpoints.set("", Fail::error("x")).unwrap_err(),
        FailpointError::EmptyName
    );
    for value in [1.5, -0.1, f64::NAN] {
        let err = failpoints
            .set("a", Fail::error("x").with_probability(value))
            .unwrap_err();
        assert!(
            matches!(&err, FailpointError::ProbabilityOutOfRange { name, value: v }
                if name == "a" && (v.to_bits() == value.to_bits())),
            "{err:?}"
        );
        assert!(
            err.to_string()
                .starts_with("failpoint `a`: probability must be in [0, 1]")
        );
    }
    let err = failpoints
        .set("a", Fail::sleep(Duration::ZERO).at_most(0))
        .unwrap_err();
    assert_eq!(err, FailpointError::ZeroCount { name: "a".into() });
    assert_eq!(
        err.to_string(),
        "failpoint `a`: at_most must be at least 1, got 0"
    );

    for index in 0..FAILPOINTS_MAX {
        failpoints
            .set(&format!("point-{index}"), Fail::sleep(Duration::ZERO))
            .expect("within capacity");
    }
    let err = failpoints.set("one-more", Fail::error("x")).unwrap_err();
    assert_eq!(
        err,
        FailpointError::TooMany {
            max: FAILPOINTS_MAX
        }
    );
    // Replacing one that exists is still allowed at capacity.
    assert!(failpoints.set("point-0", Fail::error("x")).is_ok());
}

#[test]
fn registries_of_tests_running_in_parallel_stay_apart() {
    // Eight "tests" at once on eight threads, each with its own registry and runtime, setting
    // the same failpoint name differently.
    const TESTS: u32 = 8;
    let start = Arc::new(Barrier::new(TESTS as usize));
    let threads: Vec<_> = (0..TESTS)
        .map(|test| {
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_time()
                    .start_paused(true)
                    .build()
                    .expect("a runtime");
                let failpoints = Failpoints::new(Seed::new(u64::from(test)));
                let point = failpoints
                    .set(
                        "store::write",
                        Fail::error("full").at_most(u64::from(test) + 1),
                    )
                    .expect("valid");
                start.wait();
                let done = AtomicU32::new(0);
                let failed = runtime.block_on(async {
                    let mut failed = 0;
                    for _ in 0..20 {
                        failed += u32::from(write(&failpoints, &done).await.is_err());
                        tokio::task::yield_now().await;
                    }
                    failed
                });
                (failed, point.hits(), done.load(Ordering::SeqCst))
            })
        })
        .collect();
    for (test, thread) in (0..TESTS).zip(threads) {
        let (failed, hits, done) = thread.join().expect("no panic");
        assert_eq!(
            (failed, hits, done),
            (test + 1, 20, 19 - test),
            "test {test}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registry_follows_its_clones_into_spawned_tasks_on_other_threads() {
    let (failpoints, _seed) = registry();
    let point = failpoints
        .set("store::write", Fail::error("full").at_most(25))
        .expect("valid");
    let done = Arc::new(AtomicU32::new(0));
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let (failpoints, done) = (failpoints.clone(), Arc::clone(&done));
            tokio::spawn(async move {
                let mut failed = 0;
                for _ in 0..10 {
                    failed += u32::from(write(&failpoints, &done).await.is_err());
                }
                failed
            })
        })
        .collect();
    let mut failed = 0;
    for task in tasks {
        failed += task.await.expect("no panic");
    }
    assert_eq!((failed, point.hits(), point.fired()), (25, 100, 25));
    assert_eq!(done.load(Ordering::SeqCst), 75);
}
