//! Fitting the Universal Scalability Law to measurements: bounded non-linear least squares.
//!
//! The model `X(N) = gamma N / (1 + alpha (N - 1) + beta N (N - 1))` is fitted to points
//! `(N, X)` by Levenberg-Marquardt with Marquardt's scaling and Nielsen's damping update (on
//! the full Hessian, so noisy measurements converge as fast as clean ones), projected onto the
//! box `0 <= alpha <= 1`, `0 <= beta <= 1`, `gamma > 0`: a coefficient that wants to leave the
//! box is held at its bound (it joins the *active set*) and the step is solved for the others. These are the bounds and the starting point of the R `usl` package, whose
//! published outputs the tests reproduce. Standard errors come from the Jacobian at the
//! solution, `sqrt(diag((J^T J)^-1) * RSS / (n - 3))`, as R's `nls` and `usl` compute them.

use crate::linalg::{self, Matrix};
use crate::{Error, Usl};

/// The most points a fit accepts (and a file of measurements may hold).
pub const POINTS_MAX: usize = 100_000;

/// The most Levenberg-Marquardt iterations a fit may take. The published data sets converge
/// in about ten.
pub const ITERATIONS_MAX: usize = 1_000;

/// The model's three coefficients.
const PARAMETERS: usize = 3;
/// Bounds on `[alpha, beta, gamma]`, the order of the coefficient vectors below. Gamma's
/// lower bound is open (see `project`).
const LOWER: [f64; PARAMETERS] = [0.0, 0.0, 0.0];
const UPPER: [f64; PARAMETERS] = [1.0, 1.0, f64::INFINITY];
/// Gamma's index.
const GAMMA: usize = 2;

/// The damping grows after each rejected step; past this no step can reduce the residuals,
/// so the fit is at a minimum to the precision of `f64`.
const DAMPING_MAX: f64 = 1e16;
/// The damping never falls below this, so it can always grow back.
const DAMPING_MIN: f64 = 1e-15;
/// A step that lowers the residual sum of squares by less than this fraction ends the fit.
const REDUCTION_MIN: f64 = 1e-15;

/// One measurement: throughput `throughput` at concurrency (or node count) `n`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Concurrency, load or number of nodes. Above 0.
    pub n: f64,
    /// Throughput at that concurrency. At or above 0.
    pub throughput: f64,
}

/// Standard errors of the three coefficients.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StdErrors {
    /// Of `alpha`.
    pub alpha: f64,
    /// Of `beta`.
    pub beta: f64,
    /// Of `gamma`.
    pub gamma: f64,
}

/// A fitted model and how well it fits.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct UslFit {
    /// The fitted coefficients.
    pub model: Usl,
    /// Standard errors of the coefficients. `None` with exactly three points (no degrees of
    /// freedom are left to estimate the noise) or when the coefficients cannot be told apart.
    pub std_errors: Option<StdErrors>,
    /// `sqrt(RSS / (n - 3))`, the typical distance of a point from the curve. `None` with
    /// exactly three points.
    pub residual_std_error: Option<f64>,
    /// The residual sum of squares.
    pub residual_sum_of_squares: f64,
    /// The number of points fitted.
    pub points: usize,
    /// Levenberg-Marquardt iterations taken.
    pub iterations: usize,
}

