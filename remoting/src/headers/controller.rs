//! Headers of the controller protocol (spec/controller.md §4), one struct
//! per Java class in `protocol/header/controller/` (plus the broker-served
//! NOTIFY_BROKER_ROLE_CHANGED).
//! `String`/`i64`/`i32`/`bool` fields are required when decoding; Java's
//! primitives with defaults and `@CFNullable` fields are `Option`, and the
//! `*_or_default` helpers give Java's default.

use crate::command_header;

/// BROKER_HEARTBEAT (904) is shared with the name server; absent `brokerId`
/// is CONTROLLER_INVALID_REQUEST (2005) on a controller.
pub use super::namesrv::BrokerHeartbeatRequestHeader;

command_header! {
    /// CONTROLLER_ALTER_SYNC_STATE_SET (1001); body: the proposed SyncStateSet.
    pub struct AlterSyncStateSetRequestHeader {
        "brokerName" => broker_name: String,
        "masterBrokerId" => master_broker_id: i64,
        "masterEpoch" => master_epoch: i32,
        "invokeTime" => invoke_time: Option<i64>,
    }
}

command_header! {
    /// CONTROLLER_ALTER_SYNC_STATE_SET response.
    pub struct AlterSyncStateSetResponseHeader {
        "newSyncStateSetEpoch" => new_sync_state_set_epoch: i32,
    }
}

command_header! {
    /// CONTROLLER_ELECT_MASTER (1002). Brokers send their own id, admins a
    /// designated id with `designateElect=true`, the controller `-1`.
    pub struct ElectMasterRequestHeader {
        "clusterName" => cluster_name: Option<String>,
        "brokerName" => broker_name: String,
        "brokerId" => broker_id: Option<i64>,
        "designateElect" => designate_elect: Option<bool>,
        "invokeTime" => invoke_time: Option<i64>,
    }
}

command_header! {
    /// CONTROLLER_ELECT_MASTER response (also filled for 2011).
    pub struct ElectMasterResponseHeader {
        "masterBrokerId" => master_broker_id: Option<i64>,
        "masterAddress" => master_address: Option<String>,
        "masterEpoch" => master_epoch: Option<i32>,
        "syncStateSetEpoch" => sync_state_set_epoch: Option<i32>,
    }
}

command_header! {
    /// CONTROLLER_REGISTER_BROKER (1003).
    pub struct RegisterBrokerToControllerRequestHeader {
        "clusterName" => cluster_name: String,
        "brokerName" => broker_name: String,
        "brokerId" => broker_id: i64,
        "brokerAddress" => broker_address: String,
        "invokeTime" => invoke_time: Option<i64>,
    }
}

command_header! {
    /// CONTROLLER_REGISTER_BROKER response; the master fields only when a
    /// live master exists. Body: the current SyncStateSet.
    pub struct RegisterBrokerToControllerResponseHeader {
        "clusterName" => cluster_name: Option<String>,
        "brokerName" => broker_name: Option<String>,
        "masterBrokerId" => master_broker_id: Option<i64>,
        "masterAddress" => master_address: Option<String>,
        "masterEpoch" => master_epoch: Option<i32>,
        "syncStateSetEpoch" => sync_state_set_epoch: Option<i32>,
    }
}

command_header! {
    /// CONTROLLER_GET_REPLICA_INFO (1004).
    pub struct GetReplicaInfoRequestHeader {
        "brokerName" => broker_name: String,
    }
}

command_header! {
    /// CONTROLLER_GET_REPLICA_INFO response. Body: the SyncStateSet.
    pub struct GetReplicaInfoResponseHeader {
        "masterBrokerId" => master_broker_id: Option<i64>,
        "masterAddress" => master_address: Option<String>,
        "masterEpoch" => master_epoch: Option<i32>,
    }
}

command_header! {
    /// CONTROLLER_GET_METADATA_INFO (1005) response (no request header).
    pub struct GetMetaDataResponseHeader {
        "group" => group: Option<String>,
        "controllerLeaderId" => controller_leader_id: Option<String>,
        "controllerLeaderAddress" => controller_leader_address: Option<String>,
        "isLeader" => is_leader: Option<bool>,
        "peers" => peers: Option<String>,
    }
}

command_header! {
    /// NOTIFY_BROKER_ROLE_CHANGED (1008), served by brokers. Body: the new
    /// SyncStateSet.
    pub struct NotifyBrokerRoleChangedRequestHeader {
        "masterAddress" => master_address: Option<String>,
        "masterEpoch" => master_epoch: Option<i32>,
        "syncStateSetEpoch" => sync_state_set_epoch: Option<i32>,
        "masterBrokerId" => master_broker_id: Option<i64>,
    }
}

command_header! {
    /// CLEAN_BROKER_DATA (1011).
    pub struct CleanControllerBrokerDataRequestHeader {
        "clusterName" => cluster_name: Option<String>,
        "brokerName" => broker_name: String,
        /// Controller ids separated by `;`.
        "brokerControllerIdsToClean" => broker_controller_ids_to_clean: Option<String>,
        "isCleanLivingBroker" => is_clean_living_broker: Option<bool>,
        "invokeTime" => invoke_time: Option<i64>,
    }
}

command_header! {
    /// CONTROLLER_GET_NEXT_BROKER_ID (1012).
    pub struct GetNextBrokerIdRequestHeader {
        "clusterName" => cluster_name: String,
        "brokerName" => broker_name: String,
    }
}

command_header! {
    /// CONTROLLER_GET_NEXT_BROKER_ID response.
    pub struct GetNextBrokerIdResponseHeader {
        "clusterName" => cluster_name: Option<String>,
        "brokerName" => broker_name: Option<String>,
        "nextBrokerId" => next_broker_id: Option<i64>,
    }
}

command_header! {
    /// CONTROLLER_APPLY_BROKER_ID (1013). The check code is
    /// `<brokerAddress>;<epochMillis>`.
    pub struct ApplyBrokerIdRequestHeader {
        "clusterName" => cluster_name: String,
        "brokerName" => broker_name: String,
        "appliedBrokerId" => applied_broker_id: i64,
        "registerCheckCode" => register_check_code: String,
    }
}

command_header! {
    /// CONTROLLER_APPLY_BROKER_ID response.
    pub struct ApplyBrokerIdResponseHeader {
        "clusterName" => cluster_name: Option<String>,
        "brokerName" => broker_name: Option<String>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::CommandHeader;

    #[test]
    fn metadata_header_uses_the_spec_keys() {
        let h = GetMetaDataResponseHeader {
            group: Some("group1".into()),
            controller_leader_id: Some("n0".into()),
            controller_leader_address: Some("127.0.0.1:9877".into()),
            is_leader: Some(true),
            peers: Some("n0:127.0.0.1:9877;".into()),
        };
        let fields = h.encode();
        assert_eq!(fields["isLeader"], "true");
        assert_eq!(fields["controllerLeaderAddress"], "127.0.0.1:9877");
        assert_eq!(GetMetaDataResponseHeader::decode(&fields).unwrap(), h);
    }

    #[test]
    fn heartbeat_without_broker_id_still_decodes() {
        let fields = [("clusterName", "c"), ("brokerAddr", "a:1"), ("brokerName", "b"), ("epoch", "x")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let h = BrokerHeartbeatRequestHeader::decode(&fields).unwrap();
        assert_eq!((h.broker_id, h.epoch), (None, None));
    }
}
