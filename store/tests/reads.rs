//! Reads: `get_messages` statuses and limits, tag filtering by tagsCode,
//! delay-level tagsCode, transaction records, batches, key queries, time
//! lookups, SYNC_FLUSH puts and retention (spec/store.md §3.5–§4, §6, §9, §10).

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use booster_conf::{FlushDiskType, MessageStoreConfig};
use booster_store::mapped_file::file_name;
use booster_store::record;
use booster_store::{GetMessageStatus, MessageStore, MessageToStore, PutMessageStatus, StoreError};
use common::*;

const FILE_SIZE: u64 = 4096;
const BLANK_MAGIC: i32 = 0xCBD4_3194_u32 as i32;
const PREPARED: i32 = 0x4;
const COMMIT: i32 = 0x8;
const ROLLBACK: i32 = 0xC;

/// Java `String.hashCode`, written out independently of the store's.
fn java_hash(s: &str) -> i32 {
    let mut h: i32 = 0;
    for c in s.encode_utf16() {
        h = h.wrapping_mul(31).wrapping_add(c as i32);
    }
    h
}

fn bodies(msgs: &[bytes::Bytes]) -> Vec<Vec<u8>> {
    msgs.iter().map(|m| body_of(m)).collect()
}

fn all(_: i64) -> bool {
    true
}

#[test]
fn get_messages_statuses_limits_and_next_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&small_config(dir.path(), FILE_SIZE));

    let r = store.get_messages("Nope", 0, 0, 32, usize::MAX, &all);
    assert_eq!(r.status, GetMessageStatus::NoMatchedLogicQueue);
    assert!(r.messages.is_empty());
    assert_eq!(r.next_begin_offset, 0);

    // Ten equally sized records.
    let mut sizes = Vec::new();
    for i in 0..10 {
        let r = store.append(&[message("ReadTopic", 0, format!("body-{i:02}").as_bytes(), "", "")]).unwrap();
        assert_eq!(r.queue_offset, i);
        sizes.push(r.wrote_bytes);
    }
    wait_dispatched(&store);
    let size = sizes[0];
    assert!(sizes.iter().all(|s| *s == size));
    let body = |i: usize| format!("body-{i:02}").into_bytes();

    let r = store.get_messages("ReadTopic", 1, 0, 32, usize::MAX, &all);
    assert_eq!(r.status, GetMessageStatus::NoMatchedLogicQueue, "other queue id of the same topic");

    let r = store.get_messages("ReadTopic", 0, 0, 4, usize::MAX, &all);
    assert_eq!(r.status, GetMessageStatus::Found);
    assert_eq!(bodies(&r.messages), (0..4).map(body).collect::<Vec<_>>());
    assert_eq!((r.next_begin_offset, r.min_offset, r.max_offset), (4, 0, 10));
    assert_eq!(r.total_bytes(), 4 * size);

    let r = store.get_messages("ReadTopic", 0, 8, 32, usize::MAX, &all);
    assert_eq!(r.status, GetMessageStatus::Found);
    assert_eq!(bodies(&r.messages), vec![body(8), body(9)]);
    assert_eq!(r.next_begin_offset, 10);

    // max_bytes: stops before the record that would exceed it...
    let r = store.get_messages("ReadTopic", 0, 2, 32, 3 * size - 1, &all);
    assert_eq!(bodies(&r.messages), vec![body(2), body(3)]);
    assert_eq!(r.next_begin_offset, 4);
    let r = store.get_messages("ReadTopic", 0, 2, 32, 3 * size, &all);
    assert_eq!(r.messages.len(), 3);
    assert_eq!(r.next_begin_offset, 5);
    // ...but always returns at least one record.
    let r = store.get_messages("ReadTopic", 0, 5, 32, 1, &all);
    assert_eq!(r.status, GetMessageStatus::Found);
    assert_eq!(bodies(&r.messages), vec![body(5)]);
    assert_eq!(r.next_begin_offset, 6);
    // Records are returned whole and unchanged.
    let first = store.get_messages("ReadTopic", 0, 0, 1, usize::MAX, &all).messages[0].clone();
    assert_eq!(first.len(), size);
    assert_eq!(store.message_at(0).as_deref(), Some(&first[..]));

    let r = store.get_messages("ReadTopic", 0, 10, 32, usize::MAX, &all);
    assert_eq!(r.status, GetMessageStatus::OffsetOverflowOne);
    assert!(r.messages.is_empty());
    assert_eq!(r.next_begin_offset, 10);

    for offset in [11, 1_000] {
        let r = store.get_messages("ReadTopic", 0, offset, 32, usize::MAX, &all);
        assert_eq!(r.status, GetMessageStatus::OffsetOverflowBadly, "offset {offset}");
        assert!(r.messages.is_empty());
        assert_eq!(r.next_begin_offset, 10, "corrected to the max offset");
    }

    let r = store.get_messages("ReadTopic", 0, -1, 32, usize::MAX, &all);
    assert_eq!(r.status, GetMessageStatus::OffsetTooSmall);
    assert_eq!(r.next_begin_offset, 0);

    // A queue that exists but holds nothing: every record truncated away.
    store.truncate(0).unwrap();
    assert!(store.consume_queue("ReadTopic", 0).is_some());
    let r = store.get_messages("ReadTopic", 0, 0, 32, usize::MAX, &all);
    assert_eq!(r.status, GetMessageStatus::NoMessageInQueue);
    assert!(r.messages.is_empty());
    assert_eq!((r.next_begin_offset, r.max_offset), (0, 0));
    // And it fills up again from queue offset 0.
    let r = store.append(&[message("ReadTopic", 0, b"again", "", "")]).unwrap();
    assert_eq!((r.wrote_offset, r.queue_offset), (0, 0));
    wait_dispatched(&store);
    let r = store.get_messages("ReadTopic", 0, 0, 32, usize::MAX, &all);
    assert_eq!(bodies(&r.messages), vec![b"again".to_vec()]);
}

