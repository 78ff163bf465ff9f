//! CommitLog record compatibility with a third-party RocketMQ decoder.
//!
//! Records written by `booster_store::MessageStore` are read back raw and
//! decoded by `rocketmq_protocol::common::message::message_decoder::decode`
//! (rocketmq-protocol 1.0.0, the decoder the published `rocketmq-client-rust`
//! 1.0.0 runs over PULL response bodies), with CRC checking on. Expected values
//! come from what the test appended, computed here from spec/store.md §3 —
//! never from `booster_store::record` — so an encoder bug cannot hide behind a
//! matching reader bug.
//!
//! Decoder gotchas handled here: `decode` never checks TOTALSIZE against the
//! bytes it consumed (we assert both), returns an empty body as `None`, and
//! `decodes_batch` silently stops at the first bad record (we only use
//! repeated `decode` calls for the pull body).

use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use booster_conf::MessageStoreConfig;
use booster_store::{AppendResult, GetMessageStatus, MessageStore, MessageToStore};
use bytes::{BufMut, Bytes, BytesMut};
use proptest::prelude::*;
use rocketmq_model::common::message::message_ext::MessageExt;
use rocketmq_protocol::common::message::message_decoder;
use rocketmq_protocol::protocol::body::message_codec::decode_message_frame;
use tempfile::TempDir;

mod spec_record;
use spec_record::*;

// ---------------------------------------------------------------------------
// Store harness
// ---------------------------------------------------------------------------

/// A store in a temp dir; fields drop in order, so the store closes first.
struct Harness {
    store: Arc<MessageStore>,
    _dir: TempDir,
    /// Next queue offset per topic-queue, tracked by the test itself.
    next_queue_offset: HashMap<(String, i32), i64>,
}

/// One appended message with everything the test expects to read back.
#[derive(Debug, Clone)]
struct Appended {
    msg: MessageToStore,
    /// Expected decoded property map (built independently of the property string).
    props: HashMap<String, String>,
    queue_offset: i64,
    commit_log_offset: i64,
    store_timestamp: i64,
    store_size: usize,
    msg_id: String,
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

impl Harness {
    fn open() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = MessageStoreConfig {
            mapped_file_size_commit_log: 1 << 20,
            mapped_file_size_consume_queue: 20 * 256,
            max_hash_slot_num: 64,
            max_index_num: 256,
            ..MessageStoreConfig::with_root(dir.path())
        };
        let store = MessageStore::open(config).expect("store opens");
        Self { store, _dir: dir, next_queue_offset: HashMap::new() }
    }

    /// Appends `msgs` (one message or a batch of one topic-queue) and checks
    /// the `AppendResult` against independently computed expectations.
    fn append(&mut self, msgs: Vec<(MessageToStore, HashMap<String, String>)>) -> Vec<Appended> {
        let to_store: Vec<MessageToStore> = msgs.iter().map(|(m, _)| m.clone()).collect();
        let before = now_ms();
        let r: AppendResult = self.store.append(&to_store).expect("append");
        let after = now_ms();

        let sizes: Vec<usize> = to_store.iter().map(expected_record_len).collect();
        assert_eq!(r.msg_num, msgs.len());
        assert_eq!(r.wrote_bytes, sizes.iter().sum::<usize>(), "AppendResult.wrote_bytes");
        assert!(
            (before..=after).contains(&r.store_timestamp),
            "store timestamp {} not in append window",
            r.store_timestamp
        );
        assert_eq!(r.msg_ids.len(), msgs.len());

        let first = &to_store[0];
        let consumable = matches!(first.sys_flag & 0xC, 0 | TX_COMMIT);
        let key = (first.topic.clone(), first.queue_id);
        let base_qo = if consumable { *self.next_queue_offset.get(&key).unwrap_or(&0) } else { 0 };
        assert_eq!(r.queue_offset, base_qo, "AppendResult.queue_offset");
        if consumable {
            self.next_queue_offset.insert(key, base_qo + msgs.len() as i64);
        }

        let mut phys = r.wrote_offset;
        let mut out = Vec::new();
        for (i, ((msg, props), size)) in msgs.into_iter().zip(sizes).enumerate() {
            let msg_id = expected_msg_id(&msg.store_host, phys);
            assert_eq!(r.msg_ids[i], msg_id, "AppendResult.msg_ids[{i}]");
            out.push(Appended {
                msg,
                props,
                queue_offset: if consumable { base_qo + i as i64 } else { 0 },
                commit_log_offset: phys,
                store_timestamp: r.store_timestamp,
                store_size: size,
                msg_id,
            });
            phys += size as i64;
        }
        assert_eq!(phys, r.end_offset());
        out
    }

