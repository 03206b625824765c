//! Scaling laws: Amdahl's, Gustafson's, and Gunther's Universal Scalability Law.

use crate::Error;
use crate::error::check;

/// Amdahl's law: the speedup of a fixed-size job on `processors` when a `parallel_fraction`
/// of its single-processor time parallelises perfectly: `S = 1 / ((1 - p) + p / N)`.
///
/// It tends to `1 / (1 - p)` ([`amdahl_limit`]): a job that is 95% parallel never runs more
/// than 20 times faster.
pub fn amdahl_speedup(parallel_fraction: f64, processors: f64) -> Result<f64, Error> {
    check::probability("parallel_fraction", parallel_fraction)?;
    check_processors(processors)?;
    Ok(1.0 / ((1.0 - parallel_fraction) + parallel_fraction / processors))
}

/// The speedup Amdahl's law allows with unlimited processors: `1 / (1 - p)`. Infinite when
/// the job is entirely parallel.
pub fn amdahl_limit(parallel_fraction: f64) -> Result<f64, Error> {
    check::probability("parallel_fraction", parallel_fraction)?;
    Ok(1.0 / (1.0 - parallel_fraction))
}

/// Gustafson's law (scaled speedup): when the job grows with the machine so that the run time
/// stays fixed, and a `parallel_fraction` of the time *on the parallel machine* is parallel
/// work, `S = (1 - p) + p N`, equivalently `N + (1 - N) s` with `s = 1 - p`.
///
/// Amdahl and Gustafson answer different questions (fixed work against fixed time); neither
/// contradicts the other.
pub fn gustafson_speedup(parallel_fraction: f64, processors: f64) -> Result<f64, Error> {
    check::probability("parallel_fraction", parallel_fraction)?;
    check_processors(processors)?;
    Ok((1.0 - parallel_fraction) + parallel_fraction * processors)
}

fn check_processors(processors: f64) -> Result<(), Error> {
    if processors.is_finite() && processors >= 1.0 {
        Ok(())
    } else {
        Err(Error::domain(
            "processors",
            "must be a finite number at or above 1",
            processors,
        ))
    }
}

/// The Universal Scalability Law (Gunther, *Guerrilla Capacity Planning*, 2007):
///
/// ```text
/// X(N) = gamma N / (1 + alpha (N - 1) + beta N (N - 1))
/// ```
///
/// `X` is throughput at concurrency (or node count) `N`. `gamma` is the throughput of one
/// unit, `alpha` the contention (the serial fraction: queueing on a shared resource), and
/// `beta` the coherency delay (pairwise crosstalk: keeping `N` copies consistent costs
/// `N (N - 1)`). With `beta = 0` it is Amdahl's law; with `beta > 0` throughput peaks and
/// then *falls* as `N` grows.
///
/// ```
/// // The R usl package's fit of the SPEC SDM91 benchmark (its README).
/// let usl = formulas::Usl::new(0.0277285, 0.0001044, 89.9952330)?;
/// assert_eq!(usl.peak_n().map(f64::round), Some(97.0));
/// assert_eq!(usl.limit_throughput().map(f64::round), Some(3246.0));
/// # Ok::<(), formulas::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Usl {
    alpha: f64,
    beta: f64,
    gamma: f64,
}

impl Usl {
    /// A model with contention `alpha` in `[0, 1]`, coherency `beta` in `[0, 1]` and
    /// single-unit throughput `gamma` above 0.
    pub fn new(alpha: f64, beta: f64, gamma: f64) -> Result<Self, Error> {
        check::probability("alpha", alpha)?;
        check::probability("beta", beta)?;
        check::positive("gamma", gamma)?;
        Ok(Self { alpha, beta, gamma })
    }

    /// Contention.
    #[must_use]
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// Coherency delay.
    #[must_use]
    pub fn beta(&self) -> f64 {
        self.beta
    }

    /// Throughput at `N = 1`.
    #[must_use]
    pub fn gamma(&self) -> f64 {
        self.gamma
    }

    /// `X(N)`.
    #[must_use]
    pub fn throughput(&self, n: f64) -> f64 {
        self.gamma * n / self.denominator(n)
    }

    /// `1 + alpha (N - 1) + beta N (N - 1)`: how many times slower each unit of work is at
    /// concurrency `N` than alone.
    fn denominator(&self, n: f64) -> f64 {
        1.0 + self.alpha * (n - 1.0) + self.beta * n * (n - 1.0)
    }

    /// `R(N) = N / X(N) = (1 + alpha (N - 1) + beta N (N - 1)) / gamma`: the mean response
    /// time at concurrency `N` with no think time, by Little's law (`N = X R`).
    #[must_use]
    pub fn response_time(&self, n: f64) -> f64 {
        self.denominator(n) / self.gamma
    }

