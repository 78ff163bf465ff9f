//! The shapes against spec/store.md §11.2's examples, and tolerant input.

use std::collections::BTreeMap;

use crate::*;

/// spec/store.md §11.2 `topics.json`, byte for byte (tabs, no trailing newline).
const TOPICS_JSON: &str = "{\n\t\"dataVersion\":{\n\t\t\"counter\":5,\n\t\t\"stateVersion\":0,\n\t\t\"timestamp\":1700000000000\n\t},\n\t\"topicConfigTable\":{\n\t\t\"TopicTest\":{\n\t\t\t\"attributes\":{},\n\t\t\t\"order\":false,\n\t\t\t\"perm\":6,\n\t\t\t\"readQueueNums\":4,\n\t\t\t\"topicFilterType\":\"SINGLE_TAG\",\n\t\t\t\"topicName\":\"TopicTest\",\n\t\t\t\"topicSysFlag\":0,\n\t\t\t\"writeQueueNums\":4\n\t\t}\n\t}\n}";

const CONSUMER_OFFSET_JSON: &str = "{\n\t\"dataVersion\":{\"counter\":12,\"stateVersion\":0,\"timestamp\":1700000000000},\n\t\"groupTopicMap\":{\"cg_demo\":[\"TopicTest\",\"%RETRY%cg_demo\"]},\n\t\"offsetTable\":{\n\t\t\"TopicTest@cg_demo\":{0:250,1:248,2:251,3:249},\n\t\t\"%RETRY%cg_demo@cg_demo\":{0:0}\n\t}\n}";

/// The `cg_demo` entry of the §11.2 `subscriptionGroup.json` example.
const CG_DEMO: &str = r#"{"attributes":{},"brokerId":0,"consumeBroadcastEnable":true,"consumeEnable":true,"consumeFromMinEnable":true,"consumeMessageOrderly":false,"consumeTimeoutMinute":15,"groupName":"cg_demo","groupRetryPolicy":{"type":"CUSTOMIZED"},"groupSysFlag":0,"notifyConsumerIdsChangedEnable":true,"retryMaxTimes":16,"retryQueueNums":1,"whichBrokerWhenConsumeSlowly":1}"#;

const DELAY_OFFSET_JSON: &str = r#"{"dataVersion":{"counter":40,"stateVersion":0,"timestamp":1700000000000},"offsetTable":{1:12,2:0,3:7}}"#;

fn subscription_group_json() -> String {
    format!(
        "{{\n\t\"dataVersion\":{{\"counter\":2,\"stateVersion\":0,\"timestamp\":1700000000000}},\n\t\"forbiddenTable\":{{}},\n\t\"subscriptionGroupTable\":{{\n\t\t\"cg_demo\":{CG_DEMO}\n\t}}\n}}"
    )
}

fn topic_test() -> TopicConfig {
    TopicConfig { read_queue_nums: 4, write_queue_nums: 4, ..TopicConfig::new("TopicTest") }
}

#[test]
fn topics_example_parses() {
    let w: TopicConfigSerializeWrapper = from_rocketmq_json(TOPICS_JSON).unwrap();
    assert_eq!(w.data_version, DataVersion { counter: 5, state_version: 0, timestamp: 1_700_000_000_000 });
    assert_eq!(w.topic_config_table.len(), 1);
    assert_eq!(w.topic_config_table["TopicTest"], topic_test());
}

#[test]
fn topics_written_exactly_like_the_example() {
    let mut w = TopicConfigSerializeWrapper {
        data_version: DataVersion::new(1_700_000_000_000),
        ..Default::default()
    };
    w.data_version.counter = 5;
    w.topic_config_table.insert("TopicTest".into(), topic_test());
    assert_eq!(to_rocketmq_json(&w, true), TOPICS_JSON);
}

#[test]
fn consumer_offset_example_parses() {
    let w: ConsumerOffsetWrapper = from_rocketmq_json(CONSUMER_OFFSET_JSON).unwrap();
    assert_eq!(w.data_version.counter, 12);
    let want: BTreeMap<i32, i64> = [(0, 250), (1, 248), (2, 251), (3, 249)].into_iter().collect();
    assert_eq!(w.offset_table["TopicTest@cg_demo"], want);
    assert_eq!(w.offset_table["%RETRY%cg_demo@cg_demo"], [(0, 0)].into_iter().collect());
}

