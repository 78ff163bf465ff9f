//! Heartbeats, consumer lists, NOTIFY_CONSUMER_IDS_CHANGED, and name-server
//! registration against a recording fake name server.

mod common;

use std::sync::Arc;
use std::time::Duration;

use booster_model::heartbeat::{
    ConsumerData, GetConsumerListByGroupResponseBody, HeartbeatData, ProducerData,
};
use booster_model::route::RegisterBrokerBody;
use booster_model::{from_rocketmq_json, to_rocketmq_json};
use booster_remoting::codec::RemotingCodec;
use booster_remoting::header::CommandHeader;
use booster_remoting::headers::broker::{ConsumerGroupRequestHeader, UnregisterClientRequestHeader};
use booster_remoting::headers::namesrv::RegisterBrokerRequestHeader;
use booster_remoting::{
    BoxFuture, Connection, RemotingClient, RemotingCommand, RemotingServer, Router, request,
};
use common::*;
use parking_lot::Mutex;

/// Records every request it receives and answers SUCCESS.
#[derive(Default)]
struct Recorder {
    seen: Mutex<Vec<RemotingCommand>>,
}

impl Router for Recorder {
    fn route(&self, _conn: Connection, req: RemotingCommand) -> BoxFuture<Option<RemotingCommand>> {
        let resp = RemotingCommand::response_to(&req, 0);
        self.seen.lock().push(req);
        Box::pin(async move { Some(resp) })
    }
}

impl Recorder {
    fn codes(&self) -> Vec<i32> {
        self.seen.lock().iter().map(|r| r.code).collect()
    }
}

fn heartbeat(client_id: &str, group: &str) -> RemotingCommand {
    let sub = booster_broker::filter::build_subscription("T", Some("*"), None, 1).unwrap();
    let hb = HeartbeatData {
        client_id: client_id.into(),
        consumer_data_set: vec![ConsumerData {
            group_name: group.into(),
            subscription_data_set: vec![sub],
            ..Default::default()
        }],
        producer_data_set: vec![ProducerData { group_name: "PG".into() }],
        ..Default::default()
    };
    RemotingCommand::request(request::HEART_BEAT).with_body(to_rocketmq_json(&hb, false).into_bytes())
}

async fn eventually(mut check: impl FnMut() -> bool) -> bool {
    for _ in 0..200 {
        if check() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

#[tokio::test]
async fn heartbeats_consumer_lists_and_notifications() {
    let dir = tempfile::tempdir().unwrap();
    let broker = start(dir.path(), "").await;
    let addr = addr(&broker);
    let first_seen = Arc::new(Recorder::default());
    let first = RemotingClient::new(first_seen.clone());
    let second = RemotingClient::default();

    let list = || {
        RemotingCommand::request(request::GET_CONSUMER_LIST_BY_GROUP)
            .with_ext(ConsumerGroupRequestHeader { consumer_group: "cg".into() }.encode())
    };
    let resp = first.invoke(&addr, list(), TIMEOUT).await.unwrap();
    assert_eq!((resp.code, resp.remark.as_deref()), (1, Some("no consumer for this group, cg")));

    assert_eq!(first.invoke(&addr, heartbeat("c1", "cg"), TIMEOUT).await.unwrap().code, 0);
    assert_eq!(second.invoke(&addr, heartbeat("c2", "cg"), TIMEOUT).await.unwrap().code, 0);
    let resp = first.invoke(&addr, list(), TIMEOUT).await.unwrap();
    let body: GetConsumerListByGroupResponseBody =
        from_rocketmq_json(std::str::from_utf8(resp.body.as_deref().unwrap()).unwrap()).unwrap();
    assert_eq!(body.consumer_id_list, ["c1", "c2"]);

    // c1 is told when c2 joins (and again when c2 leaves).
    let notified =
        || first_seen.codes().iter().filter(|c| **c == request::NOTIFY_CONSUMER_IDS_CHANGED).count();
    assert!(eventually(|| notified() >= 1).await, "c1 notified of c2 joining");
    let note = first_seen
        .seen
        .lock()
        .iter()
        .find(|r| r.code == request::NOTIFY_CONSUMER_IDS_CHANGED)
        .cloned()
        .unwrap();
    assert!(note.is_oneway());
    assert_eq!(note.ext("consumerGroup"), Some("cg"));

    let before = notified();
    let unreg = UnregisterClientRequestHeader {
        client_id: "c2".into(),
        producer_group: Some("PG".into()),
        consumer_group: Some("cg".into()),
    };
    let resp = second
        .invoke(&addr, RemotingCommand::request(request::UNREGISTER_CLIENT).with_ext(unreg.encode()), TIMEOUT)
        .await
        .unwrap();
    assert_eq!(resp.code, 0);
    assert!(eventually(|| notified() > before).await, "c1 notified of c2 leaving");
    let resp = first.invoke(&addr, list(), TIMEOUT).await.unwrap();
    assert!(String::from_utf8_lossy(resp.body.as_deref().unwrap()).contains("[\"c1\"]"));

    // The heartbeat created the group and its retry topic.
    let ctx = broker.context();
    assert!(ctx.groups.contains("cg"));
    assert_eq!(ctx.topics.select("%RETRY%cg").unwrap().write_queue_nums, 1);
    broker.shutdown().await.unwrap();
}

#[tokio::test]
async fn registers_with_name_servers_and_unregisters_at_shutdown() {
    let namesrv_seen = Arc::new(Recorder::default());
    let namesrv =
        RemotingServer::bind("127.0.0.1:0".parse().unwrap(), RemotingCodec::default(), namesrv_seen.clone())
            .await
            .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(dir.path(), "");
    config.broker.namesrv_addr = Some(format!("{};", namesrv.local_addr()));
    let broker = booster_broker::start(config).await.unwrap();
    assert!(
        eventually(|| namesrv_seen.codes().contains(&request::REGISTER_BROKER)).await,
        "registered at startup"
    );

    let reg = namesrv_seen.seen.lock().iter().find(|r| r.code == request::REGISTER_BROKER).cloned().unwrap();
    let h = RegisterBrokerRequestHeader::from_command(&reg).unwrap();
    assert_eq!(
        (h.broker_name.as_str(), h.cluster_name.as_str(), h.broker_id),
        ("broker-a", "TestCluster", 0)
    );
    assert_eq!(h.broker_addr, broker.broker_addr());
    let body_bytes = reg.body.clone().unwrap();
    assert_eq!(h.body_crc32, Some(booster_broker::registration::body_crc32(&body_bytes)));
    let body: RegisterBrokerBody = from_rocketmq_json(std::str::from_utf8(&body_bytes).unwrap()).unwrap();
    assert!(body.topic_config_serialize_wrapper.topic_config_table.contains_key("TBW102"));

    // A new topic triggers a registration right away.
    let client = RemotingClient::default();
    let count = || namesrv_seen.codes().iter().filter(|c| **c == request::REGISTER_BROKER).count();
    let before = count();
    send_ok(&client, &common::addr(&broker), send_v2(send_header("Registered", 0, ""), b"x")).await;
    assert!(eventually(|| count() > before).await, "re-registered after auto-create");
    let last =
        namesrv_seen.seen.lock().iter().rev().find(|r| r.code == request::REGISTER_BROKER).cloned().unwrap();
    assert!(String::from_utf8_lossy(last.body.as_deref().unwrap()).contains("\"Registered\""));

    broker.shutdown().await.unwrap();
    assert!(namesrv_seen.codes().contains(&request::UNREGISTER_BROKER));
}
