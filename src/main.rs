//! `authconform`: parse the command line, call the library, map to an exit code.
//!
//! Every command ends in `Ok(code)`, the verdict (`exit::CONFORMS` or
//! `exit::NOT_CONFORMING`), or in an `authconform::Error`, whose
//! `exit_code()` is the one mapping of failures to codes.
mod cli;

use clap::Parser;

use authconform::reference::Fault;
use authconform::{exit, Error};

fn main() {
    bound_malloc_retention();
    let cli = cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("AUTHCONFORM_LOG"))
        .with_writer(std::io::stderr)
        .init();
    let code = match command(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprint!("{}", e.render());
            e.exit_code()
        }
    };
    std::process::exit(code);
}

/// glibc raises its mmap threshold each time a large block is freed, so
/// the 19 MiB Argon2 blocks of the embedded reference's password hashing,
/// and large reply bodies, end up in per-thread arenas that keep their
/// pages: the default run peaked at 1 GB RSS for a heap that never held
/// more than 215 MB (77 MB once the reference bounded its hashing). A
/// fixed threshold (which turns the adjustment off, mallopt(3)) gives
/// blocks of 1 MiB and more back when they are freed: 96 MB.
fn bound_malloc_retention() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tuning parameter of glibc's allocator;
    // it is called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

