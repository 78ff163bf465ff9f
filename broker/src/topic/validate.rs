//! Topic and group name rules (spec/remoting.md §6.2, §6.4), with Java's
//! messages so operators see what they would see from RocketMQ.

use super::system;

/// Longest ordinary topic name.
pub const TOPIC_MAX_LEN: usize = 127;
/// Longest `%RETRY%` / `%DLQ%` topic name.
pub const RETRY_DLQ_TOPIC_MAX_LEN: usize = 255;
/// Longest consumer/producer group name.
pub const GROUP_MAX_LEN: usize = 120;

pub const RETRY_GROUP_TOPIC_PREFIX: &str = "%RETRY%";
pub const DLQ_GROUP_TOPIC_PREFIX: &str = "%DLQ%";

fn valid_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '%' | '|' | '_' | '-')
}

/// `TopicValidator.validateTopic`: `Err` carries the remark to return.
pub fn validate_topic(topic: &str) -> Result<(), String> {
    if topic.trim().is_empty() {
        return Err("The specified topic is blank.".to_owned());
    }
    if !topic.chars().all(valid_char) {
        return Err(format!(
            "The specified topic[{topic}] contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$"
        ));
    }
    let max =
        if is_retry_topic(topic) || is_dlq_topic(topic) { RETRY_DLQ_TOPIC_MAX_LEN } else { TOPIC_MAX_LEN };
    if topic.len() > max {
        return Err(format!("The specified topic is longer than topic max length {max}."));
    }
    Ok(())
}

/// Group names: same characters as topics, at most 120 long.
pub fn validate_group(group: &str) -> Result<(), String> {
    if group.trim().is_empty() {
        return Err("the specified group is blank".to_owned());
    }
    if group.len() > GROUP_MAX_LEN {
        return Err(format!("the specified group is longer than group max length {GROUP_MAX_LEN}."));
    }
    if !group.chars().all(valid_char) {
        return Err(format!(
            "the specified group[{group}] contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$"
        ));
    }
    Ok(())
}

pub fn is_retry_topic(topic: &str) -> bool {
    topic.starts_with(RETRY_GROUP_TOPIC_PREFIX)
}

pub fn is_dlq_topic(topic: &str) -> bool {
    topic.starts_with(DLQ_GROUP_TOPIC_PREFIX)
}

pub fn retry_topic(group: &str) -> String {
    format!("{RETRY_GROUP_TOPIC_PREFIX}{group}")
}

pub fn dlq_topic(group: &str) -> String {
    format!("{DLQ_GROUP_TOPIC_PREFIX}{group}")
}

/// Topics a producer may never send to (§4.2.1 step 5).
pub fn is_forbidden_send_topic(topic: &str) -> bool {
    matches!(
        topic,
        system::SCHEDULE_TOPIC
            | system::TRANS_HALF_TOPIC
            | system::TRANS_OP_HALF_TOPIC
            | system::TRANS_CHECK_MAX_TIME_TOPIC
            | system::SELF_TEST_TOPIC
            | system::OFFSET_MOVED_EVENT
    )
}

/// Fixed system topic names plus anything starting with `rmq_sys_`.
/// `cluster`/`broker` are this broker's own names (also system topics).
pub fn is_system_topic(topic: &str, cluster: &str, broker: &str) -> bool {
    topic.starts_with(system::SYSTEM_TOPIC_PREFIX)
        || topic == cluster
        || topic == broker
        || system::FIXED_SYSTEM_TOPICS.contains(&topic)
}

/// Built-in groups and `CID_RMQ_SYS_*`.
pub fn is_system_group(group: &str) -> bool {
    group.starts_with("CID_RMQ_SYS_") || system::BUILT_IN_GROUPS.contains(&group)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_rules() {
        assert!(validate_topic("TopicTest_1-a|b%c").is_ok());
        assert!(validate_topic(" ").unwrap_err().contains("blank"));
        assert!(validate_topic("a b").unwrap_err().contains("illegal characters"));
        assert!(validate_topic(&"t".repeat(128)).is_err());
        assert!(validate_topic(&format!("%RETRY%{}", "g".repeat(200))).is_ok());
        assert!(validate_topic(&format!("%DLQ%{}", "g".repeat(251))).is_err());
    }

    #[test]
    fn group_and_system_names() {
        assert!(validate_group("cg_demo").is_ok());
        assert!(validate_group(&"g".repeat(121)).is_err());
        assert!(validate_group("g.1").is_err());
        assert!(is_forbidden_send_topic("SCHEDULE_TOPIC_XXXX"));
        assert!(!is_forbidden_send_topic("TBW102"));
        assert!(is_system_topic("rmq_sys_anything", "C", "B"));
        assert!(is_system_topic("C", "C", "B") && is_system_topic("TBW102", "C", "B"));
        assert!(!is_system_topic("TopicTest", "C", "B"));
        assert!(is_system_group("TOOLS_CONSUMER") && is_system_group("CID_RMQ_SYS_X"));
        assert_eq!(retry_topic("g"), "%RETRY%g");
        assert!(is_dlq_topic(&dlq_topic("g")));
    }
}
