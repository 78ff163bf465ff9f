use super::*;

const T0: i64 = 1_700_000_000_000;

fn req<'a>(uniq: Option<&'a str>, keys: Option<&'a str>, phys: i64, ts: i64) -> IndexRequest<'a> {
    IndexRequest { topic: "T", keys, uniq_key: uniq, phys_offset: phys, store_timestamp: ts, sys_flag: 0 }
}

fn uniq(s: &IndexService, key: &str, phys: i64, ts: i64) {
    s.build(&req(Some(key), None, phys, ts)).unwrap();
}

fn q(s: &IndexService, key: &str) -> Vec<i64> {
    s.query("T", key, 100, 0, i64::MAX).phys_offsets
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<_> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    v.sort();
    v
}

fn header(bytes: &[u8]) -> (i64, i64, i64, i64, i32, i32) {
    let l = |at: usize| i64::from_be_bytes(bytes[at..at + 8].try_into().unwrap());
    let i = |at: usize| i32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (l(0), l(8), l(16), l(24), i(32), i(36))
}

#[test]
fn key_hash_is_abs_java_hash() {
    assert_eq!(key_hash("T#A"), 81874);
    assert_eq!(key_hash("T#Aa"), key_hash("T#BB"), "Java hash collision");
    assert_eq!(java_string_hash("polygenelubricants"), i32::MIN);
    assert_eq!(key_hash("polygenelubricants"), 0, "MIN maps to 0");
    assert_eq!(key_hash("T#-"), java_string_hash("T#-").abs());
}

#[test]
fn header_and_layout_match_hand_computed() {
    let dir = tempfile::tempdir().unwrap();
    let s = IndexService::open(dir.path(), 8, 10).unwrap();
    // "T#A" hashes to 81874 (slot 2), "T#B" to 81875 (slot 3).
    uniq(&s, "A", 100, T0);
    s.build(&req(Some("B"), Some("A"), 200, T0 + 2500)).unwrap();
    assert_eq!(s.flush().unwrap(), None, "no full file yet");
    let files = names(dir.path());
    assert_eq!(files.len(), 1);
    let bytes = fs::read(dir.path().join(&files[0])).unwrap();
    assert_eq!(bytes.len(), 40 + 8 * 4 + 10 * 20);

    let mut want = vec![0u8; 272];
    let mut put = |at: usize, b: &[u8]| want[at..at + b.len()].copy_from_slice(b);
    put(0, &T0.to_be_bytes()); // beginTimestamp
    put(8, &(T0 + 2500).to_be_bytes()); // endTimestamp
    put(16, &100i64.to_be_bytes()); // beginPhyOffset
    put(24, &200i64.to_be_bytes()); // endPhyOffset
    put(32, &2i32.to_be_bytes()); // hashSlotCount: slots 2 and 3
    put(36, &4i32.to_be_bytes()); // indexCount: 3 entries + 1
    put(40 + 2 * 4, &3i32.to_be_bytes()); // slot 2 -> entry 3
    put(40 + 3 * 4, &2i32.to_be_bytes()); // slot 3 -> entry 2
    // Entry n at 40 + 32 + 20n: keyHash, phyOffset, timeDiff (s), prev.
    for (n, hash, phy, diff, prev) in [(1, 81874, 100i64, 0, 0), (2, 81875, 200, 2, 0), (3, 81874, 200, 2, 1)]
    {
        let at = 72 + 20 * n;
        put(at, &i32::to_be_bytes(hash));
        put(at + 4, &phy.to_be_bytes());
        put(at + 12, &i32::to_be_bytes(diff));
        put(at + 16, &i32::to_be_bytes(prev));
    }
    assert_eq!(bytes, want);
    assert_eq!(q(&s, "A"), [200, 100]);
    assert_eq!(q(&s, "B"), [200]);
}

#[test]
fn collisions_chain_and_filter_by_hash() {
    let dir = tempfile::tempdir().unwrap();
    let s = IndexService::open(dir.path(), 8, 20).unwrap();
    // "T#A" and "T#I" share slot 2 with different hashes; "T#Aa" and "T#BB"
    // have the same hash (slot 7).
    uniq(&s, "A", 100, T0);
    uniq(&s, "I", 200, T0);
    uniq(&s, "A", 300, T0);
    uniq(&s, "Aa", 400, T0);
    uniq(&s, "BB", 500, T0);
    assert_eq!(q(&s, "A"), [300, 100], "walks past the other key in the chain");
    assert_eq!(q(&s, "I"), [200]);
    assert_eq!(q(&s, "Aa"), [500, 400], "equal hashes are indistinguishable: callers check keys");
    assert_eq!(q(&s, "B"), Vec::<i64>::new());
    assert_eq!(
        s.query("U", "A", 100, 0, i64::MAX).phys_offsets,
        Vec::<i64>::new(),
        "topic is part of the key"
    );
    let f = &s.files.read()[0];
    assert_eq!(f.hash_slot_count.load(Ordering::Relaxed), 2);
    assert_eq!(f.table.load_be_i32(40 + 2 * 4, Ordering::Relaxed), 3);
    assert_eq!(f.table.load_be_i32(40 + 7 * 4, Ordering::Relaxed), 5);
}

