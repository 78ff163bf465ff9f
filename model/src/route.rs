//! Route and cluster shapes the name server serves (spec/remoting.md §5.3,
//! §5.4, §5.6), with RocketMQ's exact property names.
//!
//! Reading is lenient like everything in this crate (numbers as strings,
//! nulls, missing fields, quoted or bare integer keys). Writing has two
//! forms, because RocketMQ has two:
//! * the legacy fastjson dialect ([`crate::to_rocketmq_json`]): integer map
//!   keys bare, `{0:"10.0.0.1:10911"}` — every body except the one below;
//! * standard JSON ([`crate::to_standard_json`]) for GET_ROUTEINFO_BY_TOPIC
//!   answers to requesters with version ≥ 401 (V4_9_4) or
//!   `acceptStandardJsonOnly=true`: keys quoted, maps sorted, non-ASCII
//!   escaped. See [`TopicRouteData::encode`].
//!
//! Static-topic data (`topicQueueMappingDetailMap`) is carried through as
//! raw JSON: the name server stores and forwards it but never interprets it.

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

use crate::lenient::{self, lenient_struct};
use crate::types::{DataVersion, TopicConfig, TopicConfigSerializeWrapper};

/// The remoting version from which GET_ROUTEINFO_BY_TOPIC answers in
/// standard JSON (`MQVersion.Version.V4_9_4.ordinal()`).
pub const STANDARD_JSON_MIN_VERSION: i32 = 401;

/// `MixAll.MASTER_ID`: the broker id of a group's master.
pub const MASTER_ID: i64 = 0;

/// Parses a JSON body in either dialect. Invalid UTF-8 is replaced (as
/// Java's `new String(bytes, UTF_8)` does) rather than refused, so the JSON
/// parser reports the real problem, if any.
pub fn decode_body<T: DeserializeOwned>(body: &[u8]) -> serde_json::Result<T> {
    crate::from_rocketmq_json(&String::from_utf8_lossy(body))
}

/// One broker group's queues for one topic (`route/QueueData.java`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct QueueData {
    #[serde(deserialize_with = "lenient::de")]
    pub broker_name: String,
    #[serde(deserialize_with = "lenient::de")]
    pub perm: i32,
    #[serde(deserialize_with = "lenient::de")]
    pub read_queue_nums: i32,
    #[serde(deserialize_with = "lenient::de")]
    pub topic_sys_flag: i32,
    #[serde(deserialize_with = "lenient::de")]
    pub write_queue_nums: i32,
}

impl QueueData {
    /// The queue data a broker's topic config announces.
    pub fn from_topic_config(broker_name: &str, tc: &TopicConfig) -> Self {
        QueueData {
            broker_name: broker_name.to_owned(),
            perm: tc.perm,
            read_queue_nums: tc.read_queue_nums,
            topic_sys_flag: tc.topic_sys_flag,
            write_queue_nums: tc.write_queue_nums,
        }
    }
}

/// One broker group: name, cluster and the address of every member by
/// broker id (0 = master) (`route/BrokerData.java`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BrokerData {
    /// brokerId → `ip:port`; a map with **long** keys, so the legacy form
    /// writes them bare.
    #[serde(deserialize_with = "lenient::de")]
    pub broker_addrs: BTreeMap<i64, String>,
    #[serde(deserialize_with = "lenient::de")]
    pub broker_name: String,
    #[serde(deserialize_with = "lenient::de")]
    pub cluster: String,
    #[serde(deserialize_with = "lenient::de")]
    pub enable_acting_master: bool,
    /// Absent unless the broker registered with `__ZONE_NAME`.
    #[serde(deserialize_with = "lenient::de", skip_serializing_if = "Option::is_none")]
    pub zone_name: Option<String>,
}

impl BrokerData {
    pub fn new(cluster: impl Into<String>, broker_name: impl Into<String>) -> Self {
        BrokerData { cluster: cluster.into(), broker_name: broker_name.into(), ..Self::default() }
    }

