//! The confirm offset across a restart (spec/store.md §7.1, §8 step 8;
//! spec/ha.md §9.3): a replica reopened after a crash dispatches only what
//! was confirmed, whatever else the CommitLog holds, until the cap moves;
//! a standalone store still exposes everything it recovered, and so does
//! `readUnCommitted`.

mod common;

use std::os::unix::fs::FileExt;

use booster_conf::MessageStoreConfig;
use booster_store::{GetMessageStatus, MessageStore};
use common::*;

const FILE_SIZE: u64 = 4096;
const TOPIC: &str = "ConfirmAtOpen";

/// A replica that received `count` records (crossing a file boundary) of
/// which the first `confirmed` were confirmed, then crashed: the abort
/// marker stays and the ConsumeQueues and index were never flushed, so
/// reopening must rebuild them from the CommitLog. Returns its directory,
/// its config and each record's end.
fn crashed_replica(count: usize, confirmed: usize) -> (tempfile::TempDir, MessageStoreConfig, Vec<i64>) {
    let dir = tempfile::tempdir().unwrap();
    let config = small_config(dir.path(), FILE_SIZE);
    let store = MessageStore::open_replica(config.clone()).unwrap();
    let body = vec![b'r'; 700];
    let ends: Vec<i64> = (0..count)
        .map(|i| store.append(&[message(TOPIC, 0, &body, "", &format!("k{i}"))]).unwrap().end_offset())
        .collect();
    assert!(ends[count - 1] > FILE_SIZE as i64, "the records cross a file boundary");
    store.set_confirm_offset(ends[confirmed - 1]);
    wait_until("dispatch up to the confirm offset", || store.dispatched_offset() == ends[confirmed - 1]);
    store.shutdown().unwrap();
    drop(store);
    assert!(config.abort_path().exists(), "undispatched records leave the abort marker");
    std::fs::remove_dir_all(config.consume_queue_dir()).unwrap();
    std::fs::remove_dir_all(config.index_dir()).unwrap();
    (dir, config, ends)
}

fn visible(store: &MessageStore) -> i64 {
    store.max_offset_in_queue(TOPIC, 0)
}

#[test]
fn a_reopened_replica_exposes_nothing_past_the_confirm_offset_until_the_cap_moves() {
    let (_dir, config, ends) = crashed_replica(9, 4);

    let store = MessageStore::open_replica(config.clone()).unwrap();
    assert_eq!(store.max_phy_offset(), ends[8], "every record survives");
    assert_eq!(store.confirm_offset(), ends[3]);
    settle();
    assert_eq!(store.dispatched_offset(), ends[3]);
    assert_eq!(visible(&store), 4);
    let r = store.get_messages(TOPIC, 0, 4, 32, usize::MAX, &|_| true);
    assert_eq!(r.status, GetMessageStatus::OffsetOverflowOne);
    assert!(store.query_by_key(TOPIC, "k5", 8, 0, i64::MAX).is_empty(), "nor indexed");
    assert!(store.message_at(ends[4]).is_some(), "the unconfirmed records are kept");

    // The HA layer moves the cap: the rest becomes visible, in order.
    store.set_confirm_offset(ends[6]);
    wait_until("dispatch to the new cap", || store.dispatched_offset() == ends[6]);
    assert_eq!(visible(&store), 7);
    store.clear_confirm_offset();
    wait_until("dispatch of everything", || store.dispatched_offset() == ends[8]);
    let offsets: Vec<i64> = queue_records(&store, TOPIC, 0).into_iter().map(|(qo, _)| qo).collect();
    assert_eq!(offsets, (0..9).collect::<Vec<_>>());

    // New appends continue the queue offsets the hidden records owned.
    let next = store.append(&[message(TOPIC, 0, b"after", "", "")]).unwrap();
    assert_eq!(next.queue_offset, 9);
}

#[test]
fn a_standalone_store_still_exposes_everything_it_recovered() {
    let (_dir, config, ends) = crashed_replica(9, 4);

    let store = MessageStore::open(config.clone()).unwrap();
    assert_eq!(store.dispatched_offset(), ends[8]);
    assert_eq!(visible(&store), 9);
    assert_eq!(store.confirm_offset(), ends[3], "the checkpoint value is kept, not applied");
}

#[test]
fn the_resumed_confirm_offset_never_passes_the_recovered_end() {
    let (_dir, config, ends) = crashed_replica(9, 4);
    // The checkpoint claims more than survives: confirmed up to the end,
    // but the last record was torn by the crash.
    let checkpoint = std::fs::OpenOptions::new().write(true).open(config.checkpoint_path()).unwrap();
    checkpoint.write_all_at(&(ends[8] + 1_000).to_be_bytes(), 32).unwrap();
    let last_file = config.commit_log_dir().join(booster_store::mapped_file::file_name(FILE_SIZE as i64));
    let torn_at = (ends[7] - FILE_SIZE as i64) as u64 + 10;
    std::fs::OpenOptions::new()
        .write(true)
        .open(last_file)
        .unwrap()
        .write_all_at(&[0xFF; 16], torn_at)
        .unwrap();

    let store = MessageStore::open_replica(config.clone()).unwrap();
    assert_eq!(store.max_phy_offset(), ends[7], "the torn record is cut");
    assert_eq!(store.confirm_offset(), ends[7], "lowered to the last whole record");
    assert_eq!(store.dispatched_offset(), ends[7]);
    assert_eq!(visible(&store), 8);
}

#[test]
fn read_uncommitted_dispatches_past_the_confirm_offset() {
    let (_dir, config, ends) = crashed_replica(9, 4);

    let store = MessageStore::open_replica(MessageStoreConfig { read_un_committed: true, ..config }).unwrap();
    assert_eq!(store.confirm_offset(), ends[3]);
    assert_eq!(store.dispatched_offset(), ends[8], "spec/ha.md §9.4: endLimit = maxPhyOffset");
    store.set_confirm_offset(ends[5]);
    let more = store.append(&[message(TOPIC, 0, b"more", "", "")]).unwrap();
    wait_until("dispatch past the confirm offset", || store.dispatched_offset() == more.end_offset());
    assert_eq!(visible(&store), 10);
}
