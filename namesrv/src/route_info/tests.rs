//! Registration, routes and topic edits, with explicit time.

use booster_model::{DataVersion, TopicConfig, TopicConfigAndMappingSerializeWrapper, TopicQueueMappingInfo};

use super::*;

pub(crate) const T0: i64 = 1_700_000_000_000;
pub(crate) const CLUSTER: &str = "DefaultCluster";

/// A topic table at `counter` with `(name, queues, perm)` topics.
pub(crate) fn table(counter: i64, topics: &[(&str, i32, i32)]) -> TopicConfigAndMappingSerializeWrapper {
    let mut w = TopicConfigAndMappingSerializeWrapper {
        data_version: DataVersion { counter, state_version: 0, timestamp: T0 },
        ..Default::default()
    };
    for &(name, queues, perm) in topics {
        let mut tc = TopicConfig::new(name);
        tc.read_queue_nums = queues;
        tc.write_queue_nums = queues;
        tc.perm = perm;
        w.topic_config_table.insert(name.to_owned(), tc);
    }
    w
}

pub(crate) fn reg(
    name: &str,
    addr: &str,
    id: i64,
    w: TopicConfigAndMappingSerializeWrapper,
) -> RegisterBrokerRequest {
    RegisterBrokerRequest {
        cluster_name: CLUSTER.into(),
        broker_addr: addr.into(),
        broker_name: name.into(),
        broker_id: id,
        ha_server_addr: addr.replace(":10911", ":10912"),
        enable_acting_master: Some(false),
        topic_config: w,
        filter_server_list: Some(vec![]),
        channel: Some(7),
        ..Default::default()
    }
}

pub(crate) fn two_topics(counter: i64) -> TopicConfigAndMappingSerializeWrapper {
    table(counter, &[("TopicTest", 4, 6), ("TBW102", 8, 7)])
}

pub(crate) fn accepted(r: Registration) -> RegisterBrokerResult {
    match r {
        Registration::Accepted(result) => result,
        other => panic!("expected Accepted, got {other:?}"),
    }
}

pub(crate) fn qd(rim: &RouteInfoManager, topic: &str, broker: &str) -> Option<QueueData> {
    rim.pickup_topic_route_data(topic)?.queue_datas.into_iter().find(|q| q.broker_name == broker)
}

#[test]
fn master_registration_fills_every_table() {
    let mut rim = RouteInfoManager::default();
    let result = accepted(rim.register_broker(&reg("broker-a", "10.0.0.1:10911", 0, two_topics(1)), T0));
    assert_eq!(result, RegisterBrokerResult::default(), "a master gets no master address");

    let route = rim.pickup_topic_route_data("TopicTest").unwrap();
    assert_eq!(route.broker_datas.len(), 1);
    assert_eq!(route.broker_datas[0].broker_addrs, [(0, "10.0.0.1:10911".to_owned())].into());
    assert_eq!(route.broker_datas[0].cluster, CLUSTER);
    assert_eq!(
        route.queue_datas,
        vec![QueueData {
            broker_name: "broker-a".into(),
            perm: 6,
            read_queue_nums: 4,
            topic_sys_flag: 0,
            write_queue_nums: 4
        }]
    );
    assert!(route.filter_server_table.is_empty() && route.topic_queue_mapping_by_broker.is_none());
    assert_eq!(qd(&rim, "TBW102", "broker-a").unwrap().perm, 7);

    let info = rim.cluster_info();
    assert_eq!(info.cluster_addr_table[CLUSTER], ["broker-a".to_owned()].into());
    let live = rim.live_info(&BrokerAddrInfo::new(CLUSTER, "10.0.0.1:10911")).unwrap();
    assert_eq!(live.last_update_timestamp_ms, T0);
    assert_eq!(live.heartbeat_timeout_ms, BROKER_CHANNEL_EXPIRED_TIME_MS);
    assert_eq!(live.ha_server_addr, "10.0.0.1:10912");
    assert_eq!(live.channel, Some(7));
    assert_eq!(live.data_version.counter, 1);
}

