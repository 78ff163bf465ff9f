//! CONSUMER_SEND_MSG_BACK: a message handed back goes to `%RETRY%<group>`
//! through the delay queues, and to `%DLQ%<group>` once the reconsume
//! count reaches maxReconsumeTimes (or when the consumer asks).

mod common;

use std::time::Duration;

use booster_remoting::header::CommandHeader;
use booster_remoting::headers::broker::ConsumerSendMsgBackRequestHeader;
use booster_remoting::{RemotingClient, RemotingCommand, ResponseCode, request};
use booster_store::record::decode_offset_msg_id;
use common::*;

/// All delay levels 1 s, so every retry is back after a second.
const FAST_LEVELS: &str = "messageDelayLevel=1s 1s 1s 1s 1s 1s\n";

fn send_back(offset: i64, group: &str, delay_level: i32, max: Option<i32>) -> RemotingCommand {
    let h = ConsumerSendMsgBackRequestHeader {
        offset,
        group: group.into(),
        delay_level,
        max_reconsume_times: max,
        ..Default::default()
    };
    RemotingCommand::request(request::CONSUMER_SEND_MSG_BACK).with_ext(h.encode())
}

async fn wait_for(client: &RemotingClient, addr: &str, topic: &str, n: i64) -> Vec<Record> {
    let arrived = eventually_within(Duration::from_secs(10), || async {
        max_offset(client, addr, topic, 0).await >= n
    })
    .await;
    assert!(arrived, "{topic} never reached {n} messages");
    pull_records(client, addr, topic, 0, 0).await
}

#[tokio::test]
async fn retries_then_dead_letter_queue() {
    let dir = tempfile::tempdir().unwrap();
    let broker = start(dir.path(), FAST_LEVELS).await;
    let (client, addr) = (RemotingClient::default(), addr(&broker));

    let p = props(&[("TAGS", "TagA"), ("KEYS", "k1"), ("UNIQ_KEY", "UNIQ-1")]);
    let sent = send_ok(&client, &addr, send_v2(send_header("TopicA", 0, &p), b"payload")).await;
    let (_, original_offset) = decode_offset_msg_id(&sent.msg_id).unwrap();

    // First failure: level 0 means 3 + reconsumeTimes (clamped to 6 levels).
    let resp = client.invoke(&addr, send_back(original_offset, "cg", 0, Some(2)), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 0, "{:?}", resp.remark);
    let retry_topic = broker.context().topics.select("%RETRY%cg").expect("retry topic created");
    assert_eq!((retry_topic.perm, retry_topic.write_queue_nums), (6, 1));
    assert_eq!(max_offset(&client, &addr, "%RETRY%cg", 0).await, 0, "delayed, not there at once");
    let retries = wait_for(&client, &addr, "%RETRY%cg", 1).await;
    let first = &retries[0];
    assert_eq!(first.body, b"payload");
    assert_eq!(first.reconsume_times, 1);
    assert_eq!(first.property("RETRY_TOPIC").as_deref(), Some("TopicA"));
    assert_eq!(first.property("ORIGIN_MESSAGE_ID").as_deref(), Some(sent.msg_id.as_str()));
    assert_eq!(first.property("UNIQ_KEY").as_deref(), Some("UNIQ-1"));
    assert_eq!(first.property("TAGS").as_deref(), Some("TagA"));
    assert_eq!(first.property("REAL_TOPIC").as_deref(), Some("%RETRY%cg"));

    // Second failure of the retry copy: back in the retry topic, reconsume 2.
    let resp =
        client.invoke(&addr, send_back(first.physical_offset, "cg", 1, Some(2)), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 0, "{:?}", resp.remark);
    let retries = wait_for(&client, &addr, "%RETRY%cg", 2).await;
    let second = &retries[1];
    assert_eq!(second.reconsume_times, 2);
    assert_eq!(second.property("RETRY_TOPIC").as_deref(), Some("TopicA"), "the first topic is kept");
    assert_eq!(second.property("ORIGIN_MESSAGE_ID").as_deref(), Some(sent.msg_id.as_str()));

    // Third failure: reconsumeTimes 2 ≥ maxReconsumeTimes 2 → dead letters, at once.
    assert!(broker.context().topics.select("%DLQ%cg").is_none());
    let resp =
        client.invoke(&addr, send_back(second.physical_offset, "cg", 0, Some(2)), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 0, "{:?}", resp.remark);
    let dlq_topic = broker.context().topics.select("%DLQ%cg").expect("DLQ topic created");
    assert_eq!((dlq_topic.perm, dlq_topic.write_queue_nums, dlq_topic.read_queue_nums), (6, 1, 1));
    let dead = wait_for(&client, &addr, "%DLQ%cg", 1).await;
    assert_eq!(dead[0].body, b"payload");
    assert_eq!(dead[0].reconsume_times, 3);
    assert_eq!(dead[0].property("RETRY_TOPIC").as_deref(), Some("TopicA"));
    assert_eq!(dead[0].property("ORIGIN_MESSAGE_ID").as_deref(), Some(sent.msg_id.as_str()));
    assert_eq!(dead[0].property("DELAY").as_deref(), Some("0"));
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(max_offset(&client, &addr, "%RETRY%cg", 0).await, 2, "nothing more in the retry topic");

    broker.shutdown().await.unwrap();
}

#[tokio::test]
async fn negative_level_goes_straight_to_dlq_and_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let broker = start(dir.path(), "").await;
    let (client, addr) = (RemotingClient::default(), addr(&broker));
    let sent = send_ok(&client, &addr, send_v2(send_header("TopicB", 0, ""), b"x")).await;
    let (_, offset) = decode_offset_msg_id(&sent.msg_id).unwrap();

    let resp = client.invoke(&addr, send_back(offset, "cg2", -1, None), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 0, "{:?}", resp.remark);
    let dead = wait_for(&client, &addr, "%DLQ%cg2", 1).await;
    assert_eq!((dead[0].reconsume_times, dead[0].body.as_slice()), (1, &b"x"[..]));

    // Group retryMaxTimes (16) applies when the header has none: the
    // original (reconsume 0) goes to the retry topic via the delay queue.
    let resp = client.invoke(&addr, send_back(offset, "cg2", 3, None), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 0);
    wait_max_offset(&client, &addr, "SCHEDULE_TOPIC_XXXX", 2, 1).await;
    let staged = pull_records(&client, &addr, "SCHEDULE_TOPIC_XXXX", 2, 0).await;
    assert_eq!(staged.len(), 1, "level 3 waits in queue 2");
    assert_eq!(staged[0].property("REAL_TOPIC").as_deref(), Some("%RETRY%cg2"));

    let resp = client.invoke(&addr, send_back(offset + 1, "cg2", 0, None), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, ResponseCode::SystemError.code());
    assert_eq!(
        resp.remark.as_deref(),
        Some(format!("look message by offset failed, {}", offset + 1).as_str())
    );

    let resp = client.invoke(&addr, send_back(offset, "bad group!", 0, None), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, ResponseCode::SubscriptionGroupNotExist.code());

    let bare = RemotingCommand::request(request::CONSUMER_SEND_MSG_BACK);
    let resp = client.invoke(&addr, bare, TIMEOUT).await.unwrap();
    assert_eq!(resp.code, ResponseCode::InvalidParameter.code());
    broker.shutdown().await.unwrap();
}
