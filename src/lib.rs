//! authconform: a conformance harness and scenario runner for healthcare
//! sign-up, sign-in and single sign-on flows.
//!
//! The crate is split the way the design asks (see `DESIGN.md` in the shared
//! folder): `profile` and `operation` describe and reach *any* target,
//! `doubles` play the counterparts a target talks to, `client` plays the SDK,
//! `steps` bind Gherkin to those, `runner` drives cucumber-rs and `report`
//! consumes finished results. `reference` is the member crate
//! `authconform-reference` (folder `reference/`), re-exported here: a target
//! like any other, which cannot import the harness (it does not depend on it).

pub mod assertion;
pub mod client;
pub mod crypto;
pub mod diagnostic;
pub mod doubles;
mod error;
pub use error::{Error, UsageError};
pub mod exit;
pub mod expectations;
pub mod model;
pub mod operation;
pub mod profile;
pub mod redact;
pub use authconform_reference as reference;
pub mod report;
pub mod requirements;
pub mod runner;
pub mod snapshot;
pub mod standard;
pub mod step_docs;
pub mod steps;
pub mod timing;
pub mod world;
