//! A small SVG chart writer: lines, dashed lines and points on linear axes, with a title, axis
//! labels, "nice" ticks, a light grid and a legend.
//!
//! The output is plain, deterministic SVG 1.1 (coordinates rounded to hundredths), so a chart
//! regenerated from the same inputs is byte-for-byte the same file and diffs cleanly. Colours
//! are the Okabe-Ito palette, distinguishable with the common colour-vision deficiencies.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::Error;

/// The most series a chart may hold.
pub const SERIES_MAX: usize = 16;
/// The most points a series may hold.
pub const SERIES_POINTS_MAX: usize = 100_000;

const WIDTH: f64 = 800.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = WIDTH - 30.0;
const TOP: f64 = 50.0;
const BOTTOM: f64 = 400.0;
/// The legend sits under the x axis label, in rows of this height.
const LEGEND_TOP: f64 = BOTTOM + 72.0;
const LEGEND_ROW: f64 = 22.0;
/// A conservative average advance of a 13 px sans-serif character, to wrap legend rows.
const LEGEND_CHAR_WIDTH: f64 = 7.5;
const TICKS_TARGET: f64 = 6.0;
const FONT: &str = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";
const PALETTE: [&str; 7] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
];

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A solid line through the points, in order.
    Line,
    /// A dashed line: references and asymptotes.
    Dashed,
    /// A marker at each point: measurements.
    Points,
}

/// One named series of `(x, y)` points.
#[derive(Debug, Clone, PartialEq)]
struct Series {
    name: String,
    style: Style,
    points: Vec<(f64, f64)>,
}

/// A chart: build it with [`Chart::new`] and the series methods, then write it with
/// [`Chart::to_svg`].
///
/// ```
/// use formulas::Chart;
///
/// let svg = Chart::new("Response time", "utilization", "R / S")
///     .line("M/M/1", (0..10).map(|i| { let rho = f64::from(i) / 10.0; (rho, 1.0 / (1.0 - rho)) }))
///     .to_svg()?;
/// assert!(svg.starts_with("<svg"));
/// assert!(svg.contains("M/M/1"));
/// # Ok::<(), formulas::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    title: String,
    x_label: String,
    y_label: String,
    series: Vec<Series>,
    x_range: Option<(f64, f64)>,
    y_range: Option<(f64, f64)>,
}

impl Chart {
    /// An empty chart with a title and axis labels.
    #[must_use]
    pub fn new(
        title: impl Into<String>,
        x_label: impl Into<String>,
        y_label: impl Into<String>,
    ) -> Self {
        Self {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            series: Vec::new(),
            x_range: None,
            y_range: None,
        }
    }

    /// Adds a solid line.
    #[must_use]
    pub fn line(
        self,
        name: impl Into<String>,
        points: impl IntoIterator<Item = (f64, f64)>,
    ) -> Self {
        self.with(name, Style::Line, points)
    }

    /// Adds a dashed line.
    #[must_use]
    pub fn dashed(
        self,
        name: impl Into<String>,
        points: impl IntoIterator<Item = (f64, f64)>,
    ) -> Self {
        self.with(name, Style::Dashed, points)
    }

    /// Adds markers.
    #[must_use]
    pub fn points(
        self,
        name: impl Into<String>,
        points: impl IntoIterator<Item = (f64, f64)>,
    ) -> Self {
        self.with(name, Style::Points, points)
    }

    fn with(
        mut self,
        name: impl Into<String>,
        style: Style,
        points: impl IntoIterator<Item = (f64, f64)>,
    ) -> Self {
        // Keep one point past the bound so `to_svg` can report the overflow instead of
        // silently dropping the rest.
        let points = points.into_iter().take(SERIES_POINTS_MAX + 1).collect();
        self.series.push(Series {
            name: name.into(),
            style,
            points,
        });
        self
    }

    /// Fixes the x axis instead of fitting it to the data.
    #[must_use]
    pub fn x_range(mut self, min: f64, max: f64) -> Self {
        self.x_range = Some((min, max));
        self
    }

    /// Fixes the y axis instead of fitting it to the data; lines leaving it are clipped.
    #[must_use]
    pub fn y_range(mut self, min: f64, max: f64) -> Self {
        self.y_range = Some((min, max));
        self
    }

