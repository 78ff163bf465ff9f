//! Consumer offsets survive a restart; topics auto-create through TBW102
//! and persist; admin calls on topics and groups.

mod common;

use booster_model::route::TopicConfigAndMappingSerializeWrapper;
use booster_model::{SubscriptionGroupConfig, SubscriptionGroupWrapper, from_rocketmq_json};
use booster_remoting::header::CommandHeader;
use booster_remoting::headers::broker::{
    CreateTopicRequestHeader, DeleteSubscriptionGroupRequestHeader, DeleteTopicRequestHeader, pull_sys_flag,
};
use booster_remoting::{RemotingClient, RemotingCommand, request};
use common::*;

#[tokio::test]
async fn consumer_offsets_persist_across_restart() {
    let dir = tempfile::tempdir().unwrap();
    let broker = start(dir.path(), "").await;
    let (client, addr) = (RemotingClient::default(), addr(&broker));
    send_ok(&client, &addr, send_v2(send_header("OffTopic", 0, ""), b"x")).await;
    wait_max_offset(&client, &addr, "OffTopic", 0, 1).await;

    assert_eq!(
        offset_of(&client, &addr, query_consumer_offset("cg", "OffTopic", 0, Some(false))).await,
        None
    );
    // A new group on a hot queue may start at 0.
    assert_eq!(
        offset_of(&client, &addr, query_consumer_offset("cg", "OffTopic", 0, Some(true))).await,
        Some(0)
    );

    // Unknown group: created by a pull, then offsets can be committed.
    let resp = client.invoke(&addr, update_consumer_offset("cg", "OffTopic", 0, 1), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 26, "SUBSCRIPTION_GROUP_NOT_EXIST");
    let mut h = pull_header("cg", "OffTopic", 0, 0);
    h.sys_flag |= pull_sys_flag::COMMIT_OFFSET;
    h.commit_offset = 1;
    assert_eq!(client.invoke(&addr, pull(h), TIMEOUT).await.unwrap().code, 0);
    assert_eq!(
        offset_of(&client, &addr, query_consumer_offset("cg", "OffTopic", 0, None)).await,
        Some(1),
        "committed by the pull"
    );
    let resp = client.invoke(&addr, update_consumer_offset("cg", "OffTopic", 2, 77), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 0);
    let resp =
        client.invoke(&addr, update_consumer_offset("cg", "NoSuchTopic", 0, 1), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 17);
    let resp = client
        .invoke(&addr, RemotingCommand::request(request::GET_ALL_CONSUMER_OFFSET), TIMEOUT)
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(resp.body.as_deref().unwrap()).contains("\"OffTopic@cg\":{0:1,2:77}"));
    broker.shutdown().await.unwrap();

    let broker = start(dir.path(), "").await;
    let (client, addr) = (RemotingClient::default(), common::addr(&broker));
    assert_eq!(
        offset_of(&client, &addr, query_consumer_offset("cg", "OffTopic", 0, Some(false))).await,
        Some(1)
    );
    assert_eq!(
        offset_of(&client, &addr, query_consumer_offset("cg", "OffTopic", 2, Some(false))).await,
        Some(77)
    );
    // The auto-created topic and group came back too.
    let resp = client.invoke(&addr, pull(pull_header("cg", "OffTopic", 0, 0)), TIMEOUT).await.unwrap();
    assert_eq!(records(resp.body.as_deref().unwrap())[0].body, b"x");
    broker.shutdown().await.unwrap();
}

async fn all_topics(client: &RemotingClient, addr: &str) -> TopicConfigAndMappingSerializeWrapper {
    let resp =
        client.invoke(addr, RemotingCommand::request(request::GET_ALL_TOPIC_CONFIG), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 0);
    from_rocketmq_json(std::str::from_utf8(resp.body.as_deref().unwrap()).unwrap()).unwrap()
}

