//! The reference's in-memory state: processes, users, tokens, data owners
//! and data samples. Times are `Instant`s so the test hook can age one
//! process or token without touching a shared clock (concurrent scenarios
//! would otherwise expire each other's codes).
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

use serde::Serialize;

/// A code's lifetime (NIST SP 800-63B 5.1.3.2: out-of-band codes expire after 10 minutes).
pub const CODE_LIFETIME: Duration = Duration::from_secs(600);
/// Wrong tries after which a process is dead.
pub const MAX_TRIES: u32 = 5;
/// Longest token validity the API grants (10 years, as SDK 1.0.x asks for).
pub const MAX_TOKEN_VALIDITY: u64 = 10 * 365 * 24 * 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OwnerKind {
    Patient,
    Hcp,
}

#[derive(Debug)]
pub struct Process {
    pub login: String,
    pub kind: OwnerKind,
    pub first_name: String,
    pub last_name: String,
    pub code: String,
    pub created: Instant,
    pub wrong_tries: u32,
    pub validated: bool,
    /// The master HCP a new patient registers under (auto-shared with).
    pub master: Option<String>,
}

impl Process {
    pub fn expired(&self, now: Instant) -> bool {
        now.duration_since(self.created) > CODE_LIFETIME
    }
}

#[derive(Debug)]
pub struct Token {
    pub value: String,
    pub device_key: String,
    pub created: Instant,
    /// `None`: never expires.
    pub validity: Option<Duration>,
}

