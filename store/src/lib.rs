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
pub mod record;
pub mod recovery;
pub mod retention;
mod services;

pub use commit_log::AppendResult;
pub use error::{Result, StoreError};
pub use message_store::{GetMessageResult, GetMessageStatus, MessageStore, PutMessageStatus, PutResult};
pub use record::MessageToStore;
