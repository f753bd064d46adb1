//! Driving cucumber-rs for one run and turning what happened into a
//! [`RunOutcome`] and a report folder.
use std::collections::BTreeSet;
use std::fs::File;
use std::io;
use std::time::Instant;

use cucumber::{writer, World as _, WriterExt as _};
use futures::FutureExt as _;

use super::config::RunConfig;
use super::context::Records;
use super::cucumber_json::{self, StreamingJson};
use super::outcome::RunError;
use super::plan::{plan, Selector};
use super::record::{panic_payload, record};
use super::redacting::RedactingWriter;
use super::setup;
use super::staging::Staging;
use super::suite::suite;
use super::timeline::StepTimeline;
use crate::model::{Incomplete, NotRun, RunOutcome, ScenarioRecord, ScenarioStatus};
use crate::profile::load_profile;
use crate::report;
use crate::requirements::{requirement_tags, Catalogue};
use crate::world::AuthWorld;

fn io_err(what: impl Into<String>) -> impl FnOnce(io::Error) -> RunError {
    let what = what.into();
    move |source| RunError::Io { what, source }
}

/// Runs the planned scenarios. `Err` means the run could not happen (exit 2
/// or 3); a non-conforming target is an `Ok` outcome with failures (exit 1).
pub async fn run(config: &RunConfig) -> Result<RunOutcome, crate::Error> {
    run_until(config, std::future::pending()).await
}

