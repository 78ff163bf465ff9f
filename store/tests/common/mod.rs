//! Shared helpers for the store's integration tests.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use booster_conf::MessageStoreConfig;
use booster_store::record::{self, RecordCheck, RecordView};
use booster_store::{MessageStore, MessageToStore};
use bytes::Bytes;

/// A config with tiny files so tests cross file boundaries quickly.
pub fn small_config(root: &Path, commit_log_file_size: u64) -> MessageStoreConfig {
    MessageStoreConfig {
        mapped_file_size_commit_log: commit_log_file_size,
        mapped_file_size_consume_queue: 20 * 64,
        max_hash_slot_num: 64,
        max_index_num: 256,
        ..MessageStoreConfig::with_root(root)
    }
}

pub fn message(topic: &str, queue_id: i32, body: &[u8], tags: &str, keys: &str) -> MessageToStore {
    let mut props = Vec::new();
    if !tags.is_empty() {
        props.push(("TAGS", tags));
    }
    if !keys.is_empty() {
        props.push(("KEYS", keys));
    }
    MessageToStore {
        topic: topic.into(),
        queue_id,
        flag: 0,
        body: Bytes::copy_from_slice(body),
        properties: record::encode_properties(props),
        sys_flag: 0,
        born_timestamp: 1_700_000_000_000,
        born_host: "127.0.0.1:40000".parse::<SocketAddr>().unwrap(),
        store_host: "127.0.0.1:10911".parse::<SocketAddr>().unwrap(),
        reconsume_times: 0,
        prepared_transaction_offset: 0,
    }
}

/// [`message`] with its own properties and sysFlag.
pub fn message_with_props(
    topic: &str,
    queue_id: i32,
    body: &[u8],
    props: &[(&str, &str)],
    sys_flag: i32,
) -> MessageToStore {
    MessageToStore {
        properties: record::encode_properties(props.iter().copied()),
        sys_flag,
        ..message(topic, queue_id, body, "", "")
    }
}

pub fn open(config: &MessageStoreConfig) -> Arc<MessageStore> {
    MessageStore::open(config.clone()).expect("store opens")
}

/// Every record of a queue as (queue offset, raw bytes).
pub fn queue_records(store: &MessageStore, topic: &str, queue_id: i32) -> Vec<(i64, Bytes)> {
    let mut out = Vec::new();
    let mut offset = store.min_offset_in_queue(topic, queue_id);
    loop {
        let r = store.get_messages(topic, queue_id, offset, 32, usize::MAX, &|_| true);
        if r.messages.is_empty() {
            return out;
        }
        for m in r.messages {
            let RecordCheck::Record(v) = record::check_record(&m, true) else {
                panic!("bad record in queue")
            };
            out.push((v.queue_offset, m.clone()));
        }
        offset = r.next_begin_offset;
    }
}

/// The record at the start of `bytes` (CRC checked); panics if it is not one.
pub fn view(bytes: &[u8]) -> RecordView<'_> {
    match record::check_record(bytes, true) {
        RecordCheck::Record(v) => v,
        other => panic!("not a record: {other:?}"),
    }
}

pub fn body_of(bytes: &[u8]) -> Vec<u8> {
    view(bytes).body.to_vec()
}

/// Marks the store as crashed: the next open runs abnormal recovery.
pub fn mark_crashed(config: &MessageStoreConfig) {
    std::fs::write(config.abort_path(), b"1").unwrap();
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Waits (bounded) until `cond` holds.
pub fn wait_until(what: &str, cond: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Waits (bounded) until the dispatcher has caught up with the CommitLog.
pub fn wait_dispatched(store: &MessageStore) {
    wait_until("dispatch to catch up", || store.dispatched_offset() >= store.max_phy_offset());
}

/// Gives the dispatcher time to do something it must not do.
pub fn settle() {
    std::thread::sleep(Duration::from_millis(100));
}
