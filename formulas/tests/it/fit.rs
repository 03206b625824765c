//! The USL fit against the R usl package's published outputs, and its properties.

use formulas::{Error, Point, Usl, fit_usl, parse_points};
use proptest::prelude::*;

use crate::{close, data_set, rounds_to, truncates_to};

/// Student's t quantiles the R usl package's `confint` multiplies standard errors by: it uses
/// `qt(0.95, n - 1)`.
const T_95_DF_5: f64 = 2.015_048_373;
const T_95_DF_10: f64 = 1.812_461_123;

/// R usl 3.0.3, README.md and tests/summary.Rout.save: `usl(throughput ~ load, specsdm91)`.
///
/// ```text
///          Estimate  Std. Error
/// alpha   0.0277285   0.0091217
/// beta    0.0001044   0.0000199
/// gamma  89.9952330  14.2134894
/// Residual standard error: 82.85 on 4 degrees of freedom
/// limit: throughput 3246 (Amdahl's asymptote)
/// peak:  throughput 1884 at load 96.52
/// opt:   throughput 1542 at load 36.06
/// ```
#[test]
fn specsdm91_matches_the_r_usl_summary() {
    let fit = fit_usl(&data_set("specsdm91.csv")).unwrap();
    let usl = fit.model;
    rounds_to("alpha", usl.alpha(), 0.027_728_5, 7);
    rounds_to("beta", usl.beta(), 0.000_104_4, 7);
    // R's nls stops at a relative convergence tolerance; the seventh decimal of gamma is
    // where the two minimisers part, and ours has the smaller residual sum of squares.
    rounds_to("gamma", usl.gamma(), 89.995_233, 6);
    let published = Usl::new(0.027_728_5, 0.000_104_4, 89.995_233_0).unwrap();
    assert!(fit.residual_sum_of_squares <= rss(&published, &data_set("specsdm91.csv")));
    let se = fit.std_errors.unwrap();
    rounds_to("se(alpha)", se.alpha, 0.009_121_7, 7);
    rounds_to("se(beta)", se.beta, 0.000_019_9, 7);
    rounds_to("se(gamma)", se.gamma, 14.213_489_4, 7);
    rounds_to(
        "residual standard error",
        fit.residual_std_error.unwrap(),
        82.85,
        2,
    );
    rounds_to("peak load", usl.peak_n().unwrap(), 96.52, 2);
    rounds_to("peak throughput", usl.peak_throughput().unwrap(), 1884.0, 0);
    rounds_to("optimal load", usl.optimal_n().unwrap(), 36.06, 2);
    rounds_to(
        "optimal throughput",
        usl.optimal_throughput().unwrap(),
        1542.0,
        0,
    );
    rounds_to(
        "limit throughput",
        usl.limit_throughput().unwrap(),
        3246.0,
        0,
    );
    assert_eq!(fit.points, 7);
}

/// R usl, tests/optimal-scalability.Rout.save and tests/limit-scalability.Rout.save:
/// `all.equal(optimal.scalability(u), 36.06401, 0.0001)` and
/// `all.equal(limit.scalability(u), 3245.589, 0.0001)` (relative tolerance 1e-4), and the
/// same functions evaluated at alpha = 0.001, beta = 0.00001: 1000 and 89995.23.
#[test]
fn specsdm91_scalability_bounds_match_the_r_usl_tests() {
    let fit = fit_usl(&data_set("specsdm91.csv")).unwrap();
    let usl = fit.model;
    close(
        "optimal",
        usl.optimal_n().unwrap(),
        36.064_01,
        36.064_01 * 1e-4,
    );
    close(
        "limit",
        usl.limit_throughput().unwrap(),
        3245.589,
        3245.589 * 1e-4,
    );
    let what_if = Usl::new(0.001, 0.000_01, usl.gamma()).unwrap();
    close(
        "optimal (what-if)",
        what_if.optimal_n().unwrap(),
        1000.0,
        0.1,
    );
    close(
        "limit (what-if)",
        what_if.limit_throughput().unwrap(),
        89_995.23,
        9.0,
    );
    // tests/peak-scalability.Rout.save: signif(peak.scalability(u), 2) is 97, and 320 for
    // the what-if coefficients.
    rounds_to("peak", usl.peak_n().unwrap(), 97.0, 0);
    rounds_to("peak (what-if)", what_if.peak_n().unwrap(), 320.0, -1);
}

