//! A pool of key pairs generated on blocking threads.
//!
//! cucumber-rs runs every scenario of a run on one task, so a 220 ms keygen
//! on that task would stall all of them. Producers run on tokio's blocking
//! pool and keep a bounded channel topped up; taking a key is then a channel
//! receive. Dropping the pool closes the channel and the producers stop.
//!
//! Where a pool's keys come from is its [`KeySupply`]: generated for the
//! run; first from a [`KeyStock`] on disk (made ahead, each used once); or,
//! in tests, from a [`KeyBank`] that lets runs of one process share key
//! pairs (the fault matrix runs the suite once per fault, and what it tests
//! is not the keys' freshness). Within a run every key is distinct.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, Mutex, OnceCell};

use super::keys::{KeyError, KeyPair, OaepHash};
use super::stock::KeyStock;

type Receiver = Mutex<mpsc::Receiver<Result<KeyPair, KeyError>>>;

pub struct KeyPool {
    /// Started on first need: the first key asked for (with a bank, the
    /// first one the bank cannot give).
    rx: OnceCell<Receiver>,
    producers: usize,
    depth: usize,
    hash: OaepHash,
    source: Source,
    stats: Arc<PoolStats>,
}

/// Where a run's key pairs come from besides its own generators.
#[derive(Debug, Clone, Default)]
pub enum KeySupply {
    /// Every key is generated for this run (a run with no stock).
    #[default]
    Fresh,
    /// First the unused keys of a stock on disk; the run's unused spares
    /// go back into it at the end.
    Stock(Arc<KeyStock>),
    /// Keys shared with the other runs of this process (tests only).
    Shared(KeyBank),
}

enum Source {
    Fresh,
    Stock(Arc<KeyStock>),
    Replay(std::sync::Mutex<Replay>),
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
struct PoolStats {
    generated: AtomicU64,
    generation_micros: AtomicU64,
    waited_micros: AtomicU64,
    from_stock: AtomicU64,
    put_back: AtomicU64,
}

/// Where a run's key pairs came from, and what waiting for them cost.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct KeyStats {
    pub generated: u64,
    /// CPU time the generators spent.
    pub generation: Duration,
    /// Time scenarios spent waiting for a key.
    pub waited: Duration,
    pub from_stock: u64,
    /// Spares the run made and did not use, put into the stock.
    pub put_back: u64,
}

impl KeyPool {
    /// A pool of `producers` blocking generators keeping up to `depth` keys
    /// ready, started by the first [`KeyPool::take`] the supply cannot
    /// serve: a run none of whose scenarios needs a key pair generates
    /// none. Must be used inside a tokio runtime.
    pub fn new(producers: usize, depth: usize, hash: OaepHash, supply: KeySupply) -> Arc<KeyPool> {
        let source = match supply {
            KeySupply::Fresh => Source::Fresh,
            KeySupply::Stock(stock) => Source::Stock(stock),
            KeySupply::Shared(bank) => Source::Replay(std::sync::Mutex::new(Replay { bank, next: 0 })),
        };
        Arc::new(KeyPool { rx: OnceCell::new(), producers, depth, hash, source, stats: Arc::new(PoolStats::default()) })
    }

    /// A pool whose keys are all generated for this run.
    pub fn start(producers: usize, depth: usize, hash: OaepHash) -> Arc<KeyPool> {
        KeyPool::new(producers, depth, hash, KeySupply::Fresh)
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
        if let Some(key) = self.take_from_stock().await {
            return Ok(key);
        }
        let t = Instant::now();
        let rx = self.rx.get_or_init(|| async { self.spawn_producers() }).await;
        let key =
            rx.lock().await.recv().await.unwrap_or_else(|| Err(KeyError::Generate("the key pool has stopped".into())));
        self.stats.waited_micros.fetch_add(t.elapsed().as_micros() as u64, Ordering::Relaxed);
        if let (Ok(k), Source::Replay(replay)) = (&key, &self.source) {
            let mut r = replay.lock().unwrap_or_else(|e| e.into_inner());
            let mut keys = r.bank.keys.lock().unwrap_or_else(|e| e.into_inner());
            keys.push(k.clone());
            let len = keys.len();
            drop(keys);
            r.next = len;
        }
        key
    }

    /// A stock's key, read off the cucumber task. A stock that fails (its
    /// folder removed mid-run) costs a warning, and the run generates.
    async fn take_from_stock(&self) -> Option<KeyPair> {
        let Source::Stock(stock) = &self.source else { return None };
        if stock.exhausted() {
            return None;
        }
        let (stock, hash) = (stock.clone(), self.hash);
        match tokio::task::spawn_blocking(move || stock.take(hash)).await {
            Ok(Ok(Some(key))) => {
                self.stats.from_stock.fetch_add(1, Ordering::Relaxed);
                Some(key)
            }
            Ok(Ok(None)) => None,
            Ok(Err(e)) => {
                tracing::warn!("{e}; generating keys instead");
                None
            }
            Err(e) => {
                tracing::warn!("the key stock's reader failed: {e}; generating keys instead");
                None
            }
        }
    }

