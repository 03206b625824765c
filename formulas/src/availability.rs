//! Availability: composing components in series and in parallel, quorums, repair, nines, and
//! what correlated failures do to redundancy.
//!
//! An availability is the probability that a component is up, between 0 and 1. The
//! composition rules assume independent failures unless the function says otherwise; the
//! last two functions exist because that assumption is the one that fails in production.

use std::borrow::Cow;

use crate::Error;
use crate::error::check;

/// The most components a composition accepts. Large enough for any real topology, small
/// enough that the binomial sums stay exact in `f64`.
pub const COMPONENTS_MAX: usize = 10_000;

/// A system that is up only while every component is up: `A = A1 * A2 * ... * An`.
///
/// ```
/// // Azure's example: a web app (99.95%) that writes to SQL Database (99.99%) is 99.94%.
/// let composite = formulas::series(&[0.9995, 0.9999])?;
/// assert!((composite - 0.9994).abs() < 0.00001);
/// # Ok::<(), formulas::Error>(())
/// ```
pub fn series(availabilities: &[f64]) -> Result<f64, Error> {
    check_components("series", availabilities)?;
    Ok(availabilities.iter().product())
}

/// A system that is up while any component is up: `A = 1 - (1 - A1)(1 - A2)...(1 - An)`.
pub fn parallel(availabilities: &[f64]) -> Result<f64, Error> {
    check_components("parallel", availabilities)?;
    let all_down: f64 = availabilities.iter().map(|a| 1.0 - a).product();
    Ok(1.0 - all_down)
}

fn check_components(name: &'static str, availabilities: &[f64]) -> Result<(), Error> {
    if availabilities.is_empty() || availabilities.len() > COMPONENTS_MAX {
        return Err(Error::domain(
            name,
            format!("must list between 1 and {COMPONENTS_MAX} availabilities"),
            availabilities.len() as f64,
        ));
    }
    for &a in availabilities {
        check::probability(name, a)?;
    }
    Ok(())
}

/// A system of `n` identical, independent components that is up while at least `k` are up,
/// each with availability `component`: `A = sum over i >= k of C(n, i) a^i (1 - a)^(n - i)`.
///
/// The sum is taken over whichever tail is smaller and in log space, so it stays accurate for
/// availabilities with many nines and for `n` up to [`COMPONENTS_MAX`].
pub fn k_of_n(k: u32, n: u32, component: f64) -> Result<f64, Error> {
    check_k_of_n(k, n, component)?;
    Ok(at_least(k, n, component))
}

fn check_k_of_n(k: u32, n: u32, component: f64) -> Result<(), Error> {
    if n == 0 || n as usize > COMPONENTS_MAX {
        return Err(Error::domain(
            "k_of_n",
            format!("needs between 1 and {COMPONENTS_MAX} components"),
            f64::from(n),
        ));
    }
    if k == 0 || k > n {
        return Err(Error::domain(
            "k_of_n",
            "needs k between 1 and n",
            f64::from(k),
        ));
    }
    check::probability("component", component)?;
    Ok(())
}

/// `P(at least k of n up)` for valid arguments.
fn at_least(k: u32, n: u32, up: f64) -> f64 {
    // The endpoints make a log of zero; they have exact answers.
    if up <= 0.0 {
        return 0.0;
    }
    if up >= 1.0 {
        return 1.0;
    }
    let (ln_up, ln_down) = (up.ln(), (-up).ln_1p());
    let mut ln_choose = 0.0; // ln C(n, 0)
    let (mut below, mut at_or_above) = (0.0, 0.0);
    for i in 0..=n {
        if i > 0 {
            ln_choose += (f64::from(n - i + 1) / f64::from(i)).ln();
        }
        let term = (ln_choose + f64::from(i) * ln_up + f64::from(n - i) * ln_down).exp();
        if i < k {
            below += term;
        } else {
            at_or_above += term;
        }
    }
    // Return the tail that was summed directly when it is the small one: 1 - (1 - tiny)
    // would lose the nines.
    if at_or_above < below {
        at_or_above
    } else {
        1.0 - below
    }
}

/// A majority quorum of `n` replicas: up while more than half are up (`k = n/2 + 1`).
/// With an even `n` the extra replica adds a failure point without adding tolerance.
pub fn majority_quorum(n: u32, component: f64) -> Result<f64, Error> {
    k_of_n(n / 2 + 1, n, component)
}

/// Steady-state availability of a component that fails on average every `mtbf` and takes
/// `mttr` to repair: `A = MTBF / (MTBF + MTTR)`. Both in the same unit.
pub fn from_mtbf_mttr(mtbf: f64, mttr: f64) -> Result<f64, Error> {
    check::positive("mtbf", mtbf)?;
    check::non_negative("mttr", mttr)?;
    Ok(mtbf / (mtbf + mttr))
}

/// Downtime allowed over `period_seconds` at `availability`: `(1 - A) * period`.
pub fn downtime_seconds(availability: f64, period_seconds: f64) -> Result<f64, Error> {
    check::probability("availability", availability)?;
    check::positive("period", period_seconds)?;
    Ok((1.0 - availability) * period_seconds)
}

/// The availability that `downtime_seconds` of downtime in `period_seconds` amounts to.
pub fn availability_from_downtime(
    downtime_seconds: f64,
    period_seconds: f64,
) -> Result<f64, Error> {
    check::positive("period", period_seconds)?;
    check::non_negative("downtime", downtime_seconds)?;
    if downtime_seconds > period_seconds {
        return Err(Error::domain(
            "downtime",
            "cannot be longer than the period",
            downtime_seconds,
        ));
    }
    Ok(1.0 - downtime_seconds / period_seconds)
}

