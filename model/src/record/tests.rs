use super::*;
use proptest::prelude::*;

fn v4(a: [u8; 4], port: u16) -> SocketAddr {
    SocketAddr::new(IpAddr::from(a), port)
}

fn sample() -> MessageToStore {
    MessageToStore {
        topic: "TopicTest".into(),
        queue_id: 3,
        flag: 7,
        body: Bytes::from_static(b"hello"),
        properties: "KEYS\u{1}k1\u{2}TAGS\u{1}tagA\u{2}".into(),
        sys_flag: 0,
        born_timestamp: 1_700_000_000_000,
        born_host: v4([10, 0, 0, 1], 50000),
        store_host: v4([127, 0, 0, 1], 10911),
        reconsume_times: 2,
        prepared_transaction_offset: 0,
    }
}

const LIMITS: EncodeLimits =
    EncodeLimits { max_message_size: 4 * 1024 * 1024, auto_message_version_on_topic_len: true };

/// The record of `sample()` built by hand from the table in spec/store.md §3.1.
fn spec_fixture(queue_offset: i64, phys: i64, store_ts: i64) -> Vec<u8> {
    let body = b"hello";
    let topic = b"TopicTest";
    let props = "KEYS\u{1}k1\u{2}TAGS\u{1}tagA\u{2}".as_bytes();
    let total = 91 + body.len() + topic.len() + props.len();
    let mut b = Vec::new();
    b.extend((total as i32).to_be_bytes());
    b.extend([0xDA, 0xA3, 0x20, 0xA7]);
    b.extend(((crc32fast::hash(body) & 0x7FFF_FFFF) as i32).to_be_bytes());
    b.extend(3i32.to_be_bytes());
    b.extend(7i32.to_be_bytes());
    b.extend(queue_offset.to_be_bytes());
    b.extend(phys.to_be_bytes());
    b.extend(0i32.to_be_bytes());
    b.extend(1_700_000_000_000i64.to_be_bytes());
    b.extend([10, 0, 0, 1]);
    b.extend(50000i32.to_be_bytes());
    b.extend(store_ts.to_be_bytes());
    b.extend([127, 0, 0, 1]);
    b.extend(10911i32.to_be_bytes());
    b.extend(2i32.to_be_bytes());
    b.extend(0i64.to_be_bytes());
    b.extend((body.len() as i32).to_be_bytes());
    b.extend(body);
    b.push(topic.len() as u8);
    b.extend(topic);
    b.extend((props.len() as i16).to_be_bytes());
    b.extend(props);
    assert_eq!(b.len(), total);
    b
}

#[test]
fn encoder_matches_hand_built_spec_fixture() {
    let mut rec = encode(&sample(), LIMITS).unwrap();
    rec.stamp(42, 4096, 1_700_000_000_123);
    assert_eq!(rec.bytes, spec_fixture(42, 4096, 1_700_000_000_123));
}

#[test]
fn spec_fixture_decodes() {
    let bytes = spec_fixture(5, 1000, 99);
    let RecordCheck::Record(v) = check_record(&bytes, true) else { panic!("not a record") };
    assert_eq!(v.topic(), "TopicTest");
    assert_eq!(v.body, b"hello");
    assert_eq!((v.queue_id, v.flag, v.queue_offset, v.physical_offset), (3, 7, 5, 1000));
    assert_eq!(v.store_timestamp, 99);
    assert_eq!(v.born_host, v4([10, 0, 0, 1], 50000));
    assert_eq!(v.store_host, v4([127, 0, 0, 1], 10911));
    assert_eq!(v.reconsume_times, 2);
    assert_eq!(v.property("TAGS").as_deref(), Some("tagA"));
    assert_eq!(v.property("KEYS").as_deref(), Some("k1"));
    assert_eq!(v.property("NOPE"), None);
}

