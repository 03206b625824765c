//! The SVG writer and the three figures: structure, determinism, refusals.

use formulas::{Chart, Error, correlation_chart, fit_usl, response_time_chart, usl_chart};

use crate::data_set;

/// Every opened element is closed, in order: a cheap well-formedness check that needs no XML
/// parser.
fn assert_well_formed(svg: &str) {
    let mut open: Vec<&str> = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find('<') {
        let end = start + rest[start..].find('>').expect("a tag is closed by >");
        let tag = &rest[start + 1..end];
        rest = &rest[end + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(open.pop(), Some(name), "mismatched </{name}>");
        } else if !tag.ends_with('/') {
            open.push(tag.split_whitespace().next().expect("a tag has a name"));
        }
    }
    assert!(open.is_empty(), "unclosed: {open:?}");
}

#[test]
fn a_chart_is_well_formed_svg_with_its_labels_escaped() {
    let svg = Chart::new("R <vs> ρ & friends", "utilization", "R / S")
        .line(
            "M/M/1",
            (0..50).map(|i| (f64::from(i) / 50.0, 1.0 / (1.0 - f64::from(i) / 50.0))),
        )
        .points("measured", [(0.5, 2.1), (0.8, 4.9)])
        .dashed("S", [(0.0, 1.0), (1.0, 1.0)])
        .to_svg()
        .unwrap();
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains("R &lt;vs&gt; ρ &amp; friends"));
    assert!(svg.contains("stroke-dasharray"));
    assert_eq!(
        svg.matches("<circle").count(),
        2 + 1,
        "two markers and a legend swatch"
    );
    assert_well_formed(&svg);
}

#[test]
fn the_same_chart_is_the_same_file() {
    let chart = || Chart::new("t", "x", "y").line("a", [(0.0, 0.0), (1.0, 2.0)]);
    assert_eq!(chart().to_svg().unwrap(), chart().to_svg().unwrap());
}

#[test]
fn charts_that_cannot_be_drawn_are_refused_with_the_reason() {
    let empty = Chart::new("t", "x", "y").to_svg().unwrap_err();
    assert!(matches!(empty, Error::Chart(_)));
    let bad = Chart::new("t", "x", "y")
        .line("curve", [(0.0, f64::NAN)])
        .to_svg()
        .unwrap_err();
    assert!(bad.to_string().contains("series \"curve\""), "{bad}");
    let no_points = Chart::new("t", "x", "y")
        .line("curve", [])
        .to_svg()
        .unwrap_err();
    assert!(no_points.to_string().contains("no points"), "{no_points}");
    let range = Chart::new("t", "x", "y")
        .line("a", [(0.0, 1.0)])
        .x_range(1.0, 1.0)
        .to_svg()
        .unwrap_err();
    assert!(range.to_string().contains("empty"), "{range}");
    let many = (0..17).fold(Chart::new("t", "x", "y"), |chart, i| {
        chart.line(format!("s{i}"), [(0.0, 1.0)])
    });
    assert!(many.to_svg().is_err());
}

#[test]
fn the_usl_figure_shows_points_fit_and_peak() {
    let points = data_set("specsdm91.csv");
    let fit = fit_usl(&points).unwrap();
    let svg = usl_chart("SPEC SDM91", &fit, &points).to_svg().unwrap();
    assert_eq!(svg.matches("<circle").count(), points.len() + 1);
    assert!(
        svg.contains("peak at N = 96.52"),
        "the legend names the peak"
    );
    assert!(svg.contains("α = 0.02773"));
    assert_well_formed(&svg);
}

#[test]
fn the_response_time_figure_has_one_curve_per_server_count() {
    let svg = response_time_chart(&[1, 2, 4, 8], None)
        .unwrap()
        .to_svg()
        .unwrap();
    for name in ["M/M/1", "M/M/2", "M/M/4", "M/M/8"] {
        assert!(svg.contains(&format!(">{name}</text>")), "{name}");
    }
    assert_eq!(svg.matches("<polyline").count(), 4);
    assert_well_formed(&svg);
}

#[test]
fn the_correlation_figure_compares_with_one_component() {
    let svg = correlation_chart(0.99, 0.99).unwrap().to_svg().unwrap();
    assert!(svg.contains("Components at 99% and 99%"));
    assert!(svg.contains("the better component alone"));
    assert_well_formed(&svg);
    assert_eq!(
        correlation_chart(1.0, 0.99).unwrap_err().argument(),
        Some("availability")
    );
}

#[test]
fn without_coherency_cost_the_usl_figure_shows_the_amdahl_ceiling() {
    let points = data_set("raytracer.csv");
    let fit = fit_usl(&points).unwrap();
    let svg = usl_chart("raytracer", &fit, &points).to_svg().unwrap();
    assert!(
        svg.contains("ceiling γ/α = 378.2"),
        "the legend names the ceiling"
    );
    assert!(!svg.contains("peak at"));
}
