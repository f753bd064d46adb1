//! Report writers. They consume a finished [`RunOutcome`]; they never call a
//! target or a double. cucumber's own writer produces `cucumber.json` during
//! the run; these add `junit.xml` and the summaries by requirement.
mod bundle;
mod evidence;
mod html;
mod junit;
mod load_section;
mod manifest;
mod merge;
mod summary;

pub use bundle::{seal_abandoned, write_bundle, INCOMPLETE};
pub use evidence::write_evidence;
pub use html::{html_report, FULL_EVIDENCE_UP_TO};
pub use junit::junit_xml;
pub use manifest::{
    render_verification, verify, KeyFileError, Manifest, SignatureState, SigningKey, Verification, MANIFEST, SIGNATURE,
};
pub use merge::{merge_outcomes, merge_reports, MergeError};
pub use summary::{console_summary, markdown_summary, requirement_verdicts, Verdict};
