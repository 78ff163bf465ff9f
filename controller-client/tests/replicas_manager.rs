//! The replicas manager against the scripted fake controller over real
//! sockets: ids, identity files, registration, election, slaves, NOTIFY,
//! leader re-discovery on 2007, SyncStateSet proposals.

#[path = "common/fake_controller.rs"]
mod fake_controller;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use booster_conf::MessageStoreConfig;
use booster_controller_client::api::BrokerNames;
use booster_controller_client::{
    BrokerRoleHooks, ControllerLink, ReplicasManager, ReplicasManagerConfig, RoleChange,
};
use booster_ha::{HaConfig, HaService, Proposal, Role, SyncStateSetProposer};
use booster_model::controller::SyncStateSet;
use booster_model::from_rocketmq_json;
use booster_remoting::header::CommandHeader;
use booster_remoting::headers::controller::NotifyBrokerRoleChangedRequestHeader;
use booster_remoting::{RemotingClient, request};
use booster_store::MessageStore;
use fake_controller::{FakeGroup, FakeNode};
use parking_lot::Mutex;

const NAME: &str = "broker-a";
/// Remoting addresses of the first and the second replica.
const A: &str = "127.0.0.1:10911";
const B: &str = "127.0.0.1:10921";
const WAIT: Duration = Duration::from_secs(15);

#[derive(Default)]
struct Recorder(Mutex<Vec<(bool, RoleChange)>>);

impl BrokerRoleHooks for Recorder {
    fn became_master(&self, change: &RoleChange) {
        self.0.lock().push((true, change.clone()));
    }
    fn became_slave(&self, change: &RoleChange) {
        self.0.lock().push((false, change.clone()));
    }
}

struct Replica {
    manager: Arc<ReplicasManager>,
    ha: Arc<HaService>,
    hooks: Arc<Recorder>,
    link: ControllerLink,
    identity: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

fn config(root: &Path, addr: &str, controllers: &[&str]) -> ReplicasManagerConfig {
    let ms = Duration::from_millis;
    ReplicasManagerConfig {
        names: BrokerNames { cluster_name: "c".into(), broker_name: NAME.into(), broker_addr: addr.into() },
        controller_addrs: controllers.iter().map(|a| a.to_string()).collect(),
        identity_path: root.join("brokerIdentity"),
        sync_broker_metadata_period: ms(200),
        // Long: re-discovery in these tests must come from 2007 answers.
        sync_controller_metadata_period: Duration::from_secs(60),
        heartbeat_interval: ms(100),
        heartbeat_timeout_ms: 10_000,
        election_priority: i32::MAX,
        retry_period: ms(200),
    }
}

async fn replica(addr: &str, controllers: &[&str]) -> Replica {
    replica_in(tempfile::tempdir().unwrap(), addr, controllers).await
}

async fn replica_in(dir: tempfile::TempDir, addr: &str, controllers: &[&str]) -> Replica {
    let store_config = MessageStoreConfig {
        mapped_file_size_commit_log: 64 * 1024,
        mapped_file_size_consume_queue: 20 * 1024,
        ..MessageStoreConfig::with_root(dir.path())
    };
    let store = MessageStore::open(store_config).unwrap();
    let cfg = config(dir.path(), addr, controllers);
    let link = ControllerLink::new(&cfg, RemotingClient::default());
    let ha_config = HaConfig {
        listen_addr: "127.0.0.1:0".into(),
        first_sync_state_check: Duration::from_millis(100),
        check_sync_state_set_period: Duration::from_millis(100),
        ..HaConfig::default()
    };
    let ha = Arc::new(HaService::start(store, ha_config, -1, link.proposer.clone()).await.unwrap());
    let hooks = Arc::new(Recorder::default());
    let manager = ReplicasManager::new(cfg, link.clone(), Arc::clone(&ha), hooks.clone());
    manager.start();
    Replica { manager, ha, hooks, link, identity: dir.path().join("brokerIdentity"), _dir: dir }
}

/// A replica whose store directory already holds `file` with `contents`;
/// not waited for.
async fn replica_with_file(file: &str, contents: &str, controllers: &[&str]) -> Replica {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(file), contents).unwrap();
    replica_in(dir, A, controllers).await
}

/// A fake controller group of one node, its leader.
async fn one_leader() -> (FakeGroup, FakeNode) {
    let group = FakeGroup::new();
    let node = group.node(true).await;
    (group, node)
}

/// A replica at `addr` of the group behind `node`, once running.
async fn started(addr: &str, node: &FakeNode) -> Replica {
    let r = replica(addr, &[&node.addr]).await;
    running(&r).await;
    r
}

