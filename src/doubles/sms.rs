//! The SMS sink: an HTTP webhook a target's SMS provider posts to. Where the
//! recipient and text sit in the POST is the profile's choice (JSON pointers).
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;

use super::inbox::{Inbox, Message};
use super::served_tls::{serve_http, DoublesTls};
use crate::profile::SmsWebhookConfig;

#[derive(Debug, Clone)]
pub struct Sms {
    pub to: Vec<String>,
    pub text: String,
    /// When the webhook received it.
    pub received: chrono::DateTime<chrono::Utc>,
}

impl Message for Sms {
    fn recipients(&self) -> &[String] {
        &self.to
    }
    fn describe(&self) -> String {
        format!("to {}: {:?}", self.to.join(","), self.text)
    }
}

pub struct SmsSink {
    addr: SocketAddr,
    scheme: &'static str,
    path: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SmsSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Clone)]
struct Ctx {
    inbox: Arc<Inbox<Sms>>,
    recipient: String,
    text: String,
}

impl SmsSink {
    /// Binds `listen` and serves, over HTTPS when `tls` is given.
    pub async fn start(
        config: &SmsWebhookConfig,
        listen: &str,
        inbox: Arc<Inbox<Sms>>,
        tls: Option<&DoublesTls>,
    ) -> std::io::Result<SmsSink> {
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let ctx = Ctx { inbox, recipient: config.recipient.clone(), text: config.text.clone() };
        let app = Router::new().route(&config.path, post(receive)).with_state(ctx);
        let (task, scheme) = serve_http(listener, app, tls, "SMS webhook")?;
        Ok(SmsSink { addr, scheme, path: config.path.clone(), task })
    }

    /// The URL a target's SMS provider must post to.
    pub fn url(&self) -> String {
        format!("{}://{}{}", self.scheme, self.addr, self.path)
    }
}

async fn receive(State(ctx): State<Ctx>, body: String) -> (StatusCode, String) {
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(&body) else {
        return (StatusCode::BAD_REQUEST, "body is not JSON".into());
    };
    let pick = |ptr: &str| doc.pointer(ptr).and_then(|v| v.as_str()).map(str::to_string);
    match (pick(&ctx.recipient), pick(&ctx.text)) {
        (Some(to), Some(text)) => {
            ctx.inbox.deliver(Sms { to: vec![to], text, received: chrono::Utc::now() });
            (StatusCode::NO_CONTENT, String::new())
        }
        _ => (StatusCode::BAD_REQUEST, format!("expected strings at {} and {}", ctx.recipient, ctx.text)),
    }
}
