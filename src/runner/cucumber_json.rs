//! `cucumber.json`, streamed: the Cucumber JSON format (the one CI
//! dashboards read), written a scenario at a time as scenarios finish.
//!
//! cucumber-rs's own JSON writer keeps every feature in memory and, for each
//! event, looks its scenario up by comparing whole features and formatted
//! names: a run of 10,000 scenarios spent most of its time there and held
//! the whole document until the end. This writer sits behind the runner's
//! `normalized()` writer, so features arrive one after another and each
//! scenario's events together: it keeps only the scenarios in flight, and
//! writes each one's elements (its background, then itself) as one line as
//! soon as it finishes. The file is redacted line by line once the run is
//! over ([`redact_file`]), when every secret of the run is known.
//!
//! The structures are cucumber-rs's own (`writer::json::{Feature, Element,
//! Step}`), so the format is exactly the one it writes.
use std::collections::HashMap;
use std::io::{self, BufRead, BufWriter, Write};
use std::mem;
use std::path::Path;
use std::time::SystemTime;

use cucumber::event::{self, Cucumber, Feature as FeatureEvent, Rule, Scenario};
use cucumber::gherkin;
use cucumber::writer::json::{Element, Embedding, Feature, HookResult, RunResult, Status, Step, Tag};
use cucumber::{parser, Event, Writer};

use super::timeline::feature_file;
use crate::redact::Redactor;
use crate::world::AuthWorld;

/// Where a feature's element list opens and closes in the stream.
const ELEMENTS_OPEN: &str = "\"elements\":[";

pub struct StreamingJson<W: Write> {
    out: BufWriter<W>,
    /// The feature whose element list is open, by file.
    open: Option<String>,
    features_written: usize,
    elements_in_open: usize,
    /// Scenarios that started and have not finished, by (file, line).
    in_flight: HashMap<(String, usize), InFlight>,
    finished: bool,
    failed: Option<io::Error>,
}

#[derive(Default)]
struct InFlight {
    background: Option<Element>,
    scenario: Option<Element>,
    started: Option<SystemTime>,
    before: Vec<HookResult>,
    after: Vec<HookResult>,
    logs: Vec<String>,
}

impl<W: Write> StreamingJson<W> {
    pub fn new(out: W) -> Self {
        StreamingJson {
            out: BufWriter::new(out),
            open: None,
            features_written: 0,
            elements_in_open: 0,
            in_flight: HashMap::new(),
            finished: false,
            failed: None,
        }
    }

    /// Opens `feature`'s element list, closing the previous feature's.
    fn enter(&mut self, feature: &gherkin::Feature) -> io::Result<()> {
        let file = feature_file(feature);
        if self.open.as_deref() == Some(file.as_str()) {
            return Ok(());
        }
        self.close_feature()?;
        let header = Feature {
            uri: Some(file.clone()),
            keyword: feature.keyword.clone(),
            name: feature.name.clone(),
            tags: feature.tags.iter().map(|t| Tag { name: t.clone(), line: feature.position.line }).collect(),
            elements: Vec::new(),
        };
        let json = serde_json::to_string(&header).map_err(io::Error::other)?;
        // `elements` is the last field: open its list and leave it open.
        let head = json.strip_suffix("]}").filter(|h| h.ends_with(ELEMENTS_OPEN));
        let head = head.ok_or_else(|| io::Error::other("cucumber's Feature no longer ends with its elements"))?;
        let sep = if self.features_written == 0 { "[\n" } else { ",\n" };
        write!(self.out, "{sep}{head}")?;
        self.open = Some(file);
        self.features_written += 1;
        self.elements_in_open = 0;
        Ok(())
    }

    fn close_feature(&mut self) -> io::Result<()> {
        if self.open.take().is_some() {
            self.out.write_all(b"\n]}")?;
        }
        Ok(())
    }

    fn write_element(&mut self, element: &Element) -> io::Result<()> {
        let sep = if self.elements_in_open == 0 { "\n" } else { ",\n" };
        self.out.write_all(sep.as_bytes())?;
        serde_json::to_writer(&mut self.out, element).map_err(io::Error::other)?;
        self.elements_in_open += 1;
        Ok(())
    }