/// [`run`], stopped early when `stop` completes (the binary passes
/// [`super::interrupt::signal`]) with why: the scenarios that finished are
/// reported, the rest listed as not run, and the report marked INCOMPLETE.
/// A panic of the harness outside a step ends the run the same way.
pub async fn run_until(
    config: &RunConfig,
    stop: impl std::future::Future<Output = String>,
) -> Result<RunOutcome, crate::Error> {
    let started = Instant::now();
    // Kept for the load phase too: a Ctrl-C there ends it early.
    let mut stop = std::pin::pin!(stop);
    if !config.starts_reference() && !config.faults.is_empty() {
        return Err(RunError::FaultNeedsEmbedded.into());
    }
    // A bad signing key fails now, not after the scenarios have run.
    let sign_key = match &config.sign_key {
        Some(path) => Some(report::SigningKey::from_pem_file(path).map_err(RunError::SigningKey)?),
        None => None,
    };
    let Prepared { profile, catalogue, selector, plan, expected, notes: plan_notes } = prepare(config)?;
    crate::snapshot::check_environment(config.snapshots).map_err(RunError::Snapshots)?;

    let running = setup::start(config, profile.clone()).await?;
    let ctx = running.ctx.clone();
    let run_id =
        format!("{}-{}", chrono::Utc::now().format("%Y%m%dT%H%M%SZ"), &uuid::Uuid::new_v4().simple().to_string()[..6]);

    let mut notes = plan_notes;
    if let Some(served) = &running.doubles_tls {
        let place =
            served.ca_file.as_ref().map_or("not written: no report folder".to_string(), |f| f.display().to_string());
        notes.push(format!(
            "the doubles served TLS ({}) under a CA the target must trust: {place}",
            profile.tls_doubles().join(", ")
        ));
    }
    let staging = match &config.report_dir {
        Some(dir) => Some(
            Staging::create(dir, &run_id, &mut notes)
                .map_err(io_err(format!("cannot create a staging folder in {}", dir.display())))?,
        ),
        None => None,
    };
    // junit.xml is written from the records (an unreachable target is an
    // `<error>` there, which cucumber's JUnit writer cannot express).
    let json_out: Box<dyn io::Write> = match &staging {
        Some(dir) => Box::new(File::create(dir.path().join("cucumber.json")).map_err(io_err("cucumber.json"))?),
        None => Box::new(io::sink()),
    };
    let console: Box<dyn io::Write> = if config.progress {
        Box::new(RedactingWriter::new(io::stdout(), ctx.client.redactor.clone()))
    } else {
        Box::new(io::sink())
    };

    let timeline = StepTimeline::default();
    let step_times = timeline.steps.clone();
    let writer = writer::Basic::raw(console, writer::Coloring::Auto, 0)
        .summarized()
        .tee::<AuthWorld, _>(StreamingJson::new(json_out).discard_stats_writes().discard_arbitrary_writes())
        .tee::<AuthWorld, _>(timeline.discard_stats_writes().discard_arbitrary_writes())
        .normalized();

    // With a report folder, each finished scenario's exchanges and
    // evidence go to a spool beside it, not to memory.
    let records = match &staging {
        Some(dir) => {
            Records::spooled(crate::model::Spool::in_dir(dir.path()).map_err(io_err("cannot make the scenario spool"))?)
        }
        None => Records::default(),
    };
    let after_records = records.clone();
    let filter = selector.clone();
    let mut cucumber = suite(&ctx, AuthWorld::collection(), writer, config.concurrency, move |ctx, f, r, s, end, w| {
        record(ctx, &after_records, f, r, s, end, w)
    });
    if config.fail_fast {
        cucumber = cucumber.fail_fast();
    }
    let driven = std::panic::AssertUnwindSafe(
        cucumber.filter_run(config.features_dir(), move |feature, rule, scenario| filter.runs(feature, rule, scenario)),
    )
    .catch_unwind();
    // Dropping cucumber's future stops the scenarios in flight; those that
    // finished are in the records already.
    let stopped: Option<String> = tokio::select! {
        finished = driven => finished.err().map(|panic| format!("the harness panicked: {}", panic_payload(panic.as_ref()))),
        why = &mut stop => Some(why),
    };

    let mut scenarios = records.take();
    scenarios.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    let mut step_times = std::mem::take(&mut *step_times.lock().unwrap_or_else(|e| e.into_inner()));
    for s in &mut scenarios {
        let mut steps = step_times.remove(&(s.file.clone(), s.line)).unwrap_or_default();
        match s.hydrated() {
            Ok(whole) => crate::model::assign(&mut steps, &whole.exchanges, &whole.evidence.messages),
            // Our own file, unreadable: the steps lose their exchanges, and
            // writing the reports will say what failed.
            Err(e) => tracing::warn!("cannot read the scenario spool back: {e}"),
        }
        s.steps = steps;
    }
    let failed_requirements: BTreeSet<String> = scenarios
        .iter()
        .filter(|s| s.status == ScenarioStatus::Failed)
        .flat_map(|s| s.requirements.iter().cloned())
        .collect();
    if let Some(seen) = ctx.jwt_seen.get().filter(|_| !profile.extras.contains(&crate::profile::Extra::Jwt)) {
        notes.push(format!(
            "the target's session tokens are JWTs ({seen}), but its profile does not declare the extra `jwt`: \
             declare it (and `jwks` with a `session.jwks` operation, if the target publishes its keys) to run the \
             JWT forgery scenarios (SEC-JWT-*)"
        ));
    }
    let mut outcome = RunOutcome {
        run_id: run_id.clone(),
        target: profile.name.clone(),
        plan: config.plan.clone(),
        unexpected_passes: Vec::new(),
        faults: config.faults.iter().map(|f| f.name().to_string()).collect(),
        scenarios,
        not_applicable: plan.not_applicable,
        failed_requirements: failed_requirements.into_iter().collect(),
        wall_ms: started.elapsed().as_secs_f64() * 1000.0,
        // Set once the load phase, if any, is over.
        keys_generated: 0,
        keygen_ms: 0.0,
        key_wait_ms: 0.0,
        keys_from_stock: 0,
        keys_put_back: 0,
        snapshots: format!("{:?}", config.snapshots).to_lowercase(),
        report_path: None,
        catalogue,
        incomplete: None,
        notes,
        warnings: run_warnings(&profile),
        load: None,
    };
    let not_run = not_finished(&plan.selected, &outcome.scenarios);
    outcome.incomplete = match stopped {
        Some(reason) => Some(Incomplete { reason, not_run }),
        None if not_run.is_empty() => None,
        // A requirement is PASS only when all its scenarios ran.
        None => Some(Incomplete {
            reason: if config.fail_fast {
                "--fail-fast stopped the run at its first failure"
            } else {
                "cucumber ended without running them"
            }
            .to_string(),
            not_run,
        }),
    };
    apply_expectations(&mut outcome, &expected);
    if let (Some(settings), None) = (config.load, &outcome.incomplete) {
        let (load, stopped) =
            super::load::run_load(&ctx, config.features_dir(), &selector, settings, &outcome.scenarios, &mut stop)
                .await;
        if let Some(why) = stopped {
            outcome.notes.push(format!("the load phase ended early ({why}); its figures cover the time it ran"));
        }
        outcome.load = Some(load);
    }
    ctx.keys.put_back().await;
    let keys = ctx.keys.stats();
    outcome.keys_generated = keys.generated;
    outcome.keygen_ms = keys.generation.as_secs_f64() * 1000.0;
    outcome.key_wait_ms = keys.waited.as_secs_f64() * 1000.0;
    outcome.keys_from_stock = keys.from_stock;
    outcome.keys_put_back = keys.put_back;
    outcome.warnings.extend(running.tls_warnings());
    drop(running);
    if let (Some(staging), Some(dir)) = (staging, &config.report_dir) {
        cucumber_json::redact_file(&staging.path().join("cucumber.json"), &ctx.client.redactor)
            .map_err(io_err("cannot redact cucumber.json"))?;
        let target = staging
            .finish(dir, &outcome, sign_key.as_ref())
            .map_err(io_err(format!("cannot write the reports in {}", dir.display())))?;
        outcome.report_path = Some(target);
    }
    Ok(outcome)
}

