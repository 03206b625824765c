//! `lab chaos check FILE`: decides whether a recorded history is linearizable.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use chaos::{CasFailure, Checker, History, Model, Report, Verdict};
use clap::ValueEnum;

/// Exit status when the budget ran out before a verdict: neither a pass nor a failure.
const EXIT_UNKNOWN: u8 = 3;

/// Check a JSON Lines history for linearizability.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Each line of FILE is one event, in real-time order:
  {\"process\": 0, \"type\": \"invoke\", \"f\": \"cas\", \"key\": \"k\", \"value\": [1, 2]}
type: invoke | ok | fail | info (indeterminate: may or may not have taken effect).
f: read | write | cas; value: null | an integer | [from, to]; key: optional.

Exit status:
  0  linearizable
  1  not linearizable (a counterexample is printed)
  2  unreadable or malformed input, or bad usage
  3  undecided: the search ran out of budget (raise --steps-max)")]
pub(crate) struct Args {
    /// The history, in JSON Lines.
    file: PathBuf,
    /// What the operations act on: one register, or a map of registers checked key by key.
    #[arg(long, value_enum, default_value_t = ModelArg::Register)]
    model: ModelArg,
    /// What a failed cas means: its compare did not match (a read of another value), or
    /// nothing at all.
    #[arg(long, value_enum, default_value_t = CasFailArg::Mismatch)]
    cas_fail: CasFailArg,
    /// Search steps to spend before giving up undecided.
    #[arg(long, default_value_t = Checker::STEPS_MAX_DEFAULT)]
    steps_max: u64,
    /// Events to read at most; a longer file is refused.
    #[arg(long, default_value_t = 10_000_000)]
    events_max: usize,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ModelArg {
    /// A single register: every operation has the same key, or none.
    Register,
    /// A map of registers, one per key.
    Kv,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum CasFailArg {
    /// A failed cas found a value other than `from`.
    Mismatch,
    /// A failed cas did not happen and says nothing.
    NoEffect,
}

/// Reads, checks and reports; the exit status is the verdict.
pub(crate) fn run(args: Args) -> ExitCode {
    let Args {
        file,
        model,
        cas_fail,
        steps_max,
        events_max,
    } = args;
    let history = match read(&file, events_max) {
        Ok(history) => history,
        Err(error) => {
            eprintln!("error: {error:#}");
            return ExitCode::from(2);
        }
    };
    let checker = Checker::new(match model {
        ModelArg::Register => Model::Register,
        ModelArg::Kv => Model::Kv,
    })
    .cas_failure(match cas_fail {
        CasFailArg::Mismatch => CasFailure::CompareMismatch,
        CasFailArg::NoEffect => CasFailure::NoEffect,
    })
    .steps_max(steps_max);
    let started = Instant::now();
    let report = match checker.check(&history) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("error: {}: {error}", file.display());
            return ExitCode::from(2);
        }
    };
    print_report(&history, &report, started);
    match report.verdict {
        Verdict::Linearizable(_) => ExitCode::SUCCESS,
        Verdict::NotLinearizable(_) => ExitCode::from(1),
        Verdict::Unknown(_) => ExitCode::from(EXIT_UNKNOWN),
    }
}

fn read(path: &Path, events_max: usize) -> anyhow::Result<History> {
    use anyhow::Context as _;
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    History::read_jsonl(BufReader::new(file), events_max)
        .with_context(|| format!("{} is not a readable history", path.display()))
}

fn print_report(history: &History, report: &Report, started: Instant) {
    println!(
        "{} events, {} operations; {} checked across {} key{}, in {} steps ({:.1?})",
        history.events().len(),
        history.operations().len(),
        report.operations,
        report.keys,
        if report.keys == 1 { "" } else { "s" },
        report.steps,
        started.elapsed()
    );
    match &report.verdict {
        Verdict::Linearizable(_) => println!("linearizable."),
        Verdict::NotLinearizable(counterexample) => print!("{}", counterexample.display(history)),
        Verdict::Unknown(exhausted) => {
            println!("undecided: {exhausted}; raise --steps-max to search further.");
        }
    }
}
