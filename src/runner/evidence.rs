//! What a scenario leaves beside its HTTP exchanges, gathered by the
//! after-hook and redacted there: the mails and SMS its actors received, the
//! calls the partner made to the platform double for them, and the double's
//! verdict on every JWT it was handed.
use crate::model::{Evidence, MessageRecord};
use crate::redact::SecretKind;
use crate::world::{AuthWorld, StepContext};

/// Text shown in reports is cut here: a mail body is evidence, not an archive.
const MAX_TEXT: usize = 4000;

pub fn gather(ctx: &StepContext, world: &AuthWorld) -> Evidence {
    let r = &ctx.client.redactor;
    let mut ev = Evidence { timings: world.timings.clone(), ..Evidence::default() };
    for actor in world.actors.values() {
        if let Some(mail) = &ctx.client.mail {
            for m in mail.mailbox.delivered_to(&actor.email) {
                // Codes and reset tokens are secrets whether or not a step
                // read them (a refused start's mail, a control's code):
                // found by the profile's own rules and redacted by value.
                if let Some(code) = m.find_code(&mail.code) {
                    r.register(&code, SecretKind::Code);
                }
                if let Some((_, Some(token))) = m.find_link(&mail.link) {
                    r.register(&token, SecretKind::Token);
                }
                let body = m.text.clone().or_else(|| m.html.clone()).unwrap_or_default();
                r.register_message_codes(&m.subject);
                r.register_message_codes(&body);
                ev.messages.push(MessageRecord {
                    kind: "mail".into(),
                    to: actor.email.clone(),
                    subject: Some(r.message(&m.subject)),
                    text: crate::redact::cut(&r.message(&body), MAX_TEXT),
                    received: m.received,
                });
            }
        }
        if let Some(sms) = &ctx.client.sms {
            for m in sms.inbox.delivered_to(&actor.phone) {
                if let Some(code) = sms.code.regex.first(&m.text) {
                    r.register(code, SecretKind::Code);
                }
                r.register_message_codes(&m.text);
                ev.messages.push(MessageRecord {
                    kind: "sms".into(),
                    to: actor.phone.clone(),
                    subject: None,
                    text: crate::redact::cut(&r.message(&m.text), MAX_TEXT),
                    received: m.received,
                });
            }
        }
        if let Some(p) = &ctx.platform {
            ev.platform_calls.extend(p.calls_for(&actor.email));
            for mut v in p.verdicts_for(&actor.email) {
                if let Some(claims) = v.claims.as_mut() {
                    r.json(claims);
                }
                ev.jwt_verdicts.push(v);
            }
        }
    }
    ev.messages.sort_by_key(|m| m.received);
    ev
}
