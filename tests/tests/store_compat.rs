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
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use booster_conf::MessageStoreConfig;
use booster_store::record::{self, EncodeLimits, RecordCheck};
use booster_store::{AppendResult, GetMessageStatus, MessageStore, MessageToStore};
use bytes::{BufMut, Bytes, BytesMut};
use proptest::prelude::*;
use rocketmq_model::common::message::message_ext::MessageExt;
use rocketmq_protocol::common::message::message_decoder;
use rocketmq_protocol::protocol::body::message_codec::decode_message_frame;
use tempfile::TempDir;

// Spec values (store.md §3.1/§3.2), deliberately not taken from booster_store.
const MAGIC_V1: i32 = 0xDAA3_20A7_u32 as i32;
const MAGIC_V2: i32 = 0xDAA3_20AB_u32 as i32;
const COMPRESSED: i32 = 0x1;
const MULTI_TAGS: i32 = 0x2;
const TX_PREPARED: i32 = 0x4;
const TX_COMMIT: i32 = 0x8;
const TX_ROLLBACK: i32 = 0xC;
const BORNHOST_V6: i32 = 0x10;
const STOREHOST_V6: i32 = 0x20;

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

/// TOTALSIZE per spec/store.md §3.1, from the message alone.
fn expected_record_len(m: &MessageToStore) -> usize {
    let host = |a: &SocketAddr| if a.is_ipv6() { 16 + 4 } else { 4 + 4 };
    let topic_len_size = if m.topic.len() > 127 { 2 } else { 1 };
    4 + 4
        + 4
        + 4
        + 4
        + 8
        + 8
        + 4
        + 8
        + host(&m.born_host)
        + 8
        + host(&m.store_host)
        + 4
        + 8
        + 4
        + m.body.len()
        + topic_len_size
        + m.topic.len()
        + 2
        + m.properties.len()
}

/// Offset msg id: store IP + i32 port + i64 offset, uppercase hex (remoting.md §4.2.2).
fn expected_msg_id(store_host: &SocketAddr, offset: i64) -> String {
    let mut raw = Vec::new();
    match store_host.ip() {
        IpAddr::V4(ip) => raw.extend_from_slice(&ip.octets()),
        IpAddr::V6(ip) => raw.extend_from_slice(&ip.octets()),
    }
    raw.extend_from_slice(&i32::from(store_host.port()).to_be_bytes());
    raw.extend_from_slice(&offset.to_be_bytes());
    raw.iter().map(|b| format!("{b:02X}")).collect()
}

/// SYSFLAG as stored: the producer's bits with the V6 bits set from the hosts.
fn expected_sys_flag(m: &MessageToStore) -> i32 {
    let mut f = m.sys_flag & !(BORNHOST_V6 | STOREHOST_V6);
    if m.born_host.is_ipv6() {
        f |= BORNHOST_V6;
    }
    if m.store_host.is_ipv6() {
        f |= STOREHOST_V6;
    }
    f
}

fn masked_crc(body: &[u8]) -> u32 {
    crc32fast::hash(body) & 0x7FFF_FFFF
}

/// `name\u1value\u2...`, written here rather than with booster_store's encoder.
fn props_string(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{k}\u{1}{v}\u{2}")).collect()
}

fn props_map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
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

