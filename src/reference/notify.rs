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
    smtp_host: String,
    smtp_port: u16,
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
    pub fn new(smtp: &str, from: &str, sms_webhook: Option<String>) -> Notifier {
        let (host, port) = smtp.rsplit_once(':').unwrap_or((smtp, "25"));
        Notifier {
            smtp_host: host.to_string(),
            smtp_port: port.parse().unwrap_or(25),
            from: from.to_string(),
            sms_webhook,
            http: reqwest::Client::new(),
        }
    }

    pub fn code_mail(code: &str, first_name: &str) -> CodeMail {
        CodeMail {
            subject: format!("{code} is your validation code"),
            text: format!("Hello {first_name},\r\n\r\nYour validation code is {code}. It expires in 10 minutes.\r\n"),
            html: format!("<p>Hello {first_name},</p><p>Your validation code is <b>{code}</b>. It expires in 10 minutes.</p>"),
        }
    }

    pub async fn mail(&self, to: &str, m: &CodeMail) -> Result<(), DeliveryError> {
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
        let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&self.smtp_host)
            .port(self.smtp_port)
            .timeout(Some(std::time::Duration::from_secs(5)))
            .build();
        transport.send(msg).await.map(|_| ()).map_err(|e| DeliveryError::Smtp {
            server: format!("{}:{}", self.smtp_host, self.smtp_port),
            message: e.to_string(),
        })
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
