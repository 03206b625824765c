//! Availability against the cloud providers' composite examples and the SRE book's table, and
//! its properties.

use formulas::{
    CorrelatedPair, Period, availability_from_downtime, availability_from_nines, downtime_seconds,
    from_mtbf_mttr, k_of_n, k_of_n_common_cause, majority_quorum, nines, parallel, series,
};
use proptest::prelude::*;

use crate::{close, rounds_to, truncates_to};

/// Azure Well-Architected Framework, "Use business metrics to design resilient Azure
/// applications" (composite SLAs): a web app at 99.95% writing to SQL Database at 99.99% is
/// `99.95% x 99.99% = 99.94%`; with a queue at 99.9% as a fallback for the database,
/// "database or queue = 1.0 - (0.0001 x 0.001) = 99.99999%" and the whole is "~99.95%"; one
/// region at 99.95% deployed to two regions is 99.999975%, to four 99.999999%; three zonal
/// VMs at 99.99% are 99.9999999999%.
#[test]
fn composites_match_azure_s_worked_examples() {
    rounds_to(
        "web app and database",
        series(&[0.9995, 0.9999]).unwrap() * 100.0,
        99.94,
        2,
    );
    let database_or_queue = parallel(&[0.9999, 0.999]).unwrap();
    rounds_to("database or queue", database_or_queue * 100.0, 99.99999, 5);
    rounds_to(
        "web app and either",
        series(&[0.9995, database_or_queue]).unwrap() * 100.0,
        99.95,
        2,
    );
    rounds_to(
        "two regions",
        parallel(&[0.9995; 2]).unwrap() * 100.0,
        99.999_975,
        6,
    );
    // Printed truncated: 99.99999999999375% written as 99.999999%.
    truncates_to(
        "four regions",
        parallel(&[0.9995; 4]).unwrap() * 100.0,
        99.999_999,
        6,
    );
    rounds_to(
        "three zones",
        parallel(&[0.9999; 3]).unwrap() * 100.0,
        99.999_999_999_9,
        10,
    );
}

/// Microsoft Learn, AZ-900 "Choose Azure services by using SLAs" knowledge check: two VMs at
/// 99.9%, a load balancer and SQL Database at 99.99% give `99.78%`.
#[test]
fn composites_match_microsoft_learn() {
    rounds_to(
        "special orders",
        series(&[0.999, 0.999, 0.9999, 0.9999]).unwrap() * 100.0,
        99.78,
        2,
    );
}

/// Azure/reliable-web-app-pattern-dotnet, assets/sla-calculation.md: eight services in the
/// development hot path combine to 99.616%; sixteen in production (with private links) to
/// 99.546%; in two regions, shared services at 99.980% and the regional stack doubled give
/// 99.9779%. That last figure doubles the whole single-region 99.546%, shared services
/// included (slightly pessimistic); it is reproduced the same way.
#[test]
fn composites_match_the_reliable_web_app_pattern() {
    let development = [0.9999, 0.9999, 0.9995, 0.999, 0.99995, 0.999, 0.9999, 0.999];
    rounds_to(
        "development",
        series(&development).unwrap() * 100.0,
        99.616,
        3,
    );
    let regional = [
        0.9999, 0.9995, 0.9999, 0.999, 0.9999, 0.99995, 0.9999, 0.999, 0.9999, 0.9999, 0.9999,
        0.999, 0.9999,
    ];
    let shared = [0.9999, 0.9999, 1.0];
    let single_region: Vec<f64> = shared.iter().chain(&regional).copied().collect();
    rounds_to(
        "production, one region",
        series(&single_region).unwrap() * 100.0,
        99.546,
        3,
    );
    let one_region = series(&single_region).unwrap();
    let shared = series(&shared).unwrap();
    rounds_to("shared", shared * 100.0, 99.980, 3);
    let two_regions = series(&[shared, parallel(&[one_region, one_region]).unwrap()]).unwrap();
    rounds_to("two regions", two_regions * 100.0, 99.9779, 4);
}