    /// At a run's end: the keys generated ahead and never taken go into
    /// the stock (with no stock they are dropped). Stops the generators.
    pub async fn put_back(&self) {
        let Some(rx) = self.rx.get() else { return };
        let mut rx = rx.lock().await;
        // Closing first stops the generators: draining must not make room
        // for more.
        rx.close();
        let Source::Stock(stock) = &self.source else { return };
        // A generator in the middle of a key still sends it (its permit
        // outlives the close), then stops: waiting for the channel's end
        // costs at most one key's time and keeps that key, which the next
        // run would otherwise generate again.
        let mut spares = Vec::new();
        while let Some(key) = rx.recv().await {
            spares.extend(key.ok());
        }
        let stock = stock.clone();
        let stored = tokio::task::spawn_blocking(move || {
            let mut n = 0;
            for key in &spares {
                match stock.put(key) {
                    Ok(()) => n += 1,
                    Err(e) => {
                        tracing::warn!("{e}; the run's spare keys are dropped");
                        break;
                    }
                }
            }
            n
        })
        .await
        .unwrap_or(0);
        self.stats.put_back.fetch_add(stored, Ordering::Relaxed);
    }

    fn take_from_bank(&self) -> Option<KeyPair> {
        let Source::Replay(replay) = &self.source else { return None };
        let mut r = replay.lock().unwrap_or_else(|e| e.into_inner());
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

    pub fn stats(&self) -> KeyStats {
        let micros = |a: &AtomicU64| Duration::from_micros(a.load(Ordering::Relaxed));
        KeyStats {
            generated: self.stats.generated.load(Ordering::Relaxed),
            generation: micros(&self.stats.generation_micros),
            waited: micros(&self.stats.waited_micros),
            from_stock: self.stats.from_stock.load(Ordering::Relaxed),
            put_back: self.stats.put_back.load(Ordering::Relaxed),
        }
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
        assert!(pool.stats().generated >= 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_bank_replays_keys_in_order_and_never_twice_in_a_run() {
        let bank = KeyBank::default();
        let first = KeyPool::new(1, 1, OaepHash::Sha256, KeySupply::Shared(bank.clone()));
        let a = first.take().await.unwrap();
        let b = first.take().await.unwrap();
        assert_ne!(a.fingerprint(), b.fingerprint());
        assert_eq!(first.stats().generated, 2, "an empty bank generates");

        let second = KeyPool::new(1, 1, OaepHash::Sha256, KeySupply::Shared(bank.clone()));
        assert_eq!(second.take().await.unwrap().fingerprint(), a.fingerprint());
        assert_eq!(second.take().await.unwrap().fingerprint(), b.fingerprint());
        let c = second.take().await.unwrap();
        assert!(
            c.fingerprint() != a.fingerprint() && c.fingerprint() != b.fingerprint(),
            "past the bank, keys are new"
        );

        // Another OAEP hash never takes these keys.
        let sha1 = KeyPool::new(1, 1, OaepHash::Sha1, KeySupply::Shared(bank));
        let d = sha1.take().await.unwrap();
        assert_eq!(d.hash(), OaepHash::Sha1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_stock_serves_first_and_takes_the_spares_back() {
        let tmp = tempfile::tempdir().unwrap();
        let stock = Arc::new(KeyStock::create(&tmp.path().join("keys")).unwrap());
        let (_, pem) = crate::crypto::keys::tests::test_key().pem_pair().unwrap();
        for name in ["a.pem", "b.pem"] {
            std::fs::write(stock.dir().join(name), &pem).unwrap();
        }
        let pool = KeyPool::new(1, 1, OaepHash::Sha256, KeySupply::Stock(stock.clone()));
        for _ in 0..3 {
            pool.take().await.unwrap();
        }
        assert_eq!(pool.stats().from_stock, 2, "the stock first");
        assert!(pool.stats().generated >= 1, "then the generators");
        // The generator fills its one place again; wait for it (bounded).
        // (A key still being made at the end is kept too, but when the
        // generator has started it is not observable from here.)
        for _ in 0..500 {
            if pool.rx.get().unwrap().lock().await.len() == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        pool.put_back().await;
        assert_eq!(pool.stats().put_back, 1, "the spare made ahead goes into the stock");
        assert_eq!(stock.count().unwrap(), 1);
    }
}
