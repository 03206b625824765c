//! A calculator's answer: named values, printed for people or as one JSON object.

use std::fmt::Write as _;

use serde::ser::{Serialize, SerializeMap, Serializer};

/// How a value reads to a person. JSON always carries the bare number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    /// A plain number.
    Plain,
    /// A fraction, also shown as a percentage.
    Ratio,
    /// An availability: a fraction shown as a percentage with all its nines.
    Availability,
    /// A duration in seconds, also shown in the most readable unit.
    Seconds,
    /// A rate per second.
    PerSecond,
    /// A quantity of bits.
    Bits,
    /// A quantity of bytes.
    Bytes,
    /// An amount of money, in the profile's currency.
    Money,
}

/// One value of a report.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// A number; `None` where the quantity does not exist (a peak with no coherency cost), which
    /// JSON shows as `null`.
    Number(Option<f64>, Unit),
    /// A whole number.
    Count(u64),
    /// Text.
    Text(String),
    /// A list of records, each a report of its own.
    Rows(Vec<Report>),
}

/// An ordered list of `snake_case` keys and their values, with an optional title for people.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Report {
    title: Option<String>,
    entries: Vec<(&'static str, Value)>,
}

impl Report {
    /// An empty report headed by `title` in human output.
    pub(crate) fn titled(title: impl Into<String>) -> Self {
        Self {
            title: Some(title.into()),
            entries: Vec::new(),
        }
    }

    /// Adds a number.
    pub(crate) fn number(mut self, key: &'static str, value: f64, unit: Unit) -> Self {
        self.entries.push((key, Value::Number(Some(value), unit)));
        self
    }

    /// Adds a number that may not exist.
    pub(crate) fn maybe(mut self, key: &'static str, value: Option<f64>, unit: Unit) -> Self {
        self.entries.push((key, Value::Number(value, unit)));
        self
    }

    /// Adds a whole number.
    pub(crate) fn count(mut self, key: &'static str, value: u64) -> Self {
        self.entries.push((key, Value::Count(value)));
        self
    }

    /// Adds text.
    pub(crate) fn text(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.entries.push((key, Value::Text(value.into())));
        self
    }

    /// Adds a list of records.
    pub(crate) fn rows(mut self, key: &'static str, rows: Vec<Report>) -> Self {
        self.entries.push((key, Value::Rows(rows)));
        self
    }

    /// The report for people: the title, then one aligned `key  value` line per entry, with
    /// the same keys as the JSON.
    pub(crate) fn human(&self) -> String {
        let mut out = String::new();
        if let Some(title) = &self.title {
            let _ = writeln!(out, "{title}\n");
        }
        self.write_entries(&mut out, "");
        out
    }

    fn write_entries(&self, out: &mut String, indent: &str) {
        let width = self
            .entries
            .iter()
            .map(|(key, _)| key.len())
            .max()
            .unwrap_or(0);
        for (key, value) in &self.entries {
            match value {
                Value::Rows(rows) => {
                    let _ = writeln!(out, "{indent}{key}:");
                    for (index, row) in rows.iter().enumerate() {
                        if index > 0 {
                            out.push('\n');
                        }
                        row.write_entries(out, &format!("{indent}  "));
                    }
                }
                _ => {
                    let _ = writeln!(out, "{indent}{key:<width$}  {}", show(value));
                }
            }
        }
    }
}

impl Serialize for Report {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for (key, value) in &self.entries {
            match value {
                // serde_json writes a non-finite float as null, like a missing one.
                Value::Number(number, _) => map.serialize_entry(key, number)?,
                Value::Count(count) => map.serialize_entry(key, count)?,
                Value::Text(text) => map.serialize_entry(key, text)?,
                Value::Rows(rows) => map.serialize_entry(key, rows)?,
            }
        }
        map.end()
    }
}

fn show(value: &Value) -> String {
    match value {
        Value::Number(None, _) => "none".to_owned(),
        Value::Number(Some(number), unit) => show_number(*number, *unit),
        Value::Count(count) => count.to_string(),
        Value::Text(text) => text.clone(),
        Value::Rows(_) => String::new(),
    }
}

fn show_number(value: f64, unit: Unit) -> String {
    if !value.is_finite() {
        return if value > 0.0 {
            "unbounded"
        } else {
            "undefined"
        }
        .to_owned();
    }
    match unit {
        Unit::Plain => significant(value),
        Unit::Ratio => format!("{} ({}%)", significant(value), percent(value)),
        Unit::Availability => format!(
            "{} ({})",
            significant_nines(value),
            percent_with_nines(value)
        ),
        Unit::Seconds => seconds(value),
        Unit::PerSecond => format!("{} /s", significant(value)),
        Unit::Bits => format!("{} bits ({})", significant(value), si(value, "bit")),
        Unit::Bytes => format!("{} bytes ({})", significant(value), si(value, "B")),
        Unit::Money => format!("{value:.2}"),
    }
}