fn command(command: cli::Command) -> Result<i32, Error> {
    match command {
        cli::Command::Faults => {
            for f in Fault::ALL {
                println!("{:<24} {}", f.name(), f.describe());
            }
            Ok(exit::CONFORMS)
        }
        cli::Command::Run(args) => {
            let suite = suite(args.root.clone())?;
            run(args.into_config(suite.path())?)
        }
        cli::Command::Certify(args) => {
            let suite = suite(args.run.root.clone())?;
            run(args.into_config(suite.path())?)
        }
        cli::Command::Load(args) => {
            let suite = suite(args.run.root.clone())?;
            run(args.into_config(suite.path())?)
        }
        cli::Command::Steps(args) => steps(args.format),
        cli::Command::Operations => {
            print!("{}", authconform::profile::render_operations());
            Ok(exit::CONFORMS)
        }
        cli::Command::Report(cli::ReportCommand::Merge(args)) => merge(args),
        cli::Command::Lint(args) => {
            let suite = suite(args.root)?;
            let report = authconform::runner::lint(suite.path(), &args.paths);
            print!("{}", report.render());
            Ok(if report.errors.is_empty() { exit::CONFORMS } else { exit::USAGE })
        }
        cli::Command::Verify(args) => verify(&args.dir, args.key.as_deref()),
        cli::Command::Reference(args) => serve(args.into_config()?),
        cli::Command::Init(args) => init(args),
        cli::Command::Keys(command) => cli::keys(command),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime starts")
}

fn run(config: authconform::runner::RunConfig) -> Result<i32, Error> {
    if config.dry_run {
        let d = authconform::runner::dry_run(&config)?;
        print!("{}", authconform::runner::render_dry_run(&d));
        return Ok(exit::CONFORMS);
    }
    // insta reads its mode from the environment: set it while this is the
    // only thread, before the runtime starts its workers.
    for (key, value) in authconform::snapshot::insta_environment(config.snapshots, &config.root) {
        std::env::set_var(key, value);
    }
    let rt = runtime();
    // Listening before the run starts: a Ctrl-C at any point still gets its report.
    // `signal()` needs the runtime's context, hence inside the async block.
    let outcome =
        rt.block_on(async { authconform::runner::run_until(&config, authconform::runner::signal()).await })?;
    print!("{}", authconform::report::console_summary(&outcome));
    Ok(outcome.exit_code())
}

fn steps(format: cli::StepsFormat) -> Result<i32, Error> {
    let docs = authconform::step_docs::step_docs()?;
    match format {
        cli::StepsFormat::Markdown => print!("{}", authconform::step_docs::render_markdown(&docs)),
        cli::StepsFormat::Json => println!("{}", serde_json::to_string_pretty(&docs).expect("step docs serialize")),
    }
    Ok(exit::CONFORMS)
}

/// The suite a command uses (`--root`, the current folder, or the built-in
/// one); says so on stderr when it is the built-in one.
fn suite(root: Option<std::path::PathBuf>) -> Result<authconform::standard::SuiteRoot, Error> {
    let cwd = std::env::current_dir().map_err(Error::Suite)?;
    let suite = authconform::standard::resolve(root, &cwd).map_err(Error::Suite)?;
    if let Some(line) = suite.describe() {
        eprintln!("note: {line}");
    }
    Ok(suite)
}

/// The families or extras an option names; an unknown name is a usage
/// error listing the known ones.
fn names<T>(
    option: &'static str,
    given: &[String],
    known: impl Iterator<Item = &'static str>,
    pick: impl Fn(authconform::profile::Need) -> Option<T>,
) -> Result<Vec<T>, Error> {
    let known: Vec<&str> = known.collect();
    given
        .iter()
        .map(|name| {
            authconform::profile::Need::parse(name).and_then(&pick).ok_or_else(|| {
                let message = format!("`{name}` is not one of: {}", known.join(", "));
                Error::from(authconform::UsageError::Option { option, message })
            })
        })
        .collect()
}

/// `init`: writes the starter profile, refusing to overwrite a file.
fn init(args: cli::InitArgs) -> Result<i32, Error> {
    use authconform::profile::{Extra, Family, Need};
    let families = names("--families", &args.families, Family::ALL.iter().map(|f| f.as_str()), |n| match n {
        Need::Family(f) => Some(f),
        _ => None,
    })?;
    let extras = names("--extras", &args.extras, Extra::ALL.iter().map(|e| e.as_str()), |n| match n {
        Need::Extra(e) => Some(e),
        _ => None,
    })?;
    let openapi = match &args.openapi {
        Some(path) => {
            let file = |message: String| {
                Error::from(authconform::UsageError::File { option: "--openapi", path: path.clone(), message })
            };
            let text = std::fs::read_to_string(path).map_err(|e| file(e.to_string()))?;
            Some(serde_yaml::from_str::<serde_yaml::Value>(&text).map_err(|e| file(format!("not YAML or JSON: {e}")))?)
        }
        None => None,
    };
    let text = authconform::profile::starter_profile(&authconform::profile::Starter {
        name: &args.name,
        target_url: &args.target_url,
        families: &families,
        extras: &extras,
        openapi: openapi.as_ref(),
    });
    let file = |message: String| {
        Error::from(authconform::UsageError::File { option: "--output", path: args.output.clone(), message })
    };
    let mut out =
        std::fs::OpenOptions::new().write(true).create_new(true).open(&args.output).map_err(|e| file(e.to_string()))?;
    std::io::Write::write_all(&mut out, text.as_bytes()).map_err(|e| file(e.to_string()))?;
    eprintln!("wrote {}: replace its TODOs, then `authconform lint {}`", args.output.display(), args.output.display());
    Ok(exit::CONFORMS)
}

fn merge(args: cli::MergeArgs) -> Result<i32, Error> {
    let suite = suite(args.root.clone())?;
    let catalogue = authconform::requirements::Catalogue::load(&suite.path().join("scenarios/requirements.yaml"))?;
    let key = args.sign_key.as_deref().map(authconform::report::SigningKey::from_pem_file).transpose()?;
    let outcome = authconform::report::merge_reports(&args.dirs, &args.report_dir, catalogue, key.as_ref())?;
    print!("{}", authconform::report::console_summary(&outcome));
    Ok(outcome.exit_code())
}

fn verify(dir: &std::path::Path, key: Option<&std::path::Path>) -> Result<i32, Error> {
    let v = authconform::report::verify(dir, key)?;
    print!("{}", authconform::report::render_verification(dir, &v));
    Ok(if v.problems.is_empty() { exit::CONFORMS } else { exit::NOT_CONFORMING })
}

fn serve(config: authconform::reference::ReferenceConfig) -> Result<i32, Error> {
    runtime().block_on(async {
        let server = authconform::reference::start(config).await.map_err(Error::Reference)?;
        eprintln!("reference listening on {}", server.base_url());
        server.wait().await;
        Ok(exit::CONFORMS)
    })
}
