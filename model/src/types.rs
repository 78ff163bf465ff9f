//! Shapes of `topics.json`, `consumerOffset.json` and `delayOffset.json`
//! (spec/store.md §11.2) with RocketMQ's exact property names.
//!
//! Every struct has `#[serde(default)]` and every field reads through
//! [`lenient`](crate::lenient): files from other brokers, older versions or
//! an operator's editor load as long as they mean something sensible.
//! Unknown properties are ignored (fastjson does the same).

#[cfg(test)]
mod tests;

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::lenient::{self, lenient_struct};

/// Version stamp of a metadata table (`proto/DataVersion.java`).
///
/// Ordered like Java's `DataVersion.compare`: by `stateVersion`, then
/// `counter`, then `timestamp`. `Default` has timestamp 0 (Java uses "now";
/// callers that create a fresh table should use [`DataVersion::new`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DataVersion {
    #[serde(deserialize_with = "lenient::de")]
    pub counter: i64,
    #[serde(deserialize_with = "lenient::de")]
    pub state_version: i64,
    #[serde(deserialize_with = "lenient::de")]
    pub timestamp: i64,
}

impl DataVersion {
    /// A fresh version (counter 0, state 0) stamped `now_ms`.
    pub fn new(now_ms: i64) -> Self {
        DataVersion { counter: 0, state_version: 0, timestamp: now_ms }
    }

    /// Marks a change: counter + 1, timestamp = `now_ms`. Like Java's
    /// `nextVersion()`, this resets `stateVersion` to 0.
    pub fn next_version(&mut self, now_ms: i64) {
        self.next_version_with_state(0, now_ms);
    }

    /// Java's `nextVersion(long stateVersion)` (controller mode).
    pub fn next_version_with_state(&mut self, state_version: i64, now_ms: i64) {
        self.timestamp = now_ms;
        self.state_version = state_version;
        self.counter = self.counter.wrapping_add(1);
    }
}

impl Ord for DataVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.state_version, self.counter, self.timestamp).cmp(&(
            other.state_version,
            other.counter,
            other.timestamp,
        ))
    }
}

impl PartialOrd for DataVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// `TopicFilterType` (`SINGLE_TAG` / `MULTI_TAG`); read by name or ordinal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TopicFilterType {
    #[default]
    SingleTag,
    MultiTag,
}

impl TopicFilterType {
    const NAMES: &[(&str, TopicFilterType)] =
        &[("SINGLE_TAG", TopicFilterType::SingleTag), ("MULTI_TAG", TopicFilterType::MultiTag)];
}

impl<'de> Deserialize<'de> for TopicFilterType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient::enum_by_name(d, Self::NAMES)
    }
}

/// One topic's configuration (`common/TopicConfig.java`). Defaults are
/// Java's: 16 read / 16 write queues, perm 6 (read|write), `SINGLE_TAG`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TopicConfig {
    #[serde(deserialize_with = "lenient::de")]
    pub attributes: BTreeMap<String, String>,
    #[serde(deserialize_with = "lenient::de")]
    pub order: bool,
    #[serde(deserialize_with = "lenient::de")]
    pub perm: i32,
    #[serde(deserialize_with = "lenient::de")]
    pub read_queue_nums: i32,
    #[serde(deserialize_with = "lenient::de")]
    pub topic_filter_type: TopicFilterType,
    #[serde(deserialize_with = "lenient::de")]
    pub topic_name: String,
    #[serde(deserialize_with = "lenient::de")]
    pub topic_sys_flag: i32,
    #[serde(deserialize_with = "lenient::de")]
    pub write_queue_nums: i32,
}

impl TopicConfig {
    pub const DEFAULT_QUEUE_NUMS: i32 = 16;
    /// `PermName.PERM_READ | PermName.PERM_WRITE`.
    pub const DEFAULT_PERM: i32 = 6;

