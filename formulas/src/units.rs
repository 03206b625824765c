//! Reading durations, periods and bit rates written by people: `30d`, `month`, `1Gbit/s`.

use std::fmt;
use std::time::Duration;

use crate::Error;

/// The longest duration accepted anywhere: a thousand years. Longer inputs are typos.
pub const DURATION_MAX: Duration = Duration::from_hours(1000 * 365 * 24);

/// Reads a duration written as a number and a unit: `250ms`, `30s`, `5m`, `1.5h`, `30d`.
///
/// The unit is required: a bare `30` could mean seconds or days, and guessing wrong would
/// silently change an answer by five orders of magnitude. `m` is minutes and `d` is 24 hours.
/// `name` is the argument the text came from; errors carry it.
pub fn parse_duration(name: &'static str, text: &str) -> Result<Duration, Error> {
    let error = parse_error(name, text);
    let (number, unit) = split_unit(text).ok_or_else(|| error("needs a unit: ms, s, m, h or d"))?;
    let seconds_per_unit = match unit {
        "ms" => 0.001,
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        "d" => 86_400.0,
        _ => return Err(error("has an unknown unit; use ms, s, m, h or d")),
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| error("must be a number followed by a unit: ms, s, m, h or d"))?;
    if !value.is_finite() || value < 0.0 {
        return Err(error("must be a finite duration at or above zero"));
    }
    let seconds = value * seconds_per_unit;
    if seconds > DURATION_MAX.as_secs_f64() {
        return Err(error("is longer than a thousand years"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// Reads a duration in seconds: a bare number (`180`, `0.25`) or a number with
/// [a unit](parse_duration) (`3m`). For arguments documented as SECONDS, where a bare
/// number is unambiguous.
pub fn parse_seconds(name: &'static str, text: &str) -> Result<Duration, Error> {
    match text.trim().parse::<f64>() {
        Ok(seconds) if seconds.is_finite() && seconds >= 0.0 => {
            if seconds > DURATION_MAX.as_secs_f64() {
                return Err(Error::Parse {
                    name,
                    input: text.to_owned(),
                    reason: "is longer than a thousand years",
                });
            }
            Ok(Duration::from_secs_f64(seconds))
        }
        Ok(_) => Err(Error::Parse {
            name,
            input: text.to_owned(),
            reason: "must be a finite duration at or above zero",
        }),
        Err(_) => parse_duration(name, text),
    }
}

/// A named accounting period. Months are 30 days and years 365 days, as in the availability
/// table of Google's *Site Reliability Engineering* (appendix A), so "99.9% per month" is
/// 43.2 minutes whatever the calendar says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// 365 days.
    Year,
    /// 90 days.
    Quarter,
    /// 30 days.
    Month,
    /// 7 days.
    Week,
    /// 24 hours.
    Day,
}

impl Period {
    /// Every named period, longest first.
    pub const ALL: [Period; 5] = [
        Period::Year,
        Period::Quarter,
        Period::Month,
        Period::Week,
        Period::Day,
    ];

    /// The period's length.
    #[must_use]
    pub const fn duration(self) -> Duration {
        let days = match self {
            Period::Year => 365,
            Period::Quarter => 90,
            Period::Month => 30,
            Period::Week => 7,
            Period::Day => 1,
        };
        Duration::from_secs(days * 86_400)
    }

    /// The name `parse_period` accepts.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Period::Year => "year",
            Period::Quarter => "quarter",
            Period::Month => "month",
            Period::Week => "week",
            Period::Day => "day",
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Reads a period: a [`Period`] name (`year`, `quarter`, `month`, `week`, `day`) or a
/// [duration](parse_duration) (`30d`, `28d`). A period must be longer than zero.
pub fn parse_period(name: &'static str, text: &str) -> Result<Duration, Error> {
    let trimmed = text.trim();
    let period = match Period::ALL.iter().find(|p| p.name() == trimmed) {
        Some(period) => period.duration(),
        None => parse_duration(name, text).map_err(|_| Error::Parse {
            name,
            input: text.to_owned(),
            reason: "must be year, quarter, month, week, day, or a duration such as 30d",
        })?,
    };
    if period.is_zero() {
        return Err(Error::Parse {
            name,
            input: text.to_owned(),
            reason: "must be longer than zero",
        });
    }
    Ok(period)
}

/// Reads a bit rate: a number and a unit, decimal SI as network links are sold:
/// `100Mbit/s`, `1Gbps`, `10 Gbit/s`, `512kbps`. Returns bits per second.
pub fn parse_bit_rate(name: &'static str, text: &str) -> Result<f64, Error> {
    let error = parse_error(name, text);
    let (number, unit) = split_unit(text)
        .ok_or_else(|| error("needs a unit: bit/s, kbit/s, Mbit/s, Gbit/s or Tbit/s"))?;
    let unit = unit.to_ascii_lowercase();
    let (prefix, rest) = match unit.chars().next() {
        Some(c @ ('k' | 'm' | 'g' | 't')) => (Some(c), &unit[1..]),
        _ => (None, unit.as_str()),
    };
    if rest != "bit/s" && rest != "bps" {
        return Err(error(
            "has an unknown unit; use bit/s, kbit/s, Mbit/s, Gbit/s or Tbit/s",
        ));
    }
    let multiplier = match prefix {
        None => 1.0,
        Some('k') => 1e3,
        Some('m') => 1e6,
        Some('g') => 1e9,
        Some(_) => 1e12,
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| error("must be a number followed by a unit such as Mbit/s"))?;
    if !value.is_finite() || value <= 0.0 {
        return Err(error("must be a finite rate above zero"));
    }
    Ok(value * multiplier)
}

/// Builds the error for argument `name`, given as `text`, from a reason.
fn parse_error(name: &'static str, text: &str) -> impl Fn(&'static str) -> Error {
    move |reason| Error::Parse {
        name,
        input: text.to_owned(),
        reason,
    }
}

/// Splits `text` at its first letter into a number and a unit, or `None` without a unit.
fn split_unit(text: &str) -> Option<(&str, &str)> {
    let trimmed = text.trim();
    let split = trimmed.find(|c: char| c.is_ascii_alphabetic())?;
    Some(trimmed.split_at(split))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_every_unit() {
        let cases = [
            ("250ms", 0.25),
            ("30s", 30.0),
            ("5m", 300.0),
            ("1.5h", 5400.0),
            ("30d", 2_592_000.0),
            (" 2 h ", 7200.0),
        ];
        for (text, seconds) in cases {
            let parsed = parse_duration("window", text).unwrap().as_secs_f64();
            assert!((parsed - seconds).abs() < 1e-9, "{text}: {parsed}");
        }
    }

    #[test]
    fn durations_refuse_what_they_cannot_read_and_name_the_argument() {
        for (text, reason) in [
            ("30", "needs a unit"),
            ("30w", "unknown unit"),
            ("h", "must be a number"),
            ("-1h", "at or above zero"),
            ("400000d", "thousand years"),
        ] {
            let error = parse_duration("window", text).unwrap_err();
            assert_eq!(error.argument(), Some("window"));
            assert!(error.to_string().contains(reason), "{text}: {error}");
        }
    }

    #[test]
    fn seconds_accept_bare_numbers_and_units() {
        assert_eq!(parse_seconds("handle_time", "180").unwrap().as_secs(), 180);
        assert_eq!(parse_seconds("handle_time", "3m").unwrap().as_secs(), 180);
        assert!(parse_seconds("handle_time", "-3").is_err());
    }

    #[test]
    fn periods_read_names_and_durations() {
        assert_eq!(
            parse_period("period", "month").unwrap().as_secs(),
            30 * 86_400
        );
        assert_eq!(
            parse_period("period", "year").unwrap().as_secs(),
            365 * 86_400
        );
        assert_eq!(
            parse_period("period", "28d").unwrap().as_secs(),
            28 * 86_400
        );
        assert!(parse_period("period", "0d").is_err());
        assert!(parse_period("period", "fortnight").is_err());
    }

    #[test]
    fn bit_rates_are_decimal_si() {
        assert!((parse_bit_rate("bandwidth", "20Mbit/s").unwrap() - 20e6).abs() < 1e-6);
        assert!((parse_bit_rate("bandwidth", "1Gbps").unwrap() - 1e9).abs() < 1e-3);
        assert!((parse_bit_rate("bandwidth", "512 kbit/s").unwrap() - 512e3).abs() < 1e-9);
        assert!(parse_bit_rate("bandwidth", "10").is_err());
        assert!(parse_bit_rate("bandwidth", "10 MB/s").is_err());
        assert!(parse_bit_rate("bandwidth", "0Mbit/s").is_err());
    }
}
