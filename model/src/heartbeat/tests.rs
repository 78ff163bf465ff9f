//! Heartbeat and lock bodies: the spec example, loose shapes, exact output names.

use super::*;
use crate::{from_rocketmq_json, to_rocketmq_json};

const SPEC_EXAMPLE: &str = r#"{"clientID":"192.168.1.20@12345#1712345","consumerDataSet":[{"consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","consumeType":"CONSUME_PASSIVELY","groupName":"cg_demo","messageModel":"CLUSTERING","subscriptionDataSet":[{"classFilterMode":false,"codeSet":[2598919,2598920],"expressionType":"TAG","subString":"TagA || TagB","subVersion":1700000000000,"tagsSet":["TagA","TagB"],"topic":"TopicTest"},{"classFilterMode":false,"codeSet":[],"expressionType":"TAG","subString":"*","subVersion":1700000000001,"tagsSet":[],"topic":"%RETRY%cg_demo"}],"unitMode":false}],"heartbeatFingerprint":0,"producerDataSet":[{"groupName":"pg_demo"},{"groupName":"CLIENT_INNER_PRODUCER"}],"withoutSub":false}"#;

#[test]
fn spec_example_round_trips_byte_for_byte() {
    let hb: HeartbeatData = from_rocketmq_json(SPEC_EXAMPLE).unwrap();
    assert_eq!(hb.client_id, "192.168.1.20@12345#1712345");
    assert_eq!(hb.producer_data_set.len(), 2);
    let c = &hb.consumer_data_set[0];
    assert_eq!(c.consume_type, ConsumeType::ConsumePassively);
    assert_eq!(c.message_model, MessageModel::Clustering);
    assert_eq!(c.subscription_data_set[0].code_set, vec![2598919, 2598920]);
    assert_eq!(to_rocketmq_json(&hb, false), SPEC_EXAMPLE);
}

#[test]
fn loose_shapes_are_accepted() {
    let text = r#"{"clientID":12,"consumerDataSet":[{"consumeType":0,"messageModel":"broadcasting",
        "consumeFromWhere":4,"groupName":"g","unitMode":"true",
        "subscriptionDataSet":[{"topic":"T","subVersion":"17","codeSet":["5"],"classFilterMode":0}]}],
        "heartbeatFingerprint":"7","withoutSub":1,"unknown":{"x":1}}"#;
    let hb: HeartbeatData = from_rocketmq_json(text).unwrap();
    assert_eq!(hb.client_id, "12");
    assert_eq!(hb.heartbeat_fingerprint, 7);
    assert!(hb.without_sub);
    let c = &hb.consumer_data_set[0];
    assert_eq!(c.consume_type, ConsumeType::ConsumeActively, "ordinal 0");
    assert_eq!(c.message_model, MessageModel::Broadcasting, "name in any case");
    assert_eq!(c.consume_from_where, ConsumeFromWhere::ConsumeFromFirstOffset, "ordinal 4");
    assert!(c.unit_mode);
    let s = &c.subscription_data_set[0];
    assert_eq!((s.sub_version, s.code_set.clone()), (17, vec![5]));
    assert_eq!(s.sub_string, "*", "missing subString means all");
    assert!(s.is_tag_type());
    assert!(hb.producer_data_set.is_empty());

    let empty: HeartbeatData = from_rocketmq_json("{}").unwrap();
    assert_eq!(empty, HeartbeatData::default());
    assert!(from_rocketmq_json::<HeartbeatData>(r#"{"consumerDataSet":[{"consumeType":9}]}"#).is_err());
}

#[test]
fn lock_bodies_use_java_names() {
    let req: LockBatchRequestBody = from_rocketmq_json(
        r#"{"clientId":"c1","consumerGroup":"g","mqSet":[{"brokerName":"b","queueId":"1","topic":"T"}],"onlyThisBroker":true}"#,
    )
    .unwrap();
    assert_eq!(req.mq_set[0].queue_id, 1);
    assert!(req.only_this_broker);
    let resp = LockBatchResponseBody { lock_ok_mq_set: req.mq_set.clone() };
    assert_eq!(
        to_rocketmq_json(&resp, false),
        r#"{"lockOKMQSet":[{"brokerName":"b","queueId":1,"topic":"T"}]}"#
    );
    let list = GetConsumerListByGroupResponseBody { consumer_id_list: vec!["a".into()] };
    assert_eq!(to_rocketmq_json(&list, false), r#"{"consumerIdList":["a"]}"#);
}
