//! Read-only requests: CONTROLLER_GET_REPLICA_INFO (1004, spec §4.4) and
//! CONTROLLER_GET_SYNC_STATE_DATA (1006, spec §4.6). They never emit events.

use super::{BrokerReplicasInfo, HandlerResult, ReplicaIdentity, ReplicasInfo, SyncStateSet};
use crate::controller::Controller;
use crate::error::ControllerError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetReplicaInfoResponse {
    pub master_broker_id: Option<i64>,
    pub master_address: Option<String>,
    pub master_epoch: i32,
    pub sync_state_set: SyncStateSet,
}

impl Controller {
    /// 1004: unknown set → 2008 (brokers then re-register, spec §11.6).
    pub fn handle_get_replica_info(
        &self,
        broker_name: &str,
        _now_ms: i64,
    ) -> HandlerResult<GetReplicaInfoResponse> {
        let set = self
            .state
            .get(broker_name)
            .ok_or_else(|| ControllerError::BrokerMetadataNotExist(broker_name.to_owned()))?;
        let resp = GetReplicaInfoResponse {
            master_broker_id: set.sync.master_broker_id,
            master_address: set.master_address().map(str::to_owned),
            master_epoch: set.sync.master_epoch,
            sync_state_set: SyncStateSet {
                sync_state_set: set.sync.sync_state_set.clone(),
                sync_state_set_epoch: set.sync.sync_state_set_epoch,
            },
        };
        Ok((resp, Vec::new()))
    }

    /// 1006: unknown names are skipped. (An empty/absent body is answered
    /// SYSTEM_ERROR by the remoting shell before reaching here.)
    pub fn handle_get_sync_state_data(
        &self,
        broker_names: &[String],
        now_ms: i64,
    ) -> HandlerResult<BrokerReplicasInfo> {
        let mut out = BrokerReplicasInfo::default();
        for name in broker_names {
            let Some(set) = self.state.get(name) else { continue };
            let (mut in_sync, mut not_in_sync) = (Vec::new(), Vec::new());
            for (&id, info) in &set.replicas.broker_ids {
                let replica = ReplicaIdentity {
                    broker_name: name.clone(),
                    broker_id: id,
                    broker_address: info.address.clone(),
                    alive: self.is_alive(set, id, now_ms),
                };
                if set.sync.sync_state_set.contains(&id) {
                    in_sync.push(replica)
                } else {
                    not_in_sync.push(replica)
                }
            }
            let entry = ReplicasInfo {
                master_broker_id: set.sync.master_broker_id,
                master_address: set.master_address().map(str::to_owned),
                master_epoch: set.sync.master_epoch,
                sync_state_set_epoch: set.sync.sync_state_set_epoch,
                in_sync_replicas: in_sync,
                not_in_sync_replicas: not_in_sync,
            };
            out.replicas_info_table.insert(name.clone(), entry);
        }
        Ok((out, Vec::new()))
    }
}
