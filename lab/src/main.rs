//! `lab`: the workspace's front door.
//!
//! `lab tour` runs one short scenario per pattern, in-process and in simulated time, and
//! checks each scenario's hypotheses against what it measured:
//!
//! ```text
//! cargo run --release -p lab -- tour [--seed N] [--json]
//! ```
//!
//! The other subcommands are tools: `lab calc` (the formulas), `lab chaos` (a TCP chaos proxy,
//! a linearizability checker), `lab hashing` (load and movement of the hashing algorithms).
//!
//! Exit codes: 0 on success, 1 when a hypothesis or a check fails, 2 on bad usage or input.

mod calc;
mod chaos;
mod hashing;
mod percentile;
mod tour;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Reference implementations of distributed-systems patterns, run under injected faults.
#[derive(Debug, Parser)]
#[command(name = "lab", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run every pattern's scenario and check its hypotheses.
    Tour {
        /// Seed for every random choice; printed, so a run can be replayed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Print the findings as JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Calculators for the formulas the episodes use.
    #[command(subcommand)]
    Calc(calc::Command),
    /// Fault-injection tools: a TCP chaos proxy, a linearizability checker.
    #[command(subcommand)]
    Chaos(chaos::Command),
    /// Consistent-hashing analysis.
    #[command(subcommand)]
    Hashing(hashing::Command),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Tour { seed, json } => match tour::run(seed, json) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(1),
            Err(error) => {
                eprintln!("error: {error:#}");
                ExitCode::from(1)
            }
        },
        Command::Calc(command) => calc::run(command),
        Command::Chaos(command) => chaos::run(command),
        Command::Hashing(command) => hashing::run(command),
    }
}
