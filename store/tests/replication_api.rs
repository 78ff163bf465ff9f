//! The store API the HA engine uses: the confirm offset (dispatch cap),
//! truncation, `append_raw` of replicated CommitLog bytes and `reset_to`
//! (spec/store.md §3.5a, §4.2; spec/ha.md).

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use booster_conf::{FlushDiskType, MessageStoreConfig};
use booster_store::mapped_file::file_name;
use booster_store::{GetMessageStatus, MessageStore, StoreError};
use common::*;

const FILE_SIZE: i64 = 4096;

fn bodies(store: &MessageStore, topic: &str, queue_id: i32) -> Vec<(i64, Vec<u8>)> {
    queue_records(store, topic, queue_id).into_iter().map(|(qo, b)| (qo, body_of(&b))).collect()
}

/// Every queue a replication workload writes to.
const QUEUES: [(&str, i32); 5] =
    [("RepA", 0), ("RepA", 1), ("RepA", 2), ("RepB", 0), ("SCHEDULE_TOPIC_XXXX", 2)];

/// Messages of every kind: several queues, batches, transaction records,
/// a delayed message, bodies of varied sizes (some empty).
fn workload(store: &MessageStore, range: std::ops::Range<usize>) {
    for i in range {
        let body: Vec<u8> = (0..(i * 53) % 700).map(|b| (b ^ i) as u8).collect();
        let key = format!("rk{i}");
        match i % 9 {
            0 => {
                let batch: Vec<_> =
                    (0..3).map(|j| message("RepA", 1, &body[..body.len() / (j + 1)], "B", &key)).collect();
                store.append(&batch).unwrap();
            }
            1 => {
                store.append(&[message_with_props("RepA", 2, &body, &[("KEYS", &key)], 0x4)]).unwrap();
            }
            2 => {
                store.append(&[message_with_props("RepA", 2, &body, &[("KEYS", &key)], 0x8)]).unwrap();
            }
            3 => {
                store
                    .append(&[message_with_props(
                        "SCHEDULE_TOPIC_XXXX",
                        2,
                        &body,
                        &[("DELAY", "3"), ("KEYS", &key)],
                        0,
                    )])
                    .unwrap();
            }
            4 => {
                store.append(&[message("RepB", 0, &body, "TagB", &key)]).unwrap();
            }
            _ => {
                store.append(&[message("RepA", 0, &body, "TagA", &key)]).unwrap();
            }
        }
    }
}

/// Copies the master's CommitLog to the slave from `from` on, in chunks of
/// the given sizes (cycled), the way an HA connection does.
fn replicate(master: &MessageStore, slave: &MessageStore, from: i64, chunks: &[usize]) {
    replicate_to(master, slave, from, master.max_phy_offset(), chunks);
}

fn replicate_to(master: &MessageStore, slave: &MessageStore, from: i64, end: i64, chunks: &[usize]) {
    let mut offset = from;
    for &chunk_size in chunks.iter().cycle() {
        if offset >= end {
            break;
        }
        let max = chunk_size.min((end - offset) as usize);
        let chunk =
            master.commit_log().read_chunk(offset, max).expect("master holds bytes at the slave's end");
        assert!(!chunk.is_empty() && chunk.len() <= max);
        assert!(
            offset / FILE_SIZE == (offset + chunk.len() as i64 - 1) / FILE_SIZE,
            "a chunk never spans files"
        );
        slave.append_raw(offset, &chunk).unwrap();
        offset += chunk.len() as i64;
        assert_eq!(slave.max_phy_offset(), offset);
    }
    assert_eq!(offset, end);
}

fn commit_log_files(config: &MessageStoreConfig) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(config.commit_log_dir())
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.file_name().into_string().unwrap(), std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// The slave's queues hold exactly the master's records at or after `from`.
fn assert_same_queues(master: &MessageStore, slave: &MessageStore, from: i64) {
    wait_dispatched(master);
    for (topic, queue_id) in QUEUES {
        let want: Vec<_> = queue_records(master, topic, queue_id)
            .into_iter()
            .filter(|(_, b)| view(b).physical_offset >= from)
            .collect();
        let got = queue_records(slave, topic, queue_id);
        assert_eq!(got, want, "{topic}/{queue_id}");
        let (Some(mq), Some(sq)) =
            (master.consume_queue(topic, queue_id), slave.consume_queue(topic, queue_id))
        else {
            assert!(want.is_empty(), "{topic}/{queue_id}: slave has no queue");
            continue;
        };
        assert_eq!(sq.max_offset(), mq.max_offset(), "{topic}/{queue_id} max");
        let first = want.first().map_or(mq.max_offset(), |(qo, _)| *qo);
        assert_eq!(sq.min_offset(), first, "{topic}/{queue_id} min");
        for qo in first..mq.max_offset() {
            assert_eq!(sq.get(qo), mq.get(qo), "{topic}/{queue_id} entry {qo} (tagsCode included)");
        }
    }
}

