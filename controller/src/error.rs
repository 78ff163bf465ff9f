//! Typed rejections of controller requests.
//!
//! Each variant maps to exactly one RocketMQ response code so the remoting
//! shell can answer Java brokers without string matching. The display text is
//! what goes into the response `remark`.

use crate::codes::ResponseCode;

/// Why a request was rejected. No event is produced for a rejection.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ControllerError {
    #[error("broker metadata is not existed: {0}")]
    BrokerMetadataNotExist(String),
    #[error("broker {broker_name} (id {broker_id:?}) needs to be registered first")]
    BrokerNeedToBeRegistered { broker_name: String, broker_id: Option<i64> },
    #[error("alter sync state set failed: {0}")]
    AlterSyncStateSetFailed(String),
    #[error("invalid master: current {current:?}, requester {requester}")]
    InvalidMaster { current: Option<i64>, requester: i64 },
    #[error("fenced master epoch: request {request}, current {current}")]
    FencedMasterEpoch { request: i32, current: i32 },
    #[error("fenced sync state set epoch: request {request}, current {current}")]
    FencedSyncStateSetEpoch { request: i32, current: i32 },
    #[error("replica {0} is not registered")]
    InvalidReplicas(i64),
    #[error("replica {0} is not alive")]
    BrokerNotAlive(i64),
    #[error("failed to elect a new master for {0}")]
    ElectMasterFailed(String),
    #[error("invalid clean broker metadata request: {0}")]
    InvalidCleanBrokerMetadata(String),
    #[error("broker id invalid: {0}")]
    BrokerIdInvalid(String),
    #[error("invalid request: {0}")]
    InvalidRequest(String),
}

impl ControllerError {
    /// The RocketMQ response code for this rejection.
    pub fn code(&self) -> ResponseCode {
        use ControllerError::*;
        match self {
            BrokerMetadataNotExist(_) => ResponseCode::ControllerBrokerMetadataNotExist,
            BrokerNeedToBeRegistered { .. } => ResponseCode::ControllerBrokerNeedToBeRegistered,
            AlterSyncStateSetFailed(_) => ResponseCode::ControllerAlterSyncStateSetFailed,
            InvalidMaster { .. } => ResponseCode::ControllerInvalidMaster,
            FencedMasterEpoch { .. } => ResponseCode::ControllerFencedMasterEpoch,
            FencedSyncStateSetEpoch { .. } => ResponseCode::ControllerFencedSyncStateSetEpoch,
            InvalidReplicas(_) => ResponseCode::ControllerInvalidReplicas,
            BrokerNotAlive(_) => ResponseCode::ControllerBrokerNotAlive,
            ElectMasterFailed(_) => ResponseCode::ControllerElectMasterFailed,
            InvalidCleanBrokerMetadata(_) => ResponseCode::ControllerInvalidCleanBrokerMetadata,
            BrokerIdInvalid(_) => ResponseCode::ControllerBrokerIdInvalid,
            InvalidRequest(_) => ResponseCode::ControllerInvalidRequest,
        }
    }
}