/// Google, *Site Reliability Engineering*, appendix A, "Availability table": allowed
/// unavailability per year, quarter, month, week and day, to about three significant
/// figures (the table's last digit is loose: 0.864 s a day at five nines is printed 0.87 s),
/// so each is checked to 1%.
#[test]
fn downtime_matches_the_sre_book_availability_table() {
    const MINUTE: f64 = 60.0;
    const HOUR: f64 = 3600.0;
    const DAY: f64 = 86_400.0;
    let table = [
        (
            0.90,
            [36.5 * DAY, 9.0 * DAY, 3.0 * DAY, 16.8 * HOUR, 2.4 * HOUR],
        ),
        (
            0.99,
            [
                3.65 * DAY,
                21.6 * HOUR,
                7.2 * HOUR,
                1.68 * HOUR,
                14.4 * MINUTE,
            ],
        ),
        (
            0.999,
            [
                8.76 * HOUR,
                2.16 * HOUR,
                43.2 * MINUTE,
                10.1 * MINUTE,
                1.44 * MINUTE,
            ],
        ),
        (
            0.9995,
            [4.38 * HOUR, 1.08 * HOUR, 21.6 * MINUTE, 5.04 * MINUTE, 43.2],
        ),
        (
            0.9999,
            [52.6 * MINUTE, 12.96 * MINUTE, 4.32 * MINUTE, 60.5, 8.64],
        ),
        (0.99999, [5.26 * MINUTE, 1.30 * MINUTE, 25.9, 6.05, 0.87]),
    ];
    for (availability, downtimes) in table {
        for (period, published) in Period::ALL.iter().zip(downtimes) {
            let downtime = downtime_seconds(availability, period.duration().as_secs_f64()).unwrap();
            assert!(
                (downtime - published).abs() <= 0.01 * published,
                "{availability} per {period}: {downtime} s against {published} s"
            );
        }
    }
}

#[test]
fn nines_count_the_nines() {
    close("99.9%", nines(0.999).unwrap(), 3.0, 1e-9);
    close(
        "3.5 nines",
        availability_from_nines(3.5).unwrap(),
        0.999_683_772_233_983_2,
        1e-15,
    );
    assert!(nines(1.0).unwrap().is_infinite());
    close(
        "43.2 minutes a month",
        availability_from_downtime(2592.0, 30.0 * 86_400.0).unwrap(),
        0.999,
        1e-12,
    );
    assert_eq!(
        availability_from_downtime(2.0, 1.0).unwrap_err().argument(),
        Some("downtime")
    );
}

#[test]
fn majority_quorums_tolerate_a_minority() {
    // 3 replicas at 99%: up unless two or three are down, 3a^2 - 2a^3.
    let a: f64 = 0.99;
    close(
        "2 of 3",
        majority_quorum(3, a).unwrap(),
        3.0 * a * a - 2.0 * a.powi(3),
        1e-15,
    );
    // An even count adds a failure point without adding tolerance: 4 is worse than 3.
    assert!(majority_quorum(4, a).unwrap() < majority_quorum(3, a).unwrap());
    assert!(majority_quorum(5, a).unwrap() > majority_quorum(3, a).unwrap());
}

#[test]
fn k_of_n_keeps_its_nines_far_out() {
    // 1 of 5 at 99.9%: down only if all five are, 1e-15.
    close(
        "unavailability",
        1.0 - k_of_n(1, 5, 0.999).unwrap(),
        1e-15,
        2e-16,
    );
    // 5 of 5 at 99.999%: the small tail is the availability side.
    close(
        "5 of 5",
        k_of_n(5, 5, 0.99999).unwrap(),
        0.99999f64.powi(5),
        1e-15,
    );
}

#[test]
fn mtbf_and_mttr_give_steady_state_availability() {
    close(
        "1000 h and 1 h",
        from_mtbf_mttr(1000.0, 1.0).unwrap(),
        1000.0 / 1001.0,
        1e-15,
    );
    assert_eq!(
        from_mtbf_mttr(0.0, 1.0).unwrap_err().argument(),
        Some("mtbf")
    );
}

#[test]
fn bad_inputs_are_refused_by_name() {
    assert_eq!(series(&[0.9, 1.2]).unwrap_err().argument(), Some("series"));
    assert_eq!(parallel(&[]).unwrap_err().argument(), Some("parallel"));
    assert_eq!(k_of_n(4, 3, 0.9).unwrap_err().argument(), Some("k_of_n"));
    assert_eq!(
        k_of_n(2, 3, -0.1).unwrap_err().argument(),
        Some("component")
    );
    assert_eq!(
        k_of_n_common_cause(2, 3, 0.9, 2.0).unwrap_err().argument(),
        Some("beta")
    );
    let error = CorrelatedPair::new(0.99, 0.9, 0.9).unwrap_err();
    assert_eq!(error.argument(), Some("correlation"));
    assert!(
        error.to_string().contains("for these availabilities"),
        "{error}"
    );
}

/// The correlated pair's limits: independence is the textbook product; perfectly correlated
/// equal components make a pair no better than one.
#[test]
fn correlation_interpolates_between_independence_and_a_single_component() {
    let independent = CorrelatedPair::new(0.99, 0.99, 0.0).unwrap();
    close(
        "independent",
        independent.parallel_availability(),
        parallel(&[0.99, 0.99]).unwrap(),
        1e-15,
    );
    close(
        "independent series",
        independent.series_availability(),
        series(&[0.99, 0.99]).unwrap(),
        1e-15,
    );
    let locked = CorrelatedPair::new(0.99, 0.99, 1.0).unwrap();
    close(
        "locked parallel",
        locked.parallel_availability(),
        0.99,
        1e-15,
    );
    close("locked series", locked.series_availability(), 0.99, 1e-15);
}

