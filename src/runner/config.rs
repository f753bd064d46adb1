//! What a run is asked to do, validated, free of any CLI library.
use std::path::PathBuf;

use crate::reference::Fault;
use crate::snapshot::SnapshotMode;

#[derive(Debug, Clone)]
pub struct RunConfig {
    /// A target profile; `None` runs against the embedded reference with
    /// `scenarios/targets/reference.yaml`.
    pub target: Option<PathBuf>,
    /// Start the embedded reference even though a profile is given (a
    /// profile written for another shape of the reference's API).
    pub embedded: bool,
    /// Project root holding `features/` and `scenarios/`.
    pub root: PathBuf,
    /// Tag expression (`@otp and not @sms`).
    pub tags: Option<String>,
    /// Only scenarios whose name matches.
    pub name: Option<regex::Regex>,
    pub concurrency: usize,
    pub fail_fast: bool,
    /// Where `reports/<run-id>/` goes; `None` writes no reports.
    pub report_dir: Option<PathBuf>,
    pub snapshots: SnapshotMode,
    /// Faults of the embedded reference.
    pub faults: Vec<Fault>,
    /// Where the embedded reference also keeps every secret it issues or
    /// receives: the ground truth of a test's leak scan.
    pub reference_ledger: Option<crate::reference::Ledger>,
    /// Progress on stdout.
    pub progress: bool,
    /// Where key pairs come from besides the run's generators: a stock
    /// made ahead on disk (`authconform keys fill`), or keys shared with
    /// other runs of this process (the fault matrix).
    pub keys: crate::crypto::KeySupply,
    /// PEM RSA private key signing the report's manifest (`--sign-key`).
    pub sign_key: Option<PathBuf>,
    /// A certification plan of the catalogue (`certify --plan sso`).
    pub plan: Option<String>,
    /// Plan and check only (`--dry-run`).
    pub dry_run: bool,
    /// Known deviations (`--expected-failures FILE`).
    pub expected_failures: Option<PathBuf>,
    /// `(index, count)`, 1-based: run only this shard of the plan (`--shard 2/4`).
    pub shard: Option<(usize, usize)>,
    /// `authconform load`: after the ordinary run, its scenarios again as
    /// this many virtual users for this long.
    pub load: Option<super::LoadSettings>,
}

impl RunConfig {
    pub fn new(root: impl Into<PathBuf>) -> RunConfig {
        RunConfig {
            target: None,
            embedded: false,
            root: root.into(),
            tags: None,
            name: None,
            concurrency: 16,
            fail_fast: false,
            report_dir: Some(PathBuf::from("reports")),
            snapshots: SnapshotMode::Check,
            faults: Vec::new(),
            reference_ledger: None,
            progress: true,
            keys: crate::crypto::KeySupply::Fresh,
            sign_key: None,
            plan: None,
            dry_run: false,
            shard: None,
            expected_failures: None,
            load: None,
        }
    }

    /// Whether this run starts the embedded reference.
    pub fn starts_reference(&self) -> bool {
        self.embedded || self.target.is_none()
    }

    pub fn features_dir(&self) -> PathBuf {
        self.root.join("features")
    }

    pub fn requirements_path(&self) -> PathBuf {
        self.root.join("scenarios/requirements.yaml")
    }

    pub fn embedded_profile(&self) -> PathBuf {
        self.root.join("scenarios/targets/reference.yaml")
    }

    pub fn snapshot_root(&self) -> PathBuf {
        self.root.join("scenarios/snapshots")
    }
}
