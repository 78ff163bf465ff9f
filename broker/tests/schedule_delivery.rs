//! The delay-level schedule service: a delayed message waits in
//! SCHEDULE_TOPIC_XXXX and becomes pullable on its real topic when due;
//! progress is kept in delayOffset.json across restarts.

mod common;

use std::time::{Duration, Instant};

use booster_model::{DelayOffsetWrapper, from_rocketmq_json};
use booster_remoting::{RemotingClient, RemotingCommand, request};
use common::*;

async fn delay_offsets(client: &RemotingClient, addr: &str) -> DelayOffsetWrapper {
    let resp =
        client.invoke(addr, RemotingCommand::request(request::GET_ALL_DELAY_OFFSET), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 0, "{:?}", resp.remark);
    from_rocketmq_json(std::str::from_utf8(resp.body.as_deref().unwrap()).unwrap()).unwrap()
}

#[tokio::test]
async fn level_one_is_delivered_after_about_a_second() {
    let dir = tempfile::tempdir().unwrap();
    let broker = start(dir.path(), "flushDelayOffsetInterval=200\n").await;
    let (client, addr) = (RemotingClient::default(), addr(&broker));

    let sent_at = Instant::now();
    let p = props(&[("DELAY", "1"), ("TAGS", "late"), ("UNIQ_KEY", "DELAYED-1")]);
    let sent = send_ok(&client, &addr, send_v2(send_header("DelayTopic", 2, &p), b"later")).await;
    assert_eq!(sent.queue_id, 2, "the producer sees the queue it asked for");
    assert!(pull_records(&client, &addr, "DelayTopic", 2, 0).await.is_empty(), "not visible at once");

    let delivered = eventually_within(Duration::from_secs(10), || async {
        max_offset(&client, &addr, "DelayTopic", 2).await >= 1
    })
    .await;
    assert!(delivered, "delivered within 10 s");
    let waited = sent_at.elapsed();
    assert!(waited >= Duration::from_millis(900), "delivered after {waited:?}, before the 1 s level delay");

    let recs = pull_records(&client, &addr, "DelayTopic", 2, 0).await;
    assert_eq!(recs.len(), 1);
    let r = &recs[0];
    assert_eq!((r.topic.as_str(), r.queue_id, r.body.as_slice()), ("DelayTopic", 2, &b"later"[..]));
    assert_eq!(r.property("UNIQ_KEY").as_deref(), Some("DELAYED-1"));
    // Java writes the stored property string unchanged (§6.3 rule 3).
    assert_eq!(r.property("DELAY").as_deref(), Some("1"));
    assert_eq!(r.property("REAL_TOPIC").as_deref(), Some("DelayTopic"));
    assert_eq!(r.property("REAL_QID").as_deref(), Some("2"));
    // Tag filtering works on the delivered copy (tagsCode from TAGS again).
    let tagged = booster_remoting::headers::broker::PullMessageRequestHeader {
        subscription: Some("late".into()),
        ..pull_header("cg", "DelayTopic", 2, 0)
    };
    let resp = client.invoke(&addr, pull(tagged), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 0, "{:?}", resp.remark);

    let offsets = delay_offsets(&client, &addr).await;
    assert_eq!(offsets.offset_table.get(&1), Some(&1));
    broker.shutdown().await.unwrap();

    // Restart: progress was persisted, so nothing is delivered twice.
    let text = std::fs::read_to_string(dir.path().join("config/delayOffset.json")).unwrap();
    assert!(text.contains("1:1"), "{text}");
    let broker = start(dir.path(), "").await;
    let (client, addr) = (RemotingClient::default(), common::addr(&broker));
    assert_eq!(delay_offsets(&client, &addr).await.offset_table.get(&1), Some(&1));
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(max_offset(&client, &addr, "DelayTopic", 2).await, 1, "not delivered again");
    broker.shutdown().await.unwrap();
}

#[tokio::test]
async fn levels_run_independently_and_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let broker = start(dir.path(), "messageDelayLevel=1s 3s\n").await;
    let (client, addr) = (RemotingClient::default(), addr(&broker));

    // Level 2 (3 s) first, then three level-1 messages: level 1 must not wait for level 2.
    send_ok(&client, &addr, send_v2(send_header("Multi", 0, &props(&[("DELAY", "2")])), b"slow")).await;
    for i in 0..3 {
        let body = format!("fast-{i}");
        send_ok(&client, &addr, send_v2(send_header("Multi", 0, &props(&[("DELAY", "1")])), body.as_bytes()))
            .await;
    }
    // Levels above the maximum are clamped to it (3 s).
    send_ok(&client, &addr, send_v2(send_header("Multi", 1, &props(&[("DELAY", "99")])), b"clamped")).await;

    assert!(
        eventually_within(Duration::from_secs(10), || async {
            max_offset(&client, &addr, "Multi", 0).await >= 3
        })
        .await
    );
    let early: Vec<_> =
        pull_records(&client, &addr, "Multi", 0, 0).await.into_iter().map(|r| r.body).collect();
    assert_eq!(
        early,
        [b"fast-0".to_vec(), b"fast-1".to_vec(), b"fast-2".to_vec()],
        "level 1 first, in order"
    );

    assert!(
        eventually_within(Duration::from_secs(10), || async {
            max_offset(&client, &addr, "Multi", 0).await >= 4
                && max_offset(&client, &addr, "Multi", 1).await >= 1
        })
        .await
    );
    let all: Vec<_> = pull_records(&client, &addr, "Multi", 0, 0).await.into_iter().map(|r| r.body).collect();
    assert_eq!(all.last().map(Vec::as_slice), Some(&b"slow"[..]));
    let clamped = pull_records(&client, &addr, "Multi", 1, 0).await;
    assert_eq!(clamped[0].property("DELAY").as_deref(), Some("2"));
    broker.shutdown().await.unwrap();
}