/// The planned scenarios (each outline row apart) without a record.
fn not_finished(planned: &[super::plan::PlannedScenario], records: &[ScenarioRecord]) -> Vec<NotRun> {
    // Records name files from `features/`, the plan from the root: compare
    // by suffix.
    let finished = |file: &str, line: usize| {
        records.iter().any(|r| r.line == line && (r.file.ends_with(file) || file.ends_with(&r.file)))
    };
    planned
        .iter()
        .filter(|p| p.runs.iter().any(|line| !finished(&p.file, *line)))
        .map(|p| NotRun {
            file: p.file.clone(),
            scenario: p.name.clone(),
            line: p.line,
            requirements: requirement_tags(&p.tags),
        })
        .collect()
}

/// Marks the failures the expected-failures file covers, and lists the
/// entries whose scenarios ran and passed.
fn apply_expectations(outcome: &mut RunOutcome, expected: &[crate::expectations::ExpectedFailure]) {
    for s in outcome.scenarios.iter_mut().filter(|s| s.status == ScenarioStatus::Failed) {
        s.expected_failure =
            expected.iter().find(|e| e.covers(&outcome.target, &s.scenario, &s.requirements)).map(|e| e.reason.clone());
    }
    outcome.unexpected_passes = expected
        .iter()
        .filter(|e| {
            let ran: Vec<_> =
                outcome.scenarios.iter().filter(|s| e.covers(&outcome.target, &s.scenario, &s.requirements)).collect();
            !ran.is_empty() && ran.iter().all(|s| s.status == ScenarioStatus::Passed)
        })
        .cloned()
        .collect();
}

/// What a run (or a dry run) knows before it starts anything.
pub(super) struct Prepared {
    pub profile: crate::profile::Profile,
    pub catalogue: Catalogue,
    pub selector: Selector,
    pub plan: super::plan::Plan,
    /// The expected failures that apply to this target.
    pub expected: Vec<crate::expectations::ExpectedFailure>,
    /// What the user should know of the plan (scenarios ruled out by the profile).
    pub notes: Vec<String>,
}

/// Whether a scenario surely never reaches the embedded reference's partner:
/// the only families it needs are the code and key ones. (Password, reset
/// and session scenarios sign in through the partner when the profile has one.)
fn partner_free(tags: &[String]) -> bool {
    use crate::profile::{needs_of, Family, Need};
    needs_of(tags).iter().filter_map(|n| Need::parse(n)).all(|need| match need {
        Need::Family(f) => matches!(f, Family::Otp | Family::E2eKeys),
        _ => true,
    })
}

/// What weakens every verdict of a run, for a WARN line in each report.
fn run_warnings(profile: &crate::profile::Profile) -> Vec<String> {
    let mut out = Vec::new();
    if profile.tls.insecure {
        out.push(format!(
            "tls.insecure: the certificates of {} were NOT checked; anyone on the path could have answered",
            profile.base_url
        ));
    }
    out
}

