//! The small inline SVG report.html shows for a timing comparison: each
//! group's answer times as a strip of dots on one millisecond axis, with
//! its median marked, so a reader sees at a glance whether the two
//! overlap. Built from numbers and fixed labels only (nothing the target
//! sent), so it is safe to embed as it is.
use std::fmt::Write as _;

use crate::model::TimingRecord;

const WIDTH: f64 = 560.0;
const LEFT: f64 = 90.0;
const RIGHT: f64 = 20.0;
const ROWS: [f64; 2] = [30.0, 62.0];
const AXIS: f64 = 86.0;
const HEIGHT: f64 = 108.0;

/// A round step for about five ticks over `span` ms.
fn tick_step(span: f64) -> f64 {
    let raw = (span / 5.0).max(1e-3);
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * magnitude).find(|s| *s >= raw).unwrap_or(10.0 * magnitude)
}

/// The SVG for `t`; outliers past the 98th percentile are drawn at the
/// right edge as open circles, so one pause does not squash the rest.
pub fn svg(t: &TimingRecord) -> String {
    let mut all: Vec<f64> = t.first_ms.iter().chain(&t.second_ms).copied().filter(|v| v.is_finite()).collect();
    all.sort_by(f64::total_cmp);
    if all.is_empty() {
        return String::new();
    }
    let lo = 0f64.min(all[0]);
    let cut = all[((all.len() - 1) as f64 * 0.98).round() as usize].max(lo + 1.0);
    let x = |v: f64| LEFT + (v.min(cut) - lo) / (cut - lo) * (WIDTH - LEFT - RIGHT);
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="timing" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img">"#
    );
    let (m1, m2) = t.medians();
    for ((label, values, median), y) in
        [(&t.first, &t.first_ms, m1), (&t.second, &t.second_ms, m2)].into_iter().zip(ROWS)
    {
        let class = if y == ROWS[0] { "a" } else { "b" };
        let _ = write!(s, r#"<text x="4" y="{}" class="label">{}</text>"#, y + 4.0, label_text(label));
        for (i, v) in values.iter().enumerate() {
            // A little vertical jitter, by index, so equal times stay visible.
            let dy = ((i % 5) as f64 - 2.0) * 2.5;
            let fill = if *v > cut { "none" } else { "currentColor" };
            let _ = write!(
                s,
                r#"<circle class="{class}" cx="{:.1}" cy="{:.1}" r="2.5" fill="{fill}" stroke="currentColor" fill-opacity="0.45"/>"#,
                x(*v),
                y + dy
            );
        }
        let _ = write!(
            s,
            r#"<line class="{class}" x1="{0:.1}" x2="{0:.1}" y1="{1}" y2="{2}" stroke="currentColor" stroke-width="2"/>"#,
            x(median),
            y - 10.0,
            y + 10.0
        );
    }
    let _ = write!(s, r##"<line x1="{LEFT}" x2="{}" y1="{AXIS}" y2="{AXIS}" stroke="#888"/>"##, WIDTH - RIGHT);
    let step = tick_step(cut - lo);
    let mut tick = (lo / step).ceil() * step;
    while tick <= cut + 1e-9 {
        let _ = write!(
            s,
            r##"<line x1="{0:.1}" x2="{0:.1}" y1="{AXIS}" y2="{1}" stroke="#888"/><text x="{0:.1}" y="{2}" class="tick" text-anchor="middle">{3}</text>"##,
            x(tick),
            AXIS + 4.0,
            AXIS + 16.0,
            trim(tick)
        );
        tick += step;
    }
    let _ =
        write!(s, r#"<text x="{}" y="{}" class="tick" text-anchor="end">ms</text></svg>"#, WIDTH - 2.0, AXIS + 16.0);
    s
}

/// A group's label, cut short and stripped of anything that is not a
/// plain word character (labels are the harness's own, but the SVG is
/// embedded unescaped).
fn label_text(label: &str) -> String {
    label.chars().filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-').take(12).collect()
}

fn trim(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(first: Vec<f64>, second: Vec<f64>) -> TimingRecord {
        TimingRecord {
            operation: "password.login".into(),
            first: "known".into(),
            second: "unknown<script>".into(),
            first_ms: first,
            second_ms: second,
            comparison: None,
            threshold_ms: 5.0,
            alpha: 0.01,
        }
    }

    #[test]
    fn draws_every_sample_and_both_medians() {
        let t = record(vec![20.0, 21.0, 22.0], vec![2.0, 3.0, 500.0]);
        let svg = svg(&t);
        assert_eq!(svg.matches("<circle").count(), 6);
        assert_eq!(svg.matches("stroke-width=\"2\"").count(), 2);
        assert!(svg.contains(">unknownscrip<"), "labels are plain words: {svg}");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(tick_step(47.0), 10.0);
        assert_eq!(tick_step(4.0), 1.0);
        assert_eq!(tick_step(900.0), 200.0);
        assert_eq!(trim(2.5), "2.5");
        assert_eq!(trim(20.0), "20");
    }
}
