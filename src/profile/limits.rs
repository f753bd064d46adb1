//! How much the harness takes from a target (`limits:` in a profile): a
//! hostile or broken target must not be able to exhaust the harness's
//! memory or its reports, nor make it send back what it was handed.
use bytesize::ByteSize;
use serde::Deserialize;

/// Bounds on what a target's replies may hold.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// The largest reply body read (`4MiB`, `512KiB` or bytes). A longer
    /// one fails its operation with "reply larger than ..."; the harness
    /// stops reading there.
    #[serde(default = "default_body")]
    pub body: ByteSize,
    /// The longest value extracted from a reply (a token, an id): values
    /// are sent back to the target, so a 50 MB "token" is refused here
    /// rather than replayed in an Authorization header.
    #[serde(default = "default_value")]
    pub value: ByteSize,
}

fn default_body() -> ByteSize {
    ByteSize::mib(4)
}

fn default_value() -> ByteSize {
    ByteSize::kib(16)
}

impl Default for Limits {
    fn default() -> Self {
        Limits { body: default_body(), value: default_value() }
    }
}

impl Limits {
    pub fn body_bytes(&self) -> usize {
        usize::try_from(self.body.as_u64()).unwrap_or(usize::MAX)
    }

    pub fn value_bytes(&self) -> usize {
        usize::try_from(self.value.as_u64()).unwrap_or(usize::MAX)
    }

    /// Zero limits would fail every operation: a profile error instead.
    pub fn problem(&self) -> Option<(&'static str, String)> {
        if self.body.as_u64() == 0 {
            return Some(("body", "a zero body limit refuses every reply".into()));
        }
        if self.value.as_u64() == 0 {
            return Some(("value", "a zero value limit refuses every extracted value".into()));
        }
        if self.value > self.body {
            return Some((
                "value",
                format!("a value limit ({}) above the body limit ({}) can never apply", self.value, self.body),
            ));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_in_units_or_bytes() {
        let l: Limits = serde_yaml::from_str("body: 512KiB\nvalue: 1024").unwrap();
        assert_eq!(l.body_bytes(), 512 * 1024);
        assert_eq!(l.value_bytes(), 1024);
        assert_eq!(serde_yaml::from_str::<Limits>("{}").unwrap(), Limits::default());
        assert!(serde_yaml::from_str::<Limits>("body: lots").is_err());
        let zero: Limits = serde_yaml::from_str("body: 0").unwrap();
        assert_eq!(zero.problem().unwrap().0, "body");
    }
}
