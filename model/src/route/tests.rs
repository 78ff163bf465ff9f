//! Route bodies against the spec's examples (spec/remoting.md §5.3, §5.4).

use super::*;
use crate::{from_rocketmq_json, to_rocketmq_json, to_standard_json};

/// spec/remoting.md §5.3, standard-JSON form.
const ROUTE_STANDARD: &str = r#"{"brokerDatas":[{"brokerAddrs":{"0":"192.168.1.10:10911","1":"192.168.1.11:10911"},"brokerName":"broker-a","cluster":"DefaultCluster","enableActingMaster":false}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}"#;

/// §5.3 legacy form: the same with bare broker-id keys.
const ROUTE_LEGACY: &str = r#"{"brokerDatas":[{"brokerAddrs":{0:"192.168.1.10:10911",1:"192.168.1.11:10911"},"brokerName":"broker-a","cluster":"DefaultCluster","enableActingMaster":false}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}"#;

/// §5.3 ClusterInfo (always legacy).
const CLUSTER_INFO: &str = r#"{"brokerAddrTable":{"broker-a":{"brokerAddrs":{0:"192.168.1.10:10911",1:"192.168.1.11:10911"},"brokerName":"broker-a","cluster":"DefaultCluster","enableActingMaster":false}},"clusterAddrTable":{"DefaultCluster":["broker-a"]}}"#;

/// §5.4 RegisterBrokerBody (Java's HashMap order: TopicTest before TBW102).
const REGISTER_BODY: &str = r#"{"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{"counter":3,"stateVersion":0,"timestamp":1700000000000},"mappingDataVersion":{"counter":0,"stateVersion":0,"timestamp":1700000000000},"topicConfigTable":{"TopicTest":{"attributes":{},"order":false,"perm":6,"readQueueNums":4,"topicFilterType":"SINGLE_TAG","topicName":"TopicTest","topicSysFlag":0,"writeQueueNums":4},"TBW102":{"attributes":{},"order":false,"perm":7,"readQueueNums":8,"topicFilterType":"SINGLE_TAG","topicName":"TBW102","topicSysFlag":0,"writeQueueNums":8}},"topicQueueMappingDetailMap":{},"topicQueueMappingInfoMap":{}}}"#;

fn broker_a() -> BrokerData {
    BrokerData {
        broker_addrs: [(0, "192.168.1.10:10911".to_owned()), (1, "192.168.1.11:10911".to_owned())].into(),
        ..BrokerData::new("DefaultCluster", "broker-a")
    }
}

fn route() -> TopicRouteData {
    TopicRouteData {
        broker_datas: vec![broker_a()],
        queue_datas: vec![QueueData {
            broker_name: "broker-a".into(),
            perm: 6,
            read_queue_nums: 4,
            topic_sys_flag: 0,
            write_queue_nums: 4,
        }],
        ..TopicRouteData::default()
    }
}

#[test]
fn route_data_standard_form_is_byte_exact() {
    assert_eq!(to_standard_json(&route()), ROUTE_STANDARD);
    assert_eq!(route().encode(true), ROUTE_STANDARD.as_bytes());
}

#[test]
fn route_data_legacy_form_is_byte_exact() {
    assert_eq!(to_rocketmq_json(&route(), false), ROUTE_LEGACY);
    assert_eq!(route().encode(false), ROUTE_LEGACY.as_bytes());
}

#[test]
fn both_route_forms_read_back() {
    assert_eq!(from_rocketmq_json::<TopicRouteData>(ROUTE_STANDARD).unwrap(), route());
    assert_eq!(decode_body::<TopicRouteData>(ROUTE_LEGACY.as_bytes()).unwrap(), route());
}

#[test]
fn standard_json_threshold_is_v4_9_4() {
    assert!(!TopicRouteData::wants_standard_json(400, false));
    assert!(TopicRouteData::wants_standard_json(400, true));
    assert!(TopicRouteData::wants_standard_json(401, false));
    assert!(TopicRouteData::wants_standard_json(479, false));
}

