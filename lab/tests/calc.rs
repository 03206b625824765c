//! `lab calc` end to end: the built binary's exit codes, JSON field names and values, error
//! messages that name the flag or line, and the SVG plots.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn lab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lab"))
        .arg("calc")
        .args(args)
        .output()
        .expect("the lab binary runs")
}

/// Runs a calculator with `--json`, expects success and exactly one JSON object.
fn json(args: &[&str]) -> serde_json::Map<String, Value> {
    let mut all = args.to_vec();
    all.push("--json");
    let output = lab(&all);
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    match serde_json::from_slice(&output.stdout).expect("stdout is one JSON value") {
        Value::Object(object) => object,
        other => panic!("{args:?}: expected an object, got {other}"),
    }
}

fn field(object: &serde_json::Map<String, Value>, key: &str) -> f64 {
    object
        .get(key)
        .and_then(Value::as_f64)
        .unwrap_or_else(|| panic!("no number `{key}` in {object:?}"))
}

#[track_caller]
fn close(object: &serde_json::Map<String, Value>, key: &str, expected: f64, tolerance: f64) {
    let actual = field(object, key);
    assert!(
        (actual - expected).abs() <= tolerance,
        "{key}: got {actual}, expected {expected} +/- {tolerance}"
    );
}

/// Expects exit code 2 and a message on stderr containing every one of `needles`.
#[track_caller]
fn refused(args: &[&str], needles: &[&str]) {
    let output = lab(args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    for needle in needles {
        assert!(
            stderr.contains(needle),
            "{args:?}: {stderr:?} lacks {needle:?}"
        );
    }
    assert!(output.stdout.is_empty(), "nothing on stdout");
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("calc");
    std::fs::create_dir_all(&dir).expect("the test temp dir is writable");
    dir.join(name)
}

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../formulas/data")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn usl_fit_reports_the_r_usl_coefficients_and_draws_the_plot() {
    let plot = scratch("usl.svg");
    let _ = std::fs::remove_file(&plot);
    let plot_arg = plot.display().to_string();
    let out = json(&["usl", "--fit", &data("specsdm91.csv"), "--plot", &plot_arg]);
    for key in [
        "alpha",
        "beta",
        "gamma",
        "peak_n",
        "peak_throughput",
        "optimal_n",
        "limit_throughput",
    ] {
        assert!(out.contains_key(key), "missing {key}");
    }
    close(&out, "alpha", 0.027_728_5, 1e-7);
    close(&out, "beta", 0.000_104_4, 1e-7);
    close(&out, "gamma", 89.995_233, 1e-5);
    close(&out, "alpha_std_error", 0.009_121_7, 1e-7);
    close(&out, "peak_n", 96.52, 0.005);
    close(&out, "optimal_n", 36.064, 0.001);
    close(&out, "limit_throughput", 3245.589, 0.33);
    let svg = std::fs::read_to_string(&plot).expect("the plot was written");
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert_eq!(
        svg.matches("<circle").count(),
        8,
        "seven points and a legend swatch"
    );
}

#[test]
fn usl_without_coherency_reports_no_peak_as_null() {
    let out = json(&["usl", "--fit", &data("raytracer.csv")]);
    assert_eq!(out.get("peak_n"), Some(&Value::Null));
    close(&out, "alpha", 0.0578, 0.00005);
}

#[test]
fn usl_evaluates_coefficients_and_inverts_response_time() {
    let out = json(&[
        "usl",
        "--alpha",
        "0.06",
        "--beta",
        "0.06",
        "--gamma",
        "40",
        "--response-time",
        "0.03",
    ]);
    close(
        &out,
        "throughput_at_response_time",
        69.388_866_648_871_09,
        1e-9,
    );
}

#[test]
fn erlang_c_matches_the_worked_example() {
    let out = json(&[
        "erlang-c",
        "--arrival-rate",
        &(100.0 / 1800.0).to_string(),
        "--handle-time",
        "180",
        "--agents",
        "14",
        "--target-answer-time",
        "20",
        "--target-service-level",
        "0.8",
    ]);
    close(&out, "traffic_erlangs", 10.0, 1e-9);
    close(&out, "occupancy", 0.714_285_714_285_714_3, 1e-12);
    close(&out, "wait_probability", 0.174_131_933_595_049_8, 1e-12);
    close(
        &out,
        "average_speed_of_answer",
        0.174_131_933_595_049_8 * 180.0 / 4.0,
        1e-9,
    );
    close(&out, "service_level", 0.888_350_019_179_466_9, 1e-12);
    close(&out, "agents_needed", 14.0, 0.0);
}

