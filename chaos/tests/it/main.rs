//! Integration tests for `chaos`, through its public API only.

mod faults;
mod latency;
mod phases;
mod rng;
mod seed;
mod support;
mod validation;