/// Fits the USL to `points`.
///
/// Needs at least three points with distinct `n` (three coefficients), and throughput above
/// zero somewhere.
///
/// ```
/// use formulas::{Point, fit_usl};
///
/// // The R usl package's own test (tests/coef.R): the fit recovers alpha = beta = 0.02.
/// let data = [(1.0, 1.0), (2.0, 1.8868), (4.0, 3.0769), (6.0, 3.5294), (8.0, 3.5398), (10.0, 3.3557)];
/// let points: Vec<Point> = data.iter().map(|&(n, throughput)| Point { n, throughput }).collect();
/// let fit = fit_usl(&points)?;
/// assert!((fit.model.alpha() - 0.02).abs() < 0.0005);
/// assert!((fit.model.beta() - 0.02).abs() < 0.0005);
/// # Ok::<(), formulas::Error>(())
/// ```
pub fn fit_usl(points: &[Point]) -> Result<UslFit, Error> {
    check_points(points)?;
    let start = start(points)?;
    let (coefficients, cost, iterations) = minimise(points, start)?;
    let [alpha, beta, gamma] = coefficients;
    let model = Usl::new(alpha, beta, gamma)?;
    let degrees_of_freedom = points.len() - PARAMETERS;
    let (std_errors, residual_std_error) = if degrees_of_freedom == 0 {
        (None, None)
    } else {
        let variance = cost / degrees_of_freedom as f64;
        let std_errors =
            linalg::invert(&local(points, coefficients).gauss_newton).map(|inverse| StdErrors {
                alpha: (inverse[0][0] * variance).sqrt(),
                beta: (inverse[1][1] * variance).sqrt(),
                gamma: (inverse[2][2] * variance).sqrt(),
            });
        (std_errors, Some(variance.sqrt()))
    };
    Ok(UslFit {
        model,
        std_errors,
        residual_std_error,
        residual_sum_of_squares: cost,
        points: points.len(),
        iterations,
    })
}

fn check_points(points: &[Point]) -> Result<(), Error> {
    if points.len() > POINTS_MAX {
        return Err(Error::TooManyPoints { max: POINTS_MAX });
    }
    for point in points {
        if !(point.n.is_finite() && point.n > 0.0) {
            return Err(Error::domain(
                "n",
                "must be a finite number above 0",
                point.n,
            ));
        }
        if !(point.throughput.is_finite() && point.throughput >= 0.0) {
            return Err(Error::domain(
                "throughput",
                "must be a finite number at or above 0",
                point.throughput,
            ));
        }
    }
    let mut distinct: Vec<f64> = points.iter().map(|p| p.n).collect();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    if distinct.len() < PARAMETERS {
        return Err(Error::TooFewPoints {
            needed: PARAMETERS,
            got: distinct.len(),
        });
    }
    Ok(())
}

/// The R usl package's starting point: `gamma = max(X / N)`, the best per-unit throughput
/// seen, with small contention and coherency.
fn start(points: &[Point]) -> Result<[f64; PARAMETERS], Error> {
    let gamma = points
        .iter()
        .map(|p| p.throughput / p.n)
        .fold(0.0, f64::max);
    if gamma <= 0.0 {
        return Err(Error::Arguments(
            "every throughput is zero: there is nothing to fit",
        ));
    }
    Ok([0.01, 0.0001, gamma])
}

/// Projected Levenberg-Marquardt with Nielsen's damping update. Returns the coefficients,
/// the residual sum of squares and the iterations taken.
fn minimise(
    points: &[Point],
    mut coefficients: [f64; PARAMETERS],
) -> Result<([f64; PARAMETERS], f64, usize), Error> {
    let mut cost = residual_sum_of_squares(points, coefficients);
    let mut damping = 1e-3;
    let mut growth = 2.0;
    for iteration in 1..=ITERATIONS_MAX {
        let here = local(points, coefficients);
        let free = free_coefficients(coefficients, here.gradient);
        if free.is_empty() {
            return Ok((coefficients, cost, iteration));
        }
        // Raise the damping until a step lowers the residuals, or give up: then no step
        // can, and this is the minimum.
        let (next, next_cost) = loop {
            if damping > DAMPING_MAX {
                return Ok((coefficients, cost, iteration));
            }
            let candidate = step(&here, &free, damping)
                .map(|delta| project(coefficients, &free, delta))
                .filter(|&next| moved(coefficients, next));
            if let Some(next) = candidate {
                let next_cost = residual_sum_of_squares(points, next);
                let predicted = predicted_reduction(&here, coefficients, next);
                if next_cost < cost && predicted > 0.0 {
                    // How well the local quadratic model predicted the step: near 1, trust it
                    // more (less damping); near 0, less.
                    let gain = (cost - next_cost) / predicted;
                    damping = (damping * (1.0 - (2.0 * gain - 1.0).powi(3)).max(1.0 / 3.0))
                        .max(DAMPING_MIN);
                    growth = 2.0;
                    break (next, next_cost);
                }
            }
            damping *= growth;
            growth *= 2.0;
        };
        let reduction = (cost - next_cost) / cost.max(f64::MIN_POSITIVE);
        coefficients = next;
        cost = next_cost;
        if reduction < REDUCTION_MIN {
            return Ok((coefficients, cost, iteration));
        }
    }
    Err(Error::Unreachable {
        what: "the fit did not converge in the iterations allowed",
        bound: ITERATIONS_MAX as u64,
    })
}