    fn wait_dispatched(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.store.dispatched_offset() < self.store.max_phy_offset() {
            assert!(Instant::now() < deadline, "dispatch did not catch up");
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

struct Msg<'a> {
    topic: &'a str,
    queue_id: i32,
    flag: i32,
    body: &'a [u8],
    props: &'a [(&'a str, &'a str)],
    sys_flag: i32,
    born_timestamp: i64,
    born_host: &'a str,
    store_host: &'a str,
    reconsume_times: i32,
    prepared_transaction_offset: i64,
}

const DEFAULT_MSG: Msg<'static> = Msg {
    topic: "TopicTest",
    queue_id: 0,
    flag: 0,
    body: b"hello",
    props: &[],
    sys_flag: 0,
    born_timestamp: 1_700_000_000_123,
    born_host: "192.168.0.10:54321",
    store_host: "10.0.0.1:10911",
    reconsume_times: 0,
    prepared_transaction_offset: 0,
};

impl Msg<'_> {
    fn build(&self) -> (MessageToStore, HashMap<String, String>) {
        let m = MessageToStore {
            topic: self.topic.to_string(),
            queue_id: self.queue_id,
            flag: self.flag,
            body: Bytes::copy_from_slice(self.body),
            properties: props_string(self.props),
            sys_flag: self.sys_flag,
            born_timestamp: self.born_timestamp,
            born_host: addr(self.born_host),
            store_host: addr(self.store_host),
            reconsume_times: self.reconsume_times,
            prepared_transaction_offset: self.prepared_transaction_offset,
        };
        (m, props_map(self.props))
    }
}

// ---------------------------------------------------------------------------
// Assertions against the third-party decoder
// ---------------------------------------------------------------------------

/// Decodes one whole raw record with rocketmq-protocol (check_crc = true),
/// requiring it to consume exactly the record, and compares every field.
fn assert_raw_record_decodes(raw: &Bytes, a: &Appended) {
    assert_eq!(raw.len(), a.store_size, "raw record length at {}", a.commit_log_offset);
    assert_eq!(&raw[..4], &(a.store_size as i32).to_be_bytes(), "TOTALSIZE at {}", a.commit_log_offset);

    // Raw frame: magic and the byte-exact property string.
    let frame = decode_message_frame(&mut raw.clone()).expect("frame decodes");
    let magic = if a.msg.topic.len() > 127 { MAGIC_V2 } else { MAGIC_V1 };
    assert_eq!(frame.magic_code, magic, "magic for topic of {} bytes", a.msg.topic.len());
    assert_eq!(frame.properties_string.as_str(), a.msg.properties, "property string");

    let mut cursor = raw.clone();
    let m = message_decoder::decode(&mut cursor, true, false, false, false, true)
        .unwrap_or_else(|| panic!("rocketmq decoder rejected record at {}", a.commit_log_offset));
    assert_eq!(cursor.len(), 0, "decoder left {} bytes of the record unread", cursor.len());
    assert_message(&m, a);
}

