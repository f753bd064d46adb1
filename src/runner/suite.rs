//! The one way this crate sets cucumber-rs up over the feature files, shared
//! by the ordinary run and the load phase's virtual users: features read by
//! our [`FeatureParser`], every scenario entered with the run's context
//! before its first step, skipped steps failing it, cucumber-rs's own
//! command line left alone, one callback told how each scenario ended, and
//! then what the doubles kept for its actors dropped.
//! What differs between the two (the writer, how many scenarios at once,
//! what is kept of a finished scenario) is a parameter.
use std::path::PathBuf;
use std::sync::Arc;

use cucumber::event::ScenarioFinished;
use cucumber::gherkin::{Feature, Rule, Scenario};
use cucumber::runner::basic::WhichScenarioFn;
use cucumber::writer::{FailOnSkipped, Normalized};
use cucumber::{runner, step, Cucumber, Writer, WriterExt as _};
use futures::future::LocalBoxFuture;
use futures::FutureExt as _;

use super::parser::FeatureParser;
use crate::world::{AuthWorld, StepContext};

/// The hook that enters each scenario's world into the run.
pub(super) type Before =
    Box<dyn for<'a> Fn(&'a Feature, Option<&'a Rule>, &'a Scenario, &'a mut AuthWorld) -> LocalBoxFuture<'a, ()>>;

/// The hook that hands each finished scenario to the caller.
pub(super) type After = Box<
    dyn for<'a> Fn(
        &'a Feature,
        Option<&'a Rule>,
        &'a Scenario,
        &'a ScenarioFinished,
        Option<&'a mut AuthWorld>,
    ) -> LocalBoxFuture<'a, ()>,
>;

/// cucumber-rs as [`suite`] sets it up, ready for `filter_run`.
pub(super) type Suite<Wr> = Cucumber<
    AuthWorld,
    FeatureParser,
    PathBuf,
    runner::Basic<AuthWorld, WhichScenarioFn, Before, After>,
    FailOnSkipped<Wr>,
>;

/// What a caller keeps of a finished scenario: called once per scenario (per
/// outline row), with its world when one was made.
pub(super) trait OnFinished:
    Fn(&StepContext, &Feature, Option<&Rule>, &Scenario, &ScenarioFinished, Option<&AuthWorld>) + 'static
{
}

impl<F> OnFinished for F where
    F: Fn(&StepContext, &Feature, Option<&Rule>, &Scenario, &ScenarioFinished, Option<&AuthWorld>) + 'static
{
}

/// cucumber-rs over `steps`, writing to `writer` (which must see events
/// in order: cucumber-rs runs scenarios concurrently), at most `concurrency`
/// scenarios at once (at least one), each scenario's end given to
/// `on_finished`.
pub(super) fn suite<Wr>(
    ctx: &Arc<StepContext>,
    steps: step::Collection<AuthWorld>,
    writer: Wr,
    concurrency: usize,
    on_finished: impl OnFinished,
) -> Suite<Wr>
where
    Wr: Writer<AuthWorld> + Normalized,
    Wr::Cli: Default,
{
    let before_ctx = ctx.clone();
    let before: Before = Box::new(move |feature, rule, scenario, world| {
        world.enter(&before_ctx, feature, rule, scenario);
        async {}.boxed_local()
    });
    let after_ctx = ctx.clone();
    let after: After = Box::new(move |feature, rule, scenario, finished, world| {
        let world = world.map(|w| &*w);
        on_finished(&after_ctx, feature, rule, scenario, finished, world);
        if let Some(world) = world {
            after_ctx.forget(world);
        }
        async {}.boxed_local()
    });
    let runner =
        runner::Basic::default().steps(steps).max_concurrent_scenarios(concurrency.max(1)).before(before).after(after);
    // A skipped step fails its scenario, here as in every run: a
    // requirement nothing exercised is not met.
    Cucumber::custom(FeatureParser, runner, writer.fail_on_skipped())
        // Without options of its own, cucumber-rs would parse this
        // process's command line, which is ours.
        .with_default_cli()
}
