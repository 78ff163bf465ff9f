//! Broker headers decoded from the loose shapes real clients send.

use super::*;
use crate::header::{CommandHeader, HeaderError};
use crate::{ExtFields, request};

fn fields(pairs: &[(&str, &str)]) -> ExtFields {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn send_v2_maps_to_v1_field_by_field() {
    let v2 = fields(&[
        ("a", "PG"),
        ("b", "TopicTest"),
        ("c", "TBW102"),
        ("d", "4"),
        ("e", "1"),
        ("f", "0"),
        ("g", "1700000000000"),
        ("h", "0"),
        ("i", "UNIQ_KEY\u{1}AB\u{2}WAIT\u{1}true\u{2}"),
        ("j", "0"),
        ("k", "false"),
        ("m", "TRUE"),
        ("n", "broker-a"),
    ]);
    let h = SendMessageRequestHeader::decode_for_code(request::SEND_MESSAGE_V2, &v2).unwrap();
    assert_eq!(h.producer_group, "PG");
    assert_eq!(h.topic, "TopicTest");
    assert_eq!(h.default_topic_queue_nums, 4);
    assert_eq!(h.queue_id, 1);
    assert_eq!(h.born_timestamp, 1_700_000_000_000);
    assert_eq!(h.unit_mode, Some(false));
    assert_eq!(h.batch, Some(true));
    assert_eq!(h.max_reconsume_times, None);
    assert_eq!(h.broker_name.as_deref(), Some("broker-a"));
    let back = SendMessageRequestHeaderV2::from(h.clone()).encode();
    assert_eq!(SendMessageRequestHeaderV2::decode(&back).map(SendMessageRequestHeader::from).unwrap(), h);

    // Code 10 uses the long names; the one-letter names mean nothing there.
    let err = SendMessageRequestHeader::decode_for_code(request::SEND_MESSAGE, &v2).unwrap_err();
    assert_eq!(err, HeaderError::Missing("producerGroup"));
    let v1 = SendMessageRequestHeader::from(SendMessageRequestHeaderV2::decode(&v2).unwrap()).encode();
    assert_eq!(SendMessageRequestHeader::decode_for_code(request::SEND_MESSAGE, &v1).unwrap(), h);
}

#[test]
fn missing_optional_fields_and_bad_values() {
    let h = PullMessageRequestHeader::decode(&fields(&[
        ("consumerGroup", "g"),
        ("topic", "t"),
        ("queueId", "0"),
        ("queueOffset", "5"),
        ("maxMsgNums", "32"),
        ("sysFlag", "3"),
        ("commitOffset", "0"),
        ("suspendTimeoutMillis", "15000"),
        ("subVersion", "0"),
        ("maxMsgBytes", "lots"),
    ]))
    .unwrap();
    assert!(h.has_flag(pull_sys_flag::COMMIT_OFFSET) && h.has_flag(pull_sys_flag::SUSPEND));
    assert!(!h.has_flag(pull_sys_flag::SUBSCRIPTION));
    assert_eq!((h.subscription, h.max_msg_bytes), (None, None));

    let err = PullMessageRequestHeader::decode(&fields(&[("consumerGroup", "g")])).unwrap_err();
    assert_eq!(err, HeaderError::Missing("topic"));

    let u = UpdateConsumerOffsetRequestHeader::decode(&fields(&[("consumerGroup", "g"), ("topic", "t")]))
        .unwrap();
    assert_eq!((u.queue_id, u.commit_offset), (None, None));

    let s = SearchOffsetRequestHeader::decode(&fields(&[
        ("topic", "t"),
        ("queueId", "1"),
        ("timestamp", "7"),
        ("boundaryType", "UPPER"),
    ]))
    .unwrap();
    assert!(s.is_upper_boundary());
}

#[test]
fn responses_encode_only_present_fields() {
    let r = SendMessageResponseHeader {
        msg_id: "ID".into(),
        queue_id: 2,
        queue_offset: 9,
        transaction_id: Some("U".into()),
        ..Default::default()
    };
    assert_eq!(
        r.encode(),
        fields(&[("msgId", "ID"), ("queueId", "2"), ("queueOffset", "9"), ("transactionId", "U")])
    );
    let p = PullMessageResponseHeader { next_begin_offset: 3, topic_sys_flag: Some(0), ..Default::default() };
    let enc = p.encode();
    assert_eq!(enc.get("nextBeginOffset").map(String::as_str), Some("3"));
    assert!(!enc.contains_key("forbiddenType"));
}