/// Six significant digits, without trailing zeros, in plain notation for everyday magnitudes
/// and scientific notation beyond.
pub(crate) fn significant(value: f64) -> String {
    if value == 0.0 {
        return "0".to_owned();
    }
    let magnitude = value.abs().log10().floor();
    if !(-5.0..=12.0).contains(&magnitude) {
        return format!("{value:.5e}");
    }
    let decimals = (5.0 - magnitude).max(0.0) as usize;
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// A fraction as a percentage to four significant digits: 45.76.
fn percent(value: f64) -> String {
    let hundred = value * 100.0;
    if hundred == 0.0 {
        return "0".to_owned();
    }
    let decimals = (3.0 - hundred.abs().log10().floor()).clamp(0.0, 12.0) as usize;
    let text = format!("{hundred:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// An availability with its nines intact: 0.99999975, not 1.
fn significant_nines(value: f64) -> String {
    let nines = -(1.0 - value).log10();
    if value >= 1.0 || nines > 15.0 {
        return "1".to_owned();
    }
    let decimals = (nines.floor() as usize + 4).max(4);
    let text = format!("{value:.decimals$}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn percent_with_nines(value: f64) -> String {
    let nines = -(1.0 - value).log10();
    if value >= 1.0 || nines > 15.0 {
        return "100%".to_owned();
    }
    let decimals = (nines.floor() as usize + 2).saturating_sub(2).max(2);
    let text = format!("{:.decimals$}", value * 100.0);
    format!("{}%", text.trim_end_matches('0').trim_end_matches('.'))
}

/// A duration in seconds and in the largest unit that keeps it above one: `2592 s (43.2 min)`.
fn seconds(value: f64) -> String {
    if value == 0.0 {
        return "0 s".to_owned();
    }
    let (amount, unit) = match value.abs() {
        v if v < 1e-3 => (value * 1e6, "µs"),
        v if v < 1.0 => (value * 1e3, "ms"),
        v if v < 120.0 => return format!("{} s", significant(value)),
        v if v < 7200.0 => (value / 60.0, "min"),
        v if v < 172_800.0 => (value / 3600.0, "h"),
        _ => (value / 86_400.0, "d"),
    };
    format!("{} s ({} {unit})", significant(value), significant(amount))
}

/// A quantity with an SI prefix: `1.25 MB`.
fn si(value: f64, unit: &str) -> String {
    let prefixes = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")];
    for (scale, prefix) in prefixes {
        if value.abs() >= scale {
            return format!("{} {prefix}{unit}", significant(value / scale));
        }
    }
    format!("{} {unit}", significant(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(significant(0.174_131_933_595), "0.174132");
        assert_eq!(significant(12_341.745), "12341.7");
        assert_eq!(significant(14.4), "14.4");
        assert_eq!(significant(1e-9), "1.00000e-9");
        assert_eq!(show_number(2592.0, Unit::Seconds), "2592 s (43.2 min)");
        assert_eq!(show_number(0.056, Unit::Seconds), "0.056 s (56 ms)");
        assert_eq!(
            show_number(0.999_999_75, Unit::Availability),
            "0.99999975 (99.999975%)"
        );
        assert_eq!(show_number(0.9994, Unit::Availability), "0.9994 (99.94%)");
        assert_eq!(show_number(125_000.0, Unit::Bytes), "125000 bytes (125 kB)");
        assert_eq!(show_number(0.457_645, Unit::Ratio), "0.457645 (45.76%)");
        assert_eq!(show_number(f64::INFINITY, Unit::Seconds), "unbounded");
    }

    #[test]
    fn json_keeps_the_order_and_writes_missing_numbers_as_null() {
        let report = Report::titled("t")
            .number("b", 1.5, Unit::Plain)
            .maybe("a", None, Unit::Plain)
            .count("c", 3)
            .rows("rows", vec![Report::default().text("x", "y")]);
        let json = serde_json::to_string(&report).unwrap();
        assert_eq!(json, r#"{"b":1.5,"a":null,"c":3,"rows":[{"x":"y"}]}"#);
    }

    #[test]
    fn human_output_aligns_keys() {
        let report = Report::titled("Title")
            .number("short", 1.0, Unit::Plain)
            .number("longer_key", 2.0, Unit::Plain);
        assert_eq!(report.human(), "Title\n\nshort       1\nlonger_key  2\n");
    }
}