#[test]
fn unknown_topic_has_no_route() {
    let mut rim = RouteInfoManager::default();
    assert!(rim.pickup_topic_route_data("TopicTest").is_none());
    rim.register_broker(&reg("broker-a", "10.0.0.1:10911", 0, two_topics(1)), T0);
    assert!(rim.pickup_topic_route_data("Nope").is_none());
}

#[test]
fn re_registration_with_the_same_version_does_not_rewrite_known_routes() {
    let mut rim = RouteInfoManager::default();
    rim.register_broker(&reg("broker-a", "10.0.0.1:10911", 0, two_topics(1)), T0);
    // Same DataVersion, different content: the name server trusts the version.
    let mut same = two_topics(1);
    same.topic_config_table.get_mut("TopicTest").unwrap().write_queue_nums = 2;
    same.topic_config_table.insert("NewTopic".into(), TopicConfig::new("NewTopic"));
    rim.register_broker(&reg("broker-a", "10.0.0.1:10911", 0, same.clone()), T0 + 30_000);
    assert_eq!(qd(&rim, "TopicTest", "broker-a").unwrap().write_queue_nums, 4);
    // ...but a topic it has no route for yet is added.
    assert_eq!(qd(&rim, "NewTopic", "broker-a").unwrap().write_queue_nums, 16);
    let live = rim.live_info(&BrokerAddrInfo::new(CLUSTER, "10.0.0.1:10911")).unwrap();
    assert_eq!(live.last_update_timestamp_ms, T0 + 30_000, "liveness refreshed");

    // A newer DataVersion applies every topic.
    let mut newer = same;
    newer.data_version.counter = 2;
    rim.register_broker(&reg("broker-a", "10.0.0.1:10911", 0, newer), T0 + 60_000);
    assert_eq!(qd(&rim, "TopicTest", "broker-a").unwrap().write_queue_nums, 2);
}

#[test]
fn slave_learns_the_live_master() {
    let mut rim = RouteInfoManager::default();
    // Slave first: no master yet.
    let r = accepted(rim.register_broker(&reg("broker-a", "10.0.0.2:10911", 1, two_topics(1)), T0));
    assert_eq!(r, RegisterBrokerResult::default());
    rim.register_broker(&reg("broker-a", "10.0.0.1:10911", 0, two_topics(1)), T0);
    let r = accepted(rim.register_broker(&reg("broker-a", "10.0.0.2:10911", 1, two_topics(1)), T0 + 1));
    assert_eq!(r.master_addr.as_deref(), Some("10.0.0.1:10911"));
    assert_eq!(r.ha_server_addr.as_deref(), Some("10.0.0.1:10912"));
    let group = &rim.cluster_info().broker_addr_table["broker-a"];
    assert_eq!(group.broker_addrs.len(), 2);
}

#[test]
fn slaves_do_not_write_routes_unless_prime_and_acting() {
    let mut rim = RouteInfoManager::default();
    let mut old_slave = reg("broker-a", "10.0.0.2:10911", 1, two_topics(1));
    old_slave.enable_acting_master = None;
    rim.register_broker(&old_slave, T0);
    assert!(rim.pickup_topic_route_data("TopicTest").is_none(), "an old slave never writes routes");

    // A new-version slave with the lowest id is the prime slave: it writes,
    // and with enableActingMaster its queues lose WRITE.
    let mut rim = RouteInfoManager::default();
    let mut acting = reg("broker-b", "10.0.0.3:10911", 2, two_topics(1));
    acting.enable_acting_master = Some(true);
    rim.register_broker(&acting, T0);
    assert_eq!(qd(&rim, "TopicTest", "broker-b").unwrap().perm, 4);
    assert!(rim.cluster_info().broker_addr_table["broker-b"].enable_acting_master);

    let mut rim = RouteInfoManager::default();
    rim.register_broker(&reg("broker-c", "10.0.0.4:10911", 1, two_topics(1)), T0);
    assert_eq!(
        qd(&rim, "TopicTest", "broker-c").unwrap().perm,
        6,
        "prime slave without acting master keeps perm"
    );
}

#[test]
fn role_switch_keeps_one_id_per_address() {
    let mut rim = RouteInfoManager::default();
    rim.register_broker(&reg("broker-a", "10.0.0.2:10911", 1, two_topics(1)), T0);
    rim.register_broker(&reg("broker-a", "10.0.0.2:10911", 0, two_topics(2)), T0 + 1);
    let group = &rim.cluster_info().broker_addr_table["broker-a"];
    assert_eq!(group.broker_addrs, [(0, "10.0.0.2:10911".to_owned())].into());
}