#[test]
fn confirm_offset_caps_what_dispatch_exposes() {
    let dir = tempfile::tempdir().unwrap();
    let config = small_config(dir.path(), FILE_SIZE as u64);
    let store = open(&config);
    let put = |i: usize| store.append(&[message("Confirm", 0, format!("c{i}").as_bytes(), "", "")]).unwrap();
    let mut ends: Vec<i64> = (0..3).map(|i| put(i).end_offset()).collect();
    wait_dispatched(&store);

    store.set_confirm_offset(ends[2]);
    assert_eq!(store.confirm_offset(), ends[2]);
    ends.extend((3..7).map(|i| put(i).end_offset()));
    settle();
    assert_eq!(store.dispatched_offset(), ends[2], "nothing past the confirm offset is dispatched");
    assert_eq!(*store.subscribe_dispatched().borrow(), ends[2]);
    assert_eq!(store.max_offset_in_queue("Confirm", 0), 3);
    let r = store.get_messages("Confirm", 0, 0, 32, usize::MAX, &|_| true);
    assert_eq!(r.messages.len(), 3);
    assert_eq!(r.next_begin_offset, 3);
    assert_eq!(
        store.get_messages("Confirm", 0, 3, 32, usize::MAX, &|_| true).status,
        GetMessageStatus::OffsetOverflowOne
    );
    assert!(store.message_at(ends[2]).is_some(), "the record itself is stored");

    // Raising it exposes more, and wakes subscribers.
    let mut dispatched = store.subscribe_dispatched();
    dispatched.borrow_and_update();
    store.set_confirm_offset(ends[4]);
    wait_until("dispatch up to the new confirm offset", || store.dispatched_offset() == ends[4]);
    assert!(dispatched.has_changed().unwrap());
    assert_eq!(*dispatched.borrow_and_update(), ends[4]);
    let r = store.get_messages("Confirm", 0, 3, 32, usize::MAX, &|_| true);
    assert_eq!(r.status, GetMessageStatus::Found);
    assert_eq!(
        r.messages.iter().map(|m| body_of(m)).collect::<Vec<_>>(),
        vec![b"c3".to_vec(), b"c4".to_vec()]
    );
    assert_eq!(r.next_begin_offset, 5);

    // A confirm offset inside a record exposes only the records before it.
    store.set_confirm_offset(ends[5] + 10);
    wait_until("dispatch up to the last whole record", || store.dispatched_offset() == ends[5]);
    settle();
    assert_eq!(store.dispatched_offset(), ends[5]);
    assert_eq!(store.max_offset_in_queue("Confirm", 0), 6);
    assert_eq!(store.confirm_offset(), ends[5] + 10);

    // Lifting the cap exposes everything.
    store.clear_confirm_offset();
    wait_dispatched(&store);
    assert_eq!(store.max_offset_in_queue("Confirm", 0), 7);
    assert_eq!(bodies(&store, "Confirm", 0).len(), 7);

    // The confirm offset is persisted in the checkpoint.
    store.set_confirm_offset(ends[6]);
    store.shutdown().unwrap();
    drop(store);
    let store = open(&config);
    assert_eq!(store.confirm_offset(), ends[6]);
    let checkpoint = std::fs::read(config.checkpoint_path()).unwrap();
    assert_eq!(
        i64::from_be_bytes(checkpoint[32..40].try_into().unwrap()),
        ends[6],
        "confirmPhyOffset at byte 32"
    );
}

