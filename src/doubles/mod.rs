//! Doubles: the counterparts a target talks to during a run (mail, SMS),
//! speaking the real protocols on loopback sockets.
mod attacker;
mod catcher;
mod inbox;
mod mail;
mod mail_api;
mod mailbox;
mod platform;
mod platform_api;
mod served_tls;
mod sms;
mod smtp;
mod smtp_conn;
mod smtp_session;

pub use attacker::{AttackerSite, Fetch, CERT_PATH, JWKS_PATH};
pub use catcher::Catcher;
pub use inbox::{Inbox, InboxError, Message};
pub use mail::Mail;
pub use mail_api::MailApi;
pub use mailbox::Mailbox;
pub use platform::{Misbehaviour, PlatformCall, PlatformConfig, PlatformDouble};
pub use served_tls::{serve_http, DoublesTls, HandshakeLog};
pub use sms::{Sms, SmsSink};
pub use smtp::{SinkPolicy, SmtpSink};
pub use smtp_conn::StartTlsOffer;
