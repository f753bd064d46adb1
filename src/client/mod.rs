//! The SDK the harness plays: the same calls, in the same order, that a
//! client application makes (docs/icure-protocol.md §2), built on
//! profile operations only.
mod actor;
mod context;
mod error;
mod keys;
mod otp;
mod samples;

pub use actor::{Actor, ActorKind, Born, Channel, Device, Process, SampleRecord};
pub use context::{ClientContext, MailDouble, SmsDouble};
pub use error::{check, ClientError};
pub use keys::{
    complete_notification, give_access_back, list_samples, listed_ids, pending_notifications, publish_transfer_keys,
    stop_sharing, take_transfer_keys, try_list_samples, Notification,
};
pub use otp::{check_signed_in, complete, publish_key_if_missing, read_code, session, start, start_vars, StartOptions};
pub use samples::{fetch_sample, owner_view, read_sample, sealed, store_sample, OwnerView};