/// Every MessageExt field against what was appended.
fn assert_message(m: &MessageExt, a: &Appended) {
    let at = a.commit_log_offset;
    assert_eq!(m.store_size(), a.store_size as i32, "store_size @{at}");
    assert_eq!(m.topic().as_str(), a.msg.topic, "topic @{at}");
    let body = m.body();
    assert_eq!(body.is_none(), a.msg.body.is_empty(), "body presence @{at}");
    assert_eq!(body.unwrap_or_default(), a.msg.body, "body @{at}");
    assert_eq!(decoded_props(m), a.props, "properties @{at}");
    assert_eq!(m.queue_id(), a.msg.queue_id, "queue_id @{at}");
    assert_eq!(m.flag(), a.msg.flag, "flag @{at}");
    assert_eq!(m.queue_offset(), a.queue_offset, "queue_offset @{at}");
    assert_eq!(m.commit_log_offset(), a.commit_log_offset, "commit_log_offset @{at}");
    assert_eq!(m.sys_flag(), expected_sys_flag(&a.msg), "sys_flag @{at}");
    assert_eq!(m.born_timestamp(), a.msg.born_timestamp, "born_timestamp @{at}");
    assert_eq!(m.born_host(), a.msg.born_host, "born_host @{at}");
    assert_eq!(m.store_timestamp(), a.store_timestamp, "store_timestamp @{at}");
    assert_eq!(m.store_host(), a.msg.store_host, "store_host @{at}");
    assert_eq!(m.reconsume_times(), a.msg.reconsume_times, "reconsume_times @{at}");
    assert_eq!(
        m.prepared_transaction_offset(),
        a.msg.prepared_transaction_offset,
        "prepared_tx_offset @{at}"
    );
    assert_eq!(m.body_crc(), masked_crc(&a.msg.body), "body_crc @{at}");
    assert_eq!(m.msg_id().as_str(), a.msg_id, "msg_id @{at}");
}

// ---------------------------------------------------------------------------
// 1. Records written by MessageStore
// ---------------------------------------------------------------------------

