//! Booster's message store: an mmap CommitLog in RocketMQ's record format,
//! ConsumeQueues, index, checkpoint, crash recovery, retention and the
//! controller-mode epoch file. No sockets: the network lives elsewhere.

pub mod checkpoint;
pub mod commit_log;
pub mod consume_queue;
pub mod dispatch;
pub mod epoch;
pub mod error;
pub mod index;
pub mod mapped_file;
pub mod mapped_file_queue;
pub mod message_store;
pub mod metadata;
pub mod recovery;
pub mod retention;
mod services;

/// The record codec lives in `booster_model` (the format is also the wire
/// format of pull/query bodies); re-exported so `booster_store::record::…`
/// paths keep working.
pub use booster_model::record;

pub use commit_log::AppendResult;
pub use error::{Result, StoreError};
pub use message_store::{GetMessageResult, GetMessageStatus, MessageStore, PutMessageStatus, PutResult};
pub use record::MessageToStore;
