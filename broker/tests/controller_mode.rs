//! Controller mode through whole brokers (spec/controller.md §11): two
//! in-process brokers with `enableControllerMode=true`, a name server and
//! the scripted fake controller of the controller-client tests, all on
//! 127.0.0.1 port 0. Fenced start, ids 1 and 2, master and slave with
//! replication and a SyncStateSet grown through ALTER_SYNC_STATE_SET, a
//! NOTIFY_BROKER_ROLE_CHANGED switch over the wire, GET_BROKER_EPOCH_CACHE;
//! a slave told of a failover before the new master registered, with a dead
//! address in `controllerAddr`.

mod common;
#[path = "../../controller-client/tests/common/fake_controller.rs"]
mod fake_controller;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use booster_broker::BrokerHandle;
use booster_conf::{BrokerStartupConfig, NamesrvConfig};
use booster_ha::Role;
use booster_model::controller::EpochEntryCache;
use booster_model::{TopicConfig, from_rocketmq_json};
use booster_namesrv::BrokerAddrInfo;
use booster_remoting::{RemotingClient, RemotingCommand, request};
use common::*;
use fake_controller::FakeGroup;

const TOPIC: &str = "CtlTopic";
const LIMIT: Duration = Duration::from_secs(30);

fn controlled(dir: &Path, controller: &str, namesrv: &str) -> BrokerStartupConfig {
    controlled_with(dir, controller, namesrv, "syncBrokerMetadataPeriod=200\n")
}

fn controlled_with(dir: &Path, controller: &str, namesrv: &str, more: &str) -> BrokerStartupConfig {
    let extra = format!(
        "enableControllerMode=true\ncontrollerAddr={controller}\nbrokerId=-1\nbrokerRole=SLAVE\n\
         allAckInSyncStateSet=true\nbrokerHeartbeatInterval=100\nhaSendHeartbeatInterval=100\n\
         haMaxTimeSlaveNotCatchup=2000\ncheckSyncStateSetPeriod=100\n{more}"
    );
    let mut c = config(dir, &extra);
    c.broker.namesrv_addr = Some(namesrv.to_owned());
    c
}

async fn start_broker(c: BrokerStartupConfig) -> BrokerHandle {
    let b = booster_broker::start(c).await.expect("broker starts");
    let topic = TopicConfig { read_queue_nums: 1, write_queue_nums: 1, ..TopicConfig::new(TOPIC) };
    b.context().topics.create_if_absent(topic, now_ms()).unwrap();
    b
}

fn send(i: usize) -> RemotingCommand {
    let p = props(&[("WAIT", "true"), ("KEYS", &format!("k{i}"))]);
    send_v2(send_header(TOPIC, 0, &p), format!("controlled-{i}").as_bytes())
}

async fn wait(what: &str, check: impl Fn() -> bool) {
    let ok = eventually_within(LIMIT, || async { check() }).await;
    assert!(ok, "timed out waiting for {what}");
}