/// The first replica (id 1, master) and then the second (id 2, slave).
async fn master_and_slave(node: &FakeNode) -> (Replica, Replica) {
    let a = started(A, node).await;
    let b = started(B, node).await;
    (a, b)
}

/// The identity file names `id` and no temp file is left.
fn assert_identity(r: &Replica, id: i64) {
    assert_eq!(std::fs::read_to_string(&r.identity).unwrap(), format!("c#{NAME}#{id}"));
    assert!(!r.identity.with_file_name("brokerIdentity-temp").exists());
}

async fn until(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !f() {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn running(r: &Replica) {
    let mut rx = r.manager.running();
    tokio::time::timeout(WAIT, rx.wait_for(|up| *up)).await.expect("manager running").unwrap();
}

#[tokio::test]
async fn fresh_broker_gets_id_1_registers_elects_itself_and_becomes_master() {
    let (group, node) = one_leader().await;
    let a = started(A, &node).await;

    assert_identity(&a, 1);
    assert_eq!(a.manager.controller_id(), Some(1));
    assert_eq!(a.ha.own_id(), 1);
    assert_eq!(a.ha.role(), Role::Master { epoch: 1 });
    assert_eq!(a.ha.epoch_cache().last_epoch(), 1);
    let hooks = a.hooks.0.lock().clone();
    assert_eq!(hooks.len(), 1);
    assert!(hooks[0].0);
    assert_eq!((hooks[0].1.controller_id, hooks[0].1.master_epoch), (1, 1));

    let codes = group.codes(None);
    let order: Vec<usize> = [
        request::CONTROLLER_GET_NEXT_BROKER_ID,
        request::CONTROLLER_APPLY_BROKER_ID,
        request::CONTROLLER_REGISTER_BROKER,
        request::BROKER_HEARTBEAT,
        request::CONTROLLER_ELECT_MASTER,
    ]
    .into_iter()
    .map(|c| codes.iter().position(|x| *x == c).unwrap_or_else(|| panic!("code {c} never sent: {codes:?}")))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "start-up order {codes:?}");
    let set = group.set(NAME).unwrap();
    assert_eq!(set.replicas[&1].1.split(';').next(), Some(A));

    // Heartbeats keep coming, carrying the controller id and the epoch.
    until("heartbeats", || group.requests(request::BROKER_HEARTBEAT).len() >= 3).await;
    let hb = group.requests(request::BROKER_HEARTBEAT).pop().unwrap();
    assert_eq!((hb["brokerId"].as_str(), hb["epoch"].as_str()), ("1", "1"));
    assert_eq!((hb["brokerName"].as_str(), hb["electionPriority"].as_str()), (NAME, "2147483647"));
    assert_eq!(hb["heartbeatTimeoutMills"], "10000");
    a.manager.shutdown().await;
}

#[tokio::test]
async fn second_replica_gets_id_2_follows_the_master_and_notify_switches_roles() {
    let (group, node) = one_leader().await;
    let (a, b) = master_and_slave(&node).await;
    assert_identity(&b, 2);
    assert_eq!(b.ha.role(), Role::Slave { epoch: 1 });
    let last = b.hooks.0.lock().last().cloned().unwrap();
    assert_eq!(
        last,
        (
            false,
            RoleChange { controller_id: 2, master_epoch: 1, master_broker_id: 1, master_address: A.into() }
        )
    );

    // The controller elects 2; both hear of it by NOTIFY.
    let notify = group.switch_master(NAME, 2);
    let header = NotifyBrokerRoleChangedRequestHeader::from_command(&notify).unwrap();
    let body: SyncStateSet =
        from_rocketmq_json(std::str::from_utf8(notify.body.as_ref().unwrap()).unwrap()).unwrap();
    b.manager.on_role_changed(&header, Some(body.clone())).await.unwrap();
    a.manager.on_role_changed(&header, Some(body.clone())).await.unwrap();
    assert_eq!(b.ha.role(), Role::Master { epoch: 2 });
    assert_eq!(a.ha.role(), Role::Slave { epoch: 2 });
    assert!(b.hooks.0.lock().last().unwrap().0);
    assert_eq!(a.hooks.0.lock().last().unwrap().1.master_address, B);
    assert_eq!(b.ha.sync_state().unwrap().epoch, body.sync_state_set_epoch);

    // A stale notification (same epoch) changes nothing.
    let hooks_before = a.hooks.0.lock().len();
    a.manager.on_role_changed(&header, Some(body)).await.unwrap();
    assert_eq!(a.hooks.0.lock().len(), hooks_before);

    assert_eq!(group.set(NAME).unwrap().next_id, 3);
    a.manager.shutdown().await;
    b.manager.shutdown().await;
}

#[tokio::test]
async fn poll_follows_an_election_the_broker_was_not_told_about() {
    let (group, node) = one_leader().await;
    let (a, b) = master_and_slave(&node).await;
    let _ = group.switch_master(NAME, 2);
    until("poll makes b master", || b.ha.role() == Role::Master { epoch: 2 }).await;
    until("poll makes a slave", || a.ha.role() == Role::Slave { epoch: 2 }).await;
    a.manager.shutdown().await;
    b.manager.shutdown().await;
}

#[tokio::test]
async fn not_leader_answer_makes_the_broker_find_the_new_leader_at_once() {
    let group = FakeGroup::new();
    let n1 = group.node(true).await;
    let n2 = group.node(false).await;
    let a = replica(A, &[&n1.addr, &n2.addr]).await;
    running(&a).await;
    let polls_at_n2 =
        || group.codes(Some(&n2.addr)).iter().filter(|c| **c == request::CONTROLLER_GET_REPLICA_INFO).count();
    assert_eq!(polls_at_n2(), 0);

    n1.set_leader(false);
    n2.set_leader(true);
    group.table.lock().leader = n2.addr.clone();
    // The metadata period is 60 s: only the 2007 answer can send polls to n2.
    until("polls reach the new leader", || polls_at_n2() >= 2).await;
    assert_eq!(a.link.api.leader().get().as_deref(), Some(n2.addr.as_str()));
    // Heartbeats go to every controller address.
    until("heartbeats to both", || {
        let hb = |n: &str| group.codes(Some(n)).contains(&request::BROKER_HEARTBEAT);
        hb(&n1.addr) && hb(&n2.addr)
    })
    .await;
    a.manager.shutdown().await;
}

/// spec/controller.md §9.3: an address that refuses connections (listed
/// first) costs each round one failed connect; discovery, registration,
/// heartbeats and the leader-only polls all go on with the live one.
#[tokio::test]
async fn a_dead_controller_address_holds_nothing_up() {
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    };
    let group = FakeGroup::new();
    let node = group.node(true).await;
    let a = replica(A, &[&dead, &node.addr]).await;
    running(&a).await;
    assert_eq!(a.ha.role(), Role::Master { epoch: 1 });
    assert_eq!(a.link.api.leader().get().as_deref(), Some(node.addr.as_str()));
    let count = |code| group.codes(Some(&node.addr)).iter().filter(|c| **c == code).count();
    let (beats, polls) = (count(request::BROKER_HEARTBEAT), count(request::CONTROLLER_GET_REPLICA_INFO));
    until("heartbeats keep reaching the live controller", || count(request::BROKER_HEARTBEAT) >= beats + 10)
        .await;
    until("polls keep reaching the leader", || count(request::CONTROLLER_GET_REPLICA_INFO) >= polls + 5)
        .await;
    a.manager.shutdown().await;
}