#[test]
fn tags_code_is_java_string_hash_and_drives_the_filter() {
    assert_eq!(java_hash("TagA"), 2_598_919);
    assert_eq!(java_hash("hello"), 99_162_322);
    assert_eq!(java_hash("标签😀"), 825_518_074, "UTF-16 code units, surrogates included");
    assert_eq!(java_hash("a-long-tag-0"), -1_377_277_672);

    let dir = tempfile::tempdir().unwrap();
    let store = open(&small_config(dir.path(), FILE_SIZE));
    let tags = ["TagA", "TagB", "", "TagA", "标签😀", "a-long-tag-0", "été"];
    for (i, tag) in tags.iter().enumerate() {
        store.append(&[message("TagTopic", 0, format!("m{i}").as_bytes(), tag, "")]).unwrap();
    }
    wait_dispatched(&store);
    let cq = store.consume_queue("TagTopic", 0).unwrap();
    for (i, tag) in tags.iter().enumerate() {
        let expected = if tag.is_empty() { 0 } else { i64::from(java_hash(tag)) };
        assert_eq!(cq.get(i as i64).unwrap().tags_code, expected, "tag {tag:?}");
    }
    assert_eq!(cq.get(5).unwrap().tags_code, -1_377_277_672, "negative hashes are sign-extended");

    let tag_a = i64::from(java_hash("TagA"));
    let only_a = move |code: i64| code == tag_a;
    let r = store.get_messages("TagTopic", 0, 0, 32, usize::MAX, &only_a);
    assert_eq!(r.status, GetMessageStatus::Found);
    assert_eq!(bodies(&r.messages), vec![b"m0".to_vec(), b"m3".to_vec()]);
    assert_eq!(r.next_begin_offset, tags.len() as i64, "every entry was examined");

    // max_count counts matches; the next offset is just past the last match.
    let r = store.get_messages("TagTopic", 0, 0, 1, usize::MAX, &only_a);
    assert_eq!(bodies(&r.messages), vec![b"m0".to_vec()]);
    assert_eq!(r.next_begin_offset, 1);
    let r = store.get_messages("TagTopic", 0, 1, 1, usize::MAX, &only_a);
    assert_eq!(bodies(&r.messages), vec![b"m3".to_vec()]);
    assert_eq!(r.next_begin_offset, 4);

    let r = store.get_messages("TagTopic", 0, 4, 32, usize::MAX, &only_a);
    assert_eq!(r.status, GetMessageStatus::NoMatchedMessage);
    assert!(r.messages.is_empty());
    assert_eq!(r.next_begin_offset, tags.len() as i64, "skips the rejected entries");
    let r = store.get_messages("TagTopic", 0, 0, 32, usize::MAX, &|_| false);
    assert_eq!(r.status, GetMessageStatus::NoMatchedMessage);
    assert_eq!(r.next_begin_offset, tags.len() as i64);
}

