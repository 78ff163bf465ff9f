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

pub use alter::{AlterSyncStateSetRequest, AlterSyncStateSetResponse};
pub use booster_model::controller::{
    BrokerMemberGroup, BrokerReplicasInfo, ReplicaIdentity, ReplicasInfo, SyncStateSet,
};
pub use clean::CleanBrokerDataRequest;
pub use elect::{ElectMasterRequest, ElectMasterResponse};
pub use ids::{ApplyBrokerIdRequest, BrokerNames, GetNextBrokerIdResponse};
pub use read::GetReplicaInfoResponse;
pub use register::{MasterInfo, RegisterBrokerRequest, RegisterBrokerResponse};

/// Result type shared by all handlers.
pub type HandlerResult<R> = Result<(R, Vec<crate::Event>), crate::ControllerError>;
