//! `authconform`: parse the command line, call the library, map to an exit code.
mod cli;

use clap::Parser;

use authconform::exit;
use authconform::reference::Fault;

fn main() {
    let cli = cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("AUTHCONFORM_LOG"))
        .with_writer(std::io::stderr)
        .init();
    let code = match cli.command {
        cli::Command::Faults => {
            for f in Fault::ALL {
                println!("{:<24} {}", f.name(), f.describe());
            }
            exit::CONFORMS
        }
        cli::Command::Run(args) => match args.into_config() {
            Ok(config) => run(config),
            Err(e) => usage(&e),
        },
        cli::Command::Certify(args) => match args.into_config() {
            Ok(config) => run(config),
            Err(e) => usage(&e),
        },
        cli::Command::Steps(args) => steps(args.format),
        cli::Command::Operations => {
            print!("{}", authconform::profile::render_operations());
            exit::CONFORMS
        }
        cli::Command::Report(cli::ReportCommand::Merge(args)) => merge(args),
        cli::Command::Lint(args) => {
            let report = authconform::runner::lint(&args.root, &args.paths);
            print!("{}", report.render());
            if report.errors.is_empty() {
                exit::CONFORMS
            } else {
                exit::USAGE
            }
        }
        cli::Command::Verify(args) => verify(&args.dir, args.key.as_deref()),
        cli::Command::Reference(args) => match args.into_config() {
            Ok(config) => serve(config),
            Err(e) => usage(&e),
        },
    };
    std::process::exit(code);
}

fn usage(message: &str) -> i32 {
    eprintln!("error: {message}");
    exit::USAGE
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime starts")
}

fn run(config: authconform::runner::RunConfig) -> i32 {
    if config.dry_run {
        return match authconform::runner::dry_run(&config) {
            Ok(d) => {
                print!("{}", authconform::runner::render_dry_run(&d));
                exit::CONFORMS
            }
            Err(e) => {
                eprint!("{}", e.render());
                e.exit_code()
            }
        };
    }
    // insta reads its mode from the environment once: set it before any thread starts.
    authconform::snapshot::configure_process(config.snapshots, &config.root);
    let rt = runtime();
    // Listening before the run starts: a Ctrl-C at any point still gets its report.
    match rt.block_on(async { authconform::runner::run_until(&config, authconform::runner::signal()).await }) {
        Ok(outcome) => {
            print!("{}", authconform::report::console_summary(&outcome));
            outcome.exit_code()
        }
        Err(e) => {
            eprint!("{}", e.render());
            e.exit_code()
        }
    }
}

fn steps(format: cli::StepsFormat) -> i32 {
    match authconform::step_docs::step_docs() {
        Ok(docs) => {
            match format {
                cli::StepsFormat::Markdown => print!("{}", authconform::step_docs::render_markdown(&docs)),
                cli::StepsFormat::Json => {
                    println!("{}", serde_json::to_string_pretty(&docs).expect("step docs serialize"))
                }
            }
            exit::CONFORMS
        }
        Err(e) => {
            eprintln!("error: {e}");
            exit::HARNESS
        }
    }
}

fn merge(args: cli::MergeArgs) -> i32 {
    let catalogue = match authconform::requirements::Catalogue::load(&args.root.join("scenarios/requirements.yaml")) {
        Ok(c) => c,
        Err(e) => return usage(&e.to_string()),
    };
    let key = match args.sign_key.as_deref().map(authconform::report::SigningKey::from_pem_file).transpose() {
        Ok(k) => k,
        Err(e) => return usage(&format!("--sign-key: {e}")),
    };
    match authconform::report::merge_reports(&args.dirs, &args.report_dir, catalogue, key.as_ref()) {
        Ok(outcome) => {
            print!("{}", authconform::report::console_summary(&outcome));
            outcome.exit_code()
        }
        Err(e @ authconform::report::MergeError::Write { .. }) => {
            eprintln!("error: {e}");
            exit::HARNESS
        }
        Err(e) => usage(&e.to_string()),
    }
}

fn verify(dir: &std::path::Path, key: Option<&std::path::Path>) -> i32 {
    match authconform::report::verify(dir, key) {
        Ok(v) => {
            print!("{}", authconform::report::render_verification(dir, &v));
            if v.problems.is_empty() {
                exit::CONFORMS
            } else {
                exit::NOT_CONFORMING
            }
        }
        Err(e) => usage(&e.to_string()),
    }
}

fn serve(config: authconform::reference::ReferenceConfig) -> i32 {
    let rt = runtime();
    rt.block_on(async {
        match authconform::reference::start(config).await {
            Ok(server) => {
                eprintln!("reference listening on {}", server.base_url());
                server.wait().await;
                exit::CONFORMS
            }
            Err(e) => {
                eprintln!("error: cannot start the reference: {e}");
                exit::HARNESS
            }
        }
    })
}
