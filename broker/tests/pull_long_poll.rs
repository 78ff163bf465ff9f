//! Long polling and tag filtering, by header subscription and by the
//! subscription a heartbeat registered.

mod common;

use std::time::{Duration, Instant};

use booster_model::heartbeat::{ConsumerData, HeartbeatData};
use booster_model::to_rocketmq_json;
use booster_remoting::header::CommandHeader;
use booster_remoting::headers::broker::{PullMessageResponseHeader, pull_sys_flag};
use booster_remoting::{RemotingClient, RemotingCommand, request};
use common::*;

fn suspended(group: &str, topic: &str, offset: i64, hold_ms: i64) -> RemotingCommand {
    let mut h = pull_header(group, topic, 0, offset);
    h.sys_flag |= pull_sys_flag::SUSPEND;
    h.suspend_timeout_millis = hold_ms;
    pull(h)
}

#[tokio::test]
async fn long_poll_returns_when_a_message_arrives() {
    let dir = tempfile::tempdir().unwrap();
    let broker = start(dir.path(), "").await;
    let (client, addr) = (RemotingClient::default(), addr(&broker));
    send_ok(&client, &addr, send_v2(send_header("LP", 0, ""), b"first")).await;
    wait_max_offset(&client, &addr, "LP", 0, 1).await;

    let started = Instant::now();
    let waiter = {
        let (client, addr) = (client.clone(), addr.clone());
        tokio::spawn(async move {
            client.invoke(&addr, suspended("cg", "LP", 1, 15_000), Duration::from_secs(30)).await
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiter.is_finished(), "the pull is held while the queue is empty");
    send_ok(&client, &addr, send_v2(send_header("LP", 0, ""), b"second")).await;
    let resp = waiter.await.unwrap().unwrap();
    let elapsed = started.elapsed();
    assert_eq!(resp.code, 0, "{:?}", resp.remark);
    assert!(elapsed < Duration::from_secs(5), "woken by the arrival, not the timeout: {elapsed:?}");
    let recs = records(resp.body.as_deref().unwrap());
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].body, b"second");
    broker.shutdown().await.unwrap();
}

#[tokio::test]
async fn long_poll_times_out_with_pull_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let broker = start(dir.path(), "").await;
    let (client, addr) = (RemotingClient::default(), addr(&broker));
    send_ok(&client, &addr, send_v2(send_header("LP2", 0, ""), b"only")).await;
    wait_max_offset(&client, &addr, "LP2", 0, 1).await;

    let started = Instant::now();
    let resp = client.invoke(&addr, suspended("cg", "LP2", 1, 600), TIMEOUT).await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(resp.code, 19, "PULL_NOT_FOUND: {:?}", resp.remark);
    assert!(elapsed >= Duration::from_millis(550) && elapsed < Duration::from_secs(5), "{elapsed:?}");
    let h = PullMessageResponseHeader::from_command(&resp).unwrap();
    assert_eq!((h.next_begin_offset, h.max_offset), (1, 1));

    // A non-matching arrival does not wake a filtered long poll.
    let mut h = pull_header("cg", "LP2", 0, 1);
    h.sys_flag |= pull_sys_flag::SUSPEND;
    h.suspend_timeout_millis = 800;
    h.subscription = Some("TagA".into());
    let waiter = {
        let (client, addr) = (client.clone(), addr.clone());
        tokio::spawn(async move { client.invoke(&addr, pull(h), TIMEOUT).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    send_ok(&client, &addr, send_v2(send_header("LP2", 0, &props(&[("TAGS", "TagB")])), b"b")).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiter.is_finished(), "TagB must not wake a TagA pull");
    let resp = waiter.await.unwrap().unwrap();
    assert_eq!(resp.code, 20, "PULL_RETRY_IMMEDIATELY after scanning non-matching messages");
    assert_eq!(PullMessageResponseHeader::from_command(&resp).unwrap().next_begin_offset, 2);

    // Offsets out of range.
    let resp = client.invoke(&addr, pull(pull_header("cg", "LP2", 0, 99)), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 21, "PULL_OFFSET_MOVED");
    assert_eq!(PullMessageResponseHeader::from_command(&resp).unwrap().next_begin_offset, 2);
    broker.shutdown().await.unwrap();
}

#[tokio::test]
async fn tag_filtering_by_header_and_by_heartbeat() {
    let dir = tempfile::tempdir().unwrap();
    let broker = start(dir.path(), "").await;
    let (client, addr) = (RemotingClient::default(), addr(&broker));
    for (i, tag) in ["TagA", "TagB", "TagA", "TagC"].iter().enumerate() {
        let body = format!("m{i}");
        send_ok(
            &client,
            &addr,
            send_v2(send_header("Filtered", 0, &props(&[("TAGS", tag)])), body.as_bytes()),
        )
        .await;
    }
    wait_max_offset(&client, &addr, "Filtered", 0, 4).await;

    let mut h = pull_header("cg", "Filtered", 0, 0);
    h.subscription = Some("TagA || TagC".into());
    let resp = client.invoke(&addr, pull(h), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 0);
    let bodies: Vec<_> = records(resp.body.as_deref().unwrap()).into_iter().map(|r| r.body).collect();
    assert_eq!(bodies, [b"m0".to_vec(), b"m2".to_vec(), b"m3".to_vec()]);

    // Without the SUBSCRIPTION flag the broker uses the heartbeat's.
    let mut no_sub = pull_header("cg_hb", "Filtered", 0, 0);
    no_sub.sys_flag = 0;
    no_sub.subscription = None;
    let resp = client.invoke(&addr, pull(no_sub.clone()), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 24, "SUBSCRIPTION_NOT_EXIST before any heartbeat");

    let sub = booster_broker::filter::build_subscription("Filtered", Some("TagB"), None, 5).unwrap();
    let hb = HeartbeatData {
        client_id: "127.0.0.1@test".into(),
        consumer_data_set: vec![ConsumerData {
            group_name: "cg_hb".into(),
            subscription_data_set: vec![sub],
            ..Default::default()
        }],
        ..Default::default()
    };
    let cmd =
        RemotingCommand::request(request::HEART_BEAT).with_body(to_rocketmq_json(&hb, false).into_bytes());
    let resp = client.invoke(&addr, cmd, TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 0);
    assert_eq!(resp.ext("IS_SUPPORT_HEART_BEAT_V2"), Some("true"));

    let resp = client.invoke(&addr, pull(no_sub.clone()), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 0, "{:?}", resp.remark);
    let bodies: Vec<_> = records(resp.body.as_deref().unwrap()).into_iter().map(|r| r.body).collect();
    assert_eq!(bodies, [b"m1".to_vec()]);
    no_sub.sub_version = 6;
    let resp = client.invoke(&addr, pull(no_sub), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 25, "SUBSCRIPTION_NOT_LATEST");
    broker.shutdown().await.unwrap();
}
