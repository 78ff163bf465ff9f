//! topicList, topicRoute, updateTopic's echo and topicStatus.

use booster_model::{TopicList, TopicRouteData, TopicStatsTable, to_rocketmq_json};

use super::{TimeFmt, front, java_queue_order};
use crate::args::UpdateTopic;

/// One topic per line.
pub fn topic_list(list: &TopicList) -> String {
    list.topic_list.iter().map(|t| format!("{t}\n")).collect()
}

/// `topicList -c`: `(cluster, topic)` rows; retry and dead-letter topics
/// are skipped as in Java. The consumer-group column stays empty: it needs
/// QUERY_TOPIC_CONSUME_BY_WHO, which Booster brokers do not serve yet.
pub fn topic_list_by_cluster(rows: &[(String, String)]) -> String {
    let mut out = format!("{:<20}  {:<48}  {:<48}\n", "#Cluster Name", "#Topic", "#Consumer Group");
    for (cluster, topic) in rows {
        if topic.starts_with("%RETRY%") || topic.starts_with("%DLQ%") {
            continue;
        }
        out.push_str(&format!("{:<20}  {:<48}  {:<48}\n", front(cluster, 20), front(topic, 48), ""));
    }
    out
}

/// The route as Java prints it: fastjson's pretty form (tab indented,
/// broker ids as bare keys).
pub fn topic_route(route: &TopicRouteData) -> String {
    format!("{}\n", to_rocketmq_json(route, true))
}

/// `PermName.perm2String`: `RWX` with `-` for missing bits.
pub fn perm_to_string(perm: i32) -> String {
    let bit = |mask: i32, c: char| if perm & mask != 0 { c } else { '-' };
    [bit(4, 'R'), bit(2, 'W'), bit(1, 'X')].iter().collect()
}

/// Java's `TopicConfig.toString()` of what updateTopic sent.
pub fn topic_config(u: &UpdateTopic) -> String {
    let attributes: Vec<String> = u
        .attributes
        .iter()
        .flat_map(|a| a.split(','))
        .map(|item| match item.split_once('=') {
            Some((k, v)) => format!("{k}={v}"),
            None => format!("{item}="),
        })
        .collect();
    format!(
        "TopicConfig [topicName={}, readQueueNums={}, writeQueueNums={}, perm={}, topicFilterType=SINGLE_TAG, topicSysFlag={}, order={}, attributes={{{}}}]\n",
        u.topic,
        u.read_queue_nums,
        u.write_queue_nums,
        perm_to_string(u.perm),
        u.topic_sys_flag,
        u.order,
        attributes.join(", ")
    )
}

/// One row per queue, ordered like Java's `MessageQueue.compareTo`.
pub fn topic_status(stats: &TopicStatsTable, tf: TimeFmt) -> String {
    let mut out = format!(
        "{:<32}  {:<4}  {:<20}  {:<20}    {}\n",
        "#Broker Name", "#QID", "#Min Offset", "#Max Offset", "#Last Updated"
    );
    let mut queues: Vec<_> = stats.offset_table.iter().collect();
    queues.sort_by(|a, b| java_queue_order(a.0, b.0));
    for (mq, off) in queues {
        let updated =
            if off.last_update_timestamp > 0 { tf.millis(off.last_update_timestamp) } else { String::new() };
        out.push_str(&format!(
            "{:<32}  {:<4}  {:<20}  {:<20}    {}\n",
            front(&mq.broker_name, 32),
            mq.queue_id,
            off.min_offset,
            off.max_offset,
            updated
        ));
    }
    out
}
