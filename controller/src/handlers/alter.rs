//! CONTROLLER_ALTER_SYNC_STATE_SET (1001, spec §4.1): the master shrinks or
//! expands its SyncStateSet.
//!
//! Fencing is the point: a deposed master (stale `masterEpoch`) or a master
//! acting on an outdated set (stale `syncStateSetEpoch`) must not be able to
//! overwrite the set, or an election could pick a replica that never had the
//! acknowledged data.

use std::collections::BTreeSet;

use super::{HandlerResult, SyncStateSet};
use crate::controller::Controller;
use crate::error::ControllerError;
use crate::event::Event;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlterSyncStateSetRequest {
    pub broker_name: String,
    /// The requester's controller id; must be the current master.
    pub master_broker_id: i64,
    /// The requester's view of the master epoch.
    pub master_epoch: i32,
    /// Proposed set plus the requester's current `syncStateSetEpoch`.
    pub new_sync_state_set: SyncStateSet,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlterSyncStateSetResponse {
    pub new_sync_state_set_epoch: i32,
    pub sync_state_set: SyncStateSet,
}

impl Controller {
    /// 1001, validated in RocketMQ's order (first failure wins).
    pub fn handle_alter_sync_state_set(
        &self,
        req: &AlterSyncStateSetRequest,
        now_ms: i64,
    ) -> HandlerResult<AlterSyncStateSetResponse> {
        let set = self.state.get(&req.broker_name).ok_or_else(|| {
            ControllerError::AlterSyncStateSetFailed(format!(
                "broker metadata is not existed: {}",
                req.broker_name
            ))
        })?;
        let sync = &set.sync;
        let proposed: &BTreeSet<i64> = &req.new_sync_state_set.sync_state_set;
        if *proposed == sync.sync_state_set {
            return Err(ControllerError::AlterSyncStateSetFailed("the sync state set is unchanged".into()));
        }
        if sync.master_broker_id != Some(req.master_broker_id) {
            return Err(ControllerError::InvalidMaster {
                current: sync.master_broker_id,
                requester: req.master_broker_id,
            });
        }
        if req.master_epoch != sync.master_epoch {
            return Err(ControllerError::FencedMasterEpoch {
                request: req.master_epoch,
                current: sync.master_epoch,
            });
        }
        let request_sse = req.new_sync_state_set.sync_state_set_epoch;
        if request_sse != sync.sync_state_set_epoch {
            return Err(ControllerError::FencedSyncStateSetEpoch {
                request: request_sse,
                current: sync.sync_state_set_epoch,
            });
        }
        for &id in proposed {
            if !set.contains(id) {
                return Err(ControllerError::InvalidReplicas(id));
            }
            if !self.is_alive(set, id, now_ms) {
                return Err(ControllerError::BrokerNotAlive(id));
            }
        }
        if !proposed.contains(&req.master_broker_id) {
            return Err(ControllerError::AlterSyncStateSetFailed(
                "the new set must contain the master".into(),
            ));
        }
        let new_epoch = sync.sync_state_set_epoch + 1;
        let event = Event::AlterSyncStateSet {
            broker_name: req.broker_name.clone(),
            new_sync_state_set: proposed.clone(),
        };
        let resp = AlterSyncStateSetResponse {
            new_sync_state_set_epoch: new_epoch,
            sync_state_set: SyncStateSet {
                sync_state_set: proposed.clone(),
                sync_state_set_epoch: new_epoch,
            },
        };
        Ok((resp, vec![event]))
    }
}

#[cfg(test)]
#[path = "alter_test.rs"]
mod alter_test;
