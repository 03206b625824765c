//! `lab calc little`, `mm1`, `mmc`, `erlang-c`, `erlang-b` and `fan-out`.

use std::path::PathBuf;

use clap::Args;
use formulas::Mmc;

use super::input::{self, Failure};
use super::report::{Report, Unit};
use super::{Calculator, Output};

/// Little's law, L = lambda W: give any two, get the third.
#[derive(Debug, Args)]
pub(crate) struct LittleArgs {
    /// L: mean number of items in the system.
    #[arg(long, value_name = "L", value_parser = input::number)]
    in_system: Option<f64>,
    /// lambda: mean arrival rate (throughput), per second.
    #[arg(long, value_name = "PER_SECOND", value_parser = input::number)]
    arrival_rate: Option<f64>,
    /// W: mean time in the system, seconds (or with a unit: 250ms).
    #[arg(long, value_name = "SECONDS", value_parser = input::seconds)]
    time_in_system: Option<f64>,
    #[command(flatten)]
    output: Output,
}

impl Calculator for LittleArgs {
    fn output(&self) -> Output {
        self.output
    }

    fn compute(&self) -> Result<Report, Failure> {
        let little = formulas::littles_law(self.in_system, self.arrival_rate, self.time_in_system)?;
        Ok(Report::titled("Little's law: L = lambda W")
            .number("in_system", little.in_system, Unit::Plain)
            .number("arrival_rate", little.arrival_rate, Unit::PerSecond)
            .number("time_in_system", little.time_in_system, Unit::Seconds))
    }
}

/// The M/M/1 queue: one server, Poisson arrivals, exponential service.
#[derive(Debug, Args)]
pub(crate) struct Mm1Args {
    /// Mean arrival rate, per second.
    #[arg(long, value_name = "PER_SECOND", value_parser = input::number)]
    arrival_rate: f64,
    /// Mean service time, seconds (or with a unit: 20ms).
    #[arg(long, value_name = "SECONDS", value_parser = input::seconds)]
    service_time: f64,
    /// The response- and waiting-time percentile to report.
    #[arg(long, value_name = "P", default_value_t = 0.99, value_parser = input::number)]
    percentile: f64,
    #[command(flatten)]
    output: Output,
}

impl Calculator for Mm1Args {
    fn output(&self) -> Output {
        self.output
    }

    fn compute(&self) -> Result<Report, Failure> {
        let queue = formulas::Mm1::new(self.arrival_rate, self.service_time)?;
        Ok(Report::titled("M/M/1")
            .number("utilization", queue.utilization(), Unit::Ratio)
            .number("in_system", queue.in_system(), Unit::Plain)
            .number("queue_length", queue.queue_length(), Unit::Plain)
            .number("response_time", queue.response_time(), Unit::Seconds)
            .number("wait_time", queue.wait_time(), Unit::Seconds)
            .number("percentile", self.percentile, Unit::Plain)
            .number(
                "response_time_percentile",
                queue.response_time_percentile(self.percentile)?,
                Unit::Seconds,
            )
            .number(
                "wait_time_percentile",
                queue.wait_time_percentile(self.percentile)?,
                Unit::Seconds,
            ))
    }
}

/// The M/M/c queue at a given per-server utilization.
#[derive(Debug, Args)]
pub(crate) struct MmcArgs {
    /// Number of servers.
    #[arg(long, value_name = "C", value_parser = input::whole)]
    servers: u32,
    /// Fraction of the time each server is busy, below 1.
    #[arg(long, value_name = "RHO", value_parser = input::number)]
    utilization: f64,
    /// Mean service time, seconds (or with a unit): adds the waiting and response times.
    #[arg(long, value_name = "SECONDS", value_parser = input::seconds)]
    service_time: Option<f64>,
    /// Also draw response time against utilization, for 1, 2, 4, ... and this many servers,
    /// to this SVG file.
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<PathBuf>,
    #[command(flatten)]
    output: Output,
}

impl Calculator for MmcArgs {
    fn output(&self) -> Output {
        self.output
    }

    fn compute(&self) -> Result<Report, Failure> {
        let queue = Mmc::from_utilization(self.servers, self.utilization)?;
        let mut report = Report::titled(format!("M/M/{}", self.servers))
            .count("servers", u64::from(self.servers))
            .number("utilization", queue.utilization(), Unit::Ratio)
            .number("traffic_erlangs", queue.traffic(), Unit::Plain)
            .number("wait_probability", queue.wait_probability(), Unit::Ratio)
            .number("queue_length", queue.queue_length(), Unit::Plain)
            .number("in_system", queue.in_system(), Unit::Plain);
        if let Some(service_time) = self.service_time {
            report = report
                .number(
                    "arrival_rate",
                    queue.traffic() / service_time,
                    Unit::PerSecond,
                )
                .number("wait_time", queue.wait_time(service_time)?, Unit::Seconds)
                .number(
                    "response_time",
                    queue.response_time(service_time)?,
                    Unit::Seconds,
                );
        }
        if let Some(path) = &self.plot {
            let servers: Vec<u32> = std::iter::successors(Some(1u32), |c| c.checked_mul(2))
                .take_while(|&c| c < self.servers)
                .chain(std::iter::once(self.servers))
                .collect();
            input::write_plot(
                path,
                &formulas::response_time_chart(&servers, self.service_time)?,
            )?;
            report = report.text("plot", path.display().to_string());
        }
        Ok(report)
    }
}