#[test]
fn lookup_newest_first_across_files_and_max_num() {
    let dir = tempfile::tempdir().unwrap();
    let s = IndexService::open(dir.path(), 8, 4).unwrap(); // 3 entries per file
    for i in 1..=7 {
        s.build(&req(None, Some("K"), i * 100, T0 + i * 1000)).unwrap();
    }
    assert_eq!(names(dir.path()).len(), 3);
    let r = s.query("T", "K", 100, 0, i64::MAX);
    assert_eq!(r.phys_offsets, [700, 600, 500, 400, 300, 200, 100]);
    assert_eq!((r.index_last_update_timestamp, r.index_last_update_phyoffset), (T0 + 7000, 700));
    assert_eq!(s.query("T", "K", 5, 0, i64::MAX).phys_offsets, [700, 600, 500, 400, 300]);
    assert_eq!(s.query("T", "K", 2, 0, i64::MAX).phys_offsets, [700, 600]);
    assert!(s.query("T", "K", 0, 0, i64::MAX).phys_offsets.is_empty());
}

#[test]
fn time_filter_within_and_across_files() {
    let dir = tempfile::tempdir().unwrap();
    let s = IndexService::open(dir.path(), 8, 4).unwrap();
    for (i, ts) in [T0, T0 + 10_000, T0 + 20_000, T0 + 30_000, T0 + 40_000].into_iter().enumerate() {
        s.build(&req(None, Some("K"), (i as i64 + 1) * 100, ts)).unwrap();
    }
    let range = |b: i64, e: i64| s.query("T", "K", 100, b, e).phys_offsets;
    assert_eq!(range(T0 + 5_000, T0 + 15_000), [200]);
    assert_eq!(range(T0 + 15_000, T0 + 35_000), [400, 300]);
    assert_eq!(range(T0 + 35_000, i64::MAX), [500]);
    assert_eq!(range(T0, T0), [100]);
    assert!(range(0, T0 - 1).is_empty());
    assert!(range(T0 + 41_000, i64::MAX).is_empty());
}

#[test]
fn rollover_creates_file_starting_at_previous_end() {
    let dir = tempfile::tempdir().unwrap();
    let s = IndexService::open(dir.path(), 8, 3).unwrap(); // 2 entries per file
    uniq(&s, "A", 100, T0);
    assert_eq!(s.flush().unwrap(), None);
    uniq(&s, "B", 200, T0 + 1000);
    assert_eq!(s.flush().unwrap(), Some(T0 + 1000), "full file flushed: indexMsgTimestamp");
    // A stale record (already covered) makes the writer open the next file
    // but is itself skipped: the new header shows the inherited end.
    uniq(&s, "S", 150, T0 + 1500);
    assert_eq!(s.flush().unwrap(), Some(T0 + 1000));
    let files = names(dir.path());
    assert_eq!(files.len(), 2);
    assert!(files[0] < files[1]);
    let second = dir.path().join(&files[1]);
    assert_eq!(header(&fs::read(&second).unwrap()), (T0 + 1000, T0 + 1000, 200, 200, 0, 1));
    assert!(q(&s, "S").is_empty());
    // The first entry resets begin to its own values; its timeDiff is 0.
    uniq(&s, "C", 300, T0 + 3000);
    s.flush().unwrap();
    let bytes = fs::read(&second).unwrap();
    assert_eq!(header(&bytes), (T0 + 3000, T0 + 3000, 300, 300, 1, 2));
    assert_eq!(bytes[72 + 20 + 12..72 + 20 + 16], [0, 0, 0, 0]);
    assert_eq!(q(&s, "C"), [300]);
    assert_eq!(q(&s, "A"), [100]);
}

#[test]
fn one_record_spanning_a_rollover() {
    let dir = tempfile::tempdir().unwrap();
    let s = IndexService::open(dir.path(), 8, 3).unwrap();
    s.build(&req(Some("X"), Some("Y Z"), 400, T0)).unwrap();
    assert_eq!(names(dir.path()).len(), 2);
    for k in ["X", "Y", "Z"] {
        assert_eq!(q(&s, k), [400], "key {k}");
    }
    s.flush().unwrap();
    let second = dir.path().join(&names(dir.path())[1]);
    assert_eq!(header(&fs::read(second).unwrap()), (T0, T0, 400, 400, 1, 2));
}

