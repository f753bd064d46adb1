//! The registry of secret values a run has learnt, and the one pass that
//! replaces them in a text.
//!
//! A run of 10,000 scenarios registers tens of thousands of secrets and
//! redacts every exchange, line of console output and report string, so a
//! text must be scanned in time that depends on its length, not on how many
//! secrets the run holds (a scan per secret made runs quadratic). Every
//! secret is at least [`MIN_LEN`] bytes long, so each is indexed by its first
//! four bytes: a text is walked once, and only where its next four bytes are
//! the start of some secret (a 64 Ki-bit filter says "no" to almost every
//! position without a hash lookup) are the candidates compared.
use std::collections::HashMap;

use super::SecretKind;

/// Shorter values are not registered: they would eat ordinary words.
pub const MIN_LEN: usize = 4;

const FILTER_BITS: usize = 1 << 20;

pub struct SecretIndex {
    /// Secrets by their first four bytes.
    by_prefix: HashMap<u32, Bucket>,
    count: usize,
    /// One bit per hashed prefix: most positions of a text start no secret.
    filter: Box<[u64]>,
}

/// The secrets that share a prefix, found by a hash lookup per distinct
/// length (runs of tokens or codes of one shape share few lengths), so a
/// prefix that thousands of secrets share costs no more than a unique one.
#[derive(Default)]
struct Bucket {
    /// Distinct lengths, longest first: a secret that contains another at
    /// its start is replaced whole.
    lens: Vec<usize>,
    secrets: HashMap<Box<[u8]>, SecretKind>,
}

impl Default for SecretIndex {
    fn default() -> Self {
        SecretIndex { by_prefix: HashMap::new(), count: 0, filter: vec![0; FILTER_BITS / 64].into() }
    }
}

impl std::fmt::Debug for SecretIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretIndex({} secrets)", self.count)
    }
}

fn prefix(bytes: &[u8]) -> u32 {
    u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

fn bit(prefix: u32) -> usize {
    (prefix.wrapping_mul(0x9E37_79B1) >> 12) as usize
}

impl SecretIndex {
    /// Adds a secret; false when it is too short or already known.
    pub fn insert(&mut self, value: &str, kind: SecretKind) -> bool {
        if value.len() < MIN_LEN {
            return false;
        }
        let key = prefix(value.as_bytes());
        let bucket = self.by_prefix.entry(key).or_default();
        if bucket.secrets.contains_key(value.as_bytes()) {
            return false;
        }
        bucket.secrets.insert(value.as_bytes().into(), kind);
        if let Err(at) = bucket.lens.binary_search_by(|l| value.len().cmp(l)) {
            bucket.lens.insert(at, value.len());
        }
        self.count += 1;
        let b = bit(key);
        self.filter[b / 64] |= 1 << (b % 64);
        true
    }

    /// `input` with every secret replaced by its placeholder, leftmost
    /// first and the longest at each place; `None` when it holds none.
    pub fn replace(&self, input: &str) -> Option<String> {
        let bytes = input.as_bytes();
        if self.count == 0 || bytes.len() < MIN_LEN {
            return None;
        }
        let mut out: Option<String> = None;
        let (mut copied, mut i) = (0, 0);
        while i + MIN_LEN <= bytes.len() {
            if let Some((len, kind)) = self.match_at(&bytes[i..]) {
                // A match starts where a secret (valid UTF-8) starts, so `i`
                // and `i + len` are character boundaries.
                let o = out.get_or_insert_with(|| String::with_capacity(input.len()));
                o.push_str(&input[copied..i]);
                o.push_str(kind.placeholder());
                i += len;
                copied = i;
            } else {
                i += 1;
            }
        }
        out.map(|mut o| {
            o.push_str(&input[copied..]);
            o
        })
    }

    fn match_at(&self, rest: &[u8]) -> Option<(usize, SecretKind)> {
        let key = prefix(rest);
        let b = bit(key);
        if self.filter[b / 64] & (1 << (b % 64)) == 0 {
            return None;
        }
        let bucket = self.by_prefix.get(&key)?;
        bucket
            .lens
            .iter()
            .filter(|&&len| len <= rest.len())
            .find_map(|&len| bucket.secrets.get(&rest[..len]).map(|k| (len, *k)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(secrets: &[&str]) -> SecretIndex {
        let mut ix = SecretIndex::default();
        for s in secrets {
            ix.insert(s, SecretKind::Token);
        }
        ix
    }

    #[test]
    fn replaces_every_occurrence_and_leaves_the_rest() {
        let ix = index(&["s3cr3t", "4711-0815"]);
        assert_eq!(
            ix.replace("a s3cr3t, 4711-0815 and s3cr3t.").unwrap(),
            "a [REDACTED:token], [REDACTED:token] and [REDACTED:token]."
        );
        assert_eq!(ix.replace("nothing here"), None);
        assert_eq!(ix.replace("s3c"), None);
    }

    #[test]
    fn the_longest_secret_at_a_place_wins() {
        let ix = index(&["abcd", "abcdefgh"]);
        assert_eq!(ix.replace("xabcdefghy abcdz").unwrap(), "x[REDACTED:token]y [REDACTED:token]z");
    }

    #[test]
    fn short_and_repeated_values_are_not_registered() {
        let mut ix = SecretIndex::default();
        assert!(!ix.insert("abc", SecretKind::Code));
        assert!(ix.insert("abcd", SecretKind::Code));
        assert!(!ix.insert("abcd", SecretKind::Token));
        assert_eq!(ix.count, 1);
    }

    #[test]
    fn multibyte_text_around_and_inside_secrets() {
        let ix = index(&["clé-secrète-ü"]);
        assert_eq!(ix.replace("« clé-secrète-ü » — ok").unwrap(), "« [REDACTED:token] » — ok");
        assert_eq!(ix.replace("ééééé"), None);
    }

    #[test]
    fn a_scan_costs_the_same_with_many_secrets() {
        // Not a timing: the index answers from the one bucket it looks in.
        let mut ix = SecretIndex::default();
        for n in 0..20_000 {
            ix.insert(&format!("token-{n:08}"), SecretKind::Token);
        }
        assert_eq!(ix.replace("got token-00019999!").unwrap(), "got [REDACTED:token]!");
        let bucket = &ix.by_prefix[&prefix(b"toke")];
        assert_eq!((bucket.secrets.len(), bucket.lens.len()), (20_000, 1));
    }
}