#[test]
fn ipv6_hosts_set_flags_and_shift_fields() {
    let mut m = sample();
    m.born_host = "[::1]:1234".parse().unwrap();
    m.store_host = "[fe80::2]:10911".parse().unwrap();
    m.sys_flag = sysflag::STOREHOST_V6; // stale bits are recomputed
    let mut rec = encode(&m, LIMITS).unwrap();
    assert_eq!(rec.len(), 91 + 24 + 5 + 9 + m.properties.len());
    rec.stamp(1, 2, 3);
    let RecordCheck::Record(v) = check_record(&rec.bytes, true) else { panic!() };
    assert_eq!(v.sys_flag, sysflag::BORNHOST_V6 | sysflag::STOREHOST_V6);
    assert_eq!((v.born_host, v.store_host), (m.born_host, m.store_host));
    assert_eq!((v.queue_offset, v.physical_offset, v.store_timestamp), (1, 2, 3));
    assert_eq!(v.msg_id().len(), 56);
}

#[test]
fn long_topic_uses_v2_magic() {
    let mut m = sample();
    m.topic = format!("%RETRY%{}", "g".repeat(200));
    let rec = encode(&m, LIMITS).unwrap();
    assert_eq!(&rec.bytes[4..8], &MAGIC_V2.to_be_bytes());
    let RecordCheck::Record(v) = check_record(&rec.bytes, true) else { panic!() };
    assert_eq!(v.topic(), m.topic);
    let strict = EncodeLimits { auto_message_version_on_topic_len: false, ..LIMITS };
    assert!(matches!(encode(&m, strict), Err(EncodeError::MessageIllegal(_))));
    m.topic = "t".repeat(256);
    assert!(matches!(encode(&m, LIMITS), Err(EncodeError::MessageIllegal(_))));
}

#[test]
fn limits_are_enforced() {
    let mut m = sample();
    m.body = Bytes::from(vec![0u8; 101]);
    let small = EncodeLimits { max_message_size: 100, ..LIMITS };
    assert!(matches!(encode(&m, small), Err(EncodeError::MessageIllegal(_))));
    m.body = Bytes::from_static(b"x");
    m.properties = "a".repeat(32_768);
    assert!(matches!(encode(&m, LIMITS), Err(EncodeError::PropertiesSizeExceeded(32_768))));
}

#[test]
fn invalid_inputs_are_reported_not_panicked() {
    let good = spec_fixture(0, 0, 1);
    assert_eq!(check_record(&good[..7], true), RecordCheck::Invalid(Invalid::ShortHeader));
    for cut in 8..good.len() {
        assert!(matches!(check_record(&good[..cut], false), RecordCheck::Invalid(_)), "cut {cut}");
    }
    let mut bad_crc = good.clone();
    bad_crc[90] ^= 0xFF; // the body sits at 88..93
    assert_eq!(check_record(&bad_crc, true), RecordCheck::Invalid(Invalid::BadCrc));
    assert!(matches!(check_record(&bad_crc, false), RecordCheck::Record(_)));
    assert_eq!(check_record(&[0u8; 64], true), RecordCheck::Invalid(Invalid::BadMagic));
    assert_eq!(check_record(&blank_marker(100), true), RecordCheck::Blank);
    let mut wrong_len = good.clone();
    wrong_len[87] = 4; // BODYLENGTH 5 -> 4: lengths no longer add up
    assert!(matches!(check_record(&wrong_len, false), RecordCheck::Invalid(_)));
}

#[test]
fn torn_tails_are_caught_in_strict_mode() {
    let good = spec_fixture(0, 0, 1);
    let n = good.len();
    // Zero everything from each position of the topic and properties on.
    for cut in n - 30..n {
        let mut torn = good.clone();
        torn[cut..].fill(0);
        assert!(matches!(check_record(&torn, true), RecordCheck::Invalid(_)), "cut {cut}");
    }
}

