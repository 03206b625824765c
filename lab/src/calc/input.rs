//! Reading arguments, and turning the formulas' errors into messages about flags.
//!
//! The value parsers here only read syntax (a number, a duration, a list); whether a value is
//! in range is the formula's business, and its error names the argument in backticks, which
//! [`Failure::from_formula`] rewrites into the flag a user typed.

use std::path::Path;
use std::time::Duration;

/// Why a calculator stopped.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The input is wrong; the message names the flag, file or line. Exit code 2.
    Input(String),
    /// The environment failed, say a plot could not be written. Exit code 1.
    Io(anyhow::Error),
}

impl Failure {
    /// A formula's error, with every argument name in backticks rewritten as the flag that
    /// sets it: `arrival_rate` becomes `--arrival-rate`, or whatever `renames` maps it to when
    /// a command spells the flag differently (Erlang C's servers are `--agents`).
    pub(crate) fn from_formula(error: &formulas::Error, renames: &[(&str, &str)]) -> Self {
        let text = error.to_string();
        let mut message = String::with_capacity(text.len());
        let mut parts = text.split('`');
        message.push_str(parts.next().unwrap_or_default());
        // Odd parts sit between backticks: argument names.
        for (index, part) in parts.enumerate() {
            if index % 2 == 0 {
                let flag = renames
                    .iter()
                    .find(|(name, _)| *name == part)
                    .map_or_else(|| part.replace('_', "-"), |(_, flag)| (*flag).to_owned());
                message.push_str("--");
                message.push_str(&flag);
            } else {
                message.push_str(part);
            }
        }
        Failure::Input(message)
    }
}

impl From<formulas::Error> for Failure {
    fn from(error: formulas::Error) -> Self {
        Failure::from_formula(&error, &[])
    }
}

/// A number.
pub(crate) fn number(text: &str) -> Result<f64, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("\"{text}\" is not a number"))
}

/// A whole number at or above 1.
pub(crate) fn whole(text: &str) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(0) => Err("must be at least 1".to_owned()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("\"{text}\" is not a whole number")),
    }
}

/// A list of numbers from one argument. (A newtype, because clap reads a bare `Vec` as a
/// repeated flag.)
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct List(pub(crate) Vec<f64>);

/// A comma-separated list of numbers: `0.999,0.9995`.
pub(crate) fn numbers(text: &str) -> Result<List, String> {
    text.split(',')
        .map(number)
        .collect::<Result<_, _>>()
        .map(List)
}

/// `K/N`: at least K of N.
pub(crate) fn k_of_n(text: &str) -> Result<(u32, u32), String> {
    let (k, n) = text
        .split_once('/')
        .ok_or_else(|| format!("\"{text}\" is not K/N, for example 2/3"))?;
    let parse = |part: &str| {
        part.trim()
            .parse::<u32>()
            .map_err(|_| format!("\"{text}\" is not K/N with whole numbers, for example 2/3"))
    };
    Ok((parse(k)?, parse(n)?))
}

/// A duration with a unit: `250ms`, `30s`, `5m`, `1h`, `30d`.
pub(crate) fn duration(text: &str) -> Result<Duration, String> {
    formulas::parse_duration("value", text).map_err(|error| reason(&error))
}

/// Seconds: a bare number, or a duration with a unit.
pub(crate) fn seconds(text: &str) -> Result<f64, String> {
    formulas::parse_seconds("value", text)
        .map(|d| d.as_secs_f64())
        .map_err(|error| reason(&error))
}

/// A period: `year`, `quarter`, `month`, `week`, `day`, or a duration such as `28d`.
pub(crate) fn period(text: &str) -> Result<Duration, String> {
    formulas::parse_period("value", text).map_err(|error| reason(&error))
}

/// A bit rate: `100Mbit/s`, `1Gbps`.
pub(crate) fn bit_rate(text: &str) -> Result<f64, String> {
    formulas::parse_bit_rate("value", text).map_err(|error| reason(&error))
}

/// A parse error's reason without the placeholder argument name: clap names the flag.
fn reason(error: &formulas::Error) -> String {
    match error {
        formulas::Error::Parse { reason, .. } => (*reason).to_owned(),
        other => other.to_string(),
    }
}

/// Reads a file named by `flag`, as an input error naming both when it cannot.
pub(crate) fn read(flag: &str, path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path)
        .map_err(|error| Failure::Input(format!("{flag} {}: {error}", path.display())))
}

/// Writes an SVG chart to the file named by `--plot`.
pub(crate) fn write_plot(path: &Path, chart: &formulas::Chart) -> Result<(), Failure> {
    let svg = chart.to_svg().map_err(|error| Failure::Io(error.into()))?;
    std::fs::write(path, svg).map_err(|error| {
        Failure::Io(anyhow::Error::new(error).context(format!("--plot {}", path.display())))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argument_names_become_flags() {
        let error = formulas::Mmc::new(10, 12.0).unwrap_err();
        let Failure::Input(message) = Failure::from_formula(&error, &[("servers", "agents")])
        else {
            panic!("an input error");
        };
        assert!(
            message.starts_with("--agents gives a utilization of 1.2"),
            "{message}"
        );
        let Failure::Input(message) = Failure::from(formulas::Mm1::new(1.0, -1.0).unwrap_err())
        else {
            panic!("an input error");
        };
        assert!(message.starts_with("--service-time must be"), "{message}");
    }

    #[test]
    fn lists_and_fractions_parse() {
        assert_eq!(numbers("0.9, 0.99").unwrap(), List(vec![0.9, 0.99]));
        assert_eq!(k_of_n("2/3").unwrap(), (2, 3));
        assert!(k_of_n("2-3").is_err());
        assert!(whole("0").is_err());
        assert!((seconds("3m").unwrap() - 180.0).abs() < 1e-12);
    }
}