    /// The master's address, else the lowest-id member's (a deterministic
    /// stand-in for Java's random pick in `selectBrokerAddr`).
    pub fn select_broker_addr(&self) -> Option<&str> {
        self.broker_addrs.get(&MASTER_ID).or_else(|| self.broker_addrs.values().next()).map(String::as_str)
    }
}

/// A static topic's logical-to-physical queue mapping on one broker
/// (`statictopic/TopicQueueMappingInfo.java`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TopicQueueMappingInfo {
    #[serde(deserialize_with = "lenient::de")]
    pub bname: String,
    /// logical queue id → physical queue id (integer keys: bare in legacy).
    #[serde(deserialize_with = "lenient::de")]
    pub curr_id_map: BTreeMap<i32, i32>,
    #[serde(deserialize_with = "lenient::de")]
    pub dirty: bool,
    #[serde(deserialize_with = "lenient::de")]
    pub epoch: i64,
    #[serde(deserialize_with = "lenient::de")]
    pub scope: String,
    #[serde(deserialize_with = "lenient::de")]
    pub topic: String,
    #[serde(deserialize_with = "lenient::de")]
    pub total_queues: i32,
}

impl Default for TopicQueueMappingInfo {
    fn default() -> Self {
        TopicQueueMappingInfo {
            bname: String::new(),
            curr_id_map: BTreeMap::new(),
            dirty: false,
            epoch: 0,
            scope: "__global__".to_owned(),
            topic: String::new(),
            total_queues: 0,
        }
    }
}

/// The answer to GET_ROUTEINFO_BY_TOPIC (`route/TopicRouteData.java`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TopicRouteData {
    #[serde(deserialize_with = "lenient::de")]
    pub broker_datas: Vec<BrokerData>,
    /// brokerAddr → filter server addresses; normally `{}`.
    #[serde(deserialize_with = "lenient::de")]
    pub filter_server_table: BTreeMap<String, Vec<String>>,
    /// Only when the name server has `orderMessageEnable` and a KV entry.
    #[serde(deserialize_with = "lenient::de", skip_serializing_if = "Option::is_none")]
    pub order_topic_conf: Option<String>,
    #[serde(deserialize_with = "lenient::de")]
    pub queue_datas: Vec<QueueData>,
    /// Static topics only; absent otherwise.
    #[serde(deserialize_with = "lenient::de", skip_serializing_if = "Option::is_none")]
    pub topic_queue_mapping_by_broker: Option<BTreeMap<String, TopicQueueMappingInfo>>,
}

impl TopicRouteData {
    /// Whether a requester gets standard JSON (spec §5.1 rule 5).
    pub fn wants_standard_json(request_version: i32, accept_standard_json_only: bool) -> bool {
        request_version >= STANDARD_JSON_MIN_VERSION || accept_standard_json_only
    }

    /// The wire body: standard JSON when `standard`, else the legacy form.
    pub fn encode(&self, standard: bool) -> Vec<u8> {
        if standard { crate::to_standard_json(self) } else { crate::to_rocketmq_json(self, false) }
            .into_bytes()
    }
}

/// The answer to GET_BROKER_CLUSTER_INFO, always in the legacy form
/// (`body/ClusterInfo.java`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ClusterInfo {
    /// brokerName → group.
    #[serde(deserialize_with = "lenient::de")]
    pub broker_addr_table: BTreeMap<String, BrokerData>,
    /// clusterName → brokerNames.
    #[serde(deserialize_with = "string_set_map")]
    pub cluster_addr_table: BTreeMap<String, BTreeSet<String>>,
}

/// `TopicConfigAndMappingSerializeWrapper`: a broker's topic table plus its
/// static-topic mappings, as carried by REGISTER_BROKER.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TopicConfigAndMappingSerializeWrapper {
    #[serde(deserialize_with = "lenient::de")]
    pub data_version: DataVersion,
    #[serde(deserialize_with = "lenient::de")]
    pub mapping_data_version: DataVersion,
    #[serde(deserialize_with = "lenient::de")]
    pub topic_config_table: BTreeMap<String, TopicConfig>,
    /// topic → `TopicQueueMappingDetail`, kept as raw JSON (passthrough).
    #[serde(deserialize_with = "value_map")]
    pub topic_queue_mapping_detail_map: BTreeMap<String, serde_json::Value>,
    #[serde(deserialize_with = "lenient::de")]
    pub topic_queue_mapping_info_map: BTreeMap<String, TopicQueueMappingInfo>,
}

