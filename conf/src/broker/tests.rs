//! BrokerConfig binding and BrokerStartupConfig loading.

use super::*;
use crate::ConfigError;

#[test]
fn defaults_are_rocketmq_defaults() {
    let c = BrokerConfig::default();
    assert_eq!(c.broker_cluster_name, "DefaultCluster");
    assert_eq!(c.listen_port, 10911);
    assert_eq!(c.effective_ha_listen_port(), 10912);
    assert_eq!(c.broker_role, BrokerRole::AsyncMaster);
    assert!(c.auto_create_topic_enable);
    assert_eq!(c.default_topic_queue_nums, 8);
    assert_eq!(c.register_name_server_period, 30_000);
    assert_eq!(c.register_broker_timeout_mills, 24_000);
    assert!(c.long_polling_enable);
    assert_eq!(c.short_polling_time_mills, 1_000);
    assert_eq!(c.channel_expired_timeout, 120_000);
    assert_eq!(c.flush_consumer_offset_interval, 5_000);
    assert_eq!(c.broker_permission, 6);
    assert!(!c.enable_controller_mode);
    assert_eq!(c.broker_election_priority, i32::MAX);
}

#[test]
fn one_file_feeds_broker_and_store() {
    let text = "\
brokerClusterName = C1
brokerName=broker-a
brokerId=3
brokerRole=SLAVE
listenPort=30911
storePathRootDir=/tmp/rmq
mappedFileSizeCommitLog=65536
namesrvAddr=127.0.0.1:9876;10.0.0.2:9876
noSuchKey=1
haListenPort=-1
";
    let c = BrokerStartupConfig::from_properties_str(text, "broker.conf").unwrap();
    assert_eq!(c.broker.broker_cluster_name, "C1");
    assert_eq!(c.broker.broker_id, 3);
    assert_eq!(c.broker.broker_role, BrokerRole::Slave);
    assert_eq!(c.broker.listen_port, 30911);
    assert_eq!(c.broker.effective_ha_listen_port(), 30912);
    assert_eq!(c.store.store_path_root_dir, std::path::PathBuf::from("/tmp/rmq"));
    assert_eq!(c.store.mapped_file_size_commit_log, 65536);
    assert_eq!(c.broker.namesrv_addrs(), vec!["127.0.0.1:9876", "10.0.0.2:9876"]);
    let unknown: Vec<_> = c.unknown_keys.iter().map(|k| (k.key.as_str(), k.line)).collect();
    assert_eq!(unknown, vec![("noSuchKey", 9)]);
    let dump = c.dump();
    assert!(dump.contains(&("brokerName", "broker-a".to_owned())));
    assert!(dump.contains(&("mappedFileSizeCommitLog", "65536".to_owned())));
}

#[test]
fn bad_value_names_file_line_and_key() {
    let err = BrokerStartupConfig::from_properties_str("brokerName=b\nlistenPort=ten\n", "broker.conf")
        .unwrap_err();
    assert_eq!(err.line(), Some(2));
    let text = err.to_string();
    assert!(text.contains("broker.conf:2") && text.contains("listenPort"), "{text}");

    let err = BrokerStartupConfig::from_properties_str("brokerRole=slave", "b.conf").unwrap_err();
    assert!(err.to_string().contains("brokerRole"), "{err}");

    let err = BrokerStartupConfig::from_properties_str("mappedFileSizeCommitLog=1k", "b.conf").unwrap_err();
    assert!(matches!(err, ConfigError::InvalidValue { ref key, .. } if key == "mappedFileSizeCommitLog"));
}

#[test]
fn startup_checks() {
    let err = BrokerStartupConfig::from_properties_str("a=1\nnamesrvAddr=localhost", "b.conf").unwrap_err();
    assert_eq!(err.line(), Some(2));
    assert!(err.to_string().contains("namesrvAddr"));

    let err = BrokerStartupConfig::from_properties_str("brokerRole=SLAVE\nbrokerId=0", "b.conf").unwrap_err();
    assert!(err.to_string().contains("brokerId"), "{err}");

    let mut c = BrokerStartupConfig::from_properties_str("brokerId=5", "b.conf").unwrap();
    c.normalize();
    assert_eq!(c.broker.broker_id, 0, "a classic master is always id 0");

    assert!(c.set_namesrv_addr("10.0.0.1:9876").is_ok());
    assert_eq!(c.broker.namesrv_addr.as_deref(), Some("10.0.0.1:9876"));
    assert!(c.set_namesrv_addr("10.0.0.1").is_err());
}

#[test]
fn toml_input() {
    let c = BrokerStartupConfig::from_toml_str(
        "brokerName = \"b\"\nlistenPort = 1234\nstorePathRootDir = \"/x\"\nfoo = 1\n",
        "b.toml",
    )
    .unwrap();
    assert_eq!(c.broker.listen_port, 1234);
    assert_eq!(c.store.store_path_root_dir, std::path::PathBuf::from("/x"));
    assert_eq!(c.unknown_keys.len(), 1);
    assert_eq!(c.unknown_keys[0].key, "foo");
}
