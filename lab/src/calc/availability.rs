//! `lab calc availability`, `downtime`, `nines`, `correlated` and `common-cause`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgGroup, Args};

use super::input::{self, Failure, List};
use super::report::{Report, Unit};
use super::{Calculator, Output};

/// Availability of a composed system: series, parallel, k-of-n, majority quorum, or one
/// component from its MTBF and MTTR.
#[derive(Debug, Args)]
#[command(group(
    ArgGroup::new("system")
        .required(true)
        .args(["series", "parallel", "k_of_n", "quorum", "mtbf"])
))]
pub(crate) struct AvailabilityArgs {
    /// Components that must all be up: comma-separated availabilities (0.9995,0.9999).
    #[arg(long, value_name = "A,B,...", value_parser = input::numbers)]
    series: Option<List>,
    /// Components of which any one suffices: comma-separated availabilities.
    #[arg(long, value_name = "A,B,...", value_parser = input::numbers)]
    parallel: Option<List>,
    /// At least K of N identical components must be up (with --component).
    #[arg(long, value_name = "K/N", value_parser = input::k_of_n, requires = "component")]
    k_of_n: Option<(u32, u32)>,
    /// A majority of N replicas must be up (with --component).
    #[arg(long, value_name = "N", value_parser = input::whole, requires = "component")]
    quorum: Option<u32>,
    /// Availability of each component, for --k-of-n and --quorum.
    #[arg(long, value_name = "A", value_parser = input::number)]
    component: Option<f64>,
    /// Mean time between failures, with a unit (30d) (with --mttr).
    #[arg(long, value_name = "DURATION", value_parser = input::duration, requires = "mttr")]
    mtbf: Option<Duration>,
    /// Mean time to repair, with a unit (4h).
    #[arg(long, value_name = "DURATION", value_parser = input::duration, requires = "mtbf")]
    mttr: Option<Duration>,
    #[command(flatten)]
    output: Output,
}

impl Calculator for AvailabilityArgs {
    fn output(&self) -> Output {
        self.output
    }

    fn compute(&self) -> Result<Report, Failure> {
        let component = || {
            self.component
                .expect("clap requires --component with --k-of-n and --quorum")
        };
        let (title, availability) = if let Some(List(list)) = &self.series {
            ("in series (all must be up)", formulas::series(list)?)
        } else if let Some(List(list)) = &self.parallel {
            ("in parallel (any one suffices)", formulas::parallel(list)?)
        } else if let Some((k, n)) = self.k_of_n {
            ("k of n", formulas::k_of_n(k, n, component())?)
        } else if let Some(n) = self.quorum {
            let quorum = formulas::majority_quorum(n, component())
                .map_err(|e| Failure::from_formula(&e, &[("k_of_n", "quorum")]))?;
            ("majority quorum", quorum)
        } else if let (Some(mtbf), Some(mttr)) = (self.mtbf, self.mttr) {
            (
                "from MTBF and MTTR",
                formulas::from_mtbf_mttr(mtbf.as_secs_f64(), mttr.as_secs_f64())?,
            )
        } else {
            unreachable!("clap requires one system, and --mtbf and --mttr together")
        };
        availability_report(&format!("Availability {title}"), availability)
    }
}

fn availability_report(title: &str, availability: f64) -> Result<Report, Failure> {
    Ok(Report::titled(title)
        .number("availability", availability, Unit::Availability)
        .number("unavailability", 1.0 - availability, Unit::Plain)
        .number("nines", formulas::nines(availability)?, Unit::Plain))
}

/// Downtime allowed by an availability (or a number of nines) over a period.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("target").required(true).args(["availability", "nines"])))]
pub(crate) struct DowntimeArgs {
    /// Availability or SLO, as a fraction: 0.999.
    #[arg(long, value_name = "A", value_parser = input::number)]
    availability: Option<f64>,
    /// Number of nines: 3 is 99.9%, 3.5 is 99.968%.
    #[arg(long, value_name = "N", value_parser = input::number)]
    nines: Option<f64>,
    /// The period: year (365 d), quarter (90 d), month (30 d), week, day, or a duration (28d).
    #[arg(long, value_name = "PERIOD", value_parser = input::period)]
    period: Duration,
    #[command(flatten)]
    output: Output,
}

impl Calculator for DowntimeArgs {
    fn output(&self) -> Output {
        self.output
    }

    fn compute(&self) -> Result<Report, Failure> {
        let availability = match (self.availability, self.nines) {
            (Some(availability), _) => availability,
            (None, Some(nines)) => formulas::availability_from_nines(nines)?,
            (None, None) => unreachable!("clap requires --availability or --nines"),
        };
        let period = self.period.as_secs_f64();
        let downtime = formulas::downtime_seconds(availability, period)?;
        Ok(Report::titled("Downtime allowed")
            .number("availability", availability, Unit::Availability)
            .number("period_seconds", period, Unit::Seconds)
            .number("downtime_seconds", downtime, Unit::Seconds))
    }
}

