//! Target profiles: the YAML that binds abstract operations to one target's HTTP API.
mod channels;
mod doubles_tls;
mod error;
mod family;
mod interpolate;
mod limits;
mod load;
mod locate;
mod model;
mod operations;
mod scope;
mod spec;
mod starter;
mod throttling;
mod timing;
mod tls;
mod validate;
mod values;

pub use channels::*;
pub use doubles_tls::DoublesTlsConfig;
pub use error::ProfileError;
pub use family::needs_of;
pub use limits::Limits;
pub use load::{load_profile, load_profile_str};
pub use model::*;
pub use operations::{
    operation, render_operations, OperationDef, ACTOR_VARIABLES, BASE_VARIABLES, CREDENTIAL_VARIABLES, OPERATIONS,
};
pub use scope::undefined_message;
pub use starter::{starter_profile, Starter};
pub use throttling::Throttling;
pub use timing::Timing;
pub use tls::{TlsConfig, TlsMaterial};
pub use values::CaptureRegex;