#[tokio::test]
async fn topics_auto_create_via_tbw102_and_admin() {
    let dir = tempfile::tempdir().unwrap();
    let broker = start(dir.path(), "defaultTopicQueueNums=6").await;
    let (client, addr) = (RemotingClient::default(), addr(&broker));
    let before = all_topics(&client, &addr).await;
    assert_eq!(before.topic_config_table["TBW102"].write_queue_nums, 6);
    assert!(!before.topic_config_table.contains_key("Fresh"));

    let r = send_ok(&client, &addr, send_v2(send_header("Fresh", -1, ""), b"x")).await;
    assert!((0..4).contains(&r.queue_id));
    let after = all_topics(&client, &addr).await;
    let fresh = &after.topic_config_table["Fresh"];
    assert_eq!((fresh.read_queue_nums, fresh.write_queue_nums, fresh.perm), (4, 4, 6));
    assert!(after.data_version > before.data_version);

    // Admin create/update, system-topic protection, delete.
    let create = |topic: &str, queues: i32| {
        create_topic(CreateTopicRequestHeader {
            topic_filter_type: Some("SINGLE_TAG".into()),
            order: Some(false),
            attributes: Some("+cleanup.policy=COMPACTION".into()),
            ..create_topic_header(topic, queues)
        })
    };
    assert_eq!(client.invoke(&addr, create("Admin1", 2), TIMEOUT).await.unwrap().code, 0);
    let t = all_topics(&client, &addr).await.topic_config_table["Admin1"].clone();
    assert_eq!((t.write_queue_nums, t.attributes["cleanup.policy"].as_str()), (2, "COMPACTION"));
    let resp = client.invoke(&addr, send_v2(send_header("Admin1", 0, ""), b"no key"), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 13, "compacted topics need KEYS");
    let resp = client.invoke(&addr, create("TBW102", 2), TIMEOUT).await.unwrap();
    assert_eq!(
        (resp.code, resp.remark.as_deref()),
        (29, Some("The topic[TBW102] is conflict with system topic."))
    );
    let del = RemotingCommand::request(request::DELETE_TOPIC_IN_BROKER)
        .with_ext(DeleteTopicRequestHeader { topic: "Admin1".into() }.encode());
    assert_eq!(client.invoke(&addr, del, TIMEOUT).await.unwrap().code, 0);
    assert!(!all_topics(&client, &addr).await.topic_config_table.contains_key("Admin1"));
    broker.shutdown().await.unwrap();

    // Without autoCreateTopicEnable there is no TBW102 and no auto-creation.
    let dir = tempfile::tempdir().unwrap();
    let broker = start(dir.path(), "autoCreateTopicEnable=false").await;
    let (client, addr) = (RemotingClient::default(), common::addr(&broker));
    let resp = client.invoke(&addr, send_v2(send_header("Fresh", 0, ""), b"x"), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 17);
    broker.shutdown().await.unwrap();
}

#[tokio::test]
async fn subscription_groups_and_runtime_info() {
    let dir = tempfile::tempdir().unwrap();
    let broker = start(dir.path(), "").await;
    let (client, addr) = (RemotingClient::default(), addr(&broker));
    let group = SubscriptionGroupConfig { retry_max_times: 3, ..SubscriptionGroupConfig::new("admin_cg") };
    assert_eq!(client.invoke(&addr, create_subscription_group(&group), TIMEOUT).await.unwrap().code, 0);
    let bad = RemotingCommand::request(request::UPDATE_AND_CREATE_SUBSCRIPTIONGROUP)
        .with_body(&b"{\"groupName\":\"a b\"}"[..]);
    assert_eq!(client.invoke(&addr, bad, TIMEOUT).await.unwrap().code, 29);

    let resp = client
        .invoke(&addr, RemotingCommand::request(request::GET_ALL_SUBSCRIPTIONGROUP_CONFIG), TIMEOUT)
        .await
        .unwrap();
    let all: SubscriptionGroupWrapper =
        from_rocketmq_json(std::str::from_utf8(resp.body.as_deref().unwrap()).unwrap()).unwrap();
    assert_eq!(all.subscription_group_table["admin_cg"].retry_max_times, 3);
    assert!(all.subscription_group_table.contains_key("TOOLS_CONSUMER"));
    assert_eq!(
        resp.ext("totalGroupNum").unwrap().parse::<usize>().unwrap(),
        all.subscription_group_table.len()
    );

    let del = RemotingCommand::request(request::DELETE_SUBSCRIPTIONGROUP).with_ext(
        DeleteSubscriptionGroupRequestHeader { group_name: "admin_cg".into(), clean_offset: Some(true) }
            .encode(),
    );
    assert_eq!(client.invoke(&addr, del, TIMEOUT).await.unwrap().code, 0);

    let resp = client
        .invoke(&addr, RemotingCommand::request(request::GET_BROKER_RUNTIME_INFO), TIMEOUT)
        .await
        .unwrap();
    let table: booster_model::route::KvTable =
        from_rocketmq_json(std::str::from_utf8(resp.body.as_deref().unwrap()).unwrap()).unwrap();
    for key in [
        "brokerVersionDesc",
        "putTps",
        "getTransferredTps",
        "commitLogMaxOffset",
        "bootTimestamp",
        "runtime",
        "msgPutTotalTodayNow",
    ] {
        assert!(table.table.contains_key(key), "missing {key}");
    }
    assert_eq!(table.table["putTps"].split(' ').count(), 3);
    let resp = client
        .invoke(&addr, RemotingCommand::request(request::GET_ALL_CONSUMER_OFFSET), TIMEOUT)
        .await
        .unwrap();
    assert_eq!((resp.code, resp.remark.as_deref()), (1, Some("No consumer offset in this broker")));
    broker.shutdown().await.unwrap();
}