#[test]
fn schedule_topic_tags_code_is_the_deliver_time() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&small_config(dir.path(), FILE_SIZE));
    let schedule = "SCHEDULE_TOPIC_XXXX";
    let put = |topic: &str, queue_id: i32, props: &[(&str, &str)]| {
        store.append(&[message_with_props(topic, queue_id, b"delayed", props, 0)]).unwrap()
    };
    let level3 = put(schedule, 2, &[("DELAY", "3"), ("TAGS", "TagA")]);
    let level1 = put(schedule, 0, &[("DELAY", "1")]);
    let beyond_max = put(schedule, 17, &[("DELAY", "99"), ("TAGS", "TagA")]);
    let no_delay = put(schedule, 5, &[("DELAY", "0"), ("TAGS", "TagB")]);
    let other_topic = put("PlainTopic", 0, &[("DELAY", "3"), ("TAGS", "TagB")]);
    wait_dispatched(&store);

    let code =
        |topic: &str, queue_id: i32| store.consume_queue(topic, queue_id).unwrap().get(0).unwrap().tags_code;
    let stored_at = |offset: i64| view(&store.message_at(offset).unwrap()).store_timestamp;
    assert_eq!(stored_at(level3.wrote_offset), level3.store_timestamp);
    assert_eq!(code(schedule, 2), level3.store_timestamp + 10_000, "level 3 = 10s");
    assert_eq!(code(schedule, 0), level1.store_timestamp + 1_000, "level 1 = 1s");
    assert_eq!(code(schedule, 17), beyond_max.store_timestamp + 7_200_000, "clamped to the last level (2h)");
    assert_eq!(code(schedule, 5), i64::from(java_hash("TagB")), "DELAY=0 keeps the tags hash");
    assert_eq!(code("PlainTopic", 0), i64::from(java_hash("TagB")), "only SCHEDULE_TOPIC_XXXX");
    assert!(no_delay.store_timestamp > 0 && other_topic.store_timestamp > 0);
}