async fn epoch_cache(client: &RemotingClient, b: &BrokerHandle) -> (i32, Option<EpochEntryCache>) {
    let req = RemotingCommand::request(request::GET_BROKER_EPOCH_CACHE);
    let resp = client.invoke(&addr(b), req, TIMEOUT).await.unwrap();
    let body = resp.body.as_ref().and_then(|b| from_rocketmq_json(std::str::from_utf8(b).ok()?).ok());
    (resp.code, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_controlled_brokers_replicate_and_switch_roles_on_notify() {
    let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    let ns_dir = tempfile::tempdir().unwrap();
    let namesrv = booster_namesrv::start(NamesrvConfig {
        listen_port: 0,
        bind_address: "127.0.0.1".into(),
        kv_config_path: ns_dir.path().join("kvConfig.json"),
        ..NamesrvConfig::default()
    })
    .await
    .unwrap();
    let ns = namesrv.local_addr().to_string();
    let group = FakeGroup::new();
    // No leader yet: the broker stays fenced.
    let node = group.node(false).await;
    let client = RemotingClient::default();

    let a = start_broker(controlled(dirs[0].path(), &node.addr, &ns)).await;
    let refused = client.invoke(&addr(&a), send(0), TIMEOUT).await.unwrap();
    assert_eq!(refused.code, 14, "SERVICE_NOT_AVAILABLE while fenced: {:?}", refused.remark);
    assert!(a.context().role.is_isolated());
    let (code, cache) = epoch_cache(&client, &a).await;
    assert_eq!((code, cache.unwrap().epoch_list.len()), (0, 0));

    node.set_leader(true);
    group.table.lock().leader = node.addr.clone();
    wait("a becomes master", || a.context().ha.role() == Role::Master { epoch: 1 }).await;
    wait("a registers as id 0", || a.context().role.name_server_id() == 0).await;
    assert!(!a.context().role.is_isolated());
    assert_eq!(
        std::fs::read_to_string(dirs[0].path().join("brokerIdentity")).unwrap(),
        "TestCluster#broker-a#1"
    );
    a.register_now().await;

    let b = start_broker(controlled(dirs[1].path(), &node.addr, &ns)).await;
    wait("b becomes slave", || b.context().ha.role() == Role::Slave { epoch: 1 }).await;
    wait("b registers as id 2", || b.context().role.name_server_id() == 2).await;
    assert!(b.context().is_slave());
    // B learns A's HA address from the name server, connects, catches up,
    // and A proposes {1, 2} to the controller.
    let set_of = |h: &BrokerHandle| h.context().ha.sync_state().map(|v| v.local).unwrap_or_default();
    wait("sync state set {1, 2}", || set_of(&a) == BTreeSet::from([1, 2])).await;
    assert_eq!(group.set("broker-a").unwrap().sync_state_set, BTreeSet::from([1, 2]));

    for i in 0..20 {
        let resp = client.invoke(&addr(&a), send(i), TIMEOUT).await.unwrap();
        assert_eq!(resp.code, 0, "send {i}: {:?}", resp.remark);
    }
    let a_max = a.context().store.max_phy_offset();
    wait("b holds everything", || b.context().store.max_phy_offset() == a_max).await;
    let refused = client.invoke(&addr(&b), send(99), TIMEOUT).await.unwrap();
    assert_eq!(refused.code, 2, "a slave refuses sends");

    // The controller elects B; NOTIFY to B first so that it registers as
    // id 0 before A's registration asks the name server for the master.
    let notify = group.switch_master("broker-a", 2);
    assert_eq!(FakeGroup::send(&addr(&b), notify.clone()).await.code, 0);
    wait("b registers as id 0", || b.context().role.name_server_id() == 0).await;
    b.register_now().await;
    assert_eq!(FakeGroup::send(&addr(&a), notify).await.code, 0);
    assert_eq!(a.context().ha.role(), Role::Slave { epoch: 2 });
    assert_eq!(b.context().ha.role(), Role::Master { epoch: 2 });
    wait("a registers as id 1", || a.context().role.name_server_id() == 1).await;

    let (code, cache) = epoch_cache(&client, &b).await;
    let cache = cache.unwrap();
    assert_eq!((code, cache.broker_id, cache.broker_name.as_str()), (0, 0, "broker-a"));
    let epochs: Vec<i32> = cache.epoch_list.iter().map(|e| e.epoch).collect();
    assert_eq!(epochs, vec![1, 2]);
    assert_eq!(cache.epoch_list[0].end_offset, a_max);
    assert_eq!(cache.max_offset, a_max);

    for i in 20..30 {
        let resp = client.invoke(&addr(&b), send(i), TIMEOUT).await.unwrap();
        assert_eq!(resp.code, 0, "send {i} to the new master: {:?}", resp.remark);
    }
    let b_max = b.context().store.max_phy_offset();
    wait("a follows the new master", || a.context().store.max_phy_offset() == b_max).await;

    for h in [a, b] {
        h.shutdown().await.unwrap();
    }
    namesrv.shutdown();
}

/// spec/controller.md §11.5–§11.7: the demoted master A hears of the
/// failover first; its registration reaches the name server while no
/// broker holds id 0, so the answer has no haServerAddr. It registers again
/// every second until B has registered as master, instead of waiting for
/// the periodic registration (60 s here; topics already agree, so the
/// slave metadata sync triggers none either). Both learn of the failover
/// from NOTIFY only (the replica-info poll is slowed down too). The first
/// controller address refuses connections throughout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demoted_master_learns_the_new_masters_ha_address_before_the_periodic_registration() {
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let (namesrv, ns) = start_namesrv(dirs[2].path()).await;
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    };
    let group = FakeGroup::new();
    let node = group.node(true).await;
    let controllers = format!("{dead};{}", node.addr);
    let slow = "registerNameServerPeriod=60000\nsyncBrokerMetadataPeriod=60000\n";
    let a = start_broker(controlled_with(dirs[0].path(), &controllers, &ns, slow)).await;
    wait("a becomes master", || a.context().ha.role() == Role::Master { epoch: 1 }).await;
    a.register_now().await;
    let b = start_broker(controlled_with(dirs[1].path(), &controllers, &ns, slow)).await;
    wait("b becomes slave", || b.context().ha.role() == Role::Slave { epoch: 1 }).await;
    let ha_of = |h: &BrokerHandle| format!("127.0.0.1:{}", h.context().ha.local_addr().port());
    wait("b follows a's HA address", || b.context().ha.master_ha_addr() == Some(ha_of(&a))).await;
    wait("b took a's topic table", || b.context().topics.data_version() == a.context().topics.data_version())
        .await;
    let heartbeats_to = |addr: &str| {
        group.table.lock().log.iter().filter(|(n, c, _)| n == addr && *c == request::BROKER_HEARTBEAT).count()
    };
    assert!(heartbeats_to(&node.addr) > 0, "heartbeats reach the live controller");

    let notify = group.switch_master("broker-a", 2);
    assert_eq!(FakeGroup::send(&addr(&a), notify.clone()).await.code, 0);
    assert_eq!(a.context().ha.role(), Role::Slave { epoch: 2 });
    assert_eq!(a.context().ha.master_ha_addr(), None, "no master registered as id 0 yet");
    let ns_ids = || {
        let state = namesrv.state();
        let routes = &state.lock().routes;
        routes.cluster_info().broker_addr_table.get("broker-a").map(|g| g.broker_addrs.clone())
    };
    wait("a registered as id 1 while no master is known", || {
        ns_ids().is_some_and(|ids| ids.get(&1) == Some(&addr(&a)) && !ids.contains_key(&0))
    })
    .await;
    assert_eq!(a.context().ha.master_ha_addr(), None);

    assert_eq!(FakeGroup::send(&addr(&b), notify).await.code, 0);
    wait("b registered as id 0", || ns_ids().is_some_and(|ids| ids.get(&0) == Some(&addr(&b)))).await;
    // §11.5/§11.7: B's registration carries stateVersion = masterEpoch.
    let live =
        namesrv.state().lock().routes.live_info(&BrokerAddrInfo::new("TestCluster", &addr(&b))).cloned();
    assert_eq!(live.map(|l| l.data_version.state_version), Some(2));
    wait("a follows b's HA address", || a.context().ha.master_ha_addr() == Some(ha_of(&b))).await;

    let resp = RemotingClient::default().invoke(&addr(&b), send(0), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 0, "{:?}", resp.remark);
    let b_max = b.context().store.max_phy_offset();
    wait("a replicates from b", || a.context().store.max_phy_offset() == b_max).await;
    for h in [a, b] {
        h.shutdown().await.unwrap();
    }
    namesrv.shutdown();
}

#[tokio::test]
async fn static_broker_refuses_get_broker_epoch_cache() {
    let dir = tempfile::tempdir().unwrap();
    let b = start(dir.path(), "").await;
    let (code, _) = epoch_cache(&RemotingClient::default(), &b).await;
    assert_eq!(code, 1, "SYSTEM_ERROR outside controller mode");
    let notify = RemotingCommand::request(request::NOTIFY_BROKER_ROLE_CHANGED);
    assert_eq!(FakeGroup::send(&addr(&b), notify).await.code, 1);
    b.shutdown().await.unwrap();
}