#[test]
fn store_records_decode_with_rocketmq_decoder() {
    let mut h = Harness::open();
    let retry_topic = format!("%RETRY%{}", "g".repeat(140)); // 147 bytes → V2
    let max_retry_topic = format!("%RETRY%{}", "x".repeat(248)); // 255 bytes, the limit
    let uniq = "AC11000100182A9F000000000000000A";
    let full_props: &[(&str, &str)] = &[("KEYS", "k1 k2"), ("TAGS", "tagA"), ("UNIQ_KEY", uniq)];
    let mut all = Vec::new();

    // IPv4/IPv4, KEYS/TAGS/UNIQ_KEY, flag, reconsume times.
    all.extend(h.append(vec![Msg { flag: 7, props: full_props, reconsume_times: 3, ..DEFAULT_MSG }.build()]));
    // Born host IPv6 (every later field shifts by 12).
    all.extend(
        h.append(vec![Msg { born_host: "[2001:db8::1]:40000", props: full_props, ..DEFAULT_MSG }.build()]),
    );
    // Store host IPv6, another queue.
    all.extend(h.append(vec![Msg { queue_id: 1, store_host: "[fd00::1]:10911", ..DEFAULT_MSG }.build()]));
    // Both IPv6.
    all.extend(h.append(vec![
        Msg { born_host: "[::1]:1", store_host: "[2001:db8::ff]:65535", ..DEFAULT_MSG }.build(),
    ]));
    // %RETRY% topic > 127 bytes → V2 magic (2-byte topic length), with redeliveries.
    all.extend(h.append(vec![
        Msg {
            topic: &retry_topic,
            reconsume_times: 5,
            props: &[("RETRY_TOPIC", "TopicTest"), ("TAGS", "tagA"), ("UNIQ_KEY", uniq)],
            ..DEFAULT_MSG
        }
        .build(),
    ]));
    // V2 at the 255-byte limit, both hosts IPv6.
    all.extend(h.append(vec![
        Msg {
            topic: &max_retry_topic,
            born_host: "[2001:db8::2]:2",
            store_host: "[2001:db8::3]:3",
            reconsume_times: 16,
            ..DEFAULT_MSG
        }
        .build(),
    ]));
    // Empty body, and empty properties.
    all.extend(h.append(vec![Msg { body: b"", props: full_props, ..DEFAULT_MSG }.build()]));
    all.extend(h.append(vec![Msg { body: b"", ..DEFAULT_MSG }.build()]));
    // Non-UTF-8 body, non-ASCII property value.
    all.extend(h.append(vec![
            Msg {
                body: &[0, 0xFF, 0xFE, 0x80, 1, 2], props: &[("TAGS", "标签"), ("k", "v")], ..DEFAULT_MSG
            }
            .build(),
        ]));
    // Producer sysflag bits are kept (compressed, MULTI_TAGS, ZSTD type); stray
    // V6 bits on IPv4 hosts are cleared.
    all.extend(h.append(vec![
            Msg { sys_flag: COMPRESSED | MULTI_TAGS | (2 << 8) | BORNHOST_V6 | STOREHOST_V6, ..DEFAULT_MSG }
                .build(),
        ]));

    // Transactions: PREPARED and ROLLBACK get queue offset 0 and do not advance
    // the queue; COMMIT carries the half message's offset.
    let half = h.append(vec![
        Msg { topic: "TopicTx", sys_flag: TX_PREPARED, props: full_props, ..DEFAULT_MSG }.build(),
    ]);
    let half_offset = half[0].commit_log_offset;
    all.extend(half);
    let commit = Msg {
        topic: "TopicTx",
        sys_flag: TX_COMMIT,
        prepared_transaction_offset: half_offset,
        props: full_props,
        ..DEFAULT_MSG
    };
    all.extend(h.append(vec![commit.build()]));
    all.extend(h.append(vec![
        Msg {
            topic: "TopicTx",
            sys_flag: TX_ROLLBACK,
            prepared_transaction_offset: half_offset,
            born_host: "[2001:db8::9]:9",
            ..DEFAULT_MSG
        }
        .build(),
    ]));
    all.extend(h.append(vec![commit.build()]));
    let tx_queue_offsets: Vec<i64> = all[all.len() - 4..].iter().map(|a| a.queue_offset).collect();
    assert_eq!(tx_queue_offsets, [0, 0, 0, 1]);

    // Batches: one record per inner message, consecutive queue offsets and
    // physical offsets, shared header fields, per-entry flag/body/properties.
    let batch = |n: usize, start: usize| -> Vec<(MessageToStore, HashMap<String, String>)> {
        (start..start + n)
            .map(|i| {
                let key = format!("key-{i}");
                let uniq_i = format!("{uniq}{i}");
                let body = format!("batch body {i}").repeat(i + 1);
                Msg {
                    topic: "TopicBatch",
                    queue_id: 2,
                    flag: i as i32,
                    body: body.as_bytes(),
                    props: &[("KEYS", key.as_str()), ("TAGS", "b"), ("UNIQ_KEY", uniq_i.as_str())],
                    born_host: "[2001:db8::1]:40000",
                    reconsume_times: 1,
                    ..DEFAULT_MSG
                }
                .build()
            })
            .collect()
    };
    let b1 = h.append(batch(3, 0));
    let b2 = h.append(batch(2, 3));
    assert_eq!(b1.iter().chain(&b2).map(|a| a.queue_offset).collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
    all.extend(b1);
    all.extend(b2);
    // TopicTest queue 0 kept counting across the interleaved appends.
    all.extend(h.append(vec![Msg { props: full_props, ..DEFAULT_MSG }.build()]));
    assert_eq!(all.last().unwrap().queue_offset, 7);

    for a in &all {
        let raw = h.store.message_at(a.commit_log_offset).expect("record readable");
        assert_raw_record_decodes(&raw, a);
    }

    // Spot checks through the client's own accessors.
    let first = message_decoder::decode(
        &mut h.store.message_at(all[0].commit_log_offset).unwrap(),
        true,
        false,
        false,
        false,
        true,
    )
    .unwrap();
    assert_eq!(first.get_tags().unwrap().as_str(), "tagA");
    assert_eq!(first.message_inner().keys(), Some(vec!["k1".to_string(), "k2".to_string()]));
    assert_eq!(first.properties().get("UNIQ_KEY").unwrap().as_str(), uniq);
    assert_eq!(first.reconsume_times(), 3);
    let ipv6_store = &all[2];
    assert_eq!(ipv6_store.msg_id.len(), 56, "IPv6 store host → 28-byte msg id");
    assert_eq!(all[0].msg_id.len(), 32);
}

// ---------------------------------------------------------------------------
// 2. Property test over arbitrary messages
// ---------------------------------------------------------------------------

fn arb_host() -> impl Strategy<Value = SocketAddr> {
    prop_oneof![
        (any::<[u8; 4]>(), any::<u16>())
            .prop_map(|(ip, port)| SocketAddr::new(Ipv4Addr::from(ip).into(), port)),
        (any::<[u8; 16]>(), any::<u16>())
            .prop_map(|(ip, port)| SocketAddr::new(Ipv6Addr::from(ip).into(), port)),
    ]
}

fn arb_topic() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9_%|-]{1,127}",
        "%RETRY%[A-Za-z0-9_-]{121,248}", // 128..=255 bytes → V2
        "%DLQ%[A-Za-z0-9_-]{123,250}",
        "[a-zäöü中文字_]{1,40}", // multi-byte, still ≤ 127 bytes
    ]
}

