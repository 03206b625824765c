//! `lab calc burn-rate` and `slo-alerts`.

use std::time::Duration;

use clap::{ArgGroup, Args};

use super::input::{self, Failure};
use super::report::{Report, Unit};
use super::{Calculator, Output};

/// The burn rate of an error budget, and how long the budget lasts at that rate.
#[derive(Debug, Args)]
#[command(group(
    ArgGroup::new("burn").required(true).args(["budget_consumed", "error_rate"])
))]
pub(crate) struct BurnRateArgs {
    /// The objective, as a fraction: 0.999.
    #[arg(long, value_name = "SLO", value_parser = input::number)]
    slo: f64,
    /// Fraction of the period's error budget spent in --window (0.02 for 2%).
    #[arg(long, value_name = "FRACTION", value_parser = input::number, requires = "window")]
    budget_consumed: Option<f64>,
    /// The window the budget was spent in, with a unit: 1h.
    #[arg(long, value_name = "DURATION", value_parser = input::duration, requires = "budget_consumed")]
    window: Option<Duration>,
    /// Or: the observed error rate (bad events over all events).
    #[arg(long, value_name = "FRACTION", value_parser = input::number, conflicts_with = "budget_consumed")]
    error_rate: Option<f64>,
    /// The SLO period: year, quarter, month, week, day, or a duration (30d, 28d).
    #[arg(long, value_name = "PERIOD", value_parser = input::period)]
    period: Duration,
    /// Fraction of the budget still left, for the time to exhaustion.
    #[arg(long, value_name = "FRACTION", default_value_t = 1.0, value_parser = input::number)]
    budget_remaining: f64,
    #[command(flatten)]
    output: Output,
}

impl Calculator for BurnRateArgs {
    fn output(&self) -> Output {
        self.output
    }

    fn compute(&self) -> Result<Report, Failure> {
        let period = self.period.as_secs_f64();
        let budget = formulas::error_budget(self.slo)?;
        let burn_rate = match (self.budget_consumed, self.window, self.error_rate) {
            (Some(consumed), Some(window), _) => {
                formulas::burn_rate(consumed, window.as_secs_f64(), period)?
            }
            (None, _, Some(error_rate)) => {
                formulas::burn_rate_from_error_rate(error_rate, self.slo)?
            }
            _ => unreachable!("clap requires --budget-consumed with --window, or --error-rate"),
        };
        Ok(
            Report::titled(format!("Burn rate against a {} objective", self.slo))
                .number("error_budget", budget, Unit::Ratio)
                .number("burn_rate", burn_rate, Unit::Plain)
                .number(
                    "error_rate",
                    formulas::error_rate_at_burn_rate(burn_rate, self.slo)?,
                    Unit::Ratio,
                )
                .number(
                    "time_to_exhaustion_seconds",
                    formulas::time_to_exhaustion_seconds(self.budget_remaining, burn_rate, period)?,
                    Unit::Seconds,
                ),
        )
    }
}

/// The SRE workbook's multi-window, multi-burn-rate alerts for an objective and period.
#[derive(Debug, Args)]
pub(crate) struct SloAlertsArgs {
    /// The objective, as a fraction: 0.999.
    #[arg(long, value_name = "SLO", value_parser = input::number)]
    slo: f64,
    /// The SLO period: month (30 d), 28d, quarter, ...
    #[arg(long, value_name = "PERIOD", value_parser = input::period)]
    period: Duration,
    #[command(flatten)]
    output: Output,
}

impl Calculator for SloAlertsArgs {
    fn output(&self) -> Output {
        self.output
    }

    fn compute(&self) -> Result<Report, Failure> {
        let period = self.period.as_secs_f64();
        let rules = formulas::workbook_alerts(self.slo, period)?;
        let alerts = rules
            .iter()
            .map(|rule| {
                Report::default()
                    .text("severity", rule.severity.name())
                    .number("budget_consumed", rule.budget_consumed, Unit::Ratio)
                    .number(
                        "long_window_seconds",
                        rule.long_window_seconds,
                        Unit::Seconds,
                    )
                    .number(
                        "short_window_seconds",
                        rule.short_window_seconds,
                        Unit::Seconds,
                    )
                    .number("burn_rate", rule.burn_rate, Unit::Plain)
                    .number("error_rate", rule.error_rate, Unit::Ratio)
            })
            .collect();
        Ok(Report::titled(format!(
            "Multi-window burn-rate alerts for {} (fire when both windows are above the error rate)",
            self.slo
        ))
        .number("slo", self.slo, Unit::Plain)
        .number("period_seconds", period, Unit::Seconds)
        .number("error_budget", formulas::error_budget(self.slo)?, Unit::Ratio)
        .rows("alerts", alerts))
    }
}
