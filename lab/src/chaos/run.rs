//! `lab chaos run FILE`: run a chaos experiment against the workspace's own services.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use chaos::Seed;
use chaos::experiment::{self, Experiment, Journal, Status};

use super::services::{Services, ServicesConfig};

/// Arguments of `lab chaos run`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The experiment, in TOML (see `lab/experiments/` for examples).
    file: PathBuf,
    /// Where to write the JSON journal of the run.
    #[arg(long, default_value = "journal.json")]
    journal: PathBuf,
}

/// Runs the experiment; exit 0 when the steady state held throughout, 1 when it did not (or
/// the run could not be carried out), 2 when the file is unreadable or invalid.
pub(crate) fn run(args: &Args) -> ExitCode {
    let (experiment, services, seed) = match load(args) {
        Ok(loaded) => loaded,
        Err(error) => {
            eprintln!("error: {error:#}");
            return ExitCode::from(2);
        }
    };
    match execute(&experiment, services, seed).and_then(|journal| record(args, &journal)) {
        Ok(Status::Completed) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
}

fn load(args: &Args) -> anyhow::Result<(Experiment, ServicesConfig, Seed)> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let experiment = Experiment::from_toml(&text)
        .with_context(|| format!("invalid experiment {}", args.file.display()))?;
    let services = ServicesConfig::from_table(&experiment.target)?;
    let seed = experiment.resolve_seed()?;
    Ok((experiment, services, seed))
}

fn execute(experiment: &Experiment, config: ServicesConfig, seed: Seed) -> anyhow::Result<Journal> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut services = Services::start(config, seed).await?;
        Ok(experiment::run(experiment, seed, &mut services).await?)
    })
}

/// Prints the report and writes the journal; returns how the run ended.
fn record(args: &Args, journal: &Journal) -> anyhow::Result<Status> {
    print!("{journal}");
    let json = serde_json::to_string_pretty(journal)?;
    std::fs::write(&args.journal, json + "\n")
        .with_context(|| format!("cannot write the journal to {}", args.journal.display()))?;
    println!("journal: {}", args.journal.display());
    Ok(journal.status)
}
