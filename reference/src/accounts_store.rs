//! The state of the reference's plain accounts service (`/api/...`): the
//! shape a Django, ASP.NET Identity, Express or FastAPI backend has, with
//! nothing of iCure or SnapMD in it. Accounts sign in with a password (an
//! OAuth2-style form login) or by a mailed one-time code whose exchange
//! gives the session token directly; sessions are kept by id, and a client
//! holds a signed JWT naming one (`session_jwt`).
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
    /// The JWT handed out for it (for the test hook that ages it, and the
    /// `token-prefix-check` defect).
    pub token: String,
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
    /// By session id (a token's `sid`).
    pub sessions: HashMap<String, Session>,
    pub resets: HashMap<String, ResetToken>,
    /// By flow id.
    pub flows: HashMap<String, CodeFlow>,
    /// By record id.
    pub records: HashMap<String, Record>,
}

impl Accounts {
    /// The account of live session `sid`.
    pub fn session_account(&self, sid: &str, now: Instant) -> Option<&Account> {
        self.sessions.get(sid).filter(|s| live(s, now)).and_then(|s| self.accounts.get(&s.email))
    }

    /// The `token-prefix-check` defect: a live session whose token's
    /// signature starts with the same 8 characters as `token`'s (every
    /// JWT of the service starts alike, so the signature is what differs).
    pub fn session_by_prefix(&self, token: &str, now: Instant) -> Option<(String, &Account)> {
        let signature = |t: &str| t.rsplit('.').next().unwrap_or_default().to_string();
        let prefix = signature(token).get(..8)?.to_string();
        let (sid, s) = self.sessions.iter().find(|(_, s)| live(s, now) && signature(&s.token).starts_with(&prefix))?;
        Some((sid.clone(), self.accounts.get(&s.email)?))
    }

    /// A new session for `email`, its token signed by `keys`; returns the token.
    pub fn open_session(&mut self, email: &str, keys: &super::session_jwt::SessionKeys) -> String {
        let sid = random_token();
        let sub = self.accounts.get(email).map(|a| a.id.clone()).unwrap_or_default();
        let token = keys.issue(&sub, &sid);
        let session = Session { email: email.to_string(), created: Instant::now(), token: token.clone() };
        self.sessions.insert(sid, session);
        token
    }

    /// The session a token was handed out for (the test hook's lookup).
    pub fn session_by_token_mut(&mut self, token: &str) -> Option<&mut Session> {
        self.sessions.values_mut().find(|s| s.token == token)
    }

    /// Ends every session of `email` but `keep` (a password reset ends
    /// them all; a change keeps the session that made it).
    pub fn end_sessions_of(&mut self, email: &str, keep: Option<&str>) {
        self.sessions.retain(|sid, s| s.email != email || Some(sid.as_str()) == keep);
    }
}

fn live(s: &Session, now: Instant) -> bool {
    now.duration_since(s.created) <= SESSION_LIFETIME
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
    fn sessions_end_by_id_and_prefixes_match_only_there() {
        let mut a = Accounts::default();
        a.accounts.insert("a@x.test".into(), Account { id: "1".into(), email: "a@x.test".into(), hash: String::new() });
        let now = Instant::now();
        let session = |token: &str| Session { email: "a@x.test".into(), created: now, token: token.into() };
        a.sessions.insert("s1".into(), session("h.p.abcdefgh-one"));
        a.sessions.insert("s2".into(), session("h.p.zzzzzzzz-two"));
        assert!(a.session_account("s1", now).is_some() && a.session_account("s3", now).is_none());
        assert_eq!(a.session_by_prefix("h.other.abcdefghXXXX", now).map(|(sid, _)| sid).as_deref(), Some("s1"));
        assert!(a.session_by_prefix("h.p.abc", now).is_none() && a.session_by_prefix("h.p.", now).is_none());
        a.end_sessions_of("a@x.test", Some("s2"));
        assert!(a.session_account("s1", now).is_none() && a.session_account("s2", now).is_some());
        a.end_sessions_of("a@x.test", None);
        assert!(a.session_account("s2", now).is_none());
        assert!(plausible_email("a@b.c") && !plausible_email("a@@b.c") && !plausible_email("no-domain@"));
    }
}
