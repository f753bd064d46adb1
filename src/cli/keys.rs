//! Where a run's key pairs come from (`--key-stock`, `--fresh-keys`), and
//! the `keys` command that fills, shows and clears the stock.
use std::path::PathBuf;

use clap::Subcommand;

use authconform::crypto::{KeyStock, KeySupply, StockError};
use authconform::{exit, Error};

/// A run's options on key pairs.
#[derive(clap::Args)]
pub struct KeyStockArgs {
    /// Take key pairs from this stock before generating any (`authconform keys fill` makes it);
    /// default: <your cache folder>/authconform/keys, when it exists.
    #[arg(long, env = "AUTHCONFORM_KEY_STOCK", value_name = "DIR")]
    pub key_stock: Option<PathBuf>,
    /// Generate every key pair for this run, even when a key stock exists.
    #[arg(long, conflicts_with = "key_stock")]
    pub fresh_keys: bool,
}

impl KeyStockArgs {
    /// A stock named on the command line must exist; the default one is
    /// used only if it does. Either way one open to other users is refused.
    pub fn supply(&self) -> Result<KeySupply, Error> {
        if self.fresh_keys {
            return Ok(KeySupply::Fresh);
        }
        let stock = match (&self.key_stock, KeyStock::default_dir()) {
            (Some(dir), _) => KeyStock::open(dir),
            (None, Some(dir)) => match KeyStock::open(&dir) {
                Err(StockError::Missing(_)) => return Ok(KeySupply::Fresh),
                other => other,
            },
            (None, None) => return Ok(KeySupply::Fresh),
        };
        Ok(KeySupply::Stock(std::sync::Arc::new(stock?)))
    }
}

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Top the stock up to --count unused key pairs (generated on every core).
    Fill(FillArgs),
    /// Where the stock is and how many unused key pairs it holds.
    Status(DirArgs),
    /// Remove every key pair of the stock.
    Clear(DirArgs),
}

#[derive(clap::Args)]
pub struct DirArgs {
    /// The stock's folder (default: <your cache folder>/authconform/keys).
    #[arg(long, env = "AUTHCONFORM_KEY_STOCK", value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct FillArgs {
    /// How many unused key pairs the stock should hold (the default suite takes about 50 a run).
    #[arg(long, default_value_t = 100)]
    pub count: usize,
    #[command(flatten)]
    pub dir: DirArgs,
}

impl DirArgs {
    fn dir(&self) -> Result<PathBuf, Error> {
        self.dir.clone().or_else(KeyStock::default_dir).ok_or_else(|| {
            authconform::UsageError::Option {
                option: "--dir",
                message: "this system has no cache folder: name one".into(),
            }
            .into()
        })
    }
}

/// `authconform keys ...`: what it did goes to stdout.
pub fn keys(command: KeysCommand) -> Result<i32, Error> {
    match command {
        KeysCommand::Fill(args) => {
            let stock = KeyStock::create(&args.dir.dir()?)?;
            let filled = stock.fill(args.count)?;
            println!(
                "key stock {}: {} key pairs (had {}, made {} in {:.1} s on {} threads)",
                stock.dir().display(),
                filled.had + filled.made,
                filled.had,
                filled.made,
                filled.elapsed.as_secs_f64(),
                filled.workers
            );
        }
        KeysCommand::Status(args) => {
            let stock = KeyStock::open(&args.dir()?)?;
            println!("key stock {}: {} unused key pairs", stock.dir().display(), stock.count()?);
        }
        KeysCommand::Clear(args) => {
            let stock = KeyStock::open(&args.dir()?)?;
            println!("key stock {}: removed {} key pairs", stock.dir().display(), stock.clear()?);
        }
    }
    Ok(exit::CONFORMS)
}