#[test]
fn optional_route_parts_appear_only_when_set() {
    let mut r = route();
    r.order_topic_conf = Some("broker-a:4".into());
    r.broker_datas[0].zone_name = Some("zone-1".into());
    r.filter_server_table.insert("192.168.1.10:10911".into(), vec!["f:1".into()]);
    let info = TopicQueueMappingInfo {
        bname: "broker-a".into(),
        curr_id_map: [(0, 0), (1, 1)].into(),
        epoch: 1 << 60,
        topic: "T".into(),
        total_queues: 2,
        ..TopicQueueMappingInfo::default()
    };
    r.topic_queue_mapping_by_broker = Some([("broker-a".to_owned(), info)].into());
    let legacy = to_rocketmq_json(&r, false);
    assert!(legacy.contains(r#""orderTopicConf":"broker-a:4""#), "{legacy}");
    assert!(legacy.contains(r#""zoneName":"zone-1""#), "{legacy}");
    assert!(legacy.contains(r#""filterServerTable":{"192.168.1.10:10911":["f:1"]}"#), "{legacy}");
    assert!(
        legacy.contains(r#""topicQueueMappingByBroker":{"broker-a":{"bname":"broker-a","currIdMap":{0:0,1:1},"dirty":false,"epoch":1152921504606846976,"scope":"__global__","topic":"T","totalQueues":2}}"#),
        "{legacy}"
    );
    let standard = to_standard_json(&r);
    assert!(standard.contains(r#""currIdMap":{"0":0,"1":1}"#), "{standard}");
    assert!(standard.contains(r#""epoch":"1152921504606846976""#), "{standard}");
    assert_eq!(from_rocketmq_json::<TopicRouteData>(&legacy).unwrap(), r);
}

#[test]
fn cluster_info_is_byte_exact() {
    let info = ClusterInfo {
        broker_addr_table: [("broker-a".to_owned(), broker_a())].into(),
        cluster_addr_table: [("DefaultCluster".to_owned(), ["broker-a".to_owned()].into())].into(),
    };
    assert_eq!(to_rocketmq_json(&info, false), CLUSTER_INFO);
    assert_eq!(from_rocketmq_json::<ClusterInfo>(CLUSTER_INFO).unwrap(), info);
}

#[test]
fn register_body_from_the_spec_decodes_and_re_encodes() {
    let body: RegisterBrokerBody = decode_body(REGISTER_BODY.as_bytes()).unwrap();
    let w = &body.topic_config_serialize_wrapper;
    assert_eq!(w.data_version, DataVersion { counter: 3, state_version: 0, timestamp: 1_700_000_000_000 });
    assert_eq!(w.mapping_data_version.timestamp, 1_700_000_000_000);
    assert_eq!(w.topic_config_table.len(), 2);
    assert_eq!(w.topic_config_table["TBW102"].perm, 7);
    assert_eq!(w.topic_config_table["TopicTest"].read_queue_nums, 4);
    assert!(body.filter_server_list.is_empty());
    // Our map order is sorted, Java's is hash order: compare as JSON values.
    let ours: serde_json::Value = serde_json::from_str(&to_rocketmq_json(&body, false)).unwrap();
    let spec: serde_json::Value = serde_json::from_str(REGISTER_BODY).unwrap();
    assert_eq!(ours, spec);
}

#[test]
fn register_body_reads_loose_shapes() {
    // Numbers as strings, nulls, missing sections, unknown keys, quoted ids.
    let loose = r#"{"filterServerList":null,"extra":1,"topicConfigSerializeWrapper":{
        "dataVersion":{"counter":"5","stateVersion":null,"timestamp":"17"},
        "topicConfigTable":{"T":{"topicName":"T","perm":"6","readQueueNums":"2","writeQueueNums":2.0,"order":"true"}},
        "topicQueueMappingInfoMap":{"S":{"bname":"b","currIdMap":{"0":"3"},"epoch":"9"}},
        "topicQueueMappingDetailMap":{"S":{"hostedQueues":{0:[]}}}}}"#;
    let body: RegisterBrokerBody = decode_body(loose.as_bytes()).unwrap();
    let w = &body.topic_config_serialize_wrapper;
    assert_eq!(w.data_version, DataVersion { counter: 5, state_version: 0, timestamp: 17 });
    let t = &w.topic_config_table["T"];
    assert_eq!((t.perm, t.read_queue_nums, t.write_queue_nums, t.order), (6, 2, 2, true));
    assert_eq!(w.topic_queue_mapping_info_map["S"].curr_id_map, [(0, 3)].into());
    assert_eq!(w.topic_queue_mapping_info_map["S"].scope, "__global__");
    assert!(w.topic_queue_mapping_detail_map["S"]["hostedQueues"].is_object());
    assert!(body.filter_server_list.is_empty());
    assert!(decode_body::<RegisterBrokerBody>(b"{\"filterServerList\":\"x\"").is_err());
}

#[test]
fn old_brokers_wrapper_converts() {
    let old = TopicConfigSerializeWrapper {
        data_version: DataVersion { counter: 1, state_version: 2, timestamp: 3 },
        topic_config_table: [("T".to_owned(), TopicConfig::new("T"))].into(),
    };
    let w = TopicConfigAndMappingSerializeWrapper::from(old.clone());
    assert_eq!(w.data_version, old.data_version);
    assert_eq!(w.topic_config_table, old.topic_config_table);
    assert!(w.topic_queue_mapping_info_map.is_empty());
}

#[test]
fn small_bodies() {
    let kv = KvTable { table: [("b".to_owned(), "2".to_owned()), ("a".to_owned(), "1".to_owned())].into() };
    assert_eq!(to_rocketmq_json(&kv, false), r#"{"table":{"a":"1","b":"2"}}"#);
    let list = TopicList { broker_addr: None, topic_list: ["b".to_owned(), "a".to_owned()].into() };
    assert_eq!(to_rocketmq_json(&list, false), r#"{"topicList":["a","b"]}"#);
    let with_addr = TopicList { broker_addr: Some("1.2.3.4:10911".into()), ..list.clone() };
    assert_eq!(
        to_rocketmq_json(&with_addr, false),
        r#"{"brokerAddr":"1.2.3.4:10911","topicList":["a","b"]}"#
    );
    assert_eq!(from_rocketmq_json::<TopicList>(r#"{"topicList":["b","a","a"]}"#).unwrap(), list);
    assert_eq!(from_rocketmq_json::<TopicList>(r#"{"topicList":null}"#).unwrap(), TopicList::default());
    let group = GetBrokerMemberGroupResponseBody {
        broker_member_group: BrokerMemberGroup {
            broker_addrs: [(0, "a:1".to_owned())].into(),
            broker_name: "b".into(),
            cluster: "c".into(),
        },
    };
    assert_eq!(
        to_rocketmq_json(&group, false),
        r#"{"brokerMemberGroup":{"brokerAddrs":{0:"a:1"},"brokerName":"b","cluster":"c"}}"#
    );
}

#[test]
fn select_broker_addr_prefers_the_master() {
    let mut b = broker_a();
    assert_eq!(b.select_broker_addr(), Some("192.168.1.10:10911"));
    b.broker_addrs.remove(&0);
    assert_eq!(b.select_broker_addr(), Some("192.168.1.11:10911"));
    b.broker_addrs.clear();
    assert_eq!(b.select_broker_addr(), None);
}
