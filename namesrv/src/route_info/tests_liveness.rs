//! Liveness: expiry, heartbeats, connection close and unregistration.

use booster_model::DataVersion;
use booster_remoting::headers::namesrv::UnRegisterBrokerRequestHeader;

use super::tests::{CLUSTER, T0, accepted, qd, reg, two_topics};
use super::*;

fn addr(a: &str) -> BrokerAddrInfo {
    BrokerAddrInfo::new(CLUSTER, a)
}

#[test]
fn a_broker_expires_one_millisecond_after_120_seconds() {
    let mut rim = RouteInfoManager::default();
    rim.register_broker(&reg("broker-a", "10.0.0.1:10911", 0, two_topics(1)), T0);
    assert!(rim.scan_not_active_brokers(T0 + 120_000).is_empty(), "exactly at the deadline it lives");
    assert!(rim.pickup_topic_route_data("TopicTest").is_some());

    let removed = rim.scan_not_active_brokers(T0 + 120_001);
    assert_eq!(removed.len(), 1);
    assert_eq!((removed[0].broker_name.as_str(), removed[0].broker_id), ("broker-a", 0));
    assert!(rim.pickup_topic_route_data("TopicTest").is_none());
    let info = rim.cluster_info();
    assert!(info.broker_addr_table.is_empty() && info.cluster_addr_table.is_empty());
    assert_eq!(rim.live_broker_count(), 0);
    assert!(rim.all_topic_list().topic_list.is_empty());
}

#[test]
fn heartbeats_and_registrations_extend_life() {
    let mut rim = RouteInfoManager::default();
    rim.register_broker(&reg("broker-a", "10.0.0.1:10911", 0, two_topics(1)), T0);
    assert!(rim.update_broker_info_update_timestamp(&addr("10.0.0.1:10911"), T0 + 100_000));
    assert!(!rim.update_broker_info_update_timestamp(&addr("10.9.9.9:1"), T0), "unknown brokers are ignored");
    assert!(rim.scan_not_active_brokers(T0 + 200_000).is_empty());
    assert_eq!(rim.scan_not_active_brokers(T0 + 220_001).len(), 1);
}

#[test]
fn a_registered_timeout_overrides_the_default() {
    let mut rim = RouteInfoManager::default();
    let mut r = reg("broker-a", "10.0.0.1:10911", 0, two_topics(1));
    r.heartbeat_timeout_ms = Some(10_000);
    rim.register_broker(&r, T0);
    assert!(rim.scan_not_active_brokers(T0 + 10_000).is_empty());
    assert_eq!(rim.scan_not_active_brokers(T0 + 10_001).len(), 1);
}

#[test]
fn data_version_queries() {
    let mut rim = RouteInfoManager::default();
    let a = addr("10.0.0.1:10911");
    let v1 = DataVersion { counter: 1, state_version: 0, timestamp: T0 };
    assert!(rim.is_broker_topic_config_changed(&a, Some(&v1)), "unknown broker: changed");
    rim.register_broker(&reg("broker-a", "10.0.0.1:10911", 0, two_topics(1)), T0);
    assert!(!rim.is_broker_topic_config_changed(&a, Some(&v1)));
    assert!(rim.is_broker_topic_config_changed(&a, Some(&DataVersion { counter: 2, ..v1 })));
    assert!(rim.is_broker_topic_config_changed(&a, None), "no version sent: changed");
    assert_eq!(rim.query_broker_topic_config(&a), Some(v1));
    assert_eq!(rim.query_broker_topic_config(&addr("x:1")), None);
}

#[test]
fn closing_a_connection_unregisters_only_its_brokers() {
    let mut rim = RouteInfoManager::default();
    let mut a = reg("broker-a", "10.0.0.1:10911", 0, two_topics(1));
    a.channel = Some(1);
    let mut b = reg("broker-b", "10.0.0.2:10911", 0, two_topics(1));
    b.channel = Some(2);
    rim.register_broker(&a, T0);
    rim.register_broker(&b, T0);
    assert!(rim.on_channel_destroy(99).is_empty());
    let removed = rim.on_channel_destroy(1);
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].broker_name, "broker-a");
    let route = rim.pickup_topic_route_data("TopicTest").unwrap();
    assert_eq!(route.broker_datas.len(), 1);
    assert_eq!(route.broker_datas[0].broker_name, "broker-b");
    assert!(qd(&rim, "TopicTest", "broker-a").is_none());
}