#[test]
fn a_newer_state_version_holds_its_broker_id() {
    let mut rim = RouteInfoManager::default();
    let mut a = reg("broker-a", "10.0.0.1:10911", 0, two_topics(1));
    a.topic_config.data_version.state_version = 5;
    rim.register_broker(&a, T0);

    let mut b = reg("broker-a", "10.0.0.9:10911", 0, two_topics(1));
    b.topic_config.data_version.state_version = 3;
    assert_eq!(rim.register_broker(&b, T0 + 1), Registration::Conflict);
    let group = &rim.cluster_info().broker_addr_table["broker-a"];
    assert_eq!(group.broker_addrs[&0], "10.0.0.1:10911");
    assert!(rim.live_info(&BrokerAddrInfo::new(CLUSTER, "10.0.0.9:10911")).is_none());

    b.topic_config.data_version.state_version = 5;
    accepted(rim.register_broker(&b, T0 + 2));
    assert_eq!(rim.cluster_info().broker_addr_table["broker-a"].broker_addrs[&0], "10.0.0.9:10911");
}

/// spec/controller.md §11.7 through a whole failover: A (master, epoch 1)
/// and B (slave id 2); the controller makes B master at epoch 2. A slave
/// registering before the new master gets no HA address; a stale A claiming
/// id 0 again with epoch 1 is ignored and dropped from the live table; as
/// slave id 1 at epoch 2 it is told B's HA address.
#[test]
fn a_stale_master_cannot_reclaim_id_0_after_a_failover() {
    const A: &str = "10.0.0.1:10911";
    const B: &str = "10.0.0.2:10911";
    let at = |addr: &str, id: i64, state_version: i64| {
        let mut r = reg("broker-a", addr, id, two_topics(1));
        r.topic_config.data_version.state_version = state_version;
        r
    };
    let ids = |rim: &RouteInfoManager| rim.cluster_info().broker_addr_table["broker-a"].broker_addrs.clone();
    let mut rim = RouteInfoManager::default();
    accepted(rim.register_broker(&at(A, 0, 1), T0));
    let b_as_slave = accepted(rim.register_broker(&at(B, 2, 1), T0));
    assert_eq!(b_as_slave.ha_server_addr.as_deref(), Some("10.0.0.1:10912"));

    // A hears of the failover first: as id 1 it learns no master yet.
    let early = accepted(rim.register_broker(&at(A, 1, 2), T0 + 1));
    assert_eq!((early.ha_server_addr, early.master_addr), (None, None));
    accepted(rim.register_broker(&at(B, 0, 2), T0 + 2));
    assert_eq!(ids(&rim), [(0, B.to_owned()), (1, A.to_owned())].into());

    // A stale A (still at epoch 1) claims id 0 again: ignored.
    assert_eq!(rim.register_broker(&at(A, 0, 1), T0 + 3), Registration::Conflict);
    assert_eq!(ids(&rim)[&0], B);
    assert!(rim.live_info(&BrokerAddrInfo::new(CLUSTER, A)).is_none());

    let follower = accepted(rim.register_broker(&at(A, 1, 2), T0 + 4));
    assert_eq!(follower.ha_server_addr.as_deref(), Some("10.0.0.2:10912"));
    assert_eq!(follower.master_addr.as_deref(), Some(B));
    assert_eq!(ids(&rim), [(0, B.to_owned()), (1, A.to_owned())].into());
}

#[test]
fn single_topic_registration_of_an_unknown_broker_is_refused() {
    let mut rim = RouteInfoManager::default();
    let one = table(1, &[("OnlyOne", 4, 6)]);
    assert_eq!(
        rim.register_broker(&reg("broker-a", "10.0.0.1:10911", 0, one.clone()), T0),
        Registration::Refused
    );
    assert!(rim.pickup_topic_route_data("OnlyOne").is_none());
    accepted(rim.register_broker(&reg("broker-a", "10.0.0.1:10911", 0, two_topics(1)), T0));
    // Once registered, a one-topic update is fine.
    let mut one = one;
    one.data_version.counter = 2;
    accepted(rim.register_broker(&reg("broker-a", "10.0.0.1:10911", 0, one), T0 + 1));
    assert!(rim.pickup_topic_route_data("OnlyOne").is_some());
}

