//! CONTROLLER_REGISTER_BROKER (1003, spec §4.3): a replica with a controller id
//! announces its current address and learns the master, if one is alive.

use super::{HandlerResult, SyncStateSet};
use crate::controller::Controller;
use crate::error::ControllerError;
use crate::event::Event;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterBrokerRequest {
    pub cluster_name: String,
    pub broker_name: String,
    pub broker_id: i64,
    pub broker_address: String,
}

/// Master fields of a response header (register, elect, replica info).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MasterInfo {
    pub master_broker_id: i64,
    pub master_address: String,
    pub master_epoch: i32,
    pub sync_state_set_epoch: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterBrokerResponse {
    pub cluster_name: String,
    pub broker_name: String,
    /// Present only if the set has a master **and it is alive**, so a broker
    /// never follows a dead master after a restart.
    pub master: Option<MasterInfo>,
    pub sync_state_set: SyncStateSet,
}

impl Controller {
    /// 1003: unknown set or id → 2010; a changed address → UpdateBrokerAddress.
    pub fn handle_register_broker(
        &self,
        req: &RegisterBrokerRequest,
        now_ms: i64,
    ) -> HandlerResult<RegisterBrokerResponse> {
        let unknown = || ControllerError::BrokerNeedToBeRegistered {
            broker_name: req.broker_name.clone(),
            broker_id: Some(req.broker_id),
        };
        let set = self.state.get(&req.broker_name).ok_or_else(unknown)?;
        let stored_address = set.address(req.broker_id).ok_or_else(unknown)?;
        let master = set
            .sync
            .master_broker_id
            .filter(|&m| self.is_alive(set, m, now_ms))
            .and_then(|m| set.address(m).map(|addr| (m, addr)))
            .map(|(m, addr)| MasterInfo {
                master_broker_id: m,
                master_address: addr.to_owned(),
                master_epoch: set.sync.master_epoch,
                sync_state_set_epoch: set.sync.sync_state_set_epoch,
            });
        let mut events = Vec::new();
        if stored_address != req.broker_address {
            events.push(Event::UpdateBrokerAddress {
                cluster_name: req.cluster_name.clone(),
                broker_name: req.broker_name.clone(),
                broker_address: req.broker_address.clone(),
                broker_id: req.broker_id,
            });
        }
        let resp = RegisterBrokerResponse {
            cluster_name: req.cluster_name.clone(),
            broker_name: req.broker_name.clone(),
            master,
            sync_state_set: SyncStateSet {
                sync_state_set: set.sync.sync_state_set.clone(),
                sync_state_set_epoch: set.sync.sync_state_set_epoch,
            },
        };
        Ok((resp, events))
    }
}

#[cfg(test)]
#[path = "register_test.rs"]
mod register_test;
