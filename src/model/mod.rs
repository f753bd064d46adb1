//! The results of a run, as the runner produces them and reports consume
//! them: plain data with serde, no behaviour beyond the verdict arithmetic.
mod load;
mod outcome;
mod scenario;
mod spool;
mod timeline;
mod timing;

pub use load::{Latencies, LoadFailure, LoadSummary, OperationLoad};
pub use outcome::{Incomplete, NotApplicable, NotRun, RunOutcome};
pub use scenario::{Evidence, MessageRecord, ScenarioRecord, ScenarioStatus};
pub use spool::{Spool, SpoolRef};
pub use timeline::{assign, StepRecord, StepStatus};
pub use timing::{Comparison, TimingRecord};