#[test]
fn prepared_and_rollback_records_get_no_queue_entry() {
    let dir = tempfile::tempdir().unwrap();
    let config = small_config(dir.path(), FILE_SIZE);
    let store = open(&config);
    let tx =
        |body: &[u8], key: &str, flag: i32| message_with_props("TxTopic", 0, body, &[("KEYS", key)], flag);
    let normal1 = store.append(&[tx(b"normal-1", "k-normal-1", 0)]).unwrap();
    let prepared = store.append(&[tx(b"prepared", "k-prepared", PREPARED)]).unwrap();
    let commit = store
        .append(&[MessageToStore {
            prepared_transaction_offset: prepared.wrote_offset,
            ..tx(b"commit", "k-commit", COMMIT)
        }])
        .unwrap();
    let rollback = store.append(&[tx(b"rollback", "k-rollback", ROLLBACK)]).unwrap();
    let normal2 = store.append(&[tx(b"normal-2", "k-normal-2", 0)]).unwrap();
    let only_prepared = store.append(&[message_with_props("TxOnly", 0, b"half", &[], PREPARED)]).unwrap();

    assert_eq!(normal1.queue_offset, 0);
    assert_eq!(prepared.queue_offset, 0);
    assert_eq!(commit.queue_offset, 1, "the PREPARED record took no queue offset");
    assert_eq!(rollback.queue_offset, 0);
    assert_eq!(normal2.queue_offset, 2, "neither did the ROLLBACK record");
    for (r, qo, flag) in [
        (&prepared, 0, PREPARED),
        (&commit, 1, COMMIT),
        (&rollback, 0, ROLLBACK),
        (&only_prepared, 0, PREPARED),
    ] {
        let bytes = store.message_at(r.wrote_offset).unwrap();
        let v = view(&bytes);
        assert_eq!(v.queue_offset, qo, "QUEUEOFFSET of {:?}", String::from_utf8_lossy(v.body));
        assert_eq!(v.sys_flag & 0xC, flag);
    }
    assert_eq!(
        view(&store.message_at(commit.wrote_offset).unwrap()).prepared_transaction_offset,
        prepared.wrote_offset
    );
    wait_dispatched(&store);

    let check = |store: &MessageStore| {
        assert_eq!(store.max_offset_in_queue("TxTopic", 0), 3);
        let got: Vec<_> =
            queue_records(store, "TxTopic", 0).into_iter().map(|(qo, b)| (qo, body_of(&b))).collect();
        assert_eq!(got, vec![(0, b"normal-1".to_vec()), (1, b"commit".to_vec()), (2, b"normal-2".to_vec())]);
        let cq = store.consume_queue("TxTopic", 0).unwrap();
        let phys: Vec<_> = (0..3).map(|qo| cq.get(qo).unwrap().phys_offset).collect();
        assert_eq!(phys, vec![normal1.wrote_offset, commit.wrote_offset, normal2.wrote_offset]);
        assert!(store.consume_queue("TxOnly", 0).is_none(), "a PREPARED-only topic has no queue");
        let r = store.get_messages("TxOnly", 0, 0, 32, usize::MAX, &all);
        assert_eq!(r.status, GetMessageStatus::NoMatchedLogicQueue);
        // Index: every type but ROLLBACK (spec §6 rule 1).
        let q = |key: &str| store.query_by_key("TxTopic", key, 32, 0, i64::MAX);
        assert_eq!(bodies(&q("k-prepared")), vec![b"prepared".to_vec()]);
        assert_eq!(bodies(&q("k-commit")), vec![b"commit".to_vec()]);
        assert!(q("k-rollback").is_empty(), "ROLLBACK records are not indexed");
    };
    check(&store);
    store.shutdown().unwrap();
    drop(store);

    // Recovery rebuilds the same queue and the same next queue offset.
    for crashed in [false, true] {
        if crashed {
            mark_crashed(&config);
        }
        let store = open(&config);
        check(&store);
        drop(store);
    }
    let store = open(&config);
    let r = store.append(&[tx(b"prepared-2", "k", PREPARED)]).unwrap();
    assert_eq!(r.queue_offset, 0);
    let r = store.append(&[tx(b"normal-3", "k", 0)]).unwrap();
    assert_eq!(r.queue_offset, 3);
}

