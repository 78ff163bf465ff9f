//! Booster's AutoSwitch HA engine (spec/ha.md): controller-mode replication
//! of the CommitLog from a master to its slaves.
//!
//! Pure cores, each tested without sockets or sleeps:
//! * [`frame`]: the wire frames (§3);
//! * [`sync_state`]: the SyncStateSet tracker, confirm offset and quorum
//!   offsets (§8–§9), returning decisions instead of doing I/O;
//! * [`put_waiter`]: the put rules (§10) and the async replica wait;
//! * [`truncation`]: handshake truncation, first byte, epoch-bounded
//!   chunks (§6–§7).
//! * `rate`: bytes sent per one-second window (flow control and the
//!   per-connection rate of the HA status).
//!
//! Thin async shells: `master`/`connection` (listener side, and the
//! per-connection view [`HaConnectionInfo`]), `slave` (the HA client) and
//! [`service`] (the role API: become master / slave).
//!
//! This crate knows nothing of clients or the remoting protocol; the
//! controller client drives it through [`HaService`] and answers
//! SyncStateSet proposals through [`SyncStateSetProposer`].

pub mod config;
mod connection;
mod epochs;
pub mod error;
pub mod frame;
mod master;
pub mod proposer;
pub mod put_waiter;
mod rate;
mod runtime;
pub mod service;
mod slave;
pub mod sync_state;
pub mod truncation;

pub use config::HaConfig;
pub use error::HaError;
pub use master::{HaConnectionInfo, SyncStateView};
pub use proposer::{AcceptedSyncStateSet, Proposal, ProposeError, StaticProposer, SyncStateSetProposer};
pub use put_waiter::{HaPutResult, HaPutStatus, PutError, PutWaiter, ReplicationPolicy};
pub use service::{HaService, Role};
pub use slave::SlaveStatus;
pub use sync_state::{AckNeed, QuorumOffsets};
