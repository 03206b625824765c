//! Little's law, M/M/1, M/M/c (Erlang B and C) and fan-out against published worked
//! examples, and their properties.

use formulas::{
    Error, Mm1, Mmc, erlang_b, erlang_c, fan_out_leaf_percentile, fan_out_probability,
    fan_out_request_percentile, littles_law, servers_for_blocking, servers_for_service_level,
};
use proptest::prelude::*;

use crate::{close, rounds_to};

/// Wikipedia, "Little's law": customers arriving at 10 per hour who stay 0.5 hour mean 5 in
/// the store; 2 at the counter at 10 per hour spend 0.2 hour there; "ten jobs in the system"
/// at "a mean throughput of 50 per second" have "0.2 seconds" mean response time.
#[test]
fn littles_law_solves_wikipedia_s_examples() {
    close(
        "L",
        littles_law(None, Some(10.0), Some(0.5)).unwrap().in_system,
        5.0,
        1e-12,
    );
    close(
        "W",
        littles_law(Some(2.0), Some(10.0), None)
            .unwrap()
            .time_in_system,
        0.2,
        1e-12,
    );
    close(
        "R",
        littles_law(Some(10.0), Some(50.0), None)
            .unwrap()
            .time_in_system,
        0.2,
        1e-12,
    );
    close(
        "lambda",
        littles_law(Some(5.0), None, Some(0.5))
            .unwrap()
            .arrival_rate,
        10.0,
        1e-12,
    );
}

#[test]
fn littles_law_needs_exactly_two_of_three() {
    for (l, lambda, w) in [
        (None, None, Some(1.0)),
        (Some(1.0), Some(1.0), Some(1.0)),
        (None, None, None),
    ] {
        assert!(matches!(
            littles_law(l, lambda, w),
            Err(Error::Arguments(_))
        ));
    }
    assert_eq!(
        littles_law(Some(-1.0), Some(2.0), None)
            .unwrap_err()
            .argument(),
        Some("in_system")
    );
}

/// Schwartz, *The Essential Guide to Queueing Theory* (2016): for M/M/1,
/// `R = S / (1 - rho)`; "If S is 0.25 ... at 50% utilization, R is 0.5; at 75% it is 1.0;
/// at 87.5% it is 2.0". The grocery checkout, one shopper a minute and 45 seconds each, is
/// busy 75% of the time.
#[test]
fn mm1_matches_the_essential_guide() {
    for (rho, r) in [(0.5, 0.5), (0.75, 1.0), (0.875, 2.0)] {
        let queue = Mm1::new(rho / 0.25, 0.25).unwrap();
        close(&format!("R at {rho}"), queue.response_time(), r, 1e-12);
        close("L", queue.in_system(), rho / (1.0 - rho), 1e-12);
        close("Lq", queue.queue_length(), rho * rho / (1.0 - rho), 1e-12);
        close("Wq", queue.wait_time(), rho * 0.25 / (1.0 - rho), 1e-12);
    }
    close(
        "grocery",
        Mm1::new(1.0 / 60.0, 45.0).unwrap().utilization(),
        0.75,
        1e-12,
    );
}

/// The same guide, after Gunther: M/M/1 response-time percentiles are about 2/3, 5/3, 7/3
/// and 9/3 of the mean for the 50th, 80th, 90th and 95th. They are rules of thumb for
/// `-ln(1 - p)`, so they hold to a few percent.
#[test]
fn mm1_percentiles_match_gunther_s_thirds() {
    let queue = Mm1::new(8.0, 0.1).unwrap();
    let mean = queue.response_time();
    for (p, thirds) in [(0.5, 2.0), (0.8, 5.0), (0.9, 7.0), (0.95, 9.0)] {
        let heuristic = thirds / 3.0 * mean;
        let exact = queue.response_time_percentile(p).unwrap();
        assert!(
            (exact - heuristic).abs() <= 0.05 * heuristic,
            "p{p}: {exact} against {heuristic}"
        );
    }
}

