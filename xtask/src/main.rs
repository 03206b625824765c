//! Project automation, run as `cargo xtask <command>`.
//!
//! - `episodes import FILE` turns a tab-separated episode list into `docs/episodes.toml`.
//! - `episodes [--check]` renders `docs/episodes.md`, the cross-reference from podcast
//!   episodes to the code samples that illustrate them, or checks that it is up to date.
//! - `bench-report [--ours NAME]` turns Criterion results into `docs/benchmarks.md`.

mod bench;
mod catalog;
mod episodes;
mod items;
#[cfg(test)]
mod test_dir;
mod workspace;

use std::process::ExitCode;

use anyhow::{Result, bail};

/// What `cargo xtask help` prints.
const USAGE: &str = "\
usage:
  cargo xtask episodes import FILE    write docs/episodes.toml from a TSV (id, series, title, topics)
  cargo xtask episodes [--check]      render docs/episodes.md, or check it and the crates' samples
  cargo xtask bench-report [--ours NAME]
                                      write docs/benchmarks.md from target/criterion (default: ours)";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Parses the command line and runs the command it names.
fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["episodes", "import", file] => episodes::import(file.as_ref()),
        ["episodes"] => episodes::write(),
        ["episodes", "--check"] => episodes::check(),
        ["bench-report"] => bench::write("ours"),
        ["bench-report", "--ours", name] => bench::write(name),
        [] | ["help" | "-h" | "--help"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => bail!("unrecognised arguments {args:?}\n{USAGE}"),
    }
}
