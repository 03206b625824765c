//! The crate's one error type.

use std::borrow::Cow;

/// Everything a formula can refuse. Arguments are named by the same `snake_case` names the
/// `lab calc` flags use (`arrival_rate` is `--arrival-rate`), so a caller can point at the
/// exact input to change. In every message, and only there, argument names are the words in
/// backticks: a front end can rewrite them into its own spelling.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An argument is outside the formula's domain.
    #[error("`{name}` {rule} (got {value})")]
    Domain {
        /// The argument, in `snake_case`.
        name: &'static str,
        /// The rule it breaks, as a phrase: "must be between 0 and 1".
        rule: Cow<'static, str>,
        /// The value it had.
        value: f64,
    },
    /// The offered load is at or above the capacity: the queue grows without bound.
    #[error("`{name}` gives a utilization of {utilization}; a queue is stable only below 1")]
    Unstable {
        /// The argument to change to bring the load under the capacity.
        name: &'static str,
        /// Offered load over capacity.
        utilization: f64,
    },
    /// The arguments, taken together, do not describe one problem.
    #[error("{0}")]
    Arguments(&'static str),
    /// A fit was given fewer points than it has parameters to estimate.
    #[error("a fit needs at least {needed} points with distinct concurrency, got {got}")]
    TooFewPoints {
        /// Points needed.
        needed: usize,
        /// Points given.
        got: usize,
    },
    /// A fit was given more points than it accepts.
    #[error("a fit accepts at most {max} points")]
    TooManyPoints {
        /// The bound.
        max: usize,
    },
    /// A line of measurements could not be read.
    #[error("line {line}: {reason}")]
    Csv {
        /// 1-based line number in the input.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// A duration, period or bit rate could not be parsed.
    #[error("`{name}`: cannot read \"{input}\": {reason}")]
    Parse {
        /// The argument, in `snake_case`.
        name: &'static str,
        /// The text as given.
        input: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An iterative search stopped at its bound without an answer.
    #[error("{what} (searched up to {bound})")]
    Unreachable {
        /// What could not be found.
        what: &'static str,
        /// The bound that stopped the search.
        bound: u64,
    },
    /// A cost profile field breaks a rule; both are named.
    #[error("invalid cost profile: `{field}` {rule}")]
    InvalidConfig {
        /// The field, as written in TOML.
        field: &'static str,
        /// The rule it breaks.
        rule: &'static str,
    },
    /// A chart cannot be drawn as described.
    #[error("cannot draw the chart: {0}")]
    Chart(Cow<'static, str>),
}

impl Error {
    /// The argument this error is about, when it is about one.
    #[must_use]
    pub fn argument(&self) -> Option<&'static str> {
        match self {
            Self::Domain { name, .. } | Self::Unstable { name, .. } | Self::Parse { name, .. } => {
                Some(name)
            }
            Self::InvalidConfig { field, .. } => Some(field),
            _ => None,
        }
    }

    pub(crate) fn domain(
        name: &'static str,
        rule: impl Into<Cow<'static, str>>,
        value: f64,
    ) -> Self {
        Self::Domain {
            name,
            rule: rule.into(),
            value,
        }
    }
}

/// Checks shared by every formula; each returns the value so calls chain.
pub(crate) mod check {
    use super::Error;

    /// A finite number at or above zero.
    pub(crate) fn non_negative(name: &'static str, value: f64) -> Result<f64, Error> {
        if value.is_finite() && value >= 0.0 {
            Ok(value)
        } else {
            Err(Error::domain(
                name,
                "must be a finite number at or above 0",
                value,
            ))
        }
    }

    /// A finite number above zero.
    pub(crate) fn positive(name: &'static str, value: f64) -> Result<f64, Error> {
        if value.is_finite() && value > 0.0 {
            Ok(value)
        } else {
            Err(Error::domain(
                name,
                "must be a finite number above 0",
                value,
            ))
        }
    }

    /// A probability: between 0 and 1, both included.
    pub(crate) fn probability(name: &'static str, value: f64) -> Result<f64, Error> {
        if (0.0..=1.0).contains(&value) {
            Ok(value)
        } else {
            Err(Error::domain(name, "must be between 0 and 1", value))
        }
    }

    /// A fraction strictly between 0 and 1, for objectives and percentiles that are
    /// meaningless at either end.
    pub(crate) fn open_unit(name: &'static str, value: f64) -> Result<f64, Error> {
        if value > 0.0 && value < 1.0 {
            Ok(value)
        } else {
            Err(Error::domain(
                name,
                "must be strictly between 0 and 1",
                value,
            ))
        }
    }
}
