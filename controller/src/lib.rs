//! Pure core of the Booster controller (RocketMQ 5.x `ReplicasInfoManager`,
//! `DefaultElectPolicy`, `DefaultBrokerHeartbeatManager`).
//!
//! Everything here is deterministic and I/O-free, in the openraft "engine"
//! style: requests are *validated* against the current state and turned into a
//! response plus a list of [`Event`]s; the events are what a Raft log will
//! replicate, and [`ReplicasState::apply`] applies them identically on every
//! replica. Time is always an explicit `now_ms` argument.
//!
//! The pure core is every module except [`raft`]: it never opens sockets,
//! reads clocks, spawns tasks or touches files. [`raft`] is the thin openraft
//! shell around it (durable log, snapshots, Raft RPCs over remoting) behind
//! the [`Replicator`] seam; the remoting server and the `mqcontroller`
//! binary are further shells.

pub use booster_model::controller::codes;
pub mod controller;
pub mod elect_policy;
pub mod error;
pub mod event;
mod fs;
pub mod handlers;
pub mod liveness;
pub mod raft;
pub mod replicator;
pub mod server;
pub mod state;

#[cfg(test)]
mod testing;

pub use codes::{RequestCode, ResponseCode};
pub use controller::{Controller, ControllerConfig, ElectionTrigger, InactiveScan, TriggerReason};
pub use error::ControllerError;
pub use event::Event;
pub use handlers::*;
pub use liveness::{BrokerIdentity, BrokerLiveInfo, BrokerLiveness, ChannelId, Heartbeat};
pub use replicator::{RaftMetadata, ReplicateError, Replicator, SharedController};
pub use server::{ControllerHandle, StartError, start};
pub use state::{BrokerReplicaInfo, BrokerSet, ReplicasState, SyncStateInfo};

#[cfg(test)]
mod replay_test;
