//! Booster's broker: the request processors RocketMQ clients talk to (send,
//! pull with long polling, offsets, heartbeats, queries, admin), the topic,
//! subscription-group and consumer-offset managers, client (channel)
//! managers, and name-server registration. The `mqbroker` binary is a thin
//! shell over [`start`].
//!
//! Shape: managers and filters are plain structs that take the time as an
//! argument (`now_ms`) and do no network I/O; processors are thin async
//! functions over them; [`broker::start`] wires the store, the managers,
//! the remoting server and the background tasks together.
//!
//! Background services beside the processors: the delay-level
//! [`schedule`] service and the [`transaction`] check service. Processors
//! register in a [`ProcessorTable`]; puts go through a [`MessagePut`], by
//! default [`ha::HaPut`]: every broker replicates with a static role.

pub mod broker;
pub mod cli;
pub mod client;
pub mod context;
pub mod controller_mode;
pub mod error;
pub mod filter;
pub mod ha;
pub mod lock;
pub mod metrics;
pub mod offset;
pub mod persisted;
pub mod processor;
pub mod put;
pub mod registration;
pub mod schedule;
pub mod slave_sync;
pub mod stats;
pub mod stored;
pub mod subscription;
pub mod topic;
pub mod transaction;
pub mod uniq_key;
pub mod util;

pub use broker::{BrokerHandle, start, start_with};
pub use context::BrokerContext;
pub use error::{BrokerError, Result};
pub use processor::{Handler, ProcessorTable};
pub use put::{MessagePut, PutOutcome, PutStatus, StorePut};