#[test]
fn losing_the_master_keeps_the_group_and_wipes_write_for_acting_master() {
    for acting in [false, true] {
        let mut rim = RouteInfoManager::default();
        let mut master = reg("broker-a", "10.0.0.1:10911", 0, two_topics(1));
        master.enable_acting_master = Some(acting);
        let mut slave = reg("broker-a", "10.0.0.2:10911", 1, two_topics(1));
        slave.enable_acting_master = Some(acting);
        rim.register_broker(&master, T0);
        rim.register_broker(&slave, T0);
        rim.unregister_brokers(&[UnRegisterBrokerRequestHeader {
            broker_name: "broker-a".into(),
            broker_addr: "10.0.0.1:10911".into(),
            cluster_name: CLUSTER.into(),
            broker_id: 0,
        }]);
        let route = rim.pickup_topic_route_data("TopicTest").unwrap();
        assert_eq!(route.broker_datas[0].broker_addrs, [(1, "10.0.0.2:10911".to_owned())].into());
        let perm = qd(&rim, "TopicTest", "broker-a").unwrap().perm;
        assert_eq!(perm, if acting { 4 } else { 6 }, "acting={acting}");
        // The slave's own registration result no longer names a master.
        let r = accepted(rim.register_broker(&slave, T0 + 1));
        assert_eq!(r.master_addr, None);
    }
}

#[test]
fn an_expired_master_is_no_longer_offered_to_slaves() {
    let mut rim = RouteInfoManager::default();
    rim.register_broker(&reg("broker-a", "10.0.0.1:10911", 0, two_topics(1)), T0);
    rim.register_broker(&reg("broker-a", "10.0.0.2:10911", 1, two_topics(1)), T0 + 60_000);
    let removed = rim.scan_not_active_brokers(T0 + 120_001);
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].broker_id, 0);
    let r = accepted(rim.register_broker(&reg("broker-a", "10.0.0.2:10911", 1, two_topics(1)), T0 + 120_002));
    assert_eq!((r.master_addr, r.ha_server_addr), (None, None));
    assert!(rim.pickup_topic_route_data("TopicTest").is_some(), "the slave's group still routes");
}

#[test]
fn a_liveness_record_whose_id_was_taken_over_still_expires() {
    let mut rim = RouteInfoManager::default();
    rim.register_broker(&reg("broker-a", "10.0.0.1:10911", 0, two_topics(1)), T0);
    // Another address takes id 0 (same stateVersion, so it is accepted).
    rim.register_broker(&reg("broker-a", "10.0.0.9:10911", 0, two_topics(1)), T0 + 100_000);
    assert_eq!(rim.live_broker_count(), 2);
    assert!(rim.scan_not_active_brokers(T0 + 120_001).is_empty(), "nothing to unregister...");
    assert_eq!(rim.live_broker_count(), 1, "...but the stale record is gone");
    assert!(rim.pickup_topic_route_data("TopicTest").is_some());
}

#[test]
fn unregistering_an_unknown_broker_is_harmless() {
    let mut rim = RouteInfoManager::default();
    rim.register_broker(&reg("broker-a", "10.0.0.1:10911", 0, two_topics(1)), T0);
    rim.unregister_brokers(&[UnRegisterBrokerRequestHeader {
        broker_name: "ghost".into(),
        broker_addr: "10.9.9.9:1".into(),
        cluster_name: CLUSTER.into(),
        broker_id: 0,
    }]);
    assert!(rim.pickup_topic_route_data("TopicTest").is_some());
    assert_eq!(rim.live_broker_count(), 1);
}