#[test]
fn reopen_after_flush_keeps_results() {
    let dir = tempfile::tempdir().unwrap();
    {
        let s = IndexService::open(dir.path(), 8, 4).unwrap();
        for i in 1..=5 {
            s.build(&req(Some(&format!("u{i}")), Some("K"), i * 100, T0 + i * 1000)).unwrap();
        }
        s.flush().unwrap();
    }
    fs::write(dir.path().join("notes.txt"), b"not an index file").unwrap();
    let s = IndexService::open(dir.path(), 8, 4).unwrap();
    assert_eq!(q(&s, "K"), [500, 400, 300, 200, 100]);
    assert_eq!(q(&s, "u3"), [300]);
    let r = s.query("T", "K", 10, 0, i64::MAX);
    assert_eq!((r.index_last_update_timestamp, r.index_last_update_phyoffset), (T0 + 5000, 500));
    s.build(&req(None, Some("K"), 450, T0 + 9000)).unwrap();
    assert_eq!(q(&s, "K").len(), 5, "below the newest file's endPhyOffset: skipped");
    s.build(&req(None, Some("K"), 600, T0 + 6000)).unwrap();
    assert_eq!(q(&s, "K"), [600, 500, 400, 300, 200, 100]);
    drop(s);
    assert!(matches!(IndexService::open(dir.path(), 16, 4), Err(StoreError::BadFileSize { .. })));
}

#[test]
fn drop_newer_than_deletes_files_after_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let s = IndexService::open(dir.path(), 8, 3).unwrap();
    uniq(&s, "A", 100, T0);
    uniq(&s, "B", 200, T0 + 1000);
    uniq(&s, "C", 300, T0 + 2000);
    let checkpoint = s.flush().unwrap().unwrap();
    assert_eq!(checkpoint, T0 + 1000);
    drop(s);
    let s = IndexService::open(dir.path(), 8, 3).unwrap();
    assert_eq!(s.drop_newer_than(checkpoint).unwrap(), 1);
    assert_eq!(names(dir.path()).len(), 1);
    assert!(q(&s, "C").is_empty());
    assert_eq!(q(&s, "A"), [100]);
    uniq(&s, "C", 300, T0 + 2000); // re-dispatch rebuilds it
    assert_eq!(q(&s, "C"), [300]);
    assert_eq!(names(dir.path()).len(), 2);
    assert_eq!(s.drop_newer_than(T0 + 5000).unwrap(), 0);
}

#[test]
fn delete_expired_never_deletes_the_newest() {
    let dir = tempfile::tempdir().unwrap();
    let s = IndexService::open(dir.path(), 8, 2).unwrap(); // 1 entry per file
    for i in 1..=4 {
        s.build(&req(None, Some("K"), i * 100, T0 + i)).unwrap();
    }
    assert_eq!(names(dir.path()).len(), 4);
    assert_eq!(s.delete_expired(100).unwrap(), 0, "endPhyOffset 100 is not below 100");
    assert_eq!(s.delete_expired(250).unwrap(), 2);
    assert_eq!(q(&s, "K"), [400, 300]);
    assert_eq!(s.delete_expired(i64::MAX).unwrap(), 1);
    assert_eq!(s.delete_expired(i64::MAX).unwrap(), 0);
    assert_eq!(names(dir.path()).len(), 1);
    assert_eq!(q(&s, "K"), [400]);
    s.destroy().unwrap();
    assert!(names(dir.path()).is_empty());
    assert!(q(&s, "K").is_empty());
    s.build(&req(None, Some("K"), 500, T0 + 5)).unwrap();
    assert_eq!(q(&s, "K"), [500]);
}

#[test]
fn redispatching_the_newest_record_adds_nothing() {
    // Recovery re-dispatches from a file start, including the record at
    // the newest file's endPhyOffset.
    let dir = tempfile::tempdir().unwrap();
    let s = IndexService::open(dir.path(), 8, 10).unwrap();
    uniq(&s, "first", 0, T0);
    s.build(&req(Some("U"), Some("K1 K2"), 100, T0)).unwrap();
    s.build(&req(Some("U"), Some("K1 K2"), 100, T0)).unwrap();
    assert_eq!((q(&s, "U"), q(&s, "K1"), q(&s, "K2")), (vec![100], vec![100], vec![100]));
    assert_eq!(q(&s, "first"), [0], "the record at offset 0 of a fresh index is indexed");
    s.flush().unwrap();
    drop(s);
    let s = IndexService::open(dir.path(), 8, 10).unwrap();
    s.build(&req(Some("U"), Some("K1 K2"), 100, T0)).unwrap();
    assert_eq!(q(&s, "K1"), [100], "nor after a reopen");
}

