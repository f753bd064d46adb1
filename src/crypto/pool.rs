//! A pool of key pairs generated on blocking threads.
//!
//! cucumber-rs runs every scenario of a run on one task, so a 220 ms keygen
//! on that task would stall all of them. Producers run on tokio's blocking
//! pool and keep a bounded channel topped up; taking a key is then a channel
//! receive. Dropping the pool closes the channel and the producers stop.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, Mutex};

use super::keys::{KeyError, KeyPair, OaepHash};

pub struct KeyPool {
    rx: Mutex<mpsc::Receiver<Result<KeyPair, KeyError>>>,
    stats: Arc<PoolStats>,
}

/// Where key generation time went, for the benchmark and the run summary.
#[derive(Debug, Default)]
pub struct PoolStats {
    generated: AtomicU64,
    generation_micros: AtomicU64,
    waited_micros: AtomicU64,
}

impl KeyPool {
    /// Starts `producers` blocking generators keeping up to `depth` keys ready.
    /// Must be called inside a tokio runtime.
    pub fn start(producers: usize, depth: usize, hash: OaepHash) -> Arc<KeyPool> {
        let (tx, rx) = mpsc::channel(depth.max(1));
        let stats = Arc::new(PoolStats::default());
        for _ in 0..producers.max(1) {
            let tx = tx.clone();
            let stats = stats.clone();
            let handle = tokio::runtime::Handle::current();
            tokio::task::spawn_blocking(move || loop {
                // Wait for room before generating, so a closed or full pool costs no CPU.
                let Ok(permit) = handle.block_on(tx.reserve()) else { return };
                let t = Instant::now();
                let key = KeyPair::generate(hash);
                stats.generated.fetch_add(1, Ordering::Relaxed);
                stats.generation_micros.fetch_add(t.elapsed().as_micros() as u64, Ordering::Relaxed);
                permit.send(key);
            });
        }
        Arc::new(KeyPool { rx: Mutex::new(rx), stats })
    }

    /// Takes a ready key pair, waiting for a producer if none is ready.
    pub async fn take(&self) -> Result<KeyPair, KeyError> {
        let t = Instant::now();
        let key = self.rx.lock().await.recv().await.unwrap_or_else(|| Err(KeyError::Generate("the key pool has stopped".into())));
        self.stats.waited_micros.fetch_add(t.elapsed().as_micros() as u64, Ordering::Relaxed);
        key
    }

    /// (keys generated, total generation CPU time, total time scenarios waited for keys).
    pub fn stats(&self) -> (u64, Duration, Duration) {
        (
            self.stats.generated.load(Ordering::Relaxed),
            Duration::from_micros(self.stats.generation_micros.load(Ordering::Relaxed)),
            Duration::from_micros(self.stats.waited_micros.load(Ordering::Relaxed)),
        )
    }
}
