//! Binding of every NamesrvConfig key (spec/config.md §4).

use std::path::PathBuf;

use super::*;
use crate::{ApplyProperties, ConfigError, Properties};

/// Every key with a non-default value, one per line (line = index + 1).
const ALL_KEYS: &str = "\
listenPort=19876
bindAddress=127.0.0.1
rocketmqHome=/opt/rmq
kvConfigPath=/data/kv.json
configStorePath=/data/namesrv.properties
productEnvName=test
clusterTest=true
orderMessageEnable=true
returnOrderTopicConfigToBroker=false
clientRequestThreadPoolNums=2
defaultThreadPoolNums=3
clientRequestThreadPoolQueueCapacity=10
defaultThreadPoolQueueCapacity=20
scanNotActiveBrokerInterval=1000
unRegisterBrokerQueueCapacity=5
supportActingMaster=true
enableAllTopicList=false
enableTopicList=false
notifyMinBrokerIdChanged=true
enableControllerInNamesrv=true
needWaitForService=true
waitSecondsForService=7
deleteTopicWithBrokerRegistration=true
configBlackList=a;b
metricsExporterType=prom
metricsPromExporterHost=127.0.0.2
metricsPromExporterPort=15557
";

/// The config `ALL_KEYS` must produce. A full literal on purpose: a new
/// field breaks this test until it is bound and listed above.
fn expected_all() -> NamesrvConfig {
    NamesrvConfig {
        listen_port: 19876,
        bind_address: "127.0.0.1".into(),
        rocketmq_home: Some("/opt/rmq".into()),
        kv_config_path: PathBuf::from("/data/kv.json"),
        config_store_path: PathBuf::from("/data/namesrv.properties"),
        product_env_name: "test".into(),
        cluster_test: true,
        order_message_enable: true,
        return_order_topic_config_to_broker: false,
        client_request_thread_pool_nums: 2,
        default_thread_pool_nums: 3,
        client_request_thread_pool_queue_capacity: 10,
        default_thread_pool_queue_capacity: 20,
        scan_not_active_broker_interval: 1000,
        un_register_broker_queue_capacity: 5,
        support_acting_master: true,
        enable_all_topic_list: false,
        enable_topic_list: false,
        notify_min_broker_id_changed: true,
        enable_controller_in_namesrv: true,
        need_wait_for_service: true,
        wait_seconds_for_service: 7,
        delete_topic_with_broker_registration: true,
        config_black_list: "a;b".into(),
        metrics_exporter_type: crate::MetricsExporterType::Prom,
        metrics_prom_exporter_host: "127.0.0.2".into(),
        metrics_prom_exporter_port: 15557,
        controller: None,
    }
}

#[test]
fn defaults_are_rocketmqs() {
    let c = NamesrvConfig::default();
    assert_eq!(c.listen_port, 9876);
    assert_eq!(c.bind_address, "0.0.0.0");
    assert!(c.kv_config_path.ends_with("namesrv/kvConfig.json"));
    assert!(c.config_store_path.ends_with("namesrv/namesrv.properties"));
    assert_eq!(c.scan_not_active_broker_interval, 5000);
    assert_eq!(c.un_register_broker_queue_capacity, 3000);
    assert!(!c.order_message_enable && c.return_order_topic_config_to_broker);
    assert!(c.enable_all_topic_list && c.enable_topic_list);
    assert!(!c.enable_controller_in_namesrv && !c.support_acting_master);
    assert_eq!((c.need_wait_for_service, c.wait_seconds_for_service), (false, 45));
    assert_eq!(c.config_black_list, "configBlackList;configStorePath;kvConfigPath");
}

#[test]
fn every_key_binds() {
    let loaded = NamesrvConfig::from_properties_str(ALL_KEYS, "namesrv.conf").unwrap();
    assert_eq!(loaded.config, expected_all());
    assert!(loaded.unknown_keys.is_empty(), "{:?}", loaded.unknown_keys);
    // Every binding is exercised exactly once.
    assert_eq!(ALL_KEYS.lines().count(), NamesrvConfig::BINDINGS.len());
}