/// Loads the profile and catalogue and plans the scenarios: every check on
/// what the user wrote, nothing started.
pub(super) fn prepare(config: &RunConfig) -> Result<Prepared, RunError> {
    let profile_path = config.target.clone().unwrap_or_else(|| config.embedded_profile());
    let mut profile = load_profile(&profile_path)?;
    let mut notes = Vec::new();
    if !config.starts_reference() && profile.platform.as_ref().is_some_and(|p| p.partner_public_key.is_none()) {
        // Without the partner's registered key no JWT can be checked: the SSO
        // scenarios cannot say anything, so they are not applicable, and said so.
        profile.drop_family(crate::profile::Family::SsoPlatform);
        // Without accounts of its own, the target's password accounts are
        // the partner's: its reset scenarios cannot run either.
        let resets_too = !profile.families.contains(&crate::profile::Family::Password)
            && profile.families.contains(&crate::profile::Family::PasswordReset);
        if resets_too {
            profile.drop_family(crate::profile::Family::PasswordReset);
        }
        notes.push(format!(
            "`platform.partner_public_key` is not set; SSO{} scenarios are not applicable to this run",
            if resets_too { " and password-reset (its accounts are the partner's)" } else { "" }
        ));
        profile.platform = None;
    }
    let catalogue = Catalogue::load(&config.requirements_path())?;
    let tags = plan_tags(config, &catalogue, &profile)?;
    let mut selector = Selector::new(tags.as_deref(), config.name.clone(), &profile)?;
    let mut plan = plan(&config.features_dir(), &catalogue, &selector)?;
    if let Some((index, count)) = config.shard {
        super::plan::shard(&mut plan, &mut selector, index, count);
    }
    if plan.selected.is_empty() && plan.not_applicable.is_empty() {
        // A filter that selects nothing would "pass" vacuously: say so instead.
        return Err(RunError::NothingSelected);
    }
    if plan.selected.is_empty() {
        let mut missing: Vec<&str> =
            plan.not_applicable.iter().flat_map(|n| n.missing.iter().map(String::as_str)).collect();
        missing.sort();
        missing.dedup();
        return Err(RunError::NothingApplicable { scenarios: plan.not_applicable.len(), missing: missing.join(", ") });
    }
    if config.starts_reference() && plan.selected.iter().all(|s| partner_free(&s.tags)) {
        // Nothing will go through the partner: the embedded reference needs
        // no partner key (an RSA key generation) and no platform double.
        profile.platform = None;
    }
    let expected = match &config.expected_failures {
        Some(path) => crate::expectations::load(path, |r| catalogue.get(r).is_some(), |s| plan.names.contains(s))
            .map_err(RunError::Expectations)?
            .into_iter()
            .filter(|e| e.target == profile.name)
            .collect(),
        None => Vec::new(),
    };
    Ok(Prepared { profile, catalogue, selector, plan, expected, notes })
}

/// The tag expression a run selects with: the certification plan's, and
/// `--tags` on top of it.
fn plan_tags(
    config: &RunConfig,
    catalogue: &Catalogue,
    profile: &crate::profile::Profile,
) -> Result<Option<String>, RunError> {
    let Some(name) = &config.plan else { return Ok(config.tags.clone()) };
    let plan = catalogue.plans.get(name).ok_or_else(|| {
        let known: Vec<&str> = catalogue.plans.keys().map(String::as_str).collect();
        RunError::UnknownPlan { plan: name.clone(), catalogue: catalogue.path.clone(), known: known.join(", ") }
    })?;
    let missing = profile.declared().missing(plan.needs.iter().map(String::as_str));
    if !missing.is_empty() {
        return Err(RunError::NotCertifiable {
            plan: name.clone(),
            target: profile.name.clone(),
            missing: missing.join(", "),
        });
    }
    Ok(match (&plan.tags, &config.tags) {
        (Some(p), Some(t)) => Some(format!("({p}) and ({t})")),
        (Some(p), None) => Some(p.clone()),
        (None, t) => t.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::partner_free;

    #[test]
    fn only_code_and_key_scenarios_are_known_to_leave_the_partner_alone() {
        let tags = |t: &[&str]| t.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(partner_free(&tags(&["needs:otp", "needs:email", "req:OTP-REG-01"])));
        assert!(partner_free(&tags(&["needs:e2e_keys", "needs:otp"])));
        assert!(!partner_free(&tags(&["needs:password_reset"])), "a reset signs up through the partner");
        assert!(!partner_free(&tags(&["needs:otp", "needs:sso_platform"])));
    }
}