#[test]
fn filter_servers_zone_and_mappings_show_in_routes() {
    let mut rim = RouteInfoManager::default();
    let mut r = reg("broker-a", "10.0.0.1:10911", 0, two_topics(1));
    r.filter_server_list = Some(vec!["10.0.0.1:9999".into()]);
    r.zone_name = Some("zone-a".into());
    let info =
        TopicQueueMappingInfo { topic: "TopicTest".into(), bname: "broker-a".into(), ..Default::default() };
    r.topic_config.topic_queue_mapping_info_map.insert("TopicTest".into(), info.clone());
    rim.register_broker(&r, T0);
    let route = rim.pickup_topic_route_data("TopicTest").unwrap();
    assert_eq!(route.filter_server_table["10.0.0.1:10911"], vec!["10.0.0.1:9999".to_owned()]);
    assert_eq!(route.broker_datas[0].zone_name.as_deref(), Some("zone-a"));
    assert_eq!(route.topic_queue_mapping_by_broker.unwrap()["broker-a"], info);
    // An empty list clears the filter servers; `None` leaves them alone.
    r.filter_server_list = None;
    rim.register_broker(&r, T0 + 1);
    assert_eq!(rim.pickup_topic_route_data("TopicTest").unwrap().filter_server_table.len(), 1);
    r.filter_server_list = Some(vec![]);
    rim.register_broker(&r, T0 + 2);
    assert!(rim.pickup_topic_route_data("TopicTest").unwrap().filter_server_table.is_empty());
}

#[test]
fn delete_topic_everywhere_or_per_cluster() {
    let mut rim = RouteInfoManager::default();
    rim.register_broker(&reg("broker-a", "10.0.0.1:10911", 0, two_topics(1)), T0);
    let mut other = reg("broker-x", "10.0.1.1:10911", 0, two_topics(1));
    other.cluster_name = "Other".into();
    rim.register_broker(&other, T0);
    assert_eq!(rim.pickup_topic_route_data("TopicTest").unwrap().queue_datas.len(), 2);

    rim.delete_topic("TopicTest", Some("Other"));
    let route = rim.pickup_topic_route_data("TopicTest").unwrap();
    assert_eq!(route.queue_datas.len(), 1);
    assert_eq!(route.queue_datas[0].broker_name, "broker-a");
    rim.delete_topic("TopicTest", Some("NoSuchCluster"));
    assert!(rim.pickup_topic_route_data("TopicTest").is_some());
    rim.delete_topic("TopicTest", Some(CLUSTER));
    assert!(rim.pickup_topic_route_data("TopicTest").is_none());
    rim.delete_topic("TBW102", None);
    assert!(rim.all_topic_list().topic_list.is_empty());
}

#[test]
fn registration_can_drop_topics_the_broker_no_longer_has() {
    let config = RouteConfig { delete_topic_with_broker_registration: true, ..Default::default() };
    let mut rim = RouteInfoManager::new(config);
    rim.register_broker(&reg("broker-a", "10.0.0.1:10911", 0, two_topics(1)), T0);
    rim.register_broker(
        &reg("broker-a", "10.0.0.1:10911", 0, table(2, &[("TBW102", 8, 7), ("X", 1, 6)])),
        T0,
    );
    assert!(rim.pickup_topic_route_data("TopicTest").is_none());
    assert!(rim.pickup_topic_route_data("X").is_some());
    // Off by default.
    let mut rim = RouteInfoManager::default();
    rim.register_broker(&reg("broker-a", "10.0.0.1:10911", 0, two_topics(1)), T0);
    rim.register_broker(
        &reg("broker-a", "10.0.0.1:10911", 0, table(2, &[("TBW102", 8, 7), ("X", 1, 6)])),
        T0,
    );
    assert!(rim.pickup_topic_route_data("TopicTest").is_some());
}

