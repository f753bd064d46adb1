//! What stops a run early from outside: SIGINT (Ctrl-C at a terminal) or
//! SIGTERM (a CI job cancelled, a container stopped). The binary hands
//! [`signal`] to `run_until`; the library installs no handler by itself, so
//! an embedding program keeps its own.
use std::future::Future;

/// Listens from now on (call it inside the runtime, before the run starts,
/// so no early signal kills the process before its reports are written);
/// the future completes, with a reason for the report, when the process is
/// asked to stop, and never where signals cannot be listened to.
pub fn signal() -> impl Future<Output = String> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let listening = signal(SignalKind::interrupt()).and_then(|i| Ok((i, signal(SignalKind::terminate())?)));
        async move {
            let Ok((mut interrupt, mut terminate)) = listening else { return std::future::pending().await };
            tokio::select! {
                _ = interrupt.recv() => "interrupted (SIGINT)".to_string(),
                _ = terminate.recv() => "terminated (SIGTERM)".to_string(),
            }
        }
    }
    #[cfg(not(unix))]
    {
        let ctrl_c = tokio::signal::ctrl_c();
        async move {
            match ctrl_c.await {
                Ok(()) => "interrupted (Ctrl-C)".to_string(),
                Err(_) => std::future::pending().await,
            }
        }
    }
}