#[tokio::test]
async fn broker_starts_once_a_leader_appears() {
    let group = FakeGroup::new();
    let n1 = group.node(false).await;
    let a = replica(A, &[&n1.addr]).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(a.ha.role(), Role::Idle, "fenced while no leader is known");
    n1.set_leader(true);
    group.table.lock().leader = n1.addr.clone();
    running(&a).await;
    assert_eq!(a.ha.role(), Role::Master { epoch: 1 });
    a.manager.shutdown().await;
}

#[tokio::test]
async fn alter_proposals_round_trip_and_fencing_answers_are_errors() {
    let (group, node) = one_leader().await;
    let (a, b) = master_and_slave(&node).await;
    a.manager.shutdown().await;
    b.manager.shutdown().await;
    let epoch = group.set(NAME).unwrap().sync_state_set_epoch;

    let proposer = &a.link.proposer;
    let proposal = |master_epoch, set: &[i64], sse| Proposal {
        master_epoch,
        sync_state_set: set.iter().copied().collect::<BTreeSet<_>>(),
        sync_state_set_epoch: sse,
    };
    let accepted = proposer.propose(proposal(1, &[1, 2], epoch)).await.unwrap();
    assert_eq!((accepted.sync_state_set, accepted.epoch), ([1, 2].into(), epoch + 1));
    let alter = group.requests(request::CONTROLLER_ALTER_SYNC_STATE_SET).pop().unwrap();
    assert_eq!((alter["masterBrokerId"].as_str(), alter["masterEpoch"].as_str()), ("1", "1"));

    let stale_master = proposer.propose(proposal(0, &[1], epoch + 1)).await.unwrap_err();
    assert!(stale_master.0.contains("2000"), "{stale_master}");
    let stale_set = proposer.propose(proposal(1, &[1], epoch)).await.unwrap_err();
    assert!(stale_set.0.contains("2001"), "{stale_set}");
    group.table.lock().alter_override = Some(2007);
    let not_leader = proposer.propose(proposal(1, &[1], epoch + 1)).await.unwrap_err();
    assert!(not_leader.0.contains("2007"), "{not_leader}");
    assert_eq!(group.set(NAME).unwrap().sync_state_set, [1, 2].into());
}

