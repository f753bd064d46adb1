//! authconform: a conformance harness and scenario runner for healthcare
//! sign-up, sign-in and single sign-on flows.
//!
//! The crate is split the way the design asks (see `DESIGN.md` in the shared
//! folder): `profile` and `operation` describe and reach *any* target,
//! `doubles` play the counterparts a target talks to, `client` plays the SDK,
//! `steps` bind Gherkin to those, `runner` drives cucumber-rs and `report`
//! consumes finished results. `reference` is a target like any other and never
//! imports the harness.

pub mod assertion;
pub mod client;
pub mod crypto;
pub mod doubles;
pub mod exit;
pub mod expectations;
pub mod operation;
pub mod profile;
pub mod redact;
pub mod reference;
pub mod report;
pub mod requirements;
pub mod runner;
pub mod snapshot;
pub mod step_docs;
pub mod steps;
pub mod world;
