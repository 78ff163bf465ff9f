//! Shapes of the controller protocol (spec/controller.md §2–§5): request and
//! response codes, and the JSON bodies the controller, the broker's replicas
//! manager and mqadmin exchange. Field names are the wire keys; reading is
//! lenient (any key order, bare integer keys, numbers as strings).

pub mod codes;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// All registered replicas of a broker set, controller id → address (§5.2).
pub use crate::route::BrokerMemberGroup;
pub use codes::{RequestCode, ResponseCode};

use crate::lenient::{self, lenient_struct};

/// §5.1: a SyncStateSet of controller ids and the epoch it belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SyncStateSet {
    #[serde(deserialize_with = "lenient::de")]
    pub sync_state_set: BTreeSet<i64>,
    #[serde(deserialize_with = "lenient::de")]
    pub sync_state_set_epoch: i32,
}

/// §5.2: the ELECT_MASTER body. `brokerMemberGroup` only on SUCCESS.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ElectMasterResponseBody {
    #[serde(deserialize_with = "lenient::de", skip_serializing_if = "Option::is_none")]
    pub broker_member_group: Option<BrokerMemberGroup>,
    #[serde(deserialize_with = "lenient::de")]
    pub sync_state_set: BTreeSet<i64>,
}

/// One replica in a [`ReplicasInfo`] partition.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ReplicaIdentity {
    #[serde(deserialize_with = "lenient::de")]
    pub alive: bool,
    #[serde(deserialize_with = "lenient::de")]
    pub broker_address: String,
    #[serde(deserialize_with = "lenient::de")]
    pub broker_id: i64,
    #[serde(deserialize_with = "lenient::de")]
    pub broker_name: String,
}

/// One broker set in [`BrokerReplicasInfo`]: replicas split by membership
/// in the current SyncStateSet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ReplicasInfo {
    #[serde(deserialize_with = "lenient::de")]
    pub in_sync_replicas: Vec<ReplicaIdentity>,
    #[serde(deserialize_with = "lenient::de", skip_serializing_if = "Option::is_none")]
    pub master_address: Option<String>,
    #[serde(deserialize_with = "lenient::de", skip_serializing_if = "Option::is_none")]
    pub master_broker_id: Option<i64>,
    #[serde(deserialize_with = "lenient::de")]
    pub master_epoch: i32,
    #[serde(deserialize_with = "lenient::de")]
    pub not_in_sync_replicas: Vec<ReplicaIdentity>,
    #[serde(deserialize_with = "lenient::de")]
    pub sync_state_set_epoch: i32,
}

/// §5.3: the CONTROLLER_GET_SYNC_STATE_DATA body, by broker name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BrokerReplicasInfo {
    #[serde(deserialize_with = "lenient::de")]
    pub replicas_info_table: BTreeMap<String, ReplicasInfo>,
}

/// One epoch-file entry as JSON (`proto/EpochEntry.java`); the last one's
/// `endOffset` is normally `i64::MAX`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EpochEntry {
    #[serde(deserialize_with = "lenient::de")]
    pub end_offset: i64,
    #[serde(deserialize_with = "lenient::de")]
    pub epoch: i32,
    #[serde(deserialize_with = "lenient::de")]
    pub start_offset: i64,
}

/// §5.4: a broker's GET_BROKER_EPOCH_CACHE answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EpochEntryCache {
    /// The broker's current name-server id (0 while master).
    #[serde(deserialize_with = "lenient::de")]
    pub broker_id: i64,
    #[serde(deserialize_with = "lenient::de")]
    pub broker_name: String,
    #[serde(deserialize_with = "lenient::de")]
    pub cluster_name: String,
    #[serde(deserialize_with = "lenient::de")]
    pub epoch_list: Vec<EpochEntry>,
    #[serde(deserialize_with = "lenient::de")]
    pub max_offset: i64,
}

lenient_struct!(
    SyncStateSet,
    ElectMasterResponseBody,
    ReplicaIdentity,
    ReplicasInfo,
    BrokerReplicasInfo,
    EpochEntry,
    EpochEntryCache
);
