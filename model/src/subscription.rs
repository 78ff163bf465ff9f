//! Shape of `subscriptionGroup.json` (spec/store.md §11.2) and its
//! `SubscriptionGroupConfig` (spec/remoting.md §5.5), with Java's defaults.
//!
//! As in [`types`](crate::types), every field reads leniently and missing
//! fields take the defaults, so an entry as short as `{"groupName":"g"}`
//! loads as a normal consumer group.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use crate::lenient::{self, lenient_struct};
use crate::types::DataVersion;

/// Retry policy kind of a group (`GroupRetryPolicyType.java`; ordinals
/// EXPONENTIAL = 0, CUSTOMIZED = 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum GroupRetryPolicyType {
    Exponential,
    #[default]
    Customized,
}

impl GroupRetryPolicyType {
    const NAMES: &[(&str, GroupRetryPolicyType)] = &[
        ("EXPONENTIAL", GroupRetryPolicyType::Exponential),
        ("CUSTOMIZED", GroupRetryPolicyType::Customized),
    ];
}

impl<'de> Deserialize<'de> for GroupRetryPolicyType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient::enum_by_name(d, Self::NAMES)
    }
}

impl lenient::Lenient for GroupRetryPolicyType {
    fn deserialize_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::deserialize(d)
    }
}

/// `delay = min(max, initial × multiplier^reconsumeTimes)` (milliseconds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExponentialRetryPolicy {
    #[serde(deserialize_with = "lenient::de")]
    pub initial: i64,
    #[serde(deserialize_with = "lenient::de")]
    pub max: i64,
    #[serde(deserialize_with = "lenient::de")]
    pub multiplier: i64,
}

impl Default for ExponentialRetryPolicy {
    fn default() -> Self {
        ExponentialRetryPolicy { initial: 5_000, max: 7_200_000, multiplier: 2 }
    }
}

/// A fixed table of retry delays in milliseconds (the classic delay levels
/// 3..18: 1s 5s 10s 30s 1m … 2h).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CustomizedRetryPolicy {
    #[serde(deserialize_with = "lenient::de")]
    pub next: Vec<i64>,
}

impl Default for CustomizedRetryPolicy {
    fn default() -> Self {
        const S: i64 = 1_000;
        const M: i64 = 60 * S;
        const H: i64 = 60 * M;
        let next = vec![
            S,
            5 * S,
            10 * S,
            30 * S,
            M,
            2 * M,
            3 * M,
            4 * M,
            5 * M,
            6 * M,
            7 * M,
            8 * M,
            9 * M,
            10 * M,
            20 * M,
            30 * M,
            H,
            2 * H,
        ];
        CustomizedRetryPolicy { next }
    }
}

/// `GroupRetryPolicy.java`: written as `{"type":"CUSTOMIZED"}` unless a
/// policy body was configured (absent bodies mean "the default policy").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GroupRetryPolicy {
    #[serde(deserialize_with = "lenient::de", skip_serializing_if = "Option::is_none")]
    pub customized_retry_policy: Option<CustomizedRetryPolicy>,
    #[serde(deserialize_with = "lenient::de", skip_serializing_if = "Option::is_none")]
    pub exponential_retry_policy: Option<ExponentialRetryPolicy>,
    #[serde(rename = "type", deserialize_with = "lenient::de")]
    pub kind: GroupRetryPolicyType,
}

/// One subscription recorded with a group (`SimpleSubscriptionData.java`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SimpleSubscriptionData {
    #[serde(deserialize_with = "lenient::de")]
    pub expression: String,
    #[serde(deserialize_with = "lenient::de")]
    pub expression_type: String,
    #[serde(deserialize_with = "lenient::de")]
    pub topic: String,
    #[serde(deserialize_with = "lenient::de")]
    pub version: i64,
}

/// A consumer group's configuration
/// (`proto/subscription/SubscriptionGroupConfig.java`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SubscriptionGroupConfig {
    #[serde(deserialize_with = "lenient::de")]
    pub attributes: BTreeMap<String, String>,
    #[serde(deserialize_with = "lenient::de")]
    pub broker_id: i64,
    #[serde(deserialize_with = "lenient::de")]
    pub consume_broadcast_enable: bool,
    #[serde(deserialize_with = "lenient::de")]
    pub consume_enable: bool,
    #[serde(deserialize_with = "lenient::de")]
    pub consume_from_min_enable: bool,
    #[serde(deserialize_with = "lenient::de")]
    pub consume_message_orderly: bool,
    /// Only used by push consumers.
    #[serde(deserialize_with = "lenient::de")]
    pub consume_timeout_minute: i32,
    #[serde(deserialize_with = "lenient::de")]
    pub group_name: String,
    #[serde(deserialize_with = "lenient::de")]
    pub group_retry_policy: GroupRetryPolicy,
    #[serde(deserialize_with = "lenient::de")]
    pub group_sys_flag: i32,
    #[serde(deserialize_with = "lenient::de")]
    pub notify_consumer_ids_changed_enable: bool,
    #[serde(deserialize_with = "lenient::de")]
    pub retry_max_times: i32,
    #[serde(deserialize_with = "lenient::de")]
    pub retry_queue_nums: i32,
    /// Absent unless set (Java keeps it `null`).
    #[serde(deserialize_with = "lenient::de", skip_serializing_if = "Option::is_none")]
    pub subscription_data_set: Option<Vec<SimpleSubscriptionData>>,
    #[serde(deserialize_with = "lenient::de")]
    pub which_broker_when_consume_slowly: i64,
}

impl SubscriptionGroupConfig {
    /// A group with Java's defaults.
    pub fn new(group_name: impl Into<String>) -> Self {
        SubscriptionGroupConfig { group_name: group_name.into(), ..Self::default() }
    }
}

impl Default for SubscriptionGroupConfig {
    fn default() -> Self {
        SubscriptionGroupConfig {
            attributes: BTreeMap::new(),
            broker_id: 0,
            consume_broadcast_enable: true,
            consume_enable: true,
            consume_from_min_enable: true,
            consume_message_orderly: false,
            consume_timeout_minute: 15,
            group_name: String::new(),
            group_retry_policy: GroupRetryPolicy::default(),
            group_sys_flag: 0,
            notify_consumer_ids_changed_enable: true,
            retry_max_times: 16,
            retry_queue_nums: 1,
            subscription_data_set: None,
            which_broker_when_consume_slowly: 1,
        }
    }
}

/// `subscriptionGroup.json`: group configs plus `forbiddenTable`
/// (group → topic → forbidden-perm bits).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SubscriptionGroupWrapper {
    #[serde(deserialize_with = "lenient::de")]
    pub data_version: DataVersion,
    #[serde(deserialize_with = "lenient::de")]
    pub forbidden_table: BTreeMap<String, BTreeMap<String, i32>>,
    #[serde(deserialize_with = "lenient::de")]
    pub subscription_group_table: BTreeMap<String, SubscriptionGroupConfig>,
}

lenient_struct!(
    ExponentialRetryPolicy,
    CustomizedRetryPolicy,
    GroupRetryPolicy,
    SimpleSubscriptionData,
    SubscriptionGroupConfig,
    SubscriptionGroupWrapper,
);
