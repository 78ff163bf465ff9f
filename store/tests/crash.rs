//! Crash tests: the CommitLog is cut at every byte of its last records,
//! garbage is written after its end, a stale tail is left behind a
//! truncation; after a restart exactly the whole valid records survive and
//! the ConsumeQueues agree with them.

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::FileExt;

use booster_conf::MessageStoreConfig;
use booster_store::mapped_file::file_name;
use common::*;

const FILE_SIZE: u64 = 4096;

/// What was appended: (physical offset, size, topic, queue id, body).
#[derive(Debug, Clone)]
struct Written {
    offset: i64,
    size: usize,
    queue_id: i32,
    body: Vec<u8>,
}

fn write_workload(config: &MessageStoreConfig, count: usize) -> Vec<Written> {
    let store = open(config);
    let mut written = Vec::new();
    for i in 0..count {
        let body: Vec<u8> = (0..(17 + (i * 37) % 150)).map(|b| (b + i) as u8).collect();
        let queue_id = (i % 2) as i32;
        let r = store.append(&[message("CrashTopic", queue_id, &body, "tag", &format!("key{i}"))]).unwrap();
        written.push(Written { offset: r.wrote_offset, size: r.wrote_bytes, queue_id, body });
    }
    store.shutdown().unwrap();
    written
}

/// Zeroes the CommitLog from `cut` on, in its file and every later file: what
/// a torn write into preallocated files leaves behind.
fn tear_at(config: &MessageStoreConfig, cut: i64) {
    let dir = config.commit_log_dir();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let start: i64 = path.file_name().unwrap().to_str().unwrap().parse().unwrap();
        let end = start + FILE_SIZE as i64;
        if end <= cut {
            continue;
        }
        let from = (cut - start).max(0) as usize;
        let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.write_all_at(&vec![0u8; FILE_SIZE as usize - from], from as u64).unwrap();
    }
}

/// Reopens, checks the survivors, appends one more record; returns the new end.
fn assert_survivors(
    config: &MessageStoreConfig,
    written: &[Written],
    survivors: usize,
    context: &str,
) -> i64 {
    let store = open(config);
    let expected_end = written[..survivors].last().map_or(0, |w| w.offset + w.size as i64);
    assert_eq!(store.max_phy_offset(), expected_end, "{context}: CommitLog end");
    let mut per_queue: BTreeMap<i32, Vec<&Written>> = BTreeMap::new();
    for w in &written[..survivors] {
        per_queue.entry(w.queue_id).or_default().push(w);
    }
    for queue_id in 0..2 {
        let want = per_queue.get(&queue_id).cloned().unwrap_or_default();
        let got = queue_records(&store, "CrashTopic", queue_id);
        assert_eq!(got.len(), want.len(), "{context}: queue {queue_id} length");
        assert_eq!(
            store.max_offset_in_queue("CrashTopic", queue_id),
            want.len() as i64,
            "{context}: queue max"
        );
        for ((qo, bytes), (i, w)) in got.iter().zip(want.iter().enumerate()) {
            assert_eq!(*qo, i as i64, "{context}: queue offset");
            assert_eq!(body_of(bytes), w.body, "{context}: body");
            assert_eq!(
                store.message_at(w.offset).as_deref(),
                Some(&bytes[..]),
                "{context}: record at offset"
            );
        }
    }
    // New appends continue right after the survivors, with the next queue offsets.
    let r = store.append(&[message("CrashTopic", 0, b"after", "", "")]).unwrap();
    assert!(r.wrote_offset >= expected_end, "{context}: append after recovery");
    assert_eq!(
        r.queue_offset,
        per_queue.get(&0).map_or(0, |v| v.len() as i64),
        "{context}: next queue offset"
    );
    store.shutdown().unwrap();
    r.end_offset()
}

#[test]
fn torn_tail_at_every_byte_of_the_last_records() {
    let base = tempfile::tempdir().unwrap();
    let pristine = base.path().join("pristine");
    let config = small_config(&pristine, FILE_SIZE);
    let written = write_workload(&config, 60);
    assert!(written.last().unwrap().offset > 2 * FILE_SIZE as i64, "workload spans several files");

    let n = written.len();
    let first_cut = written[n - 3].offset;
    let last_cut = written[n - 1].offset + written[n - 1].size as i64;
    for cut in first_cut..=last_cut {
        let survivors = written.iter().take_while(|w| w.offset + w.size as i64 <= cut).count();
        for abnormal in [true, false] {
            if !abnormal && cut % 7 != 0 {
                continue;
            }
            let root = base.path().join(format!("cut-{cut}-{abnormal}"));
            copy_dir(&pristine, &root);
            let cfg = small_config(&root, FILE_SIZE);
            tear_at(&cfg, cut);
            if abnormal {
                mark_crashed(&cfg);
            }
            assert_survivors(&cfg, &written, survivors, &format!("cut at {cut}, abnormal={abnormal}"));
            std::fs::remove_dir_all(&root).unwrap();
        }
    }
}