#[test]
fn mmc_reports_queue_length_and_times_and_plots_response_time() {
    let plot = scratch("response-time.svg");
    let plot_arg = plot.display().to_string();
    let out = json(&[
        "mmc",
        "--servers",
        "1",
        "--utilization",
        "0.5",
        "--service-time",
        "0.25",
        "--plot",
        &plot_arg,
    ]);
    close(&out, "queue_length", 0.5, 1e-12);
    close(&out, "wait_probability", 0.5, 1e-12);
    close(&out, "response_time", 0.5, 1e-12);
    close(&out, "wait_time", 0.25, 1e-12);
    let dimensionless = json(&["mmc", "--servers", "8", "--utilization", "0.8"]);
    assert!(dimensionless.contains_key("queue_length"));
    assert!(
        !dimensionless.contains_key("response_time"),
        "no service time, no times"
    );
    assert!(std::fs::read_to_string(&plot).unwrap().contains("M/M/1"));
}

#[test]
fn fan_out_reproduces_the_tail_at_scale() {
    let out = json(&["fan-out", "--probability", "0.01", "--fan-out", "100"]);
    close(&out, "probability", 0.634, 0.0005);
}

#[test]
fn burn_rate_reproduces_the_workbook() {
    let out = json(&[
        "burn-rate",
        "--slo",
        "0.999",
        "--budget-consumed",
        "0.02",
        "--window",
        "1h",
        "--period",
        "30d",
    ]);
    close(&out, "burn_rate", 14.4, 1e-9);
    close(&out, "error_rate", 0.0144, 1e-12);
    let six = json(&[
        "burn-rate",
        "--slo",
        "0.999",
        "--budget-consumed",
        "0.05",
        "--window",
        "6h",
        "--period",
        "30d",
    ]);
    close(&six, "burn_rate", 6.0, 1e-9);
    let alerts = json(&["slo-alerts", "--slo", "0.999", "--period", "month"]);
    let rules = alerts["alerts"].as_array().expect("a list of alerts");
    assert_eq!(rules.len(), 3);
    assert_eq!(rules[0]["severity"], "page");
    assert!((rules[0]["burn_rate"].as_f64().unwrap() - 14.4).abs() < 1e-9);
}

#[test]
fn downtime_reproduces_the_sre_book_table() {
    let out = json(&["downtime", "--availability", "0.999", "--period", "30d"]);
    close(&out, "downtime_seconds", 2592.0, 1e-6);
    let year = json(&["downtime", "--nines", "4", "--period", "year"]);
    close(&year, "downtime_seconds", 3153.6, 1e-6);
    let back = json(&["nines", "--downtime", "43.2m", "--period", "month"]);
    close(&back, "nines", 3.0, 1e-9);
}

#[test]
fn availability_composes_series_parallel_and_quorums() {
    close(
        &json(&["availability", "--series", "0.9995,0.9999"]),
        "availability",
        0.9994,
        0.000_01,
    );
    close(
        &json(&["availability", "--parallel", "0.9995,0.9995"]),
        "availability",
        0.999_999_75,
        1e-12,
    );
    let a: f64 = 0.99;
    let two_of_three = 3.0 * a * a - 2.0 * a.powi(3);
    close(
        &json(&["availability", "--k-of-n", "2/3", "--component", "0.99"]),
        "availability",
        two_of_three,
        1e-12,
    );
    close(
        &json(&["availability", "--quorum", "3", "--component", "0.99"]),
        "availability",
        two_of_three,
        1e-12,
    );
    close(
        &json(&["availability", "--mtbf", "1000h", "--mttr", "1h"]),
        "availability",
        1000.0 / 1001.0,
        1e-12,
    );
}

