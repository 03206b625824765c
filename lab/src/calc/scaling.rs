//! `lab calc amdahl`, `gustafson` and `usl`.

use std::path::PathBuf;

use clap::{ArgGroup, Args};
use formulas::{Usl, UslFit};

use super::input::{self, Failure};
use super::report::{Report, Unit};
use super::{Calculator, Output};

/// Amdahl's law: the speedup of a fixed job on N processors.
#[derive(Debug, Args)]
pub(crate) struct AmdahlArgs {
    /// Fraction of the single-processor run time that parallelises.
    #[arg(long, value_name = "P", value_parser = input::number)]
    parallel_fraction: f64,
    /// Number of processors (or nodes).
    #[arg(long, value_name = "N", value_parser = input::number)]
    processors: f64,
    #[command(flatten)]
    output: Output,
}

impl Calculator for AmdahlArgs {
    fn output(&self) -> Output {
        self.output
    }

    fn compute(&self) -> Result<Report, Failure> {
        Ok(Report::titled("Amdahl's law")
            .number(
                "speedup",
                formulas::amdahl_speedup(self.parallel_fraction, self.processors)?,
                Unit::Plain,
            )
            .number(
                "limit_speedup",
                formulas::amdahl_limit(self.parallel_fraction)?,
                Unit::Plain,
            ))
    }
}

/// Gustafson's law: the scaled speedup when the job grows with the machine.
#[derive(Debug, Args)]
pub(crate) struct GustafsonArgs {
    /// Fraction of the run time on the parallel machine spent in parallel work.
    #[arg(long, value_name = "P", value_parser = input::number)]
    parallel_fraction: f64,
    /// Number of processors (or nodes).
    #[arg(long, value_name = "N", value_parser = input::number)]
    processors: f64,
    #[command(flatten)]
    output: Output,
}

impl Calculator for GustafsonArgs {
    fn output(&self) -> Output {
        self.output
    }

    fn compute(&self) -> Result<Report, Failure> {
        Ok(Report::titled("Gustafson's law").number(
            "scaled_speedup",
            formulas::gustafson_speedup(self.parallel_fraction, self.processors)?,
            Unit::Plain,
        ))
    }
}

/// The Universal Scalability Law: fit it to measurements, or evaluate given coefficients.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("model").required(true).args(["fit", "alpha"])))]
pub(crate) struct UslArgs {
    /// Fit to measurements: a CSV file of N,X lines (concurrency, throughput), header optional.
    #[arg(long, value_name = "FILE")]
    fit: Option<PathBuf>,
    /// Draw the fitted curve and the measured points to this SVG file (with --fit).
    #[arg(long, value_name = "FILE.svg", requires = "fit")]
    plot: Option<PathBuf>,
    /// Contention coefficient, 0 to 1 (with --beta and --gamma, instead of --fit).
    #[arg(long, value_parser = input::number, requires_all = ["beta", "gamma"], conflicts_with = "fit")]
    alpha: Option<f64>,
    /// Coherency coefficient, 0 to 1.
    #[arg(long, value_parser = input::number, requires = "alpha")]
    beta: Option<f64>,
    /// Throughput at concurrency 1.
    #[arg(long, value_parser = input::number, requires = "alpha")]
    gamma: Option<f64>,
    /// Also report throughput and response time at this concurrency.
    #[arg(long, value_name = "N", value_parser = positive)]
    concurrency: Option<f64>,
    /// Also report the concurrency and throughput at this mean response time, in the
    /// measurements' time unit (X(R) = N(R) / R, by Little's law with no think time).
    #[arg(long, value_name = "R", value_parser = input::number)]
    response_time: Option<f64>,
    #[command(flatten)]
    output: Output,
}

fn positive(text: &str) -> Result<f64, String> {
    let value = input::number(text)?;
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err("must be a finite number above 0".to_owned())
    }
}

impl Calculator for UslArgs {
    fn output(&self) -> Output {
        self.output
    }

    fn compute(&self) -> Result<Report, Failure> {
        let (mut report, usl) = match (&self.fit, self.alpha, self.beta, self.gamma) {
            (Some(path), ..) => {
                let (fit, points) = fit_file(path)?;
                if let Some(plot) = &self.plot {
                    let title = format!("USL fit of {}", file_name(path));
                    input::write_plot(plot, &formulas::usl_chart(&title, &fit, &points))?;
                }
                (fit_report(path, &fit), fit.model)
            }
            (None, Some(alpha), Some(beta), Some(gamma)) => {
                let usl = Usl::new(alpha, beta, gamma)?;
                let report = Report::titled("Universal Scalability Law")
                    .number("alpha", alpha, Unit::Plain)
                    .number("beta", beta, Unit::Plain)
                    .number("gamma", gamma, Unit::Plain);
                (report, usl)
            }
            _ => unreachable!("clap requires --fit, or --alpha with --beta and --gamma"),
        };
        report = report
            .maybe("peak_n", usl.peak_n(), Unit::Plain)
            .maybe("peak_throughput", usl.peak_throughput(), Unit::Plain)
            .maybe("optimal_n", usl.optimal_n(), Unit::Plain)
            .maybe("optimal_throughput", usl.optimal_throughput(), Unit::Plain)
            .maybe("limit_throughput", usl.limit_throughput(), Unit::Plain);
        if let Some(n) = self.concurrency {
            report = report
                .number("concurrency", n, Unit::Plain)
                .number("throughput", usl.throughput(n), Unit::Plain)
                .number(
                    "response_time_at_concurrency",
                    usl.response_time(n),
                    Unit::Plain,
                );
        }
        if let Some(r) = self.response_time {
            report = report
                .number("response_time", r, Unit::Plain)
                .number(
                    "concurrency_at_response_time",
                    usl.concurrency_at_response_time(r)?,
                    Unit::Plain,
                )
                .number(
                    "throughput_at_response_time",
                    usl.throughput_at_response_time(r)?,
                    Unit::Plain,
                );
        }
        if let Some(plot) = &self.plot {
            report = report.text("plot", plot.display().to_string());
        }
        Ok(report)
    }
}

/// Reads and fits a CSV file, with errors naming `--fit`, the file and the line.
fn fit_file(path: &std::path::Path) -> Result<(UslFit, Vec<formulas::Point>), Failure> {
    let text = input::read("--fit", path)?;
    let in_file =
        |error: formulas::Error| Failure::Input(format!("--fit {}: {error}", path.display()));
    let points = formulas::parse_points(&text).map_err(in_file)?;
    let fit = formulas::fit_usl(&points).map_err(in_file)?;
    Ok((fit, points))
}

fn fit_report(path: &std::path::Path, fit: &UslFit) -> Report {
    let errors = fit.std_errors;
    Report::titled(format!(
        "USL fit of {} ({} points)",
        file_name(path),
        fit.points
    ))
    .number("alpha", fit.model.alpha(), Unit::Plain)
    .number("beta", fit.model.beta(), Unit::Plain)
    .number("gamma", fit.model.gamma(), Unit::Plain)
    .maybe("alpha_std_error", errors.map(|e| e.alpha), Unit::Plain)
    .maybe("beta_std_error", errors.map(|e| e.beta), Unit::Plain)
    .maybe("gamma_std_error", errors.map(|e| e.gamma), Unit::Plain)
    .maybe("residual_std_error", fit.residual_std_error, Unit::Plain)
    .count("points", fit.points as u64)
    .count("iterations", fit.iterations as u64)
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}
