//! The deployment files in `conf/samples/` load without errors or unknown
//! keys and describe one consistent controller-mode setup.

use std::path::{Path, PathBuf};

use booster_conf::{BrokerStartupConfig, ControllerConfig, NamesrvConfig, Properties};

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples").join(name)
}

#[test]
fn namesrv_with_embedded_controller() {
    let loaded = NamesrvConfig::load_file(&sample("namesrv-controller.conf")).unwrap();
    assert!(loaded.unknown_keys.is_empty(), "{:?}", loaded.unknown_keys);
    let controller = loaded.config.controller.expect("embedded controller");
    assert_eq!(controller.self_peer().unwrap().addr, "127.0.0.1:9877");
}

#[test]
fn three_controllers_share_one_peer_list() {
    let mut peers = Vec::new();
    for i in 0..3 {
        let props = Properties::read_file(sample(&format!("controller-n{i}.conf"))).unwrap();
        let loaded = ControllerConfig::load(props).unwrap();
        assert!(loaded.unknown_keys.is_empty(), "{:?}", loaded.unknown_keys);
        assert_eq!(loaded.config.self_peer().unwrap().id, format!("n{i}"));
        peers.push(loaded.config.peers());
    }
    assert!(peers.windows(2).all(|w| w[0] == w[1]));
}

#[test]
fn broker_replicas_are_controller_mode_slaves_on_distinct_ports() {
    let mut ports = Vec::new();
    for i in 1..=3 {
        let props = Properties::read_file(sample(&format!("broker-a-{i}.conf"))).unwrap();
        let c = BrokerStartupConfig::from_properties(props).unwrap();
        assert!(c.unknown_keys.is_empty(), "{:?}", c.unknown_keys);
        assert!(c.broker.enable_controller_mode && c.broker.all_ack_in_sync_state_set);
        assert_eq!((c.broker.broker_name.as_str(), c.broker.broker_id), ("broker-a", -1));
        assert_eq!(c.broker.controller_addr, "127.0.0.1:9877");
        ports.push(c.broker.listen_port);
    }
    assert_eq!(ports, [10911, 10921, 10931]);
}
