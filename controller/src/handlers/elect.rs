//! CONTROLLER_ELECT_MASTER (1002, spec §4.2, §7.1).
//!
//! Three outcomes are not plain errors because they still carry data or an
//! event: SUCCESS, MASTER_STILL_EXIST (2011, header and set still filled) and
//! MASTER_NOT_AVAILABLE (2004, controller-triggered, commits "no master").
//! Hence the response has a `code`; ELECT_MASTER_FAILED (2012) and
//! NEED_TO_BE_REGISTERED (2010) are [`ControllerError`]s.

use std::collections::BTreeSet;

use super::{BrokerMemberGroup, HandlerResult};
use crate::codes::ResponseCode;
use crate::controller::Controller;
use crate::elect_policy::{CandidateInfo, ElectInput, elect};
use crate::error::ControllerError;
use crate::event::Event;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElectMasterRequest {
    pub cluster_name: String,
    pub broker_name: String,
    /// Broker-triggered: own id; admin: designated id; controller: `None`
    /// (`-1` on the wire is treated the same).
    pub broker_id: Option<i64>,
    /// True only for admin-designated elections.
    pub designate_elect: bool,
}

impl ElectMasterRequest {
    /// The request the runtime sends for an [`crate::ElectionTrigger`].
    pub fn controller_triggered(broker_name: &str) -> Self {
        Self {
            cluster_name: String::new(),
            broker_name: broker_name.to_owned(),
            broker_id: None,
            designate_elect: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElectMasterResponse {
    /// Success, ControllerMasterStillExist or ControllerMasterNotAvailable.
    pub code: ResponseCode,
    pub master_broker_id: Option<i64>,
    pub master_address: Option<String>,
    pub master_epoch: i32,
    pub sync_state_set_epoch: i32,
    /// Only on SUCCESS.
    pub broker_member_group: Option<BrokerMemberGroup>,
    pub sync_state_set: BTreeSet<i64>,
}

impl Controller {
    /// 1002 with DefaultElectPolicy.
    pub fn handle_elect_master(
        &self,
        req: &ElectMasterRequest,
        now_ms: i64,
    ) -> HandlerResult<ElectMasterResponse> {
        let requested = req.broker_id.filter(|&id| id != -1);
        let set =
            self.state.get(&req.broker_name).ok_or_else(|| ControllerError::BrokerNeedToBeRegistered {
                broker_name: req.broker_name.clone(),
                broker_id: requested,
            })?;
        let sync = &set.sync;
        let all = set.ids();
        // First election of a set: the requester wins without any data check
        // (pitfall P-C14). Unlike RocketMQ we insist it is registered, so the
        // master always has an address.
        let mut new_master = None;
        if sync.master_epoch == 0
            && let Some(id) = requested
        {
            if !set.contains(id) {
                return Err(ControllerError::BrokerNeedToBeRegistered {
                    broker_name: req.broker_name.clone(),
                    broker_id: Some(id),
                });
            }
            new_master = Some(id);
        }
        if new_master.is_none() {
            let input = ElectInput {
                sync_state_set: &sync.sync_state_set,
                all_replicas: self.config.enable_elect_unclean_master.then_some(&all),
                old_master: sync.master_broker_id,
                preferred: if req.designate_elect { requested } else { None },
            };
            let cluster = &set.replicas.cluster_name;
            new_master = elect(&input, |id| {
                self.liveness
                    .get(cluster, &req.broker_name, id)
                    .filter(|info| info.is_alive(now_ms) && set.contains(id))
                    .map(|i| CandidateInfo {
                        epoch: i.epoch,
                        max_offset: i.max_offset,
                        election_priority: i.election_priority,
                    })
            });
        }
        match new_master {
            Some(id) if Some(id) == sync.master_broker_id => {
                let resp = ElectMasterResponse {
                    code: ResponseCode::ControllerMasterStillExist,
                    master_broker_id: Some(id),
                    master_address: set.address(id).map(str::to_owned),
                    master_epoch: sync.master_epoch,
                    sync_state_set_epoch: sync.sync_state_set_epoch,
                    broker_member_group: None,
                    sync_state_set: sync.sync_state_set.clone(),
                };
                Ok((resp, Vec::new()))
            }
            Some(id) => {
                let group = BrokerMemberGroup {
                    cluster: set.replicas.cluster_name.clone(),
                    broker_name: req.broker_name.clone(),
                    broker_addrs: set
                        .replicas
                        .broker_ids
                        .iter()
                        .map(|(k, v)| (*k, v.address.clone()))
                        .collect(),
                };
                let resp = ElectMasterResponse {
                    code: ResponseCode::Success,
                    master_broker_id: Some(id),
                    master_address: set.address(id).map(str::to_owned),
                    master_epoch: sync.master_epoch + 1,
                    sync_state_set_epoch: sync.sync_state_set_epoch + 1,
                    broker_member_group: Some(group),
                    sync_state_set: BTreeSet::from([id]),
                };
                let event = Event::ElectMaster {
                    broker_name: req.broker_name.clone(),
                    new_master_broker_id: Some(id),
                };
                Ok((resp, vec![event]))
            }
            None if requested.is_none() => {
                // Controller-triggered and nobody qualifies: commit "no master"
                // so brokers stop following the dead one (bumps masterEpoch).
                let resp = ElectMasterResponse {
                    code: ResponseCode::ControllerMasterNotAvailable,
                    master_broker_id: None,
                    master_address: None,
                    master_epoch: sync.master_epoch + 1,
                    sync_state_set_epoch: sync.sync_state_set_epoch,
                    broker_member_group: None,
                    sync_state_set: sync.sync_state_set.clone(),
                };
                let event =
                    Event::ElectMaster { broker_name: req.broker_name.clone(), new_master_broker_id: None };
                Ok((resp, vec![event]))
            }
            None => Err(ControllerError::ElectMasterFailed(req.broker_name.clone())),
        }
    }
}

#[cfg(test)]
#[path = "elect_test.rs"]
mod elect_test;