/// Erlang C for a call centre (or any pool of workers with a queue).
#[derive(Debug, Args)]
pub(crate) struct ErlangCArgs {
    /// Mean arrival rate, per second.
    #[arg(long, value_name = "PER_SECOND", value_parser = input::number)]
    arrival_rate: f64,
    /// Mean handle (service) time, seconds (or with a unit: 3m).
    #[arg(long, value_name = "SECONDS", value_parser = input::seconds)]
    handle_time: f64,
    /// Number of agents (servers).
    #[arg(long, value_name = "N", value_parser = input::whole)]
    agents: u32,
    /// Answer-time target for the service level, seconds (or with a unit).
    #[arg(long, value_name = "SECONDS", value_parser = input::seconds)]
    target_answer_time: Option<f64>,
    /// Service-level target (0.8 for 80% within the answer time): adds the agents needed.
    #[arg(long, value_name = "FRACTION", value_parser = input::number, requires = "target_answer_time")]
    target_service_level: Option<f64>,
    #[command(flatten)]
    output: Output,
}

/// Erlang C's agents and handle time are M/M/c's servers and service time.
const AGENTS: &[(&str, &str)] = &[("servers", "agents"), ("service_time", "handle-time")];

impl Calculator for ErlangCArgs {
    fn output(&self) -> Output {
        self.output
    }

    fn compute(&self) -> Result<Report, Failure> {
        let renamed = |error: formulas::Error| Failure::from_formula(&error, AGENTS);
        let queue =
            Mmc::with_rates(self.agents, self.arrival_rate, self.handle_time).map_err(renamed)?;
        let mut report = Report::titled(format!(
            "Erlang C: {} agents, {} Erlangs offered",
            self.agents,
            super::report::significant(queue.traffic())
        ))
        .number("traffic_erlangs", queue.traffic(), Unit::Plain)
        .number("occupancy", queue.utilization(), Unit::Ratio)
        .number("wait_probability", queue.wait_probability(), Unit::Ratio)
        .number(
            "average_speed_of_answer",
            queue.wait_time(self.handle_time).map_err(renamed)?,
            Unit::Seconds,
        );
        // Without an answer-time target there is no service level; the key stays, as null.
        let service_level = self
            .target_answer_time
            .map(|answer_time| queue.service_level(self.handle_time, answer_time))
            .transpose()
            .map_err(renamed)?;
        report = report.maybe("service_level", service_level, Unit::Ratio);
        if let (Some(answer_time), Some(target)) =
            (self.target_answer_time, self.target_service_level)
        {
            let needed = formulas::servers_for_service_level(
                queue.traffic(),
                self.handle_time,
                answer_time,
                target,
            )
            .map_err(renamed)?;
            report = report.count("agents_needed", u64::from(needed));
        }
        Ok(report)
    }
}

/// Erlang B: blocking in a loss system with no queue (trunks, connection slots).
#[derive(Debug, Args)]
pub(crate) struct ErlangBArgs {
    /// Offered traffic in Erlangs (arrival rate times holding time).
    #[arg(long, value_name = "ERLANGS", value_parser = input::number)]
    traffic: f64,
    /// Number of servers (lines, slots).
    #[arg(long, value_name = "N", value_parser = input::whole)]
    servers: u32,
    /// Blocking target: adds the servers needed to meet it.
    #[arg(long, value_name = "FRACTION", value_parser = input::number)]
    target_blocking: Option<f64>,
    #[command(flatten)]
    output: Output,
}

impl Calculator for ErlangBArgs {
    fn output(&self) -> Output {
        self.output
    }

    fn compute(&self) -> Result<Report, Failure> {
        let mut report = Report::titled(format!("Erlang B: {} servers", self.servers)).number(
            "blocking_probability",
            formulas::erlang_b(self.traffic, self.servers)?,
            Unit::Ratio,
        );
        if let Some(target) = self.target_blocking {
            let needed = formulas::servers_for_blocking(self.traffic, target)?;
            report = report.count("servers_needed", u64::from(needed));
        }
        Ok(report)
    }
}

/// Fan-out: the chance a request meets at least one slow server among N.
#[derive(Debug, Args)]
pub(crate) struct FanOutArgs {
    /// Probability that one server is slow (0.01 for its p99).
    #[arg(long, value_name = "P", value_parser = input::number)]
    probability: f64,
    /// Servers each request waits for.
    #[arg(long, value_name = "N", value_parser = input::whole)]
    fan_out: u32,
    /// A request percentile (0.99): adds the leaf percentile needed to meet it, and where a
    /// leaf's own percentile lands for the request.
    #[arg(long, value_name = "Q", value_parser = input::number)]
    percentile: Option<f64>,
    #[command(flatten)]
    output: Output,
}

impl Calculator for FanOutArgs {
    fn output(&self) -> Output {
        self.output
    }

    fn compute(&self) -> Result<Report, Failure> {
        let mut report = Report::titled(format!("Fan-out to {} servers", self.fan_out)).number(
            "probability",
            formulas::fan_out_probability(self.probability, self.fan_out)?,
            Unit::Ratio,
        );
        if let Some(q) = self.percentile {
            report = report
                .number("percentile", q, Unit::Plain)
                .number(
                    "leaf_percentile_needed",
                    formulas::fan_out_leaf_percentile(q, self.fan_out)?,
                    Unit::Plain,
                )
                .number(
                    "request_percentile_at_leaf_percentile",
                    formulas::fan_out_request_percentile(q, self.fan_out)?,
                    Unit::Plain,
                );
        }
        Ok(report)
    }
}
