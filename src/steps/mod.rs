//! Step definitions, one file per domain concept. Steps are thin: they
//! pick actors out of the World and call `client`, `doubles` and `snapshot`.
mod actors;
mod checks;
mod data;
mod deep_link;
mod devices;
mod field_errors;
mod guessing;
pub mod hygiene;
mod jwt_forgery;
mod keys;
mod lifetime;
mod object_access;
mod otp;
mod password;
mod password_attacks;
mod races;
mod records;
mod reply;
mod reset;
mod session;
mod snapshot;
mod sso;
mod timing;
mod token_cap;

/// What a step returns; the message is what the report shows.
pub type StepResult = Result<(), crate::client::ClientError>;
