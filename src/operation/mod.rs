//! Operations: the profile's templated HTTP exchanges, executed over reqwest,
//! with results extracted and every exchange kept as evidence.
mod error;
mod exchange;
mod extract;
pub mod hygiene;
mod perform;
mod reply_body;
mod target;
mod template;
mod throttle;
mod tls;

pub use error::{OperationError, PROFILE_ERROR, UNREACHABLE};
pub use exchange::{Exchange, EVIDENCE_BODY};
pub use perform::CounterpartRequest;
pub use target::{describe_statuses, Credentials, Injection, Target};
pub use template::{Renderer, Vars};
pub use throttle::{retry_after, throttles, Pressure};
pub use tls::client_builder;
