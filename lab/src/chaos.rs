//! `lab chaos`: fault-injection tools for people, built on the `chaos` crate: a TCP chaos
//! proxy, a linearizability checker, and a runner for chaos experiments.

mod check;
mod proxy;
mod run;
mod services;

use std::process::ExitCode;

use clap::Subcommand;

/// The `lab chaos` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run TCP chaos proxies driven by a Toxiproxy-compatible HTTP API.
    Proxy(proxy::Args),
    /// Check a JSON Lines history for linearizability.
    Check(check::Args),
    /// Run a chaos experiment (TOML) against the workspace's own services.
    Run(run::Args),
}

/// Runs one `lab chaos` subcommand.
pub(crate) fn run(command: Command) -> ExitCode {
    match command {
        Command::Proxy(args) => proxy::run(args),
        Command::Check(args) => check::run(args),
        Command::Run(args) => run::run(&args),
    }
}
