//! The real `mqadmin` binary against an in-process name server and broker.

mod common;

use booster_remoting::header::CommandHeader;
use booster_remoting::headers::broker::UpdateConsumerOffsetRequestHeader;
use booster_remoting::{NoRequests, RemotingClient, RemotingCodec, RemotingCommand, RemotingServer, request};
use common::{CLUSTER, Cluster, TIMEOUT, eventually, eventually_until, mqadmin};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_list_topic_list_and_broker_status() {
    let c = Cluster::start().await;
    let addr = c.broker_addr();

    let out = eventually(&c, &["clusterList"]).await;
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("#Cluster Name           #Broker Name            #BID  #Addr"), "{out}");
    let row = lines.iter().find(|l| l.contains(&addr)).unwrap_or_else(|| panic!("no row for {addr}:\n{out}"));
    let cols: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(&cols[..5], [CLUSTER, "broker-a", "0", addr.as_str(), "V5_3_3"], "{row}");
    assert_eq!(cols.last(), Some(&"true"), "ACTIVATED column: {row}");

    // NAMESRV_ADDR stands in for -n.
    let via_env = mqadmin(&["clusterList", "-m"], Some(&c.ns())).await;
    assert!(via_env.ok().starts_with("#Cluster Name     #Broker Name"), "{}", via_env.stdout);

    let topics = c.mqadmin_ns(&["topicList"]).await;
    assert!(topics.ok().lines().any(|l| l == CLUSTER), "cluster topic listed:\n{}", topics.stdout);
    let by_cluster = c.mqadmin_ns(&["topicList", "-c"]).await;
    let by_cluster = by_cluster.ok();
    assert!(by_cluster.starts_with("#Cluster Name         #Topic"), "{by_cluster}");
    assert!(by_cluster.lines().any(|l| l.starts_with(CLUSTER) && l.contains("broker-a")), "{by_cluster}");

    let status = c.mqadmin(&["brokerStatus", "-b", &addr]).await;
    let status = status.ok();
    assert!(status.contains(&format!("{:<32}: V5_3_3\n", "brokerVersionDesc")), "{status}");
    assert!(status.lines().any(|l| l.starts_with("putTps ")), "{status}");
    let by_cluster = c.mqadmin_ns(&["brokerStatus", "-c", CLUSTER]).await;
    assert!(by_cluster.ok().contains(&format!("{addr:<24} {:<32}: V5_3_3\n", "brokerVersionDesc")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_topic_route_message_and_delete() {
    let c = Cluster::start().await;
    let addr = c.broker_addr();

    let created =
        c.mqadmin_ns(&["updateTopic", "-c", CLUSTER, "-t", "AdminTopic", "-r", "4", "-w", "4"]).await;
    assert_eq!(
        created.ok(),
        format!(
            "create topic to {addr} success.\nTopicConfig [topicName=AdminTopic, readQueueNums=4, writeQueueNums=4, perm=RW-, topicFilterType=SINGLE_TAG, topicSysFlag=0, order=false, attributes={{}}]\n"
        )
    );
    // Straight to the broker, no name server needed.
    let direct = c.mqadmin(&["updateTopic", "-b", &addr, "-t", "DirectTopic", "-p", "4"]).await;
    assert!(direct.ok().starts_with(&format!("create topic to {addr} success.\n")));

    let route = eventually(&c, &["topicRoute", "-t", "AdminTopic"]).await;
    assert!(route.contains(&format!("0:\"{addr}\"")), "{route}");
    assert!(route.contains("\"readQueueNums\":4"), "{route}");
    assert!(route.contains("\"brokerName\":\"broker-a\""), "{route}");
    let direct_route = eventually(&c, &["topicRoute", "-t", "DirectTopic"]).await;
    assert!(direct_route.contains("\"perm\":4"), "{direct_route}");

    let body = "hello from the mqadmin test";
    let msg_id = c.send("AdminTopic", 1, "TagA", "key1 key2", body.as_bytes()).await;
    let shown = c.mqadmin(&["queryMsgById", "-i", &msg_id]).await;
    let shown = shown.ok();
    for expected in [
        format!("OffsetID:            {msg_id}\n"),
        "Topic:               AdminTopic\n".to_owned(),
        "Tags:                [TagA]\n".to_owned(),
        "Keys:                [key1 key2]\n".to_owned(),
        "Queue ID:            1\n".to_owned(),
        "Queue Offset:        0\n".to_owned(),
        "Reconsume Times:     0\n".to_owned(),
        "Born Timestamp:      2023-11-14 22:13:20,000\n".to_owned(),
        format!("Store Host:          {addr}\n"),
        format!("Message Body:        {body}\n"),
    ] {
        assert!(shown.contains(&expected), "missing {expected:?} in:\n{shown}");
    }
    assert!(shown.contains("UNIQ_KEY="), "{shown}");

    let gone = c.mqadmin_ns(&["deleteTopic", "-t", "DirectTopic", "-c", CLUSTER]).await;
    assert_eq!(
        gone.ok(),
        format!(
            "delete topic [DirectTopic] from cluster [{CLUSTER}] success.\ndelete topic [DirectTopic] from NameServer success.\n"
        )
    );
    let missing = c.mqadmin_ns(&["topicRoute", "-t", "DirectTopic"]).await;
    assert_eq!(missing.code, Some(1), "{missing:?}");
    assert!(missing.stderr.contains("GET_ROUTEINFO_BY_TOPIC to"), "{}", missing.stderr);
    assert!(missing.stderr.contains("failed: TOPIC_NOT_EXIST (17)"), "{}", missing.stderr);
}

/// GET_TOPIC_STATS_INFO (202), GET_CONSUME_STATS (208) and
/// GET_CONSUMER_CONNECTION_LIST (203) through topicStatus and
/// consumerProgress.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topic_status_and_consumer_progress() {
    let c = Cluster::start().await;
    let addr = c.broker_addr();
    c.mqadmin_ns(&["updateTopic", "-c", CLUSTER, "-t", "StatsTopic", "-r", "2", "-w", "2"]).await.ok();
    eventually(&c, &["topicRoute", "-t", "StatsTopic"]).await;
    c.send("StatsTopic", 0, "TagA", "k", b"one").await;
    c.send("StatsTopic", 0, "TagA", "k", b"two").await;

    let two_dispatched =
        |out: &str| out.lines().any(|l| l.split_whitespace().take(4).eq(["broker-a", "0", "0", "2"]));
    let status = eventually_until(&c, &["topicStatus", "-t", "StatsTopic"], two_dispatched).await;
    let lines: Vec<&str> = status.stdout.lines().collect();
    assert!(lines[0].starts_with("#Broker Name                      #QID  #Min Offset"), "{}", status.stdout);
    let q0: Vec<&str> = lines[1].split_whitespace().collect();
    assert_eq!(&q0[..4], ["broker-a", "0", "0", "2"], "{}", status.stdout);
    assert_eq!(q0.len(), 6, "queue 0 has a last-updated time: {}", status.stdout);
    let q1: Vec<&str> = lines[2].split_whitespace().collect();
    assert_eq!(q1, ["broker-a", "1", "0", "0"], "{}", status.stdout);

    // Group G with a committed offset of 1 on queue 0.
    let client = RemotingClient::default();
    let group = RemotingCommand::request(request::UPDATE_AND_CREATE_SUBSCRIPTIONGROUP)
        .with_body(r#"{"groupName":"G"}"#.as_bytes().to_vec());
    let resp = client.invoke(&addr, group, TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 0, "{:?}", resp.remark);
    let header = UpdateConsumerOffsetRequestHeader {
        consumer_group: "G".into(),
        topic: "StatsTopic".into(),
        queue_id: Some(0),
        commit_offset: Some(1),
    };
    let cmd = RemotingCommand::request(request::UPDATE_CONSUMER_OFFSET).with_ext(header.encode());
    let resp = client.invoke(&addr, cmd, TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 0, "{:?}", resp.remark);

    // A push consumer of G online (its connection stays open): the
    // broker creates %RETRY%G, which is how the group listing finds G.
    let heartbeat = r#"{"clientID":"127.0.0.1@test","consumerDataSet":[{"consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","consumeType":"CONSUME_PASSIVELY","groupName":"G","messageModel":"CLUSTERING","subscriptionDataSet":[{"classFilterMode":false,"codeSet":[],"expressionType":"TAG","subString":"*","subVersion":1,"tagsSet":[],"topic":"StatsTopic"}],"unitMode":false}],"heartbeatFingerprint":0,"producerDataSet":[],"withoutSub":false}"#;
    let cmd = RemotingCommand::request(request::HEART_BEAT).with_body(heartbeat.as_bytes().to_vec());
    assert_eq!(client.invoke(&addr, cmd, TIMEOUT).await.unwrap().code, 0);

    let progress = c.mqadmin_ns(&["consumerProgress", "-g", "G", "-t", "StatsTopic"]).await;
    let out = progress.ok();
    let q0 = out.lines().find(|l| l.starts_with("StatsTopic") && l.split_whitespace().nth(2) == Some("0"));
    let q0: Vec<&str> = q0.unwrap_or_else(|| panic!("no queue 0 row:\n{out}")).split_whitespace().collect();
    assert_eq!(&q0[..6], ["StatsTopic", "broker-a", "0", "2", "1", "1"], "{out}");
    assert!(
        out.ends_with("\nConsume TPS: 0.00\nConsume Diff Total: 1\nConsume Inflight Total: 0\n"),
        "{out}"
    );

    let listed = |out: &str| out.lines().any(|l| l.starts_with("G "));
    let groups = eventually_until(&c, &["consumerProgress"], listed).await;
    let row = groups.stdout.lines().find(|l| l.starts_with("G ")).unwrap_or_default();
    let cols: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(cols, ["G", "1", "V5_3_3", "PUSH", "CLUSTERING", "0", "1"], "{}", groups.stdout);

    let unknown = c.mqadmin_ns(&["consumerProgress", "-g", "NoSuchGroup"]).await;
    assert_eq!(unknown.code, Some(1), "{unknown:?}");
    assert!(unknown.stderr.contains("TOPIC_NOT_EXIST (17)"), "no %RETRY% route: {}", unknown.stderr);
}

/// A server that answers every request with REQUEST_CODE_NOT_SUPPORTED
/// (an older broker): the command says which request is missing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsupported_requests_are_named() {
    let server = RemotingServer::bind(
        "127.0.0.1:0".parse().unwrap(),
        RemotingCodec::default(),
        std::sync::Arc::new(NoRequests),
    )
    .await
    .unwrap();
    let addr = server.local_addr().to_string();
    let run = mqadmin(&["brokerStatus", "-b", &addr], None).await;
    assert_eq!(run.code, Some(1));
    assert_eq!(
        run.stderr,
        format!(
            "mqadmin brokerStatus: {addr} does not support GET_BROKER_RUNTIME_INFO (request code 28) yet\n"
        )
    );
    let run = mqadmin(&["topicStatus", "-n", &addr, "-t", "T"], None).await;
    assert_eq!(
        run.stderr,
        format!(
            "mqadmin topicStatus: {addr} does not support GET_ROUTEINFO_BY_TOPIC (request code 105) yet\n"
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_command_lines_send_nothing_and_exit_2() {
    let run = mqadmin(&["updateTopic", "-n", "127.0.0.1:1", "-t", "T"], None).await;
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.starts_with(
        "mqadmin updateTopic: one of -b/--brokerAddr or -c/--clusterName is required\nusage: mqadmin updateTopic"
    ));
    let run = mqadmin(&["topicRoute", "-t", "T"], None).await;
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("no name server address"), "{}", run.stderr);
    let run = mqadmin(&["nosuch"], None).await;
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.starts_with("The sub command nosuch does not exist."), "{}", run.stderr);
    let help = mqadmin(&["topicStatus", "-h"], None).await;
    assert!(help.ok().starts_with("usage: mqadmin topicStatus"), "{}", help.stdout);
    let overview = mqadmin(&[], None).await;
    assert!(overview.ok().contains("queryMsgById"), "{}", overview.stdout);
    // A well-formed id pointing at a closed port is a clear runtime error.
    let run = mqadmin(&["queryMsgById", "-i", "7F000001000000010000000000000000"], None).await;
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.starts_with("mqadmin queryMsgById: cannot reach 127.0.0.1:1: "), "{}", run.stderr);
}
