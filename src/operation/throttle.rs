//! Telling a throttled answer from an ordinary one, and keeping the tally
//! of a guessing series (features/security/guessing.feature). A target
//! throttles by answering 429 (RFC 6585 4), by announcing a wait
//! (`Retry-After`, RFC 9110 10.2.3: seconds or an HTTP date), or by
//! answering more and more slowly; any of the three counts.
use std::time::Duration;

use super::Exchange;

/// How much slower than the first answer of a series the last must be to
/// count as a growing delay: at least twice as slow, and a second more.
const SLOWED_BY: Duration = Duration::from_secs(1);

/// The wait an answer announces: `Retry-After` as seconds or an HTTP date
/// (measured from the answer's own `Date`, else from now).
pub fn retry_after(ex: &Exchange) -> Option<Duration> {
    let value = ex.header("retry-after")?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let now = ex
        .header("date")
        .and_then(|d| chrono::DateTime::parse_from_rfc2822(d.trim()).ok())
        .map_or_else(chrono::Utc::now, |d| d.with_timezone(&chrono::Utc));
    Some((at.with_timezone(&chrono::Utc) - now).to_std().unwrap_or(Duration::ZERO))
}

/// Whether an answer says "slow down": a 429, an announced wait, or a
/// refusal whose body matches the operation's `throttled` regex.
pub fn throttles(ex: &Exchange, declared: Option<&regex::Regex>) -> bool {
    ex.status == 429
        || retry_after(ex).is_some()
        || (ex.refused() && declared.is_some_and(|re| re.is_match(&ex.response_body)))
}

/// The tally of one guessing series: how many tries went in, and what
/// stopped them, if anything did.
#[derive(Debug, Clone, Default)]
pub struct Pressure {
    /// Tries made (wrong codes, starts, wrong passwords).
    pub tries: u32,
    /// New processes started along the way.
    pub processes: u32,
    /// What stopped the series: "429 at wrong password #21", say.
    pub throttled: Option<String>,
    /// The wait the throttling answer announced.
    pub wait: Option<Duration>,
    first: Option<Duration>,
    last: Option<Duration>,
}

impl Pressure {
    /// Counts one try and its answer (`declared`: the operation's
    /// `throttled` regex); true when the answer throttles.
    pub fn tally(&mut self, ex: &Exchange, what: &str, declared: Option<&regex::Regex>) -> bool {
        self.tries += 1;
        self.first.get_or_insert(ex.elapsed);
        self.last = Some(ex.elapsed);
        if throttles(ex, declared) {
            self.throttled = Some(format!("{} at {what} #{}", ex.status, self.tries));
            self.wait = retry_after(ex);
        }
        self.throttled.is_some()
    }

    /// Records a throttle the tally did not see in a status: a start
    /// refused in the middle of a series, say.
    pub fn stopped(&mut self, how: String) {
        self.throttled.get_or_insert(how);
    }

    /// Whether the answers slowed down enough to count as a growing delay.
    pub fn slowed(&self) -> bool {
        match (self.first, self.last) {
            (Some(first), Some(last)) => last >= first * 2 && last >= first + SLOWED_BY,
            _ => false,
        }
    }

    /// What stopped the series, in words, or `None` if nothing did.
    pub fn how(&self) -> Option<String> {
        self.throttled.clone().or_else(|| {
            self.slowed().then(|| {
                format!(
                    "the answers slowed from {} ms to {} ms",
                    self.first.unwrap_or_default().as_millis(),
                    self.last.unwrap_or_default().as_millis()
                )
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, headers: &[(&str, &str)], elapsed_ms: u64) -> Exchange {
        Exchange {
            status,
            response_headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            elapsed: Duration::from_millis(elapsed_ms),
            ..Exchange::default()
        }
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(retry_after(&answer(429, &[("retry-after", "120")], 1)), Some(Duration::from_secs(120)));
        let dated = answer(
            503,
            &[("retry-after", "Sat, 05 Dec 2026 10:00:30 GMT"), ("date", "Sat, 05 Dec 2026 10:00:00 GMT")],
            1,
        );
        assert_eq!(retry_after(&dated), Some(Duration::from_secs(30)));
        assert_eq!(retry_after(&answer(429, &[("retry-after", "soon")], 1)), None);
        assert!(throttles(&answer(429, &[], 1), None));
        assert!(!throttles(&answer(400, &[], 1), None));
        let allauth = regex::Regex::new("too_many_login_attempts").unwrap();
        let mut locked = answer(400, &[], 1);
        locked.refusal = true;
        locked.response_body = r#"{"errors":[{"code":"too_many_login_attempts"}],"status":400}"#.into();
        assert!(throttles(&locked, Some(&allauth)) && !throttles(&locked, None));
    }

    #[test]
    fn a_series_is_stopped_by_a_429_or_by_answers_that_slow_down() {
        let mut p = Pressure::default();
        assert!(!p.tally(&answer(400, &[], 20), "wrong password", None));
        assert!(p.tally(&answer(429, &[("retry-after", "2")], 20), "wrong password", None));
        assert_eq!(p.how().as_deref(), Some("429 at wrong password #2"));
        assert_eq!(p.wait, Some(Duration::from_secs(2)));

        let mut slow = Pressure::default();
        for ms in [20, 40, 1500] {
            slow.tally(&answer(400, &[], ms), "wrong password", None);
        }
        assert!(slow.slowed() && slow.throttled.is_none());
        assert_eq!(slow.how().as_deref(), Some("the answers slowed from 20 ms to 1500 ms"));
        let mut flat = Pressure::default();
        for ms in [20, 40, 900] {
            flat.tally(&answer(400, &[], ms), "wrong password", None);
        }
        assert_eq!(flat.how(), None);
    }
}
