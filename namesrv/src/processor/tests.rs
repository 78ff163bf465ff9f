//! Request → response, through the same `RemotingCommand`s the wire carries.

use booster_model::route::decode_body;
use booster_model::{ClusterInfo, DataVersion, KvTable, RegisterBrokerBody, TopicList, to_rocketmq_json};
use booster_remoting::command::ExtFields;
use booster_remoting::headers::namesrv::RegisterBrokerRequestHeader;

use super::*;
use crate::route_info::tests::{T0, two_topics};

fn state(config: NamesrvConfig) -> NamesrvState {
    NamesrvState::new(config, KvConfigManager::default(), T0)
}

fn request(code: i32, version: i32, fields: &[(&str, &str)]) -> RemotingCommand {
    let mut r = RemotingCommand::request(code);
    r.version = version;
    r.ext_fields = Some(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<ExtFields>());
    r
}

fn register_header(addr: &str, id: i64) -> RegisterBrokerRequestHeader {
    RegisterBrokerRequestHeader {
        broker_name: "broker-a".into(),
        broker_addr: addr.into(),
        cluster_name: "DefaultCluster".into(),
        ha_server_addr: addr.replace(":10911", ":10912"),
        broker_id: id,
        enable_acting_master: Some(false),
        compressed: Some(false),
        ..Default::default()
    }
}

fn register(h: &RegisterBrokerRequestHeader, body: Option<Vec<u8>>, version: i32) -> RemotingCommand {
    let mut r = RemotingCommand::request(code::REGISTER_BROKER).with_ext(h.encode());
    r.version = version;
    r.body = body.map(Into::into);
    r
}

fn json_body(counter: i64) -> Vec<u8> {
    let body =
        RegisterBrokerBody { topic_config_serialize_wrapper: two_topics(counter), ..Default::default() };
    to_rocketmq_json(&body, false).into_bytes()
}

fn run(s: &mut NamesrvState, r: &RemotingCommand) -> RemotingCommand {
    s.process(r, Some(1), T0 + 1).response.expect("a response")
}

fn body_text(r: &RemotingCommand) -> String {
    String::from_utf8(r.body.clone().unwrap_or_default().to_vec()).unwrap()
}

#[test]
fn unknown_codes_are_not_supported() {
    let mut s = state(NamesrvConfig::default());
    let req = request(9999, 479, &[]);
    let resp = run(&mut s, &req);
    assert_eq!(resp.code, ResponseCode::RequestCodeNotSupported.code());
    assert_eq!(resp.remark.as_deref(), Some(" request type 9999 not supported"));
    assert_eq!(resp.opaque, req.opaque);
    assert!(resp.is_response());
}