/// R usl, tests/fitted.Rout.save and tests/residuals.Rout.save for specsdm91 (3 digits).
#[test]
fn specsdm91_fitted_values_and_residuals_match() {
    let points = data_set("specsdm91.csv");
    let usl = fit_usl(&points).unwrap().model;
    let fitted = [90.0, 1078.0, 1541.0, 1850.0, 1879.0, 1822.0, 1646.0];
    let residuals = [-25.10, -81.66, 111.09, 3.05, -49.99, -46.60, 56.00];
    for ((point, fitted), residual) in points.iter().zip(fitted).zip(residuals) {
        let x = usl.throughput(point.n);
        rounds_to(&format!("fitted at N = {}", point.n), x, fitted, 0);
        rounds_to(
            &format!("residual at N = {}", point.n),
            point.throughput - x,
            residual,
            2,
        );
    }
}

/// R usl 3.0.3, tests/confint.Rout.save: the first six raytracer rows.
///
/// ```text
///    alpha     beta    gamma
///  0.02444  0.00163 20.85605
///          2.5 %   97.5 %
/// alpha  0.00754  0.04135
/// beta   0.00110  0.00215
/// gamma 19.26717 22.44492
/// ```
///
/// The package's intervals are `estimate -/+ se * qt(0.95, n - 1)`.
#[test]
fn raytracer_first_six_rows_match_the_r_usl_confint_test() {
    let points = &data_set("raytracer.csv")[..6];
    let fit = fit_usl(points).unwrap();
    let usl = fit.model;
    rounds_to("alpha", usl.alpha(), 0.024_44, 5);
    rounds_to("beta", usl.beta(), 0.001_63, 5);
    rounds_to("gamma", usl.gamma(), 20.856_05, 5);
    let se = fit.std_errors.unwrap();
    rounds_to("alpha low", usl.alpha() - se.alpha * T_95_DF_5, 0.007_54, 5);
    rounds_to(
        "alpha high",
        usl.alpha() + se.alpha * T_95_DF_5,
        0.041_35,
        5,
    );
    rounds_to("beta low", usl.beta() - se.beta * T_95_DF_5, 0.001_10, 5);
    rounds_to("beta high", usl.beta() + se.beta * T_95_DF_5, 0.002_15, 5);
    rounds_to(
        "gamma low",
        usl.gamma() - se.gamma * T_95_DF_5,
        19.267_17,
        5,
    );
    rounds_to(
        "gamma high",
        usl.gamma() + se.gamma * T_95_DF_5,
        22.444_92,
        5,
    );
}

/// R usl 1.8.0, tests/confint.Rout.save at commit 0c22191: all eleven raytracer rows. The
/// coherency coefficient wants to be negative and is held at its bound, 0: the case the
/// projection exists for.
///
/// ```text
///   alpha    beta   gamma
///  0.0578  0.0000 21.8488
///           2.5 %    97.5 %
/// alpha  0.033677  0.081864
/// beta  -0.000214  0.000214
/// gamma 17.868380 25.829306
/// ```
#[test]
fn raytracer_holds_beta_at_its_bound_as_r_usl_does() {
    let fit = fit_usl(&data_set("raytracer.csv")).unwrap();
    let usl = fit.model;
    rounds_to("alpha", usl.alpha(), 0.0578, 4);
    assert!(usl.beta().abs() < 1e-12, "beta {}", usl.beta());
    rounds_to("gamma", usl.gamma(), 21.8488, 4);
    let se = fit.std_errors.unwrap();
    rounds_to(
        "alpha low",
        usl.alpha() - se.alpha * T_95_DF_10,
        0.033_677,
        6,
    );
    rounds_to(
        "alpha high",
        usl.alpha() + se.alpha * T_95_DF_10,
        0.081_864,
        6,
    );
    rounds_to("beta half-width", se.beta * T_95_DF_10, 0.000_214, 6);
    rounds_to(
        "gamma low",
        usl.gamma() - se.gamma * T_95_DF_10,
        17.868_380,
        6,
    );
    rounds_to(
        "gamma high",
        usl.gamma() + se.gamma * T_95_DF_10,
        25.829_306,
        6,
    );
    assert_eq!(usl.peak_n(), None, "no coherency cost: no peak");
}

