//! The registry: one breaker per name, bounded.

use circuit_breaker::{Config, Error, ManualClock, Outcome, Registry, State};

use crate::small_config;

#[test]
fn one_breaker_per_name_sharing_the_default_config() {
    let registry = Registry::with_clock(small_config(), 8, ManualClock::new()).unwrap();
    let users = registry.get_or_create("users").unwrap();
    let orders = registry.get_or_create("orders").unwrap();
    for _ in 0..10 {
        users.on_result(users.try_acquire().unwrap(), Outcome::Failure);
    }
    assert_eq!(users.state(), State::Open);
    assert_eq!(orders.state(), State::Closed, "breakers are independent");
    assert_eq!(registry.get("users").unwrap().state(), State::Open);
    assert_eq!(users.config(), orders.config());
    let names: Vec<_> = registry
        .metrics()
        .into_iter()
        .map(|(name, _)| name.to_string())
        .collect();
    assert_eq!(names, ["orders", "users"]);
}

#[test]
fn a_breaker_can_have_its_own_config() {
    let registry = Registry::with_clock(Config::default(), 8, ManualClock::new()).unwrap();
    let custom = registry
        .get_or_create_with("payments", small_config)
        .unwrap();
    assert_eq!(custom.config().minimum_calls, 10);
    let again = registry.get_or_create("payments").unwrap();
    assert_eq!(
        again.config().minimum_calls,
        10,
        "an existing breaker keeps its config"
    );
}

#[test]
fn the_registry_is_bounded_and_removal_frees_a_place() {
    let registry = Registry::with_clock(small_config(), 2, ManualClock::new()).unwrap();
    registry.get_or_create("a").unwrap();
    registry.get_or_create("b").unwrap();
    assert_eq!(
        registry.get_or_create("c").unwrap_err(),
        Error::RegistryFull { max: 2 }
    );
    assert!(registry.remove("a").is_some());
    assert!(registry.get_or_create("c").is_ok());
}

#[test]
fn an_invalid_config_is_refused_up_front() {
    let config = Config {
        minimum_calls: 0,
        ..Config::default()
    };
    assert!(Registry::with_clock(config, 2, ManualClock::new()).is_err());
    let registry = Registry::with_clock(small_config(), 2, ManualClock::new()).unwrap();
    let bad = registry.get_or_create_with("x", || Config {
        event_capacity: 0,
        ..Config::default()
    });
    assert!(bad.is_err());
    assert!(registry.get("x").is_none());
}
