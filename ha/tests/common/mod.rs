//! Shared helpers for the HA integration tests: real stores in temp dirs
//! with small files, real TCP on loopback, bounded waits.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use booster_conf::MessageStoreConfig;
use booster_ha::{HaConfig, HaService, ReplicationPolicy, StaticProposer, SyncStateSetProposer};
use booster_model::record;
use booster_store::{MessageStore, MessageToStore, StoreError};
use bytes::Bytes;

pub const FILE_SIZE: u64 = 64 * 1024;
pub const TOPIC: &str = "HaTopic";
pub const QUEUES: i32 = 4;

pub fn store_config(root: &Path) -> MessageStoreConfig {
    MessageStoreConfig {
        mapped_file_size_commit_log: FILE_SIZE,
        mapped_file_size_consume_queue: 20 * 1024,
        max_hash_slot_num: 64,
        max_index_num: 256,
        ..MessageStoreConfig::with_root(root)
    }
}

/// Fast timings so failures and recoveries happen within a test.
pub fn ha_config() -> HaConfig {
    let ms = Duration::from_millis;
    HaConfig {
        listen_addr: "127.0.0.1:0".into(),
        heartbeat_interval: ms(100),
        housekeeping_interval: ms(3_000),
        max_time_slave_not_catchup: ms(1_000),
        check_sync_state_set_period: ms(100),
        first_sync_state_check: ms(100),
        reconnect_backoff: ms(100),
        handshake_timeout: ms(1_000),
        transfer_retry: ms(50),
        ..HaConfig::default()
    }
}

pub fn all_ack() -> ReplicationPolicy {
    ReplicationPolicy { all_ack: true, slave_timeout: Duration::from_secs(5), ..ReplicationPolicy::default() }
}

pub fn message(i: usize) -> MessageToStore {
    let body = format!("message-{i:06}-{}", "x".repeat(i % 200));
    MessageToStore {
        topic: TOPIC.into(),
        queue_id: (i % QUEUES as usize) as i32,
        flag: 0,
        body: Bytes::from(body),
        properties: record::encode_properties([("KEYS", format!("k{i}").as_str()), ("TAGS", "t")]),
        sys_flag: 0,
        born_timestamp: 1_700_000_000_000,
        born_host: "127.0.0.1:40000".parse::<SocketAddr>().unwrap(),
        store_host: "127.0.0.1:10911".parse::<SocketAddr>().unwrap(),
        reconsume_times: 0,
        prepared_transaction_offset: 0,
    }
}

/// Opens a store, retrying while a killed predecessor still holds the lock
/// (its aborted tasks release it as soon as the runtime drops them).
pub async fn open_store(root: &Path) -> Arc<MessageStore> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        match MessageStore::open(store_config(root)) {
            Ok(s) => return s,
            Err(StoreError::Locked(_)) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => panic!("open store {}: {e}", root.display()),
        }
    }
}

/// One broker: a store and its HA service.
pub struct Node {
    pub id: i64,
    pub root: PathBuf,
    pub store: Arc<MessageStore>,
    pub ha: HaService,
}

impl Node {
    pub async fn start(id: i64, root: &Path, config: HaConfig) -> Node {
        Self::start_with(id, root, config, Arc::new(StaticProposer)).await
    }

    pub async fn start_with(
        id: i64,
        root: &Path,
        config: HaConfig,
        proposer: Arc<dyn SyncStateSetProposer>,
    ) -> Node {
        let store = open_store(root).await;
        let ha = HaService::start(Arc::clone(&store), config, id, proposer).await.unwrap();
        Node { id, root: root.to_path_buf(), store, ha }
    }

    /// A node on an already open store.
    pub async fn on_store(id: i64, root: &Path, store: Arc<MessageStore>, config: HaConfig) -> Node {
        let ha = HaService::start(Arc::clone(&store), config, id, Arc::new(StaticProposer)).await.unwrap();
        Node { id, root: root.to_path_buf(), store, ha }
    }

    pub fn addr(&self) -> String {
        self.ha.local_addr().to_string()
    }

    /// Kills the node: every task aborted, sockets closed, no goodbye.
    pub fn kill(self) {
        drop(self);
    }

    pub async fn stop(self) {
        self.ha.shutdown().await;
    }

    pub fn sync_state_set(&self) -> BTreeSet<i64> {
        self.ha.sync_state().map(|v| v.local).unwrap_or_default()
    }

    pub async fn put_many(&self, range: std::ops::Range<usize>) {
        for i in range {
            let r = self.ha.put(&[message(i)], true).await.unwrap();
            assert_eq!(r.status, booster_ha::HaPutStatus::PutOk, "message {i}");
        }
    }
}

pub fn set(ids: &[i64]) -> BTreeSet<i64> {
    ids.iter().copied().collect()
}

/// Polls `cond` every 5 ms; panics after `limit`.
pub async fn wait_until(what: &str, limit: Duration, mut cond: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + limit;
    while !cond() {
        assert!(tokio::time::Instant::now() < deadline, "timed out after {limit:?} waiting for {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Bounds a future.
pub async fn bounded<T>(what: &str, limit: Duration, f: impl Future<Output = T>) -> T {
    tokio::time::timeout(limit, f).await.unwrap_or_else(|_| panic!("timed out after {limit:?}: {what}"))
}

/// The CommitLog bytes `[from, to)` read from the files on disk.
pub fn commit_log_bytes(root: &Path, from: i64, to: i64) -> Vec<u8> {
    let dir = store_config(root).commit_log_dir();
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let Ok(base) = path.file_name().unwrap().to_str().unwrap().parse::<i64>() else { continue };
        let data = std::fs::read(&path).unwrap();
        let (start, end) = (from.max(base), to.min(base + data.len() as i64));
        if start < end {
            out.extend_from_slice(&data[(start - base) as usize..(end - base) as usize]);
        }
    }
    out
}

/// Asserts two nodes hold identical CommitLog bytes in `[from, to)`.
pub fn assert_same_bytes(a: &Node, b: &Node, from: i64, to: i64) {
    let (x, y) = (commit_log_bytes(&a.root, from, to), commit_log_bytes(&b.root, from, to));
    assert_eq!(x.len() as i64, to - from, "node {} holds all of [{from}, {to})", a.id);
    assert_eq!(y.len() as i64, to - from, "node {} holds all of [{from}, {to})", b.id);
    if let Some(i) = x.iter().zip(&y).position(|(p, q)| p != q) {
        panic!("nodes {} and {} differ at offset {}", a.id, b.id, from + i as i64);
    }
}