#[test]
fn java_hash_matches_java() {
    assert_eq!(java_string_hash(""), 0);
    assert_eq!(java_string_hash("hello"), 99_162_322);
    assert_eq!(java_string_hash("TagA"), 2_598_919);
    // Non-BMP characters hash as two UTF-16 code units, like Java.
    assert_eq!(java_string_hash("😀"), 0xD83D * 31 + 0xDE00);
}

#[test]
fn offset_msg_id_round_trips() {
    let id = offset_msg_id(&v4([127, 0, 0, 1], 10911), 0x1234);
    assert_eq!(id, "7F00000100002A9F0000000000001234");
    assert_eq!(decode_offset_msg_id(&id), Some((v4([127, 0, 0, 1], 10911), 0x1234)));
    assert_eq!(decode_offset_msg_id("XYZ"), None);
    assert_eq!(decode_offset_msg_id("00"), None);
}

#[test]
fn properties_encode_and_skip_malformed() {
    let s = encode_properties([("A", "1"), ("B", "two")]);
    assert_eq!(s, "A\u{1}1\u{2}B\u{1}two\u{2}");
    let pairs: Vec<_> = properties_iter(b"A\x011\x02junk\x02\x01x\x02C\x01\x02D\x014").collect();
    assert_eq!(pairs, vec![(&b"A"[..], &b"1"[..]), (&b"D"[..], &b"4"[..])]);
}

#[test]
fn lenient_decode_tolerates_what_check_record_rejects() {
    let good = spec_fixture(5, 1000, 99);
    let v = decode(&good).unwrap();
    assert_eq!((v.topic(), v.body, v.queue_offset), ("TopicTest".into(), &b"hello"[..], 5));
    // Bytes after the properties but inside TOTALSIZE: a client reads on.
    let mut padded = good.clone();
    padded.extend_from_slice(&[0xEE; 4]);
    let total = padded.len() as i32;
    padded[..4].copy_from_slice(&total.to_be_bytes());
    assert_eq!(decode(&padded).unwrap().properties(), "KEYS\u{1}k1\u{2}TAGS\u{1}tagA\u{2}");
    assert_eq!(check_record(&padded, false), RecordCheck::Invalid(Invalid::LengthMismatch));
    // No CRC check either.
    let mut bad_crc = good.clone();
    bad_crc[90] ^= 0xFF;
    assert!(decode(&bad_crc).is_ok());
}

#[test]
fn lenient_decode_names_what_is_wrong() {
    let good = spec_fixture(0, 0, 1);
    let len = good.len();
    assert_eq!(
        decode(&good[..3]),
        Err(DecodeError::Truncated { field: "TOTALSIZE", at: 0, needed: 4, len: 3 })
    );
    assert_eq!(decode(&good[..50]), Err(DecodeError::TotalSize { total: len as i32, len: 50 }));
    let mut tiny = good.clone();
    tiny[..4].copy_from_slice(&6i32.to_be_bytes());
    assert_eq!(decode(&tiny), Err(DecodeError::Truncated { field: "MAGICCODE", at: 4, needed: 4, len: 6 }));
    assert_eq!(decode(&blank_marker(8)), Err(DecodeError::Magic(BLANK_MAGIC as u32)));
    let mut long_body = good.clone();
    long_body[84..88].copy_from_slice(&10_000i32.to_be_bytes());
    assert!(matches!(decode(&long_body), Err(DecodeError::Truncated { field: "BODY", at: 88, .. })));
    let mut negative = good;
    negative[84..88].copy_from_slice(&(-1i32).to_be_bytes());
    assert_eq!(decode(&negative), Err(DecodeError::NegativeLength("BODY")));
    assert_eq!(check_record(&negative, false), RecordCheck::Invalid(Invalid::LengthMismatch));
}