fn decoded_props(m: &MessageExt) -> HashMap<String, String> {
    m.properties().iter().map(|(k, v)| (k.as_str().to_owned(), v.as_str().to_owned())).collect()
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

// ---------------------------------------------------------------------------
// 4. Hand-built fixture, independent of our encoder
// ---------------------------------------------------------------------------

/// The source values of one hand-built record.
#[derive(Debug, Clone)]
struct Fixture {
    queue_id: i32,
    flag: i32,
    queue_offset: i64,
    physical_offset: i64,
    sys_flag: i32, // as written (V6 bits included by hand)
    born_timestamp: i64,
    born_host: SocketAddr,
    store_timestamp: i64,
    store_host: SocketAddr,
    reconsume_times: i32,
    prepared_transaction_offset: i64,
    body: &'static [u8],
    topic: String,
    properties: String,
    v2: bool,
}

fn put_fixture_host(b: &mut Vec<u8>, a: SocketAddr) {
    match a.ip() {
        IpAddr::V4(ip) => b.extend_from_slice(&ip.octets()), // 4 bytes
        IpAddr::V6(ip) => b.extend_from_slice(&ip.octets()), // 16 bytes
    }
    b.extend_from_slice(&i32::from(a.port()).to_be_bytes()); // port as i32
}

impl Fixture {
    /// Field by field, in the order of the store.md §3.1 table.
    fn bytes(&self) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(&[0; 4]); //                                   1 TOTALSIZE (patched)
        b.extend_from_slice(&(if self.v2 { MAGIC_V2 } else { MAGIC_V1 }).to_be_bytes()); // 2 MAGICCODE
        b.extend_from_slice(&masked_crc(self.body).to_be_bytes()); //     3 BODYCRC
        b.extend_from_slice(&self.queue_id.to_be_bytes()); //              4 QUEUEID
        b.extend_from_slice(&self.flag.to_be_bytes()); //                  5 FLAG
        b.extend_from_slice(&self.queue_offset.to_be_bytes()); //          6 QUEUEOFFSET
        b.extend_from_slice(&self.physical_offset.to_be_bytes()); //       7 PHYSICALOFFSET
        b.extend_from_slice(&self.sys_flag.to_be_bytes()); //              8 SYSFLAG
        b.extend_from_slice(&self.born_timestamp.to_be_bytes()); //        9 BORNTIMESTAMP
        put_fixture_host(&mut b, self.born_host); //                        10 BORNHOST
        b.extend_from_slice(&self.store_timestamp.to_be_bytes()); //       11 STORETIMESTAMP
        put_fixture_host(&mut b, self.store_host); //                       12 STOREHOST
        b.extend_from_slice(&self.reconsume_times.to_be_bytes()); //       13 RECONSUMETIMES
        b.extend_from_slice(&self.prepared_transaction_offset.to_be_bytes()); // 14 PREPARED TX OFFSET
        b.extend_from_slice(&(self.body.len() as i32).to_be_bytes()); //   15 BODYLENGTH
        b.extend_from_slice(self.body); //                                 16 BODY
        if self.v2 {
            b.extend_from_slice(&(self.topic.len() as i16).to_be_bytes()); // 17 TOPICLENGTH (V2: i16)
        } else {
            b.push(self.topic.len() as u8); //                              17 TOPICLENGTH (V1: 1 byte)
        }
        b.extend_from_slice(self.topic.as_bytes()); //                     18 TOPIC
        b.extend_from_slice(&(self.properties.len() as i16).to_be_bytes()); // 19 PROPERTIESLENGTH
        b.extend_from_slice(self.properties.as_bytes()); //                20 PROPERTIES
        let total = b.len() as i32;
        b[..4].copy_from_slice(&total.to_be_bytes());
        b
    }

    fn msg_id(&self) -> String {
        expected_msg_id(&self.store_host, self.physical_offset)
    }
}