#[test]
fn batches_are_contiguous_and_never_span_files() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&small_config(dir.path(), FILE_SIZE));
    let store_host: SocketAddr = "127.0.0.1:10911".parse().unwrap();

    let batch: Vec<_> = (0..5)
        .map(|i| message("BatchTopic", 1, format!("batch-{i}").as_bytes(), "T", &format!("bk{i}")))
        .collect();
    let r = store.append(&batch).unwrap();
    assert_eq!((r.wrote_offset, r.queue_offset, r.msg_num), (0, 0, 5));
    assert_eq!(r.msg_ids.len(), 5);
    assert_eq!(r.msg_ids[0], "7F00000100002A9F0000000000000000", "store host + port + offset, uppercase hex");
    let mut offset = r.wrote_offset;
    for (i, id) in r.msg_ids.iter().enumerate() {
        assert_eq!(record::decode_offset_msg_id(id), Some((store_host, offset)));
        let bytes = store.message_at(offset).unwrap();
        let v = view(&bytes);
        assert_eq!((v.queue_offset, v.physical_offset, v.queue_id), (i as i64, offset, 1));
        assert_eq!(v.body, format!("batch-{i}").as_bytes());
        assert_eq!(v.store_timestamp, r.store_timestamp, "one store timestamp per batch");
        assert_eq!(v.body_crc, record::crc32(v.body));
        offset += bytes.len() as i64;
    }
    assert_eq!(offset, r.end_offset());
    assert_eq!(store.max_phy_offset(), r.end_offset());

    // Fill the first file until a 4-message batch no longer fits in it, but a
    // single one of its messages would.
    let big = |i: usize| message("BatchTopic", 1, &vec![b'x'; 300], "T", &format!("big{i}"));
    let big_len = record::encode(
        &big(0),
        booster_store::record::EncodeLimits {
            max_message_size: 4 * 1024 * 1024,
            auto_message_version_on_topic_len: true,
        },
    )
    .unwrap()
    .len();
    let next_qo = 5;
    loop {
        let remaining = FILE_SIZE as i64 - store.max_phy_offset();
        if remaining < (4 * big_len + 8) as i64 {
            assert!(remaining >= (big_len + 8) as i64, "test setup: a single message must still fit");
            break;
        }
        let r = store.append(&[message("BatchTopic", 0, &[b'f'; 100], "", "")]).unwrap();
        assert!(r.end_offset() <= FILE_SIZE as i64);
    }
    let old_end = store.max_phy_offset();
    let batch: Vec<_> = (0..4).map(big).collect();
    let r = store.append(&batch).unwrap();
    assert_eq!(r.wrote_offset, FILE_SIZE as i64, "the whole batch moved to the next file");
    assert_eq!(r.queue_offset, next_qo, "queue offsets continue");
    assert_eq!(r.wrote_bytes, 4 * big_len, "the BLANK is not counted");
    assert_eq!(store.max_phy_offset(), FILE_SIZE as i64 + 4 * big_len as i64);
    for (i, id) in r.msg_ids.iter().enumerate() {
        let offset = FILE_SIZE as i64 + (i * big_len) as i64;
        assert_eq!(record::decode_offset_msg_id(id), Some((store_host, offset)));
        assert_eq!(view(&store.message_at(offset).unwrap()).queue_offset, next_qo + i as i64);
    }

    // The first file ends with a BLANK marker covering its tail, then zeros.
    let marker = store.commit_log().read_range(old_end, 8).unwrap();
    assert_eq!(i32::from_be_bytes(marker[..4].try_into().unwrap()) as i64, FILE_SIZE as i64 - old_end);
    assert_eq!(i32::from_be_bytes(marker[4..].try_into().unwrap()), BLANK_MAGIC);
    store.shutdown().unwrap();
    let on_disk = std::fs::read(store.config().commit_log_dir().join(file_name(0))).unwrap();
    assert_eq!(on_disk.len(), FILE_SIZE as usize);
    let pos = old_end as usize;
    assert_eq!(
        i32::from_be_bytes(on_disk[pos..pos + 4].try_into().unwrap()) as usize,
        FILE_SIZE as usize - pos
    );
    assert_eq!(i32::from_be_bytes(on_disk[pos + 4..pos + 8].try_into().unwrap()), BLANK_MAGIC);
    assert!(on_disk[pos + 8..].iter().all(|b| *b == 0));
    drop(store);

    // After a restart the queue still has every batch member, in order.
    let store = open(&small_config(dir.path(), FILE_SIZE));
    let got = queue_records(&store, "BatchTopic", 1);
    assert_eq!(got.len(), 9);
    assert!(got.iter().enumerate().all(|(i, (qo, _))| *qo == i as i64));

    // Batches must target one queue and fit in one file.
    let mixed = [message("BatchTopic", 1, b"a", "", ""), message("BatchTopic", 2, b"b", "", "")];
    assert!(matches!(store.append(&mixed), Err(StoreError::MessageIllegal(_))));
    let huge: Vec<_> = (0..20).map(big).collect();
    assert!(matches!(store.append(&huge), Err(StoreError::MessageIllegal(_))));
    assert!(matches!(store.append(&[]), Err(StoreError::MessageIllegal(_))));
}