/// pyworkforce's README and `tests/test_erlang.py`: 100 calls in 30 minutes, 3-minute handle
/// time, 80% answered within 20 seconds: 14 agents, `service_level 0.8883500191794669`,
/// `occupancy 0.7142857142857143`, `waiting_probability 0.1741319335950498`; capped at 70%
/// occupancy, 15 agents with 0.941, 0.667 and 0.102.
#[test]
fn erlang_c_matches_pyworkforce() {
    let traffic = 100.0 / 1800.0 * 180.0;
    assert_eq!(
        servers_for_service_level(traffic, 180.0, 20.0, 0.8).unwrap(),
        14
    );
    let queue = Mmc::with_rates(14, 100.0 / 1800.0, 180.0).unwrap();
    close("traffic", queue.traffic(), 10.0, 1e-12);
    close(
        "service level",
        queue.service_level(180.0, 20.0).unwrap(),
        0.888_350_019_179_466_9,
        1e-12,
    );
    close(
        "occupancy",
        queue.utilization(),
        0.714_285_714_285_714_3,
        1e-15,
    );
    close(
        "waiting probability",
        queue.wait_probability(),
        0.174_131_933_595_049_8,
        1e-12,
    );
    let fifteen = Mmc::new(15, traffic).unwrap();
    rounds_to(
        "service level",
        fifteen.service_level(180.0, 20.0).unwrap(),
        0.941,
        3,
    );
    rounds_to("occupancy", fifteen.utilization(), 0.667, 3);
    rounds_to("waiting probability", fifteen.wait_probability(), 0.102, 3);
}

/// Erlang B, published: Westbay's calculator manual, "How much traffic can a trunk group
/// carry if it has been engineered with 15 lines and ... one call in one hundred will be
/// blocked?": 8.108 Erlangs. Its forum: 1200 calls an hour is 33.333 Erlangs, and 1% blocking
/// needs 45 lines. pyworkforce's tests: B(1, A = 1) = 0.5, B(2, A = 1) = 0.2, and 10 Erlangs
/// at 2% blocking need 17 trunks.
#[test]
fn erlang_b_matches_published_tables() {
    rounds_to(
        "B(15 lines, 8.108 E)",
        erlang_b(8.108, 15).unwrap(),
        0.0100,
        4,
    );
    assert_eq!(servers_for_blocking(1200.0 / 36.0, 0.01).unwrap(), 45);
    close("B(1)", erlang_b(1.0, 1).unwrap(), 0.5, 1e-15);
    close("B(2)", erlang_b(1.0, 2).unwrap(), 0.2, 1e-15);
    assert_eq!(servers_for_blocking(10.0, 0.02).unwrap(), 17);
}

#[test]
fn an_overloaded_queue_is_refused_naming_what_to_change() {
    assert_eq!(
        Mm1::new(11.0, 0.1).unwrap_err(),
        Error::Unstable {
            name: "arrival_rate",
            utilization: 1.1
        }
    );
    assert!(matches!(
        Mmc::new(10, 12.0),
        Err(Error::Unstable {
            name: "servers",
            ..
        })
    ));
    assert!(matches!(
        Mmc::from_utilization(4, 1.0),
        Err(Error::Unstable {
            name: "utilization",
            ..
        })
    ));
    assert_eq!(Mmc::new(0, 1.0).unwrap_err().argument(), Some("servers"));
    assert_eq!(
        Mmc::with_rates(2, -1.0, 1.0).unwrap_err().argument(),
        Some("arrival_rate")
    );
    assert_eq!(erlang_c(3.0, 3).unwrap_err().argument(), Some("servers"));
}

/// Dean and Barroso, "The Tail at Scale" (CACM 56(2), 2013): with one request in 100 slow,
/// "if a user request must collect responses from 100 such servers in parallel, then 63% of
/// user requests will take more than one second"; with one in 10,000 slow, "a service with
/// 2,000 such servers will see almost one in five user requests taking more than one second".
#[test]
fn fan_out_matches_the_tail_at_scale() {
    rounds_to("1% x 100", fan_out_probability(0.01, 100).unwrap(), 0.63, 2);
    rounds_to(
        "0.01% x 2000",
        fan_out_probability(0.0001, 2000).unwrap(),
        0.18,
        2,
    );
    close(
        "one server",
        fan_out_probability(0.01, 1).unwrap(),
        0.01,
        1e-15,
    );
}

#[test]
fn a_fanned_out_p99_needs_each_leaf_at_p99_99() {
    rounds_to(
        "leaf",
        fan_out_leaf_percentile(0.99, 100).unwrap(),
        0.9999,
        4,
    );
    rounds_to(
        "request",
        fan_out_request_percentile(0.99, 100).unwrap(),
        0.37,
        2,
    );
}

