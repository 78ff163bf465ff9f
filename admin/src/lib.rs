//! `mqadmin`, RocketMQ's operator CLI, for Booster (and any RocketMQ 5.x
//! cluster): the same sub-command names, flags and output layout as the
//! Java tool, so runbooks and scripts keep working.
//!
//! Three layers, so that almost everything is tested without sockets:
//! * [`args`] — pure: `argv` → a validated [`args::Invocation`] or a
//!   [`UsageError`] naming the flag; nothing is sent for a bad command line.
//! * [`format`] — pure: decoded bodies → the text Java's mqadmin prints.
//! * [`client`] / [`run`] — thin I/O: one request per method, typed errors.
//!
//! Plus two decoders the commands need: [`msg_id`] (offset message ids →
//! broker address and commit-log offset) and [`message`] (a raw commit-log
//! record → its fields).

pub mod args;
pub mod client;
pub mod error;
pub mod format;
pub mod message;
pub mod msg_id;
pub mod run;

pub use error::{AdminError, UsageError};
