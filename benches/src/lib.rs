//! Helpers shared by the Criterion benchmarks in `benches/`.
//!
//! Each benchmark file puts this workspace's implementation beside the crates a user would
//! otherwise pick, under the same input, in one run: `cargo bench -p benches`, then
//! `cargo xtask bench-report` writes the ratios to `docs/benchmarks.md`.

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::sync::Barrier;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// Runs `op` `iters` times on each of `threads` threads started together, and returns the
/// wall time: with Criterion's `iter_custom`, the time one call takes while the other
/// threads make the same calls on the same shared state.
pub fn contended<S>(
    threads: usize,
    iters: u64,
    mut per_thread: impl FnMut() -> S,
    op: impl Fn(&mut S) + Sync,
) -> Duration
where
    S: Send,
{
    let states: Vec<S> = (0..threads).map(|_| per_thread()).collect();
    let start_line = Barrier::new(threads + 1);
    std::thread::scope(|scope| {
        for mut state in states {
            let (op, start_line) = (&op, &start_line);
            scope.spawn(move || {
                start_line.wait();
                for _ in 0..iters {
                    op(black_box(&mut state));
                }
            });
        }
        start_line.wait();
        let started = Instant::now();
        // Leaving the scope joins every thread.
        started
    })
    .elapsed()
}

/// Polls a future with a no-op waker until it completes: a busy-polling executor with no
/// scheduling cost of its own, so what is measured is the future's work. A future that
/// waits on a lock held by another thread is polled again until the lock is free.
#[inline]
pub fn poll_to_completion<F: Future>(future: F) -> F::Output {
    let mut context = Context::from_waker(Waker::noop());
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
        std::hint::spin_loop();
    }
}