#[test]
fn truncate_checks_the_boundary_and_dispatch_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let config = small_config(dir.path(), FILE_SIZE as u64);
    let store = open(&config);
    // (offset, end, queue id, body)
    let mut written: Vec<Written> = Vec::new();
    for i in 0..30 {
        let body = vec![i as u8; 100 + i * 7];
        let queue_id = (i % 2) as i32;
        let r = store.append(&[message("Trunc", queue_id, &body, "", &format!("tk{i}"))]).unwrap();
        written.push((r.wrote_offset, r.end_offset(), queue_id, body));
    }
    wait_dispatched(&store);
    let end = store.max_phy_offset();
    assert!(end > 2 * FILE_SIZE, "test setup spans three files");

    let mid = written[10].0 + 1;
    assert!(matches!(store.truncate(mid), Err(StoreError::NotOnRecordBoundary(o)) if o == mid));
    let blank_tail = written.iter().find(|w| w.0 >= FILE_SIZE).unwrap().0 - 1;
    assert!(
        matches!(store.truncate(blank_tail), Err(StoreError::NotOnRecordBoundary(_))),
        "inside BLANK padding"
    );
    assert_eq!(store.max_phy_offset(), end, "a refused truncation changes nothing");
    store.truncate(end).unwrap();
    store.truncate(end + 100).unwrap();
    assert_eq!(store.max_phy_offset(), end, "truncating at or past the end is a no-op");

    type Written = (i64, i64, i32, Vec<u8>);
    fn expect(store: &MessageStore, written: &[Written], survivors: usize) {
        for queue_id in 0..2 {
            let want: Vec<_> = written[..survivors]
                .iter()
                .filter(|w| w.2 == queue_id)
                .enumerate()
                .map(|(qo, w)| (qo as i64, w.3.clone()))
                .collect();
            assert_eq!(
                store.max_offset_in_queue("Trunc", queue_id),
                want.len() as i64,
                "queue {queue_id} max"
            );
            assert_eq!(bodies(store, "Trunc", queue_id), want, "queue {queue_id}");
        }
    }

    // Cut in the middle of the third file.
    let k = written.iter().position(|w| w.0 > 2 * FILE_SIZE).unwrap() + 1;
    let cut = written[k].0;
    store.truncate(cut).unwrap();
    assert_eq!(store.max_phy_offset(), cut);
    assert_eq!(store.dispatched_offset(), cut);
    assert!(store.message_at(cut).is_none());
    assert!(store.message_at(written[k - 1].0).is_some());
    expect(&store, &written, k);

    // Cut at the first file's BLANK marker: the later files go, the first is open again.
    let first_in_second = written.iter().position(|w| w.0 >= FILE_SIZE).unwrap();
    let blank = written[first_in_second - 1].1;
    store.truncate(blank).unwrap();
    assert_eq!(store.max_phy_offset(), blank);
    assert_eq!(commit_log_files(&config).into_keys().collect::<Vec<_>>(), vec![file_name(0)]);
    expect(&store, &written, first_in_second);

    // Appends continue there with the next queue offsets, and are dispatched.
    let next_qo = store.max_offset_in_queue("Trunc", 0);
    let r = store.append(&[message("Trunc", 0, b"after-truncate", "", "")]).unwrap();
    let fits = r.wrote_bytes as i64 + 8 <= FILE_SIZE - blank;
    assert_eq!(r.wrote_offset, if fits { blank } else { FILE_SIZE }, "right after the cut, or sealed there");
    assert_eq!(r.queue_offset, next_qo);
    wait_dispatched(&store);
    written.truncate(first_in_second);
    written.push((r.wrote_offset, r.end_offset(), 0, b"after-truncate".to_vec()));
    expect(&store, &written, written.len());
    // The stale index entries of truncated records lead nowhere wrong.
    assert!(store.query_by_key("Trunc", &format!("tk{}", k + 1), 32, 0, i64::MAX).is_empty());

    store.shutdown().unwrap();
    drop(store);
    let store = open(&config);
    expect(&store, &written, written.len());
    assert_eq!(store.max_phy_offset(), written.last().unwrap().1);
}

/// Records above the confirm offset are not dispatched yet, but they hold
/// queue offsets: truncating above them must not hand those out again.
#[test]
fn truncate_above_undispatched_records_keeps_their_queue_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let config = small_config(dir.path(), FILE_SIZE as u64);
    let store = open(&config);
    let put = |body: &str| store.append(&[message("Lag", 0, body.as_bytes(), "", "")]).unwrap();
    put("r0");
    let r1 = put("r1");
    wait_dispatched(&store);
    store.set_confirm_offset(r1.end_offset());
    assert_eq!(put("r2").queue_offset, 2);
    let r3 = put("r3");
    put("r4");
    settle();
    assert_eq!(store.max_offset_in_queue("Lag", 0), 2, "r2.. not dispatched");

    store.truncate(r3.wrote_offset).unwrap();
    let r = put("new");
    assert_eq!(r.queue_offset, 3, "r2 (undispatched, kept) still owns queue offset 2");
    store.clear_confirm_offset();
    wait_dispatched(&store);
    let want: Vec<_> = ["r0", "r1", "r2", "new"]
        .iter()
        .enumerate()
        .map(|(i, b)| (i as i64, b.as_bytes().to_vec()))
        .collect();
    assert_eq!(bodies(&store, "Lag", 0), want);
}

