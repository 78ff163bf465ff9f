//! The seam between the controller's request handling and its Raft log.
//!
//! Handlers validate against [`Controller`] and produce events; a
//! [`Replicator`] makes those events durable on a majority and applies them
//! to the shared [`Controller`] on every node (its state machine calls
//! [`Controller::apply`]). The request side never applies events itself, so
//! a follower and the leader end in the same state by construction.

use std::future::Future;
use std::sync::Arc;

use crate::{Controller, Event};

/// The controller core shared by the request handlers (reads, liveness) and
/// the Raft state machine (the only writer of the replicated state).
pub type SharedController = Arc<parking_lot::Mutex<Controller>>;

/// Why a replicated write or read barrier did not happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplicateError {
    /// This node is not the leader, or is a leader that has not yet
    /// committed an entry of its own term (CONTROLLER_NOT_LEADER, 2007).
    #[error("the controller is not the leader")]
    NotLeader,
    /// The log could not commit the entry (SYSTEM_ERROR with this text).
    #[error("raft write failed: {0}")]
    Failed(String),
}

/// Raft's view as GET_METADATA_INFO reports it (spec §4.5).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RaftMetadata {
    /// `controllerDLegerGroup`.
    pub group: String,
    /// The leader's peer id (`n0`), if one is known.
    pub leader_id: Option<String>,
    /// The leader's `ip:port` from the peer list.
    pub leader_addr: Option<String>,
    /// This node is leader *and* ready to serve writes.
    pub is_leader: bool,
    /// `n0:ip:port;n1:ip:port;` — every peer, each followed by `;`.
    pub peers: String,
}

/// A replicated log of controller events.
pub trait Replicator: Send + Sync + 'static {
    /// Appends `events` as one entry; resolves once it is committed and
    /// applied to the shared controller on this node.
    fn write(&self, events: Vec<Event>) -> impl Future<Output = Result<(), ReplicateError>> + Send;

    /// Read barrier (pitfall P-C4): resolves once this node is confirmed
    /// leader and has applied everything committed before the call.
    fn ensure_read(&self) -> impl Future<Output = Result<(), ReplicateError>> + Send;

    /// The current Raft view, without waiting.
    fn metadata(&self) -> RaftMetadata;
}