#[test]
fn the_other_calculators_answer_in_json() {
    close(
        &json(&["rtt", "--distance-km", "5585"]),
        "rtt_fibre_seconds",
        0.0559,
        0.0001,
    );
    close(
        &json(&["bdp", "--bandwidth", "20Mbit/s", "--rtt", "50ms"]),
        "bdp_bytes",
        125_000.0,
        1e-6,
    );
    close(
        &json(&["little", "--in-system", "10", "--arrival-rate", "50"]),
        "time_in_system",
        0.2,
        1e-12,
    );
    close(
        &json(&["mm1", "--arrival-rate", "2", "--service-time", "0.25"]),
        "response_time",
        0.5,
        1e-12,
    );
    close(
        &json(&["erlang-b", "--traffic", "8.108", "--servers", "15"]),
        "blocking_probability",
        0.01,
        0.00005,
    );
    close(
        &json(&[
            "amdahl",
            "--parallel-fraction",
            "0.95",
            "--processors",
            "1e9",
        ]),
        "limit_speedup",
        20.0,
        1e-9,
    );
    close(
        &json(&[
            "gustafson",
            "--parallel-fraction",
            "0.996",
            "--processors",
            "1024",
        ]),
        "scaled_speedup",
        1019.908,
        1e-9,
    );
    close(
        &json(&[
            "correlated",
            "--availability",
            "0.99,0.99",
            "--correlation",
            "1",
        ]),
        "parallel_availability",
        0.99,
        1e-12,
    );
    close(
        &json(&[
            "common-cause",
            "--k-of-n",
            "2/3",
            "--component",
            "0.99",
            "--beta",
            "1",
        ]),
        "availability",
        0.99,
        1e-12,
    );
    close(
        &json(&["cost", "--regions", "3"]),
        "compute_multiplier",
        1.5,
        1e-12,
    );
}

#[test]
fn human_output_uses_the_same_keys() {
    let output = lab(&[
        "erlang-c",
        "--arrival-rate",
        "0.0556",
        "--handle-time",
        "180",
        "--agents",
        "14",
    ]);
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    for key in [
        "traffic_erlangs",
        "occupancy",
        "wait_probability",
        "average_speed_of_answer",
        "service_level",
    ] {
        assert!(
            text.lines().any(|line| line.starts_with(key)),
            "{key} in {text}"
        );
    }
    let without_target = json(&[
        "erlang-c",
        "--arrival-rate",
        "0.0556",
        "--handle-time",
        "180",
        "--agents",
        "14",
    ]);
    assert_eq!(
        without_target.get("service_level"),
        Some(&Value::Null),
        "no answer-time target, no service level"
    );
}

#[test]
fn bad_input_names_the_flag_and_exits_2() {
    refused(
        &["mmc", "--servers", "4", "--utilization", "1.2"],
        &["--utilization", "below 1"],
    );
    refused(
        &[
            "erlang-c",
            "--arrival-rate",
            "1",
            "--handle-time",
            "20",
            "--agents",
            "10",
        ],
        &["--agents", "utilization of 2"],
    );
    refused(
        &["mm1", "--arrival-rate", "-1", "--service-time", "1"],
        &["--arrival-rate"],
    );
    refused(
        &["fan-out", "--probability", "1.5", "--fan-out", "10"],
        &["--probability", "between 0 and 1"],
    );
    refused(
        &[
            "burn-rate",
            "--slo",
            "0.999",
            "--budget-consumed",
            "0.02",
            "--window",
            "1w",
            "--period",
            "30d",
        ],
        &["--window"],
    );
    refused(
        &[
            "burn-rate",
            "--slo",
            "1",
            "--error-rate",
            "0.01",
            "--period",
            "30d",
        ],
        &["--slo"],
    );
    refused(
        &["downtime", "--availability", "0.999", "--period", "30"],
        &["--period"],
    );
    refused(
        &["availability", "--k-of-n", "4/3", "--component", "0.9"],
        &["--k-of-n"],
    );
    refused(
        &["little", "--in-system", "3"],
        &["--in-system", "--arrival-rate", "--time-in-system"],
    );
    refused(
        &["correlated", "--availability", "0.99", "--correlation", "0"],
        &["--availability"],
    );
    refused(
        &["cost", "--regions", "2", "--region-failures-tolerated", "2"],
        &["--region-failures-tolerated"],
    );
}

#[test]
fn a_fit_needs_three_points_and_names_a_bad_csv_line() {
    let few = scratch("few.csv");
    std::fs::write(&few, "N,X\n1,10\n2,19\n").unwrap();
    refused(
        &["usl", "--fit", &few.display().to_string()],
        &["--fit", "at least 3 points"],
    );
    let bad = scratch("bad.csv");
    std::fs::write(&bad, "N,X\n1,10\n2,19\n4,thirty\n8,50\n").unwrap();
    refused(
        &["usl", "--fit", &bad.display().to_string()],
        &["--fit", "line 4", "\"thirty\" is not a number"],
    );
    refused(
        &["usl", "--fit", "no-such-file.csv"],
        &["--fit", "no-such-file.csv"],
    );
}

#[test]
fn clap_usage_errors_also_exit_2() {
    refused(&["usl"], &["--fit"]);
    refused(
        &["rtt", "--distance-km", "far"],
        &["--distance-km", "is not a number"],
    );
}