#[test]
fn rollback_records_are_not_indexed() {
    let dir = tempfile::tempdir().unwrap();
    let s = IndexService::open(dir.path(), 8, 10).unwrap();
    for flag in [sysflag::TRANSACTION_ROLLBACK, sysflag::TRANSACTION_ROLLBACK | sysflag::COMPRESSED] {
        s.build(&IndexRequest { sys_flag: flag, ..req(Some("R"), Some("K"), 100, T0) }).unwrap();
    }
    assert!(names(dir.path()).is_empty(), "no file created for skipped records");
    for (flag, phys) in [(sysflag::TRANSACTION_PREPARED, 200), (sysflag::TRANSACTION_COMMIT, 300), (0, 400)] {
        s.build(&IndexRequest { sys_flag: flag, ..req(None, Some("K"), phys, T0) }).unwrap();
    }
    assert!(q(&s, "R").is_empty());
    assert_eq!(q(&s, "K"), [400, 300, 200]);
}

#[test]
fn keys_split_on_single_spaces() {
    let dir = tempfile::tempdir().unwrap();
    let s = IndexService::open(dir.path(), 8, 10).unwrap();
    s.build(&req(None, Some("  a  b c "), 100, T0)).unwrap();
    for k in ["a", "b", "c"] {
        assert_eq!(q(&s, k), [100], "key {k}");
    }
    assert!(q(&s, "").is_empty());
    assert!(q(&s, "a  b").is_empty());
    assert_eq!(s.files.read()[0].index_count.load(Ordering::Relaxed), 4, "three entries");
}

#[test]
fn file_names_are_unique_and_chronological() {
    let dir = tempfile::tempdir().unwrap();
    let s = IndexService::open(dir.path(), 8, 2).unwrap();
    for i in 1..=30 {
        s.build(&req(None, Some("K"), i, T0)).unwrap();
    }
    let on_disk = names(dir.path());
    let in_order: Vec<String> = s.files.read().iter().map(|f| f.name().to_owned()).collect();
    assert_eq!(on_disk, in_order, "creation order = name order");
    assert_eq!(on_disk.len(), 30, "same-millisecond names were bumped");
    assert!(on_disk.iter().all(|n| parse_name(n).is_some()));
    // Close to the local clock, bumps aside.
    let first = parse_name(&on_disk[0]).unwrap();
    assert!((first - local_now_ms()).abs() < 60_000);
}

#[test]
fn name_format_round_trips() {
    assert_eq!(format_name(0), "19700101000000000");
    assert_eq!(format_name(-1), "19691231235959999");
    assert_eq!(format_name(1_709_214_306_789), "20240229134506789");
    assert_eq!(format_name(951_782_400_000), "20000229000000000");
    for ms in [0, 1_709_214_306_789, 4_102_444_799_999, 951_782_400_000] {
        assert_eq!(parse_name(&format_name(ms)), Some(ms));
    }
    for bad in [
        "20230229000000000",
        "2024022913450678",
        "2024022913450678x",
        "20241301000000000",
        "20240101240000000",
    ] {
        assert_eq!(parse_name(bad), None, "{bad}");
    }
}

#[test]
fn bad_geometry_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    assert!(IndexService::open(dir.path(), 8, 1).is_err());
    assert!(IndexService::open(dir.path(), 0, 10).is_err());
    assert_eq!(index_file_size(5_000_000, 20_000_000), 420_000_040);
}

#[test]
fn queries_run_concurrently_with_build() {
    let dir = tempfile::tempdir().unwrap();
    let s = IndexService::open(dir.path(), 16, 64).unwrap();
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        for _ in 0..3 {
            scope.spawn(|| {
                while !done.load(Ordering::Acquire) {
                    let r = q(&s, "K");
                    assert!(r.windows(2).all(|w| w[0] > w[1]), "newest first: {r:?}");
                    assert!(r.iter().all(|p| p % 10 == 0 && *p < 20_000));
                }
            });
        }
        for i in 0..2000 {
            s.build(&req(Some(&format!("u{i}")), Some("K"), i * 10, T0 + i)).unwrap();
            if i % 500 == 0 {
                s.flush().unwrap();
            }
        }
        done.store(true, Ordering::Release);
    });
    assert_eq!(q(&s, "K").len(), 100);
    assert_eq!(s.query("T", "K", 5000, 0, i64::MAX).phys_offsets.len(), 2000);
}
