//! The commands and their options, and how each becomes a library
//! configuration.
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use authconform::exit;
use authconform::reference::{Fault, PartnerConfig, ReferenceConfig, TlsIdentity};
use authconform::runner::RunConfig;
use authconform::snapshot::SnapshotMode;
use authconform::{Error, UsageError};

#[derive(Parser)]
#[command(name = "authconform", version, about = "Conformance harness for healthcare sign-up, sign-in and SSO flows", after_help = exit::TABLE)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the features against a target (default: the embedded reference) and write reports.
    Run(RunArgs),
    /// Serve the reference implementation standalone.
    Reference(ReferenceArgs),
    /// Run a certification plan and write a signed-if-asked evidence bundle.
    Certify(CertifyArgs),
    /// Run the scenarios once, then again and again as N concurrent virtual users: latency per operation, and what broke under load.
    Load(LoadArgs),
    /// Check a report folder against its manifest (and signature, with --key).
    Verify(VerifyArgs),
    /// List every step the features may use: pattern, parameters, description, example.
    Steps(StepsArgs),
    /// List the operations a profile binds: what each does, when it is required, the variables its templates get.
    Operations,
    /// Work on report folders: `report merge` joins the folders of a sharded run.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Check features and profiles without running anything (rustc-style findings).
    Lint(LintArgs),
    /// List the faults the reference can be started with.
    Faults,
    /// Write a starter profile for your target: every operation of its families, TODOs where you decide.
    Init(InitArgs),
    /// Make key pairs ahead of runs: a stock on disk that runs take from, each key used once.
    #[command(subcommand)]
    Keys(super::KeysCommand),
}

#[derive(clap::Args)]
pub struct InitArgs {
    /// Where the target answers (https://...).
    #[arg(long)]
    pub target_url: String,
    /// Its families, comma-separated (`authconform operations` lists them).
    #[arg(long, value_delimiter = ',', required = true)]
    pub families: Vec<String>,
    /// Extras inside them, comma-separated (email, sms, time_travel, ...).
    #[arg(long, value_delimiter = ',')]
    pub extras: Vec<String>,
    /// The target's OpenAPI document (YAML or JSON): operation paths are guessed from it.
    #[arg(long)]
    pub openapi: Option<PathBuf>,
    /// The profile's name (also its snapshot folder).
    #[arg(long, default_value = "my-target")]
    pub name: String,
    /// The file to write; it must not exist yet.
    #[arg(long, default_value = "target.yaml")]
    pub output: PathBuf,
}

#[derive(Subcommand)]
pub enum ReportCommand {
    /// Join the report folders of the shards of one run into one report.
    Merge(MergeArgs),
}

