//! LOCK_BATCH_MQ / UNLOCK_BATCH_MQ across two clients, and the orderly
//! group's retries going straight to the DLQ.

mod common;

use std::time::Duration;

use booster_model::heartbeat::{LockBatchRequestBody, LockBatchResponseBody, MessageQueue};
use booster_model::{from_rocketmq_json, to_rocketmq_json};
use booster_remoting::{RemotingClient, RemotingCommand, ResponseCode, request};
use common::*;

fn mq(q: i32) -> MessageQueue {
    MessageQueue { broker_name: "broker-a".into(), queue_id: q, topic: "OrderTopic".into() }
}

fn body(client_id: &str, queues: &[i32]) -> Vec<u8> {
    let b = LockBatchRequestBody {
        client_id: client_id.into(),
        consumer_group: "order_cg".into(),
        mq_set: queues.iter().map(|q| mq(*q)).collect(),
        only_this_broker: false,
    };
    to_rocketmq_json(&b, false).into_bytes()
}

async fn lock(client: &RemotingClient, addr: &str, client_id: &str, queues: &[i32]) -> Vec<i32> {
    let cmd = RemotingCommand::request(request::LOCK_BATCH_MQ).with_body(body(client_id, queues));
    let resp = client.invoke(addr, cmd, TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 0, "{:?}", resp.remark);
    let text = std::str::from_utf8(resp.body.as_deref().unwrap()).unwrap();
    assert!(text.starts_with("{\"lockOKMQSet\":["), "{text}");
    let parsed: LockBatchResponseBody = from_rocketmq_json(text).unwrap();
    let mut got: Vec<i32> = parsed.lock_ok_mq_set.iter().map(|m| m.queue_id).collect();
    got.sort_unstable();
    got
}

fn unlock(client_id: &str, queues: &[i32]) -> RemotingCommand {
    RemotingCommand::request(request::UNLOCK_BATCH_MQ).with_body(body(client_id, queues))
}

#[tokio::test]
async fn lock_and_unlock_across_two_clients() {
    let dir = tempfile::tempdir().unwrap();
    let broker = start(dir.path(), "").await;
    let addr = addr(&broker);
    let (a, b) = (RemotingClient::default(), RemotingClient::default());

    assert_eq!(lock(&a, &addr, "client-a", &[0, 1]).await, [0, 1]);
    assert_eq!(lock(&b, &addr, "client-b", &[0, 1, 2, 3]).await, [2, 3], "a's queues are taken");
    assert_eq!(lock(&a, &addr, "client-a", &[0, 1]).await, [0, 1], "renewal by the owner");

    // b cannot release a's locks; a releases queue 0 (oneway, as clients do on rebalance).
    let resp = b.invoke(&addr, unlock("client-b", &[0]), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 0);
    assert_eq!(lock(&b, &addr, "client-b", &[0]).await, Vec::<i32>::new());
    a.invoke_oneway(&addr, unlock("client-a", &[0])).await.unwrap();
    let taken = eventually_within(Duration::from_secs(5), || async {
        lock(&b, &addr, "client-b", &[0]).await == [0]
    })
    .await;
    assert!(taken, "b gets queue 0 once a let it go");
    assert_eq!(lock(&a, &addr, "client-a", &[0, 1]).await, [1]);

    // Expiry (60 s) is exercised on the pure manager with explicit time;
    // here, the table is per group: another group is free.
    let other = LockBatchRequestBody {
        consumer_group: "other_cg".into(),
        client_id: "client-c".into(),
        mq_set: vec![mq(1)],
        only_this_broker: true,
    };
    let cmd = RemotingCommand::request(request::LOCK_BATCH_MQ)
        .with_body(to_rocketmq_json(&other, false).into_bytes());
    let resp = a.invoke(&addr, cmd, TIMEOUT).await.unwrap();
    assert!(std::str::from_utf8(resp.body.as_deref().unwrap()).unwrap().contains("\"queueId\":1"));

    for bad in [&b""[..], b"{not json", b"{\"mqSet\":[]}"] {
        let cmd = RemotingCommand::request(request::LOCK_BATCH_MQ).with_body(bad.to_vec());
        let resp = a.invoke(&addr, cmd, TIMEOUT).await.unwrap();
        assert_eq!(resp.code, ResponseCode::InvalidParameter.code(), "{bad:?}");
    }
    let resp = a.invoke(&addr, RemotingCommand::request(request::UNLOCK_BATCH_MQ), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, ResponseCode::InvalidParameter.code());
    broker.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_orderly_group_sends_retries_to_the_dlq() {
    let dir = tempfile::tempdir().unwrap();
    let broker = start(dir.path(), "").await;
    let (client, addr) = (RemotingClient::default(), addr(&broker));
    assert_eq!(lock(&client, &addr, "client-a", &[0]).await, [0]);

    // A %RETRY% send with reconsume count well below the maximum…
    let mut h = send_header("%RETRY%order_cg", 0, &props(&[("UNIQ_KEY", "R1")]));
    h.reconsume_times = Some(1);
    send_ok(&client, &addr, send_v2(h, b"out of order")).await;
    // …lands in the DLQ because the group holds a live queue lock.
    wait_max_offset(&client, &addr, "%DLQ%order_cg", 0, 1).await;
    assert_eq!(max_offset(&client, &addr, "%RETRY%order_cg", 0).await, 0);
    broker.shutdown().await.unwrap();
}
