//! Breakers by name: one per downstream host, say, sharing a default configuration.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::clock::{Clock, TokioClock};
use crate::{CircuitBreaker, Config, Error, Metrics};

/// A bounded map from names to breakers.
///
/// ```
/// use circuit_breaker::{Config, Registry};
///
/// let registry = Registry::new(Config::default(), 1_000).unwrap();
/// let users = registry.get_or_create("users-service").unwrap();
/// assert!(std::sync::Arc::ptr_eq(&users, &registry.get_or_create("users-service").unwrap()));
/// ```
#[derive(Debug)]
pub struct Registry<C = TokioClock> {
    default_config: Config,
    clock: C,
    capacity: usize,
    breakers: RwLock<HashMap<Arc<str>, Arc<CircuitBreaker<C>>>>,
}

impl Registry<TokioClock> {
    /// A registry on tokio's clock that holds at most `capacity` breakers.
    pub fn new(default_config: Config, capacity: usize) -> Result<Self, Error> {
        Self::with_clock(default_config, capacity, TokioClock)
    }
}

impl<C: Clock + Clone> Registry<C> {
    /// A registry whose breakers share `clock`.
    pub fn with_clock(default_config: Config, capacity: usize, clock: C) -> Result<Self, Error> {
        default_config.validate()?;
        Ok(Self {
            default_config,
            clock,
            capacity,
            breakers: RwLock::new(HashMap::new()),
        })
    }

    /// The breaker called `name`, created with the default config if it does not exist.
    pub fn get_or_create(&self, name: &str) -> Result<Arc<CircuitBreaker<C>>, Error> {
        self.get_or_create_with(name, || self.default_config.clone())
    }

    /// The breaker called `name`, created with `config()` if it does not exist. An existing
    /// breaker keeps its configuration.
    pub fn get_or_create_with(
        &self,
        name: &str,
        config: impl FnOnce() -> Config,
    ) -> Result<Arc<CircuitBreaker<C>>, Error> {
        if let Some(found) = self.read().get(name) {
            return Ok(Arc::clone(found));
        }
        let mut breakers = self
            .breakers
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(found) = breakers.get(name) {
            return Ok(Arc::clone(found));
        }
        if breakers.len() >= self.capacity {
            return Err(Error::RegistryFull { max: self.capacity });
        }
        let breaker = Arc::new(CircuitBreaker::with_clock(
            name,
            config(),
            self.clock.clone(),
        )?);
        breakers.insert(Arc::clone(breaker.name()), Arc::clone(&breaker));
        Ok(breaker)
    }

    /// The breaker called `name`, if it exists.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<Arc<CircuitBreaker<C>>> {
        self.read().get(name).cloned()
    }

    /// Removes the breaker called `name`; callers still holding it keep a working breaker.
    pub fn remove(&self, name: &str) -> Option<Arc<CircuitBreaker<C>>> {
        self.breakers
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(name)
    }

    /// Every breaker's metrics, sorted by name.
    #[must_use]
    pub fn metrics(&self) -> Vec<(Arc<str>, Metrics)> {
        let mut all: Vec<_> = self
            .read()
            .iter()
            .map(|(name, breaker)| (Arc::clone(name), breaker.metrics()))
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<Arc<str>, Arc<CircuitBreaker<C>>>> {
        // Inserts and removals are single map operations; a poisoned lock is still whole.
        self.breakers
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