#[test]
fn append_raw_builds_a_byte_identical_replica() {
    let (mdir, sdir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (mconf, sconf) =
        (small_config(mdir.path(), FILE_SIZE as u64), small_config(sdir.path(), FILE_SIZE as u64));
    let master = open(&mconf);
    let mut slave = open(&sconf);
    let chunks = [1, 7, 333, 4096, 1000, 8, 4, 65_536, 91];

    workload(&master, 0..40);
    replicate(&master, &slave, 0, &chunks);
    workload(&master, 40..90);
    replicate(&master, &slave, slave.max_phy_offset(), &chunks);
    assert!(master.max_phy_offset() > 4 * FILE_SIZE, "test crossed several files");
    wait_dispatched(&slave);
    assert_eq!(slave.max_phy_offset(), master.max_phy_offset());
    assert_eq!(commit_log_files(&sconf), commit_log_files(&mconf), "byte-identical CommitLog files");
    assert_same_queues(&master, &slave, 0);
    assert_eq!(slave.query_by_key("RepB", "rk4", 32, 0, i64::MAX).len(), 1, "the slave indexes too");

    // Wrong offsets are refused and change nothing.
    let end = slave.max_phy_offset();
    for offset in [end + 1, end - 1, 0] {
        match slave.append_raw(offset, b"junk") {
            Err(StoreError::OffsetMismatch { offset: o, expected }) => {
                assert_eq!((o, expected), (offset, end))
            }
            other => panic!("append_raw at {offset}: {other:?}"),
        }
    }
    assert_eq!(slave.max_phy_offset(), end);

    // A restarted slave recovers the same state and keeps following.
    slave.shutdown().unwrap();
    drop(slave);
    slave = open(&sconf);
    assert_eq!(slave.max_phy_offset(), end);
    assert_same_queues(&master, &slave, 0);
    workload(&master, 90..120);
    replicate(&master, &slave, end, &chunks);
    wait_dispatched(&slave);
    assert_eq!(commit_log_files(&sconf), commit_log_files(&mconf));
    assert_same_queues(&master, &slave, 0);

    // Replicated bytes are written with pwrite and need no warm-up; puts
    // (a promoted slave) copy into the mapping and turn it back on.
    assert!(!slave.commit_log().needs_prefault());
    slave.append(&[message("RepA", 0, b"promoted", "T", "k")]).unwrap();
    assert!(slave.commit_log().needs_prefault());
}

/// Master with several files whose end is not on a file boundary.
fn master_with_files(dir: &Path) -> (MessageStoreConfig, std::sync::Arc<MessageStore>, i64) {
    let config = small_config(dir, FILE_SIZE as u64);
    let master = open(&config);
    workload(&master, 0..70);
    if master.max_phy_offset() % FILE_SIZE == 0 {
        workload(&master, 70..71);
    }
    let last = master.max_phy_offset() - master.max_phy_offset() % FILE_SIZE;
    assert!(last >= 2 * FILE_SIZE, "test setup: several files");
    (config, master, last)
}

#[test]
fn reset_to_then_sync_from_the_masters_last_file() {
    let (mdir, sdir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (mconf, master, last) = master_with_files(mdir.path());
    let sconf = small_config(sdir.path(), FILE_SIZE as u64);
    let mut slave = open(&sconf);

    slave.reset_to(last).unwrap();
    assert_eq!((slave.min_phy_offset(), slave.max_phy_offset()), (last, last));
    replicate(&master, &slave, last, &[700, 13, 4096]);
    wait_dispatched(&slave);

    let check = |slave: &MessageStore| {
        let files = commit_log_files(&sconf);
        assert_eq!(files.keys().cloned().collect::<Vec<_>>(), vec![file_name(last)]);
        assert_eq!(files[&file_name(last)], commit_log_files(&mconf)[&file_name(last)]);
        assert_same_queues(&master, slave, last);
        let min = slave.min_offset_in_queue("RepA", 0);
        assert!(min > 0, "the slave's queue starts late");
        let r = slave.get_messages("RepA", 0, 0, 32, usize::MAX, &|_| true);
        assert_eq!(r.status, GetMessageStatus::OffsetTooSmall);
        assert_eq!(r.next_begin_offset, min);
        let r = slave.get_messages("RepA", 0, min, 1, usize::MAX, &|_| true);
        assert_eq!(r.status, GetMessageStatus::Found);
        assert!(view(&r.messages[0]).physical_offset >= last);
    };
    check(&slave);
    slave.shutdown().unwrap();
    drop(slave);
    slave = open(&sconf);
    check(&slave);

    // And keeps following into new files.
    let end = slave.max_phy_offset();
    workload(&master, 100..150);
    replicate(&master, &slave, end, &[1000]);
    wait_dispatched(&slave);
    let (m, s) = (commit_log_files(&mconf), commit_log_files(&sconf));
    assert!(s.len() > 1);
    for (name, bytes) in &s {
        assert_eq!(Some(bytes), m.get(name), "file {name}");
    }
    assert_same_queues(&master, &slave, last);
}

/// `append_raw` on an empty store may start at any file boundary without a
/// `reset_to` first; dispatch must follow it there.
#[test]
fn append_raw_into_an_empty_store_starts_at_a_file_boundary() {
    let (mdir, sdir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (_mconf, master, last) = master_with_files(mdir.path());
    let slave = open(&small_config(sdir.path(), FILE_SIZE as u64));
    match slave.append_raw(last + 8, b"junk") {
        Err(StoreError::OffsetMismatch { expected, .. }) => assert_eq!(expected, last),
        other => panic!("not a file boundary: {other:?}"),
    }
    replicate(&master, &slave, last, &[512]);
    assert_eq!(slave.min_phy_offset(), last);
    wait_dispatched(&slave);
    assert_same_queues(&master, &slave, last);
}

/// Offset of the BLANK marker ending the file that starts at `file_start`.
fn blank_marker_in(store: &MessageStore, file_start: i64) -> i64 {
    let mut offset = file_start;
    loop {
        let bytes = store.commit_log().read_record(offset).expect("records up to the BLANK");
        if i32::from_be_bytes(bytes[4..8].try_into().unwrap()) == 0xCBD4_3194_u32 as i32 {
            assert_eq!(offset + bytes.len() as i64, file_start + FILE_SIZE, "the BLANK covers the tail");
            return offset;
        }
        offset += bytes.len() as i64;
    }
}

/// The slave's end may lie inside a BLANK-padded tail (the rest of it still
/// in flight): dispatch must wait at the next file, not inside the padding.
#[test]
fn append_raw_of_a_partly_received_padded_tail() {
    let (mdir, sdir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (_mconf, master, _) = master_with_files(mdir.path());
    let file_start = (0..)
        .map(|k| k * FILE_SIZE)
        .find(|start| FILE_SIZE - (blank_marker_in(&master, *start) - start) > 16)
        .unwrap();
    let blank = blank_marker_in(&master, file_start);
    let slave = open(&small_config(sdir.path(), FILE_SIZE as u64));
    let partial = blank + 8 + (file_start + FILE_SIZE - blank - 8) / 2;
    replicate_to(&master, &slave, 0, partial, &[4096]);
    wait_dispatched(&slave);
    replicate(&master, &slave, partial, &[4096]);
    wait_dispatched(&slave);
    assert_same_queues(&master, &slave, 0);
}

/// After `reset_to`, the flushed offset reported to waiters (SYNC_FLUSH puts,
/// HA acks) must not stay at the old, larger value.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_to_moves_the_flushed_offset_back() {
    let dir = tempfile::tempdir().unwrap();
    let config = MessageStoreConfig {
        flush_disk_type: FlushDiskType::SyncFlush,
        ..small_config(dir.path(), FILE_SIZE as u64)
    };
    let store = open(&config);
    for i in 0..40 {
        let r = store.put(&[message("Flush", 0, &[i as u8; 300], "", "")], true).await.unwrap();
        assert_eq!(r.status, booster_store::PutMessageStatus::PutOk);
    }
    assert!(*store.subscribe_flushed().borrow() > 2 * FILE_SIZE);

    store.reset_to(FILE_SIZE).unwrap();
    assert_eq!(store.max_phy_offset(), FILE_SIZE);
    assert_eq!(*store.subscribe_flushed().borrow(), store.commit_log().flushed_offset());
    assert!(*store.subscribe_flushed().borrow() <= FILE_SIZE);

    let r = store.put(&[message("Flush", 0, b"after-reset", "", "")], true).await.unwrap();
    assert_eq!(r.status, booster_store::PutMessageStatus::PutOk);
    assert_eq!(r.append.wrote_offset, FILE_SIZE);
    assert!(store.commit_log().flushed_offset() >= r.append.end_offset());
}
