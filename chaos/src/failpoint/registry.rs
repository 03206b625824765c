//! [`Failpoints`]: one test's registry of configured failpoints, and what a hit does.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::watch;

use super::error::FailpointError;
use super::fail::{Action, Fail};
use crate::fault::InvalidTrigger;
use crate::{Rng, Seed};

/// The most failpoints one registry holds at once.
pub const FAILPOINTS_MAX: usize = 1_024;

/// A registry of failpoints: named places in the code under test where a test injects a fault.
///
/// The code under test marks a place with [`fail_point!`](crate::fail_point), giving it a name
/// such as `"log::append"`. A test [`set`](Self::set)s what happens there with a [`Fail`]:
/// return an error, panic, sleep, or pause until the test releases it, each with a probability
/// and a cap on how many times. A failpoint that is not set does nothing. Clones share the
/// registry.
///
/// ```
/// use chaos::{Fail, Failpoints, Seed};
///
/// #[derive(Debug)]
/// struct DiskFull(String);
///
/// async fn append(
///     failpoints: &Failpoints,
///     log: &mut Vec<u32>,
///     entry: u32,
/// ) -> Result<(), DiskFull> {
///     chaos::fail_point!(failpoints, "log::append", |message| Err(DiskFull(message)));
///     log.push(entry);
///     Ok(())
/// }
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let failpoints = Failpoints::new(Seed::new(7));
/// let point = failpoints.set("log::append", Fail::error("disk full").at_most(1))?;
/// let mut log = Vec::new();
/// assert!(append(&failpoints, &mut log, 1).await.is_err());
/// append(&failpoints, &mut log, 2).await.expect("fires once only");
/// assert_eq!((log, point.hits(), point.fired()), (vec![2], 2, 1));
/// # Ok(())
/// # }
/// ```
///
/// # A registry per test, passed in
///
/// A [`Failpoints`] registry is a value that the test creates and hands to the code under test,
/// which keeps it in a field and clones it into the tasks it spawns. Two alternatives were
/// rejected:
///
/// - One global registry (as in the `fail` crate) makes every test that sets failpoints
///   take a global lock, or see other tests' failpoints when tests run in parallel.
/// - A tokio task-local does not follow the code: `tokio::spawn`, `spawn_blocking` and threads
///   start without it, so a failpoint in a spawned task would silently do nothing, and the
///   nodes of a simulated cluster in one test could not be given different failpoints.
///
/// An explicit value costs one field. With failpoints compiled out (below) that field is a
/// zero-sized stand-in, so it costs nothing.
///
/// # Reproducible
///
/// Each failpoint draws its probability from its own stream, [`Seed::stream`] of its name, so
/// the same seed fires at the same hits, and setting one failpoint never changes whether
/// another fires.
///
/// # Compiled out unless asked for
///
/// Without `chaos`'s `failpoints` feature, [`fail_point!`](crate::fail_point) expands to nothing.
/// A pattern crate, which may depend on `chaos` only for its tests, goes one step further: it
/// depends on `chaos` only when its own `failpoints` feature is on, so a normal build compiles no
/// failpoint code and no `chaos` at all:
///
/// ```toml
/// [features]
/// # Failpoints for this crate's fault tests; never on in a normal build.
/// failpoints = ["dep:chaos", "chaos/failpoints"]
///
/// [dependencies]
/// chaos = { workspace = true, optional = true }
///
/// [dev-dependencies]
/// chaos = { workspace = true, features = ["failpoints"] }
/// ```
///
/// Its tests that set failpoints run with `--features failpoints`; to have a plain `cargo test`
/// run them, the crate can also list itself as a dev-dependency with the feature on, as `chaos`
/// does for its own features. One small module then gives the rest of the crate a `Failpoints`
/// type and a `fail_point!` macro that exist either way:
///
/// ```
/// mod failpoints {
///     //! This crate's failpoints, for its fault tests; without the `failpoints` feature they
///     //! compile to nothing.
///
///     #[cfg(feature = "failpoints")]
///     pub use chaos::Failpoints;
///
///     /// Stands in for `chaos::Failpoints` without the feature: zero-sized, so free to carry.
///     #[cfg(not(feature = "failpoints"))]
///     #[derive(Debug, Clone, Default)]
///     pub struct Failpoints;
///
///     /// `chaos::fail_point!` with the feature, nothing without it.
///     macro_rules! fail_point {
///         ($($arguments:tt)*) => {
///             #[cfg(feature = "failpoints")]
///             chaos::fail_point!($($arguments)*);
///         };
///     }
///     pub(crate) use fail_point;
/// }
///
/// use failpoints::{Failpoints, fail_point};
///
/// /// The crate's code carries the registry and marks its failpoints.
/// #[derive(Debug, Default)]
/// pub struct Log {
///     entries: Vec<u64>,
///     failpoints: Failpoints,
/// }
///
/// #[derive(Debug, PartialEq)]
/// pub enum LogError {
///     Io(String),
/// }
///
/// impl Log {
///     pub async fn append(&mut self, entry: u64) -> Result<(), LogError> {
///         fail_point!(self.failpoints, "log::append", |message| Err(LogError::Io(message)));
///         self.entries.push(entry);
///         Ok(())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// // A test hands the code a registry of its own (here chaos's features are on).
/// let failpoints = Failpoints::new(chaos::Seed::new(1));
/// failpoints.set("log::append", chaos::Fail::error("EIO").at_most(1)).unwrap();
/// let mut log = Log { failpoints, ..Log::default() };
/// assert_eq!(log.append(1).await, Err(LogError::Io("EIO".into())));
/// assert_eq!(log.append(2).await, Ok(()));
/// assert_eq!(log.entries, [2]);
/// # }
/// ```
///
/// Failpoints are async: the sleep and the pause wait on the `tokio::time` clock, so paused
/// test time and simulations drive them. A site in synchronous code can use a runtime's
/// `block_on`, or move the failpoint to the async caller.
#[derive(Debug, Clone)]
pub struct Failpoints {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    /// The seed of every failpoint's stream.
    seed: Seed,
    points: Mutex<HashMap<String, Arc<Point>>>,
}