    /// `N* = sqrt((1 - alpha) / beta)`, where throughput peaks (Gunther eq. 4.33). `None`
    /// when `beta = 0`: throughput then rises for ever towards [`Usl::limit_throughput`].
    #[must_use]
    pub fn peak_n(&self) -> Option<f64> {
        (self.beta > 0.0).then(|| ((1.0 - self.alpha) / self.beta).sqrt())
    }

    /// `X(N*)`, the highest throughput the system reaches.
    #[must_use]
    pub fn peak_throughput(&self) -> Option<f64> {
        self.peak_n().map(|n| self.throughput(n))
    }

    /// `1 / alpha`: where linear scaling `gamma N` meets the Amdahl ceiling `gamma / alpha`,
    /// the R usl package's "optimal" load. `None` when `alpha = 0`.
    #[must_use]
    pub fn optimal_n(&self) -> Option<f64> {
        (self.alpha > 0.0).then(|| 1.0 / self.alpha)
    }

    /// `X(1 / alpha)`.
    #[must_use]
    pub fn optimal_throughput(&self) -> Option<f64> {
        self.optimal_n().map(|n| self.throughput(n))
    }

    /// `gamma / alpha`: the Amdahl asymptote, the throughput contention alone would allow
    /// with unlimited concurrency. `None` when `alpha = 0`.
    #[must_use]
    pub fn limit_throughput(&self) -> Option<f64> {
        (self.alpha > 0.0).then(|| self.gamma / self.alpha)
    }

    /// The concurrency `N(R)` at which the mean response time is `response_time`: the
    /// inverse of [`Usl::response_time`].
    ///
    /// `gamma R = 1 + alpha (N - 1) + beta N (N - 1)` is the quadratic
    ///
    /// ```text
    /// beta N^2 + (alpha - beta) N + (1 - alpha - gamma R) = 0
    /// ```
    ///
    /// whose positive root is
    ///
    /// ```text
    /// N(R) = (beta - alpha + sqrt(alpha^2 + beta^2 + 2 beta (2 gamma R + alpha - 2))) / (2 beta)
    /// ```
    ///
    /// `R(N)` rises monotonically for `N >= 1` (its slope is `(alpha - beta + 2 beta N) /
    /// gamma > 0`), so the root is unique. It is evaluated in the form that avoids
    /// cancellation, which also covers `beta = 0` (`N = (gamma R - 1 + alpha) / alpha`).
    /// `response_time` must be at least `R(1) = 1 / gamma`.
    pub fn concurrency_at_response_time(&self, response_time: f64) -> Result<f64, Error> {
        check::positive("response_time", response_time)?;
        let floor = self.response_time(1.0);
        if response_time < floor * (1.0 - 1e-12) {
            return Err(Error::domain(
                "response_time",
                format!("must be at least the response time at concurrency 1, 1/gamma = {floor}"),
                response_time,
            ));
        }
        let (a, b) = (self.beta, self.alpha - self.beta);
        let c = (1.0 - self.alpha - self.gamma * response_time).min(0.0);
        if a == 0.0 && b == 0.0 {
            return Err(Error::Arguments(
                "with `alpha` = `beta` = 0 the response time is 1/`gamma` at every \
                 concurrency, so it does not determine the concurrency",
            ));
        }
        let root = (b * b - 4.0 * a * c).sqrt();
        let n = if b >= 0.0 {
            -2.0 * c / (b + root)
        } else {
            (-b + root) / (2.0 * a)
        };
        Ok(n.max(1.0))
    }

    /// The throughput `X(R)` at which the mean response time is `response_time`.
    ///
    /// By Little's law with no think time, `X = N / R`, so this is
    /// [`Usl::concurrency_at_response_time`] divided by `R`:
    ///
    /// ```text
    /// X(R) = (sqrt(alpha^2 + beta^2 + 2 beta (2 gamma R + alpha - 2)) + beta - alpha) / (2 beta R)
    /// ```
    ///
    /// **The sign.** Schwartz, *Practical Scalability Analysis with the Universal
    /// Scalability Law* (2015), prints `X(R)` with `- beta + alpha` (in its
    /// notation `- kappa + sigma`) after the square root, while its own equation for `N(R)`
    /// has `kappa - sigma`; ports that follow the book (for example the Go `usl` package's
    /// `ThroughputAtLatency`) carry the flipped sign. The two cannot both hold: `X = N / R`.
    /// At `R = 1/gamma` the root is `alpha + beta`, so the form here gives `X = gamma` (one
    /// unit of concurrency, as it must), while the printed form gives `alpha gamma / beta`.
    /// The error vanishes when `alpha = beta`, which is why a test with equal coefficients
    /// does not catch it. The tests check this function against Little's law instead.
    pub fn throughput_at_response_time(&self, response_time: f64) -> Result<f64, Error> {
        Ok(self.concurrency_at_response_time(response_time)? / response_time)
    }
}
