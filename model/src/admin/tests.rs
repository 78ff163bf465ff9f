//! Stats bodies in both dialects, object keys included, and the pre-pass.

use super::*;
use crate::json::quote_object_keys;
use crate::{from_rocketmq_json, to_rocketmq_json, to_standard_json};

fn mq(broker: &str, queue_id: i32, topic: &str) -> MessageQueue {
    MessageQueue { broker_name: broker.into(), queue_id, topic: topic.into() }
}

/// What a Java broker answers to GET_TOPIC_STATS_INFO (fastjson, object keys).
const JAVA_TOPIC_STATS: &str = r#"{"offsetTable":{{"brokerName":"broker-a","queueId":1,"topic":"T"}:{"lastUpdateTimestamp":1700000000123,"maxOffset":7,"minOffset":2},{"brokerName":"broker-a","queueId":0,"topic":"T"}:{"lastUpdateTimestamp":0,"maxOffset":0,"minOffset":0}}}"#;

#[test]
fn topic_stats_read_fastjson_object_keys() {
    let t: TopicStatsTable = from_rocketmq_json(JAVA_TOPIC_STATS).unwrap();
    assert_eq!(t.offset_table.len(), 2);
    let q1 = t.offset_table[&mq("broker-a", 1, "T")];
    assert_eq!(q1, TopicOffset { last_update_timestamp: 1_700_000_000_123, max_offset: 7, min_offset: 2 });
    // Written back exactly as Java writes it (queues in key order).
    let again = to_rocketmq_json(&t, false);
    let back: TopicStatsTable = from_rocketmq_json(&again).unwrap();
    assert_eq!(back, t);
    assert!(
        again.starts_with(r#"{"offsetTable":{{"brokerName":"broker-a","queueId":0,"topic":"T"}:"#),
        "{again}"
    );
}

#[test]
fn topic_stats_read_standard_json_and_pretty_form() {
    let t: TopicStatsTable = from_rocketmq_json(JAVA_TOPIC_STATS).unwrap();
    let standard = to_standard_json(&t);
    assert!(
        standard.contains(r#""{\"brokerName\":\"broker-a\",\"queueId\":0,\"topic\":\"T\"}":"#),
        "{standard}"
    );
    assert_eq!(from_rocketmq_json::<TopicStatsTable>(&standard).unwrap(), t);
    let pretty = to_rocketmq_json(&t, true);
    assert_eq!(from_rocketmq_json::<TopicStatsTable>(&pretty).unwrap(), t);
}

#[test]
fn consume_stats_read_lenient_values() {
    let text = r#"{"consumeTps":"1.5","offsetTable":{{"brokerName":"b","queueId":3,"topic":"T"}:{"brokerOffset":"10","consumerOffset":4,"lastTimestamp":null,"pullOffset":6}}}"#;
    let s: ConsumeStats = from_rocketmq_json(text).unwrap();
    assert_eq!(s.consume_tps, 1.5);
    let w = s.offset_table[&mq("b", 3, "T")];
    assert_eq!((w.diff(), w.inflight(), w.last_timestamp), (6, 2, 0));
    assert_eq!(s.total_diff(), 6);
    let empty: ConsumeStats = from_rocketmq_json(r#"{"consumeTps":0.0,"offsetTable":null}"#).unwrap();
    assert!(empty.offset_table.is_empty());
    assert_eq!(from_rocketmq_json::<ConsumeStats>(&to_rocketmq_json(&s, false)).unwrap(), s);
}

#[test]
fn merge_adds_tps_and_queues() {
    let mut a = ConsumeStats { consume_tps: 1.0, ..Default::default() };
    a.offset_table.insert(mq("a", 0, "T"), OffsetWrapper::default());
    let mut b = ConsumeStats { consume_tps: 2.5, ..Default::default() };
    b.offset_table.insert(mq("b", 0, "T"), OffsetWrapper { broker_offset: 3, ..Default::default() });
    a.merge(b);
    assert_eq!((a.consume_tps, a.offset_table.len(), a.total_diff()), (3.5, 2, 3));
}

#[test]
fn bad_keys_are_errors_naming_the_key() {
    let err = from_rocketmq_json::<TopicStatsTable>(r#"{"offsetTable":{{"queueId":"x"}:{}}}"#).unwrap_err();
    assert!(err.to_string().contains("map key"), "{err}");
    assert!(from_rocketmq_json::<TopicStatsTable>(r#"{"offsetTable":{{"queueId":1}"#).is_err());
}

#[test]
fn pre_pass_leaves_ordinary_json_alone() {
    for text in [r#"{"a":{"b":[{"c":1}]}}"#, r#"{"s":"{not:a key}"}"#, "[{},[]]", r#"{0:"x"}"#] {
        assert!(matches!(quote_object_keys(text), std::borrow::Cow::Borrowed(_)), "{text}");
    }
    assert_eq!(quote_object_keys(r#"{ {"k":"a\"b"} :1}"#), r#"{ "{\"k\":\"a\\\"b\"}" :1}"#);
    assert_eq!(quote_object_keys("{[1,2]:3,{\n\t\"x\":{}}:4}"), r#"{"[1,2]":3,"{\n\t\"x\":{}}":4}"#);
}

proptest::proptest! {
    #[test]
    fn pre_pass_never_panics(text in "[{}\\[\\]\":,a-z0-9\\\\ ]{0,40}") {
        let _ = quote_object_keys(&text);
        let _ = from_rocketmq_json::<TopicStatsTable>(&text);
    }
}
