//! `${VAR}` and `${VAR:-default}` substitution in profile string values.
//!
//! Done on parsed scalars rather than on the raw text so that a value holding
//! a colon or a quote cannot change the YAML structure around it.

/// Substitutes environment variables in `input`. `lookup` is injected so tests
/// need not touch the process environment. Returns the name of the first
/// variable that is unset and has no default.
pub fn interpolate(input: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            // An unterminated `${` is literal text, as in shells.
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let expr = &after[..end];
        let (name, default) = match expr.split_once(":-") {
            Some((n, d)) => (n, Some(d)),
            None => (expr, None),
        };
        match (lookup(name).filter(|v| !v.is_empty()), default) {
            (Some(v), _) => out.push_str(&v),
            (None, Some(d)) => out.push_str(d),
            (None, None) => return Err(name.to_string()),
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
        assert_eq!(interpolate("a ${MISSING} b", &env).unwrap_err(), "MISSING");
    }

    #[test]
    fn leaves_unterminated_reference_alone() {
        assert_eq!(interpolate("a ${oops", &env).unwrap(), "a ${oops");
    }
}