/// The availability, and nines, that a measured downtime over a period amounts to.
#[derive(Debug, Args)]
pub(crate) struct NinesArgs {
    /// Downtime, with a unit: 43m, 2h.
    #[arg(long, value_name = "DURATION", value_parser = input::duration)]
    downtime: Duration,
    /// The period: year, quarter, month, week, day, or a duration (28d).
    #[arg(long, value_name = "PERIOD", value_parser = input::period)]
    period: Duration,
    #[command(flatten)]
    output: Output,
}

impl Calculator for NinesArgs {
    fn output(&self) -> Output {
        self.output
    }

    fn compute(&self) -> Result<Report, Failure> {
        let (downtime, period) = (self.downtime.as_secs_f64(), self.period.as_secs_f64());
        let availability = formulas::availability_from_downtime(downtime, period)?;
        Ok(Report::titled("Availability achieved")
            .number("downtime_seconds", downtime, Unit::Seconds)
            .number("period_seconds", period, Unit::Seconds)
            .number("availability", availability, Unit::Availability)
            .number("nines", formulas::nines(availability)?, Unit::Plain))
    }
}

/// Two components whose outages are correlated: what is left of redundancy.
#[derive(Debug, Args)]
pub(crate) struct CorrelatedArgs {
    /// The two availabilities: A,B.
    #[arg(long, value_name = "A,B", value_parser = input::numbers)]
    availability: List,
    /// Correlation between the two components' down indicators, -1 to 1 (0 is independent).
    #[arg(long, value_name = "RHO", value_parser = input::number, allow_negative_numbers = true)]
    correlation: f64,
    /// Also draw availability against correlation to this SVG file.
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<PathBuf>,
    #[command(flatten)]
    output: Output,
}

impl Calculator for CorrelatedArgs {
    fn output(&self) -> Output {
        self.output
    }

    fn compute(&self) -> Result<Report, Failure> {
        let &[a1, a2] = self.availability.0.as_slice() else {
            return Err(Failure::Input(
                "--availability takes exactly two availabilities: A,B".to_owned(),
            ));
        };
        let pair = formulas::CorrelatedPair::new(a1, a2, self.correlation)?;
        let independent = formulas::CorrelatedPair::new(a1, a2, 0.0)?;
        let (lowest, highest) = formulas::CorrelatedPair::correlation_bounds(a1, a2);
        let mut report = Report::titled(format!(
            "Two components at {a1} and {a2}, outages correlated at {}",
            self.correlation
        ))
        .number(
            "both_down_probability",
            pair.both_down_probability(),
            Unit::Plain,
        )
        .number(
            "parallel_availability",
            pair.parallel_availability(),
            Unit::Availability,
        )
        .number(
            "series_availability",
            pair.series_availability(),
            Unit::Availability,
        )
        .number(
            "independent_parallel_availability",
            independent.parallel_availability(),
            Unit::Availability,
        )
        .number("correlation_min", lowest, Unit::Plain)
        .number("correlation_max", highest, Unit::Plain);
        if let Some(path) = &self.plot {
            input::write_plot(path, &formulas::correlation_chart(a1, a2)?)?;
            report = report.text("plot", path.display().to_string());
        }
        Ok(report)
    }
}

/// A k-of-n system under the beta-factor common-cause model.
#[derive(Debug, Args)]
pub(crate) struct CommonCauseArgs {
    /// At least K of N identical components must be up.
    #[arg(long, value_name = "K/N", value_parser = input::k_of_n)]
    k_of_n: (u32, u32),
    /// Availability of each component.
    #[arg(long, value_name = "A", value_parser = input::number)]
    component: f64,
    /// Fraction of each component's failures that take down all N at once.
    #[arg(long, value_name = "BETA", value_parser = input::number)]
    beta: f64,
    #[command(flatten)]
    output: Output,
}

impl Calculator for CommonCauseArgs {
    fn output(&self) -> Output {
        self.output
    }

    fn compute(&self) -> Result<Report, Failure> {
        let (k, n) = self.k_of_n;
        let availability = formulas::k_of_n_common_cause(k, n, self.component, self.beta)?;
        let independent = formulas::k_of_n(k, n, self.component)?;
        Ok(Report::titled(format!(
            "{k} of {n} at {} with {}% of failures common-cause",
            self.component,
            self.beta * 100.0
        ))
        .number("availability", availability, Unit::Availability)
        .number("independent_availability", independent, Unit::Availability)
        .number("nines", formulas::nines(availability)?, Unit::Plain))
    }
}
