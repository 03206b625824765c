//! Integration tests for `chaos`, through its public API only.

mod alloc;
mod check;
mod experiment;
#[cfg(feature = "failpoints")]
mod failpoint;
mod faults;
mod history;
mod injections;
mod latency;
mod nemesis;
mod phases;
#[cfg(feature = "proxy")]
mod proxy;
mod rng;
mod seed;
#[cfg(feature = "sim")]
mod sim;
mod support;
mod validation;
mod workload;