/// R usl, tests/warn-accuracy.Rout.save: the first five raytracer rows give
/// `alpha 0.028, beta 0.001, gamma 21.059` (printed with `digits = 1`).
#[test]
fn raytracer_first_five_rows_match_the_r_usl_warning_test() {
    let usl = fit_usl(&data_set("raytracer.csv")[..5]).unwrap().model;
    rounds_to("alpha", usl.alpha(), 0.028, 3);
    rounds_to("beta", usl.beta(), 0.001, 3);
    rounds_to("gamma", usl.gamma(), 21.059, 3);
}

/// R usl, tests/coef.Rout.save: data generated from alpha = beta = 0.02, gamma = 1 give
/// `signif(coef, 3)` of 0.02, 0.02 and 1.00.
#[test]
fn the_r_usl_coef_test_recovers_its_generating_coefficients() {
    let points = parse_points("1,1\n2,1.8868\n4,3.0769\n6,3.5294\n8,3.5398\n10,3.3557").unwrap();
    let usl = fit_usl(&points).unwrap().model;
    rounds_to("alpha", usl.alpha(), 0.0200, 4);
    rounds_to("beta", usl.beta(), 0.0200, 4);
    rounds_to("gamma", usl.gamma(), 1.00, 2);
}

/// Schwartz, *Practical Scalability Analysis with the Universal Scalability Law* (2015):
/// R's `nls` on the Cisco benchmark gives lambda = 995.6486, sigma = 0.02671591,
/// kappa = 0.0007690945; "the peak throughput will be 12341 queries per second" at 35 threads
/// (N* rounded down).
#[test]
fn cisco_benchmark_matches_schwartz() {
    let points = data_set("cisco.csv");
    let fit = fit_usl(&points).unwrap();
    let usl = fit.model;
    // Agreement to a few parts per million; beyond that R's nls stopped early (its default
    // relative tolerance is 1e-5), as the smaller residual sum of squares here shows.
    close("lambda", usl.gamma(), 995.6486, 995.6486 * 5e-6);
    close("sigma", usl.alpha(), 0.026_715_91, 0.026_715_91 * 5e-6);
    close("kappa", usl.beta(), 0.000_769_094_5, 0.000_769_094_5 * 5e-6);
    let published = Usl::new(0.026_715_91, 0.000_769_094_5, 995.6486).unwrap();
    assert!(fit.residual_sum_of_squares <= rss(&published, &points));
    let peak = usl.peak_n().unwrap();
    truncates_to("N max", peak, 35.0, 0);
    truncates_to("X max", usl.throughput(peak.floor()), 12_341.0, 0);
}

/// The residual sum of squares of `usl` on `points`.
fn rss(usl: &Usl, points: &[Point]) -> f64 {
    points
        .iter()
        .map(|p| (p.throughput - usl.throughput(p.n)).powi(2))
        .sum()
}

#[test]
fn three_points_fit_exactly_but_leave_no_degrees_of_freedom_for_errors() {
    let usl = Usl::new(0.05, 0.001, 10.0).unwrap();
    let points: Vec<Point> = [1.0, 8.0, 32.0]
        .iter()
        .map(|&n| Point {
            n,
            throughput: usl.throughput(n),
        })
        .collect();
    let fit = fit_usl(&points).unwrap();
    close("alpha", fit.model.alpha(), 0.05, 1e-6);
    assert_eq!(fit.std_errors, None);
    assert_eq!(fit.residual_std_error, None);
}

