//! Exit codes of the `authconform` binary: the one place they are defined.
//!
//! They follow nextest's split between "the thing under test is wrong" and
//! "the tool could not do its job", so a CI job can tell a non-conforming
//! target from a broken pipeline.

/// Every MUST requirement that ran conformed (not-applicable ones are listed,
/// SHOULD failures warn, expected failures are reported); `verify`: intact.
pub const CONFORMS: i32 = 0;
/// At least one MUST requirement failed: the target does not conform;
/// `verify`: a file of the bundle was changed, removed or added.
pub const NOT_CONFORMING: i32 = 1;
/// Bad usage, a malformed profile or requirement catalogue, or a feature file
/// that does not parse or uses an undefined step; or a profile error found
/// while running (`operation::PROFILE_ERROR`), after which no verdict stands.
pub const USAGE: i32 = 2;
/// The harness could not run: a port could not be bound, the embedded
/// reference did not start, reports could not be written; or a scenario
/// could not reach the target (connection refused, TLS, DNS, timeout) and
/// no MUST requirement failed: such scenarios are ERROR, never a verdict.
pub const HARNESS: i32 = 3;

/// Human-readable table, printed by `authconform --help` and the README.
pub const TABLE: &str = "\
exit codes:
  0  every applicable MUST requirement conforms (verify: the bundle is intact)
  1  a MUST requirement failed: the target does not conform (verify: tampered)
  2  usage error, malformed profile/requirements, a feature error, or a profile error found while running
  3  the harness could not run (ports, reference start-up, report writing) or could not reach the target";
