//! CONTROLLER_GET_NEXT_BROKER_ID (1012) and CONTROLLER_APPLY_BROKER_ID (1013):
//! how a replica obtains its persistent controller id (spec §4.11, §4.12).

use super::HandlerResult;
use crate::controller::Controller;
use crate::error::ControllerError;
use crate::event::Event;

/// `clusterName` + `brokerName`: the request of 1012 and the response of 1013.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerNames {
    pub cluster_name: String,
    pub broker_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetNextBrokerIdResponse {
    pub cluster_name: String,
    pub broker_name: String,
    pub next_broker_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyBrokerIdRequest {
    pub cluster_name: String,
    pub broker_name: String,
    pub applied_broker_id: i64,
    /// `<brokerAddress>;<epochMillis>`; identical codes make retries idempotent.
    pub register_check_code: String,
}

impl Controller {
    /// 1012: always SUCCESS; 1 for an unknown set, else `nextAssignBrokerId`.
    pub fn handle_get_next_broker_id(
        &self,
        req: &BrokerNames,
        _now_ms: i64,
    ) -> HandlerResult<GetNextBrokerIdResponse> {
        let next_broker_id = self.state.get(&req.broker_name).map_or(1, |s| s.replicas.next_assign_broker_id);
        let resp = GetNextBrokerIdResponse {
            cluster_name: req.cluster_name.clone(),
            broker_name: req.broker_name.clone(),
            next_broker_id,
        };
        Ok((resp, Vec::new()))
    }

    /// 1013: accept an unused id (or the first id 1 of a new set), or a retry
    /// of an already applied id with the very same check code; reject anything
    /// else with CONTROLLER_BROKER_ID_INVALID (2014).
    pub fn handle_apply_broker_id(
        &self,
        req: &ApplyBrokerIdRequest,
        _now_ms: i64,
    ) -> HandlerResult<BrokerNames> {
        let id = req.applied_broker_id;
        match self.state.get(&req.broker_name) {
            None if id != 1 => {
                return Err(ControllerError::BrokerIdInvalid(format!(
                    "broker set {} is unknown, the first id must be 1, not {id}",
                    req.broker_name
                )));
            }
            None => {}
            Some(set) => {
                if let Some(info) = set.replicas.broker_ids.get(&id)
                    && info.register_check_code != req.register_check_code
                {
                    return Err(ControllerError::BrokerIdInvalid(format!(
                        "id {id} of {} is already used by another replica",
                        req.broker_name
                    )));
                }
            }
        }
        // The address is the part of the check code before the first ';'.
        let broker_address = req.register_check_code.split(';').next().unwrap_or_default().to_owned();
        let event = Event::ApplyBrokerId {
            cluster_name: req.cluster_name.clone(),
            broker_name: req.broker_name.clone(),
            broker_address,
            new_broker_id: id,
            register_check_code: req.register_check_code.clone(),
        };
        let resp =
            BrokerNames { cluster_name: req.cluster_name.clone(), broker_name: req.broker_name.clone() };
        Ok((resp, vec![event]))
    }
}

#[cfg(test)]
#[path = "ids_test.rs"]
mod ids_test;
