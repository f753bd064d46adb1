//! Snapshot steps: the last reply against its baseline.
use cucumber::then;

use super::StepResult;
use crate::client::ClientError;
use crate::snapshot::snapshot_name;
use crate::world::AuthWorld;

/// Then the last reply matches the snapshot "data-owner"
///
/// Compares the last reply, redacted, with the insta baseline of that name for this profile.
#[then(regex = r#"^the last reply matches the snapshot "([^"]+)"$"#)]
async fn matches_snapshot(w: &mut AuthWorld, name: String) -> StepResult {
    let ctx = w.ctx();
    let ex = w.last_exchange().ok_or_else(|| ClientError::Expectation("no reply to snapshot".into()))?;
    let body = ex.json().unwrap_or_else(|| serde_json::Value::String(ex.response_body.clone()));
    let mut value = serde_json::json!({ "operation": ex.operation, "status": ex.status, "body": body });
    ctx.client.redactor.json(&mut value);
    let full = snapshot_name(&w.feature, &w.scenario, &name);
    ctx.snapshots.assert(&full, &value).map_err(ClientError::Expectation)
}
