//! Code delivery: a multipart mail over SMTP (lettre), or a JSON POST to the
//! SMS provider webhook.
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("mail to {to} could not be built: {message}")]
    Build { to: String, message: String },
    #[error("SMTP delivery to {server} failed: {message}")]
    Smtp { server: String, message: String },
    #[error("SMS webhook {url} failed: {message}")]
    Sms { url: String, message: String },
    #[error("no SMS webhook is configured")]
    NoSmsWebhook,
}

pub struct Notifier {
    /// `(host, port)`; `None`: mail is not sent over SMTP.
    smtp: Option<(String, u16)>,
    from: String,
    sms_webhook: Option<String>,
    http: reqwest::Client,
}

/// The rendered code message; kept so the test mail API can serve it.
pub struct CodeMail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Notifier {
    pub fn new(smtp: Option<&str>, from: &str, sms_webhook: Option<String>) -> Notifier {
        let smtp = smtp.map(|s| {
            let (host, port) = s.rsplit_once(':').unwrap_or((s, "25"));
            (host.to_string(), port.parse().unwrap_or(25))
        });
        Notifier { smtp, from: from.to_string(), sms_webhook, http: super::tls::http_client() }
    }

    pub fn code_mail(code: &str, first_name: &str) -> CodeMail {
        CodeMail {
            subject: format!("{code} is your validation code"),
            text: format!("Hello {first_name},\r\n\r\nYour validation code is {code}. It expires in 10 minutes.\r\n"),
            html: format!(
                "<p>Hello {first_name},</p><p>Your validation code is <b>{code}</b>. It expires in 10 minutes.</p>"
            ),
        }
    }

    /// Sends the mail over SMTP; without an SMTP server configured this is a no-op
    /// (the caller keeps the mail for the test mail API).
    pub async fn mail(&self, to: &str, m: &CodeMail) -> Result<(), DeliveryError> {
        let Some((host, port)) = &self.smtp else { return Ok(()) };
        let build = |message: String| DeliveryError::Build { to: to.to_string(), message };
        let from: Mailbox = self.from.parse().map_err(|e| build(format!("{e}")))?;
        let rcpt: Mailbox = to.parse().map_err(|e| build(format!("{e}")))?;
        let msg = Message::builder()
            .from(from)
            .to(rcpt)
            .subject(m.subject.clone())
            .multipart(
                MultiPart::alternative()
                    .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(m.text.clone()))
                    .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(m.html.clone())),
            )
            .map_err(|e| build(e.to_string()))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(*port)
            .timeout(Some(std::time::Duration::from_secs(5)))
            .build();
        transport
            .send(msg)
            .await
            .map(|_| ())
            .map_err(|e| DeliveryError::Smtp { server: format!("{host}:{port}"), message: e.to_string() })
    }

    pub async fn sms(&self, to: &str, text: &str) -> Result<(), DeliveryError> {
        let url = self.sms_webhook.as_ref().ok_or(DeliveryError::NoSmsWebhook)?;
        let reply = self
            .http
            .post(url)
            .json(&serde_json::json!({ "to": to, "message": text }))
            .timeout(std::time::Duration::from_secs(5))
            .send()
            .await
            .map_err(|e| DeliveryError::Sms { url: url.clone(), message: e.to_string() })?;
        if !reply.status().is_success() {
            return Err(DeliveryError::Sms { url: url.clone(), message: format!("status {}", reply.status()) });
        }
        Ok(())
    }
}