    /// A topic with Java's defaults.
    pub fn new(topic_name: impl Into<String>) -> Self {
        TopicConfig { topic_name: topic_name.into(), ..Self::default() }
    }
}

impl Default for TopicConfig {
    fn default() -> Self {
        TopicConfig {
            attributes: BTreeMap::new(),
            order: false,
            perm: Self::DEFAULT_PERM,
            read_queue_nums: Self::DEFAULT_QUEUE_NUMS,
            topic_filter_type: TopicFilterType::SingleTag,
            topic_name: String::new(),
            topic_sys_flag: 0,
            write_queue_nums: Self::DEFAULT_QUEUE_NUMS,
        }
    }
}

/// `topics.json`: topic name → config.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TopicConfigSerializeWrapper {
    #[serde(deserialize_with = "lenient::de")]
    pub data_version: DataVersion,
    #[serde(deserialize_with = "lenient::de")]
    pub topic_config_table: BTreeMap<String, TopicConfig>,
}

/// `consumerOffset.json`: `"topic@group"` → queue id → next offset to
/// consume.
///
/// Written with the derived `groupTopicMap` (group → topics, from keys with
/// exactly one `@`, as Java's `getGroupTopicMap` does, so broadcast keys
/// `topic@group@broadcast` are left out); `groupTopicMap` is ignored when
/// loading since `offsetTable` is the source of truth.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConsumerOffsetWrapper {
    #[serde(deserialize_with = "lenient::de")]
    pub data_version: DataVersion,
    #[serde(deserialize_with = "lenient::de")]
    pub offset_table: BTreeMap<String, BTreeMap<i32, i64>>,
}

impl ConsumerOffsetWrapper {
    /// Separator in `offsetTable` keys.
    pub const TOPIC_GROUP_SEPARATOR: char = '@';

    /// The `offsetTable` key for `topic` consumed by `group`.
    pub fn key(topic: &str, group: &str) -> String {
        format!("{topic}{}{group}", Self::TOPIC_GROUP_SEPARATOR)
    }

    /// Splits a `topic@group` key; `None` unless it has exactly one `@` and
    /// a non-empty group (Java's `split("@").length == 2`).
    pub fn split_key(key: &str) -> Option<(&str, &str)> {
        let (topic, group) = key.split_once(Self::TOPIC_GROUP_SEPARATOR)?;
        (!group.is_empty() && !group.contains(Self::TOPIC_GROUP_SEPARATOR)).then_some((topic, group))
    }

    /// group → topics it has offsets for (the derived `groupTopicMap`).
    pub fn group_topic_map(&self) -> BTreeMap<String, BTreeSet<String>> {
        let mut map: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (topic, group) in self.offset_table.keys().filter_map(|k| Self::split_key(k)) {
            map.entry(group.to_owned()).or_default().insert(topic.to_owned());
        }
        map
    }
}

impl Serialize for ConsumerOffsetWrapper {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("ConsumerOffsetWrapper", 3)?;
        st.serialize_field("dataVersion", &self.data_version)?;
        st.serialize_field("groupTopicMap", &self.group_topic_map())?;
        st.serialize_field("offsetTable", &self.offset_table)?;
        st.end()
    }
}

/// `delayOffset.json`: delay level → next offset to deliver in
/// `SCHEDULE_TOPIC_XXXX` queue `level − 1`. Old files have no `dataVersion`;
/// it stays absent on write when it was absent on read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DelayOffsetWrapper {
    #[serde(deserialize_with = "lenient::de", skip_serializing_if = "Option::is_none")]
    pub data_version: Option<DataVersion>,
    #[serde(deserialize_with = "lenient::de")]
    pub offset_table: BTreeMap<i32, i64>,
}

lenient_struct!(
    DataVersion,
    TopicConfig,
    TopicConfigSerializeWrapper,
    ConsumerOffsetWrapper,
    DelayOffsetWrapper,
);

impl lenient::Lenient for TopicFilterType {
    fn deserialize_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::deserialize(d)
    }
}
