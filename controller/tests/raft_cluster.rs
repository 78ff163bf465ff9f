//! Controller Raft clusters on 127.0.0.1: election, replication to every
//! `Controller`, NotLeader on followers, failover, restart by replay and by
//! snapshot, and the single-node deployment.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use booster_conf::DLedgerPeer;
use booster_controller::raft::{ControllerRaft, RaftConfig, RaftRpc, code};
use booster_controller::{
    Controller, ControllerConfig, Event, ReplicasState, ReplicateError, Replicator, SharedController,
};
use booster_remoting::connection::not_supported;
use booster_remoting::{BoxFuture, Connection, RemotingCodec, RemotingCommand, RemotingServer, Router};
use parking_lot::RwLock;
use tempfile::TempDir;

const WAIT: Duration = Duration::from_secs(20);

/// Serves only the Raft codes, once a node is running behind it, and
/// counts the snapshot chunks it receives.
#[derive(Default)]
struct RaftOnly {
    rpc: RwLock<Option<RaftRpc>>,
    snapshot_chunks: AtomicUsize,
}

impl Router for RaftOnly {
    fn route(&self, _conn: Connection, request: RemotingCommand) -> BoxFuture<Option<RemotingCommand>> {
        if request.code == code::INSTALL_SNAPSHOT {
            self.snapshot_chunks.fetch_add(1, Ordering::Relaxed);
        }
        let rpc = self.rpc.read().clone().filter(|_| RaftRpc::handles(request.code));
        Box::pin(async move {
            Some(match rpc {
                Some(rpc) => rpc.handle(request).await,
                None => not_supported(&request),
            })
        })
    }
}

struct Node {
    _server: RemotingServer,
    router: Arc<RaftOnly>,
    config: RaftConfig,
    controller: SharedController,
    raft: Option<ControllerRaft>,
}

impl Node {
    /// Starts (or restarts) the node with a fresh, empty controller.
    async fn start(&mut self) {
        self.controller = fresh_controller();
        let raft = ControllerRaft::start(self.config.clone(), Arc::clone(&self.controller))
            .await
            .expect("start raft");
        *self.router.rpc.write() = Some(raft.rpc());
        self.raft = Some(raft);
    }

    async fn stop(&mut self) {
        *self.router.rpc.write() = None;
        if let Some(raft) = self.raft.take() {
            raft.shutdown().await.expect("shutdown");
        }
    }

    fn raft(&self) -> &ControllerRaft {
        self.raft.as_ref().expect("node is running")
    }

    fn state(&self) -> ReplicasState {
        self.controller.lock().state().clone()
    }
}

fn fresh_controller() -> SharedController {
    Arc::new(parking_lot::Mutex::new(Controller::new(ControllerConfig::default())))
}

struct Cluster {
    nodes: Vec<Node>,
    _dir: TempDir,
}

impl Cluster {
    async fn start(size: usize, tweak: impl Fn(&mut RaftConfig)) -> Cluster {
        let dir = tempfile::tempdir().unwrap();
        let mut servers = Vec::new();
        for _ in 0..size {
            let router = Arc::new(RaftOnly::default());
            let server = RemotingServer::bind(
                "127.0.0.1:0".parse().unwrap(),
                RemotingCodec::default(),
                Arc::clone(&router) as Arc<dyn Router>,
            )
            .await
            .unwrap();
            servers.push((server, router));
        }
        let peers: Vec<DLedgerPeer> = servers
            .iter()
            .enumerate()
            .map(|(i, (s, _))| DLedgerPeer { id: format!("n{i}"), addr: s.local_addr().to_string() })
            .collect();
        let mut nodes = Vec::new();
        for (i, (server, router)) in servers.into_iter().enumerate() {
            let mut config =
                RaftConfig::new("group1", peers.clone(), format!("n{i}"), dir.path().join(format!("n{i}")));
            tweak(&mut config);
            nodes.push(Node { _server: server, router, config, controller: fresh_controller(), raft: None });
        }
        for node in &mut nodes {
            node.start().await;
        }
        Cluster { nodes, _dir: dir }
    }

    /// The one running node that is a ready leader, waiting for it.
    async fn leader(&self) -> usize {
        wait_for("a ready leader", || {
            let ready: Vec<usize> =
                self.running().filter(|&i| self.nodes[i].raft().metadata().is_leader).collect();
            (ready.len() == 1).then(|| ready[0])
        })
        .await
    }

