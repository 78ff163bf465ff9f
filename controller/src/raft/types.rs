//! openraft's type configuration for the controller log.
//!
//! One log entry carries the events of one controller request; applying it
//! returns nothing (the request handler computed the response before the
//! write). Node ids are positions in `controllerDLegerPeers`.

use std::io::Cursor;

use crate::Event;

openraft::declare_raft_types!(
    /// The controller's Raft types.
    pub TypeConfig:
        D = Vec<Event>,
        R = (),
        NodeId = u64,
        Node = openraft::BasicNode,
        SnapshotData = Cursor<Vec<u8>>,
);

/// Position of a peer in `controllerDLegerPeers`.
pub type NodeId = u64;
pub type Node = openraft::BasicNode;
pub type Entry = openraft::Entry<TypeConfig>;
pub type LogId = openraft::LogId<NodeId>;
pub type Vote = openraft::Vote<NodeId>;
pub type StoredMembership = openraft::StoredMembership<NodeId, Node>;
pub type SnapshotMeta = openraft::SnapshotMeta<NodeId, Node>;
pub type StorageError = openraft::StorageError<NodeId>;
pub type RaftMetrics = openraft::RaftMetrics<NodeId, Node>;
pub type Raft = openraft::Raft<TypeConfig>;