#[test]
fn stored_message_decodes_and_copies() {
    let mut rec = encode(&sample(), LIMITS).unwrap();
    rec.stamp(5, 4096, 2_000);
    let s = StoredMessage::decode(&rec.bytes).unwrap();
    assert_eq!((s.queue_offset, s.physical_offset, s.store_timestamp), (5, 4096, 2_000));
    assert_eq!(s.property("TAGS").as_deref(), Some("tagA"));
    assert_eq!(s.body_crc, crc32(b"hello"));
    assert_eq!(s.offset_msg_id(), offset_msg_id(&sample().store_host, 4096));
    assert_eq!(s.to_store("TopicTest", 3), sample());
    assert!(StoredMessage::decode(&rec.bytes[..10]).is_none());
    assert!(StoredMessage::decode(b"").is_none());
}

#[test]
fn offset_msg_id_fields_keep_the_raw_port() {
    // A client UNIQ_KEY (IP, pid, hash, time, counter) is 32 hex digits too.
    let (ip, port, offset) = offset_msg_id_fields("7F0000011F4018B4AAC2051A2B3C0001").unwrap();
    assert_eq!(ip, IpAddr::from([127, 0, 0, 1]));
    assert_eq!((port, offset), (0x1F40_18B4, 0xAAC2_051A_2B3C_0001_u64 as i64));
    assert_eq!(offset_msg_id_fields("7f00000100002a9f0000000000001234"), Some((ip, 10911, 0x1234)));
    assert_eq!(offset_msg_id_fields("7F00000100002A9F00000000000012"), None);
}

fn arb_host() -> impl Strategy<Value = SocketAddr> {
    prop_oneof![
        (any::<[u8; 4]>(), any::<u16>()).prop_map(|(a, p)| SocketAddr::new(IpAddr::from(a), p)),
        (any::<[u8; 16]>(), any::<u16>()).prop_map(|(a, p)| SocketAddr::new(IpAddr::from(a), p)),
    ]
}

prop_compose! {
    pub fn arb_message()(
        topic in "[A-Za-z0-9_%-]{1,255}",
        queue_id in 0i32..64,
        flag in any::<i32>(),
        body in proptest::collection::vec(any::<u8>(), 0..2048),
        props in proptest::collection::vec(("[A-Z_]{1,12}", "[ -~]{1,40}"), 0..6),
        sys_flag in prop_oneof![Just(0), Just(sysflag::MULTI_TAGS), Just(sysflag::TRANSACTION_COMMIT)],
        born_timestamp in any::<i64>(),
        born_host in arb_host(),
        store_host in arb_host(),
        reconsume_times in 0i32..32,
    ) -> MessageToStore {
        MessageToStore {
            topic, queue_id, flag, body: Bytes::from(body),
            properties: encode_properties(props.iter().map(|(a, b)| (a.as_str(), b.as_str()))),
            sys_flag, born_timestamp, born_host, store_host, reconsume_times,
            prepared_transaction_offset: 0,
        }
    }
}

proptest! {
    #[test]
    fn any_message_round_trips(m in arb_message(), qo in any::<i64>(), po in any::<i64>(), ts in any::<i64>()) {
        let mut rec = encode(&m, LIMITS).unwrap();
        rec.stamp(qo, po, ts);
        let RecordCheck::Record(v) = check_record(&rec.bytes, true) else { panic!("undecodable") };
        prop_assert_eq!(v.total_size as usize, rec.len());
        prop_assert_eq!(v.topic(), m.topic.as_str());
        prop_assert_eq!(v.body, &m.body[..]);
        prop_assert_eq!(v.properties(), m.properties.as_str());
        prop_assert_eq!((v.queue_id, v.flag, v.reconsume_times), (m.queue_id, m.flag, m.reconsume_times));
        prop_assert_eq!((v.queue_offset, v.physical_offset, v.store_timestamp), (qo, po, ts));
        prop_assert_eq!((v.born_host, v.store_host, v.born_timestamp), (m.born_host, m.store_host, m.born_timestamp));
    }

    #[test]
    fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = check_record(&bytes, true);
        let _ = decode(&bytes);
    }
}
