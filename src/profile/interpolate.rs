//! `${VAR}` and `${VAR:-default}` substitution in profile string values.
//!
//! Done on parsed scalars rather than on the raw text so that a value holding
//! a colon or a quote cannot change the YAML structure around it.

/// Why a value could not be interpolated.
#[derive(Debug, PartialEq, Eq)]
pub enum Unresolved {
    /// The variable is unset and the reference has no default.
    Unset(String),
    /// A `${` with no `}`: almost always a typo, and left alone it would be
    /// sent to the target as part of a URL or a body.
    Unclosed,
}

/// Substitutes environment variables in `input`. `lookup` is injected so tests
/// need not touch the process environment.
pub fn interpolate(input: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String, Unresolved> {
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { return Err(Unresolved::Unclosed) };
        let expr = &after[..end];
        let (name, default) = match expr.split_once(":-") {
            Some((n, d)) => (n, Some(d)),
            None => (expr, None),
        };
        match (lookup(name).filter(|v| !v.is_empty()), default) {
            (Some(v), _) => out.push_str(&v),
            (None, Some(d)) => out.push_str(d),
            (None, None) => return Err(Unresolved::Unset(name.to_string())),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "HOST" => Some("example.test".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn substitutes_set_variables_and_defaults() {
        assert_eq!(interpolate("https://${HOST}/x", &env).unwrap(), "https://example.test/x");
        assert_eq!(interpolate("${PORT:-8080}", &env).unwrap(), "8080");
        assert_eq!(interpolate("${EMPTY:-fallback}", &env).unwrap(), "fallback");
        assert_eq!(interpolate("no vars", &env).unwrap(), "no vars");
        assert_eq!(interpolate("${HOST:-x}:${PORT:-1}", &env).unwrap(), "example.test:1");
    }

    #[test]
    fn names_the_unset_variable() {
        assert_eq!(interpolate("a ${MISSING} b", &env).unwrap_err(), Unresolved::Unset("MISSING".into()));
    }

    #[test]
    fn an_unclosed_reference_is_an_error() {
        assert_eq!(interpolate("a ${oops", &env).unwrap_err(), Unresolved::Unclosed);
    }
}
