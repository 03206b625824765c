//! Amdahl, Gustafson and the USL against published figures; the USL's inverse against
//! Little's law.

use formulas::{Usl, amdahl_limit, amdahl_speedup, fit_usl, gustafson_speedup};
use proptest::prelude::*;

use crate::{close, data_set, rounds_to, truncates_to};

/// Wikipedia, "Amdahl's law": a program whose parallel part is 95% of its run time "can
/// theoretically achieve a maximum speedup of 20 times".
#[test]
fn amdahl_caps_a_95_percent_parallel_job_at_20() {
    close("limit", amdahl_limit(0.95).unwrap(), 20.0, 1e-9);
    assert!(amdahl_speedup(0.95, 1e9).unwrap() < 20.0);
    close(
        "1 processor",
        amdahl_speedup(0.95, 1.0).unwrap(),
        1.0,
        1e-12,
    );
}

/// Gustafson, "Reevaluating Amdahl's Law" (CACM 31(5), 1988), reports applications with
/// serial fractions of 0.4 to 0.8 percent reaching scaled speedups of 1016, 1020 and 1021 on a
/// 1024-processor hypercube. The scaled speedup `N + (1 - N) s` at the ends of that range gives
/// 1020 and 1016. (The paper does not pair each fraction with a speedup; this checks the range.)
#[test]
fn gustafson_reproduces_the_sandia_hypercube_speedups() {
    rounds_to(
        "s = 0.4%",
        gustafson_speedup(1.0 - 0.004, 1024.0).unwrap(),
        1020.0,
        0,
    );
    rounds_to(
        "s = 0.8%",
        gustafson_speedup(1.0 - 0.008, 1024.0).unwrap(),
        1016.0,
        0,
    );
}

/// R usl, tests/scalability.Rout.save: `signif(s(20), 2)` for the specsdm91 model is 1100;
/// with alpha = 0.001, beta = 0.00001 it is 1800; with gamma = 100 as well, 2000.
#[test]
fn usl_throughput_matches_the_r_usl_scalability_test() {
    let gamma = fit_usl(&data_set("specsdm91.csv")).unwrap().model.gamma();
    let fitted = Usl::new(0.027_728_5, 0.000_104_4, gamma).unwrap();
    rounds_to("s1(20)", fitted.throughput(20.0), 1100.0, -2);
    let what_if = Usl::new(0.001, 0.000_01, gamma).unwrap();
    rounds_to("s2(20)", what_if.throughput(20.0), 1800.0, -2);
    let what_if_gamma = Usl::new(0.001, 0.000_01, 100.0).unwrap();
    rounds_to("s3(20)", what_if_gamma.throughput(20.0), 2000.0, -2);
}

/// Schwartz, *Practical Scalability Analysis with the Universal Scalability Law* (2015),
/// fitting the first ten points of the Cisco benchmark: "the USL predicts a max of 16,049
/// queries per second at a concurrency of 46 threads"; at N = 20 "a throughput forecast of
/// 12,572" and "a mean response time of 0.00159 seconds"; "Plugging in an R target of 0.0015
/// yields N = 17, so ... I can't drive my server higher than approximately 11,450 QPS" (that
/// is X(17)). The book's own printed `X(R)` promises more than twice the peak at 1.5 ms: its
/// sign error at work.
#[test]
fn the_first_ten_cisco_points_reproduce_schwartz_s_forecast() {
    let usl = fit_usl(&data_set("cisco.csv")[..10]).unwrap().model;
    // The book rounds N_max down to whole threads and truncates throughputs to whole queries.
    let peak = usl.peak_n().unwrap();
    truncates_to("N max", peak, 46.0, 0);
    truncates_to("X max", usl.throughput(peak.floor()), 16_049.0, 0);
    truncates_to("X(20)", usl.throughput(20.0), 12_572.0, 0);
    rounds_to("R(20)", usl.response_time(20.0), 0.001_59, 5);
    let n = usl.concurrency_at_response_time(0.0015).unwrap();
    truncates_to("N(1.5 ms)", n, 17.0, 0);
    close("X(17)", usl.throughput(17.0), 11_450.0, 10.0);
    // At exactly 1.5 ms the throughput is N(R) / R, by Little's law, and below the peak. The
    // book's printed X(R) instead promises more than twice the peak: impossible.
    let x = usl.throughput_at_response_time(0.0015).unwrap();
    close("X(R) R", x * 0.0015, n, 1e-9 * n);
    assert!(x < usl.peak_throughput().unwrap());
    let printed = printed_throughput_at_response_time(&usl, 0.0015);
    assert!(
        printed > 2.0 * usl.peak_throughput().unwrap(),
        "the printed form gives {printed}"
    );
}