/// The number of nines in an availability: `-log10(1 - A)`, so 0.999 is 3. Infinite at 1.
pub fn nines(availability: f64) -> Result<f64, Error> {
    check::probability("availability", availability)?;
    Ok(-(1.0 - availability).log10())
}

/// The availability with `nines` nines: `1 - 10^-nines`, so 3 is 0.999 and 3.5 is 0.99968.
pub fn availability_from_nines(nines: f64) -> Result<f64, Error> {
    check::non_negative("nines", nines)?;
    Ok(1.0 - 10f64.powf(-nines))
}

/// Two components whose *down* indicators are correlated.
///
/// Let `D1`, `D2` be 1 while each component is down, with `P(Di = 1) = qi = 1 - Ai`. With a
/// Pearson correlation `rho` between `D1` and `D2`:
///
/// ```text
/// P(both down) = q1 q2 + rho * sqrt(q1 (1 - q1) q2 (1 - q2))
/// ```
///
/// `rho = 0` is the independence every textbook composition assumes; `rho = 1` with equal
/// availabilities means the two always fail together, and the "redundant" pair is no better
/// than one component. Not every `rho` in `[-1, 1]` is possible for given `q1`, `q2`:
/// `P(both down)` must lie between `max(0, q1 + q2 - 1)` and `min(q1, q2)`, and
/// [`CorrelatedPair::new`] refuses a correlation outside [`CorrelatedPair::correlation_bounds`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CorrelatedPair {
    down: [f64; 2],
    both_down: f64,
}

impl CorrelatedPair {
    /// A pair with availabilities `a1`, `a2` and a `correlation` between their outages.
    pub fn new(a1: f64, a2: f64, correlation: f64) -> Result<Self, Error> {
        check::probability("availability", a1)?;
        check::probability("availability", a2)?;
        if !(-1.0..=1.0).contains(&correlation) {
            return Err(Error::domain(
                "correlation",
                "must be between -1 and 1",
                correlation,
            ));
        }
        let (lowest, highest) = Self::correlation_bounds(a1, a2);
        if correlation < lowest || correlation > highest {
            return Err(Error::domain(
                "correlation",
                Cow::Owned(format!(
                    "must be between {lowest:.6} and {highest:.6} for these availabilities"
                )),
                correlation,
            ));
        }
        let down = [1.0 - a1, 1.0 - a2];
        let both_down =
            (down[0] * down[1] + correlation * spread(down)).clamp(0.0, down[0].min(down[1]));
        Ok(Self { down, both_down })
    }

    /// The range of correlations two components with these availabilities can have: the
    /// Fréchet bounds on `P(both down)`, expressed as correlations. `[-1, 1]` is narrowed
    /// whenever the availabilities differ or are not one half.
    #[must_use]
    pub fn correlation_bounds(a1: f64, a2: f64) -> (f64, f64) {
        let down = [1.0 - a1, 1.0 - a2];
        let spread = spread(down);
        if spread == 0.0 {
            // A component that is never down (or always down) has no variance: every
            // correlation describes the same pair.
            return (-1.0, 1.0);
        }
        let independent = down[0] * down[1];
        let lowest = ((down[0] + down[1] - 1.0).max(0.0) - independent) / spread;
        let highest = (down[0].min(down[1]) - independent) / spread;
        (lowest.max(-1.0), highest.min(1.0))
    }

    /// `P(both down)`.
    #[must_use]
    pub fn both_down_probability(&self) -> f64 {
        self.both_down
    }

    /// Availability of the two in parallel (up while either is up): `1 - P(both down)`.
    #[must_use]
    pub fn parallel_availability(&self) -> f64 {
        1.0 - self.both_down
    }

    /// Availability of the two in series (up while both are up):
    /// `1 - (q1 + q2 - P(both down))`.
    #[must_use]
    pub fn series_availability(&self) -> f64 {
        1.0 - (self.down[0] + self.down[1] - self.both_down)
    }
}

/// `sqrt(q1 (1 - q1) q2 (1 - q2))`: the product of the two indicators' standard deviations.
fn spread(down: [f64; 2]) -> f64 {
    (down[0] * (1.0 - down[0]) * down[1] * (1.0 - down[1])).sqrt()
}

/// A `k`-of-`n` system under the beta-factor common-cause model.
///
/// The beta-factor model (IEC 61508-6 annex D; NUREG/CR-5485) says a fraction `beta` of each
/// component's failures are common-cause: they take down all `n` components at once (a bad
/// deploy, a shared power feed, a poisoned config). The rest are independent. Here it is
/// applied to unavailabilities: with `q = 1 - component`, a common-cause event has
/// probability `qc = beta * q`, and each component's independent part `qi` is chosen so its
/// total unavailability stays exactly `q`: `qc + (1 - qc) qi = q`. To first order
/// `qi = (1 - beta) q`, the textbook split. Then
///
/// ```text
/// A = (1 - qc) * P(at least k of n up | each up with 1 - qi)
/// ```
///
/// `beta = 0` is [`k_of_n`]; `beta = 1` makes the system exactly as available as one
/// component, whatever `n` is.
pub fn k_of_n_common_cause(k: u32, n: u32, component: f64, beta: f64) -> Result<f64, Error> {
    check_k_of_n(k, n, component)?;
    check::probability("beta", beta)?;
    let down = 1.0 - component;
    let common = beta * down;
    if common >= 1.0 {
        return Ok(0.0);
    }
    let independent_down = (down - common) / (1.0 - common);
    Ok((1.0 - common) * at_least(k, n, 1.0 - independent_down))
}
