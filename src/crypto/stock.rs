//! A stock of unused RSA key pairs on disk, each handed out once.
//!
//! A run's key pairs are most of its CPU (48 of them are about 3 s on two
//! cores, BENCHMARKS.md). `authconform keys fill` makes them ahead of time
//! into a folder; a run takes from it before it generates, and puts back
//! the keys it made ahead and did not use. A key is taken by renaming its
//! file (atomic, so two runs sharing the folder never get the same key) and
//! is deleted as it is read: no key ever serves two actors, in one run or
//! across runs, so the target sees exactly what fresh keys would show it.
//!
//! The files are private keys: the folder must be closed to other users
//! (mode 0700, as ssh asks of `~/.ssh`), and each file is made 0600.
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use super::keys::{KeyError, KeyPair, OaepHash};

/// Claims and half-written files older than this belong to a process that
/// died: `fill` and `clear` remove them.
const STALE: Duration = Duration::from_secs(600);

#[derive(Debug, thiserror::Error)]
pub enum StockError {
    #[error("the key stock {} does not exist; make it with `authconform keys fill --dir {}`", .0.display(), .0.display())]
    Missing(PathBuf),
    #[error("the key stock {} is not a folder", .0.display())]
    NotAFolder(PathBuf),
    #[error(
        "the key stock {} is open to other users (mode {mode:o}) and holds private keys; close it with `chmod 700 {}`",
        dir.display(),
        dir.display()
    )]
    Exposed { dir: PathBuf, mode: u32 },
    #[error("key stock {}: cannot {what}: {source}", dir.display())]
    Io { dir: PathBuf, what: &'static str, source: io::Error },
    #[error("key stock: {0}")]
    Generate(#[from] KeyError),
}

/// An opened stock folder. Cheap to share behind an `Arc`: it only caches
/// the names it listed last.
#[derive(Debug)]
pub struct KeyStock {
    dir: PathBuf,
    /// Key files listed and not yet tried, so a take does not list the
    /// folder each time.
    listed: Mutex<Vec<String>>,
    /// The last listing found nothing: later takes generate without
    /// listing again.
    exhausted: AtomicBool,
}

/// What `fill` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Filled {
    pub had: usize,
    pub made: usize,
    pub elapsed: Duration,
    /// Threads that generated.
    pub workers: usize,
}

impl KeyStock {
    /// `<the user's cache folder>/authconform/keys` (`$XDG_CACHE_HOME` or
    /// `~/.cache` on Linux): where a run looks unless told otherwise.
    pub fn default_dir() -> Option<PathBuf> {
        dirs::cache_dir().map(|d| d.join("authconform").join("keys"))
    }