/// The Go port of Schwartz's equations (`codahale/usl`, `model_test.go`) checks
/// `ThroughputAtLatency` with `sigma = kappa = 0.06, lambda = 40`: 69.38886664887109 at
/// R = 0.03, 82.91561975888501 at 0.04 and 84.06346808612327 at 0.05. With equal
/// coefficients the sign error cancels, so the corrected formula must agree.
#[test]
fn equal_coefficients_hide_the_sign_error_and_agree_with_the_go_port() {
    let usl = Usl::new(0.06, 0.06, 40.0).unwrap();
    for (r, expected) in [
        (0.03, 69.388_866_648_871_09),
        (0.04, 82.915_619_758_885_01),
        (0.05, 84.063_468_086_123_27),
    ] {
        close(
            &format!("X({r})"),
            usl.throughput_at_response_time(r).unwrap(),
            expected,
            expected * 1e-12,
        );
        close(
            &format!("printed X({r})"),
            printed_throughput_at_response_time(&usl, r),
            expected,
            expected * 1e-12,
        );
    }
}

/// Schwartz's X(R) as printed, `(sqrt(...) - kappa + sigma) / (2 kappa R)`, kept here only to
/// show where it parts from Little's law.
fn printed_throughput_at_response_time(usl: &Usl, r: f64) -> f64 {
    let (sigma, kappa, lambda) = (usl.alpha(), usl.beta(), usl.gamma());
    let root =
        (sigma * sigma + kappa * kappa + 2.0 * kappa * (2.0 * lambda * r + sigma - 2.0)).sqrt();
    (root - kappa + sigma) / (2.0 * kappa * r)
}

#[test]
fn response_times_below_one_unit_of_work_are_refused() {
    let usl = Usl::new(0.05, 0.001, 100.0).unwrap();
    let error = usl.concurrency_at_response_time(0.005).unwrap_err();
    assert_eq!(error.argument(), Some("response_time"));
    let flat = Usl::new(0.0, 0.0, 100.0).unwrap();
    assert!(flat.concurrency_at_response_time(0.02).is_err());
}

#[test]
fn coefficients_outside_their_ranges_are_refused_by_name() {
    assert_eq!(
        Usl::new(1.5, 0.0, 1.0).unwrap_err().argument(),
        Some("alpha")
    );
    assert_eq!(
        Usl::new(0.1, -0.1, 1.0).unwrap_err().argument(),
        Some("beta")
    );
    assert_eq!(
        Usl::new(0.1, 0.0, 0.0).unwrap_err().argument(),
        Some("gamma")
    );
    assert_eq!(
        amdahl_speedup(0.5, 0.5).unwrap_err().argument(),
        Some("processors")
    );
    assert_eq!(
        gustafson_speedup(1.5, 2.0).unwrap_err().argument(),
        Some("parallel_fraction")
    );
}

proptest! {
    /// `X(R) = N(R) / R` and `R(N) = N / X(N)`: going round Little's law comes back to the
    /// same concurrency, for any model and any concurrency.
    #[test]
    fn the_inverse_round_trips_through_littles_law(
        alpha in 0.0f64..1.0,
        beta in 0.0f64..0.1,
        gamma in 0.1f64..10_000.0,
        n in 1.0f64..1_000.0,
    ) {
        prop_assume!(alpha > 0.0 || beta > 0.0);
        let usl = Usl::new(alpha, beta, gamma).unwrap();
        let r = usl.response_time(n);
        let x = usl.throughput_at_response_time(r).unwrap();
        // Little's law with no think time: N = X R, and X must be the model's X(N).
        prop_assert!((x * r - n).abs() <= 1e-9 * n, "N = {n}, X R = {}", x * r);
        prop_assert!((x - usl.throughput(n)).abs() <= 1e-9 * x);
    }

    /// Throughput rises up to the peak and falls after it.
    #[test]
    fn throughput_peaks_at_n_star(alpha in 0.0f64..0.5, beta in 0.000_01f64..0.01, gamma in 1.0f64..100.0) {
        let usl = Usl::new(alpha, beta, gamma).unwrap();
        let peak = usl.peak_n().unwrap();
        let top = usl.throughput(peak);
        for factor in [0.5, 0.9, 1.1, 2.0] {
            prop_assert!(usl.throughput(peak * factor) <= top * (1.0 + 1e-12));
        }
        prop_assert!(usl.throughput(peak) >= usl.throughput(peak * 0.99));
    }

    /// Amdahl's speedup grows with processors and stays under its limit; Gustafson's is never
    /// below Amdahl's for the same fraction.
    #[test]
    fn amdahl_is_monotone_and_bounded(p in 0.0f64..0.999, n in 1.0f64..1e6) {
        let speedup = amdahl_speedup(p, n).unwrap();
        prop_assert!(speedup <= amdahl_limit(p).unwrap() * (1.0 + 1e-12));
        prop_assert!(amdahl_speedup(p, n * 2.0).unwrap() >= speedup);
        prop_assert!(gustafson_speedup(p, n).unwrap() >= speedup * (1.0 - 1e-12));
    }
}