fn write_after_end(config: &MessageStoreConfig, end: i64, bytes: &[u8]) {
    let start = end - end % FILE_SIZE as i64;
    let path = config.commit_log_dir().join(file_name(start));
    let f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    f.write_all_at(bytes, (end - start) as u64).unwrap();
}

#[test]
fn garbage_after_the_end_is_cut_off() {
    let base = tempfile::tempdir().unwrap();
    let pristine = base.path().join("pristine");
    let config = small_config(&pristine, FILE_SIZE);
    let written = write_workload(&config, 25);
    let end = written.last().map(|w| w.offset + w.size as i64).unwrap();
    let last_record = {
        let store = open(&config);
        let b = store.message_at(written.last().unwrap().offset).unwrap();
        store.shutdown().unwrap();
        b.to_vec()
    };
    let mut bad_crc = last_record.clone();
    let body_at = 88;
    bad_crc[body_at] ^= 0x55;
    let mut wrong_size = last_record.clone();
    wrong_size[3] = wrong_size[3].wrapping_add(1);

    let garbages: Vec<(&str, Vec<u8>)> = vec![
        ("random", (0..300u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect()),
        ("valid-looking record with a bad CRC", bad_crc),
        ("record with a wrong total size", wrong_size),
        ("half a record", last_record[..last_record.len() / 2].to_vec()),
    ];
    for (name, garbage) in garbages {
        for abnormal in [true, false] {
            let root = base.path().join(format!("{}-{abnormal}", name.replace(' ', "_")));
            copy_dir(&pristine, &root);
            let cfg = small_config(&root, FILE_SIZE);
            write_after_end(&cfg, end, &garbage);
            if abnormal {
                mark_crashed(&cfg);
            }
            let new_end =
                assert_survivors(&cfg, &written, written.len(), &format!("{name}, abnormal={abnormal}"));
            // The garbage is gone for good: a second crash finds the same end.
            mark_crashed(&cfg);
            let store = open(&cfg);
            assert_eq!(store.max_phy_offset(), new_end, "{name}: second restart");
            store.shutdown().unwrap();
        }
    }
}

#[test]
fn stale_tail_with_valid_crcs_never_returns_after_truncate() {
    let dir = tempfile::tempdir().unwrap();
    let config = small_config(dir.path(), 64 * 1024);
    let store = open(&config);
    let mut offsets = Vec::new();
    for i in 0..20 {
        let r = store.append(&[message("T", 0, format!("old-{i:04}").as_bytes(), "", "")]).unwrap();
        offsets.push(r.wrote_offset);
    }
    wait_dispatched(&store);
    assert_eq!(store.max_offset_in_queue("T", 0), 20);
    store.truncate(offsets[10]).unwrap();
    assert_eq!(store.max_phy_offset(), offsets[10]);
    assert_eq!(store.max_offset_in_queue("T", 0), 10);
    // Fewer, shorter records than the ones discarded: a stale tail would follow them.
    for i in 0..3 {
        let r = store.append(&[message("T", 0, format!("n{i}").as_bytes(), "", "")]).unwrap();
        assert_eq!(r.queue_offset, 10 + i, "queue offsets continue from the truncation point");
    }
    let end = store.max_phy_offset();
    drop(store);

    for abnormal in [false, true] {
        if abnormal {
            mark_crashed(&config);
        }
        let store = open(&config);
        assert_eq!(store.max_phy_offset(), end, "abnormal={abnormal}");
        let bodies: Vec<Vec<u8>> = queue_records(&store, "T", 0).iter().map(|(_, b)| body_of(b)).collect();
        let mut want: Vec<Vec<u8>> = (0..10).map(|i| format!("old-{i:04}").into_bytes()).collect();
        want.extend((0..3).map(|i| format!("n{i}").into_bytes()));
        assert_eq!(bodies, want, "abnormal={abnormal}");
        store.shutdown().unwrap();
    }
    let cl = std::fs::read(config.commit_log_dir().join(file_name(0))).unwrap();
    assert!(cl[end as usize..].iter().all(|b| *b == 0), "discarded bytes are zero on disk");
}

#[test]
fn second_process_cannot_open_a_locked_store() {
    let dir = tempfile::tempdir().unwrap();
    let config = small_config(dir.path(), FILE_SIZE);
    let store = open(&config);
    let err = booster_store::MessageStore::open(config.clone()).unwrap_err();
    assert!(err.to_string().contains("lock"), "{err}");
    drop(store);
}

#[test]
fn a_file_of_the_wrong_size_is_refused_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let config = small_config(dir.path(), FILE_SIZE);
    drop(open(&config));
    let cl = config.commit_log_dir();
    std::fs::write(cl.join(file_name(0)), b"short").unwrap();
    std::fs::write(cl.join(file_name(FILE_SIZE as i64)), vec![0u8; FILE_SIZE as usize]).unwrap();
    let err = booster_store::MessageStore::open(config).unwrap_err().to_string();
    assert!(err.contains(&file_name(0)) && err.contains("expected 4096"), "{err}");
}
