//! `lab`: the workspace's front door.
//!
//! `lab tour` runs one short scenario per pattern, in-process and in simulated time, and
//! checks each scenario's hypotheses against what it measured:
//!
//! ```text
//! cargo run --release -p lab -- tour [--seed N] [--json]
//! ```
//!
//! Exit codes: 0 when every hypothesis holds, 1 when one fails, 2 on bad usage.

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Tour { seed, json } => tour::run(seed, json),
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
}
