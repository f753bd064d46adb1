//! Error hygiene, checked on the spot: the error replies of the scenario
//! so far show no stack trace, SQL error, source path or debug page
//! (`operation::hygiene`). Every other scenario's error replies are
//! scanned too, when the run records it (a finding fails SEC-ERR-01).
use cucumber::then;

use super::StepResult;
use crate::assertion::Assertion;
use crate::client::check;
use crate::operation::hygiene;
use crate::world::AuthWorld;

/// Then no error reply of the scenario shows internals
///
/// Scans every 4xx and 5xx reply of the scenario so far for a stack trace, an SQL error, a source path with a line number or a framework's debug page (the patterns the README lists), and checks the scenario had at least one error reply to scan.
#[then(regex = r"^no error reply of the scenario shows internals$")]
async fn no_internals(w: &mut AuthWorld) -> StepResult {
    let ctx = w.ctx();
    let errors = w.exchanges.iter().filter(|e| e.status >= 400).count();
    check(Assertion::ErrorHygiene, errors > 0, || {
        "the scenario made no request the target refused, so no error reply was scanned".to_string()
    })?;
    let leaks = hygiene::error_leaks(&w.exchanges);
    let first = leaks.first().map(|(ex, leak)| leak.describe(ex, &ctx.client.redactor));
    check(Assertion::ErrorHygiene, first.is_none(), || first.unwrap_or_default())
}