#[derive(clap::Args)]
pub struct MergeArgs {
    /// The shards' report folders (reports/<run-id>).
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Where the merged reports/<run-id>/ is written.
    #[arg(long, default_value = "reports")]
    pub report_dir: PathBuf,
    /// PEM RSA private key: sign the merged manifest.
    #[arg(long)]
    pub sign_key: Option<PathBuf>,
    /// Folder holding scenarios/requirements.yaml (the verdicts are recomputed
    /// against it); default: the current folder when it has features/, else the
    /// suite built into authconform.
    #[arg(long)]
    pub root: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct LintArgs {
    /// Feature files, profiles, or folders of them (default: features/ and scenarios/targets/).
    pub paths: Vec<PathBuf>,
    /// Folder holding features/ and scenarios/ (the catalogue); default: the
    /// current folder when it has features/, else the suite built into authconform.
    #[arg(long)]
    pub root: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum StepsFormat {
    Markdown,
    Json,
}

#[derive(clap::Args)]
pub struct StepsArgs {
    #[arg(long, value_enum, default_value_t = StepsFormat::Markdown)]
    pub format: StepsFormat,
}

#[derive(clap::Args)]
pub struct CertifyArgs {
    /// The plan, as named under `plans:` in scenarios/requirements.yaml (otp, sso, full).
    #[arg(long)]
    pub plan: String,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(clap::Args)]
pub struct LoadArgs {
    /// Virtual users: each runs the selected scenarios one after another, again and again.
    #[arg(long, default_value_t = 8)]
    pub users: usize,
    /// How long the load phase lasts after the ordinary run (e.g. 30s, 2m).
    #[arg(long, value_parser = humantime::parse_duration, default_value = "30s")]
    pub duration: std::time::Duration,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(clap::Args)]
pub struct VerifyArgs {
    /// A report folder (reports/<run-id>).
    pub dir: PathBuf,
    /// The PEM public key whose private half signed the manifest.
    #[arg(long)]
    pub key: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Snapshots {
    Check,
    Update,
    Off,
}

#[derive(clap::Args)]
pub struct RunArgs {
    /// Target profile (YAML). Without it, the embedded reference is started.
    #[arg(long)]
    pub target: Option<PathBuf>,
    /// With --target: still start the embedded reference, and run that profile against it.
    #[arg(long)]
    pub embedded: bool,
    /// Tag expression, e.g. '@otp and not @needs:sms'.
    #[arg(long)]
    pub tags: Option<String>,
    /// Only scenarios whose name matches this regex.
    #[arg(long)]
    pub name: Option<String>,
    /// Scenarios in flight at once.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Stop at the first failing scenario.
    #[arg(long)]
    pub fail_fast: bool,
    /// Where reports/<run-id>/ is written.
    #[arg(long, default_value = "reports")]
    pub report_dir: PathBuf,
    /// check: compare, never write (CI); update: record baselines; off: skip comparisons.
    #[arg(long, value_enum, default_value_t = Snapshots::Check)]
    pub snapshots: Snapshots,
    /// Start the embedded reference with this fault (repeatable).
    #[arg(long = "fault")]
    pub faults: Vec<String>,
    /// Run only shard I of N (e.g. 2/4): scenarios are dealt round robin in
    /// file order, each in exactly one shard; join the reports with `report merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// YAML list of known deviations (scenario or requirement, target, reason):
    /// they do not fail the run and show as EXPECTED FAIL in the reports.
    #[arg(long, value_name = "FILE")]
    pub expected_failures: Option<PathBuf>,
    /// Check the profile, the features and every step, print the plan, call nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// PEM RSA private key: sign the report's manifest.json (manifest.sig).
    #[arg(long)]
    pub sign_key: Option<PathBuf>,
    /// Folder holding features/ and scenarios/; default: the current folder
    /// when it has features/, else the suite built into authconform.
    #[arg(long)]
    pub root: Option<PathBuf>,
    #[command(flatten)]
    pub keys: super::KeyStockArgs,
}

#[derive(clap::Args)]
pub struct ReferenceArgs {
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// SMTP server codes are mailed to (the harness's sink); `none` keeps mail
    /// only behind the test mail API.
    #[arg(long, default_value = "127.0.0.1:2525")]
    pub smtp: String,
    /// URL the SMS integration posts {to, message} to.
    #[arg(long)]
    pub sms_webhook: Option<String>,
    #[arg(long = "fault")]
    pub faults: Vec<String>,
    /// Disable the /_test hooks (lifetime scenarios then become not applicable).
    #[arg(long)]
    pub no_test_hooks: bool,
    /// Address mailed links point at (default: http://<listen>, or https://).
    #[arg(long)]
    pub public_url: Option<String>,
    /// Serve HTTPS with this certificate chain (PEM); needs --tls-key.
    #[arg(long, requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM).
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// A CA certificate (PEM) to trust besides the system's when calling
    /// out over TLS: the platform, the SMS webhook, STARTTLS to the SMTP
    /// server (the doubles' CA, `<report dir>/doubles-ca.pem`).
    #[arg(long)]
    pub trust_ca: Option<PathBuf>,
    /// Past the bound of code requests for one login, answer as usual and
    /// send nothing (instead of 429 with Retry-After): a target that turns
    /// floods away without a word.
    #[arg(long)]
    pub quiet_throttle: bool,
    #[command(flatten)]
    pub partner: PartnerArgs,
}

/// The partner SSO backend of the reference: on when `--platform-url` is
/// given. Defaults match `scenarios/targets/reference.yaml`'s `platform:`.
#[derive(clap::Args)]
pub struct PartnerArgs {
    /// Platform base URL the partner calls (the harness's platform double,
    /// e.g. http://127.0.0.1:2527/api/). Enables the partner endpoints.
    #[arg(long, requires = "partner_key")]
    pub platform_url: Option<String>,
    /// The partner's RS256 signing key: a PKCS#8 PEM file. Its public half
    /// goes in the profile's `platform.partner_public_key_file`.
    #[arg(long)]
    pub partner_key: Option<PathBuf>,
    #[arg(long, default_value = "reference-partner")]
    pub partner_issuer: String,
    #[arg(long, default_value = "conformance-developer")]
    pub platform_developer_id: String,
    #[arg(long, env = "AUTHCONFORM_PLATFORM_API_KEY", default_value = "conformance-api-key", hide_env_values = true)]
    pub platform_api_key: String,
    #[arg(long, default_value = "admin@partner.conformance.test")]
    pub platform_admin_email: String,
    #[arg(
        long,
        env = "AUTHCONFORM_PLATFORM_ADMIN_PASSWORD",
        default_value = "conformance-admin-password",
        hide_env_values = true
    )]
    pub platform_admin_password: String,
    #[arg(long, default_value_t = 126)]
    pub hospital_id: i64,
}

/// `--tls-cert` and `--tls-key`, read (clap makes them come together).
fn tls_identity(cert: Option<PathBuf>, key: Option<PathBuf>) -> Result<Option<TlsIdentity>, UsageError> {
    let (Some(cert), Some(key)) = (cert, key) else { return Ok(None) };
    let read = |option: &'static str, path: PathBuf| {
        std::fs::read_to_string(&path).map_err(|e| UsageError::File { option, path, message: e.to_string() })
    };
    Ok(Some(TlsIdentity { cert_pem: read("--tls-cert", cert)?, key_pem: read("--tls-key", key)? }))
}

