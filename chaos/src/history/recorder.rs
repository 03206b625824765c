//! Recording a history while clients run: thread-safe, usable from async code, bounded.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::{Event, EventKind, Function, History, HistoryError, Value};

/// Records the events of concurrent clients in real-time order, up to a fixed capacity.
///
/// Call [`read`](Recorder::read), [`write`](Recorder::write) or [`cas`](Recorder::cas) just
/// before performing an operation, and complete the returned ticket just after it returns.
/// Events are appended under a lock held only for the push (never across an `.await`), so
/// their order is consistent with real time: an operation that completed before another was
/// invoked is recorded before it.
///
/// The capacity bounds memory. An invocation reserves room for its completion, so once
/// recorded it can always be completed; when there is no room for both, the invocation is
/// refused with [`HistoryError::RecorderFull`] and the operation must not be performed (an
/// operation missing from the history could explain nothing it wrote).
///
/// A ticket dropped without being completed (a cancelled future, a panic) records `info`:
/// the operation may or may not have taken effect.
///
/// Clones share the same history.
#[derive(Debug, Clone)]
pub struct Recorder {
    log: Arc<Mutex<Log>>,
}

#[derive(Debug)]
struct Log {
    events: Vec<Event>,
    /// Slots promised to completions not yet recorded.
    reserved: usize,
    capacity: usize,
}

impl Recorder {
    /// A recorder that holds at most `capacity` events (two per operation).
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        Self {
            log: Arc::new(Mutex::new(Log {
                events: Vec::new(),
                reserved: 0,
                capacity,
            })),
        }
    }

    /// Records the call of a read of `key` (`None` for a lone register) by `process`.
    pub fn read(&self, process: u64, key: Option<&str>) -> Result<PendingRead, HistoryError> {
        let ticket = self.invoke(process, Function::Read, key, Value::Nil)?;
        Ok(PendingRead { ticket })
    }

    /// Records the call of a write of `value`.
    pub fn write(
        &self,
        process: u64,
        key: Option<&str>,
        value: i64,
    ) -> Result<PendingUpdate, HistoryError> {
        let ticket = self.invoke(process, Function::Write, key, Value::Int(value))?;
        Ok(PendingUpdate { ticket })
    }

    /// Records the call of a compare-and-set from `from` to `to`.
    pub fn cas(
        &self,
        process: u64,
        key: Option<&str>,
        from: i64,
        to: i64,
    ) -> Result<PendingUpdate, HistoryError> {
        let ticket = self.invoke(process, Function::Cas, key, Value::Pair(from, to))?;
        Ok(PendingUpdate { ticket })
    }

    /// A copy of the events recorded so far, in order.
    #[must_use]
    pub fn events(&self) -> Vec<Event> {
        self.lock().events.clone()
    }

    /// The events recorded so far, validated into a [`History`]. Operations not yet completed
    /// are indeterminate in it.
    pub fn history(&self) -> Result<History, HistoryError> {
        History::from_events(self.events())
    }

    /// The most events this recorder holds.
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.lock().capacity
    }

    fn invoke(
        &self,
        process: u64,
        f: Function,
        key: Option<&str>,
        value: Value,
    ) -> Result<Ticket, HistoryError> {
        let event = Event {
            process,
            kind: EventKind::Invoke,
            f,
            key: key.map(str::to_owned),
            value,
        };
        let mut log = self.lock();
        // This event and its completion.
        if log.events.len() + log.reserved + 2 > log.capacity {
            return Err(HistoryError::RecorderFull {
                capacity: log.capacity,
            });
        }
        log.events.push(event.clone());
        log.reserved += 1;
        Ok(Ticket {
            log: Arc::clone(&self.log),
            invocation: Some(event),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Log> {
        lock(&self.log)
    }
}

/// Nothing panics while holding the lock, but a poisoned lock must not lose the history.
fn lock(log: &Mutex<Log>) -> MutexGuard<'_, Log> {
    log.lock().unwrap_or_else(PoisonError::into_inner)
}

/// An invoked operation whose completion has a reserved slot.
#[derive(Debug)]
struct Ticket {
    log: Arc<Mutex<Log>>,
    /// `None` once completed.
    invocation: Option<Event>,
}

impl Ticket {
    fn complete(&mut self, kind: EventKind, value: Value) {
        if let Some(invocation) = self.invocation.take() {
            let mut log = lock(&self.log);
            log.reserved -= 1;
            log.events.push(Event {
                kind,
                value,
                ..invocation
            });
        }
    }

    /// The value a completion other than an ok read carries: the argument, echoed.
    fn echo(&self) -> Value {
        self.invocation
            .as_ref()
            .map_or(Value::Nil, |event| event.value)
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let value = self.echo();
        self.complete(EventKind::Info, value);
    }
}

/// A read that has been invoked; complete it with what happened.
#[derive(Debug)]
#[must_use = "a dropped ticket records the operation as indeterminate (info)"]
pub struct PendingRead {
    ticket: Ticket,
}

impl PendingRead {
    /// The read returned `value` (`None`: the register was absent).
    pub fn ok(mut self, value: Option<i64>) {
        self.ticket.complete(EventKind::Ok, Value::from(value));
    }

    /// The read did not happen (it was refused).
    pub fn fail(mut self) {
        self.ticket.complete(EventKind::Fail, Value::Nil);
    }

    /// The read's outcome is unknown.
    pub fn info(mut self) {
        self.ticket.complete(EventKind::Info, Value::Nil);
    }
}

/// A write or compare-and-set that has been invoked; complete it with what happened.
#[derive(Debug)]
#[must_use = "a dropped ticket records the operation as indeterminate (info)"]
pub struct PendingUpdate {
    ticket: Ticket,
}

impl PendingUpdate {
    /// The operation took effect.
    pub fn ok(mut self) {
        let value = self.ticket.echo();
        self.ticket.complete(EventKind::Ok, value);
    }

    /// The operation did not take effect; for a cas, the compare did not match.
    pub fn fail(mut self) {
        let value = self.ticket.echo();
        self.ticket.complete(EventKind::Fail, value);
    }

    /// The outcome is unknown (a timeout, a lost connection): it may take effect later.
    pub fn info(mut self) {
        let value = self.ticket.echo();
        self.ticket.complete(EventKind::Info, value);
    }
}
