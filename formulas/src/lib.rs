//! # formulas
//!
//! The arithmetic behind capacity, latency and reliability claims, as tested functions: the
//! formulas the episodes use, each checked against a published worked example (the source is
//! cited beside every test vector) and against its own properties (monotonicity, limits,
//! inverse round trips).
//!
//! - **Latency physics** ([`rtt_lower_bound_seconds`], [`bandwidth_delay_product_bits`]): the
//!   speed of light puts a floor under every round trip; a long fat link needs a big window.
//! - **Availability** ([`series`], [`parallel`], [`k_of_n`], [`majority_quorum`],
//!   [`from_mtbf_mttr`], [`downtime_seconds`], [`nines`], [`CorrelatedPair`],
//!   [`k_of_n_common_cause`]): composition, quorums, repair, nines, and what correlated
//!   failures do to all of it.
//! - **Queueing** ([`littles_law`], [`Mm1`], [`Mmc`], [`erlang_b`], [`erlang_c`],
//!   [`servers_for_service_level`], [`fan_out_probability`]): how load turns into waiting.
//! - **Scaling** ([`amdahl_speedup`], [`gustafson_speedup`], [`Usl`], [`fit_usl`]): what
//!   adding nodes buys, and the Universal Scalability Law fitted to measurements with
//!   bounded Levenberg-Marquardt and standard errors.
//! - **SLOs** ([`error_budget`], [`burn_rate`], [`time_to_exhaustion_seconds`],
//!   [`workbook_alerts`]): error budgets and the SRE workbook's multi-window alerts.
//! - **Cost** ([`CostProfile`]): the three multipliers of going active-active in several
//!   regions, with the levers that shrink them.
//! - **Charts** ([`Chart`], [`usl_chart`], [`response_time_chart`], [`correlation_chart`]): a
//!   dependency-free SVG writer, and the three figures of `docs/formulas.md`.
//!
//! `lab calc` is the command line over all of it.
//!
//! ## When to use it, and when not
//!
//! Use it for back-of-the-envelope answers you want to be right: how many servers keep the
//! p99 wait under a target, what a second region buys in nines (and what correlated outages
//! take back), where a measured system will peak. Every model here rests on assumptions its
//! documentation states (Poisson arrivals and exponential service for the queues; independent
//! failures unless a correlation is given); when the system in front of you breaks them
//! badly, measure or simulate instead.
//!
//! ## Example
//!
//! ```
//! use formulas::{Mmc, Point, fit_usl, parallel, CorrelatedPair};
//!
//! // Ten Erlangs of calls, three minutes each, 14 agents: 17% of callers wait, and 88.8% are
//! // answered within 20 seconds.
//! let queue = Mmc::new(14, 10.0)?;
//! assert!((queue.wait_probability() - 0.174).abs() < 0.001);
//! assert!((queue.service_level(180.0, 20.0)? - 0.888).abs() < 0.001);
//!
//! // Two regions at 99.95% each: six nines if their outages are independent...
//! assert!(parallel(&[0.9995, 0.9995])? > 0.999_999);
//! // ...but only half the downtime of one region if half their outages are shared.
//! let shared = CorrelatedPair::new(0.9995, 0.9995, 0.5)?;
//! assert!(shared.parallel_availability() < 0.99976);
//!
//! // Fit the USL to load-test measurements and find where throughput peaks.
//! let measured = [(1.0, 64.9), (18.0, 995.9), (36.0, 1652.4), (72.0, 1853.2),
//!                 (108.0, 1828.9), (144.0, 1775.0), (216.0, 1702.2)];
//! let points: Vec<Point> = measured.iter().map(|&(n, throughput)| Point { n, throughput }).collect();
//! let fit = fit_usl(&points)?;
//! assert_eq!(fit.model.peak_n().map(f64::round), Some(97.0));
//! # Ok::<(), formulas::Error>(())
//! ```
//!
//! ## Episodes
//!
//! - E01, *The Physics Tax of Distribution*: the round-trip floor, correlated failures.
//! - E04, *Distribution Fundamentals*: quorum availability, common-cause failures.
//! - E06, *Resilience Patterns*: Little's law, fan-out, error budgets and burn-rate alerts.
//! - E09, *Performance and Scale*: M/M/1 and M/M/c, Erlang C, the response-time hockey stick.
//! - E17, *Scaling Pattern Deep Dive*: Amdahl, Gustafson and the Universal Scalability Law.

mod availability;
mod cost;
mod error;
mod figures;
mod fit;
mod latency;
mod linalg;
mod plot;
mod queueing;
mod scaling;
mod slo;
mod units;

pub use availability::{
    COMPONENTS_MAX, CorrelatedPair, availability_from_downtime, availability_from_nines,
    downtime_seconds, from_mtbf_mttr, k_of_n, k_of_n_common_cause, majority_quorum, nines,
    parallel, series,
};
pub use cost::{CostBreakdown, CostProfile, REGIONS_MAX};
pub use error::Error;
pub use figures::{correlation_chart, response_time_chart, usl_chart};
pub use fit::{ITERATIONS_MAX, POINTS_MAX, Point, StdErrors, UslFit, fit_usl, parse_points};
pub use latency::{
    FIBRE_REFRACTIVE_INDEX, SPEED_OF_LIGHT_M_PER_S, bandwidth_delay_product_bits,
    propagation_delay_seconds, rtt_lower_bound_seconds,
};
pub use plot::{Chart, SERIES_MAX, SERIES_POINTS_MAX, Style};
pub use queueing::{
    Little, Mm1, Mmc, SERVERS_MAX, erlang_b, erlang_c, fan_out_leaf_percentile,
    fan_out_probability, fan_out_request_percentile, littles_law, servers_for_blocking,
    servers_for_service_level,
};
pub use scaling::{Usl, amdahl_limit, amdahl_speedup, gustafson_speedup};
pub use slo::{
    AlertRule, Severity, burn_rate, burn_rate_from_error_rate, error_budget,
    error_rate_at_burn_rate, time_to_exhaustion_seconds, workbook_alerts,
};
pub use units::{
    DURATION_MAX, Period, parse_bit_rate, parse_duration, parse_period, parse_seconds,
};