#[tokio::test]
async fn master_tracker_converges_on_the_controllers_set() {
    let (group, node) = one_leader().await;
    let a = started(A, &node).await;
    // A lost ALTER answer: the controller holds a newer set; the poll
    // hands it to the master, whose shrink check then proposes it away
    // again (replica 2 never connected) — through the real proposer.
    {
        let mut t = group.table.lock();
        let set = t.sets.get_mut(NAME).unwrap();
        set.replicas.insert(2, (B.into(), "x".into()));
        set.sync_state_set = [1, 2].into();
        set.sync_state_set_epoch += 1;
    }
    let target = group.set(NAME).unwrap().sync_state_set_epoch;
    until("master applies the newer set", || a.ha.sync_state().is_some_and(|v| v.epoch >= target)).await;
    until("shrink accepted by the controller", || {
        let set = group.set(NAME).unwrap();
        set.sync_state_set == [1].into()
            && a.ha.sync_state().is_some_and(|v| v.epoch == set.sync_state_set_epoch)
    })
    .await;
    a.manager.shutdown().await;
}

#[tokio::test]
async fn a_set_lost_by_the_controller_makes_the_broker_register_again() {
    let (group, node) = one_leader().await;
    let a = started(A, &node).await;
    let registers = || group.requests(request::CONTROLLER_REGISTER_BROKER).len();
    assert_eq!(registers(), 1);
    // Cleaned controller data: GET_REPLICA_INFO answers 2008.
    group.table.lock().sets.clear();
    until("a new REGISTER_BROKER after 2008", || registers() >= 2).await;
    assert_eq!(a.manager.controller_id(), Some(1), "the id from the identity file is kept");
    a.manager.shutdown().await;
}

#[tokio::test]
async fn a_leftover_temp_file_is_applied_with_its_own_check_code() {
    let (group, node) = one_leader().await;
    let a = replica_with_file("brokerIdentity-temp", &format!("c#{NAME}#1#{A};5"), &[&node.addr]).await;
    running(&a).await;
    assert!(group.requests(request::CONTROLLER_GET_NEXT_BROKER_ID).is_empty());
    let apply = group.requests(request::CONTROLLER_APPLY_BROKER_ID).pop().unwrap();
    assert_eq!(apply["registerCheckCode"], format!("{A};5"));
    assert_identity(&a, 1);
    a.manager.shutdown().await;
}

#[tokio::test]
async fn an_identity_file_of_another_broker_stops_registration() {
    let (group, node) = one_leader().await;
    let a = replica_with_file("brokerIdentity", "c#broker-z#4", &[&node.addr]).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(group.requests(request::CONTROLLER_REGISTER_BROKER).is_empty());
    assert_eq!(a.ha.role(), Role::Idle);
    a.manager.shutdown().await;
}

#[tokio::test]
async fn a_restarted_replica_keeps_its_id() {
    let (group, node) = one_leader().await;
    {
        let mut t = group.table.lock();
        let set = fake_controller::BrokerSet {
            cluster: "c".into(),
            next_id: 2,
            replicas: [(1, (A.to_owned(), "old".to_owned()))].into(),
            ..Default::default()
        };
        t.sets.insert(NAME.into(), set);
    }
    let a = replica_with_file("brokerIdentity", &format!("c#{NAME}#1"), &[&node.addr]).await;
    running(&a).await;
    assert!(group.requests(request::CONTROLLER_GET_NEXT_BROKER_ID).is_empty());
    assert!(group.requests(request::CONTROLLER_APPLY_BROKER_ID).is_empty());
    assert_eq!((a.manager.controller_id(), a.ha.role()), (Some(1), Role::Master { epoch: 1 }));
    a.manager.shutdown().await;
}
