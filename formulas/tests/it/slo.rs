//! Error budgets and burn rates against the SRE workbook's tables.

use formulas::{
    Severity, burn_rate, burn_rate_from_error_rate, downtime_seconds, error_budget,
    error_rate_at_burn_rate, parse_duration, parse_period, time_to_exhaustion_seconds,
    workbook_alerts,
};
use proptest::prelude::*;

use crate::{close, rounds_to};

const DAY: f64 = 86_400.0;

fn seconds(text: &str) -> f64 {
    parse_duration("window", text).unwrap().as_secs_f64()
}

/// Google, *The Site Reliability Workbook*, chapter 5, "Alerting on SLOs", the recommended
/// windows for a 99.9% objective over 30 days: 2% of the budget in 1 hour is a burn rate of
/// 14.4, 5% in 6 hours is 6, 10% in 3 days is 1; the short windows are 5 minutes, 30 minutes
/// and 6 hours; the paging expression compares the error ratio with `14.4 * 0.001`.
#[test]
fn burn_rates_match_the_workbook() {
    let month = parse_period("period", "30d").unwrap().as_secs_f64();
    close(
        "2% in 1h",
        burn_rate(0.02, seconds("1h"), month).unwrap(),
        14.4,
        1e-12,
    );
    close(
        "5% in 6h",
        burn_rate(0.05, seconds("6h"), month).unwrap(),
        6.0,
        1e-12,
    );
    close(
        "10% in 3d",
        burn_rate(0.10, seconds("3d"), month).unwrap(),
        1.0,
        1e-12,
    );
    let rules = workbook_alerts(0.999, month).unwrap();
    let expected = [
        (Severity::Page, 14.4, "1h", "5m"),
        (Severity::Page, 6.0, "6h", "30m"),
        (Severity::Ticket, 1.0, "3d", "6h"),
    ];
    for (rule, (severity, rate, long, short)) in rules.iter().zip(expected) {
        assert_eq!(rule.severity, severity);
        close("burn rate", rule.burn_rate, rate, 1e-12);
        close("long window", rule.long_window_seconds, seconds(long), 1e-9);
        close(
            "short window",
            rule.short_window_seconds,
            seconds(short),
            1e-9,
        );
        close("error rate", rule.error_rate, rate * 0.001, 1e-15);
    }
}

/// The same chapter's table of burn rates and the time each takes to exhaust a 30-day
/// budget: 1 in 30 days, 2 in 15 days, 10 in 3 days, 1000 in 43 minutes; and the error rate
/// each is at 99.9%: 0.1%, 0.2%, 1%, 100%.
#[test]
fn time_to_exhaustion_matches_the_workbook() {
    let month = 30.0 * DAY;
    for (rate, exhausted, error_rate) in [
        (1.0, 30.0 * DAY, 0.001),
        (2.0, 15.0 * DAY, 0.002),
        (10.0, 3.0 * DAY, 0.01),
    ] {
        close(
            "exhaustion",
            time_to_exhaustion_seconds(1.0, rate, month).unwrap(),
            exhausted,
            1e-6,
        );
        close(
            "error rate",
            error_rate_at_burn_rate(rate, 0.999).unwrap(),
            error_rate,
            1e-15,
        );
        close(
            "burn rate",
            burn_rate_from_error_rate(error_rate, 0.999).unwrap(),
            rate,
            1e-9,
        );
    }
    rounds_to(
        "1000x",
        time_to_exhaustion_seconds(1.0, 1000.0, month).unwrap() / 60.0,
        43.0,
        0,
    );
    close(
        "1000x at 99.9%",
        error_rate_at_burn_rate(1000.0, 0.999).unwrap(),
        1.0,
        1e-12,
    );
}

/// A 99.9% objective's budget over 30 days is the SRE book's 43.2 minutes a month.
#[test]
fn the_error_budget_is_the_allowed_downtime() {
    let budget = error_budget(0.999).unwrap();
    close("budget", budget, 0.001, 1e-15);
    close(
        "minutes",
        downtime_seconds(0.999, 30.0 * DAY).unwrap() / 60.0,
        43.2,
        1e-9,
    );
}

#[test]
fn a_28_day_period_scales_the_burn_rates() {
    let rules = workbook_alerts(0.999, 28.0 * DAY).unwrap();
    close("page", rules[0].burn_rate, 13.44, 1e-12);
    close("page", rules[1].burn_rate, 5.6, 1e-12);
    close("ticket", rules[2].burn_rate, 28.0 / 30.0, 1e-12);
}

#[test]
fn bad_objectives_and_windows_are_refused_by_name() {
    assert_eq!(error_budget(1.0).unwrap_err().argument(), Some("slo"));
    assert_eq!(error_budget(0.0).unwrap_err().argument(), Some("slo"));
    assert_eq!(
        burn_rate(0.02, 31.0 * DAY, 30.0 * DAY)
            .unwrap_err()
            .argument(),
        Some("window")
    );
    assert_eq!(
        burn_rate(-0.02, 3600.0, 30.0 * DAY).unwrap_err().argument(),
        Some("budget_consumed")
    );
    assert_eq!(
        workbook_alerts(0.999, 2.0 * DAY).unwrap_err().argument(),
        Some("period")
    );
}

proptest! {
    /// Consumption, window and period go round through the burn rate; exhaustion time
    /// shrinks as the burn rate grows.
    #[test]
    fn burn_rates_round_trip(consumed in 0.0f64..1.0, window_hours in 1.0f64..720.0, slo in 0.9f64..0.99999) {
        let period = 30.0 * DAY;
        let window = window_hours * 3600.0;
        let rate = burn_rate(consumed, window, period).unwrap();
        prop_assert!((rate * window / period - consumed).abs() < 1e-12);
        let error_rate = error_rate_at_burn_rate(rate, slo).unwrap();
        prop_assume!(error_rate <= 1.0);
        prop_assert!((burn_rate_from_error_rate(error_rate, slo).unwrap() - rate).abs() <= 1e-9 * rate.max(1.0));
        prop_assert!(time_to_exhaustion_seconds(1.0, rate + 1.0, period).unwrap() < time_to_exhaustion_seconds(1.0, rate, period).unwrap());
    }
}
