//! The `booster` command. Today one sub-command, `booster quickstart`: a
//! name server and one broker — or, with `--replicas N`, one controller-mode
//! broker group of N replicas and the controller embedded in the name
//! server — in a single process, on loopback, with the files in one
//! directory, for trying Booster with any RocketMQ client and `mqadmin`.
//!
//! [`args`] is the pure command-line parser; [`quickstart`] wires the
//! servers (their configs are built by pure functions) and renders the
//! banner; [`watch`] follows the controller's view of the group; the
//! binary only parses, starts, waits for a signal and stops.

pub mod args;
pub mod quickstart;
pub mod watch;

pub use args::{CliError, Parsed, QuickstartArgs};
pub use quickstart::{Quickstart, QuickstartError};