#[derive(Debug)]
pub struct User {
    pub id: String,
    pub login: String,
    pub data_owner_id: String,
    pub tokens: Vec<Token>,
    /// The code of the last validated process, usable as a password while it lives.
    pub otp: Option<(String, Instant)>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DataOwner {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: OwnerKind,
    pub first_name: String,
    pub last_name: String,
    pub public_keys: Vec<String>,
    /// `transferKeys[fromFingerprint][toFingerprint]`: the new private key,
    /// encrypted so that a holder of the old key can recover it.
    pub transfer_keys: BTreeMap<String, BTreeMap<String, serde_json::Value>>,
    /// Data owners new data is shared with automatically (the master HCP).
    pub share_with: Vec<String>,
    pub rev: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DataSample {
    pub id: String,
    pub rev: String,
    pub owner: String,
    pub delegations: Vec<String>,
    pub encrypted_self: String,
    pub encryption_keys: serde_json::Value,
    /// Only ever set under the `plaintext-accepted` fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<serde_json::Value>,
    pub created: i64,
}

#[derive(Default)]
pub struct Store {
    pub processes: HashMap<String, Process>,
    /// The request id of each login's newest process: with the newest code
    /// the only valid one, it is the one process of the login still open.
    pub newest_process: HashMap<String, String>,
    pub users: HashMap<String, User>,
    pub user_by_login: HashMap<String, String>,
    pub owners: HashMap<String, DataOwner>,
    pub samples: HashMap<String, DataSample>,
    /// Last mail per recipient, for the `lastEmail` test endpoint.
    pub last_mail: HashMap<String, serde_json::Value>,
    /// Maintenance tasks (KEY_PAIR_UPDATE notifications), oldest first.
    pub tasks: Vec<Task>,
    /// The partner backend's own accounts, by lower-cased e-mail.
    pub partner_users: HashMap<String, PartnerUser>,
    /// Accounts already handed a deep link (the `sso-deeplink-once` defect).
    pub deep_links_handed: std::collections::HashSet<String>,
    /// Outstanding password-reset links of the partner, by token.
    pub reset_links: HashMap<String, ResetLink>,
    /// The deep-link JWT handed out per e-mail; kept only by the
    /// `sso-deeplink-reused-jwt` defect, which hands it out again.
    pub deep_link_cache: HashMap<String, String>,
    /// The plain accounts service (`/api/...`).
    pub accounts: super::accounts_store::Accounts,
    /// Recent starts, wrong codes and wrong passwords, per login.
    pub throttles: super::throttle::Throttles,
}

/// A mailed password-reset link: for whom, since when, and whether it was used.
#[derive(Debug, Clone)]
pub struct ResetLink {
    pub email: String,
    pub created: Instant,
    pub used: bool,
}

/// An account of the partner backend (seed 004).
#[derive(Debug, Clone)]
pub struct PartnerUser {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub address: String,
    pub mobile: String,
    pub gender: String,
    /// argon2id PHC string.
    pub hash: String,
    /// The hash before the last completed reset; only the
    /// `sso-reset-keeps-old-password` defect still accepts it.
    pub previous_hash: Option<String>,
    pub disabled: bool,
    /// Always "patient", unless the `sso-role-from-request` fault took the client's word.
    pub role: String,
}

/// A notification to one data owner (iCure's maintenance task).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    pub id: String,
    #[serde(skip)]
    pub recipient: String,
    pub task_type: &'static str,
    pub status: &'static str,
    pub properties: TaskProperties,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskProperties {
    pub data_owner_concerned_id: String,
    pub data_owner_concerned_pub_key: String,
}

impl Store {
    pub fn user_by_login(&self, login: &str) -> Option<&User> {
        self.user_by_login.get(&login.to_lowercase()).and_then(|id| self.users.get(id))
    }

    pub fn user_by_login_mut(&mut self, login: &str) -> Option<&mut User> {
        let id = self.user_by_login.get(&login.to_lowercase())?.clone();
        self.users.get_mut(&id)
    }

    /// Who `owner` shares data with (auto-shares, and delegations on its
    /// samples) and who shares with `owner`: those a new key of `owner` concerns.
    pub fn delegates_and_delegators(&self, owner: &str) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        if let Some(o) = self.owners.get(owner) {
            out.extend(o.share_with.iter().cloned());
        }
        out.extend(self.owners.values().filter(|o| o.share_with.iter().any(|s| s == owner)).map(|o| o.id.clone()));
        for s in self.samples.values() {
            if s.owner == owner {
                out.extend(s.delegations.iter().cloned());
            } else if s.delegations.iter().any(|d| d == owner) {
                out.insert(s.owner.clone());
            }
        }
        out.remove(owner);
        out
    }

    /// Creates the user and its data owner for the first validated process of a login.
    pub fn create_user(
        &mut self,
        login: &str,
        kind: OwnerKind,
        first_name: &str,
        last_name: &str,
        master: Option<String>,
    ) -> &mut User {
        let owner = DataOwner {
            id: uuid::Uuid::new_v4().to_string(),
            kind,
            first_name: first_name.to_string(),
            last_name: last_name.to_string(),
            public_keys: Vec::new(),
            transfer_keys: BTreeMap::new(),
            share_with: master.into_iter().collect(),
            rev: new_rev(1),
        };
        let user = User {
            id: uuid::Uuid::new_v4().to_string(),
            login: login.to_lowercase(),
            data_owner_id: owner.id.clone(),
            tokens: Vec::new(),
            otp: None,
        };
        let id = user.id.clone();
        self.user_by_login.insert(user.login.clone(), id.clone());
        self.owners.insert(owner.id.clone(), owner);
        self.users.entry(id).or_insert(user)
    }

    /// Seeds the master HCP patients register under.
    pub fn seed_master_hcp(&mut self, id: &str) {
        self.owners.insert(
            id.to_string(),
            DataOwner {
                id: id.to_string(),
                kind: OwnerKind::Hcp,
                first_name: "Samwell".into(),
                last_name: "Tarly".into(),
                public_keys: Vec::new(),
                transfer_keys: BTreeMap::new(),
                share_with: Vec::new(),
                rev: new_rev(1),
            },
        );
    }
}

/// CouchDB-like revision: generation, dash, random hex.
pub fn new_rev(generation: u32) -> String {
    format!("{generation}-{}", &uuid::Uuid::new_v4().simple().to_string()[..16])
}

/// Makes `t` older by `by`, saturating at the process start.
pub fn age(t: &mut Instant, by: Duration) -> bool {
    t.checked_sub(by).map(|older| *t = older).is_some()
}
