//! Binding and checks of every ControllerConfig key (spec/config.md §5).

use std::path::PathBuf;

use super::*;

/// Every key with a non-default value, one per line (line = index + 1).
const ALL_KEYS: &str = "\
rocketmqHome=/opt/rmq
configStorePath=/data/controller.properties
controllerType=dledger
controllerDLegerGroup=group1
controllerDLegerPeers=n0-127.0.0.1:9878;n1-127.0.0.1:9868
controllerDLegerSelfId=n1
controllerStorePath=/data/ctl
mappedFileSize=1024
processReadEvent=true
controllerThreadPoolNums=2
controllerRequestThreadPoolQueueCapacity=10
metricsExporterType=LOG
metricsPromExporterHost=127.0.0.2
metricsPromExporterPort=15557
enableElectUncleanMaster=true
notifyBrokerRoleChanged=false
scanNotActiveBrokerInterval=1000
scanInactiveMasterInterval=2000
electMasterMaxRetryCount=5
configBlackList=a;b
";

/// A full literal on purpose: a new field breaks this test until it is
/// bound and listed above.
fn expected_all() -> ControllerConfig {
    ControllerConfig {
        rocketmq_home: Some("/opt/rmq".into()),
        config_store_path: PathBuf::from("/data/controller.properties"),
        controller_type: ControllerType::DLedger,
        controller_d_leger_group: Some("group1".into()),
        controller_d_leger_peers: Some("n0-127.0.0.1:9878;n1-127.0.0.1:9868".into()),
        controller_d_leger_self_id: Some("n1".into()),
        controller_store_path: PathBuf::from("/data/ctl"),
        mapped_file_size: 1024,
        process_read_event: true,
        controller_thread_pool_nums: 2,
        controller_request_thread_pool_queue_capacity: 10,
        metrics_exporter_type: crate::MetricsExporterType::Log,
        metrics_prom_exporter_host: "127.0.0.2".into(),
        metrics_prom_exporter_port: 15557,
        enable_elect_unclean_master: true,
        notify_broker_role_changed: false,
        scan_not_active_broker_interval: 1000,
        scan_inactive_master_interval: 2000,
        elect_master_max_retry_count: 5,
        config_black_list: "a;b".into(),
    }
}

fn load(text: &str) -> Result<Loaded<ControllerConfig>, ConfigError> {
    ControllerConfig::load(Properties::parse_str(text, "controller.conf")?)
}

const MINIMAL: &str =
    "controllerDLegerGroup=g\ncontrollerDLegerPeers=n0-127.0.0.1:9878\ncontrollerDLegerSelfId=n0\n";

#[test]
fn defaults_are_rocketmqs() {
    let c = ControllerConfig::default();
    assert_eq!(c.controller_type, ControllerType::DLedger);
    assert!(c.controller_store_path.ends_with("DLedgerController"));
    assert!(!c.enable_elect_unclean_master && c.notify_broker_role_changed);
    assert_eq!((c.scan_not_active_broker_interval, c.scan_inactive_master_interval), (5000, 5000));
    assert_eq!(c.elect_master_max_retry_count, 3);
    assert_eq!(c.config_black_list, "configBlackList;configStorePath");
    assert_eq!(
        (c.controller_d_leger_group, c.controller_d_leger_peers, c.controller_d_leger_self_id),
        (None, None, None)
    );
}

#[test]
fn every_key_binds_and_checks() {
    let loaded = load(ALL_KEYS).unwrap();
    assert_eq!(loaded.config, expected_all());
    assert!(loaded.unknown_keys.is_empty(), "{:?}", loaded.unknown_keys);
    assert_eq!(ALL_KEYS.lines().count(), ControllerConfig::BINDINGS.len());
    let me = loaded.config.self_peer().unwrap();
    assert_eq!((me.id.as_str(), me.addr.as_str()), ("n1", "127.0.0.1:9868"));
    assert_eq!(loaded.config.peers().len(), 2);
}

#[test]
fn dump_round_trips() {
    let text = expected_all().to_properties_text();
    assert!(text.contains("controllerType=DLedger\n"), "{text}");
    assert_eq!(load(&text).unwrap().config, expected_all());
}