#[test]
fn acting_master_rewrite_when_supported() {
    let mut acting = reg("broker-a", "10.0.0.2:10911", 1, two_topics(1));
    acting.enable_acting_master = Some(true);
    let mut rim = RouteInfoManager::new(RouteConfig { support_acting_master: true, ..Default::default() });
    rim.register_broker(&acting, T0);
    let route = rim.pickup_topic_route_data("TopicTest").unwrap();
    assert_eq!(route.broker_datas[0].broker_addrs, [(0, "10.0.0.2:10911".to_owned())].into());
    // The tables themselves are untouched.
    assert_eq!(
        rim.cluster_info().broker_addr_table["broker-a"].broker_addrs.keys().copied().collect::<Vec<_>>(),
        [1]
    );

    let mut rim = RouteInfoManager::default();
    rim.register_broker(&acting, T0);
    assert_eq!(
        rim.pickup_topic_route_data("TopicTest").unwrap().broker_datas[0].broker_addrs.keys().next(),
        Some(&1)
    );
}

#[test]
fn topic_lists() {
    let mut rim = RouteInfoManager::default();
    let mut w = two_topics(1);
    w.topic_config_table.get_mut("TopicTest").unwrap().topic_sys_flag = 0x1;
    let mut unit_sub = TopicConfig::new("UnitSub");
    unit_sub.topic_sys_flag = 0x2;
    w.topic_config_table.insert("UnitSub".into(), unit_sub);
    rim.register_broker(&reg("broker-a", "10.0.0.1:10911", 0, w), T0);
    let mut other = reg("broker-x", "10.0.1.1:10911", 0, table(1, &[("OtherOnly", 1, 6), ("TBW102", 8, 7)]));
    other.cluster_name = "Other".into();
    rim.register_broker(&other, T0);

    let names = |l: booster_model::TopicList| l.topic_list.into_iter().collect::<Vec<_>>();
    assert_eq!(names(rim.all_topic_list()), ["OtherOnly", "TBW102", "TopicTest", "UnitSub"]);
    assert_eq!(names(rim.topics_by_cluster(CLUSTER)), ["TBW102", "TopicTest", "UnitSub"]);
    assert!(rim.topics_by_cluster("Nope").topic_list.is_empty());
    assert_eq!(names(rim.unit_topics()), ["TopicTest"]);
    assert_eq!(names(rim.has_unit_sub_topics()), ["UnitSub"]);
    assert_eq!(names(rim.has_unit_sub_un_unit_topics()), ["UnitSub"]);
    let system = rim.system_topic_list();
    assert_eq!(names(system.clone()), [CLUSTER, "Other", "broker-a", "broker-x"]);
    assert_eq!(system.broker_addr.as_deref(), Some("10.0.0.1:10911"));
    let group = rim.broker_member_group(CLUSTER, "broker-a");
    assert_eq!(group.broker_addrs, [(0, "10.0.0.1:10911".to_owned())].into());
    assert!(rim.broker_member_group(CLUSTER, "nope").broker_addrs.is_empty());
}

#[test]
fn write_perm_switches_and_register_topic() {
    let mut rim = RouteInfoManager::default();
    rim.register_broker(&reg("broker-a", "10.0.0.1:10911", 0, two_topics(1)), T0);
    assert_eq!(rim.wipe_write_perm_of_broker("broker-a"), 2);
    assert_eq!(qd(&rim, "TBW102", "broker-a").unwrap().perm, 5);
    assert_eq!(rim.add_write_perm_of_broker("broker-a"), 2);
    assert_eq!(qd(&rim, "TBW102", "broker-a").unwrap().perm, 6);
    assert_eq!(rim.wipe_write_perm_of_broker("nope"), 0);

    let q = QueueData {
        broker_name: "broker-a".into(),
        perm: 6,
        read_queue_nums: 2,
        topic_sys_flag: 0,
        write_queue_nums: 2,
    };
    rim.register_topic("Admin", std::slice::from_ref(&q));
    assert_eq!(qd(&rim, "Admin", "broker-a"), Some(q.clone()));
    let unknown = QueueData { broker_name: "ghost".into(), ..q };
    rim.register_topic("Ghost", &[unknown]);
    assert!(rim.pickup_topic_route_data("Ghost").is_none());
}
