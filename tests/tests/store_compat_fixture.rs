//! A hand-built CommitLog fixture (field by field from spec/store.md §3.1,
//! independent of our encoder) must decode to the same fields in our reader
//! and in the published `rocketmq-protocol` decoder.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use booster_store::MessageToStore;
use booster_store::record::{self, EncodeLimits, RecordCheck};
use bytes::Bytes;
use rocketmq_model::common::message::message_ext::MessageExt;
use rocketmq_protocol::common::message::message_decoder;

mod spec_record;
use spec_record::*;

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