    /// Writes the chart as an SVG document.
    pub fn to_svg(&self) -> Result<String, Error> {
        self.check()?;
        let x_axis = Axis::new(
            self.x_range,
            self.series
                .iter()
                .flat_map(|s| s.points.iter().map(|p| p.0)),
            false,
        )?;
        let y_axis = Axis::new(
            self.y_range,
            self.series
                .iter()
                .flat_map(|s| s.points.iter().map(|p| p.1)),
            true,
        )?;
        let frame = Frame {
            x: x_axis,
            y: y_axis,
        };
        let legend = self.legend_positions();
        let height = legend.last().map_or(LEGEND_TOP, |&(_, y)| y) + LEGEND_ROW;
        let mut svg = String::new();
        self.write_header(&mut svg, height);
        frame.write_grid(&mut svg);
        self.write_series(&mut svg, &frame);
        frame.write_axes(&mut svg);
        self.write_labels(&mut svg);
        self.write_legend(&mut svg, &legend);
        svg.push_str("</svg>\n");
        Ok(svg)
    }

    fn check(&self) -> Result<(), Error> {
        if self.series.is_empty() {
            return Err(Error::Chart("it has no series".into()));
        }
        if self.series.len() > SERIES_MAX {
            return Err(Error::Chart(
                format!("it has more than {SERIES_MAX} series").into(),
            ));
        }
        for series in &self.series {
            let problem = if series.points.is_empty() {
                "has no points"
            } else if series.points.len() > SERIES_POINTS_MAX {
                "has more points than a series may hold"
            } else if series
                .points
                .iter()
                .any(|(x, y)| !x.is_finite() || !y.is_finite())
            {
                "has a point that is not a finite number"
            } else {
                continue;
            };
            return Err(Error::Chart(Cow::Owned(format!(
                "series \"{}\" {problem}",
                series.name
            ))));
        }
        Ok(())
    }

    fn write_header(&self, svg: &mut String, height: f64) {
        let title = escape(&self.title);
        let _ = writeln!(
            svg,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" \
             viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"{title}\" \
             font-family=\"{FONT}\">"
        );
        let _ = writeln!(svg, "<title>{title}</title>");
        let _ = writeln!(
            svg,
            "<rect width=\"{WIDTH}\" height=\"{height}\" fill=\"#ffffff\"/>"
        );
        let _ = writeln!(
            svg,
            "<defs><clipPath id=\"plot-area\"><rect x=\"{LEFT}\" y=\"{TOP}\" width=\"{}\" height=\"{}\"/></clipPath></defs>",
            RIGHT - LEFT,
            BOTTOM - TOP
        );
    }

    fn write_series(&self, svg: &mut String, frame: &Frame) {
        svg.push_str("<g clip-path=\"url(#plot-area)\">\n");
        // Lines first, so measurements are drawn on top of the curves through them; colours
        // follow the series' order either way.
        let lines = self
            .series
            .iter()
            .enumerate()
            .filter(|(_, s)| s.style != Style::Points);
        let points = self
            .series
            .iter()
            .enumerate()
            .filter(|(_, s)| s.style == Style::Points);
        for (index, series) in lines.chain(points) {
            let colour = PALETTE[index % PALETTE.len()];
            match series.style {
                Style::Line | Style::Dashed => {
                    let dash = if series.style == Style::Dashed {
                        " stroke-dasharray=\"7 5\""
                    } else {
                        ""
                    };
                    let mut coordinates = String::new();
                    for &(x, y) in &series.points {
                        let _ = write!(
                            coordinates,
                            "{:.2},{:.2} ",
                            frame.x.pixel(x),
                            frame.y.pixel(y)
                        );
                    }
                    let _ = writeln!(
                        svg,
                        "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2.5\" \
                         stroke-linejoin=\"round\"{dash} points=\"{}\"/>",
                        coordinates.trim_end()
                    );
                }
                Style::Points => {
                    for &(x, y) in &series.points {
                        let _ = writeln!(
                            svg,
                            "<circle cx=\"{:.2}\" cy=\"{:.2}\" r=\"4.5\" fill=\"{colour}\" stroke=\"#ffffff\" stroke-width=\"1.5\"/>",
                            frame.x.pixel(x),
                            frame.y.pixel(y)
                        );
                    }
                }
            }
        }
        svg.push_str("</g>\n");
    }

