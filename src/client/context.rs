//! What the SDK the harness plays can reach: the target through its
//! profile, the redactor that learns every secret it handles, and the
//! message channels (mailbox, SMS sink) its one-time codes arrive on.
//! Nothing of the run (records, key pool, snapshots) is here: the client
//! needs none of it.
use std::sync::Arc;
use std::time::Duration;

use crate::doubles::{Inbox, Mailbox, Sms};
use crate::operation::Target;
use crate::profile::{CodeExtraction, LinkExtraction};
use crate::redact::Redactor;

/// The SMS sink, and how a code is read out of a message.
pub struct SmsDouble {
    pub inbox: Arc<Inbox<Sms>>,
    pub timeout: Duration,
    pub code: CodeExtraction,
}

/// The mailbox, and how a code or a reset link is read out of a mail.
pub struct MailDouble {
    pub mailbox: Mailbox,
    pub timeout: Duration,
    pub code: CodeExtraction,
    pub link: LinkExtraction,
    /// How long to wait before concluding that no mail is coming.
    pub silence: Duration,
}

/// The target, the redactor and the message channels, for the client calls.
pub struct ClientContext {
    pub target: Target,
    pub redactor: Redactor,
    pub mail: Option<MailDouble>,
    pub sms: Option<SmsDouble>,
}
