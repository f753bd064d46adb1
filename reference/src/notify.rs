//! Code delivery: a multipart mail over SMTP (lettre), or a JSON POST to the
//! SMS provider webhook.
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use rustls::pki_types::CertificateDer;

use super::config::ReferenceConfig;
use super::faults::Fault;

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
    /// The SMTP transport, built once: its TLS parameters load the
    /// platform's trust store, milliseconds of CPU that, paid per mail on a
    /// runtime worker, would delay whichever answer shares the worker
    /// (known accounts' reset answers, measurably). Without the `pool`
    /// feature it still opens one connection per mail.
    transport: Option<Result<AsyncSmtpTransport<Tokio1Executor>, String>>,
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
    pub fn new(config: &ReferenceConfig, trusted: Vec<CertificateDer<'static>>) -> Notifier {
        let smtp = config.smtp.as_deref().map(|s| {
            let (host, port) = s.rsplit_once(':').unwrap_or((s, "25"));
            (host.to_string(), port.parse().unwrap_or(25))
        });
        let starttls = !config.has(Fault::SmtpPlaintext);
        let transport = smtp.as_ref().map(|(host, port)| {
            let tls = tls_for(starttls, &trusted, host)?;
            Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                .port(*port)
                .tls(tls)
                .timeout(Some(std::time::Duration::from_secs(5)))
                .build())
        });
        Notifier {
            smtp,
            transport,
            http: super::tls::http_client(trusted),
            from: config.mail_from.clone(),
            sms_webhook: config.sms_webhook.clone(),
        }
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
        let smtp_error = |message: String| DeliveryError::Smtp { server: format!("{host}:{port}"), message };
        let transport = match &self.transport {
            Some(Ok(t)) => t,
            Some(Err(e)) => return Err(smtp_error(e.clone())),
            None => return Ok(()),
        };
        transport.send(msg).await.map(|_| ()).map_err(|e| smtp_error(e.to_string()))
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

/// STARTTLS whenever the server offers it, trusting the platform's store
/// and `trusted`; plain text when `starttls` is off (the fault).
fn tls_for(starttls: bool, trusted: &[CertificateDer<'static>], host: &str) -> Result<Tls, String> {
    if !starttls {
        return Ok(Tls::None);
    }
    let mut params = TlsParameters::builder(host.to_string());
    for cert in trusted {
        params = params.add_root_certificate(Certificate::from_der(cert.to_vec()).map_err(|e| e.to_string())?);
    }
    Ok(Tls::Opportunistic(params.build_rustls().map_err(|e| e.to_string())?))
}
