//! Line charts for pages, drawn on the server: the plot is an inline `<svg>` that stretches
//! to its box (strokes keep their width), and the axis labels are HTML beside it, evenly
//! spaced like the grid lines, so they stay readable at any width. Colours come from CSS
//! classes: the CSP allows no inline styles, and the brand colour is a custom property.

use serde::Serialize;

/// The plot's own coordinate system (stretched to fit by the browser).
const W: f64 = 600.0;
const H: f64 = 200.0;
/// Grid lines (and y labels) from the bottom to the top.
const STEPS: usize = 4;

#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    pub id: String,
    /// Read by screen readers as the chart's name and description.
    pub title: String,
    pub desc: String,
    pub view_box: String,
    /// Horizontal grid lines' y coordinates.
    pub grid: Vec<f64>,
    /// y-axis labels, top first.
    pub y_labels: Vec<String>,
    /// x-axis labels: first, middle and last day.
    pub x_labels: Vec<String>,
    pub series: Vec<Line>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Line {
    /// `s0`, `s1` …: the colour class.
    pub class: String,
    pub label: String,
    pub path: String,
    /// The area under the first series, when filled.
    pub area: Option<String>,
    pub dashed: bool,
}

/// One series: its label, values (one per day) and whether it is drawn dashed.
pub struct Series<'a> {
    pub label: &'a str,
    pub values: Vec<f64>,
    pub dashed: bool,
}

/// Round steps, smallest first, from a tenth of `range` / `STEPS` up: 1, 2, 2.5, 5 × 10ⁿ.
fn nice_steps(range: f64) -> impl Iterator<Item = f64> {
    let raw = (range / STEPS as f64).max(f64::EPSILON);
    let magnitude = 10f64.powf(raw.log10().floor());
    (0..4).flat_map(move |p| [1.0, 2.0, 2.5, 5.0].map(|m| m * magnitude * 10f64.powi(p))).filter(move |s| *s >= raw)
}

/// The axis range: the tightest `STEPS` round steps that cover the values, starting at a
/// multiple of the step. Values stay within `bounds` when given (0–100 for percentages).
fn axis(lo: f64, hi: f64, bounds: Option<(f64, f64)>) -> (f64, f64) {
    let (mut lo, mut hi) = (lo.min(hi), hi.max(lo));
    if hi - lo < 1.0 {
        lo -= 1.0;
        hi += 1.0;
    }
    for step in nice_steps(hi - lo) {
        let span = step * STEPS as f64;
        let mut start = (lo / step).floor() * step;
        if let Some((min, max)) = bounds {
            start = start.max(min).min(max - span).max(min);
        }
        if start + span >= hi - 1e-9 && start <= lo + 1e-9 {
            return (start, start + span);
        }
    }
    (lo, hi)
}

/// `25 Nov` from `2026-11-25`.
fn short_day(day: &str) -> String {
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let mut parts = day.split('-').skip(1);
    match (parts.next().and_then(|m| m.parse::<usize>().ok()), parts.next().and_then(|d| d.parse::<u32>().ok())) {
        (Some(m @ 1..=12), Some(d)) => format!("{d} {}", months[m - 1]),
        _ => day.to_string(),
    }
}

/// A chart of `series` over `days`, with the y axis labelled by `label`. `None` when there
/// are fewer than two days to draw.
pub fn line_chart(
    id: &str,
    title: &str,
    desc: String,
    days: &[String],
    series: &[Series<'_>],
    bounds: Option<(f64, f64)>,
    label: impl Fn(f64) -> String,
) -> Option<Chart> {
    if days.len() < 2 || series.is_empty() {
        return None;
    }
    let all = series.iter().flat_map(|s| s.values.iter().copied());
    let (lo, hi) = all.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (lo, hi) = axis(lo, hi, bounds);
    let x = |i: usize| i as f64 * W / (days.len() - 1) as f64;
    let y = |v: f64| H - (v - lo) / (hi - lo) * H;
    let lines = series
        .iter()
        .enumerate()
        .map(|(n, s)| {
            let points: Vec<String> =
                s.values.iter().enumerate().map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v))).collect();
            let path = format!("M{}", points.join(" L"));
            Line {
                class: format!("s{n}"),
                label: s.label.to_string(),
                area: (n == 0).then(|| format!("{path} L{W:.1},{H:.1} L0,{H:.1} Z")),
                path,
                dashed: s.dashed,
            }
        })
        .collect();
    let step = (hi - lo) / STEPS as f64;
    Some(Chart {
        id: id.to_string(),
        title: title.to_string(),
        desc,
        view_box: format!("0 0 {W} {H}"),
        grid: (0..=STEPS).map(|i| H * i as f64 / STEPS as f64).collect(),
        y_labels: (0..=STEPS).rev().map(|i| label(lo + step * i as f64)).collect(),
        x_labels: [0, (days.len() - 1) / 2, days.len() - 1].iter().map(|i| short_day(&days[*i])).collect(),
        series: lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_are_round_and_cover_the_values() {
        assert_eq!(axis(190.0, 218.0, None), (190.0, 230.0));
        assert_eq!(axis(299.0, 393.0, None), (250.0, 450.0));
        assert_eq!(axis(51.0, 63.5, Some((0.0, 100.0))), (50.0, 70.0));
        assert_eq!(axis(97.0, 99.5, Some((0.0, 100.0))), (96.0, 100.0));
        assert_eq!(axis(5.0, 5.0, None), (4.0, 6.0));
        let (lo, hi) = axis(0.0, 10_003.0, None);
        assert!(lo <= 0.0 && hi >= 10_003.0);
    }

    #[test]
    fn draws_a_path_per_series() {
        let days: Vec<String> = ["2026-08-28", "2026-10-12", "2026-11-25"].map(String::from).to_vec();
        let c = line_chart(
            "t",
            "Trend",
            "d".into(),
            &days,
            &[Series { label: "A", values: vec![1.0, 2.0, 3.0], dashed: false }],
            None,
            |v| format!("{v}"),
        )
        .unwrap();
        assert_eq!(c.x_labels, ["28 Aug", "12 Oct", "25 Nov"]);
        assert!(c.series[0].path.starts_with("M0.0,"));
        assert_eq!(c.y_labels.len(), STEPS + 1);
        assert!(line_chart("t", "T", "d".into(), &days[..1], &[], None, |v| v.to_string()).is_none());
    }
}
