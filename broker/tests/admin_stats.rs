//! What mqadmin's topicStatus, consumerProgress, consumerConnection and
//! producerConnection read: GET_TOPIC_STATS_INFO, GET_CONSUME_STATS,
//! GET_CONSUMER_CONNECTION_LIST, GET_PRODUCER_CONNECTION_LIST.

mod common;

use booster_model::admin::{ConsumeStats, TopicStatsTable};
use booster_model::connection::{ConsumerConnection, ProducerConnection};
use booster_model::from_rocketmq_json;
use booster_model::heartbeat::{ConsumerData, HeartbeatData, MessageQueue, ProducerData};
use booster_remoting::header::CommandHeader;
use booster_remoting::headers::broker::{
    GetConsumeStatsRequestHeader, GetConsumerConnectionListRequestHeader,
    GetProducerConnectionListRequestHeader, GetTopicStatsInfoRequestHeader,
    UpdateConsumerOffsetRequestHeader,
};
use booster_remoting::{RemotingClient, RemotingCommand, ResponseCode, request};
use common::*;

fn mq(topic: &str, queue_id: i32) -> MessageQueue {
    MessageQueue { broker_name: "broker-a".into(), queue_id, topic: topic.into() }
}

async fn call(client: &RemotingClient, addr: &str, cmd: RemotingCommand) -> (i32, String) {
    let resp = client.invoke(addr, cmd, TIMEOUT).await.unwrap();
    let body = resp.body.as_deref().map(|b| String::from_utf8(b.to_vec()).unwrap()).unwrap_or_default();
    (resp.code, body)
}

#[tokio::test]
async fn stats_and_connection_lists() {
    let dir = tempfile::tempdir().unwrap();
    let broker = start(dir.path(), "").await;
    let (client, addr) = (RemotingClient::default(), addr(&broker));
    for i in 0..3 {
        send_ok(&client, &addr, send_v2(send_header("StatTopic", 1, ""), format!("m{i}").as_bytes())).await;
    }
    wait_max_offset(&client, &addr, "StatTopic", 1, 3).await;

    // Topic stats: one entry per queue, object keys on the wire.
    let cmd = RemotingCommand::request(request::GET_TOPIC_STATS_INFO)
        .with_ext(GetTopicStatsInfoRequestHeader { topic: "StatTopic".into() }.encode());
    let (code, text) = call(&client, &addr, cmd).await;
    assert_eq!(code, 0);
    assert!(
        text.starts_with(
            "{\"offsetTable\":{{\"brokerName\":\"broker-a\",\"queueId\":0,\"topic\":\"StatTopic\"}:"
        ),
        "{text}"
    );
    let table: TopicStatsTable = from_rocketmq_json(&text).unwrap();
    assert_eq!(table.offset_table.len(), 4, "auto-created with 4 queues");
    let q1 = table.offset_table[&mq("StatTopic", 1)];
    assert_eq!((q1.min_offset, q1.max_offset), (0, 3));
    assert!(q1.last_update_timestamp > 1_700_000_000_000);
    assert_eq!(table.offset_table[&mq("StatTopic", 0)].last_update_timestamp, 0);
    let cmd = RemotingCommand::request(request::GET_TOPIC_STATS_INFO)
        .with_ext(GetTopicStatsInfoRequestHeader { topic: "Nope".into() }.encode());
    assert_eq!(call(&client, &addr, cmd).await.0, ResponseCode::TopicNotExist.code());

    // A consumer that committed offset 2 of queue 1.
    let sub = booster_broker::filter::build_subscription("StatTopic", Some("*"), None, 1).unwrap();
    let hb = HeartbeatData {
        client_id: "10.0.0.1@c1".into(),
        consumer_data_set: vec![ConsumerData {
            group_name: "stat_cg".into(),
            subscription_data_set: vec![sub],
            ..Default::default()
        }],
        producer_data_set: vec![ProducerData { group_name: "stat_pg".into() }],
        ..Default::default()
    };
    let cmd = RemotingCommand::request(request::HEART_BEAT)
        .with_body(booster_model::to_rocketmq_json(&hb, false).into_bytes());
    assert_eq!(call(&client, &addr, cmd).await.0, 0);
    let commit = UpdateConsumerOffsetRequestHeader {
        consumer_group: "stat_cg".into(),
        topic: "StatTopic".into(),
        queue_id: Some(1),
        commit_offset: Some(2),
    };
    let cmd = RemotingCommand::request(request::UPDATE_CONSUMER_OFFSET).with_ext(commit.encode());
    assert_eq!(call(&client, &addr, cmd).await.0, 0);

    for topic in [Some("StatTopic".to_owned()), None] {
        let h = GetConsumeStatsRequestHeader { consumer_group: "stat_cg".into(), topic };
        let (code, text) =
            call(&client, &addr, RemotingCommand::request(request::GET_CONSUME_STATS).with_ext(h.encode()))
                .await;
        assert_eq!(code, 0);
        let stats: ConsumeStats = from_rocketmq_json(&text).unwrap();
        let w = stats.offset_table[&mq("StatTopic", 1)];
        assert_eq!((w.broker_offset, w.consumer_offset), (3, 2));
        assert!(w.last_timestamp > 1_700_000_000_000, "store time of the last consumed message");
        assert_eq!(stats.total_diff(), 1);
    }

    let h = GetConsumerConnectionListRequestHeader { consumer_group: "stat_cg".into() };
    let (code, text) = call(
        &client,
        &addr,
        RemotingCommand::request(request::GET_CONSUMER_CONNECTION_LIST).with_ext(h.encode()),
    )
    .await;
    assert_eq!(code, 0);
    let conns: ConsumerConnection = from_rocketmq_json(&text).unwrap();
    assert_eq!(conns.connection_set.len(), 1);
    assert_eq!(conns.connection_set[0].client_id, "10.0.0.1@c1");
    assert_eq!(conns.connection_set[0].language, "JAVA");
    assert!(conns.connection_set[0].client_addr.starts_with("127.0.0.1:"));
    assert!(conns.subscription_table.contains_key("StatTopic"));
    let h = GetConsumerConnectionListRequestHeader { consumer_group: "absent".into() };
    let cmd = RemotingCommand::request(request::GET_CONSUMER_CONNECTION_LIST).with_ext(h.encode());
    assert_eq!(call(&client, &addr, cmd).await.0, ResponseCode::ConsumerNotOnline.code());

    let h = GetProducerConnectionListRequestHeader { producer_group: "stat_pg".into() };
    let (code, text) = call(
        &client,
        &addr,
        RemotingCommand::request(request::GET_PRODUCER_CONNECTION_LIST).with_ext(h.encode()),
    )
    .await;
    assert_eq!(code, 0);
    let producers: ProducerConnection = from_rocketmq_json(&text).unwrap();
    assert_eq!(producers.connection_set[0].client_id, "10.0.0.1@c1");
    let h = GetProducerConnectionListRequestHeader { producer_group: "absent".into() };
    let cmd = RemotingCommand::request(request::GET_PRODUCER_CONNECTION_LIST).with_ext(h.encode());
    assert_eq!(call(&client, &addr, cmd).await.0, ResponseCode::SystemError.code());
    broker.shutdown().await.unwrap();
}
