//! `lab calc`: the `formulas` crate at the command line.
//!
//! Every calculator prints aligned `key  value` lines for people, or with `--json` exactly one
//! JSON object with the same `snake_case` keys. Bad input (a value out of range, a malformed
//! CSV line, an overloaded queue) is reported on stderr naming the flag, file or line, with
//! exit code 2; a plot that cannot be written exits 1.

mod availability;
mod cost;
mod input;
mod latency;
mod queueing;
mod report;
mod scaling;
mod slo;

use std::process::ExitCode;

use clap::{Args, Subcommand};

use self::input::Failure;
use self::report::Report;

/// The `lab calc` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Round-trip floor over a distance, in vacuum and in fibre.
    Rtt(latency::RttArgs),
    /// Bandwidth-delay product: the window that fills a link.
    Bdp(latency::BdpArgs),
    /// Availability in series, in parallel, k-of-n, as a majority quorum, or from MTBF/MTTR.
    Availability(availability::AvailabilityArgs),
    /// Downtime allowed by an availability or a number of nines over a period.
    Downtime(availability::DowntimeArgs),
    /// Availability and nines from a measured downtime over a period.
    Nines(availability::NinesArgs),
    /// Two components with correlated outages: what is left of redundancy.
    Correlated(availability::CorrelatedArgs),
    /// k-of-n availability under the beta-factor common-cause model.
    CommonCause(availability::CommonCauseArgs),
    /// Little's law: give two of L, lambda, W; get the third.
    Little(queueing::LittleArgs),
    /// The M/M/1 queue: utilization, queue length, response time and its percentiles.
    Mm1(queueing::Mm1Args),
    /// The M/M/c queue at a per-server utilization; --plot draws response time against it.
    Mmc(queueing::MmcArgs),
    /// Erlang C staffing: wait probability, speed of answer, service level, agents needed.
    ErlangC(queueing::ErlangCArgs),
    /// Erlang B: blocking probability of a loss system, servers needed.
    ErlangB(queueing::ErlangBArgs),
    /// Fan-out: the chance of meeting a slow server, and the percentiles it costs.
    FanOut(queueing::FanOutArgs),
    /// Amdahl's law.
    Amdahl(scaling::AmdahlArgs),
    /// Gustafson's law.
    Gustafson(scaling::GustafsonArgs),
    /// The Universal Scalability Law: fit a CSV of N,X with standard errors, or evaluate.
    Usl(scaling::UslArgs),
    /// Burn rate of an error budget, and the time to exhaust it.
    BurnRate(slo::BurnRateArgs),
    /// The SRE workbook's multi-window, multi-burn-rate alerts.
    SloAlerts(slo::SloAlertsArgs),
    /// Monthly cost of running active-active in several regions.
    Cost(cost::CostArgs),
}

/// The output option every calculator takes.
#[derive(Debug, Clone, Copy, Args)]
pub(crate) struct Output {
    /// Print one JSON object, its fields named in snake case, instead of text.
    #[arg(long)]
    json: bool,
}

/// A calculator: its arguments, parsed, and what it computes from them.
trait Calculator {
    fn output(&self) -> Output;
    fn compute(&self) -> Result<Report, Failure>;
}

/// Runs one `lab calc` subcommand.
pub(crate) fn run(command: Command) -> ExitCode {
    let calculator: Box<dyn Calculator> = match command {
        Command::Rtt(args) => Box::new(args),
        Command::Bdp(args) => Box::new(args),
        Command::Availability(args) => Box::new(args),
        Command::Downtime(args) => Box::new(args),
        Command::Nines(args) => Box::new(args),
        Command::Correlated(args) => Box::new(args),
        Command::CommonCause(args) => Box::new(args),
        Command::Little(args) => Box::new(args),
        Command::Mm1(args) => Box::new(args),
        Command::Mmc(args) => Box::new(args),
        Command::ErlangC(args) => Box::new(args),
        Command::ErlangB(args) => Box::new(args),
        Command::FanOut(args) => Box::new(args),
        Command::Amdahl(args) => Box::new(args),
        Command::Gustafson(args) => Box::new(args),
        Command::Usl(args) => Box::new(args),
        Command::BurnRate(args) => Box::new(args),
        Command::SloAlerts(args) => Box::new(args),
        Command::Cost(args) => Box::new(args),
    };
    match calculator.compute() {
        Ok(report) => {
            if calculator.output().json {
                let json = serde_json::to_string_pretty(&report)
                    .expect("a report has string keys and serialisable values");
                println!("{json}");
            } else {
                print!("{}", report.human());
            }
            ExitCode::SUCCESS
        }
        Err(Failure::Input(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Io(error)) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
}