impl Failpoints {
    /// An empty registry whose failpoints draw from streams of `seed`.
    #[must_use]
    pub fn new(seed: Seed) -> Self {
        Self {
            shared: Arc::new(Shared {
                seed,
                points: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Configures the failpoint `name`, replacing any earlier configuration of it, and returns a
    /// handle to observe it and release its pauses.
    ///
    /// Replacing starts the failpoint afresh: its counts return to zero, its stream restarts,
    /// tasks paused at it are released, and handles to the old configuration stop seeing hits.
    pub fn set(&self, name: &str, fail: Fail) -> Result<FailpointHandle, FailpointError> {
        if name.is_empty() {
            return Err(FailpointError::EmptyName);
        }
        match fail.trigger.check() {
            Err(InvalidTrigger::Probability(value)) => {
                return Err(FailpointError::ProbabilityOutOfRange {
                    name: name.to_owned(),
                    value,
                });
            }
            Err(InvalidTrigger::ZeroCount) => {
                return Err(FailpointError::ZeroCount {
                    name: name.to_owned(),
                });
            }
            Ok(()) => {}
        }
        let point = Arc::new(Point::new(name, fail, self.shared.seed.stream(name)));
        let mut points = lock(&self.shared.points);
        if points.len() == FAILPOINTS_MAX && !points.contains_key(name) {
            return Err(FailpointError::TooMany {
                max: FAILPOINTS_MAX,
            });
        }
        if let Some(replaced) = points.insert(name.to_owned(), Arc::clone(&point)) {
            replaced.release();
        }
        Ok(FailpointHandle { point })
    }

    /// Removes the failpoint `name`, if set, and releases any task paused at it.
    pub fn remove(&self, name: &str) {
        let removed = lock(&self.shared.points).remove(name);
        if let Some(point) = removed {
            point.release();
        }
    }

    /// A handle to the failpoint `name`, if it is set.
    #[must_use]
    pub fn handle(&self, name: &str) -> Option<FailpointHandle> {
        self.point(name).map(|point| FailpointHandle { point })
    }

    /// Reaches the failpoint `name`: runs its action if it fires, and returns the error
    /// message if that action is [`Fail::error`].
    ///
    /// This is what [`fail_point!`](crate::fail_point) calls. It sleeps and pauses on the
    /// `tokio::time` clock.
    ///
    /// # Panics
    ///
    /// For [`Fail::panic`], and for a [`Fail::pause`] not released within its bound.
    pub async fn hit(&self, name: &str) -> Option<String> {
        let point = self.point(name)?;
        match point.fire()? {
            Action::Error(message) => Some(message),
            Action::Panic(message) => panic!("failpoint `{name}` panicked: {message}"),
            Action::Sleep(duration) => {
                tokio::time::sleep(duration).await;
                None
            }
            Action::Pause { bound } => {
                point.pause(bound).await;
                None
            }
        }
    }

    /// Reaches the failpoint `name` at a site that has no error to return: like
    /// [`hit`](Self::hit).
    ///
    /// # Panics
    ///
    /// As [`hit`](Self::hit) does, and for [`Fail::error`], naming the failpoint: the site has
    /// no error to return.
    pub async fn pass(&self, name: &str) {
        if let Some(message) = self.hit(name).await {
            panic!(
                "failpoint `{name}` is set to return an error ({message:?}), but its site has no \
                 error to return: give the site a closure, `fail_point!(failpoints, \"{name}\", \
                 |message| ...)`, or set another action"
            );
        }
    }

    fn point(&self, name: &str) -> Option<Arc<Point>> {
        lock(&self.shared.points).get(name).cloned()
    }
}

impl Default for Failpoints {
    /// An empty registry with seed 0: what code under test holds when no test handed it one.
    /// A test configures a registry of its own, made with [`Failpoints::new`] from its seed.
    fn default() -> Self {
        Self::new(Seed::new(0))
    }
}

/// A view of one configured failpoint: how often it was reached and fired, which tasks wait
/// at it, and the release of those tasks.
#[derive(Debug, Clone)]
pub struct FailpointHandle {
    point: Arc<Point>,
}

impl FailpointHandle {
    /// The failpoint's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.point.name
    }

    /// How many times code reached the failpoint, fired or not.
    #[must_use]
    pub fn hits(&self) -> u64 {
        lock(&self.point.state).hits
    }

    /// How many times its action ran.
    #[must_use]
    pub fn fired(&self) -> u64 {
        lock(&self.point.state).fired
    }

    /// How many tasks are paused at it now.
    #[must_use]
    pub fn paused(&self) -> usize {
        *self.point.paused.borrow()
    }

    /// Waits until at least `tasks` tasks are paused at the failpoint: the signal that code
    /// under test has reached it, with no sleeping to guess when.
    pub async fn wait_paused(&self, tasks: usize) {
        let mut paused = self.point.paused.subscribe();
        // The point, and so the sender, outlives this borrow of it.
        let _ = paused.wait_for(|now| *now >= tasks).await;
    }

    /// Lets every task paused at the failpoint now go on. Tasks that reach it later pause
    /// again while its action is a pause and it fires.
    pub fn release(&self) {
        self.point.release();
    }
}

/// One configured failpoint.
#[derive(Debug)]
struct Point {
    name: String,
    state: Mutex<PointState>,
    /// The number of releases so far; a paused task waits for it to pass what it saw.
    releases: watch::Sender<u64>,
    /// How many tasks are paused here now.
    paused: watch::Sender<usize>,
}

#[derive(Debug)]
struct PointState {
    fail: Fail,
    rng: Rng,
    hits: u64,
    fired: u64,
}

impl Point {
    fn new(name: &str, fail: Fail, rng: Rng) -> Self {
        Self {
            name: name.to_owned(),
            state: Mutex::new(PointState {
                fail,
                rng,
                hits: 0,
                fired: 0,
            }),
            releases: watch::Sender::new(0),
            paused: watch::Sender::new(0),
        }
    }

    /// Counts a hit and returns the action to run, if the failpoint fires.
    fn fire(&self) -> Option<Action> {
        let mut state = lock(&self.state);
        let PointState {
            fail,
            rng,
            hits,
            fired,
        } = &mut *state;
        *hits += 1;
        if !fail.trigger.fires(*fired, rng) {
            return None;
        }
        *fired += 1;
        Some(fail.action.clone())
    }

    /// Waits for the next release, for at most `bound`.
    async fn pause(&self, bound: Duration) {
        let mut releases = self.releases.subscribe();
        let seen = *releases.borrow_and_update();
        // Counted only once subscribed, so a test that saw the count can release this task.
        let _counted = PausedCount::enter(&self.paused);
        let outcome = tokio::time::timeout(bound, releases.wait_for(|count| *count > seen)).await;
        assert!(
            outcome.is_ok(),
            "failpoint `{}` stayed paused for {bound:?} without a release: call \
             FailpointHandle::release, or set a longer bound",
            self.name
        );
    }

    /// Releases the tasks paused now.
    fn release(&self) {
        self.releases.send_modify(|count| *count += 1);
    }
}

/// One task's place in a failpoint's paused count, given up when the task goes on or is
/// cancelled.
struct PausedCount<'a>(&'a watch::Sender<usize>);

impl<'a> PausedCount<'a> {
    fn enter(paused: &'a watch::Sender<usize>) -> Self {
        paused.send_modify(|count| *count += 1);
        Self(paused)
    }
}

impl Drop for PausedCount<'_> {
    fn drop(&mut self) {
        self.0.send_modify(|count| *count -= 1);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Nothing panics while these locks are held, so a poisoned lock still holds consistent
    // state; propagating the poison would turn one failed test into many.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