fn arb_sys_flag() -> impl Strategy<Value = i32> {
    (0..4i32, any::<bool>(), any::<bool>(), 0..4i32, 0..4i32).prop_map(
        |(tx, compressed, multi_tags, stray_v6, ctype)| {
            (tx << 2) | i32::from(compressed) | (i32::from(multi_tags) << 1) | (stray_v6 << 4) | (ctype << 8)
        },
    )
}

fn arb_props() -> impl Strategy<Value = HashMap<String, String>> {
    proptest::collection::hash_map("[A-Za-z_][A-Za-z0-9_#-]{0,15}|\\PC{1,6}", "\\PC{1,24}", 0..6)
}

fn arb_body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![1 => Just(Vec::new()), 4 => proptest::collection::vec(any::<u8>(), 0..1500)]
}

/// Per-record fields of a batch entry.
type Inner = (i32, Vec<u8>, HashMap<String, String>);

/// One append: shared header fields and 1..=4 inner messages (1 = single put).
#[derive(Debug, Clone)]
struct ArbAppend {
    topic: String,
    queue_id: i32,
    sys_flag: i32,
    born_timestamp: i64,
    born_host: SocketAddr,
    store_host: SocketAddr,
    reconsume_times: i32,
    prepared_transaction_offset: i64,
    inner: Vec<Inner>,
}

fn arb_append() -> impl Strategy<Value = ArbAppend> {
    (
        arb_topic(),
        0..4i32,
        arb_sys_flag(),
        any::<i64>(),
        arb_host(),
        arb_host(),
        any::<i32>(),
        any::<i64>(),
        proptest::collection::vec((any::<i32>(), arb_body(), arb_props()), 1..=4),
    )
        .prop_map(
            |(topic, queue_id, sys_flag, born_timestamp, born_host, store_host, rt, pto, inner)| ArbAppend {
                topic,
                queue_id,
                sys_flag,
                born_timestamp,
                born_host,
                store_host,
                reconsume_times: rt,
                prepared_transaction_offset: pto,
                inner,
            },
        )
}

