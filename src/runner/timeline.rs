//! A cucumber writer, tee'd beside JUnit and JSON, that keeps when each step
//! of each scenario started and how it ended. Exchanges carry the time they
//! were sent, so the report can place each one under the step that made it
//! without the steps having to say so.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::model::{StepRecord, StepStatus};
use chrono::{DateTime, Utc};
use cucumber::event::{Cucumber, Feature, Rule, Scenario, Step};
use cucumber::{parser, Event, Writer};

use crate::world::AuthWorld;

/// `(feature file as "features/…", scenario line)` -> its steps in order.
pub type Steps = Arc<Mutex<HashMap<(String, usize), Vec<StepRecord>>>>;

/// The writer; the runner keeps a clone of `steps` to read after the run.
#[derive(Default)]
pub struct StepTimeline {
    pub steps: Steps,
}

/// The feature path as reports show it: from `features/` on.
pub fn feature_file(feature: &cucumber::gherkin::Feature) -> String {
    feature
        .path
        .as_ref()
        .map(|p| {
            let s = p.display().to_string();
            s.find("features/").map(|i| s[i..].to_string()).unwrap_or(s)
        })
        .unwrap_or_default()
}

impl StepTimeline {
    fn step(
        &self,
        feature: &cucumber::gherkin::Feature,
        scenario: &cucumber::gherkin::Scenario,
        step: &cucumber::gherkin::Step,
        ev: &Step<AuthWorld>,
        at: DateTime<Utc>,
    ) {
        let key = (feature_file(feature), scenario.position.line);
        let mut all = self.steps.lock().unwrap_or_else(|e| e.into_inner());
        let steps = all.entry(key).or_default();
        let status = match ev {
            Step::Started => {
                steps.push(StepRecord {
                    keyword: step.keyword.trim().to_string(),
                    text: step.value.clone(),
                    line: step.position.line,
                    status: StepStatus::Running,
                    started: at,
                    exchanges: Vec::new(),
                    messages: Vec::new(),
                });
                return;
            }
            Step::Passed(..) => StepStatus::Passed,
            Step::Skipped => StepStatus::Skipped,
            Step::Failed(..) => StepStatus::Failed,
        };
        if let Some(last) =
            steps.iter_mut().rev().find(|s| s.line == step.position.line && s.status == StepStatus::Running)
        {
            last.status = status;
        }
    }
}

impl Writer<AuthWorld> for StepTimeline {
    type Cli = cucumber::cli::Empty;

    async fn handle_event(&mut self, event: parser::Result<Event<Cucumber<AuthWorld>>>, _: &Self::Cli) {
        let Ok(event) = event else { return };
        let at: DateTime<Utc> = event.at.into();
        let (feature, scenario, ev) = match &event.value {
            Cucumber::Feature(f, Feature::Scenario(sc, ev))
            | Cucumber::Feature(f, Feature::Rule(_, Rule::Scenario(sc, ev))) => (f, sc, &ev.event),
            _ => return,
        };
        match ev {
            Scenario::Step(step, s) | Scenario::Background(step, s) => self.step(feature, scenario, step, s, at),
            _ => {}
        }
    }
}

impl cucumber::writer::NonTransforming for StepTimeline {}
