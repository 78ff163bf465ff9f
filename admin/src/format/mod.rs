//! Formatters: decoded structs in, the text RocketMQ's mqadmin prints out
//! (same columns, same widths, same number formats, so scripts written
//! against the Java tool keep working). Pure functions; time zone and "now"
//! are parameters so the output is testable byte for byte.

mod broker;
mod cluster;
mod consumer;
mod controller;
mod message;
#[cfg(test)]
mod tests;
mod topic;

pub use broker::broker_status;
pub use cluster::{BrokerRuntime, cluster_list, cluster_more_stats, members as cluster_members};
pub use consumer::{GroupSummary, consumer_groups, consumer_progress, version_desc};
pub use controller::{
    broker_epoch, controller_config, controller_config_updated, controller_metadata, elect_master, ha_status,
    sync_state_set,
};
pub use message::message;
pub use topic::{perm_to_string, topic_config, topic_list, topic_list_by_cluster, topic_route, topic_status};

use booster_model::heartbeat::MessageQueue;
use chrono::{FixedOffset, Local, Offset, TimeZone, Utc};

/// How timestamps are rendered: the local zone (like Java) or a fixed
/// offset (tests).
#[derive(Debug, Clone, Copy)]
pub enum TimeFmt {
    Local,
    Fixed(FixedOffset),
}

impl TimeFmt {
    /// UTC, for tests.
    pub fn utc() -> Self {
        TimeFmt::Fixed(Utc.fix())
    }

    /// Java's `timeMillisToHumanString2`: `yyyy-MM-dd HH:mm:ss,SSS`.
    pub fn millis(self, ms: i64) -> String {
        self.render(ms, "%Y-%m-%d %H:%M:%S,%3f")
    }

    /// `yyyy-MM-dd HH:mm:ss`.
    pub fn seconds(self, ms: i64) -> String {
        self.render(ms, "%Y-%m-%d %H:%M:%S")
    }

    fn render(self, ms: i64, pattern: &str) -> String {
        match self {
            TimeFmt::Local => Local.timestamp_millis_opt(ms).single().map(|t| t.format(pattern).to_string()),
            TimeFmt::Fixed(off) => {
                off.timestamp_millis_opt(ms).single().map(|t| t.format(pattern).to_string())
            }
        }
        .unwrap_or_else(|| ms.to_string())
    }
}

/// Java's `UtilAll.frontStringAtLeast`: at most `size` characters.
pub(crate) fn front(s: &str, size: usize) -> &str {
    match s.char_indices().nth(size) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// `MessageQueue.compareTo`: topic, then broker name, then queue id.
pub(crate) fn java_queue_order(a: &MessageQueue, b: &MessageQueue) -> std::cmp::Ordering {
    (&a.topic, &a.broker_name, a.queue_id).cmp(&(&b.topic, &b.broker_name, b.queue_id))
}
