//! A person the SDK acts for, and what their device holds: login, e-mail,
//! phone, codes received, tokens issued, key pairs and stored samples. Its
//! `Debug` never shows a secret, because cucumber prints the World (which
//! holds the actors) when a step fails.
use std::collections::BTreeMap;

use serde_json::Value;

use crate::crypto::KeyPair;
use crate::operation::{Exchange, Vars};
use crate::profile::Lifetime;

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
    /// The e-mail address and phone number the harness made for this actor
    /// (steps may change `email` and `phone` since): the scenario's own,
    /// which the doubles forget when it ends.
    pub minted: [String; 2],
    pub channel: Channel,
    pub request_id: Option<String>,
    /// What the last accepted start was for: `sign_up` or `sign_in`.
    pub purpose: &'static str,
    /// Codes received, oldest first; the last is the current one.
    pub codes: Vec<String>,
    /// A process put aside when the actor asked for another code, to try
    /// its (older) code afterwards.
    pub earlier: Option<Process>,
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
    /// Every value an operation extracted for this actor, by its `extract:`
    /// name, the latest winning: later operations see them (a flow id, a
    /// session token taken from a header).
    pub values: BTreeMap<String, String>,
    /// When the current code, token and reset link were born, as far as
    /// the harness can tell: between the request that made it leaving and
    /// its answer arriving (`Born`), and how far a test hook has aged each.
    pub born: BTreeMap<Lifetime, Born>,
}

/// What names one started process to the target: the request id the
/// harness chose, the values its start answered (a flow token), its code.
#[derive(Clone, Default)]
pub struct Process {
    pub request_id: Option<String>,
    pub values: BTreeMap<String, String>,
    pub purpose: &'static str,
    pub code: String,
}

/// The window a code, token or link was made in, and the age a test hook
/// already added to it.
#[derive(Debug, Clone, Copy)]
pub struct Born {
    pub sent: std::time::Instant,
    pub answered: std::time::Instant,
    pub aged: std::time::Duration,
}

impl Born {
    pub fn between(sent: std::time::Instant) -> Born {
        Born { sent, answered: std::time::Instant::now(), aged: std::time::Duration::ZERO }
    }
}

/// What one device of an actor stores.
#[derive(Clone, Default)]
pub struct Device {
    pub key: Option<KeyPair>,
    pub extra_keys: Vec<KeyPair>,
    pub tokens: Vec<String>,
}

impl Actor {
    /// The actor's current key pair, or an error that says where key pairs
    /// come from (a scenario not about keys signs its actors up without one).
    pub fn key_pair(&self) -> Result<&KeyPair, super::ClientError> {
        self.key.as_ref().ok_or_else(|| {
            super::ClientError::Expectation(format!(
                "{} has no key pair (a sign-up makes one only on a target with e2e_keys, in a scenario tagged \
                 @needs:e2e_keys or @needs:records)",
                self.name
            ))
        })
    }

    /// The code the actor received last, or an error naming the actor.
    pub fn received_code(&self) -> Result<String, super::ClientError> {
        self.code()
            .map(str::to_string)
            .ok_or_else(|| super::ClientError::Expectation(format!("{} has received no code", self.name)))
    }

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

    /// What every operation made for this actor sees of them (see
    /// `profile::ACTOR_VARIABLES`): their login, addresses, password and
    /// last code where known, and the values extracted for them so far.
    pub fn context(&self) -> Vars {
        let mut vars: Vars = self.values.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
        let mut put = |k: &str, v: &str| {
            vars.insert(k.into(), Value::String(v.to_string()));
        };
        put("login", self.login());
        put("email", &self.email);
        put("phone", &self.phone);
        if let Some(p) = &self.password {
            put("password", p);
        }
        if let Some(c) = self.code() {
            put("code", c);
        }
        vars
    }

    /// Keeps what an operation extracted for this actor.
    pub fn remember(&mut self, ex: &Exchange) {
        self.values.extend(ex.extracted.iter().map(|(k, v)| (k.clone(), v.clone())));
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
            .field("values", &self.values.keys().collect::<Vec<_>>())
            .finish()
    }
}
