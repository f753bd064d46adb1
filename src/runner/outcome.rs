//! Why a run could not happen. Which exit code each reason gives is
//! `crate::Error::exit_code`'s to say.
use super::plan::PlanError;
use crate::crypto::KeyError;
use crate::expectations::ExpectationError;
use crate::profile::ProfileError;
use crate::report::KeyFileError;
use crate::requirements::CatalogueError;

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Expectations(#[from] ExpectationError),
    #[error("--sign-key: {0}")]
    SigningKey(#[source] KeyFileError),
    #[error("--fault applies to the embedded reference; start a standalone reference with `authconform reference --fault` instead")]
    FaultNeedsEmbedded,
    /// A filter that selects nothing would "pass" vacuously.
    #[error("no scenario matches the --tags/--name filters")]
    NothingSelected,
    #[error("unknown plan `{plan}`; {} defines: {known}", catalogue.display())]
    UnknownPlan { plan: String, catalogue: std::path::PathBuf, known: String },
    #[error("the profile's `platform.partner_public_key` is needed to check the partner's JWTs")]
    NoPartnerKey,
    /// The partner key pair the embedded reference signs with could not
    /// be made: the machine's fault, not the user's.
    #[error("partner key generation failed: {0}")]
    PartnerKeyGeneration(#[source] KeyError),
    #[error("not certifiable for plan {plan}: target `{target}` does not declare {missing} (the plan's `needs` in the requirement catalogue)")]
    NotCertifiable { plan: String, target: String, missing: String },
    #[error("nothing applicable to run: the {scenarios} selected scenario(s) all need families or extras the profile does not declare ({missing}); a run of nothing would say nothing")]
    NothingApplicable { scenarios: usize, missing: String },
    /// The TLS client could not be set up (the platform's trust store
    /// unreadable, a client key rustls refuses): the machine's or the
    /// files' fault, found before anything is called.
    #[error("cannot set up TLS for the profile's `tls:`: {0}")]
    Tls(#[source] rustls::Error),
    /// The doubles' certificate could not be made (a CA of the profile's
    /// was checked when it loaded): the machine's fault.
    #[error("cannot make the doubles' TLS certificate: {0}")]
    DoublesTls(#[source] crate::crypto::CaError),
    /// insta's environment does not fit the snapshot mode.
    #[error(transparent)]
    Snapshots(#[from] crate::snapshot::EnvironmentError),
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
}

impl RunError {
    /// rustc-style rendering for the terminal.
    pub fn render(&self) -> String {
        match self {
            RunError::Profile(p) => p.render(),
            RunError::Plan(p) => p.render(),
            RunError::Catalogue(c) => c.render(),
            RunError::Expectations(e) => e.render(),
            other => format!("error: {other}\n"),
        }
    }
}