#[test]
fn too_few_distinct_points_are_refused() {
    let points = parse_points("1,10\n2,19\n2,19.5").unwrap();
    assert_eq!(
        fit_usl(&points).unwrap_err(),
        Error::TooFewPoints { needed: 3, got: 2 }
    );
    let zero_n = [0.0, 1.0, 2.0].map(|n| Point { n, throughput: 1.0 });
    assert_eq!(fit_usl(&zero_n).unwrap_err().argument(), Some("n"));
}

#[test]
fn all_zero_throughput_is_refused_by_name() {
    let points = parse_points("1,0\n2,0\n3,0").unwrap();
    assert!(fit_usl(&points).unwrap_err().to_string().contains("zero"));
}

#[test]
fn csv_reading_skips_a_header_and_comments_and_names_bad_lines() {
    let points = parse_points("# measured 2026-01-01\nN, X\n1, 10 # warm\n\n2,19\n").unwrap();
    assert_eq!(
        points,
        [
            Point {
                n: 1.0,
                throughput: 10.0
            },
            Point {
                n: 2.0,
                throughput: 19.0
            }
        ]
    );
    for (text, line, reason) in [
        ("N,X\n1,10\n2,abc", 3, "\"abc\" is not a number"),
        ("1,10\n2,20,30", 2, "found 3"),
        ("1,10\nN,X", 2, "is not a number"),
        ("1,10\n-2,20", 2, "N must be a finite number above 0"),
        ("1,10\n2,-1", 2, "X must be"),
        ("1", 1, "found 1"),
    ] {
        match parse_points(text) {
            Err(Error::Csv {
                line: got,
                reason: message,
            }) => {
                assert_eq!(got, line, "{text:?}");
                assert!(message.contains(reason), "{text:?}: {message}");
            }
            other => panic!("{text:?}: expected a CSV error, got {other:?}"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Noise-free measurements of any USL give back its coefficients.
    #[test]
    fn a_fit_recovers_the_model_that_generated_the_points(
        alpha in 0.001f64..0.3,
        beta in 0.000_01f64..0.01,
        gamma in 1.0f64..10_000.0,
    ) {
        let truth = Usl::new(alpha, beta, gamma).unwrap();
        let points: Vec<Point> = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0]
            .iter()
            .map(|&n| Point { n, throughput: truth.throughput(n) })
            .collect();
        let fit = fit_usl(&points).unwrap();
        prop_assert!((fit.model.alpha() - alpha).abs() <= 1e-6 * alpha.max(1e-3), "alpha {} vs {alpha}", fit.model.alpha());
        prop_assert!((fit.model.beta() - beta).abs() <= 1e-6 * beta.max(1e-4), "beta {} vs {beta}", fit.model.beta());
        prop_assert!((fit.model.gamma() - gamma).abs() <= 1e-6 * gamma, "gamma {} vs {gamma}", fit.model.gamma());
    }

    /// Whatever the data, the coefficients stay inside their bounds.
    #[test]
    fn fitted_coefficients_respect_their_bounds(
        throughput in proptest::collection::vec(0.0f64..1000.0, 4..12),
    ) {
        let points: Vec<Point> = throughput
            .iter()
            .enumerate()
            .map(|(i, &x)| Point { n: (i + 1) as f64, throughput: x })
            .collect();
        prop_assume!(points.iter().any(|p| p.throughput > 0.0));
        let usl = fit_usl(&points).unwrap().model;
        prop_assert!((0.0..=1.0).contains(&usl.alpha()));
        prop_assert!((0.0..=1.0).contains(&usl.beta()));
        prop_assert!(usl.gamma() > 0.0);
    }
}
