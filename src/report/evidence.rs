//! `evidence.jsonl`: every piece of evidence of the run, one JSON object per
//! line, already redacted: HTTP exchanges, mails and SMS (each with the step
//! it happened in), the partner's platform calls and the JWT verdicts. Lines
//! are in scenario order, so two runs of the same plan diff line by line.
use serde_json::{json, Value};

use crate::model::{RunOutcome, ScenarioRecord};

/// The step (keyword and text) an exchange or message belongs to.
fn step_of(s: &ScenarioRecord, pick: impl Fn(&crate::model::StepRecord) -> bool) -> Value {
    s.steps.iter().find(|st| pick(st)).map_or(Value::Null, |st| json!(format!("{} {}", st.keyword, st.text)))
}

/// Writes the lines to `out`, one scenario's evidence at a time (a
/// spooled scenario's is read back for the moment it is written).
pub fn write_evidence(outcome: &RunOutcome, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut line = |scenario: &ScenarioRecord, step: Value, kind: &str, data: Value| -> std::io::Result<()> {
        let v = json!({
            "run_id": outcome.run_id,
            "file": scenario.file,
            "line": scenario.line,
            "scenario": scenario.scenario,
            "step": step,
            "kind": kind,
            "data": data,
        });
        serde_json::to_writer(&mut *out, &v)?;
        out.write_all(b"\n")
    };
    let value = |v: serde_json::Result<Value>| v.map_err(std::io::Error::other);
    for s in &outcome.scenarios {
        let s = s.hydrated()?;
        for (i, ex) in s.exchanges.iter().enumerate() {
            line(&s, step_of(&s, |st| st.exchanges.contains(&i)), "http", value(serde_json::to_value(ex))?)?;
        }
        for (i, m) in s.evidence.messages.iter().enumerate() {
            line(&s, step_of(&s, |st| st.messages.contains(&i)), &m.kind, value(serde_json::to_value(m))?)?;
        }
        for c in &s.evidence.platform_calls {
            line(&s, Value::Null, "platform_call", value(serde_json::to_value(c))?)?;
        }
        for v in &s.evidence.jwt_verdicts {
            line(&s, Value::Null, "jwt_verdict", value(serde_json::to_value(v))?)?;
        }
    }
    Ok(())
}