#[test]
fn query_by_key_matches_keys_uniq_key_topic_and_time() {
    assert_eq!(java_hash("TopicAa#k1"), java_hash("TopicBB#k1"), "test premise: colliding index keys");
    assert_eq!(java_hash("Aa"), java_hash("BB"));

    let dir = tempfile::tempdir().unwrap();
    let config = small_config(dir.path(), FILE_SIZE);
    let store = open(&config);
    let put = |topic: &str, body: &[u8], props: &[(&str, &str)]| {
        store.append(&[message_with_props(topic, 0, body, props, 0)]).unwrap()
    };
    let first = put("KeyTopic", b"one", &[("KEYS", "order-1 order-2  user-7")]);
    put("KeyTopic", b"two", &[("KEYS", "order-2")]);
    put("KeyTopic", b"three", &[("UNIQ_KEY", "AC110001000018B4AAC2")]);
    put("OtherTopic", b"other", &[("KEYS", "order-1 order-2")]);
    put("TopicAa", b"aa", &[("KEYS", "k1")]);
    put("T", b"t", &[("KEYS", "Aa")]);
    wait_dispatched(&store);
    let ts = first.store_timestamp;

    let check = |store: &MessageStore| {
        let q = |topic: &str, key: &str| bodies(&store.query_by_key(topic, key, 32, 0, i64::MAX));
        assert_eq!(q("KeyTopic", "order-1"), vec![b"one".to_vec()]);
        assert_eq!(q("KeyTopic", "order-2"), vec![b"two".to_vec(), b"one".to_vec()], "newest first");
        assert_eq!(q("KeyTopic", "user-7"), vec![b"one".to_vec()], "every space-separated key");
        assert_eq!(q("KeyTopic", "AC110001000018B4AAC2"), vec![b"three".to_vec()], "UNIQ_KEY");
        assert!(q("KeyTopic", "order").is_empty());
        assert!(q("KeyTopic", "").is_empty());
        assert!(q("KeyTopic", "order-1 order-2").is_empty(), "the whole KEYS string is not a key");
        assert_eq!(q("OtherTopic", "order-1"), vec![b"other".to_vec()]);
        assert!(q("NoTopic", "order-1").is_empty());
        // Index hits are hash matches only; the records are checked.
        assert_eq!(q("TopicAa", "k1"), vec![b"aa".to_vec()]);
        assert!(q("TopicBB", "k1").is_empty(), "same key hash, other topic");
        assert_eq!(q("T", "Aa"), vec![b"t".to_vec()]);
        assert!(q("T", "BB").is_empty(), "same key hash, other key");

        assert_eq!(bodies(&store.query_by_key("KeyTopic", "order-2", 1, 0, i64::MAX)), vec![b"two".to_vec()]);
        // Time range (index times have one-second resolution).
        let qt = |begin: i64, end: i64| store.query_by_key("KeyTopic", "order-2", 32, begin, end).len();
        assert_eq!(qt(ts - 60_000, ts + 60_000), 2);
        assert_eq!(qt(ts - 60_000, ts - 1), 0, "all stored after the range");
        assert_eq!(qt(ts + 3_600_000, i64::MAX), 0, "all stored before the range");
    };
    check(&store);
    store.shutdown().unwrap();
    drop(store);
    check(&open(&config));
    mark_crashed(&config);
    check(&open(&config));
}