fn fixtures() -> Vec<Fixture> {
    let f1 = Fixture {
        queue_id: 3,
        flag: 7,
        queue_offset: 42,
        physical_offset: 0,
        sys_flag: 0,
        born_timestamp: 1_700_000_000_123,
        born_host: addr("192.168.0.10:54321"),
        store_timestamp: 1_700_000_000_456,
        store_host: addr("10.0.0.1:10911"),
        reconsume_times: 2,
        prepared_transaction_offset: 0,
        body: b"hello",
        topic: "TopicTest".into(),
        properties: "KEYS\u{1}k1\u{2}TAGS\u{1}tagA\u{2}".into(),
        v2: false,
    };
    // V1, IPv6 born host.
    let mut f2 = f1.clone();
    f2.physical_offset = f1.bytes().len() as i64;
    f2.queue_offset = 43;
    f2.sys_flag = BORNHOST_V6 | MULTI_TAGS;
    f2.born_host = addr("[2001:db8::1]:40000");
    f2.body = b"\x00\xffipv6-born";
    f2.properties = "UNIQ_KEY\u{1}AC11000100182A9F0000000000000001\u{2}".into();
    // V2 (%RETRY% topic > 127 bytes), IPv6 store host, COMMIT.
    let mut f3 = f1.clone();
    f3.physical_offset = f2.physical_offset + f2.bytes().len() as i64;
    f3.queue_offset = 0;
    f3.queue_id = 0;
    f3.sys_flag = STOREHOST_V6 | TX_COMMIT;
    f3.store_host = addr("[::1]:10911");
    f3.prepared_transaction_offset = 12_345;
    f3.reconsume_times = 1;
    f3.topic = format!("%RETRY%{}", "g".repeat(140));
    f3.v2 = true;
    // V2, both IPv6, empty body, no properties.
    let mut f4 = f3.clone();
    f4.physical_offset = f3.physical_offset + f3.bytes().len() as i64;
    f4.queue_offset = 1;
    f4.sys_flag = BORNHOST_V6 | STOREHOST_V6;
    f4.born_host = addr("[fe80::1:2:3:4]:1");
    f4.store_host = addr("[2001:db8:ffff::9]:65535");
    f4.prepared_transaction_offset = 0;
    f4.body = b"";
    f4.properties = String::new();
    vec![f1, f2, f3, f4]
}

/// Record 1, byte by byte (store.md §3.1 table), as a check on the builder.
const F1_HEX: &[&str] = &[
    "0000007B",                             // TOTALSIZE 91 + 5 + 9 + 18 = 123
    "DAA320A7",                             // MAGICCODE V1
    "3610A686",                             // BODYCRC crc32("hello") & 0x7FFFFFFF
    "00000003",                             // QUEUEID 3
    "00000007",                             // FLAG 7
    "000000000000002A",                     // QUEUEOFFSET 42
    "0000000000000000",                     // PHYSICALOFFSET 0
    "00000000",                             // SYSFLAG
    "0000018BCFE5687B",                     // BORNTIMESTAMP 1700000000123
    "C0A8000A",                             // BORNHOST 192.168.0.10
    "0000D431",                             //   port 54321
    "0000018BCFE569C8",                     // STORETIMESTAMP 1700000000456
    "0A000001",                             // STOREHOST 10.0.0.1
    "00002A9F",                             //   port 10911
    "00000002",                             // RECONSUMETIMES 2
    "0000000000000000",                     // PREPARED TRANSACTION OFFSET
    "00000005",                             // BODYLENGTH 5
    "68656C6C6F",                           // BODY "hello"
    "09",                                   // TOPICLENGTH 9
    "546F70696354657374",                   // TOPIC "TopicTest"
    "0012",                                 // PROPERTIESLENGTH 18
    "4B455953016B310254414753017461674102", // KEYS\1k1\2TAGS\1tagA\2
];

