//! The `booster` command. Today one sub-command, `booster quickstart`: a
//! name server and one broker in a single process, on loopback, with the
//! store in one directory, for trying Booster with any RocketMQ client and
//! `mqadmin`. (A controller-mode group of replicas joins it later.)
//!
//! [`args`] is the pure command-line parser; [`quickstart`] wires the
//! servers (their configs are built by pure functions) and renders the
//! banner; the binary only parses, starts, waits for a signal and stops.

pub mod args;
pub mod quickstart;
pub mod watch;

pub use args::{CliError, Parsed, QuickstartArgs};
pub use quickstart::{Quickstart, QuickstartError};
