//! The command line (clap) turned into validated library calls. Nothing
//! below this module knows clap.
mod args;
mod keys;

pub use args::*;
pub use keys::{keys, KeyStockArgs, KeysCommand};
