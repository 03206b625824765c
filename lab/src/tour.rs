//! The tour: every pattern's scenario, its hypotheses, and their verdicts.

mod circuit_breaker;
mod hashing;

use std::fmt::Write as _;
use std::time::Instant;

use serde::Serialize;

/// One hypothesis of a scenario, with what was measured and whether it held.
#[derive(Debug, Serialize)]
pub(crate) struct Finding {
    pub(crate) scenario: &'static str,
    pub(crate) hypothesis: String,
    pub(crate) measured: String,
    pub(crate) holds: bool,
}

impl Finding {
    pub(crate) fn new(
        scenario: &'static str,
        hypothesis: String,
        measured: String,
        holds: bool,
    ) -> Self {
        Self {
            scenario,
            hypothesis,
            measured,
            holds,
        }
    }
}

/// A scenario: runs with a seed and reports its findings.
type Scenario = fn(u64) -> anyhow::Result<Vec<Finding>>;

const SCENARIOS: &[Scenario] = &[circuit_breaker::run, hashing::run];

#[derive(Serialize)]
struct Report<'a> {
    seed: u64,
    passed: bool,
    findings: &'a [Finding],
}

/// Runs every scenario, prints the findings, and returns whether all hypotheses held.
pub(crate) fn run(seed: u64, json: bool) -> anyhow::Result<bool> {
    let started = Instant::now();
    let mut findings = Vec::new();
    for scenario in SCENARIOS {
        findings.extend(scenario(seed)?);
    }
    let passed = findings.iter().all(|finding| finding.holds);
    if json {
        let report = Report {
            seed,
            passed,
            findings: &findings,
        };
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", table(&findings));
        let verdict = if passed {
            "all hypotheses hold"
        } else {
            "a hypothesis FAILED"
        };
        println!(
            "\n{verdict} (seed {seed}; replay with `lab tour --seed {seed}`; {:.1} s)",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(passed)
}

/// Renders findings as an aligned text table.
fn table(findings: &[Finding]) -> String {
    let header = ["scenario", "hypothesis", "measured", "verdict"];
    let rows: Vec<[&str; 4]> = findings
        .iter()
        .map(|f| {
            let verdict = if f.holds { "holds" } else { "FAILS" };
            [
                f.scenario,
                f.hypothesis.as_str(),
                f.measured.as_str(),
                verdict,
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(header).chain(rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        let _ = writeln!(out, "{}", cells.join("  ").trim_end());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_aligns_columns_and_marks_failures() {
        let findings = [
            Finding {
                scenario: "a",
                hypothesis: "short".into(),
                measured: "1".into(),
                holds: true,
            },
            Finding {
                scenario: "bb",
                hypothesis: "longer one".into(),
                measured: "22".into(),
                holds: false,
            },
        ];
        let table = table(&findings);
        let lines: Vec<_> = table.lines().collect();
        assert_eq!(lines[0], "scenario  hypothesis  measured  verdict");
        assert_eq!(lines[1], "a         short       1         holds");
        assert_eq!(lines[2], "bb        longer one  22        FAILS");
    }
}
