//! Events: the only way the replicated state changes (RocketMQ `EventMessage`).
//!
//! Handlers validate a request and return events; a Raft log replicates them;
//! every replica applies them with [`crate::ReplicasState::apply`]. Events are
//! therefore self-contained facts ("id 2 now belongs to this address"), never
//! commands that consult liveness or clocks, so that applying the same log
//! always yields the same state. They are serde-serializable for the log.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

/// A replicated state change (spec controller.md §6.2/§6.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    /// Replace the SyncStateSet and bump its epoch.
    AlterSyncStateSet { broker_name: String, new_sync_state_set: BTreeSet<i64> },
    /// Give `new_broker_id` to a replica; creates the broker set when unknown.
    ApplyBrokerId {
        cluster_name: String,
        broker_name: String,
        broker_address: String,
        new_broker_id: i64,
        register_check_code: String,
    },
    /// Result of an election. `new_master_broker_id == None` means "no master";
    /// the master epoch is bumped either way.
    ElectMaster { broker_name: String, new_master_broker_id: Option<i64> },
    /// Remove whole broker set (`None`/empty) or only the listed ids.
    CleanBrokerData { broker_name: String, broker_id_set_to_clean: Option<BTreeSet<i64>> },
    /// A registered replica came back with another remoting address.
    UpdateBrokerAddress { cluster_name: String, broker_name: String, broker_address: String, broker_id: i64 },
}

impl Event {
    /// RocketMQ's `EventType` id, needed if we ever share a log with Java.
    pub fn type_id(&self) -> i16 {
        match self {
            Event::AlterSyncStateSet { .. } => 1,
            Event::ApplyBrokerId { .. } => 2,
            Event::ElectMaster { .. } => 3,
            Event::CleanBrokerData { .. } => 5,
            Event::UpdateBrokerAddress { .. } => 6,
        }
    }
}