    fn write_labels(&self, svg: &mut String) {
        let centre = f64::midpoint(LEFT, RIGHT);
        let page_centre = WIDTH / 2.0;
        let _ = writeln!(
            svg,
            "<text x=\"{page_centre:.2}\" y=\"30\" text-anchor=\"middle\" font-size=\"17\" font-weight=\"600\" fill=\"#111111\">{}</text>",
            escape(&self.title)
        );
        let _ = writeln!(
            svg,
            "<text x=\"{centre:.2}\" y=\"{:.2}\" text-anchor=\"middle\" font-size=\"14\" fill=\"#222222\">{}</text>",
            BOTTOM + 45.0,
            escape(&self.x_label)
        );
        let middle = f64::midpoint(TOP, BOTTOM);
        let _ = writeln!(
            svg,
            "<text transform=\"translate(22 {middle:.2}) rotate(-90)\" text-anchor=\"middle\" font-size=\"14\" fill=\"#222222\">{}</text>",
            escape(&self.y_label)
        );
    }

    /// Where each legend entry goes: left to right under the plot, wrapping into rows.
    fn legend_positions(&self) -> Vec<(f64, f64)> {
        let mut positions = Vec::with_capacity(self.series.len());
        let (mut x, mut y) = (LEFT, LEGEND_TOP);
        for series in &self.series {
            let width = 32.0 + LEGEND_CHAR_WIDTH * series.name.chars().count() as f64 + 24.0;
            if x > LEFT && x + width > RIGHT {
                x = LEFT;
                y += LEGEND_ROW;
            }
            positions.push((x, y));
            x += width;
        }
        positions
    }

    fn write_legend(&self, svg: &mut String, positions: &[(f64, f64)]) {
        for (index, (series, &(x, y))) in self.series.iter().zip(positions).enumerate() {
            let colour = PALETTE[index % PALETTE.len()];
            match series.style {
                Style::Points => {
                    let _ = writeln!(
                        svg,
                        "<circle cx=\"{:.2}\" cy=\"{y:.2}\" r=\"4.5\" fill=\"{colour}\"/>",
                        x + 12.0
                    );
                }
                Style::Line | Style::Dashed => {
                    let dash = if series.style == Style::Dashed {
                        " stroke-dasharray=\"7 5\""
                    } else {
                        ""
                    };
                    let _ = writeln!(
                        svg,
                        "<line x1=\"{x:.2}\" y1=\"{y:.2}\" x2=\"{:.2}\" y2=\"{y:.2}\" stroke=\"{colour}\" stroke-width=\"2.5\"{dash}/>",
                        x + 24.0
                    );
                }
            }
            let _ = writeln!(
                svg,
                "<text x=\"{:.2}\" y=\"{:.2}\" font-size=\"13\" fill=\"#222222\">{}</text>",
                x + 32.0,
                y + 4.5,
                escape(&series.name)
            );
        }
    }
}

/// One axis: its range, chosen so the ticks fall on round numbers, and where the pixels go.
#[derive(Debug, Clone, Copy)]
struct Axis {
    min: f64,
    max: f64,
    step: f64,
    vertical: bool,
}

impl Axis {
    /// An axis over `fixed` if given, else over the data, widened to whole tick steps. A
    /// fitted y axis starts at zero for data that never goes negative: a chart that does not
    /// start at zero exaggerates differences.
    fn new(
        fixed: Option<(f64, f64)>,
        values: impl Iterator<Item = f64>,
        vertical: bool,
    ) -> Result<Self, Error> {
        if let Some((min, max)) = fixed {
            if !(min.is_finite() && max.is_finite() && min < max) {
                return Err(Error::Chart(Cow::Owned(format!(
                    "the axis range {min}..{max} is empty or not finite"
                ))));
            }
            return Ok(Self {
                min,
                max,
                step: nice_step((max - min) / TICKS_TARGET),
                vertical,
            });
        }
        let (mut min, mut max) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        if vertical && min >= 0.0 {
            min = 0.0;
        }
        if max - min <= f64::EPSILON * max.abs().max(1.0) {
            let pad = (max.abs() * 0.1).max(1.0);
            min -= pad;
            max += pad;
        }
        let step = nice_step((max - min) / TICKS_TARGET);
        Ok(Self {
            min: (min / step).floor() * step,
            max: (max / step).ceil() * step,
            step,
            vertical,
        })
    }

