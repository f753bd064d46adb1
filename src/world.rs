//! The cucumber World: the actors of one scenario, and the exchanges made
//! so far (the scenario's evidence), beside the context every step shares. Its `Debug` never shows a secret,
//! because cucumber prints the World when a step fails.
use std::collections::{BTreeMap, BTreeSet};

use cucumber::gherkin;
use std::sync::Arc;

use crate::client::{Actor, ClientContext};
use crate::crypto::KeyPool;
use crate::doubles::PlatformDouble;
use crate::operation::Exchange;
use crate::profile::{needs_of, Family, Need};
use crate::snapshot::SnapshotSettings;

/// What every step of a run may use, shared by all scenarios: the client's
/// reach (target, redactor, message channels), the platform double, the
/// key pool and the snapshot settings. The runner builds it; it knows
/// nothing of the runner.
pub struct StepContext {
    pub client: ClientContext,
    pub platform: Option<PlatformDouble>,
    pub keys: Arc<KeyPool>,
    pub snapshots: SnapshotSettings,
    /// The first session token of the run that was a JWT, described
    /// ("RS256 JWT, kid ..."): a run whose profile does not declare `jwt`
    /// then says the JWT attacks could run.
    pub jwt_seen: std::sync::OnceLock<String>,
}

impl StepContext {
    /// Drops what the doubles kept for a finished scenario's actors (their
    /// mails and SMS), once its evidence is gathered: their addresses were
    /// made for that scenario alone, so nothing later asks for them, and a
    /// long run (a load phase) keeps only the scenarios in flight.
    pub fn forget(&self, world: &AuthWorld) {
        for actor in world.actors.values() {
            let [email, phone] = &actor.minted;
            if let Some(mail) = &self.client.mail {
                mail.mailbox.forget(email);
            }
            if let Some(sms) = &self.client.sms {
                sms.inbox.forget(phone);
            }
        }
    }
}

#[derive(Default, cucumber::World)]
pub struct AuthWorld {
    /// Set by the runner's before-hook; `None` only outside a run.
    pub ctx: Option<Arc<StepContext>>,
    pub feature: String,
    pub scenario: String,
    pub actors: BTreeMap<String, Actor>,
    pub exchanges: Vec<Exchange>,
    /// The exchange that "the request" in a step refers to.
    pub last: Option<usize>,
    /// Each actor's latest start exchange (index into `exchanges`), for
    /// comparing answers across actors (enumeration checks).
    pub start_replies: BTreeMap<String, usize>,
    /// Refusals checked so far, each waiting for its positive control: an
    /// accepted exchange of the same operation in this scenario.
    pub pending_controls: Vec<PendingControl>,
    /// The tally of the scenario's guessing series, for the step that judges it.
    pub pressure: Option<crate::operation::Pressure>,
    /// Timing comparisons the scenario made, for its record.
    pub timings: Vec<crate::model::TimingRecord>,
    /// The forged tokens presented so far: their exchange and how each was made.
    pub forged: Vec<(usize, String)>,
    /// The attacker's site a forged header points to, once a step started it.
    pub attacker: Option<crate::doubles::AttackerSite>,
    /// The scenario's `@needs:` (its own, its rule's and its feature's tags).
    pub needs: BTreeSet<Need>,
}

/// What a scenario needs: the `@needs:` of its own tags, its rule's and its feature's.
fn scenario_needs(
    feature: &gherkin::Feature,
    rule: Option<&gherkin::Rule>,
    scenario: &gherkin::Scenario,
) -> BTreeSet<Need> {
    let tags = feature.tags.iter().chain(rule.iter().flat_map(|r| &r.tags)).chain(&scenario.tags);
    needs_of(tags).iter().filter_map(|n| Need::parse(n)).collect()
}

/// A refusal that counts only once the same operation is shown to work.
#[derive(Debug, Clone)]
pub struct PendingControl {
    pub operation: String,
    /// What was refused, in the step's words.
    pub what: String,
}

impl std::fmt::Debug for AuthWorld {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redactor = self.ctx.as_ref().map(|c| c.client.redactor.clone()).unwrap_or_default();
        let exchanges: Vec<String> = self.exchanges.iter().map(|e| e.summary(&redactor)).collect();
        f.debug_struct("AuthWorld")
            .field("scenario", &self.scenario)
            .field("actors", &self.actors.values().collect::<Vec<_>>())
            .field("exchanges", &exchanges)
            .finish()
    }
}

impl AuthWorld {
    pub fn ctx(&self) -> Arc<StepContext> {
        self.ctx.clone().expect("the runner sets the run context before every scenario")
    }