/// The fall in the residual sum of squares the local quadratic model predicts for the step
/// from `from` to `to`: `2 g.d - d.H.d`.
fn predicted_reduction(here: &Local, from: [f64; PARAMETERS], to: [f64; PARAMETERS]) -> f64 {
    let d: [f64; PARAMETERS] = std::array::from_fn(|j| to[j] - from[j]);
    let mut curvature = 0.0;
    let mut slope = 0.0;
    for (i, row) in here.hessian.iter().enumerate() {
        slope += here.gradient[i] * d[i];
        curvature += d[i] * row.iter().zip(d).map(|(h, dj)| h * dj).sum::<f64>();
    }
    2.0 * slope - curvature
}

/// The coefficients free to move: those not held at a bound by a gradient pushing past it.
/// `gradient` is `J^T r`, the direction in which the residuals fall.
fn free_coefficients(coefficients: [f64; PARAMETERS], gradient: [f64; PARAMETERS]) -> Vec<usize> {
    (0..PARAMETERS)
        .filter(|&j| {
            let held_low = coefficients[j] <= LOWER[j] && gradient[j] <= 0.0;
            let held_high = coefficients[j] >= UPPER[j] && gradient[j] >= 0.0;
            !(held_low || held_high)
        })
        .collect()
}

/// Solves `(H + damping diag(J^T J)) delta = g` over the free coefficients. `None` when the
/// damped system is singular or not positive on its diagonal: more damping is needed.
fn step(here: &Local, free: &[usize], damping: f64) -> Option<[f64; PARAMETERS]> {
    let mut reduced = [[0.0; 3]; 3];
    let mut rhs = [0.0; 3];
    for (i, &row) in free.iter().enumerate() {
        for (j, &column) in free.iter().enumerate() {
            reduced[i][j] = here.hessian[row][column];
        }
        reduced[i][i] += damping * here.gauss_newton[row][row];
        rhs[i] = here.gradient[row];
    }
    linalg::solve(&reduced, &rhs, free.len())
}

/// Applies a reduced step to the free coefficients and clamps alpha and beta into their
/// bounds. Gamma's bound is open: at `gamma = 0` the model is zero whatever alpha and beta
/// are, their derivatives vanish and the fit could never leave, so a step may shrink gamma
/// at most tenfold instead of reaching zero.
fn project(
    coefficients: [f64; PARAMETERS],
    free: &[usize],
    delta: [f64; PARAMETERS],
) -> [f64; PARAMETERS] {
    let mut next = coefficients;
    for (i, &j) in free.iter().enumerate() {
        let moved = coefficients[j] + delta[i];
        next[j] = if j == GAMMA {
            moved.max(coefficients[j] / 10.0)
        } else {
            moved.clamp(LOWER[j], UPPER[j])
        };
    }
    next
}

/// Whether any coefficient changed: a step can vanish below the coefficients' precision.
fn moved(from: [f64; PARAMETERS], to: [f64; PARAMETERS]) -> bool {
    from.iter().zip(to).any(|(a, b)| (a - b).abs() > 0.0)
}

/// `sum (X_i - f(N_i))^2`.
fn residual_sum_of_squares(points: &[Point], [alpha, beta, gamma]: [f64; PARAMETERS]) -> f64 {
    points
        .iter()
        .map(|p| {
            let residual = p.throughput - model(p.n, alpha, beta, gamma);
            residual * residual
        })
        .sum()
}

