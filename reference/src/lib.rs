//! The embedded reference implementation: an in-memory, iCure-like message
//! gateway and API (docs/icure-protocol.md §1-3 and 5) that
//! really enforces what the features require, and can be started with
//! deliberate faults. It never imports the harness: it is a target like any
//! other, reached over HTTP, sending mail over SMTP and SMS over a webhook.
//! Beside the iCure-like gateway it serves a SnapMD-like partner backend
//! (`partner*`) and a plain accounts service (`accounts*`, `/api/...`): the
//! shape a common framework gives a password and e-mail code service.
mod accounts;
mod accounts_otp;
mod accounts_records;
mod accounts_store;
mod auth;
mod config;
mod data;
mod error;
mod faults;
mod gateway;
mod hashing;
mod hooks;
mod keys;
mod ledger;
mod notify;
mod partner;
mod partner_alt;
mod partner_deeplink;
mod partner_reset;
mod platform_client;
mod server;
mod session_jwt;
mod session_jwt_faults;
mod store;
mod throttle;
mod tls;
mod v3;

pub use config::{PartnerConfig, ReferenceConfig};
pub use faults::Fault;
pub use ledger::Ledger;
pub use server::{start, ReferenceServer};
pub use tls::TlsIdentity;