#[test]
fn offset_by_timestamp_and_earliest_message_time() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&small_config(dir.path(), FILE_SIZE));
    assert_eq!(store.earliest_message_time("TimeTopic", 0), -1);
    assert_eq!(store.offset_by_timestamp("TimeTopic", 0, 1), 0);

    let mut ts = Vec::new();
    for i in 0..7 {
        if i > 0 {
            // Distinct store timestamps.
            let last = *ts.last().unwrap();
            while booster_store::commit_log::now_ms() <= last + 1 {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        // Another queue interleaved: it must not disturb this one.
        store.append(&[message("TimeTopic", 1, b"noise", "", "")]).unwrap();
        ts.push(
            store
                .append(&[message("TimeTopic", 0, format!("t{i}").as_bytes(), "", "")])
                .unwrap()
                .store_timestamp,
        );
    }
    wait_dispatched(&store);
    assert!(ts.windows(2).all(|w| w[0] + 1 < w[1]));

    assert_eq!(store.earliest_message_time("TimeTopic", 0), ts[0]);
    assert_eq!(store.offset_by_timestamp("TimeTopic", 0, 0), 0);
    assert_eq!(store.offset_by_timestamp("TimeTopic", 0, ts[0] - 1), 0);
    for (i, t) in ts.iter().enumerate() {
        assert_eq!(store.offset_by_timestamp("TimeTopic", 0, *t), i as i64, "exact time of message {i}");
        assert_eq!(store.offset_by_timestamp("TimeTopic", 0, *t + 1), i as i64 + 1, "just after message {i}");
    }
    assert_eq!(store.offset_by_timestamp("TimeTopic", 0, i64::MAX), 7, "after everything: the max offset");
}

fn sync_flush_config(dir: &std::path::Path) -> MessageStoreConfig {
    MessageStoreConfig { flush_disk_type: FlushDiskType::SyncFlush, ..small_config(dir, FILE_SIZE) }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_flush_puts_wait_for_the_disk() {
    let dir = tempfile::tempdir().unwrap();
    let config = sync_flush_config(dir.path());
    let store = open(&config);

    let r = store.put(&[message("SyncTopic", 0, b"first", "", "")], true).await.unwrap();
    assert_eq!(r.status, PutMessageStatus::PutOk);
    assert!(store.commit_log().flushed_offset() >= r.append.end_offset());
    assert!(*store.subscribe_flushed().borrow() >= r.append.end_offset());

    let mut tasks = Vec::new();
    for t in 0..32 {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            let mut results = Vec::new();
            for i in 0..4 {
                // Mixed sizes so some puts cross file boundaries.
                let body = vec![b'a' + (t % 26) as u8; 20 + (t * 37 + i * 101) % 700];
                let msgs = if i == 3 {
                    vec![message("SyncTopic", 0, &body, "", ""), message("SyncTopic", 0, &body, "", "")]
                } else {
                    vec![message("SyncTopic", 0, &body, "", "")]
                };
                let r = store.put(&msgs, true).await.unwrap();
                assert_eq!(r.status, PutMessageStatus::PutOk);
                assert!(store.commit_log().flushed_offset() >= r.append.end_offset(), "acked before durable");
                results.push((r.append.queue_offset, r.append.msg_num));
            }
            results
        }));
    }
    let mut offsets = Vec::new();
    for task in tasks {
        for (qo, n) in task.await.unwrap() {
            offsets.extend(qo..qo + n as i64);
        }
    }
    offsets.sort_unstable();
    assert_eq!(offsets, (1..1 + 32 * 5).collect::<Vec<i64>>(), "every queue offset assigned once");
    assert!(store.max_phy_offset() > 4 * FILE_SIZE as i64, "test crossed several files");

    // Puts that do not wait still succeed; SYNC_FLUSH dispatches flushed data.
    let r = store.put(&[message("SyncTopic", 0, b"no-wait", "", "")], false).await.unwrap();
    assert_eq!(r.status, PutMessageStatus::PutOk);
    assert!(store.wait_flushed(r.append.end_offset(), Duration::from_secs(5)).await);
    wait_dispatched(&store);
    let records = queue_records(&store, "SyncTopic", 0);
    assert_eq!(records.len(), 1 + 32 * 5 + 1);
    assert!(records.iter().enumerate().all(|(i, (qo, _))| *qo == i as i64));
}

