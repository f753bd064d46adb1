//! The one error a command of `authconform` ends with, and the one mapping
//! from errors to the exit codes of `crate::exit`: the binary prints
//! `render()` and exits with `exit_code()`, whatever the command.
//!
//! Each subsystem keeps its own typed error (a profile's, a feature's, a
//! merge's); this type only gathers them, so that which code a failure
//! gives is decided here and nowhere else.
use std::path::PathBuf;

use crate::crypto::StockError;
use crate::exit;
use crate::expectations::ExpectationError;
use crate::profile::ProfileError;
use crate::report::{KeyFileError, MergeError};
use crate::requirements::CatalogueError;
use crate::runner::{PlanError, RunError};
use crate::step_docs::DocError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Run(#[from] RunError),
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    #[error(transparent)]
    Merge(#[from] MergeError),
    /// `verify`'s folder or key, `merge --sign-key`.
    #[error(transparent)]
    Key(#[from] KeyFileError),
    #[error(transparent)]
    Usage(#[from] UsageError),
    #[error("cannot list the step definitions: {0}")]
    StepDocs(#[from] DocError),
    #[error("cannot start the reference: {0}")]
    Reference(#[source] std::io::Error),
    /// The built-in suite could not be written to a temporary folder (or
    /// the current folder could not be read).
    #[error("cannot set up the standard suite: {0}")]
    Suite(#[source] std::io::Error),
    /// The key stock a run or `keys` names.
    #[error(transparent)]
    KeyStock(#[from] StockError),
}

/// A command line the library was given that it cannot act on.
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    /// An option's value is malformed (`--shard 0/2`, `--name '('`).
    #[error("{option}: {message}")]
    Option { option: &'static str, message: String },
    /// A file an option names cannot be used (`--partner-key`).
    #[error("{option} {}: {message}", path.display())]
    File { option: &'static str, path: PathBuf, message: String },
}

impl From<ProfileError> for Error {
    fn from(e: ProfileError) -> Self {
        Error::Run(RunError::Profile(e))
    }
}

impl From<PlanError> for Error {
    fn from(e: PlanError) -> Self {
        Error::Run(RunError::Plan(e))
    }
}

impl From<ExpectationError> for Error {
    fn from(e: ExpectationError) -> Self {
        Error::Run(RunError::Expectations(e))
    }
}

impl Error {
    /// The exit code of `crate::exit` this failure gives: 2 for what the
    /// user wrote or asked (fix the input and run again), 3 for what the
    /// harness could not do (ports, files, the machine).
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Run(r) => match r {
                RunError::Profile(_)
                | RunError::Catalogue(_)
                | RunError::Plan(_)
                | RunError::Expectations(_)
                | RunError::SigningKey(_)
                | RunError::FaultNeedsEmbedded
                | RunError::NothingSelected
                | RunError::UnknownPlan { .. }
                | RunError::NoPartnerKey
                | RunError::Snapshots(_)
                | RunError::NotCertifiable { .. }
                | RunError::NothingApplicable { .. } => exit::USAGE,
                RunError::PartnerKeyGeneration(_)
                | RunError::Io { .. }
                | RunError::Tls(_)
                | RunError::DoublesTls(_) => exit::HARNESS,
            },
            Error::Catalogue(_) | Error::Key(_) | Error::Usage(_) => exit::USAGE,
            Error::Merge(MergeError::Write { .. }) => exit::HARNESS,
            Error::Merge(_) => exit::USAGE,
            Error::StepDocs(_) | Error::Reference(_) | Error::Suite(_) => exit::HARNESS,
            // A stock that is missing or open to others is the user's to fix;
            // one that cannot be read or written is the machine's.
            Error::KeyStock(StockError::Missing(_) | StockError::NotAFolder(_) | StockError::Exposed { .. }) => {
                exit::USAGE
            }
            Error::KeyStock(StockError::Io { .. } | StockError::Generate(_)) => exit::HARNESS,
        }
    }

    /// rustc-style rendering for the terminal, ending in a newline.
    pub fn render(&self) -> String {
        match self {
            Error::Run(r) => r.render(),
            Error::Catalogue(c) => c.render(),
            other => format!("error: {other}\n"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_problems_are_usage_and_machine_problems_are_harness() {
        let usage: Error = RunError::NothingSelected.into();
        assert_eq!(usage.exit_code(), exit::USAGE);
        let keygen: Error =
            RunError::PartnerKeyGeneration(crate::crypto::KeyError::Generate("no entropy".into())).into();
        assert_eq!(keygen.exit_code(), exit::HARNESS, "a failed key generation is the harness's, not the user's");
        let write: Error = MergeError::Write { dir: "r".into(), source: std::io::Error::other("disk full") }.into();
        assert_eq!(write.exit_code(), exit::HARNESS);
        let shard: Error = MergeError::Mismatch("two runs".into()).into();
        assert_eq!(shard.exit_code(), exit::USAGE);
        let option: Error = UsageError::Option { option: "--shard", message: "expected I/N".into() }.into();
        assert_eq!(option.exit_code(), exit::USAGE);
        assert_eq!(option.render(), "error: --shard: expected I/N\n");
    }
}
