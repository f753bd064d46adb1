//! A pool of key pairs generated on blocking threads.
//!
//! cucumber-rs runs every scenario of a run on one task, so a 220 ms keygen
//! on that task would stall all of them. Producers run on tokio's blocking
//! pool and keep a bounded channel topped up; taking a key is then a channel
//! receive. Dropping the pool closes the channel and the producers stop.
//!
//! A [`KeyBank`] lets runs of one process share key pairs: the fault matrix
//! runs the suite once per fault, and what it tests is not the keys'
//! freshness. Within a run every key is still distinct.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, Mutex, OnceCell};

use super::keys::{KeyError, KeyPair, OaepHash};

type Receiver = Mutex<mpsc::Receiver<Result<KeyPair, KeyError>>>;

pub struct KeyPool {
    /// Started on first need: the first key asked for (with a bank, the
    /// first one the bank cannot give).
    rx: OnceCell<Receiver>,
    producers: usize,
    depth: usize,
    hash: OaepHash,
    bank: Option<std::sync::Mutex<Replay>>,
    stats: Arc<PoolStats>,
}

/// Key pairs kept across the runs of one process (tests only: a
/// certification run never reuses keys).
#[derive(Clone, Default)]
pub struct KeyBank {
    keys: Arc<std::sync::Mutex<Vec<KeyPair>>>,
}

impl std::fmt::Debug for KeyBank {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.keys.lock().map(|k| k.len()).unwrap_or(0);
        write!(f, "KeyBank({n} keys)")
    }
}

/// One run's place in the bank: it hands out `keys[next..]` in order and
/// appends what it had to generate, never reading its own additions.
struct Replay {
    bank: KeyBank,
    next: usize,
}

/// Where key generation time went, for the benchmark and the run summary.
#[derive(Debug, Default)]
pub struct PoolStats {
    generated: AtomicU64,
    generation_micros: AtomicU64,
    waited_micros: AtomicU64,
}

impl KeyPool {
    /// A pool of `producers` blocking generators keeping up to `depth` keys
    /// ready, started by the first [`KeyPool::take`]: a run none of whose
    /// scenarios needs a key pair generates none. Must be used inside a
    /// tokio runtime.
    pub fn start(producers: usize, depth: usize, hash: OaepHash) -> Arc<KeyPool> {
        Arc::new(KeyPool {
            rx: OnceCell::new(),
            producers,
            depth,
            hash,
            bank: None,
            stats: Arc::new(PoolStats::default()),
        })
    }

    /// A pool that first hands out the bank's keys (of the same OAEP hash),
    /// and generates only when the bank runs out.
    pub fn with_bank(producers: usize, depth: usize, hash: OaepHash, bank: KeyBank) -> Arc<KeyPool> {
        let replay = std::sync::Mutex::new(Replay { bank, next: 0 });
        Arc::new(KeyPool {
            rx: OnceCell::new(),
            producers,
            depth,
            hash,
            bank: Some(replay),
            stats: Arc::new(PoolStats::default()),
        })
    }

    fn spawn_producers(&self) -> Receiver {
        let (tx, rx) = mpsc::channel(self.depth.max(1));
        let hash = self.hash;
        for _ in 0..self.producers.max(1) {
            let tx = tx.clone();
            let stats = self.stats.clone();
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
        Mutex::new(rx)
    }

    /// Takes a ready key pair, waiting for a producer if none is ready.
    pub async fn take(&self) -> Result<KeyPair, KeyError> {
        if let Some(key) = self.take_from_bank() {
            return Ok(key);
        }
        let t = Instant::now();
        let rx = self.rx.get_or_init(|| async { self.spawn_producers() }).await;
        let key =
            rx.lock().await.recv().await.unwrap_or_else(|| Err(KeyError::Generate("the key pool has stopped".into())));
        self.stats.waited_micros.fetch_add(t.elapsed().as_micros() as u64, Ordering::Relaxed);
        if let (Ok(k), Some(replay)) = (&key, &self.bank) {
            let mut r = replay.lock().unwrap_or_else(|e| e.into_inner());
            let mut keys = r.bank.keys.lock().unwrap_or_else(|e| e.into_inner());
            keys.push(k.clone());
            let len = keys.len();
            drop(keys);
            r.next = len;
        }
        key
    }

    fn take_from_bank(&self) -> Option<KeyPair> {
        let mut r = self.bank.as_ref()?.lock().unwrap_or_else(|e| e.into_inner());
        let keys = r.bank.keys.lock().unwrap_or_else(|e| e.into_inner());
        let found = keys[r.next.min(keys.len())..]
            .iter()
            .position(|k| k.hash() == self.hash)
            .map(|i| (r.next + i, keys[r.next + i].clone()));
        drop(keys);
        let (at, key) = found?;
        r.next = at + 1;
        Some(key)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn producers_start_with_the_first_key_asked_for() {
        let pool = KeyPool::start(2, 2, OaepHash::Sha256);
        assert!(pool.rx.get().is_none(), "no generator runs before a key is asked for");
        pool.take().await.unwrap();
        assert!(pool.rx.get().is_some());
        assert!(pool.stats().0 >= 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_bank_replays_keys_in_order_and_never_twice_in_a_run() {
        let bank = KeyBank::default();
        let first = KeyPool::with_bank(1, 1, OaepHash::Sha256, bank.clone());
        let a = first.take().await.unwrap();
        let b = first.take().await.unwrap();
        assert_ne!(a.fingerprint(), b.fingerprint());
        assert_eq!(first.stats().0, 2, "an empty bank generates");

        let second = KeyPool::with_bank(1, 1, OaepHash::Sha256, bank.clone());
        assert_eq!(second.take().await.unwrap().fingerprint(), a.fingerprint());
        assert_eq!(second.take().await.unwrap().fingerprint(), b.fingerprint());
        let c = second.take().await.unwrap();
        assert!(
            c.fingerprint() != a.fingerprint() && c.fingerprint() != b.fingerprint(),
            "past the bank, keys are new"
        );

        // Another OAEP hash never takes these keys.
        let sha1 = KeyPool::with_bank(1, 1, OaepHash::Sha1, bank);
        let d = sha1.take().await.unwrap();
        assert_eq!(d.hash(), OaepHash::Sha1);
    }
}
