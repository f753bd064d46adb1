//! Bringing a run's counterparts up: the mailbox and SMS doubles, the
//! embedded reference when no target is given, and the key pool.
use std::sync::Arc;

use super::config::RunConfig;
use super::doubles_tls::ServedTls;
use super::outcome::RunError;
use crate::client::{ClientContext, MailDouble, SmsDouble};
use crate::crypto::{KeyPool, OaepHash};
use crate::doubles::{
    Catcher, Inbox, MailApi, Mailbox, PlatformConfig, PlatformDouble, SinkPolicy, SmsSink, SmtpSink, StartTlsOffer,
};
use crate::operation::Target;
use crate::profile::{MailBackend, OaepHashName, Profile};
use crate::redact::Redactor;
use crate::reference::{self, PartnerConfig, ReferenceConfig, ReferenceServer};
use crate::snapshot::SnapshotSettings;
use crate::world::StepContext;

/// Everything that must stay alive for the run; dropping it stops the servers.
pub struct Running {
    pub ctx: Arc<StepContext>,
    _smtp: Option<SmtpSink>,
    _sms: Option<SmsSink>,
    _reference: Option<ReferenceServer>,
    /// The TLS the doubles serve, and where its CA was written.
    pub doubles_tls: Option<ServedTls>,
}

