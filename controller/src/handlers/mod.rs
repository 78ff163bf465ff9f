//! Request handlers of spec §4, one file per request family.
//!
//! Each handler is `fn handle_xxx(&self, request, now_ms) -> Result<(Response,
//! Vec<Event>), ControllerError>`: it reads the state and liveness, never
//! mutates them, and returns the events to commit. Responses carry the values
//! the state will have *after* the events are applied (RocketMQ predicts
//! `epoch + 1` the same way).

mod alter;
mod clean;
mod elect;
mod ids;
mod read;
mod register;

use std::collections::BTreeSet;

pub use alter::{AlterSyncStateSetRequest, AlterSyncStateSetResponse};
pub use clean::CleanBrokerDataRequest;
pub use elect::{BrokerMemberGroup, ElectMasterRequest, ElectMasterResponse};
pub use ids::{ApplyBrokerIdRequest, BrokerNames, GetNextBrokerIdResponse};
pub use read::{BrokerReplicasInfo, GetReplicaInfoResponse, ReplicaIdentity, ReplicasInfo};
pub use register::{MasterInfo, RegisterBrokerRequest, RegisterBrokerResponse};

/// SyncStateSet body (spec §5.1): the set plus the epoch it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncStateSetBody {
    pub sync_state_set: BTreeSet<i64>,
    pub sync_state_set_epoch: i32,
}

/// Result type shared by all handlers.
pub type HandlerResult<R> = Result<(R, Vec<crate::Event>), crate::ControllerError>;