/// The fit's local picture at some coefficients.
struct Local {
    /// `J^T J`, with `J` the Jacobian of the model (not of the residuals):
    /// `df/dalpha = -gamma N (N - 1) / D^2`, `df/dbeta = -gamma N^2 (N - 1) / D^2`,
    /// `df/dgamma = N / D`. Its inverse scales the standard errors, and its diagonal scales
    /// the damping.
    gauss_newton: Matrix,
    /// Half the Hessian of the residual sum of squares: `J^T J - sum r_i H(f_i)`. Gauss-Newton
    /// drops the second term, which is harmless when the residuals are small and makes
    /// convergence crawl when they are not (noisy measurements); keeping it gives Newton's
    /// quadratic convergence near the minimum.
    hessian: Matrix,
    /// `J^T r`: the direction in which the residuals fall.
    gradient: [f64; PARAMETERS],
}

fn local(points: &[Point], [alpha, beta, gamma]: [f64; PARAMETERS]) -> Local {
    let mut gauss_newton = [[0.0; 3]; 3];
    let mut curvature = [[0.0; 3]; 3];
    let mut gradient = [0.0; 3];
    for p in points {
        let n = p.n;
        // The denominator and its partial derivatives in alpha and beta.
        let (a, b) = (n - 1.0, n * (n - 1.0));
        let d = 1.0 + alpha * a + beta * b;
        let first = [-gamma * n * a / (d * d), -gamma * n * b / (d * d), n / d];
        let twice = 2.0 * gamma * n / (d * d * d);
        let second = [
            [twice * a * a, twice * a * b, -n * a / (d * d)],
            [twice * a * b, twice * b * b, -n * b / (d * d)],
            [-n * a / (d * d), -n * b / (d * d), 0.0],
        ];
        let residual = p.throughput - model(n, alpha, beta, gamma);
        for i in 0..PARAMETERS {
            gradient[i] += first[i] * residual;
            for j in 0..PARAMETERS {
                gauss_newton[i][j] += first[i] * first[j];
                curvature[i][j] += residual * second[i][j];
            }
        }
    }
    let mut hessian = gauss_newton;
    for (row, curvature_row) in hessian.iter_mut().zip(curvature) {
        for (entry, c) in row.iter_mut().zip(curvature_row) {
            *entry -= c;
        }
    }
    Local {
        gauss_newton,
        hessian,
        gradient,
    }
}

/// `X(N)`, as [`Usl::throughput`], for coefficients the search has not validated yet.
fn model(n: f64, alpha: f64, beta: f64, gamma: f64) -> f64 {
    gamma * n / (1.0 + alpha * (n - 1.0) + beta * n * (n - 1.0))
}

/// Reads measurements as CSV: one `N,X` pair per line.
///
/// A first line that is not numeric (`N,X`, `load,throughput`) is taken as a header. Blank
/// lines and everything after a `#` are ignored, so a file can cite its source. Any other line
/// that is not two numbers, `N > 0` and `X >= 0`, is an error naming its line number.
pub fn parse_points(text: &str) -> Result<Vec<Point>, Error> {
    let mut points = Vec::new();
    let mut first = true;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let content = raw.split('#').next().unwrap_or_default().trim();
        if content.is_empty() {
            continue;
        }
        let fields: Vec<&str> = content.split(',').map(str::trim).collect();
        let is_header =
            first && fields.len() == 2 && fields.iter().all(|field| field.parse::<f64>().is_err());
        first = false;
        if is_header {
            continue;
        }
        let point = parse_row(&fields).map_err(|reason| Error::Csv { line, reason })?;
        if points.len() == POINTS_MAX {
            return Err(Error::TooManyPoints { max: POINTS_MAX });
        }
        points.push(point);
    }
    Ok(points)
}

fn parse_row(fields: &[&str]) -> Result<Point, String> {
    let [n, throughput] = fields else {
        return Err(format!(
            "expected two comma-separated values, N and X, found {}",
            fields.len()
        ));
    };
    let number = |field: &str| {
        field
            .parse::<f64>()
            .map_err(|_| format!("\"{field}\" is not a number"))
    };
    let (n, throughput) = (number(n)?, number(throughput)?);
    if !(n.is_finite() && n > 0.0) {
        return Err(format!("N must be a finite number above 0, got {n}"));
    }
    if !(throughput.is_finite() && throughput >= 0.0) {
        return Err(format!(
            "X must be a finite number at or above 0, got {throughput}"
        ));
    }
    Ok(Point { n, throughput })
}