/// Retention with `fileReservedTime = 0`: every CommitLog file but the newest
/// goes, and everything that pointed into them follows.
#[test]
fn retention_deletes_old_files_and_moves_min_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let config = MessageStoreConfig {
        file_reserved_time: 0,
        delete_commit_log_files_interval: 0,
        ..small_config(dir.path(), FILE_SIZE)
    };
    let store = open(&config);
    // A queue whose records all end up in deleted files...
    for i in 0..3 {
        store.append(&[message("Gone", 0, format!("gone-{i}").as_bytes(), "", "")]).unwrap();
    }
    // ...and one spanning every file, with more entries than one CQ file (64) holds.
    let mut written = Vec::new();
    for i in 0..150 {
        let r = store.append(&[message("Ret", 0, &[i as u8; 80], "", &format!("key-{i}"))]).unwrap();
        assert_eq!(r.queue_offset, i);
        written.push(r);
    }
    wait_dispatched(&store);
    let files_before = std::fs::read_dir(config.commit_log_dir()).unwrap().count();
    assert!(files_before >= 6, "test setup: {files_before} CommitLog files");
    let newest_start = store.max_phy_offset() - store.max_phy_offset() % FILE_SIZE as i64;
    assert_eq!(store.consume_queue("Ret", 0).unwrap().min_offset(), 0);

    let deleted = store.clean_expired_files(true).unwrap();
    assert_eq!(deleted, files_before - 1, "all but the newest file");
    let names: Vec<_> = std::fs::read_dir(config.commit_log_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, vec![file_name(newest_start)]);
    assert_eq!(store.min_phy_offset(), newest_start);
    assert!(store.message_at(0).is_none());

    let new_min = written.iter().position(|r| r.wrote_offset >= newest_start).unwrap() as i64;
    assert!(new_min >= 128, "test setup: two whole CQ files expired (min {new_min})");
    let check = |store: &MessageStore, max: i64| {
        assert_eq!(store.min_phy_offset(), newest_start);
        assert_eq!(store.min_offset_in_queue("Ret", 0), new_min);
        assert_eq!(store.max_offset_in_queue("Ret", 0), max);
        for offset in [0, 1, new_min - 1] {
            let r = store.get_messages("Ret", 0, offset, 32, usize::MAX, &all);
            assert_eq!(r.status, GetMessageStatus::OffsetTooSmall, "offset {offset}");
            assert!(r.messages.is_empty());
            assert_eq!((r.next_begin_offset, r.min_offset), (new_min, new_min));
        }
        let r = store.get_messages("Ret", 0, new_min, 500, usize::MAX, &all);
        assert_eq!(r.status, GetMessageStatus::Found);
        assert_eq!(r.messages.len() as i64, max - new_min);
        assert_eq!(body_of(&r.messages[0]), vec![new_min as u8; 80]);
        assert_eq!(store.earliest_message_time("Ret", 0), written[new_min as usize].store_timestamp);
        assert_eq!(store.offset_by_timestamp("Ret", 0, 0), new_min);
        assert!(store.query_by_key("Ret", "key-0", 32, 0, i64::MAX).is_empty(), "deleted message");
        assert_eq!(store.query_by_key("Ret", "key-149", 32, 0, i64::MAX).len(), 1);
        // The fully expired queue serves nothing.
        let r = store.get_messages("Gone", 0, 0, 32, usize::MAX, &all);
        assert!(r.messages.is_empty() && r.status != GetMessageStatus::Found, "{:?}", r.status);
        if let Some(q) = store.consume_queue("Gone", 0) {
            assert_eq!((q.min_offset(), q.max_offset()), (3, 3));
            assert_eq!(r.status, GetMessageStatus::OffsetTooSmall);
            assert_eq!(r.next_begin_offset, 3);
        }
    };
    check(&store, 150);
    // Whole CQ files holding only expired entries are gone (never the newest).
    let cq_dir = config.consume_queue_dir().join("Ret").join("0");
    let mut cq_files: Vec<_> =
        std::fs::read_dir(&cq_dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    cq_files.sort();
    assert_eq!(cq_files.first().unwrap(), &file_name(20 * 128), "CQ files of entries 0..128 deleted");

    store.shutdown().unwrap();
    drop(store);
    let store = open(&config);
    check(&store, 150);
    let r = store.append(&[message("Ret", 0, b"after", "", "")]).unwrap();
    assert_eq!(r.queue_offset, 150);
    drop(store);
    mark_crashed(&config);
    let store = open(&config);
    check(&store, 151);
}