    fn pixel(self, value: f64) -> f64 {
        let fraction = (value - self.min) / (self.max - self.min);
        if self.vertical {
            BOTTOM - fraction * (BOTTOM - TOP)
        } else {
            LEFT + fraction * (RIGHT - LEFT)
        }
    }

    /// The tick values inside the range.
    fn ticks(self) -> impl Iterator<Item = f64> {
        let first = (self.min / self.step).ceil() as i64;
        let last = (self.max / self.step).floor() as i64;
        (first..=last).map(move |k| k as f64 * self.step)
    }

    /// A tick's label with as many decimals as the step needs, and no "-0".
    fn label(self, value: f64) -> String {
        let decimals = (-self.step.log10().floor()).max(0.0) as usize;
        let text = format!("{value:.decimals$}");
        if text
            .trim_start_matches('-')
            .chars()
            .all(|c| c == '0' || c == '.')
        {
            text.trim_start_matches('-').to_owned()
        } else {
            text
        }
    }
}

/// The round step (1, 2 or 5 times a power of ten) nearest above `rough`.
fn nice_step(rough: f64) -> f64 {
    let magnitude = 10f64.powf(rough.log10().floor());
    let mantissa = rough / magnitude;
    let nice = if mantissa <= 1.0 {
        1.0
    } else if mantissa <= 2.0 {
        2.0
    } else if mantissa <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

struct Frame {
    x: Axis,
    y: Axis,
}

impl Frame {
    fn write_grid(&self, svg: &mut String) {
        svg.push_str("<g stroke=\"#e6e6e6\" stroke-width=\"1\">\n");
        for x in self.x.ticks() {
            let px = self.x.pixel(x);
            let _ = writeln!(
                svg,
                "<line x1=\"{px:.2}\" y1=\"{TOP}\" x2=\"{px:.2}\" y2=\"{BOTTOM}\"/>"
            );
        }
        for y in self.y.ticks() {
            let py = self.y.pixel(y);
            let _ = writeln!(
                svg,
                "<line x1=\"{LEFT}\" y1=\"{py:.2}\" x2=\"{RIGHT}\" y2=\"{py:.2}\"/>"
            );
        }
        svg.push_str("</g>\n");
    }

    fn write_axes(&self, svg: &mut String) {
        let _ = writeln!(
            svg,
            "<path d=\"M{LEFT} {TOP} V{BOTTOM} H{RIGHT}\" fill=\"none\" stroke=\"#444444\" stroke-width=\"1.2\"/>"
        );
        svg.push_str("<g font-size=\"12\" fill=\"#333333\">\n");
        for x in self.x.ticks() {
            let _ = writeln!(
                svg,
                "<text x=\"{:.2}\" y=\"{:.2}\" text-anchor=\"middle\">{}</text>",
                self.x.pixel(x),
                BOTTOM + 18.0,
                self.x.label(x)
            );
        }
        for y in self.y.ticks() {
            let _ = writeln!(
                svg,
                "<text x=\"{:.2}\" y=\"{:.2}\" text-anchor=\"end\">{}</text>",
                LEFT - 8.0,
                self.y.pixel(y) + 4.0,
                self.y.label(y)
            );
        }
        svg.push_str("</g>\n");
    }
}

/// Escapes text for SVG content and attribute values.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_one_two_or_five_times_a_power_of_ten() {
        for (rough, nice) in [
            (0.13, 0.2),
            (0.9, 1.0),
            (3.0, 5.0),
            (7.0, 10.0),
            (1200.0, 2000.0),
            (0.00041, 0.0005),
        ] {
            assert!((nice_step(rough) - nice).abs() < 1e-12 * nice, "{rough}");
        }
    }

    #[test]
    fn labels_have_the_decimals_the_step_needs_and_no_negative_zero() {
        let axis = Axis {
            min: -0.5,
            max: 0.5,
            step: 0.1,
            vertical: false,
        };
        assert_eq!(axis.label(-0.0), "0.0");
        assert_eq!(axis.label(0.3), "0.3");
        let coarse = Axis {
            step: 500.0,
            ..axis
        };
        assert_eq!(coarse.label(1500.0), "1500");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a < b & \"c\""), "a &lt; b &amp; &quot;c&quot;");
    }
}
