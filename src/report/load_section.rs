//! A load run's section of the reports: the console lines, the Markdown
//! table, and report.html's latency plot (one row per operation, a bar to
//! its p99 with marks at p50 and p95, on one scale so operations compare at
//! a glance; numbers and fixed labels only, operation names escaped).
use std::fmt::Write as _;

use crate::model::LoadSummary;

const ROW: f64 = 22.0;
const LABEL: f64 = 190.0;
const PLOT: f64 = 420.0;
const RIGHT: f64 = 170.0;

pub fn svg(load: &LoadSummary) -> String {
    if load.operations.is_empty() {
        return String::new();
    }
    let top = load.operations.iter().map(|o| o.p99_ms).fold(0.0_f64, f64::max).max(0.001);
    let x = |ms: f64| LABEL + PLOT * (ms / top).min(1.0);
    let height = ROW * (load.operations.len() as f64 + 1.5);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="load-plot" width="{w}" height="{height}" viewBox="0 0 {w} {height}" font-family="sans-serif" font-size="12">"#,
        w = LABEL + PLOT + RIGHT
    );
    for (i, op) in load.operations.iter().enumerate() {
        let y = ROW * (i as f64 + 0.5);
        let _ = write!(
            out,
            r##"<text x="{lx}" y="{ty}" text-anchor="end">{name}</text><rect x="{LABEL}" y="{y}" width="{w99:.1}" height="{h}" fill="#c7d7ee"/><rect x="{LABEL}" y="{y}" width="{w95:.1}" height="{h}" fill="#8fb0dc"/><line x1="{x50:.1}" x2="{x50:.1}" y1="{y}" y2="{y2}" stroke="#1d3f72" stroke-width="2"/><text x="{tx}" y="{ty}">p50 {p50:.1} · p95 {p95:.1} · p99 {p99:.1} ms</text>"##,
            lx = LABEL - 6.0,
            ty = y + ROW * 0.55,
            name = escape(&op.operation),
            w99 = x(op.p99_ms) - LABEL,
            w95 = x(op.p95_ms) - LABEL,
            h = ROW * 0.7,
            x50 = x(op.p50_ms),
            y2 = y + ROW * 0.7,
            tx = LABEL + PLOT + 6.0,
            p50 = op.p50_ms,
            p95 = op.p95_ms,
            p99 = op.p99_ms,
        );
    }
    let axis = ROW * (load.operations.len() as f64 + 0.6);
    let _ = write!(
        out,
        r##"<line x1="{LABEL}" x2="{end}" y1="{axis}" y2="{axis}" stroke="#555"/><text x="{LABEL}" y="{ty}">0</text><text x="{end}" y="{ty}" text-anchor="end">{top:.1} ms</text></svg>"##,
        end = LABEL + PLOT,
        ty = axis + 14.0,
    );
    out
}

/// The console's lines: the phase, each operation, and what broke under load.
pub fn console(load: &LoadSummary) -> String {
    let mut out = format!(
        "load: {} virtual users for {:.1} s: {} scenario runs passed, {} failed, {} error\n",
        load.users,
        load.duration_ms / 1000.0,
        load.scenarios_passed,
        load.scenarios_failed,
        load.scenarios_error
    );
    for o in &load.operations {
        out += &format!(
            "  {:<28} {:>7} answers {:>8.1}/s  p50 {:>7.2} ms  p95 {:>7.2} ms  p99 {:>7.2} ms  5xx {}\n",
            o.operation, o.count, o.per_second, o.p50_ms, o.p95_ms, o.p99_ms, o.server_errors
        );
    }
    for f in &load.failed_under_load {
        out += &format!(
            "  FAIL UNDER LOAD {}: {} failed {} of {} runs (passed alone): {}\n",
            f.requirement, f.scenario, f.failures, f.runs, f.message
        );
    }
    out
}

/// summary.md's section.
pub fn markdown(load: &LoadSummary) -> String {
    let mut md = format!(
        "\n## Under load\n\n{} virtual users for {:.1} s: {} scenario runs passed, {} failed, {} error.\n\n",
        load.users,
        load.duration_ms / 1000.0,
        load.scenarios_passed,
        load.scenarios_failed,
        load.scenarios_error
    );
    if load.failed_under_load.is_empty() {
        md += "No requirement that passed alone failed under load.\n\n";
    }
    for f in &load.failed_under_load {
        md += &format!(
            "- **FAIL under load** {}: {} failed {} of {} runs: {}\n",
            f.requirement, f.scenario, f.failures, f.runs, f.message
        );
    }
    md += "\n| operation | answers | per second | p50 ms | p95 ms | p99 ms | max ms | 5xx |\n|---|---:|---:|---:|---:|---:|---:|---:|\n";
    for o in &load.operations {
        md += &format!(
            "| {} | {} | {:.1} | {:.2} | {:.2} | {:.2} | {:.2} | {} |\n",
            o.operation, o.count, o.per_second, o.p50_ms, o.p95_ms, o.p99_ms, o.max_ms, o.server_errors
        );
    }
    md
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::OperationLoad;

    fn op(name: &str, p50: f64, p95: f64, p99: f64) -> OperationLoad {
        OperationLoad {
            operation: name.into(),
            count: 10,
            server_errors: 0,
            p50_ms: p50,
            p95_ms: p95,
            p99_ms: p99,
            max_ms: p99,
            per_second: 1.0,
            histogram: String::new(),
        }
    }

    #[test]
    fn one_row_per_operation_on_one_scale_and_names_escaped() {
        let load = LoadSummary {
            operations: vec![op("otp.start", 1.0, 2.0, 4.0), op("<x>", 2.0, 4.0, 8.0)],
            ..Default::default()
        };
        let svg = svg(&load);
        assert_eq!(svg.matches("<text x=\"184\"").count(), 2, "{svg}");
        assert!(svg.contains("&lt;x&gt;") && !svg.contains("<x>"));
        assert!(svg.contains("p99 8.0 ms") && svg.contains(">8.0 ms</text></svg>"));
        assert_eq!(super::svg(&LoadSummary::default()), "");
    }
}
