//! End to end with the product's openraft log: controller nodes started as
//! `mqcontroller` starts them (`booster_controller::start`), 1 and 3 nodes on
//! loopback, talked to over remoting like brokers do.

mod server_support;

use std::time::{Duration, Instant};

use booster_conf::{ControllerConfig, Properties};
use booster_controller::ControllerHandle;
use booster_controller::ResponseCode as Rc;
use booster_remoting::headers::controller::*;
use booster_remoting::{RemotingClient, RemotingCommand, request};
use server_support::*;

const CALL_TIMEOUT: Duration = Duration::from_secs(6);
const LEADER_TIMEOUT: Duration = Duration::from_secs(30);

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn node_config(peers: &str, self_id: &str, store: &std::path::Path) -> ControllerConfig {
    let text = format!(
        "controllerDLegerGroup=group1\ncontrollerDLegerPeers={peers}\ncontrollerDLegerSelfId={self_id}\n\
         controllerStorePath={}\nscanNotActiveBrokerInterval=1000\nscanInactiveMasterInterval=1000\n",
        store.display()
    );
    ControllerConfig::load(Properties::parse_str(&text, "controller.conf").unwrap()).unwrap().config
}

async fn call(client: &RemotingClient, addr: &str, cmd: RemotingCommand) -> Option<RemotingCommand> {
    client.invoke(addr, cmd, CALL_TIMEOUT).await.ok()
}

async fn ok(client: &RemotingClient, addr: &str, cmd: RemotingCommand) -> RemotingCommand {
    let resp = call(client, addr, cmd).await.expect("controller answers");
    assert_eq!(resp.code, 0, "remark: {:?}", resp.remark);
    resp
}

fn metadata() -> RemotingCommand {
    RemotingCommand::request(request::CONTROLLER_GET_METADATA_INFO)
}

/// The address of a node that is leader *and* ready (a leader-only read
/// succeeds there), among `addrs`.
async fn ready_leader(client: &RemotingClient, addrs: &[String]) -> String {
    let deadline = Instant::now() + LEADER_TIMEOUT;
    loop {
        for addr in addrs {
            let Some(resp) = call(client, addr, metadata()).await else { continue };
            let h: GetMetaDataResponseHeader = header(&resp);
            if h.is_leader == Some(true) && call(client, addr, next_id()).await.is_some_and(|r| r.code == 0) {
                return addr.clone();
            }
        }
        assert!(Instant::now() < deadline, "no ready leader among {addrs:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Ids 1 and 2 through the leader; heartbeats to every node; 1 elected.
async fn register_group(client: &RemotingClient, leader: &str, all: &[String]) {
    for id in 1..=2 {
        let h: GetNextBrokerIdResponseHeader = header(&ok(client, leader, next_id()).await);
        assert_eq!(h.next_broker_id, Some(id));
        ok(client, leader, apply_id(id, &addr(id))).await;
        ok(client, leader, register(id, &addr(id))).await;
        for node in all {
            ok(client, node, heartbeat(Some(id), &addr(id))).await;
        }
    }
    ok(client, leader, elect(1)).await;
}

async fn master_of(client: &RemotingClient, leader: &str) -> (Option<i64>, Option<i32>) {
    let h: GetReplicaInfoResponseHeader = header(&ok(client, leader, replica_info(NAME)).await);
    (h.master_broker_id, h.master_epoch)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_node_serves_and_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let peer = format!("127.0.0.1:{}", free_port());
    let config = node_config(&format!("n0-{peer}"), "n0", dir.path());
    let node = booster_controller::start(config.clone()).await.unwrap();
    assert_eq!(node.local_addr().to_string(), peer, "serves on its own peer address");
    let client = RemotingClient::default();
    let all = [peer.clone()];
    let leader = ready_leader(&client, &all).await;
    register_group(&client, &leader, &all).await;
    assert_eq!(master_of(&client, &leader).await, (Some(1), Some(1)));
    let h: GetMetaDataResponseHeader = header(&ok(&client, &leader, metadata()).await);
    assert_eq!(h.controller_leader_address.as_deref(), Some(peer.as_str()));
    assert_eq!(h.peers, Some(format!("n0:{peer};")));

    node.shutdown().await;
    client.shutdown().await;
    let node = booster_controller::start(config).await.unwrap();
    let leader = ready_leader(&client, &all).await;
    assert_eq!(master_of(&client, &leader).await, (Some(1), Some(1)), "state replayed from the store");
    let h: GetNextBrokerIdResponseHeader = header(&ok(&client, &leader, next_id()).await);
    assert_eq!(h.next_broker_id, Some(3));
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_fail_over() {
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let addrs: Vec<String> = (0..3).map(|_| format!("127.0.0.1:{}", free_port())).collect();
    let peers: String = addrs.iter().enumerate().map(|(i, a)| format!("n{i}-{a};")).collect();
    let mut nodes: Vec<Option<ControllerHandle>> = Vec::new();
    for (i, dir) in dirs.iter().enumerate() {
        nodes.push(Some(
            booster_controller::start(node_config(&peers, &format!("n{i}"), dir.path())).await.unwrap(),
        ));
    }
    let client = RemotingClient::default();
    let leader = ready_leader(&client, &addrs).await;
    register_group(&client, &leader, &addrs).await;

    for follower in addrs.iter().filter(|a| **a != leader) {
        let resp = call(&client, follower, replica_info(NAME)).await.unwrap();
        assert_eq!(resp.code, Rc::ControllerNotLeader.code(), "leader-only on a follower");
        let h: GetMetaDataResponseHeader = header(&ok(&client, follower, metadata()).await);
        assert_eq!(h.is_leader, Some(false));
    }

    let index = addrs.iter().position(|a| *a == leader).unwrap();
    nodes[index].take().unwrap().shutdown().await;
    let survivors: Vec<String> = addrs.iter().filter(|a| **a != leader).cloned().collect();
    let new_leader = ready_leader(&client, &survivors).await;
    assert_eq!(
        master_of(&client, &new_leader).await,
        (Some(1), Some(1)),
        "committed state survives the leader"
    );
    let h: GetNextBrokerIdResponseHeader = header(&ok(&client, &new_leader, next_id()).await);
    assert_eq!(h.next_broker_id, Some(3));
    for node in nodes.into_iter().flatten() {
        node.shutdown().await;
    }
}