#[test]
fn dump_round_trips() {
    let text: String =
        expected_all().to_properties().into_iter().map(|(k, v)| format!("{k}={v}\n")).collect();
    assert_eq!(NamesrvConfig::from_properties_str(&text, "dump").unwrap().config, expected_all());
}

#[test]
fn bad_values_name_origin_line_and_key() {
    let err = NamesrvConfig::from_properties_str(
        "# c\nlistenPort=9876\nscanNotActiveBrokerInterval=5s\n",
        "ns.conf",
    )
    .unwrap_err();
    assert!(
        matches!(err, ConfigError::InvalidValue { line: 3, ref key, .. } if key == "scanNotActiveBrokerInterval")
    );
    assert!(
        err.to_string().starts_with("ns.conf:3: invalid value \"5s\" for key `scanNotActiveBrokerInterval`")
    );
    let err = NamesrvConfig::from_properties_str("listenPort=70000", "ns.conf").unwrap_err();
    assert!(err.to_string().contains("0..=65535"), "{err}");
}

#[test]
fn other_processes_keys_are_reported_unknown_not_fatal() {
    let loaded =
        NamesrvConfig::from_properties_str("controllerDLegerGroup=group1\nlistenPort=1\n", "ns.conf")
            .unwrap();
    assert_eq!(loaded.config.listen_port, 1);
    assert_eq!(loaded.unknown_keys.len(), 1);
    assert_eq!(loaded.unknown_keys[0].key, "controllerDLegerGroup");
}

#[test]
fn toml_input_uses_the_same_keys() {
    let loaded =
        NamesrvConfig::from_toml_str("listenPort = 1234\norderMessageEnable = true\n", "ns.toml").unwrap();
    assert_eq!(loaded.config.listen_port, 1234);
    assert!(loaded.config.order_message_enable);
}

const EMBEDDED: &str = "\
listenPort=9876
enableControllerInNamesrv=true
controllerDLegerGroup=group1
controllerDLegerPeers=n0-127.0.0.1:9878;n1-127.0.0.1:9868;n2-127.0.0.1:9858
controllerDLegerSelfId=n0
scanNotActiveBrokerInterval=3000
nosuchKey=1
";

#[test]
fn embedded_controller_keys_bind_to_a_controller_config() {
    let loaded = NamesrvConfig::load(Properties::parse_str(EMBEDDED, "ns.conf").unwrap()).unwrap();
    let controller = loaded.config.controller.clone().expect("controller config");
    assert_eq!(controller.controller_d_leger_group.as_deref(), Some("group1"));
    assert_eq!(controller.self_peer().unwrap().addr, "127.0.0.1:9878");
    // A key both structs know sets both (spec/config.md §1.2.1).
    assert_eq!(
        (loaded.config.scan_not_active_broker_interval, controller.scan_not_active_broker_interval),
        (3000, 3000)
    );
    let unknown: Vec<&str> = loaded.unknown_keys.iter().map(|k| k.key.as_str()).collect();
    assert_eq!(unknown, ["nosuchKey"]);
}

#[test]
fn embedded_controller_errors_name_the_key() {
    let text = EMBEDDED.replace("SelfId=n0", "SelfId=n7");
    let err = NamesrvConfig::load(Properties::parse_str(&text, "ns.conf").unwrap()).unwrap_err();
    assert!(
        matches!(err, ConfigError::InvalidValue { line: 5, ref key, .. } if key == "controllerDLegerSelfId"),
        "{err}"
    );
}

#[test]
fn without_the_flag_controller_keys_stay_unknown() {
    let text = EMBEDDED.replace("enableControllerInNamesrv=true", "enableControllerInNamesrv=false");
    let loaded = NamesrvConfig::load(Properties::parse_str(&text, "ns.conf").unwrap()).unwrap();
    assert_eq!(loaded.config.controller, None);
    assert_eq!(loaded.unknown_keys.len(), 4);
}