#[test]
fn consumer_offset_written_with_bare_keys_and_derived_group_topic_map() {
    let w: ConsumerOffsetWrapper = from_rocketmq_json(CONSUMER_OFFSET_JSON).unwrap();
    let compact = to_rocketmq_json(&w, false);
    assert_eq!(
        compact,
        r#"{"dataVersion":{"counter":12,"stateVersion":0,"timestamp":1700000000000},"groupTopicMap":{"cg_demo":["%RETRY%cg_demo","TopicTest"]},"offsetTable":{"%RETRY%cg_demo@cg_demo":{0:0},"TopicTest@cg_demo":{0:250,1:248,2:251,3:249}}}"#
    );
    let pretty = to_rocketmq_json(&w, true);
    assert!(pretty.contains("\n\t\t\t0:250,\n\t\t\t1:248,"), "{pretty}");
    assert_eq!(from_rocketmq_json::<ConsumerOffsetWrapper>(&pretty).unwrap(), w);
}

#[test]
fn group_topic_map_ignored_on_load_and_skips_broadcast_keys() {
    let text =
        r#"{"groupTopicMap":{"bogus":["x"]},"offsetTable":{"t@g":{0:1},"t@g@broadcast":{0:2},"u@g":{}}}"#;
    let w: ConsumerOffsetWrapper = from_rocketmq_json(text).unwrap();
    assert_eq!(w.offset_table.len(), 3);
    let map = w.group_topic_map();
    assert_eq!(map.len(), 1);
    assert_eq!(map["g"].iter().collect::<Vec<_>>(), ["t", "u"]);
    assert_eq!(ConsumerOffsetWrapper::key("t", "g"), "t@g");
    assert_eq!(ConsumerOffsetWrapper::split_key("t@g"), Some(("t", "g")));
    assert_eq!(ConsumerOffsetWrapper::split_key("t@"), None);
    assert_eq!(ConsumerOffsetWrapper::split_key("t@g@broadcast"), None);
}

#[test]
fn subscription_group_example_parses_and_writes_back() {
    let w: SubscriptionGroupWrapper = from_rocketmq_json(&subscription_group_json()).unwrap();
    assert_eq!(w.data_version.counter, 2);
    assert!(w.forbidden_table.is_empty());
    let cg = &w.subscription_group_table["cg_demo"];
    assert_eq!(*cg, SubscriptionGroupConfig::new("cg_demo"));
    assert_eq!(cg.group_retry_policy.kind, GroupRetryPolicyType::Customized);
    // A default group is written exactly like the example's entry.
    assert_eq!(to_rocketmq_json(cg, false), CG_DEMO);
}

#[test]
fn subscription_group_with_optional_parts_round_trips() {
    let mut cg = SubscriptionGroupConfig::new("g");
    cg.group_retry_policy = GroupRetryPolicy {
        kind: GroupRetryPolicyType::Exponential,
        exponential_retry_policy: Some(ExponentialRetryPolicy::default()),
        customized_retry_policy: Some(CustomizedRetryPolicy::default()),
    };
    cg.subscription_data_set = Some(vec![SimpleSubscriptionData {
        topic: "t".into(),
        expression_type: "TAG".into(),
        expression: "a || b".into(),
        version: 7,
    }]);
    cg.attributes.insert("+k".into(), "v".into());
    let mut w = SubscriptionGroupWrapper::default();
    w.subscription_group_table.insert("g".into(), cg);
    w.forbidden_table.insert("g".into(), [("t".to_owned(), 2)].into_iter().collect());
    let text = to_rocketmq_json(&w, true);
    assert!(text.contains("\"type\":\"EXPONENTIAL\""), "{text}");
    assert!(text.contains("\"initial\":5000"), "{text}");
    assert_eq!(from_rocketmq_json::<SubscriptionGroupWrapper>(&text).unwrap(), w);
    assert_eq!(CustomizedRetryPolicy::default().next.len(), 18);
    assert_eq!(CustomizedRetryPolicy::default().next[17], 7_200_000);
}

#[test]
fn delay_offset_example_parses_and_writes_back() {
    let w: DelayOffsetWrapper = from_rocketmq_json(DELAY_OFFSET_JSON).unwrap();
    assert_eq!(w.data_version.map(|v| v.counter), Some(40));
    assert_eq!(w.offset_table, [(1, 12), (2, 0), (3, 7)].into_iter().collect());
    assert_eq!(to_rocketmq_json(&w, false), DELAY_OFFSET_JSON);
}

