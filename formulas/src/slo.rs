//! Service level objectives: error budgets, burn rates, and the multi-window burn-rate alerts
//! of Google's *Site Reliability Workbook*, chapter 5, "Alerting on SLOs".

use crate::Error;
use crate::error::check;

/// The error budget of an objective: the fraction of events (or of time) allowed to be bad,
/// `1 - SLO`. A 99.9% objective has a budget of 0.001.
///
/// The objective must be strictly between 0 and 1: a 100% objective has no budget, and every
/// burn rate against it is infinite.
pub fn error_budget(slo: f64) -> Result<f64, Error> {
    check::open_unit("slo", slo)?;
    Ok(1.0 - slo)
}

/// The burn rate implied by spending `budget_consumed` of the period's error budget (0.02 for
/// 2%) in `window_seconds` of a `period_seconds` period: `consumed * period / window`.
///
/// A burn rate of 1 spends the budget exactly by the end of the period; 14.4 spends 2% of a
/// 30-day budget in one hour. The objective itself cancels out: burn rate is relative to the
/// budget, whatever its size.
///
/// ```
/// // The workbook's fast-burn page: 2% of a 30-day budget in 1 hour is a burn rate of 14.4.
/// let rate = formulas::burn_rate(0.02, 3600.0, 30.0 * 86_400.0)?;
/// assert!((rate - 14.4).abs() < 1e-9);
/// # Ok::<(), formulas::Error>(())
/// ```
pub fn burn_rate(
    budget_consumed: f64,
    window_seconds: f64,
    period_seconds: f64,
) -> Result<f64, Error> {
    check::non_negative("budget_consumed", budget_consumed)?;
    check::positive("window", window_seconds)?;
    check::positive("period", period_seconds)?;
    if window_seconds > period_seconds {
        return Err(Error::domain(
            "window",
            "must not be longer than the period",
            window_seconds,
        ));
    }
    Ok(budget_consumed * period_seconds / window_seconds)
}

/// The burn rate of an observed error rate (bad events over all events) against an
/// objective: `error_rate / (1 - SLO)`. An error rate of 1% against 99.9% burns at 10.
pub fn burn_rate_from_error_rate(error_rate: f64, slo: f64) -> Result<f64, Error> {
    check::probability("error_rate", error_rate)?;
    Ok(error_rate / error_budget(slo)?)
}

/// The error rate at which an objective burns at `burn_rate`: `burn_rate * (1 - SLO)`. This
/// is the threshold an alerting rule compares the measured error ratio with.
pub fn error_rate_at_burn_rate(burn_rate: f64, slo: f64) -> Result<f64, Error> {
    check::non_negative("burn_rate", burn_rate)?;
    Ok(burn_rate * error_budget(slo)?)
}

/// How long until `budget_remaining` (a fraction of the period's budget; 1 for all of it) is
/// spent at `burn_rate`: `remaining * period / burn_rate`. Infinite at a burn rate of 0.
pub fn time_to_exhaustion_seconds(
    budget_remaining: f64,
    burn_rate: f64,
    period_seconds: f64,
) -> Result<f64, Error> {
    check::non_negative("budget_remaining", budget_remaining)?;
    check::non_negative("burn_rate", burn_rate)?;
    check::positive("period", period_seconds)?;
    Ok(budget_remaining * period_seconds / burn_rate)
}

/// Who an alert goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Wake someone up.
    Page,
    /// File a ticket for working hours.
    Ticket,
}

impl Severity {
    /// `"page"` or `"ticket"`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Severity::Page => "page",
            Severity::Ticket => "ticket",
        }
    }
}

/// One multi-window, multi-burn-rate alerting rule: fire when the error rate over *both* the
/// long and the short window is above `error_rate`.
///
/// The long window makes the alert significant (it only fires once `budget_consumed` of the
/// budget is gone); the short window, a twelfth of the long one, makes it stop firing soon
/// after the problem does.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlertRule {
    /// Page or ticket.
    pub severity: Severity,
    /// The fraction of the period's budget spent when the long window first fires.
    pub budget_consumed: f64,
    /// The long window, seconds.
    pub long_window_seconds: f64,
    /// The short window, seconds.
    pub short_window_seconds: f64,
    /// The burn rate threshold.
    pub burn_rate: f64,
    /// The error-rate threshold: `burn_rate * (1 - SLO)`.
    pub error_rate: f64,
}

/// The workbook's recommended rules (the sixth approach of "Alerting on SLOs",
/// multiwindow multi-burn-rate alerts, tabled there for a 99.9% objective over 30 days):
/// page on 2% of the budget in 1 hour (burn rate 14.4) or 5% in 6 hours (6), ticket on 10%
/// in 3 days (1), each with a short window a twelfth of the long one. The burn rates are
/// derived from the period, so a 28-day period gives 13.44, 5.6 and 0.93.
pub fn workbook_alerts(slo: f64, period_seconds: f64) -> Result<[AlertRule; 3], Error> {
    const HOUR: f64 = 3600.0;
    error_budget(slo)?;
    if !(period_seconds.is_finite() && period_seconds >= 72.0 * HOUR) {
        return Err(Error::domain(
            "period",
            "must be at least 3 days, the longest alert window",
            period_seconds,
        ));
    }
    let rule = |severity, budget_consumed, long_window_seconds| -> Result<AlertRule, Error> {
        let burn_rate = burn_rate(budget_consumed, long_window_seconds, period_seconds)?;
        Ok(AlertRule {
            severity,
            budget_consumed,
            long_window_seconds,
            short_window_seconds: long_window_seconds / 12.0,
            burn_rate,
            error_rate: error_rate_at_burn_rate(burn_rate, slo)?,
        })
    };
    Ok([
        rule(Severity::Page, 0.02, HOUR)?,
        rule(Severity::Page, 0.05, 6.0 * HOUR)?,
        rule(Severity::Ticket, 0.10, 72.0 * HOUR)?,
    ])
}
