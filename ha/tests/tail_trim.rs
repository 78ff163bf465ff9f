//! Tail trim (spec/ha.md §6.4): a slave's CommitLog can end anywhere a
//! frame ended — inside a record or inside BLANK padding. Becoming master
//! (or reconnecting) cuts it back to the last whole record.

mod common;

use std::sync::Arc;

use booster_ha::{HaService, StaticProposer};
use booster_store::MessageStore;
use common::*;

/// A master store with `n` messages, and the offset of each record.
fn master_with(root: &std::path::Path, n: usize) -> (std::sync::Arc<MessageStore>, Vec<(i64, i64)>) {
    let store = MessageStore::open(store_config(root)).unwrap();
    let records = (0..n)
        .map(|i| {
            let r = store.append(&[message(i)]).unwrap();
            (r.wrote_offset, r.end_offset())
        })
        .collect();
    (store, records)
}

/// Copies `[0, to)` of `master` into `slave` the way HA frames would.
fn replicate(master: &MessageStore, slave: &MessageStore, to: i64) {
    let mut offset = slave.max_phy_offset();
    while offset < to {
        let chunk = master.commit_log().read_chunk(offset, 1000).unwrap();
        let n = chunk.len().min((to - offset) as usize);
        slave.append_raw(offset, &chunk[..n]).unwrap();
        offset += n as i64;
    }
}

#[test]
fn trims_a_record_cut_in_the_middle() {
    let (m, s) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (master, records) = master_with(m.path(), 50);
    let slave = MessageStore::open(store_config(s.path())).unwrap();
    let (start, end) = records[40];
    replicate(&master, &slave, start + (end - start) / 2);
    assert_eq!(slave.trim_tail().unwrap(), Some(start));
    assert_eq!(slave.max_phy_offset(), start);
    assert_eq!(slave.trim_tail().unwrap(), None, "already on a boundary");
    // The store continues from there, as master or as slave.
    replicate(&master, &slave, records[49].1);
    assert_eq!(commit_log_bytes(s.path(), 0, records[49].1), commit_log_bytes(m.path(), 0, records[49].1));
}

#[test]
fn trims_a_partly_received_blank_padding() {
    let (m, s) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (master, records) = master_with(m.path(), 600);
    // The first record of the second file tells where the padding of the
    // first file begins: right after the record before it.
    let second = records.iter().position(|r| r.0 >= FILE_SIZE as i64).unwrap();
    let blank = records[second - 1].1;
    assert!(blank < FILE_SIZE as i64);
    let slave = MessageStore::open(store_config(s.path())).unwrap();
    replicate(&master, &slave, blank + 12);
    assert_eq!(slave.trim_tail().unwrap(), Some(blank));
    // Only the marker (8 bytes) arrived: the marker is cut too.
    replicate(&master, &slave, blank + 4);
    assert_eq!(slave.trim_tail().unwrap(), Some(blank));
    // All of the padding arrived: nothing to trim.
    replicate(&master, &slave, FILE_SIZE as i64);
    assert_eq!(slave.trim_tail().unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slave_with_a_torn_tail_becomes_a_sound_master() {
    let (m, s) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (master, records) = master_with(m.path(), 100);
    // A running slave (no restart, so recovery does not help) holding a
    // torn last record.
    let store = open_store(s.path()).await;
    let (start, end) = records[70];
    replicate(&master, &store, end - 3);
    let ha = HaService::start(Arc::clone(&store), ha_config(), 2, Arc::new(StaticProposer)).await.unwrap();
    let node = Node { id: 2, root: s.path().to_path_buf(), store, ha };
    node.ha.become_master(2).await.unwrap();
    assert_eq!(node.store.max_phy_offset(), start);
    let entries: Vec<_> = node.ha.epoch_cache().entries().iter().map(|e| (e.epoch, e.start_offset)).collect();
    assert_eq!(entries, vec![(2, start)]);
    // Queue offsets continue after the replicated records (rebuilt table).
    let r = node.ha.put(&[message(0)], true).await.unwrap();
    assert_eq!(r.append.wrote_offset, start);
    let kept_in_queue_0 = (0..70).filter(|i| i % QUEUES == 0).count() as i64;
    assert_eq!(r.append.queue_offset, kept_in_queue_0);
    node.stop().await;
}
