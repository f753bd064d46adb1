//! Slowing guessers down, per login rather than per process or per address
//! (docs/security-checklist.md §9): a guesser who starts new processes gets
//! no fresh tries, a login cannot be flooded with codes, and wrong passwords
//! meet a growing wait that always ends, so the owner is never locked out
//! for good. Keyed by the login as sent, known or not: throttling only
//! known accounts would tell which ones exist.
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use axum::http::StatusCode;

use super::error::ApiError;
use super::faults::Fault;
use super::ReferenceConfig;

/// Processes one login may start within `START_WINDOW`.
pub const START_CAP: usize = 10;
const START_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Wrong codes one login may collect, over all its processes, within
/// `GUESS_WINDOW` (a process alone dies at its fifth).
pub const GUESS_CAP: usize = 20;
const GUESS_WINDOW: Duration = Duration::from_secs(60 * 60);
/// Consecutive wrong passwords answered at once; each one past them
/// doubles the wait, from a second up to `LONGEST_WAIT`.
pub const FREE_PASSWORD_FAILURES: u32 = 20;
const LONGEST_WAIT: Duration = Duration::from_secs(15 * 60);

/// What the reference remembers of recent attempts, per login.
#[derive(Debug, Default)]
pub struct Throttles {
    starts: HashMap<String, VecDeque<Instant>>,
    guesses: HashMap<String, VecDeque<Instant>>,
    passwords: HashMap<String, Failures>,
}

#[derive(Debug, Default)]
struct Failures {
    consecutive: u32,
    until: Option<Instant>,
}

/// A 429 that says when to come back (RFC 6585 4, RFC 9110 10.2.3).
pub fn too_many(wait: Duration) -> ApiError {
    let mut e = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    e.retry_after = Some(wait.as_secs() + u64::from(wait.subsec_nanos() > 0));
    e
}

/// Whether `login` may start a process now: not while its guesses are
/// used up (a new code would be a fresh one to guess), nor past its starts.
/// `Ok(false)`: admitted but not to be sent, the `quiet_throttle` way of
/// turning a flood away without telling the flooder.
pub fn admit_start(
    cfg: &ReferenceConfig,
    throttles: &mut Throttles,
    login: &str,
    now: Instant,
) -> Result<bool, ApiError> {
    admit_guess(cfg, throttles, login, now)?;
    if cfg.has(Fault::StartsUnthrottled) {
        return Ok(true);
    }
    match throttles.start(login, now) {
        Ok(()) => Ok(true),
        Err(_) if cfg.quiet_throttle => Ok(false),
        Err(wait) => Err(too_many(wait)),
    }
}

/// Whether a code of `login` is checked now, whichever process it is for.
pub fn admit_guess(
    cfg: &ReferenceConfig,
    throttles: &mut Throttles,
    login: &str,
    now: Instant,
) -> Result<(), ApiError> {
    match throttles.guessing(login, now) {
        Some(wait) if !cfg.has(Fault::GuessesPerProcessOnly) => Err(too_many(wait)),
        _ => Ok(()),
    }
}

/// Drops what fell out of the window; the wait until the oldest does,
/// when `cap` are still in it.
fn full(times: &mut VecDeque<Instant>, window: Duration, cap: usize, now: Instant) -> Option<Duration> {
    while times.front().is_some_and(|t| now.duration_since(*t) >= window) {
        times.pop_front();
    }
    (times.len() >= cap).then(|| window.saturating_sub(now.duration_since(times[0])))
}

impl Throttles {
    /// Counts a start for `login`, or says how long until one is allowed.
    pub fn start(&mut self, login: &str, now: Instant) -> Result<(), Duration> {
        let times = self.starts.entry(login.to_string()).or_default();
        if let Some(wait) = full(times, START_WINDOW, START_CAP, now) {
            return Err(wait);
        }
        times.push_back(now);
        Ok(())
    }

    /// How long `login` must wait before any code of it is checked again.
    pub fn guessing(&mut self, login: &str, now: Instant) -> Option<Duration> {
        full(self.guesses.get_mut(login)?, GUESS_WINDOW, GUESS_CAP, now)
    }

    pub fn wrong_code(&mut self, login: &str, now: Instant) {
        self.guesses.entry(login.to_string()).or_default().push_back(now);
    }

    /// How long `email` is told to wait before a password is checked again
    /// (`None`: it is checked now).
    pub fn password_wait(&self, email: &str, now: Instant) -> Option<Duration> {
        let until = self.passwords.get(email)?.until?;
        (until > now).then(|| until - now)
    }

    /// A wrong password: past the free ones, the next try waits twice as
    /// long as the last, never longer than `LONGEST_WAIT`. `lock` is the
    /// `password-lockout` defect: an hour at once, the owner's as much as
    /// the guesser's.
    pub fn wrong_password(&mut self, email: &str, now: Instant, lock: bool) {
        let f = self.passwords.entry(email.to_string()).or_default();
        f.consecutive += 1;
        if let Some(past) = f.consecutive.checked_sub(FREE_PASSWORD_FAILURES).filter(|n| *n > 0) {
            let wait = Duration::from_secs(1u64 << (past - 1).min(10)).min(LONGEST_WAIT);
            f.until = Some(now + if lock { Duration::from_secs(3600) } else { wait });
        }
    }

    pub fn right_password(&mut self, email: &str) {
        self.passwords.remove(email);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_processes_give_no_fresh_guesses() {
        let (mut t, now) = (Throttles::default(), Instant::now());
        for _ in 0..GUESS_CAP {
            assert_eq!(t.start("a@x.test", now), Ok(()));
            t.wrong_code("a@x.test", now);
            t.starts.clear();
        }
        assert!(t.guessing("a@x.test", now).is_some());
        assert_eq!(t.guessing("b@x.test", now), None);
        assert_eq!(t.guessing("a@x.test", now + GUESS_WINDOW), None);
    }

    #[test]
    fn starts_are_counted_per_login() {
        let (mut t, now) = (Throttles::default(), Instant::now());
        for _ in 0..START_CAP {
            assert_eq!(t.start("a@x.test", now), Ok(()));
        }
        assert_eq!(t.start("a@x.test", now + Duration::from_secs(60)), Err(START_WINDOW - Duration::from_secs(60)));
        assert_eq!(t.start("b@x.test", now), Ok(()));
        assert_eq!(t.start("a@x.test", now + START_WINDOW), Ok(()));
    }

    #[test]
    fn password_waits_grow_and_end() {
        let (mut t, now) = (Throttles::default(), Instant::now());
        for _ in 0..FREE_PASSWORD_FAILURES {
            t.wrong_password("a@x.test", now, false);
        }
        assert_eq!(t.password_wait("a@x.test", now), None);
        t.wrong_password("a@x.test", now, false);
        assert_eq!(t.password_wait("a@x.test", now), Some(Duration::from_secs(1)));
        t.wrong_password("a@x.test", now, false);
        assert_eq!(t.password_wait("a@x.test", now), Some(Duration::from_secs(2)));
        assert_eq!(t.password_wait("a@x.test", now + Duration::from_secs(2)), None);
        t.right_password("a@x.test");
        assert_eq!(t.password_wait("a@x.test", now), None);
    }
}
