//! The charts where a curve says more than a number: a fitted USL against its measurements,
//! response time against utilisation, and availability against failure correlation.

use crate::Error;
use crate::availability::{CorrelatedPair, nines};
use crate::fit::{Point, UslFit};
use crate::plot::Chart;
use crate::queueing::Mmc;

/// Samples per curve: smooth at the chart's width, small in the file.
const SAMPLES: u32 = 240;

/// The measurements, the fitted curve, linear scaling `gamma N` for reference, and the peak
/// (or, with no coherency cost and so no peak, the Amdahl ceiling `gamma / alpha`).
///
/// The x axis runs past the last measurement (to half as far again as the peak, within four
/// times the last measurement) so the retrograde part of the curve shows.
#[must_use]
pub fn usl_chart(title: &str, fit: &UslFit, points: &[Point]) -> Chart {
    let usl = fit.model;
    let n_last = points.iter().map(|p| p.n).fold(1.0, f64::max);
    let n_end = usl
        .peak_n()
        .map_or(n_last * 1.25, |peak| (peak * 1.5).min(n_last * 4.0))
        .max(n_last * 1.25);
    let x_measured_max = points.iter().map(|p| p.throughput).fold(0.0, f64::max);
    let curve = sample(1.0, n_end, |n| usl.throughput(n));
    let ceiling = usl.peak_n().map_or(usl.limit_throughput(), |_| None);
    let y_top = curve
        .iter()
        .map(|p| p.1)
        .chain(ceiling)
        .fold(x_measured_max, f64::max)
        * 1.15;
    let mut chart = Chart::new(title, "concurrency N", "throughput X(N)")
        .x_range(0.0, n_end)
        .y_range(0.0, y_top)
        .points("measured", points.iter().map(|p| (p.n, p.throughput)))
        .line(
            format!(
                "USL fit: \u{3b1} = {}, \u{3b2} = {}",
                significant(usl.alpha()),
                significant(usl.beta())
            ),
            curve,
        )
        .dashed(
            "linear scaling \u{3b3}N",
            [(0.0, 0.0), (n_end, usl.gamma() * n_end)],
        );
    if let (Some(peak), Some(top)) = (usl.peak_n(), usl.peak_throughput())
        && peak <= n_end
    {
        chart = chart.dashed(
            format!("peak at N = {}", significant(peak)),
            [(peak, 0.0), (peak, top)],
        );
    }
    if let Some(limit) = ceiling {
        chart = chart.dashed(
            format!("ceiling \u{3b3}/\u{3b1} = {}", significant(limit)),
            [(0.0, limit), (n_end, limit)],
        );
    }
    chart
}

/// Mean response time against per-server utilisation for M/M/c with each of `servers`, on
/// the same service time. In seconds when `service_time_seconds` is given, else in multiples
/// of the service time. The y axis stops at ten service times; the curves leave it as they
/// climb towards saturation.
pub fn response_time_chart(
    servers: &[u32],
    service_time_seconds: Option<f64>,
) -> Result<Chart, Error> {
    let service_time = service_time_seconds.unwrap_or(1.0);
    let y_label = if service_time_seconds.is_some() {
        "mean response time (s)"
    } else {
        "mean response time / service time"
    };
    let mut chart = Chart::new(
        "Response time against utilization: M/M/1 and M/M/c",
        "utilization of each server \u{3c1}",
        y_label,
    )
    .x_range(0.0, 1.0)
    .y_range(0.0, 10.0 * service_time);
    for &c in servers {
        let mut curve = Vec::new();
        for i in 0..=SAMPLES {
            let rho = 0.99 * f64::from(i) / f64::from(SAMPLES);
            curve.push((
                rho,
                Mmc::from_utilization(c, rho)?.response_time(service_time)?,
            ));
        }
        let name = if c == 1 {
            "M/M/1".to_owned()
        } else {
            format!("M/M/{c}")
        };
        chart = chart.line(name, curve);
    }
    Ok(chart)
}

/// Availability, in nines, of two components in parallel and in series against the
/// correlation between their outages, from independence to the highest correlation their
/// availabilities allow; one component alone for reference.
pub fn correlation_chart(a1: f64, a2: f64) -> Result<Chart, Error> {
    let (_, highest) = CorrelatedPair::correlation_bounds(a1, a2);
    let mut parallel = Vec::new();
    let mut series = Vec::new();
    for i in 0..=SAMPLES {
        // Denser near independence, where a little correlation costs the most nines.
        let t = f64::from(i) / f64::from(SAMPLES);
        let rho = highest * t * t;
        let pair = CorrelatedPair::new(a1, a2, rho)?;
        parallel.push((rho, nines(pair.parallel_availability())?));
        series.push((rho, nines(pair.series_availability())?));
    }
    if parallel.iter().any(|p| !p.1.is_finite()) {
        return Err(Error::domain(
            "availability",
            "must be below 1 to draw: a component that never fails has infinite nines",
            a1.max(a2),
        ));
    }
    let best = nines(a1.max(a2))?;
    let y_top = (parallel[0].1.max(best) + 0.5).ceil();
    let title = format!(
        "Components at {} and {}: availability against correlated outages",
        percent(a1),
        percent(a2)
    );
    Ok(Chart::new(
        title,
        "correlation between the two components' outages",
        "availability in nines (3 = 99.9%)",
    )
    .x_range(0.0, highest)
    .y_range(0.0, y_top)
    .line("in parallel (up if either is up)", parallel)
    .line("in series (up if both are up)", series)
    .dashed("the better component alone", [(0.0, best), (highest, best)]))
}

/// `SAMPLES + 1` points of `f` from `start` to `end`.
fn sample(start: f64, end: f64, f: impl Fn(f64) -> f64) -> Vec<(f64, f64)> {
    (0..=SAMPLES)
        .map(|i| {
            let x = start + (end - start) * f64::from(i) / f64::from(SAMPLES);
            (x, f(x))
        })
        .collect()
}

/// Four significant digits, without trailing zeros.
fn significant(value: f64) -> String {
    if value == 0.0 {
        return "0".to_owned();
    }
    let decimals = (3 - value.abs().log10().floor() as i32).max(0) as usize;
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// An availability as a percentage with the digits it needs: 99.95%.
fn percent(availability: f64) -> String {
    format!(
        "{}%",
        significant(availability * 100.0).trim_end_matches(".0")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn significant_digits() {
        assert_eq!(significant(0.027_728_5), "0.02773");
        assert_eq!(significant(0.000_104_4), "0.0001044");
        assert_eq!(significant(89.995), "90");
        assert_eq!(significant(96.52), "96.52");
        assert_eq!(percent(0.9995), "99.95%");
        assert_eq!(percent(0.99), "99%");
    }
}
