//! The cucumber World: the actors of one scenario, and the exchanges made
//! so far (the scenario's evidence). Its `Debug` never shows a secret,
//! because cucumber prints the World when a step fails.
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::crypto::KeyPair;
use crate::operation::Exchange;
use crate::runner::RunContext;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorKind {
    Patient,
    Hcp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    Sms,
}

/// A stored data sample as its author knows it.
#[derive(Debug, Clone)]
pub struct SampleRecord {
    pub id: String,
    pub plaintext: String,
}

/// A named person in a scenario, with what their device holds.
#[derive(Clone)]
pub struct Actor {
    pub name: String,
    pub kind: ActorKind,
    pub email: String,
    pub phone: String,
    pub channel: Channel,
    pub request_id: Option<String>,
    /// Codes received, oldest first; the last is the current one.
    pub codes: Vec<String>,
    pub user_id: Option<String>,
    pub group_id: Option<String>,
    pub data_owner_id: Option<String>,
    /// Tokens issued, oldest first; the last is the one the device stores.
    pub tokens: Vec<String>,
    pub key: Option<KeyPair>,
    /// Other keys this device holds (recovered through a transfer key).
    pub extra_keys: Vec<KeyPair>,
    pub samples: Vec<SampleRecord>,
    /// The password of the actor's partner account (SSO).
    pub password: Option<String>,
    /// The password before the last completed reset.
    pub previous_password: Option<String>,
    /// Password-reset links received by mail, oldest first: `(link, token)`.
    pub reset_links: Vec<(String, String)>,
    /// Deep links the partner handed out, oldest first.
    pub deep_links: Vec<String>,
    /// The token of each accepted partner login, in order.
    pub sso_tokens: Vec<String>,
    /// The master HCP (data owner id) a patient signs up under; `None`: the profile's.
    pub master: Option<String>,
    /// The device in hand ("phone" unless a step says otherwise) and the
    /// others, each with what it stores.
    pub device: String,
    pub parked: BTreeMap<String, Device>,
}

/// What one device of an actor stores.
#[derive(Clone, Default)]
pub struct Device {
    pub key: Option<KeyPair>,
    pub extra_keys: Vec<KeyPair>,
    pub tokens: Vec<String>,
}

impl Actor {
    pub fn login(&self) -> &str {
        match self.channel {
            Channel::Email => &self.email,
            Channel::Sms => &self.phone,
        }
    }

    pub fn code(&self) -> Option<&str> {
        self.codes.last().map(String::as_str)
    }

    pub fn token(&self) -> Option<&str> {
        self.tokens.last().map(String::as_str)
    }

    /// Every key this device holds.
    pub fn keyring(&self) -> Vec<&KeyPair> {
        self.key.iter().chain(self.extra_keys.iter()).collect()
    }

    /// Puts the device in hand away and takes up `name` (empty if new).
    pub fn switch_device(&mut self, name: &str) {
        if self.device == name {
            return;
        }
        let current = Device {
            key: self.key.take(),
            extra_keys: std::mem::take(&mut self.extra_keys),
            tokens: std::mem::take(&mut self.tokens),
        };
        self.parked.insert(std::mem::replace(&mut self.device, name.to_string()), current);
        let next = self.parked.remove(name).unwrap_or_default();
        self.key = next.key;
        self.extra_keys = next.extra_keys;
        self.tokens = next.tokens;
    }

    /// The device's storage is wiped: keys and tokens are gone.
    pub fn lose_device_storage(&mut self) {
        self.key = None;
        self.extra_keys.clear();
        self.tokens.clear();
    }
}

impl std::fmt::Debug for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Actor")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("email", &self.email)
            .field("phone", &self.phone)
            .field("user_id", &self.user_id)
            .field("data_owner_id", &self.data_owner_id)
            .field("codes", &format!("{} received", self.codes.len()))
            .field("tokens", &format!("{} issued", self.tokens.len()))
            .field("device", &self.device)
            .field("key", &self.key)
            .field("extra_keys", &self.extra_keys)
            .field("samples", &self.samples.iter().map(|s| &s.id).collect::<Vec<_>>())
            .finish()
    }
}

#[derive(Default, cucumber::World)]
pub struct AuthWorld {
    /// Set by the runner's before-hook; `None` only outside a run.
    pub ctx: Option<Arc<RunContext>>,
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
        let redactor = self.ctx.as_ref().map(|c| c.redactor.clone()).unwrap_or_default();
        let exchanges: Vec<String> = self.exchanges.iter().map(|e| e.summary(&redactor)).collect();
        f.debug_struct("AuthWorld")
            .field("scenario", &self.scenario)
            .field("actors", &self.actors.values().collect::<Vec<_>>())
            .field("exchanges", &exchanges)
            .finish()
    }
}

impl AuthWorld {
    pub fn ctx(&self) -> Arc<RunContext> {
        self.ctx.clone().expect("the runner sets the run context before every scenario")
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