impl PartnerArgs {
    fn into_config(self) -> Result<Option<PartnerConfig>, UsageError> {
        let (Some(platform_url), Some(key)) = (self.platform_url, self.partner_key) else { return Ok(None) };
        let bad = |message: String| UsageError::File { option: "--partner-key", path: key.clone(), message };
        let private_pem = std::fs::read_to_string(&key).map_err(|e| bad(e.to_string()))?;
        let public_pem = PartnerConfig::public_pem_of(&private_pem).map_err(|e| bad(e.to_string()))?;
        Ok(Some(PartnerConfig {
            platform_url: if platform_url.ends_with('/') { platform_url } else { format!("{platform_url}/") },
            developer_id: self.platform_developer_id,
            api_key: self.platform_api_key,
            admin_email: self.platform_admin_email,
            admin_password: self.platform_admin_password,
            hospital_id: self.hospital_id,
            issuer: self.partner_issuer,
            private_pem,
            public_pem,
        }))
    }
}

/// `I/N` with 1 <= I <= N.
fn parse_shard(s: &str) -> Result<(usize, usize), UsageError> {
    let bad =
        || UsageError::Option { option: "--shard", message: format!("{s}: expected I/N with 1 <= I <= N, e.g. 2/4") };
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let (i, n): (usize, usize) = (i.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
    if i == 0 || n == 0 || i > n {
        return Err(bad());
    }
    Ok((i, n))
}

fn faults(names: &[String]) -> Result<Vec<Fault>, UsageError> {
    names
        .iter()
        .map(|n| n.parse::<Fault>().map_err(|message| UsageError::Option { option: "--fault", message }))
        .collect()
}

impl RunArgs {
    /// `root`: the suite `--root` resolved to (`authconform::standard`).
    pub fn into_config(self, root: &std::path::Path) -> Result<RunConfig, Error> {
        let name = match &self.name {
            Some(n) => Some(
                regex::Regex::new(n).map_err(|e| UsageError::Option { option: "--name", message: e.to_string() })?,
            ),
            None => None,
        };
        if self.concurrency == 0 {
            return Err(UsageError::Option { option: "--concurrency", message: "must be at least 1".into() }.into());
        }
        let mut c = RunConfig::new(root);
        // A relative profile path not found here is looked up in the suite (the
        // built-in one carries scenarios/targets/), so the README's commands
        // work from any folder.
        c.target = self.target.map(|t| match t.is_relative() && !t.exists() && root.join(&t).is_file() {
            true => root.join(t),
            false => t,
        });
        c.embedded = self.embedded;
        c.tags = self.tags;
        c.name = name;
        c.concurrency = self.concurrency;
        c.fail_fast = self.fail_fast;
        c.report_dir = Some(self.report_dir);
        c.snapshots = match self.snapshots {
            Snapshots::Check => SnapshotMode::Check,
            Snapshots::Update => SnapshotMode::Update,
            Snapshots::Off => SnapshotMode::Off,
        };
        c.faults = faults(&self.faults)?;
        c.sign_key = self.sign_key;
        c.dry_run = self.dry_run;
        c.expected_failures = self.expected_failures;
        c.shard = self.shard.as_deref().map(parse_shard).transpose()?;
        c.keys = self.keys.supply()?;
        Ok(c)
    }
}

impl CertifyArgs {
    pub fn into_config(self, root: &std::path::Path) -> Result<RunConfig, Error> {
        let mut c = self.run.into_config(root)?;
        c.plan = Some(self.plan);
        Ok(c)
    }
}

impl LoadArgs {
    pub fn into_config(self, root: &std::path::Path) -> Result<RunConfig, Error> {
        let users = std::num::NonZeroUsize::new(self.users)
            .ok_or_else(|| UsageError::Option { option: "--users", message: "must be at least 1".into() })?;
        if self.duration.is_zero() {
            return Err(UsageError::Option { option: "--duration", message: "must be longer than 0s".into() }.into());
        }
        let mut c = self.run.into_config(root)?;
        c.load = Some(authconform::runner::LoadSettings { users, duration: self.duration });
        Ok(c)
    }
}

impl ReferenceArgs {
    pub fn into_config(self) -> Result<ReferenceConfig, UsageError> {
        Ok(ReferenceConfig {
            listen: self.listen,
            smtp: Some(self.smtp).filter(|s| s != "none"),
            sms_webhook: self.sms_webhook,
            test_hooks: !self.no_test_hooks,
            faults: faults(&self.faults)?.into_iter().collect(),
            public_url: self.public_url,
            tls: tls_identity(self.tls_cert, self.tls_key)?,
            trust_ca: match self.trust_ca {
                Some(path) => Some(std::fs::read_to_string(&path).map_err(|e| UsageError::File {
                    option: "--trust-ca",
                    path,
                    message: e.to_string(),
                })?),
                None => None,
            },
            partner: self.partner.into_config()?,
            quiet_throttle: self.quiet_throttle,
            ..ReferenceConfig::default()
        })
    }
}
