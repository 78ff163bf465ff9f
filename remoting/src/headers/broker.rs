//! Headers of the broker requests (spec/remoting.md §4.2–§4.8), typed with
//! [`command_header!`](crate::command_header), one file per request family.
//!
//! Required fields (R in the spec tables) are plain types, so a request
//! lacking one fails to decode with a [`HeaderError`](crate::HeaderError)
//! naming the field; optional ones are `Option`s. Field names are the exact
//! Java bean names, SEND_MESSAGE_V2's one-letter names included.

mod admin;
mod client;
mod offset;
mod pull;
mod send;
mod stats;
mod transaction;

pub use admin::*;
pub use client::*;
pub use offset::*;
pub use pull::*;
pub use send::*;
pub use stats::*;
pub use transaction::*;

#[cfg(test)]
mod tests;
