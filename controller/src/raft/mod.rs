//! The controller's Raft shell (openraft): a replicated, durable log of
//! controller [`Event`]s applied to the shared [`Controller`](crate::Controller).
//!
//! DLedger semantics (spec §9.1): only the leader writes; a new leader is
//! *ready* only after an entry of its own term commits; nodes replay their
//! log on restart. Unlike DLedger we also snapshot the [`ReplicasState`]
//! every [`RaftConfig::snapshot_every_entries`] entries and purge the log
//! behind it, so restart replay is bounded.
//!
//! | file | owns |
//! |---|---|
//! | `types.rs` | openraft type configuration (entry = `Vec<Event>`) |
//! | `record.rs` | checksummed record framing of the log file (pure) |
//! | `log_store.rs` | durable log + vote (`RaftLogStorage`) |
//! | `state_machine.rs` | apply + snapshots (`RaftStateMachine`) |
//! | `rpc.rs`, `network.rs` | Raft RPCs as remoting commands, server / client side |
//! | `readiness.rs` | "ready leader" and metadata from metrics (pure) |
//!
//! Peers come parsed from `booster_conf` ([`DLedgerPeer`]); a node's Raft id
//! is its position in that list, so every node must list the same peers in
//! the same order (as DLedger requires anyway).
//!
//! [`ReplicasState`]: crate::ReplicasState

mod error;
mod log_store;
mod network;
mod readiness;
mod record;
mod rpc;
mod state_machine;
mod types;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use booster_conf::DLedgerPeer;
use booster_remoting::RemotingClient;
use openraft::error::{CheckIsLeaderError, ClientWriteError, InitializeError};
use openraft::{BasicNode, SnapshotPolicy};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use error::{RaftError, StoreError};
pub use log_store::LogStore;
pub use network::Network;
pub use readiness::{format_peers, is_ready_leader};
pub use rpc::{RaftRpc, code};
pub use state_machine::StateMachine;
pub use types::{NodeId, Raft, RaftMetrics, TypeConfig};

use crate::{Event, RaftMetadata, ReplicateError, Replicator, SharedController};

/// Settings of one controller's Raft node.
#[derive(Debug, Clone)]
pub struct RaftConfig {
    /// `controllerDLegerGroup`.
    pub group: String,
    /// `controllerDLegerPeers` ([`booster_conf::parse_dledger_peers`]); same order on every node.
    pub peers: Vec<DLedgerPeer>,
    /// `controllerDLegerSelfId`.
    pub self_id: String,
    /// `controllerStorePath`.
    pub store_path: PathBuf,
    pub heartbeat_interval: Duration,
    pub election_timeout_min: Duration,
    pub election_timeout_max: Duration,
    /// How long a write or read barrier may wait for a quorum (DLedger: 5 s).
    pub commit_timeout: Duration,
    /// Build a snapshot after this many entries since the last one.
    pub snapshot_every_entries: u64,
    /// Entries kept behind a snapshot, for followers that lag a little.
    pub entries_kept_after_snapshot: u64,
}

impl RaftConfig {
    /// A config with timings suited to a LAN or loopback.
    pub fn new(
        group: impl Into<String>,
        peers: Vec<DLedgerPeer>,
        self_id: impl Into<String>,
        store_path: PathBuf,
    ) -> Self {
        Self {
            group: group.into(),
            peers,
            self_id: self_id.into(),
            store_path,
            heartbeat_interval: Duration::from_millis(300),
            election_timeout_min: Duration::from_millis(1000),
            election_timeout_max: Duration::from_millis(2000),
            commit_timeout: Duration::from_secs(5),
            snapshot_every_entries: 1000,
            entries_kept_after_snapshot: 100,
        }
    }

    fn openraft_config(&self) -> Result<openraft::Config, RaftError> {
        openraft::Config {
            cluster_name: self.group.clone(),
            heartbeat_interval: millis(self.heartbeat_interval),
            election_timeout_min: millis(self.election_timeout_min),
            election_timeout_max: millis(self.election_timeout_max),
            snapshot_policy: SnapshotPolicy::LogsSinceLast(self.snapshot_every_entries),
            max_in_snapshot_log_to_keep: self.entries_kept_after_snapshot,
            // One chunk must fit a remoting frame even as a JSON number array.
            snapshot_max_chunk_size: 1024 * 1024,
            ..openraft::Config::default()
        }
        .validate()
        .map_err(|e| RaftError::Config(Box::new(e)))
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// A running Raft node of the controller; the [`Replicator`] the request
/// processors write through.
pub struct ControllerRaft {
    raft: Raft,
    id: NodeId,
    group: String,
    peers: Vec<DLedgerPeer>,
    commit_timeout: Duration,
    client: RemotingClient,
    ready: watch::Receiver<bool>,
    ready_task: JoinHandle<()>,
}

impl std::fmt::Debug for ControllerRaft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ControllerRaft")
            .field("id", &self.id)
            .field("group", &self.group)
            .finish_non_exhaustive()
    }
}