#[test]
fn delay_offset_without_data_version_stays_without() {
    let w: DelayOffsetWrapper = from_rocketmq_json(r#"{"offsetTable":{"1":5}}"#).unwrap();
    assert_eq!(w.data_version, None);
    assert_eq!(to_rocketmq_json(&w, false), "{\"offsetTable\":{1:5}}");
}

#[test]
fn missing_fields_take_java_defaults() {
    let t: TopicConfig = from_rocketmq_json(r#"{"topicName":"T"}"#).unwrap();
    assert_eq!(t, TopicConfig::new("T"));
    assert_eq!((t.read_queue_nums, t.write_queue_nums, t.perm), (16, 16, 6));
    let g: SubscriptionGroupConfig = from_rocketmq_json("{}").unwrap();
    assert!(g.consume_enable && g.consume_broadcast_enable && g.notify_consumer_ids_changed_enable);
    assert_eq!((g.retry_max_times, g.retry_queue_nums, g.which_broker_when_consume_slowly), (16, 1, 1));
    let w: TopicConfigSerializeWrapper = from_rocketmq_json("{}").unwrap();
    assert_eq!(w, TopicConfigSerializeWrapper::default());
}

#[test]
fn loose_scalars_accepted() {
    let text = r#"{
        "dataVersion":{"counter":"7","stateVersion":null,"timestamp":1.7e12},
        "topicConfigTable":{
            "A":{"order":"true","perm":" 2 ","readQueueNums":8.0,"writeQueueNums":"",
                 "topicFilterType":"multi_tag","topicName":123,"topicSysFlag":true,"attributes":null},
            "B":{"order":1,"topicFilterType":0,"unknownField":{"x":[1]}},
            "C":null
        }
    }"#;
    let w: TopicConfigSerializeWrapper = from_rocketmq_json(text).unwrap();
    assert_eq!(w.data_version, DataVersion { counter: 7, state_version: 0, timestamp: 1_700_000_000_000 });
    let a = &w.topic_config_table["A"];
    assert!(a.order);
    assert_eq!((a.perm, a.read_queue_nums, a.write_queue_nums, a.topic_sys_flag), (2, 8, 0, 1));
    assert_eq!(a.topic_filter_type, TopicFilterType::MultiTag);
    assert_eq!(a.topic_name, "123");
    assert!(a.attributes.is_empty());
    let b = &w.topic_config_table["B"];
    assert!(b.order);
    assert_eq!(b.topic_filter_type, TopicFilterType::SingleTag);
    assert_eq!(w.topic_config_table["C"], TopicConfig::default());

    let g: SubscriptionGroupConfig = from_rocketmq_json(
        r#"{"consumeEnable":"FALSE","brokerId":"1","retryMaxTimes":"3","groupRetryPolicy":{"type":0}}"#,
    )
    .unwrap();
    assert!(!g.consume_enable);
    assert_eq!((g.broker_id, g.retry_max_times), (1, 3));
    assert_eq!(g.group_retry_policy.kind, GroupRetryPolicyType::Exponential);

    let o: ConsumerOffsetWrapper =
        from_rocketmq_json(r#"{"offsetTable":{"t@g":{"0":"5"," 1 ":6.0}}}"#).unwrap();
    assert_eq!(o.offset_table["t@g"], [(0, 5), (1, 6)].into_iter().collect());
}

#[test]
fn nonsense_values_still_rejected() {
    assert!(from_rocketmq_json::<TopicConfig>(r#"{"perm":"abc"}"#).is_err());
    assert!(from_rocketmq_json::<TopicConfig>(r#"{"perm":4294967296}"#).is_err());
    assert!(from_rocketmq_json::<TopicConfig>(r#"{"perm":1.5}"#).is_err());
    assert!(from_rocketmq_json::<TopicConfig>(r#"{"order":"maybe"}"#).is_err());
    assert!(from_rocketmq_json::<TopicConfig>(r#"{"topicFilterType":"NO_SUCH"}"#).is_err());
    assert!(from_rocketmq_json::<TopicConfig>(r#"{"topicFilterType":2}"#).is_err());
    assert!(from_rocketmq_json::<DelayOffsetWrapper>(r#"{"offsetTable":{"x":1}}"#).is_err());
    assert!(from_rocketmq_json::<DataVersion>(r#"{"counter":18446744073709551615}"#).is_err());
}

#[test]
fn data_version_next_and_order() {
    let mut v = DataVersion::new(100);
    let before = v;
    v.next_version(200);
    assert_eq!(v, DataVersion { counter: 1, state_version: 0, timestamp: 200 });
    assert!(v > before);
    v.next_version_with_state(3, 300);
    assert_eq!((v.counter, v.state_version, v.timestamp), (2, 3, 300));
    // stateVersion dominates the counter, the counter dominates the timestamp.
    let high_state = DataVersion { counter: 0, state_version: 4, timestamp: 0 };
    assert!(high_state > v);
    let a = DataVersion { counter: 5, state_version: 0, timestamp: 1 };
    let b = DataVersion { counter: 4, state_version: 0, timestamp: 9 };
    assert!(a > b);
}