impl Running {
    /// What went wrong with the doubles' TLS (handshakes the target
    /// failed), for the run's warnings.
    pub fn tls_warnings(&self) -> Vec<String> {
        self.doubles_tls.as_ref().map(|d| d.tls.failures(d.ca_file.as_deref())).unwrap_or_default()
    }
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> RunError {
    let what = what.into();
    move |source| RunError::Io { what, source }
}

pub async fn start(config: &RunConfig, mut profile: Profile) -> Result<Running, RunError> {
    let embedded = config.starts_reference();
    // Embedded runs use ephemeral ports so that parallel runs never collide;
    // a standalone target was told the profile's addresses, so keep them.
    let listen = |addr: &str| if embedded { "127.0.0.1:0".to_string() } else { addr.to_string() };

    let doubles_tls = super::doubles_tls::prepare(config, &profile)?;
    let tls = doubles_tls.as_ref().map(|d| &*d.tls);

    let mut smtp = None;
    let mail_inbox = Inbox::new("mail");
    if let Some(m) = profile.mailbox.as_ref().and_then(|m| m.smtp()) {
        let addr = listen(&m.listen);
        let offer = match tls {
            Some(tls) => {
                let (acceptor, log) = tls.starttls().map_err(io("the SMTP sink's STARTTLS"))?;
                StartTlsOffer::new(m.starttls, acceptor, log)
            }
            None => None,
        };
        let sink =
            SmtpSink::start(&addr, SinkPolicy { max_size: m.max_size, latency: m.latency }, mail_inbox.clone(), offer)
                .await
                .map_err(io(format!("cannot start the SMTP sink on {addr}")))?;
        smtp = Some(sink);
    }
    let sms_inbox = Inbox::new("SMS");
    let mut sms = None;
    if let Some(s) = &profile.sms {
        let addr = listen(&s.webhook.listen);
        let sink = SmsSink::start(&s.webhook, &addr, sms_inbox.clone(), tls.filter(|_| s.webhook.tls))
            .await
            .map_err(io(format!("cannot start the SMS webhook on {addr}")))?;
        sms = Some(sink);
    }

    let hash = match profile.crypto.oaep_hash {
        OaepHashName::Sha1 => OaepHash::Sha1,
        OaepHashName::Sha256 => OaepHash::Sha256,
    };
    let producers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    // As many keys ready as there are producers: a deeper queue makes no
    // key sooner when scenarios wait, only more keys for nothing at the end.
    let keys = KeyPool::new(producers, producers, hash, config.keys.clone());

    // The platform double, and for the embedded reference a partner key pair
    // generated here: its public half is what the partner "registered".
    let mut platform = None;
    let mut partner = None;
    if let Some(pc) = &profile.platform {
        let (public_pem, private_pem) = match (&pc.partner_public_key, embedded) {
            (_, true) => {
                let pair = keys.take().await.and_then(|k| k.pem_pair());
                let (public, private) = pair.map_err(RunError::PartnerKeyGeneration)?;
                (public, Some(private))
            }
            (Some(pem), false) => (pem.clone(), None),
            (None, false) => return Err(RunError::NoPartnerKey),
        };
        let config = PlatformConfig {
            developer_id: pc.developer_id.clone(),
            api_key: pc.api_key.clone(),
            admin_email: pc.admin_email.clone(),
            admin_password: pc.admin_password.clone(),
            hospital_id: pc.hospital_id,
            issuer: pc.partner_issuer.clone(),
            public_pem: public_pem.clone(),
        };
        let addr = listen(&pc.listen);
        let double = PlatformDouble::start(config, &addr, tls.filter(|_| pc.tls))
            .await
            .map_err(io(format!("cannot start the platform double on {addr}")))?;
        if let Some(private_pem) = private_pem {
            partner = Some(PartnerConfig {
                platform_url: double.url(),
                developer_id: pc.developer_id.clone(),
                api_key: pc.api_key.clone(),
                admin_email: pc.admin_email.clone(),
                admin_password: pc.admin_password.clone(),
                hospital_id: pc.hospital_id,
                issuer: pc.partner_issuer.clone(),
                private_pem,
                public_pem,
            });
        }
        platform = Some(double);
    }

    let mut reference_server = None;
    if embedded {
        let mut rc = ReferenceConfig {
            listen: "127.0.0.1:0".into(),
            smtp: smtp.as_ref().map(|s| s.addr().to_string()),
            sms_webhook: sms.as_ref().map(SmsSink::url),
            faults: config.faults.iter().copied().collect(),
            partner,
            ledger: config.reference_ledger.clone(),
            // The embedded reference trusts the doubles' CA, as a partner's
            // backend is told to.
            trust_ca: tls.map(|t| t.ca_pem().to_string()),
            ..ReferenceConfig::default()
        };
        apply_profile_variables(&profile, &mut rc);
        let server = reference::start(rc).await.map_err(io("cannot start the embedded reference"))?;
        profile.base_url = server.base_url();
        reference_server = Some(server);
    }

    if let Some(tls) = tls {
        // The harness follows links into the doubles as the app would.
        let roots = authconform_tls::certificates(tls.ca_pem())
            .map_err(|e| RunError::Io { what: "the doubles' CA".into(), source: std::io::Error::other(e) })?;
        profile.tls.trust_also(roots);
    }
    let redactor = Redactor::new();
    let target = Target::new(Arc::new(profile.clone()), redactor.clone()).map_err(RunError::Tls)?;
    let mail = match &profile.mailbox {
        Some(m) => {
            let mailbox = match &m.backend {
                MailBackend::Http(api) => {
                    Mailbox::Http(Box::new(MailApi::new((**api).clone(), target.base_vars(), target.http_client())))
                }
                MailBackend::Smtp(_) => Mailbox::Smtp(mail_inbox),
                MailBackend::Catcher(c) => Mailbox::Catcher(Box::new(Catcher::new(c.clone(), target.http_client()))),
            };
            Some(MailDouble {
                mailbox,
                timeout: m.timeout,
                code: m.code.clone(),
                link: m.link.clone(),
                silence: m.silence,
            })
        }
        None => None,
    };
    let sms_double =
        profile.sms.as_ref().map(|s| SmsDouble { inbox: sms_inbox, timeout: s.timeout, code: s.code.clone() });
    let snapshots = SnapshotSettings {
        mode: config.snapshots,
        dir: std::path::absolute(
            config.snapshot_root().join(profile.snapshots.folder.as_deref().unwrap_or(&profile.name)),
        )
        .map_err(io("snapshot folder"))?,
        redactions: profile.snapshots.redactions.clone().into_iter().collect(),
    };
    let client = ClientContext { target, redactor, mail, sms: sms_double };
    let ctx = Arc::new(StepContext { client, platform, keys, snapshots, jwt_seen: Default::default() });
    Ok(Running { ctx, _smtp: smtp, _sms: sms, _reference: reference_server, doubles_tls })
}

/// The embedded reference takes the values the profile tells the harness to
/// send (spec id, captcha, master HCP), so the profile stays the one coupling.
fn apply_profile_variables(profile: &Profile, rc: &mut ReferenceConfig) {
    let var = |k: &str| profile.variables.get(k).and_then(|v| v.as_str()).map(str::to_string);
    if let Some(v) = var("spec_id") {
        rc.spec_id = v;
    }
    if let Some(v) = var("captcha") {
        rc.captcha = v;
    }
    if let Some(v) = var("master_hcp_id") {
        rc.master_hcp_id = v;
    }
}