#[test]
fn jraft_is_a_clear_error() {
    let err = load(&format!("{MINIMAL}controllerType=jRaft\n")).unwrap_err();
    assert!(matches!(err, ConfigError::InvalidValue { line: 4, ref key, .. } if key == "controllerType"));
    assert!(err.to_string().contains("jRaft"), "{err}");
}

#[test]
fn missing_required_keys_are_named() {
    for key in ["controllerDLegerGroup", "controllerDLegerPeers", "controllerDLegerSelfId"] {
        let text: String =
            MINIMAL.lines().filter(|l| !l.starts_with(key)).map(|l| format!("{l}\n")).collect();
        let err = load(&text).unwrap_err();
        assert!(matches!(err, ConfigError::InvalidValue { key: ref k, .. } if k == key), "{key}: {err}");
    }
}

#[test]
fn self_id_must_be_a_peer() {
    let err = load(&MINIMAL.replace("SelfId=n0", "SelfId=n3")).unwrap_err();
    assert!(
        matches!(err, ConfigError::InvalidValue { line: 3, ref key, .. } if key == "controllerDLegerSelfId")
    );
    assert!(err.to_string().contains("(n0)"), "{err}");
}

#[test]
fn malformed_peers_are_named() {
    for peers in ["127.0.0.1:9878", "n0-127.0.0.1", "n0-127.0.0.1:x", "n0-:1", "n0-a:1;n0-b:2", ";"] {
        let err = load(&MINIMAL.replace("n0-127.0.0.1:9878", peers)).unwrap_err();
        assert!(
            matches!(err, ConfigError::InvalidValue { line: 2, ref key, .. } if key == "controllerDLegerPeers"),
            "{peers}: {err}"
        );
    }
}

fn peer(id: &str, addr: &str) -> DLedgerPeer {
    DLedgerPeer { id: id.into(), addr: addr.into() }
}

#[test]
fn parses_the_dledger_peer_format() {
    assert_eq!(
        parse_dledger_peers("n0-127.0.0.1:9877;n1-127.0.0.1:9878;n2-127.0.0.1:9879").unwrap(),
        [peer("n0", "127.0.0.1:9877"), peer("n1", "127.0.0.1:9878"), peer("n2", "127.0.0.1:9879")]
    );
    assert_eq!(
        parse_dledger_peers(" n0-10.0.0.1:9877 ; ;n1-host.example:1;").unwrap(),
        [peer("n0", "10.0.0.1:9877"), peer("n1", "host.example:1")],
        "blanks, empty items and a trailing `;` are tolerated"
    );
}

#[test]
fn rejects_malformed_peer_lists() {
    for bad in [
        "",
        " ; ",
        "n0",
        "n0-",
        "-1.2.3.4:5",
        "n0-1.2.3.4",
        "n0-1.2.3.4:port",
        "n0-:9877",
        "n0-1.2.3.4:70000",
    ] {
        let err = parse_dledger_peers(bad).unwrap_err();
        assert!(err.contains("id-host:port"), "{bad:?}: {err}");
    }
    let err = parse_dledger_peers("n0-a:1;n0-b:2").unwrap_err();
    assert!(err.contains("`n0` appears twice"), "{err}");
}

#[test]
fn zero_intervals_are_rejected() {
    let err = load(&format!("{MINIMAL}scanInactiveMasterInterval=0\n")).unwrap_err();
    assert!(matches!(err, ConfigError::InvalidValue { ref key, .. } if key == "scanInactiveMasterInterval"));
}

#[test]
fn black_list_and_runtime_update() {
    let c = load(MINIMAL).unwrap().config;
    for key in ["configBlackList", "configStorePath", "rocketmqHome"] {
        assert!(c.is_black_listed(key), "{key}");
    }
    assert!(!c.is_black_listed("enableElectUncleanMaster"));
    let update = Properties::parse_str("enableElectUncleanMaster=true\nfoo=bar\n", "update").unwrap();
    let next = c.updated(&update).unwrap();
    assert!(next.enable_elect_unclean_master);
    let bad = Properties::parse_str("electMasterMaxRetryCount=x\n", "update").unwrap();
    assert!(c.updated(&bad).is_err());
}