    /// The before-hook of every cucumber-rs run: the world learns the run's
    /// context, which scenario it is and what the scenario needs.
    pub fn enter(
        &mut self,
        ctx: &Arc<StepContext>,
        feature: &gherkin::Feature,
        rule: Option<&gherkin::Rule>,
        scenario: &gherkin::Scenario,
    ) {
        self.ctx = Some(ctx.clone());
        self.feature = feature.name.clone();
        self.scenario = scenario.name.clone();
        self.needs = scenario_needs(feature, rule, scenario);
    }

    /// Whether the scenario's actors need key pairs on a target that keeps
    /// keys: it is about the keys (`@needs:e2e_keys`) or about records,
    /// which such a target has sealed on the device. Actors of other
    /// scenarios sign up without one: the key would never be used, and each
    /// costs about 70 ms of CPU to generate.
    pub fn keys_matter(&self) -> bool {
        [Family::E2eKeys, Family::Records].iter().any(|f| self.needs.contains(&Need::Family(*f)))
    }

    pub fn record(&mut self, ex: Exchange) -> &Exchange {
        self.exchanges.push(ex);
        self.last = Some(self.exchanges.len() - 1);
        &self.exchanges[self.exchanges.len() - 1]
    }

    /// Records an exchange and remembers it as `key`'s answer, for steps
    /// that compare two actors' answers (enumeration checks).
    pub fn record_reply(&mut self, key: String, ex: Exchange) {
        self.record(ex);
        self.start_replies.insert(key, self.exchanges.len() - 1);
    }

    /// Leaves a refusal of `operation` waiting for its positive control.
    pub fn expect_control(&mut self, operation: String, what: String) {
        self.pending_controls.push(PendingControl { operation, what });
    }

    /// The refusals whose operation was never accepted in this scenario,
    /// one message each: a refusal without a control proves nothing (the
    /// route may not exist, the actor may be invalid).
    pub fn uncontrolled_refusals(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .pending_controls
            .iter()
            .filter(|p| !self.exchanges.iter().any(|e| e.operation == p.operation && e.accepted))
            .map(|p| format!("{} was refused, but no `{}` was accepted in this scenario: without that positive control the refusal proves nothing (is the route bound to a path that exists?) {}", p.what, p.operation, crate::assertion::Assertion::Control.tag()))
            .collect();
        out.dedup();
        out
    }

    pub fn last_exchange(&self) -> Option<&Exchange> {
        self.last.map(|i| &self.exchanges[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_matter_where_the_scenario_its_rule_or_its_feature_needs_keys_or_records() {
        let text = "@needs:otp\nFeature: f\n  @needs:e2e_keys\n  Scenario: keys\n    Given a\n\n  Scenario: codes\n    Given a\n\n  \
            @needs:records\n  Rule: r\n    Scenario: records\n      Given a\n";
        let f = gherkin::Feature::parse(text, gherkin::GherkinEnv::default()).unwrap();
        let world = |rule: Option<&gherkin::Rule>, s: &gherkin::Scenario| AuthWorld {
            needs: scenario_needs(&f, rule, s),
            ..AuthWorld::default()
        };
        assert!(world(None, &f.scenarios[0]).keys_matter());
        let codes = world(None, &f.scenarios[1]);
        assert!(!codes.keys_matter());
        assert_eq!(codes.needs, [Need::Family(Family::Otp)].into());
        let rule = &f.rules[0];
        assert!(world(Some(rule), &rule.scenarios[0]).keys_matter());
    }

    fn exchange(operation: &str, status: u16, accepted: bool) -> Exchange {
        Exchange {
            operation: operation.into(),
            started: chrono::Utc::now(),
            method: "GET".into(),
            url: "http://127.0.0.1/x".into(),
            request_headers: Vec::new(),
            request_body: None,
            status,
            response_headers: Vec::new(),
            response_body: String::new(),
            elapsed: std::time::Duration::ZERO,
            accepted,
            refusal: !accepted,
            outcome: None,
            extracted: Default::default(),
            ..Default::default()
        }
    }

    #[test]
    fn a_refusal_counts_only_beside_an_accepted_exchange_of_its_operation() {
        let mut w = AuthWorld::default();
        w.record(exchange("otp.validate", 404, false));
        w.expect_control("otp.validate".into(), "a wrong code".into());
        // Another operation working is no control.
        w.record(exchange("otp.start", 200, true));
        let pending = w.uncontrolled_refusals();
        assert_eq!(pending.len(), 1);
        assert!(pending[0].contains("a wrong code") && pending[0].contains("`otp.validate`"), "{}", pending[0]);
        // The same operation accepted later in the scenario settles it.
        w.record(exchange("otp.validate", 200, true));
        assert!(w.uncontrolled_refusals().is_empty());
    }
}