impl ArbAppend {
    fn messages(&self) -> Vec<(MessageToStore, HashMap<String, String>)> {
        self.inner
            .iter()
            .map(|(flag, body, props)| {
                let pairs: Vec<(&str, &str)> = props.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                let m = MessageToStore {
                    topic: self.topic.clone(),
                    queue_id: self.queue_id,
                    flag: *flag,
                    body: Bytes::from(body.clone()),
                    properties: props_string(&pairs),
                    sys_flag: self.sys_flag,
                    born_timestamp: self.born_timestamp,
                    born_host: self.born_host,
                    store_host: self.store_host,
                    reconsume_times: self.reconsume_times,
                    prepared_transaction_offset: self.prepared_transaction_offset,
                };
                (m, props.clone())
            })
            .collect()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Any message or batch the store accepts decodes, field for field, with
    /// the rocketmq-rust client decoder.
    #[test]
    fn arbitrary_messages_decode_with_rocketmq_decoder(appends in proptest::collection::vec(arb_append(), 1..6)) {
        let mut h = Harness::open();
        let mut all = Vec::new();
        for a in &appends {
            all.extend(h.append(a.messages()));
        }
        for a in &all {
            let raw = h.store.message_at(a.commit_log_offset).expect("record readable");
            assert_raw_record_decodes(&raw, a);
        }
    }
}

// ---------------------------------------------------------------------------
// 3. PULL response body: concatenated raw records
// ---------------------------------------------------------------------------

/// Decodes `body` with repeated `decode` calls, each of which must consume
/// exactly one expected record, in order, leaving nothing behind.
fn assert_pull_body_decodes(body: Bytes, expected: &[&Appended]) {
    let mut cursor = body;
    for (i, a) in expected.iter().enumerate() {
        let before = cursor.len();
        let m = message_decoder::decode(&mut cursor, true, false, false, false, true)
            .unwrap_or_else(|| panic!("message {i} of the pull body does not decode"));
        assert_eq!(before - cursor.len(), a.store_size, "message {i} consumed bytes");
        assert_message(&m, a);
    }
    assert!(cursor.is_empty(), "{} trailing bytes after {} messages", cursor.len(), expected.len());
}

fn pull_body(h: &Harness, topic: &str, queue_id: i32, offset: i64, max: usize) -> (Bytes, i64) {
    let r = h.store.get_messages(topic, queue_id, offset, max, usize::MAX, &|_| true);
    assert_eq!(r.status, GetMessageStatus::Found);
    let mut body = BytesMut::new();
    for m in &r.messages {
        body.put_slice(m);
    }
    (body.freeze(), r.next_begin_offset)
}

#[test]
fn pull_body_of_concatenated_records_decodes_in_order() {
    let mut h = Harness::open();
    let retry_topic = format!("%RETRY%{}", "cg".repeat(70)); // V2 records
    let props: &[(&str, &str)] = &[("KEYS", "k"), ("TAGS", "t"), ("UNIQ_KEY", "AC110001")];
    let mut q = Vec::new(); // PullTopic queue 1, in queue order
    let mut retry = Vec::new();
    for round in 0..3 {
        let body = format!("round {round}").into_bytes();
        q.extend(h.append(vec![
            Msg { topic: "PullTopic", queue_id: 1, body: &body, props, ..DEFAULT_MSG }.build(),
        ]));
        // Noise: another queue, and a PREPARED record of the same queue (no CQ entry).
        h.append(vec![Msg { topic: "PullTopic", queue_id: 0, ..DEFAULT_MSG }.build()]);
        h.append(vec![Msg { topic: "PullTopic", queue_id: 1, sys_flag: TX_PREPARED, ..DEFAULT_MSG }.build()]);
        q.extend(h.append(vec![
            Msg {
                topic: "PullTopic",
                queue_id: 1,
                body: b"",
                born_host: "[2001:db8::1]:40000",
                store_host: "[2001:db8::2]:10911",
                ..DEFAULT_MSG
            }
            .build(),
        ]));
        let batch: Vec<_> = (0..3)
            .map(|i| {
                let body = vec![round as u8; 10 * i + 1];
                Msg { topic: "PullTopic", queue_id: 1, flag: i as i32, body: &body, props, ..DEFAULT_MSG }
                    .build()
            })
            .collect();
        q.extend(h.append(batch));
        retry.extend(h.append(vec![
                Msg {
                    topic: &retry_topic,
                    reconsume_times: round + 1,
                    born_host: "[::1]:5",
                    props,
                    ..DEFAULT_MSG
                }
                .build(),
            ]));
    }
    h.wait_dispatched();
    assert_eq!(q.len(), 15);

    // Whole queue in one pull.
    let (body, next) = pull_body(&h, "PullTopic", 1, 0, 32);
    assert_eq!(next, 15);
    assert_eq!(body.len(), q.iter().map(|a| a.store_size).sum::<usize>());
    assert_pull_body_decodes(body.clone(), &q.iter().collect::<Vec<_>>());
    // decodes_batch (what the client calls) agrees on the count and ids.
    let batch = message_decoder::decodes_batch(&mut body.clone(), true, false);
    assert_eq!(
        batch.iter().map(|m| m.msg_id().as_str().to_owned()).collect::<Vec<_>>(),
        q.iter().map(|a| a.msg_id.clone()).collect::<Vec<_>>()
    );

    // A window from the middle of the queue.
    let (body, next) = pull_body(&h, "PullTopic", 1, 4, 5);
    assert_eq!(next, 9);
    assert_pull_body_decodes(body, &q[4..9].iter().collect::<Vec<_>>());

    // V2 records of a retry topic.
    let (body, _) = pull_body(&h, &retry_topic, 0, 0, 32);
    assert_pull_body_decodes(body, &retry.iter().collect::<Vec<_>>());
}
