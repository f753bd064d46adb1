//! Exit codes of the `authconform` binary: the one place they are defined.
//!
//! They follow nextest's split between "the thing under test is wrong" and
//! "the tool could not do its job", so a CI job can tell a non-conforming
//! target from a broken pipeline.

/// Every requirement that ran conformed (not-applicable ones are listed, not failed).
pub const CONFORMS: i32 = 0;
/// At least one requirement failed: the target does not conform.
pub const NOT_CONFORMING: i32 = 1;
/// Bad usage, a malformed profile or requirement catalogue, or a feature file
/// that does not parse or uses an undefined step.
pub const USAGE: i32 = 2;
/// The harness could not run: a port could not be bound, the embedded
/// reference did not start, reports could not be written.
pub const HARNESS: i32 = 3;

/// Human-readable table, printed by `authconform --help` and the README.
pub const TABLE: &str = "\
exit codes:
  0  every applicable requirement conforms
  1  at least one requirement failed (the target does not conform)
  2  usage error, malformed profile/requirements, or a feature error
  3  the harness itself could not run (ports, reference start-up, report writing)";