impl From<TopicConfigSerializeWrapper> for TopicConfigAndMappingSerializeWrapper {
    fn from(w: TopicConfigSerializeWrapper) -> Self {
        TopicConfigAndMappingSerializeWrapper {
            data_version: w.data_version,
            topic_config_table: w.topic_config_table,
            ..Self::default()
        }
    }
}

/// The body of REGISTER_BROKER from brokers ≥ V3_0_11
/// (`body/RegisterBrokerBody.java`). The compressed variant is decoded by
/// the name server crate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RegisterBrokerBody {
    #[serde(deserialize_with = "lenient::de")]
    pub filter_server_list: Vec<String>,
    #[serde(deserialize_with = "lenient::de")]
    pub topic_config_serialize_wrapper: TopicConfigAndMappingSerializeWrapper,
}

/// What the name server tells a registering broker
/// (`namesrv/RegisterBrokerResult.java`): the live master's addresses (for
/// slaves) and the order-topic KV namespace. Travels as response header
/// fields plus an optional [`KvTable`] body, never as JSON itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegisterBrokerResult {
    pub ha_server_addr: Option<String>,
    pub master_addr: Option<String>,
    pub kv_table: Option<KvTable>,
}

/// `{"table":{…}}` (`body/KVTable.java`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct KvTable {
    #[serde(deserialize_with = "lenient::de")]
    pub table: BTreeMap<String, String>,
}

/// `{"topicList":[…]}` with an optional `brokerAddr` (`body/TopicList.java`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TopicList {
    #[serde(deserialize_with = "lenient::de", skip_serializing_if = "Option::is_none")]
    pub broker_addr: Option<String>,
    #[serde(deserialize_with = "string_set")]
    pub topic_list: BTreeSet<String>,
}

/// One broker group's members (`body/BrokerMemberGroup.java`), the body of
/// GET_BROKER_MEMBER_GROUP inside `{"brokerMemberGroup":…}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BrokerMemberGroup {
    #[serde(deserialize_with = "lenient::de")]
    pub broker_addrs: BTreeMap<i64, String>,
    #[serde(deserialize_with = "lenient::de")]
    pub broker_name: String,
    #[serde(deserialize_with = "lenient::de")]
    pub cluster: String,
}

/// `GetBrokerMemberGroupResponseBody`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GetBrokerMemberGroupResponseBody {
    #[serde(deserialize_with = "lenient::de")]
    pub broker_member_group: BrokerMemberGroup,
}

lenient_struct!(
    QueueData,
    BrokerData,
    TopicQueueMappingInfo,
    TopicRouteData,
    ClusterInfo,
    TopicConfigAndMappingSerializeWrapper,
    RegisterBrokerBody,
    KvTable,
    TopicList,
    BrokerMemberGroup,
    GetBrokerMemberGroupResponseBody,
);

/// A Java `Set<String>` (written as an array); `null` is empty. Kept local
/// rather than a generic `Lenient` impl for sets, which other shapes may
/// want to define differently.
fn string_set<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeSet<String>, D::Error> {
    let list: Vec<String> = lenient::de(d)?;
    Ok(list.into_iter().collect())
}

/// `Map<String, Set<String>>`; `null` maps and `null` sets are empty.
fn string_set_map<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, BTreeSet<String>>, D::Error> {
    let map: BTreeMap<String, Vec<String>> = lenient::de(d)?;
    Ok(map.into_iter().map(|(k, v)| (k, v.into_iter().collect())).collect())
}

/// An object of raw JSON values; `null` is empty.
fn value_map<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, serde_json::Value>, D::Error> {
    Ok(Option::<BTreeMap<String, serde_json::Value>>::deserialize(d)?.unwrap_or_default())
}