#[test]
fn register_then_route_in_both_json_forms() {
    let mut s = state(NamesrvConfig::default());
    let resp = run(&mut s, &register(&register_header("10.0.0.1:10911", 0), Some(json_body(1)), 479));
    assert_eq!(resp.code, 0, "{:?}", resp.remark);
    assert_eq!(resp.ext("masterAddr"), None);
    assert!(resp.body.is_none(), "no ORDER_TOPIC_CONFIG namespace, no body");

    let standard = run(&mut s, &request(code::GET_ROUTEINFO_BY_TOPIC, 479, &[("topic", "TopicTest")]));
    assert_eq!(standard.code, 0);
    assert!(
        body_text(&standard).contains(r#""brokerAddrs":{"0":"10.0.0.1:10911"}"#),
        "{}",
        body_text(&standard)
    );
    let legacy = run(&mut s, &request(code::GET_ROUTEINFO_BY_TOPIC, 400, &[("topic", "TopicTest")]));
    assert!(body_text(&legacy).contains(r#""brokerAddrs":{0:"10.0.0.1:10911"}"#), "{}", body_text(&legacy));
    let asked = request(
        code::GET_ROUTEINFO_BY_TOPIC,
        400,
        &[("topic", "TopicTest"), ("acceptStandardJsonOnly", "true")],
    );
    assert_eq!(run(&mut s, &asked).body, standard.body);

    let cluster = run(&mut s, &request(code::GET_BROKER_CLUSTER_INFO, 479, &[]));
    let info: ClusterInfo = decode_body(cluster.body.as_deref().unwrap()).unwrap();
    assert_eq!(info.broker_addr_table["broker-a"].broker_addrs[&0], "10.0.0.1:10911");
    assert!(body_text(&cluster).contains("{0:"), "cluster info is always legacy");
}

#[test]
fn unknown_topic_answers_topic_not_exist_with_rocketmqs_remark() {
    let mut s = state(NamesrvConfig::default());
    let resp = run(&mut s, &request(code::GET_ROUTEINFO_BY_TOPIC, 479, &[("topic", "Nope")]));
    assert_eq!(resp.code, ResponseCode::TopicNotExist.code());
    assert_eq!(
        resp.remark.as_deref(),
        Some(
            "No topic route info in name server for the topic: Nope\nSee https://rocketmq.apache.org/docs/bestPractice/06FAQ for further details."
        )
    );
}

#[test]
fn slave_registration_answers_the_master_addresses() {
    let mut s = state(NamesrvConfig::default());
    run(&mut s, &register(&register_header("10.0.0.1:10911", 0), Some(json_body(1)), 479));
    let resp = run(&mut s, &register(&register_header("10.0.0.2:10911", 1), Some(json_body(1)), 479));
    assert_eq!(resp.code, 0);
    assert_eq!(resp.ext("masterAddr"), Some("10.0.0.1:10911"));
    assert_eq!(resp.ext("haServerAddr"), Some("10.0.0.1:10912"));
}

#[test]
fn register_body_variants_and_checks() {
    let mut s = state(NamesrvConfig::default());
    // CRC: wrong → refused; right → accepted.
    let body = json_body(1);
    let mut h = register_header("10.0.0.1:10911", 0);
    h.body_crc32 = Some(12345);
    let resp = run(&mut s, &register(&h, Some(body.clone()), 479));
    assert_eq!((resp.code, resp.remark.as_deref()), (1, Some("crc32 not match")));
    h.body_crc32 = Some(broker::body_crc32(Some(&body)));
    assert_eq!(run(&mut s, &register(&h, Some(body), 479)).code, 0);

    // Compressed body.
    let mut h = register_header("10.0.0.3:10911", 0);
    h.broker_name = "broker-c".into();
    h.compressed = Some(true);
    let compressed = crate::compressed::encode(&RegisterBrokerBody {
        topic_config_serialize_wrapper: two_topics(1),
        ..Default::default()
    });
    assert_eq!(run(&mut s, &register(&h, Some(compressed), 479)).code, 0);
    assert!(
        s.routes
            .pickup_topic_route_data("TBW102")
            .unwrap()
            .queue_datas
            .iter()
            .any(|q| q.broker_name == "broker-c")
    );

    // A pre-V3_0_11 broker sends a bare TopicConfigSerializeWrapper.
    let mut h = register_header("10.0.0.4:10911", 0);
    h.broker_name = "broker-old".into();
    let old = r#"{"dataVersion":{"counter":1,"timestamp":1},"topicConfigTable":{"Old":{"topicName":"Old"},"Older":{"topicName":"Older"}}}"#;
    assert_eq!(run(&mut s, &register(&h, Some(old.as_bytes().to_vec()), 36)).code, 0);
    assert!(s.routes.pickup_topic_route_data("Old").is_some());

    // Garbage body, garbage header.
    let resp = run(&mut s, &register(&register_header("10.0.0.5:10911", 0), Some(b"{nope".to_vec()), 479));
    assert_eq!(resp.code, 1);
    assert!(resp.remark.unwrap().starts_with("Failed to decode RegisterBrokerBody"));
    let resp = run(&mut s, &request(code::REGISTER_BROKER, 479, &[("brokerName", "b")]));
    assert_eq!(
        (resp.code, resp.remark.as_deref()),
        (1, Some("the request lacks the required field brokerAddr"))
    );

    // A new broker's single-topic registration.
    let mut h = register_header("10.0.0.6:10911", 0);
    h.broker_name = "broker-new".into();
    let one = RegisterBrokerBody {
        topic_config_serialize_wrapper: crate::route_info::tests::table(1, &[("One", 1, 6)]),
        ..Default::default()
    };
    let resp = run(&mut s, &register(&h, Some(to_rocketmq_json(&one, false).into_bytes()), 479));
    assert_eq!((resp.code, resp.remark.as_deref()), (1, Some("register broker failed")));
}

#[test]
fn order_topic_conf_comes_from_the_kv_store_when_enabled() {
    for enabled in [false, true] {
        let config = NamesrvConfig { order_message_enable: enabled, ..NamesrvConfig::default() };
        let mut s = state(config);
        let put = request(
            code::PUT_KV_CONFIG,
            479,
            &[("namespace", "ORDER_TOPIC_CONFIG"), ("key", "TopicTest"), ("value", "broker-a:4")],
        );
        let processed = s.process(&put, None, T0);
        assert_eq!(processed.response.unwrap().code, 0);
        assert!(processed.persist_kv.unwrap().contains("broker-a:4"));

        // The namespace goes back to registering brokers either way.
        let resp = run(&mut s, &register(&register_header("10.0.0.1:10911", 0), Some(json_body(1)), 479));
        let table: KvTable = decode_body(resp.body.as_deref().unwrap()).unwrap();
        assert_eq!(table.table["TopicTest"], "broker-a:4");

        let route = run(&mut s, &request(code::GET_ROUTEINFO_BY_TOPIC, 479, &[("topic", "TopicTest")]));
        assert_eq!(body_text(&route).contains(r#""orderTopicConf":"broker-a:4""#), enabled);
    }
}

#[test]
fn kv_requests() {
    let mut s = state(NamesrvConfig::default());
    let get = request(code::GET_KV_CONFIG, 479, &[("namespace", "ns"), ("key", "k")]);
    let resp = run(&mut s, &get);
    assert_eq!((resp.code, resp.remark.as_deref()), (22, Some("No config item, Namespace: ns Key: k")));
    let list = request(code::GET_KVLIST_BY_NAMESPACE, 479, &[("namespace", "ns")]);
    assert_eq!(run(&mut s, &list).remark.as_deref(), Some("No config item, Namespace: ns"));

    run(&mut s, &request(code::PUT_KV_CONFIG, 479, &[("namespace", "ns"), ("key", "k"), ("value", "v")]));
    assert_eq!(run(&mut s, &get).ext("value"), Some("v"));
    assert_eq!(body_text(&run(&mut s, &list)), r#"{"table":{"k":"v"}}"#);
    let del =
        s.process(&request(code::DELETE_KV_CONFIG, 479, &[("namespace", "ns"), ("key", "k")]), None, T0);
    assert_eq!(del.persist_kv.as_deref(), Some(r#"{"configTable":{"ns":{}}}"#));
    assert_eq!(run(&mut s, &get).code, 22);
    let missing = run(&mut s, &request(code::PUT_KV_CONFIG, 479, &[("namespace", "ns")]));
    assert_eq!(missing.code, 1);
}

#[test]
fn liveness_requests() {
    let mut s = state(NamesrvConfig::default());
    run(&mut s, &register(&register_header("10.0.0.1:10911", 0), Some(json_body(1)), 479));
    let who = [
        ("brokerName", "broker-a"),
        ("brokerAddr", "10.0.0.1:10911"),
        ("clusterName", "DefaultCluster"),
        ("brokerId", "0"),
    ];

    let mut q = request(code::QUERY_DATA_VERSION, 479, &who);
    q.body =
        Some(to_rocketmq_json(&DataVersion { counter: 1, state_version: 0, timestamp: T0 }, false).into());
    let resp = s.process(&q, None, T0 + 50_000).response.unwrap();
    assert_eq!(resp.ext("changed"), Some("false"));
    let ours: DataVersion = decode_body(resp.body.as_deref().unwrap()).unwrap();
    assert_eq!(ours.counter, 1);
    q.body =
        Some(to_rocketmq_json(&DataVersion { counter: 2, state_version: 0, timestamp: T0 }, false).into());
    assert_eq!(run(&mut s, &q).ext("changed"), Some("true"));
    q.body = Some(b"garbage".to_vec().into());
    assert_eq!(run(&mut s, &q).code, 1);

    let hb = request(code::BROKER_HEARTBEAT, 479, &who[..3]);
    assert_eq!(s.process(&hb, None, T0 + 100_000).response.unwrap().code, 0);
    let addr = crate::BrokerAddrInfo::new("DefaultCluster", "10.0.0.1:10911");
    assert_eq!(s.routes.live_info(&addr).unwrap().last_update_timestamp_ms, T0 + 100_000);

    assert_eq!(run(&mut s, &request(code::UNREGISTER_BROKER, 479, &who)).code, 0);
    assert!(s.routes.live_info(&addr).is_none());
    assert_eq!(run(&mut s, &request(code::GET_ROUTEINFO_BY_TOPIC, 479, &[("topic", "TopicTest")])).code, 17);
}

#[test]
fn topic_requests_and_switches() {
    let config = NamesrvConfig { enable_all_topic_list: false, ..NamesrvConfig::default() };
    let mut s = state(config);
    run(&mut s, &register(&register_header("10.0.0.1:10911", 0), Some(json_body(1)), 479));
    let all = run(&mut s, &request(code::GET_ALL_TOPIC_LIST_FROM_NAMESERVER, 479, &[]));
    assert_eq!((all.code, all.remark.as_deref()), (1, Some("disable")));
    let by_cluster =
        run(&mut s, &request(code::GET_TOPICS_BY_CLUSTER, 479, &[("cluster", "DefaultCluster")]));
    let list: TopicList = decode_body(by_cluster.body.as_deref().unwrap()).unwrap();
    assert_eq!(list.topic_list.len(), 2);

    let del = request(
        code::DELETE_TOPIC_IN_NAMESRV,
        479,
        &[("topic", "TopicTest"), ("clusterName", "DefaultCluster")],
    );
    assert_eq!(run(&mut s, &del).code, 0);
    assert!(s.routes.pickup_topic_route_data("TopicTest").is_none());

    let wipe = run(&mut s, &request(code::WIPE_WRITE_PERM_OF_BROKER, 479, &[("brokerName", "broker-a")]));
    assert_eq!(wipe.ext("wipeTopicCount"), Some("1"));
    let add = run(&mut s, &request(code::ADD_WRITE_PERM_OF_BROKER, 479, &[("brokerName", "broker-a")]));
    assert_eq!(add.ext("addTopicCount"), Some("1"));

    let config_dump = run(&mut s, &request(code::GET_NAMESRV_CONFIG, 479, &[]));
    assert!(body_text(&config_dump).contains("enableAllTopicList=false\n"));
}

#[test]
fn route_queries_can_wait_for_service() {
    let config = NamesrvConfig {
        need_wait_for_service: true,
        wait_seconds_for_service: 45,
        ..NamesrvConfig::default()
    };
    let mut s = state(config);
    run(&mut s, &register(&register_header("10.0.0.1:10911", 0), Some(json_body(1)), 479));
    let q = request(code::GET_ROUTEINFO_BY_TOPIC, 479, &[("topic", "TopicTest")]);
    let early = s.process(&q, None, T0 + 44_999).response.unwrap();
    assert_eq!((early.code, early.remark.as_deref()), (1, Some("name server not ready")));
    assert_eq!(s.process(&q, None, T0 + 45_000).response.unwrap().code, 0);
}