    /// Ends the document: what finished is written, the lists are closed.
    fn finish(&mut self) -> io::Result<()> {
        if self.finished {
            return Ok(());
        }
        self.finished = true;
        self.close_feature()?;
        self.out.write_all(if self.features_written == 0 { b"[]\n" } else { b"\n]\n" })?;
        self.out.flush()
    }

    fn scenario_event(
        &mut self,
        feature: &gherkin::Feature,
        rule: Option<&gherkin::Rule>,
        scenario: &gherkin::Scenario,
        ev: Scenario<AuthWorld>,
        at: SystemTime,
    ) -> io::Result<()> {
        let key = (feature_file(feature), scenario.position.line);
        match ev {
            Scenario::Started => {
                self.in_flight.insert(key, InFlight::default());
            }
            Scenario::Hook(ty, hook) => {
                let flight = self.in_flight.entry(key).or_default();
                let (status, error_message) = match hook {
                    event::Hook::Started => {
                        flight.started = Some(at);
                        return Ok(());
                    }
                    event::Hook::Passed => (Status::Passed, None),
                    event::Hook::Failed(_, info) => (Status::Failed, Some(panic_text(info.as_ref()))),
                };
                let result = HookResult {
                    result: RunResult { status, duration: since(flight.started.take(), at), error_message },
                    embeddings: embeddings(&mut flight.logs),
                };
                match ty {
                    event::HookType::Before => flight.before.push(result),
                    event::HookType::After => flight.after.push(result),
                }
            }
            Scenario::Background(step, ev) => self.step(key, feature, rule, scenario, "background", &step, ev, at),
            Scenario::Step(step, ev) => self.step(key, feature, rule, scenario, "scenario", &step, ev, at),
            Scenario::Log(msg) => self.in_flight.entry(key).or_default().logs.push(msg),
            Scenario::Finished => {
                let mut flight = self.in_flight.remove(&key).unwrap_or_default();
                let mut scenario_el =
                    flight.scenario.take().unwrap_or_else(|| element(feature, rule, scenario, "scenario"));
                scenario_el.before = mem::take(&mut flight.before);
                scenario_el.after = mem::take(&mut flight.after);
                self.enter(feature)?;
                if let Some(background) = &flight.background {
                    self.write_element(background)?;
                }
                self.write_element(&scenario_el)?;
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn step(
        &mut self,
        key: (String, usize),
        feature: &gherkin::Feature,
        rule: Option<&gherkin::Rule>,
        scenario: &gherkin::Scenario,
        ty: &'static str,
        step: &gherkin::Step,
        ev: event::Step<AuthWorld>,
        at: SystemTime,
    ) {
        let flight = self.in_flight.entry(key).or_default();
        let (status, error_message) = match ev {
            event::Step::Started => {
                flight.started = Some(at);
                return;
            }
            event::Step::Passed(..) => (Status::Passed, None),
            event::Step::Skipped => (Status::Skipped, None),
            event::Step::Failed(_, loc, _, err) => {
                let status = match &err {
                    event::StepError::NotFound => Status::Undefined,
                    event::StepError::AmbiguousMatch(..) => Status::Ambiguous,
                    event::StepError::Panic(..) => Status::Failed,
                };
                let matched = loc.map(|l| format!("Matched: {}:{}:{}\n", l.path, l.line, l.column)).unwrap_or_default();
                (status, Some(format!("{matched}{err}")))
            }
        };
        let result = RunResult { status, duration: since(flight.started.take(), at), error_message };
        let record = Step {
            keyword: step.keyword.clone(),
            line: step.position.line,
            name: step.value.clone(),
            hidden: false,
            result,
            embeddings: embeddings(&mut flight.logs),
        };
        let slot = if ty == "background" { &mut flight.background } else { &mut flight.scenario };
        slot.get_or_insert_with(|| element(feature, rule, scenario, ty)).steps.push(record);
    }
}

/// An element as cucumber-rs builds one (`Element::new` is private to it).
fn element(
    feature: &gherkin::Feature,
    rule: Option<&gherkin::Rule>,
    scenario: &gherkin::Scenario,
    ty: &'static str,
) -> Element {
    let keyword = (ty == "background").then(|| feature.background.as_ref().map(|bg| &bg.keyword)).flatten();
    let rule_id = rule.map(|r| format!("/{}", kebab(&r.name))).unwrap_or_default();
    Element {
        after: Vec::new(),
        before: Vec::new(),
        keyword: keyword.unwrap_or(&scenario.keyword).clone(),
        r#type: ty,
        id: format!("{}{rule_id}/{}", kebab(&feature.name), kebab(&scenario.name)),
        line: scenario.position.line,
        name: format!("{}{}", rule.map(|r| format!("{} ", r.name)).unwrap_or_default(), scenario.name),
        tags: scenario.tags.iter().map(|t| Tag { name: t.clone(), line: scenario.position.line }).collect(),
        steps: Vec::new(),
    }
}

/// `Some words, here` -> `some-words-here`, as cucumber-rs's ids read.
fn kebab(text: &str) -> String {
    let words: Vec<String> =
        text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
    words.join("-")
}

fn since(started: Option<SystemTime>, at: SystemTime) -> u128 {
    started.and_then(|s| at.duration_since(s).ok()).map_or(0, |d| d.as_nanos())
}

fn embeddings(logs: &mut Vec<String>) -> Vec<Embedding> {
    mem::take(logs)
        .into_iter()
        .map(|msg| Embedding {
            data: cucumber::writer::json::Base64::encode(msg),
            mime_type: "text/x.cucumber.log+plain".parse().expect("a valid MIME type"),
            name: None,
        })
        .collect()
}

fn panic_text(info: &(dyn std::any::Any + Send)) -> String {
    info.downcast_ref::<String>()
        .cloned()
        .or_else(|| info.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "(Could not resolve panic payload)".into())
}

impl<W: Write> Writer<AuthWorld> for StreamingJson<W> {
    type Cli = cucumber::cli::Empty;

    async fn handle_event(&mut self, event: parser::Result<Event<Cucumber<AuthWorld>>>, _: &Self::Cli) {
        if self.failed.is_some() {
            return;
        }
        let done = match event.map(Event::split) {
            Ok((Cucumber::Feature(f, FeatureEvent::Scenario(sc, ev)), meta)) => {
                self.scenario_event(&f, None, &sc, ev.event, meta.at)
            }
            Ok((Cucumber::Feature(f, FeatureEvent::Rule(r, Rule::Scenario(sc, ev))), meta)) => {
                self.scenario_event(&f, Some(&r), &sc, ev.event, meta.at)
            }
            Ok((Cucumber::Finished, _)) => self.finish(),
            // Parse errors stop a run before it starts (the features are
            // linted first); nothing is lost by not listing them here.
            _ => Ok(()),
        };
        if let Err(e) = done {
            self.failed = Some(e);
        }
    }
}

impl<W: Write> cucumber::writer::NonTransforming for StreamingJson<W> {}

impl<W: Write> Drop for StreamingJson<W> {
    /// A run stopped early (an interrupt drops cucumber's future) still
    /// leaves a whole document of the scenarios that finished.
    fn drop(&mut self) {
        if self.failed.is_none() {
            let _ = self.finish();
        }
    }
}

/// Redacts the streamed file in place, a line at a time: an element line is
/// JSON and is redacted as JSON (keys that are secret by name, then every
/// string by value and shape); the lines that open and close the lists are
/// redacted as text. Memory holds one line.
pub fn redact_file(path: &Path, redactor: &Redactor) -> io::Result<()> {
    let redacted = path.with_extension("json.redacting");
    {
        let input = io::BufReader::new(std::fs::File::open(path)?);
        let mut out = BufWriter::new(std::fs::File::create(&redacted)?);
        for line in input.lines() {
            let line = line?;
            let element = line.strip_suffix(',').unwrap_or(&line);
            match serde_json::from_str::<serde_json::Value>(element) {
                Ok(mut value) if value.is_object() => {
                    redactor.json(&mut value);
                    serde_json::to_writer(&mut out, &value).map_err(io::Error::other)?;
                    out.write_all(&line.as_bytes()[element.len()..])?;
                }
                _ => out.write_all(redactor.text(&line).as_bytes())?,
            }
            out.write_all(b"\n")?;
        }
        out.flush()?;
    }
    std::fs::rename(redacted, path)
}
