//! Admin statistics bodies (Java package `remoting/protocol/admin`):
//! GET_TOPIC_STATS_INFO (202) answers a [`TopicStatsTable`],
//! GET_CONSUME_STATS (208) a [`ConsumeStats`].
//!
//! Both are maps keyed by [`MessageQueue`], which fastjson writes with the
//! queue object in key position (`{{"brokerName":"b","queueId":0,"topic":"t"}:{…}}`);
//! [`crate::to_rocketmq_json`] writes that form, [`crate::to_standard_json`]
//! the quoted-key form, and both read back through
//! [`crate::json::object_key_map`].

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde::de::{self, Unexpected, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::heartbeat::MessageQueue;
use crate::json::object_key_map;
use crate::lenient::{self, lenient_struct};

/// One queue's offsets (`TopicOffset.java`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TopicOffset {
    /// Store time of the newest message, ms (0 = none).
    #[serde(deserialize_with = "lenient::de")]
    pub last_update_timestamp: i64,
    /// Next offset to be written.
    #[serde(deserialize_with = "lenient::de")]
    pub max_offset: i64,
    #[serde(deserialize_with = "lenient::de")]
    pub min_offset: i64,
}

/// GET_TOPIC_STATS_INFO body (`TopicStatsTable.java`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TopicStatsTable {
    #[serde(deserialize_with = "object_key_map")]
    pub offset_table: BTreeMap<MessageQueue, TopicOffset>,
}

/// One queue's consume progress for a group (`OffsetWrapper.java`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OffsetWrapper {
    /// The queue's max offset on the broker.
    #[serde(deserialize_with = "lenient::de")]
    pub broker_offset: i64,
    /// The group's committed offset (next to consume).
    #[serde(deserialize_with = "lenient::de")]
    pub consumer_offset: i64,
    /// Where the group's pulls have reached (≥ consumer offset).
    #[serde(deserialize_with = "lenient::de")]
    pub pull_offset: i64,
    /// Store time of the last consumed message, ms (0 = unknown).
    #[serde(deserialize_with = "lenient::de")]
    pub last_timestamp: i64,
}

impl OffsetWrapper {
    /// Messages not yet consumed (`brokerOffset - consumerOffset`).
    pub fn diff(&self) -> i64 {
        self.broker_offset - self.consumer_offset
    }

    /// Messages pulled but not yet committed (`pullOffset - consumerOffset`).
    pub fn inflight(&self) -> i64 {
        self.pull_offset - self.consumer_offset
    }
}

/// GET_CONSUME_STATS body (`ConsumeStats.java`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConsumeStats {
    #[serde(deserialize_with = "lenient_f64")]
    pub consume_tps: f64,
    #[serde(deserialize_with = "object_key_map")]
    pub offset_table: BTreeMap<MessageQueue, OffsetWrapper>,
}

impl ConsumeStats {
    /// Java's `computeTotalDiff()`.
    pub fn total_diff(&self) -> i64 {
        self.offset_table.values().map(OffsetWrapper::diff).sum()
    }

    /// Merges another broker's answer (what `examineConsumeStats` does).
    pub fn merge(&mut self, other: ConsumeStats) {
        self.offset_table.extend(other.offset_table);
        self.consume_tps += other.consume_tps;
    }
}

lenient_struct!(TopicOffset, TopicStatsTable, OffsetWrapper, ConsumeStats);

/// A Java `double`: a number, a numeric string, or `null`/`""` (0).
fn lenient_f64<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    struct F64Visitor;
    impl<'de> Visitor<'de> for F64Visitor {
        type Value = f64;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a number (or a string holding one)")
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
            Ok(v as f64)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
            Ok(v as f64)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
            let s = v.trim();
            if s.is_empty() {
                return Ok(0.0);
            }
            s.parse().map_err(|_| E::invalid_value(Unexpected::Str(v), &self))
        }
        fn visit_unit<E: de::Error>(self) -> Result<f64, E> {
            Ok(0.0)
        }
    }
    d.deserialize_any(F64Visitor)
}