    /// Opens an existing stock, refusing one other users could read.
    pub fn open(dir: &Path) -> Result<KeyStock, StockError> {
        let meta = match fs::metadata(dir) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(StockError::Missing(dir.to_path_buf())),
            Err(source) => return Err(StockError::Io { dir: dir.to_path_buf(), what: "read it", source }),
        };
        if !meta.is_dir() {
            return Err(StockError::NotAFolder(dir.to_path_buf()));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(StockError::Exposed { dir: dir.to_path_buf(), mode });
            }
        }
        Ok(KeyStock { dir: dir.to_path_buf(), listed: Mutex::new(Vec::new()), exhausted: AtomicBool::new(false) })
    }

    /// Opens the stock, making the folder (0700) if it does not exist.
    pub fn create(dir: &Path) -> Result<KeyStock, StockError> {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).map_err(|source| StockError::Io { dir: dir.to_path_buf(), what: "make it", source })?;
        KeyStock::open(dir)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn io(&self, what: &'static str) -> impl FnOnce(io::Error) -> StockError + '_ {
        move |source| StockError::Io { dir: self.dir.clone(), what, source }
    }

    /// The key files in the folder now (claims and partial writes are
    /// dot-files and do not count).
    fn key_files(&self) -> Result<Vec<String>, StockError> {
        let mut names = Vec::new();
        for entry in fs::read_dir(&self.dir).map_err(self.io("list it"))? {
            let name = entry.map_err(self.io("list it"))?.file_name().to_string_lossy().into_owned();
            if name.ends_with(".pem") && !name.starts_with('.') {
                names.push(name);
            }
        }
        Ok(names)
    }

    /// How many unused keys the stock holds.
    pub fn count(&self) -> Result<usize, StockError> {
        Ok(self.key_files()?.len())
    }

    /// Whether the last listing found the stock empty.
    pub fn exhausted(&self) -> bool {
        self.exhausted.load(Ordering::Relaxed)
    }

    fn next_name(&self) -> Result<Option<String>, StockError> {
        let mut listed = self.listed.lock().unwrap_or_else(|e| e.into_inner());
        if listed.is_empty() && !self.exhausted() {
            *listed = self.key_files()?;
            self.exhausted.store(listed.is_empty(), Ordering::Relaxed);
        }
        Ok(listed.pop())
    }

    /// Takes one key out of the stock for good, or `None` when it is empty.
    /// A file that does not hold a key is removed with a warning and the
    /// next one is tried.
    pub fn take(&self, hash: OaepHash) -> Result<Option<KeyPair>, StockError> {
        while let Some(name) = self.next_name()? {
            let claim = self.dir.join(format!(".taken-{}-{name}", std::process::id()));
            match fs::rename(self.dir.join(&name), &claim) {
                Ok(()) => {}
                // Another run took it first.
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(self.io("claim a key")(e)),
            }
            let text = fs::read_to_string(&claim);
            // Used once, whatever it held.
            let _ = fs::remove_file(&claim);
            match text
                .map_err(|e| e.to_string())
                .and_then(|t| KeyPair::from_pkcs8_pem(&t, hash).map_err(|e| e.to_string()))
            {
                Ok(key) => return Ok(Some(key)),
                Err(e) => tracing::warn!("key stock {}: removed {name}, which held no key: {e}", self.dir.display()),
            }
        }
        Ok(None)
    }

    /// Adds a key nobody has used. It appears whole or not at all: written
    /// under a dot-name, then renamed.
    pub fn put(&self, key: &KeyPair) -> Result<(), StockError> {
        let (_, private_pem) = key.pem_pair()?;
        let name = format!("{}.pem", key.fingerprint());
        let partial = self.dir.join(format!(".put-{}-{name}", std::process::id()));
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let written = options.open(&partial).and_then(|mut f| f.write_all(private_pem.as_bytes()));
        if let Err(e) = written.and_then(|()| fs::rename(&partial, self.dir.join(&name))) {
            let _ = fs::remove_file(&partial);
            return Err(self.io("store a key")(e));
        }
        self.exhausted.store(false, Ordering::Relaxed);
        Ok(())
    }

    /// Tops the stock up to `target` keys, generating on a thread per core.
    pub fn fill(&self, target: usize) -> Result<Filled, StockError> {
        let started = Instant::now();
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        self.sweep(STALE)?;
        let had = self.count()?;
        let wanted = target.saturating_sub(had);
        let left = AtomicUsize::new(wanted);
        let made = AtomicUsize::new(0);
        let failure = Mutex::new(None);
        std::thread::scope(|s| {
            for _ in 0..workers.clamp(1, wanted.max(1)) {
                s.spawn(|| {
                    while left.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1)).is_ok() {
                        // The OAEP hash is a use of the key, not part of it.
                        let stored =
                            KeyPair::generate(OaepHash::Sha256).map_err(StockError::from).and_then(|k| self.put(&k));
                        match stored {
                            Ok(()) => made.fetch_add(1, Ordering::Relaxed),
                            Err(e) => {
                                left.store(0, Ordering::Relaxed);
                                *failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
                                return;
                            }
                        };
                    }
                });
            }
        });
        match failure.into_inner().unwrap_or_else(|e| e.into_inner()) {
            Some(e) => Err(e),
            None => Ok(Filled { had, made: made.into_inner(), elapsed: started.elapsed(), workers }),
        }
    }

    /// Removes every key; returns how many there were.
    pub fn clear(&self) -> Result<usize, StockError> {
        self.sweep(Duration::ZERO)?;
        let names = self.key_files()?;
        for name in &names {
            fs::remove_file(self.dir.join(name)).map_err(self.io("remove a key"))?;
        }
        Ok(names.len())
    }

    /// Removes the claims and partial writes of processes that died (older
    /// than `age`).
    fn sweep(&self, age: Duration) -> Result<(), StockError> {
        for entry in fs::read_dir(&self.dir).map_err(self.io("list it"))? {
            let entry = entry.map_err(self.io("list it"))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .map(|t| SystemTime::now().duration_since(t).unwrap_or_default() >= age)
                .unwrap_or(false);
            if (name.starts_with(".taken-") || name.starts_with(".put-")) && old {
                let _ = fs::remove_file(entry.path());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::keys::tests::test_key;

    fn stock() -> (tempfile::TempDir, KeyStock) {
        let dir = tempfile::tempdir().unwrap();
        let stock = KeyStock::create(&dir.path().join("keys")).unwrap();
        (dir, stock)
    }

    /// The same key under `n` names: what is under test is the folder.
    fn seed(stock: &KeyStock, n: usize) {
        let (_, pem) = test_key().pem_pair().unwrap();
        for i in 0..n {
            fs::write(stock.dir().join(format!("k{i}.pem")), &pem).unwrap();
        }
    }

    #[test]
    fn a_key_put_in_is_taken_out_once() {
        let (_tmp, stock) = stock();
        stock.put(test_key()).unwrap();
        assert_eq!(stock.count().unwrap(), 1);
        let back = stock.take(OaepHash::Sha1).unwrap().expect("the stock holds one key");
        assert_eq!(back.fingerprint(), test_key().fingerprint());
        assert_eq!(back.hash(), OaepHash::Sha1, "the taker decides the OAEP hash");
        assert!(stock.take(OaepHash::Sha256).unwrap().is_none());
        assert_eq!(fs::read_dir(stock.dir()).unwrap().count(), 0, "no file is left behind");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            stock.put(test_key()).unwrap();
            let file = stock.dir().join(format!("{}.pem", test_key().fingerprint()));
            assert_eq!(fs::metadata(file).unwrap().permissions().mode() & 0o777, 0o600);
            assert_eq!(fs::metadata(stock.dir()).unwrap().permissions().mode() & 0o777, 0o700);
        }
    }

    #[test]
    fn two_takers_sharing_a_stock_never_get_the_same_file() {
        let (_tmp, first) = stock();
        seed(&first, 40);
        let second = KeyStock::open(first.dir()).unwrap();
        let drain = |s: &KeyStock| std::iter::from_fn(|| s.take(OaepHash::Sha256).unwrap()).count();
        let (a, b) = std::thread::scope(|sc| {
            let a = sc.spawn(|| drain(&first));
            let b = sc.spawn(|| drain(&second));
            (a.join().unwrap(), b.join().unwrap())
        });
        assert_eq!(a + b, 40, "every key was taken exactly once ({a} + {b})");
        assert_eq!(first.count().unwrap(), 0);
    }

    #[test]
    fn a_file_without_a_key_is_removed_and_the_next_key_comes() {
        let (_tmp, stock) = stock();
        seed(&stock, 1);
        fs::write(stock.dir().join("z-broken.pem"), "-----BEGIN PRIVATE KEY-----\nnot base64\n").unwrap();
        let key = stock.take(OaepHash::Sha256).unwrap();
        assert!(key.is_some(), "the broken file is skipped");
        assert!(stock.take(OaepHash::Sha256).unwrap().is_none());
        assert_eq!(fs::read_dir(stock.dir()).unwrap().count(), 0, "the broken file is gone too");
    }

    #[test]
    fn a_stock_put_back_after_running_dry_is_seen_again() {
        let (_tmp, stock) = stock();
        assert!(stock.take(OaepHash::Sha256).unwrap().is_none());
        assert!(stock.exhausted());
        stock.put(test_key()).unwrap();
        assert!(stock.take(OaepHash::Sha256).unwrap().is_some());
    }

    #[test]
    fn fill_tops_up_and_clear_empties() {
        let (_tmp, stock) = stock();
        seed(&stock, 1);
        fs::write(stock.dir().join(".taken-1-old.pem"), "claimed by a process that died").unwrap();
        let filled = stock.fill(3).unwrap();
        assert_eq!((filled.had, filled.made), (1, 2));
        assert_eq!(stock.count().unwrap(), 3);
        assert_eq!(stock.fill(3).unwrap().made, 0, "a full stock makes nothing");
        assert_eq!(stock.clear().unwrap(), 3);
        assert_eq!(fs::read_dir(stock.dir()).unwrap().count(), 0, "clear also sweeps claims");
    }

    #[test]
    fn a_missing_or_open_folder_is_refused_with_the_fix() {
        let tmp = tempfile::tempdir().unwrap();
        let missing = tmp.path().join("nowhere");
        let e = KeyStock::open(&missing).unwrap_err().to_string();
        assert!(e.contains("does not exist") && e.contains("authconform keys fill --dir"), "{e}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let open = tmp.path().join("open");
            fs::create_dir(&open).unwrap();
            fs::set_permissions(&open, fs::Permissions::from_mode(0o755)).unwrap();
            let e = KeyStock::open(&open).unwrap_err().to_string();
            assert!(e.contains("mode 755") && e.contains("chmod 700"), "{e}");
        }
    }
}