    /// Writes `events` through the current leader, retrying on NotLeader
    /// (leadership may move under load, as brokers also see); returns the
    /// node that committed them.
    async fn write(&self, events: Vec<Event>) -> usize {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let leader = self.leader().await;
            match self.nodes[leader].raft().write(events.clone()).await {
                Ok(()) => return leader,
                Err(ReplicateError::NotLeader) if tokio::time::Instant::now() < deadline => {}
                Err(e) => panic!("write through n{leader}: {e}"),
            }
        }
    }

    fn running(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.nodes.len()).filter(|&i| self.nodes[i].raft.is_some())
    }

    /// Waits until every running controller holds `expected`.
    async fn converged(&self, expected: &ReplicasState) {
        wait_for("every controller to apply the log", || {
            self.running().all(|i| self.nodes[i].state() == *expected).then_some(())
        })
        .await
    }

    async fn stop_all(&mut self) {
        for node in &mut self.nodes {
            node.stop().await;
        }
    }
}

async fn wait_for<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(v) = probe() {
            return v;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn apply_id(broker: &str, id: i64) -> Event {
    Event::ApplyBrokerId {
        cluster_name: "DefaultCluster".into(),
        broker_name: broker.into(),
        broker_address: format!("10.0.0.{id}:10911"),
        new_broker_id: id,
        register_check_code: format!("10.0.0.{id}:10911;{id}"),
    }
}

fn elect(broker: &str, id: i64) -> Event {
    Event::ElectMaster { broker_name: broker.into(), new_master_broker_id: Some(id) }
}

/// What a controller holds after `events`, computed without Raft.
fn expected(events: &[Event]) -> ReplicasState {
    let mut state = ReplicasState::new();
    state.apply_all(events);
    state
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_elect_a_leader_and_replicate_to_every_controller() {
    let cluster = Cluster::start(3, |_| {}).await;
    let events = vec![apply_id("broker-a", 1), apply_id("broker-a", 2), elect("broker-a", 1)];
    cluster.write(events[..2].to_vec()).await;
    let leader = cluster.write(events[2..].to_vec()).await;
    assert_eq!(cluster.nodes[leader].state(), expected(&events), "applied on the leader when write returns");
    cluster.converged(&expected(&events)).await;
    let sync = &cluster.nodes[leader].state().get("broker-a").unwrap().sync.clone();
    assert_eq!((sync.master_broker_id, sync.master_epoch), (Some(1), 1));
    assert_eq!(sync.sync_state_set, BTreeSet::from([1]));

    cluster.nodes[leader].raft().ensure_read().await.unwrap();
    let leader_addr = cluster.nodes[leader].config.peers[leader].addr.clone();
    for follower in cluster.running().filter(|&i| i != leader) {
        let raft = cluster.nodes[follower].raft();
        assert_eq!(raft.write(vec![elect("broker-a", 2)]).await, Err(ReplicateError::NotLeader));
        assert_eq!(raft.ensure_read().await, Err(ReplicateError::NotLeader));
        let md = wait_for("the follower to learn the leader", || {
            let md = raft.metadata();
            (md.leader_addr.as_deref() == Some(leader_addr.as_str())).then_some(md)
        })
        .await;
        assert_eq!(md.leader_id, Some(format!("n{leader}")));
        assert!(!md.is_leader);
        assert_eq!(md.group, "group1");
        assert_eq!(md.peers.matches(';').count(), 3);
        assert!(!*raft.ready_leader().borrow());
    }
    assert!(*cluster.nodes[leader].raft().ready_leader().borrow());
    cluster.converged(&expected(&events)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_leader_takes_over_when_the_leader_stops_and_the_old_one_catches_up() {
    let mut cluster = Cluster::start(3, |_| {}).await;
    let mut events = vec![apply_id("broker-a", 1)];
    let first = cluster.write(events.clone()).await;

    cluster.nodes[first].stop().await;
    events.push(elect("broker-a", 1));
    let second = cluster.write(events[1..].to_vec()).await;
    assert_ne!(second, first);
    cluster.converged(&expected(&events)).await;

    cluster.nodes[first].start().await;
    cluster.converged(&expected(&events)).await;
    assert_eq!(cluster.nodes[first].state(), expected(&events));
    cluster.stop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_cluster_rebuilds_its_state_by_replaying_the_log() {
    let mut cluster = Cluster::start(3, |_| {}).await;
    let events = vec![apply_id("broker-a", 1), apply_id("broker-b", 1), elect("broker-a", 1)];
    for event in &events {
        cluster.write(vec![event.clone()]).await;
    }
    cluster.converged(&expected(&events)).await;
    cluster.stop_all().await;
    for node in &cluster.nodes {
        assert!(node.config.store_path.join("raft-log").exists());
        assert!(!node.config.store_path.join("raft-snapshot.json").exists(), "this test covers replay only");
    }

    for node in &mut cluster.nodes {
        node.start().await;
    }
    cluster.converged(&expected(&events)).await;
    cluster.write(vec![elect("broker-b", 1)]).await;
    let mut more = events.clone();
    more.push(elect("broker-b", 1));
    cluster.converged(&expected(&more)).await;
    cluster.stop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshots_bound_the_log_and_bring_back_lagging_and_restarted_nodes() {
    let mut cluster = Cluster::start(3, |c| {
        c.snapshot_every_entries = 4;
        c.entries_kept_after_snapshot = 0;
    })
    .await;
    let lagging = (cluster.leader().await + 1) % 3;
    cluster.nodes[lagging].stop().await;

    let events: Vec<Event> = (1..=12).map(|id| apply_id("broker-a", id)).collect();
    let mut leader = 0;
    for event in &events {
        leader = cluster.write(vec![event.clone()]).await;
    }
    cluster.converged(&expected(&events)).await;
    let metrics = cluster.nodes[leader].raft().metrics();
    wait_for("a snapshot and a purge past the lagging node's log on the leader", || {
        let m = metrics.borrow();
        (m.snapshot.is_some() && m.purged.is_some_and(|p| p.index >= 4)).then_some(())
    })
    .await;

    // The lagging node's missing entries are purged: it must install a snapshot.
    cluster.nodes[lagging].start().await;
    cluster.converged(&expected(&events)).await;
    let lagging_metrics = cluster.nodes[lagging].raft().metrics();
    wait_for("the lagging node to hold a snapshot", || {
        lagging_metrics.borrow().snapshot.is_some().then_some(())
    })
    .await;
    assert!(
        cluster.nodes[lagging].router.snapshot_chunks.load(Ordering::Relaxed) > 0,
        "caught up by snapshot"
    );

    cluster.stop_all().await;
    for node in &cluster.nodes {
        assert!(node.config.store_path.join("raft-snapshot.json").exists());
    }
    for node in &mut cluster.nodes {
        node.start().await;
    }
    cluster.converged(&expected(&events)).await;
    cluster.stop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_single_controller_is_a_working_cluster_and_survives_restarts() {
    let mut cluster = Cluster::start(1, |c| c.snapshot_every_entries = 3).await;
    assert_eq!(cluster.leader().await, 0);
    let events: Vec<Event> =
        (1..=5).map(|id| apply_id("broker-a", id)).chain([elect("broker-a", 3)]).collect();
    for event in &events {
        cluster.write(vec![event.clone()]).await;
    }
    cluster.nodes[0].raft().ensure_read().await.unwrap();
    assert_eq!(cluster.nodes[0].state(), expected(&events));
    let md = cluster.nodes[0].raft().metadata();
    assert!(md.is_leader);
    assert_eq!(md.peers, format!("n0:{};", cluster.nodes[0].config.peers[0].addr));

    cluster.nodes[0].stop().await;
    cluster.nodes[0].start().await;
    cluster.converged(&expected(&events)).await;
    assert_eq!(cluster.leader().await, 0);
    cluster.write(vec![elect("broker-a", 4)]).await;
    let sync = cluster.nodes[0].state().get("broker-a").unwrap().sync.clone();
    assert_eq!((sync.master_broker_id, sync.master_epoch), (Some(4), 2));
    cluster.stop_all().await;
}

#[tokio::test]
async fn a_self_id_outside_the_peer_list_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let peers = vec![DLedgerPeer { id: "n0".into(), addr: "127.0.0.1:1".into() }];
    let config = RaftConfig::new("g", peers, "n9", dir.path().to_owned());
    let err = ControllerRaft::start(config, fresh_controller()).await.unwrap_err();
    assert!(err.to_string().contains("n9"), "{err}");
}