proptest! {
    /// M/M/c with one server is M/M/1.
    #[test]
    fn one_server_mmc_is_mm1(rho in 0.0f64..0.99, service_time in 0.001f64..10.0) {
        let mm1 = Mm1::new(rho / service_time, service_time).unwrap();
        let mmc = Mmc::from_utilization(1, rho).unwrap();
        prop_assert!((mmc.wait_probability() - rho).abs() < 1e-12);
        prop_assert!((mmc.queue_length() - mm1.queue_length()).abs() <= 1e-9 * mm1.queue_length().max(1.0));
        let r = mmc.response_time(service_time).unwrap();
        prop_assert!((r - mm1.response_time()).abs() <= 1e-9 * r);
    }

    /// Little's law holds inside M/M/c: `Lq = lambda Wq` and `L = lambda R`.
    #[test]
    fn mmc_obeys_littles_law(servers in 1u32..200, rho in 0.0f64..0.99, service_time in 0.001f64..10.0) {
        let queue = Mmc::from_utilization(servers, rho).unwrap();
        let lambda = queue.traffic() / service_time;
        let wq = queue.wait_time(service_time).unwrap();
        let r = queue.response_time(service_time).unwrap();
        prop_assert!((queue.queue_length() - lambda * wq).abs() <= 1e-9 * queue.queue_length().max(1e-9));
        prop_assert!((queue.in_system() - lambda * r).abs() <= 1e-9 * queue.in_system().max(1e-9));
    }

    /// Erlang C is a probability, above Erlang B, and falls as servers are added.
    #[test]
    fn erlang_c_is_bounded_and_falls_with_servers(traffic in 0.01f64..500.0, extra in 1u32..50) {
        let servers = traffic.floor() as u32 + extra;
        let c = erlang_c(traffic, servers).unwrap();
        let b = erlang_b(traffic, servers).unwrap();
        prop_assert!((0.0..=1.0).contains(&c));
        prop_assert!(c >= b);
        prop_assert!(erlang_c(traffic, servers + 1).unwrap() <= c);
    }

    /// The waiting-time percentile inverts the service level.
    #[test]
    fn wait_percentiles_invert_the_service_level(servers in 1u32..50, rho in 0.05f64..0.95, p in 0.01f64..0.999) {
        let queue = Mmc::from_utilization(servers, rho).unwrap();
        let t = queue.wait_time_percentile(1.0, p).unwrap();
        let level = queue.service_level(1.0, t).unwrap();
        if t > 0.0 {
            prop_assert!((level - p).abs() < 1e-9);
        } else {
            prop_assert!(level >= p - 1e-12, "no wait needed: {level} >= {p}");
        }
    }

    /// The staffing search returns the first server count that meets the target.
    #[test]
    fn servers_needed_is_the_first_that_meets_the_target(traffic in 0.1f64..200.0, target in 0.5f64..0.99) {
        let servers = servers_for_service_level(traffic, 1.0, 0.1, target).unwrap();
        prop_assert!(Mmc::new(servers, traffic).unwrap().service_level(1.0, 0.1).unwrap() >= target);
        if let Ok(fewer) = Mmc::new(servers - 1, traffic) {
            prop_assert!(fewer.service_level(1.0, 0.1).unwrap() < target);
        }
    }

    /// Response time rises with utilization and every M/M/1 percentile with it.
    #[test]
    fn mm1_response_time_rises_with_load(rho in 0.0f64..0.98, p in 0.01f64..0.999) {
        let low = Mm1::new(rho, 1.0).unwrap();
        let high = Mm1::new(rho + 0.01, 1.0).unwrap();
        prop_assert!(high.response_time() > low.response_time());
        prop_assert!(high.response_time_percentile(p).unwrap() > low.response_time_percentile(p).unwrap());
    }

    /// Fan-out: more servers, more exposure; the two percentile maps are inverses.
    #[test]
    fn fan_out_is_monotone_and_its_percentiles_round_trip(p in 0.0f64..0.5, n in 1u32..10_000, q in 0.5f64..0.9999) {
        prop_assert!(fan_out_probability(p, n + 1).unwrap() >= fan_out_probability(p, n).unwrap());
        let leaf = fan_out_leaf_percentile(q, n).unwrap();
        prop_assert!((fan_out_request_percentile(leaf, n).unwrap() - q).abs() < 1e-9);
    }
}