fn hex_decode(parts: &[&str]) -> Vec<u8> {
    let s: String = parts.concat();
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn be_i32(b: &[u8], at: usize) -> i32 {
    i32::from_be_bytes(b[at..at + 4].try_into().unwrap())
}

fn be_i64(b: &[u8], at: usize) -> i64 {
    i64::from_be_bytes(b[at..at + 8].try_into().unwrap())
}

fn fixture_props(f: &Fixture) -> HashMap<String, String> {
    f.properties
        .split('\u{2}')
        .filter_map(|e| e.split_once('\u{1}'))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn assert_ours_matches(v: &record::RecordView<'_>, f: &Fixture, len: usize) {
    assert_eq!(v.total_size as usize, len);
    assert_eq!(v.magic, if f.v2 { MAGIC_V2 } else { MAGIC_V1 });
    assert_eq!(v.body_crc as u32, masked_crc(f.body));
    assert_eq!(v.queue_id, f.queue_id);
    assert_eq!(v.flag, f.flag);
    assert_eq!(v.queue_offset, f.queue_offset);
    assert_eq!(v.physical_offset, f.physical_offset);
    assert_eq!(v.sys_flag, f.sys_flag);
    assert_eq!(v.born_timestamp, f.born_timestamp);
    assert_eq!(v.born_host, f.born_host);
    assert_eq!(v.store_timestamp, f.store_timestamp);
    assert_eq!(v.store_host, f.store_host);
    assert_eq!(v.reconsume_times, f.reconsume_times);
    assert_eq!(v.prepared_transaction_offset, f.prepared_transaction_offset);
    assert_eq!(v.body, f.body);
    assert_eq!(v.topic, f.topic.as_bytes());
    assert_eq!(v.properties, f.properties.as_bytes());
    assert_eq!(v.msg_id(), f.msg_id());
}

fn assert_theirs_matches(m: &MessageExt, f: &Fixture, len: usize) {
    assert_eq!(m.store_size() as usize, len);
    assert_eq!(m.body_crc(), masked_crc(f.body));
    assert_eq!(m.queue_id(), f.queue_id);
    assert_eq!(m.flag(), f.flag);
    assert_eq!(m.queue_offset(), f.queue_offset);
    assert_eq!(m.commit_log_offset(), f.physical_offset);
    assert_eq!(m.sys_flag(), f.sys_flag);
    assert_eq!(m.born_timestamp(), f.born_timestamp);
    assert_eq!(m.born_host(), f.born_host);
    assert_eq!(m.store_timestamp(), f.store_timestamp);
    assert_eq!(m.store_host(), f.store_host);
    assert_eq!(m.reconsume_times(), f.reconsume_times);
    assert_eq!(m.prepared_transaction_offset(), f.prepared_transaction_offset);
    assert_eq!(m.body().unwrap_or_default(), f.body);
    assert_eq!(m.topic().as_str(), f.topic);
    assert_eq!(decoded_props(m), fixture_props(f));
    assert_eq!(m.msg_id().as_str(), f.msg_id());
}

#[test]
fn hand_built_fixture_decodes_identically_in_both_readers() {
    let fixtures = fixtures();
    let records: Vec<Vec<u8>> = fixtures.iter().map(Fixture::bytes).collect();

    // The builder against the literal bytes and the spec's offsets.
    assert_eq!(records[0], hex_decode(F1_HEX), "builder vs literal record 1");
    assert_eq!(records[0].len(), 91 + 5 + 9 + 18, "TOTALSIZE = 91 + B + T + P (IPv4/IPv4, V1)");
    assert_eq!(be_i32(&records[1], 36), fixtures[1].sys_flag, "SYSFLAG at 36");
    assert_eq!(be_i64(&records[1], 40), fixtures[1].born_timestamp, "BORNTIMESTAMP at 40");
    assert_eq!(be_i64(&records[1], 56 + 12), fixtures[1].store_timestamp, "IPv6 born host shifts by 12");
    assert_eq!(be_i32(&records[1], 72 + 12), fixtures[1].reconsume_times);
    assert_eq!(
        be_i64(&records[2], 56),
        fixtures[2].store_timestamp,
        "IPv6 store host: STORETIMESTAMP unshifted"
    );
    assert_eq!(
        be_i32(&records[2], 72 + 12),
        fixtures[2].reconsume_times,
        "IPv6 store host shifts later fields"
    );
    assert_eq!(records[1].len(), 91 + 12 + 11 + 9 + 42, "IPv6 born host adds 12");
    assert_eq!(
        records[2].len(),
        91 + 12 + 1 + 5 + 147 + 18,
        "IPv6 store host adds 12, V2 topic length 2 bytes"
    );
    assert_eq!(records[0].len() as i64 + records[1].len() as i64, fixtures[2].physical_offset);
    for (r, f) in records.iter().zip(&fixtures) {
        assert_eq!(be_i32(r, 4), if f.v2 { MAGIC_V2 } else { MAGIC_V1 });
    }

    let limits = EncodeLimits { max_message_size: 4 * 1024 * 1024, auto_message_version_on_topic_len: true };
    for (i, (bytes, f)) in records.iter().zip(&fixtures).enumerate() {
        // Our reader.
        let RecordCheck::Record(v) = record::check_record(bytes, true) else {
            panic!("fixture {i}: booster check_record rejected it: {:?}", record::check_record(bytes, true))
        };
        assert_ours_matches(&v, f, bytes.len());

        // The third-party reader.
        let mut cursor = Bytes::from(bytes.clone());
        let m = message_decoder::decode(&mut cursor, true, false, false, false, true)
            .unwrap_or_else(|| panic!("fixture {i}: rocketmq decoder rejected it"));
        assert!(cursor.is_empty(), "fixture {i}: {} bytes unread", cursor.len());
        assert_theirs_matches(&m, f, bytes.len());

        // And the two readers agree with each other directly.
        assert_eq!(m.topic().as_str(), v.topic());
        assert_eq!(m.msg_id().as_str(), v.msg_id());
        assert_eq!(m.body_crc(), v.body_crc as u32);

        // Our encoder, fed the same inputs, writes the identical bytes.
        let msg = MessageToStore {
            topic: f.topic.clone(),
            queue_id: f.queue_id,
            flag: f.flag,
            body: Bytes::from_static(f.body),
            properties: f.properties.clone(),
            sys_flag: f.sys_flag & !(BORNHOST_V6 | STOREHOST_V6), // the encoder derives these
            born_timestamp: f.born_timestamp,
            born_host: f.born_host,
            store_host: f.store_host,
            reconsume_times: f.reconsume_times,
            prepared_transaction_offset: f.prepared_transaction_offset,
        };
        let mut enc = record::encode(&msg, limits).expect("encodes");
        enc.stamp(f.queue_offset, f.physical_offset, f.store_timestamp);
        assert_eq!(
            enc.bytes, *bytes,
            "fixture {i}: booster encoder output differs from the spec-built bytes"
        );
    }

    // The fixtures back to back (a CommitLog segment / pull body): both readers
    // walk it to the same sequence.
    let all: Vec<u8> = records.concat();
    let mut ours = Vec::new();
    let mut pos = 0;
    while pos < all.len() {
        let RecordCheck::Record(v) = record::check_record(&all[pos..], true) else {
            panic!("ours stopped at {pos}")
        };
        ours.push((v.physical_offset, v.msg_id(), pos));
        pos += v.total_size as usize;
    }
    let mut theirs = Vec::new();
    let mut cursor = Bytes::from(all.clone());
    while !cursor.is_empty() {
        let pos = all.len() - cursor.len();
        let m = message_decoder::decode(&mut cursor, true, false, false, false, true)
            .unwrap_or_else(|| panic!("theirs stopped at {pos}"));
        theirs.push((m.commit_log_offset(), m.msg_id().as_str().to_owned(), pos));
    }
    assert_eq!(ours.len(), fixtures.len());
    assert_eq!(ours, theirs);
    for (o, f) in ours.iter().zip(&fixtures) {
        assert_eq!(o.0, f.physical_offset);
        assert_eq!(o.2 as i64, f.physical_offset, "PHYSICALOFFSET equals the record's position");
    }

    // A wrong BODYCRC is rejected by both readers (check_crc on).
    let mut bad = records[0].clone();
    bad[11] ^= 1;
    assert!(matches!(record::check_record(&bad, true), RecordCheck::Invalid(record::Invalid::BadCrc)));
    assert!(message_decoder::decode(&mut Bytes::from(bad), true, false, false, false, true).is_none());
}
