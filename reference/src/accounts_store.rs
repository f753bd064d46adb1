//! The state of the reference's plain accounts service (`/api/...`): the
//! shape a Django, ASP.NET Identity, Express or FastAPI backend has, with
//! nothing of iCure or SnapMD in it. Accounts sign in with a password (an
//! OAuth2-style form login) or by a mailed one-time code whose exchange
//! gives the session token directly; sessions are opaque bearer tokens.
use std::collections::HashMap;
use std::time::{Duration, Instant};

use base64::Engine;
use rand::RngCore;

/// How long a session token lives.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(3600);
/// How long a mailed reset token stays usable.
pub const RESET_LIFETIME: Duration = Duration::from_secs(30 * 60);
/// How long a mailed sign-in code stays usable (NIST SP 800-63B 5.1.3.2).
pub const CODE_LIFETIME: Duration = Duration::from_secs(600);
/// Wrong codes after which a sign-in flow is dead.
pub const MAX_CODE_TRIES: u32 = 5;

#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    pub email: String,
    /// argon2id PHC string; empty for an account that signs in by code only.
    pub hash: String,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub email: String,
    pub created: Instant,
}

#[derive(Debug, Clone)]
pub struct ResetToken {
    pub email: String,
    pub created: Instant,
    pub used: bool,
}

/// A sign-in by mailed code, from its start to its one successful exchange.
#[derive(Debug, Clone)]
pub struct CodeFlow {
    pub email: String,
    pub code: String,
    pub created: Instant,
    pub wrong_tries: u32,
    pub used: bool,
}

/// A record of the per-user records API, its author's alone.
#[derive(Debug, Clone)]
pub struct Record {
    pub id: String,
    /// The author's lower-cased e-mail.
    pub owner: String,
    pub text: String,
    pub created: Instant,
}

#[derive(Default)]
pub struct Accounts {
    /// By lower-cased e-mail.
    pub accounts: HashMap<String, Account>,
    /// By token.
    pub sessions: HashMap<String, Session>,
    pub resets: HashMap<String, ResetToken>,
    /// By flow id.
    pub flows: HashMap<String, CodeFlow>,
    /// By record id.
    pub records: HashMap<String, Record>,
}

impl Accounts {
    /// The account a live session token belongs to. `prefix_only` is the
    /// `token-prefix-check` defect: only the first 8 characters are compared.
    pub fn session_account(&self, token: &str, prefix_only: bool, now: Instant) -> Option<&Account> {
        let live = |s: &&Session| now.duration_since(s.created) <= SESSION_LIFETIME;
        let session = if prefix_only && token.len() >= 8 {
            self.sessions.iter().find(|(t, _)| t.starts_with(&token[..8])).map(|(_, s)| s)
        } else {
            self.sessions.get(token)
        };
        session.filter(live).and_then(|s| self.accounts.get(&s.email))
    }

    /// A new session for `email`; returns its token.
    pub fn open_session(&mut self, email: &str) -> String {
        let token = random_token();
        self.sessions.insert(token.clone(), Session { email: email.to_string(), created: Instant::now() });
        token
    }

    /// Ends every session of `email` but `keep` (a password reset ends
    /// them all; a change keeps the session that made it).
    pub fn end_sessions_of(&mut self, email: &str, keep: Option<&str>) {
        self.sessions.retain(|t, s| s.email != email || Some(t.as_str()) == keep);
    }
}

/// 32 bytes from the OS CSPRNG, base64url: session and reset tokens.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A 6-digit code from the OS CSPRNG.
pub fn random_code() -> String {
    format!("{:06}", rand::rngs::OsRng.next_u32() % 1_000_000)
}

/// A plausible e-mail address: something, one `@`, a dotted domain.
pub fn plausible_email(email: &str) -> bool {
    let mut parts = email.split('@');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(local), Some(domain), None) => {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_end_and_prefixes_match_only_under_the_defect() {
        let mut a = Accounts::default();
        a.accounts.insert("a@x.test".into(), Account { id: "1".into(), email: "a@x.test".into(), hash: String::new() });
        let t = a.open_session("a@x.test");
        let now = Instant::now();
        assert!(a.session_account(&t, false, now).is_some());
        let mut altered = t.clone();
        altered.push('x');
        assert!(a.session_account(&altered, false, now).is_none());
        assert!(a.session_account(&altered, true, now).is_some());
        let kept = a.open_session("a@x.test");
        a.end_sessions_of("a@x.test", Some(&kept));
        assert!(a.session_account(&t, false, now).is_none() && a.session_account(&kept, false, now).is_some());
        a.end_sessions_of("a@x.test", None);
        assert!(a.session_account(&t, false, now).is_none());
        assert!(plausible_email("a@b.c") && !plausible_email("a@@b.c") && !plausible_email("no-domain@"));
    }
}