/// The beta-factor model's limits: no common cause is plain k-of-n; all common cause makes
/// any k-of-n exactly one component.
#[test]
fn beta_factor_limits() {
    close(
        "beta 0",
        k_of_n_common_cause(2, 3, 0.99, 0.0).unwrap(),
        k_of_n(2, 3, 0.99).unwrap(),
        1e-15,
    );
    close(
        "beta 1",
        k_of_n_common_cause(2, 3, 0.99, 1.0).unwrap(),
        0.99,
        1e-15,
    );
    close(
        "beta 1, 1 of 5",
        k_of_n_common_cause(1, 5, 0.99, 1.0).unwrap(),
        0.99,
        1e-15,
    );
}

proptest! {
    /// 1-of-n is parallel, n-of-n is series, and k-of-n agrees with brute-force enumeration.
    #[test]
    fn k_of_n_agrees_with_enumeration(n in 1u32..12, k_offset in 0u32..12, a in 0.0f64..=1.0) {
        let k = 1 + k_offset % n;
        let mut expected = 0.0;
        for up_set in 0u32..(1 << n) {
            let up = up_set.count_ones();
            if up >= k {
                expected += a.powi(up.cast_signed()) * (1.0 - a).powi((n - up).cast_signed());
            }
        }
        let actual = k_of_n(k, n, a).unwrap();
        prop_assert!((actual - expected).abs() < 1e-12, "{k} of {n} at {a}: {actual} vs {expected}");
        let copies = vec![a; n as usize];
        prop_assert!((k_of_n(1, n, a).unwrap() - parallel(&copies).unwrap()).abs() < 1e-12);
        prop_assert!((k_of_n(n, n, a).unwrap() - series(&copies).unwrap()).abs() < 1e-12);
    }

    /// Adding a component in parallel never hurts; in series it never helps.
    #[test]
    fn composition_is_monotone(list in proptest::collection::vec(0.0f64..=1.0, 1..8), extra in 0.0f64..=1.0) {
        let mut longer = list.clone();
        longer.push(extra);
        prop_assert!(parallel(&longer).unwrap() >= parallel(&list).unwrap() - 1e-15);
        prop_assert!(series(&longer).unwrap() <= series(&list).unwrap() + 1e-15);
    }

    /// Downtime and availability are inverses for every period.
    #[test]
    fn downtime_round_trips(a in 0.0f64..=1.0, period_index in 0usize..5) {
        let period = Period::ALL[period_index].duration().as_secs_f64();
        let downtime = downtime_seconds(a, period).unwrap();
        prop_assert!((availability_from_downtime(downtime, period).unwrap() - a).abs() < 1e-12);
    }

    /// Nines and availability are inverses.
    #[test]
    fn nines_round_trip(n in 0.0f64..9.0) {
        prop_assert!((nines(availability_from_nines(n).unwrap()).unwrap() - n).abs() < 1e-6);
    }

    /// More correlation: a parallel pair gets worse, a series pair better; every pair stays
    /// within the Fréchet bounds.
    #[test]
    fn correlation_hurts_redundancy(a1 in 0.5f64..0.99999, a2 in 0.5f64..0.99999, t in 0.0f64..1.0) {
        let (_, highest) = CorrelatedPair::correlation_bounds(a1, a2);
        let rho = t * highest;
        let pair = CorrelatedPair::new(a1, a2, rho).unwrap();
        let more = CorrelatedPair::new(a1, a2, (rho + 0.01).min(highest)).unwrap();
        prop_assert!(more.parallel_availability() <= pair.parallel_availability() + 1e-15);
        prop_assert!(more.series_availability() >= pair.series_availability() - 1e-15);
        let both = pair.both_down_probability();
        prop_assert!(both >= 0.0 && both <= (1.0 - a1).min(1.0 - a2) + 1e-15);
    }

    /// Common cause only ever hurts, and never below one component on its own for 1-of-n.
    #[test]
    fn common_cause_hurts(n in 1u32..8, a in 0.5f64..0.99999, beta in 0.0f64..0.99) {
        let more = (beta + 0.01).min(1.0);
        let here = k_of_n_common_cause(1, n, a, beta).unwrap();
        prop_assert!(k_of_n_common_cause(1, n, a, more).unwrap() <= here + 1e-15);
        prop_assert!(here >= a - 1e-15);
    }

    /// Longer time between failures or shorter repairs raise availability.
    #[test]
    fn mtbf_and_mttr_are_monotone(mtbf in 1.0f64..1e6, mttr in 0.0f64..1e3) {
        let a = from_mtbf_mttr(mtbf, mttr).unwrap();
        prop_assert!(from_mtbf_mttr(mtbf * 2.0, mttr).unwrap() >= a);
        prop_assert!(from_mtbf_mttr(mtbf, mttr + 1.0).unwrap() <= a);
    }
}