impl ControllerRaft {
    /// Opens the store, starts the node and, on a fresh store, proposes the
    /// initial membership (all peers). Requests for [`RaftRpc`] must reach
    /// [`Self::rpc`] on this node's peer address for it to take part.
    pub async fn start(config: RaftConfig, controller: SharedController) -> Result<Self, RaftError> {
        let id = config
            .peers
            .iter()
            .position(|peer| peer.id == config.self_id)
            .ok_or_else(|| RaftError::SelfNotInPeers(config.self_id.clone()))? as NodeId;
        let raft_config = Arc::new(config.openraft_config()?);
        let log_store = LogStore::open(&config.store_path)?;
        let state_machine = StateMachine::open(&config.store_path, controller)?;
        let client = RemotingClient::default();
        let raft = Raft::new(id, raft_config, Network::new(client.clone()), log_store, state_machine)
            .await
            .map_err(|e| RaftError::Core(e.to_string()))?;
        if !raft.is_initialized().await.map_err(|e| RaftError::Core(e.to_string()))? {
            let members: BTreeMap<NodeId, BasicNode> = config
                .peers
                .iter()
                .enumerate()
                .map(|(i, peer)| (i as NodeId, BasicNode::new(&peer.addr)))
                .collect();
            match raft.initialize(members).await {
                Ok(()) | Err(openraft::error::RaftError::APIError(InitializeError::NotAllowed(_))) => {}
                Err(e) => return Err(RaftError::Core(e.to_string())),
            }
        }
        let (ready_tx, ready) = watch::channel(false);
        let ready_task = tokio::spawn(track_readiness(raft.metrics(), ready_tx));
        Ok(Self {
            raft,
            id,
            group: config.group,
            peers: config.peers,
            commit_timeout: config.commit_timeout,
            client,
            ready,
            ready_task,
        })
    }

    /// The server side of this node's Raft RPCs, for the remoting router.
    pub fn rpc(&self) -> RaftRpc {
        RaftRpc::new(self.raft.clone())
    }

    /// `true` while this node is a ready leader; the server shell starts
    /// the leader-only scans on `true` and stops them on `false`.
    pub fn ready_leader(&self) -> watch::Receiver<bool> {
        self.ready.clone()
    }

    /// This node's id (its position in the peer list).
    pub fn node_id(&self) -> NodeId {
        self.id
    }

    /// openraft's metrics, for diagnostics and tests.
    pub fn metrics(&self) -> watch::Receiver<RaftMetrics> {
        self.raft.metrics()
    }

    /// Stops the node and closes its peer connections.
    pub async fn shutdown(&self) -> Result<(), RaftError> {
        let stopped = self.raft.shutdown().await.map_err(|e| RaftError::Core(e.to_string()));
        self.ready_task.abort();
        self.client.shutdown().await;
        stopped
    }

    fn check_ready(&self) -> Result<(), ReplicateError> {
        if is_ready_leader(&self.raft.metrics().borrow()) { Ok(()) } else { Err(ReplicateError::NotLeader) }
    }
}

impl Drop for ControllerRaft {
    fn drop(&mut self) {
        self.ready_task.abort();
    }
}

async fn track_readiness(mut metrics: watch::Receiver<RaftMetrics>, ready: watch::Sender<bool>) {
    loop {
        let now = is_ready_leader(&metrics.borrow_and_update());
        ready.send_if_modified(|was| std::mem::replace(was, now) != now);
        if metrics.changed().await.is_err() {
            ready.send_replace(false);
            return;
        }
    }
}

impl Replicator for ControllerRaft {
    async fn write(&self, events: Vec<Event>) -> Result<(), ReplicateError> {
        self.check_ready()?;
        match tokio::time::timeout(self.commit_timeout, self.raft.client_write(events)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(openraft::error::RaftError::APIError(ClientWriteError::ForwardToLeader(_)))) => {
                Err(ReplicateError::NotLeader)
            }
            Ok(Err(e)) => Err(ReplicateError::Failed(e.to_string())),
            Err(_) => Err(ReplicateError::Failed(format!("not committed within {:?}", self.commit_timeout))),
        }
    }

    async fn ensure_read(&self) -> Result<(), ReplicateError> {
        self.check_ready()?;
        match tokio::time::timeout(self.commit_timeout, self.raft.ensure_linearizable()).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(openraft::error::RaftError::APIError(CheckIsLeaderError::ForwardToLeader(_)))) => {
                Err(ReplicateError::NotLeader)
            }
            Ok(Err(e)) => Err(ReplicateError::Failed(e.to_string())),
            Err(_) => Err(ReplicateError::Failed(format!(
                "leadership not confirmed within {:?}",
                self.commit_timeout
            ))),
        }
    }

    fn metadata(&self) -> RaftMetadata {
        readiness::metadata(&self.raft.metrics().borrow(), &self.group, &self.peers)
    }
}
