//! Built-in topics and groups (spec/remoting.md §6.2) and the seed tables
//! the managers start from before loading their files (store.md §11.2).

use booster_conf::BrokerConfig;
use booster_model::{SubscriptionGroupConfig, TopicConfig};

use super::perm;

pub const AUTO_CREATE_TOPIC: &str = "TBW102";
pub const SCHEDULE_TOPIC: &str = "SCHEDULE_TOPIC_XXXX";
pub const TRANS_HALF_TOPIC: &str = "RMQ_SYS_TRANS_HALF_TOPIC";
pub const TRANS_OP_HALF_TOPIC: &str = "RMQ_SYS_TRANS_OP_HALF_TOPIC";
pub const TRANS_CHECK_MAX_TIME_TOPIC: &str = "TRANS_CHECK_MAX_TIME_TOPIC";
pub const SELF_TEST_TOPIC: &str = "SELF_TEST_TOPIC";
pub const BENCHMARK_TOPIC: &str = "BenchmarkTest";
pub const OFFSET_MOVED_EVENT: &str = "OFFSET_MOVED_EVENT";
pub const TIMER_TOPIC: &str = "rmq_sys_wheel_timer";
pub const SYSTEM_TOPIC_PREFIX: &str = "rmq_sys_";
/// Delay levels of the default `messageDelayLevel`: one queue each.
pub const SCHEDULE_QUEUE_NUMS: i32 = 18;

/// Fixed names that count as system topics.
pub const FIXED_SYSTEM_TOPICS: &[&str] = &[
    AUTO_CREATE_TOPIC,
    SCHEDULE_TOPIC,
    TRANS_HALF_TOPIC,
    TRANS_OP_HALF_TOPIC,
    TRANS_CHECK_MAX_TIME_TOPIC,
    SELF_TEST_TOPIC,
    BENCHMARK_TOPIC,
    OFFSET_MOVED_EVENT,
    "RMQ_SYS_TRACE_TOPIC",
    "CHECKPOINT_TOPIC",
];

/// Groups every broker knows from the start.
pub const BUILT_IN_GROUPS: &[&str] = &[
    "TOOLS_CONSUMER",
    "FILTERSRV_CONSUMER",
    "SELF_TEST_C_GROUP",
    "CID_ONS-HTTP-PROXY",
    "CID_ONSAPI_PULL",
    "CID_ONSAPI_PERMISSION",
    "CID_ONSAPI_OWNER",
    "CID_RMQ_SYS_TRANS",
    "DEFAULT_PRODUCER",
    "DEFAULT_CONSUMER",
    "CLIENT_INNER_PRODUCER",
    "SCHEDULE_CONSUMER",
];

fn topic(name: impl Into<String>, queues: i32, perm: i32) -> TopicConfig {
    TopicConfig { read_queue_nums: queues, write_queue_nums: queues, perm, ..TopicConfig::new(name) }
}

/// The topics a broker creates at startup, as `TopicConfigManager`'s
/// constructor does in RocketMQ 5.
pub fn seed_topics(c: &BrokerConfig) -> Vec<TopicConfig> {
    let rw = perm::READ | perm::WRITE;
    let cluster_perm = perm::INHERIT | if c.cluster_topic_enable { rw } else { 0 };
    let broker_perm = perm::INHERIT | if c.broker_topic_enable { rw } else { 0 };
    let mut out = vec![topic(SELF_TEST_TOPIC, 1, rw)];
    if c.auto_create_topic_enable {
        out.push(topic(AUTO_CREATE_TOPIC, c.default_topic_queue_nums as i32, rw | perm::INHERIT));
    }
    out.extend([
        topic(BENCHMARK_TOPIC, 1024, rw),
        topic(&c.broker_cluster_name, TopicConfig::DEFAULT_QUEUE_NUMS, cluster_perm),
        topic(&c.broker_name, 1, broker_perm),
        topic(OFFSET_MOVED_EVENT, 1, rw),
        topic(SCHEDULE_TOPIC, SCHEDULE_QUEUE_NUMS, rw),
        topic(format!("{}_REPLY_TOPIC", c.broker_cluster_name), 1, rw),
        topic(format!("rmq_sys_REVIVE_LOG_{}", c.broker_cluster_name), c.revive_queue_num as i32, rw),
        topic(format!("rmq_sys_SYNC_BROKER_MEMBER_{}", c.broker_name), 1, perm::INHERIT),
        topic(TRANS_HALF_TOPIC, 1, rw),
        topic(TRANS_OP_HALF_TOPIC, 1, rw),
        topic(TIMER_TOPIC, 1, rw),
    ]);
    if c.trace_topic_enable {
        out.push(topic(&c.msg_trace_topic_name, 1, rw));
    }
    out
}

/// The built-in consumer groups.
pub fn seed_groups() -> Vec<SubscriptionGroupConfig> {
    BUILT_IN_GROUPS
        .iter()
        .filter(|g| !matches!(**g, "DEFAULT_PRODUCER" | "CLIENT_INNER_PRODUCER"))
        .map(|g| SubscriptionGroupConfig::new(*g))
        .collect()
}
