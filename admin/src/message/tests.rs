//! Record decoding against hand-built records (the layout of store.md §3.1,
//! written out field by field here, not with the store's encoder).

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};

use booster_model::record::{MAGIC_V1, MAGIC_V2};

use super::*;

/// What a test record holds; `encode` lays it out like the store does.
pub(crate) struct TestRecord {
    pub topic: &'static str,
    pub body: Vec<u8>,
    pub properties: &'static str,
    pub sys_flag: i32,
    pub born: SocketAddr,
    pub store: SocketAddr,
    pub v2: bool,
}

impl Default for TestRecord {
    fn default() -> Self {
        TestRecord {
            topic: "TopicTest",
            body: b"Hello Booster".to_vec(),
            properties: "TAGS\u{1}TagA\u{2}KEYS\u{1}k1 k2\u{2}UNIQ_KEY\u{1}7F0000011F4018B4AAC2051A2B3C0001\u{2}",
            sys_flag: 0,
            born: "10.0.0.9:53000".parse().unwrap(),
            store: "127.0.0.1:10911".parse().unwrap(),
            v2: false,
        }
    }
}

fn host(out: &mut Vec<u8>, addr: SocketAddr) {
    match addr.ip() {
        IpAddr::V4(ip) => out.extend_from_slice(&ip.octets()),
        IpAddr::V6(ip) => out.extend_from_slice(&ip.octets()),
    }
    out.extend_from_slice(&i32::from(addr.port()).to_be_bytes());
}

impl TestRecord {
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut r = Vec::new();
        r.extend_from_slice(&0i32.to_be_bytes()); // TOTALSIZE, patched below
        r.extend_from_slice(&(if self.v2 { MAGIC_V2 } else { MAGIC_V1 }).to_be_bytes());
        r.extend_from_slice(&77i32.to_be_bytes()); // BODYCRC
        r.extend_from_slice(&3i32.to_be_bytes()); // QUEUEID
        r.extend_from_slice(&0i32.to_be_bytes()); // FLAG
        r.extend_from_slice(&42i64.to_be_bytes()); // QUEUEOFFSET
        r.extend_from_slice(&4096i64.to_be_bytes()); // PHYSICALOFFSET
        r.extend_from_slice(&self.sys_flag.to_be_bytes());
        r.extend_from_slice(&1_700_000_000_000i64.to_be_bytes()); // BORNTIMESTAMP
        host(&mut r, self.born);
        r.extend_from_slice(&1_700_000_000_250i64.to_be_bytes()); // STORETIMESTAMP
        host(&mut r, self.store);
        r.extend_from_slice(&1i32.to_be_bytes()); // RECONSUMETIMES
        r.extend_from_slice(&0i64.to_be_bytes()); // PREPARED TRANSACTION OFFSET
        r.extend_from_slice(&(self.body.len() as i32).to_be_bytes());
        r.extend_from_slice(&self.body);
        if self.v2 {
            r.extend_from_slice(&(self.topic.len() as i16).to_be_bytes());
        } else {
            r.push(self.topic.len() as u8);
        }
        r.extend_from_slice(self.topic.as_bytes());
        r.extend_from_slice(&(self.properties.len() as i16).to_be_bytes());
        r.extend_from_slice(self.properties.as_bytes());
        let total = r.len() as i32;
        r[..4].copy_from_slice(&total.to_be_bytes());
        r
    }
}

#[test]
fn decodes_every_field() {
    let m = decode_record(&TestRecord::default().encode()).unwrap();
    assert_eq!(m.topic, "TopicTest");
    assert_eq!((m.queue_id, m.queue_offset, m.physical_offset), (3, 42, 4096));
    assert_eq!(
        (m.born_timestamp, m.store_timestamp, m.reconsume_times),
        (1_700_000_000_000, 1_700_000_000_250, 1)
    );
    assert_eq!(m.born_host, "10.0.0.9:53000".parse().unwrap());
    assert_eq!(m.store_host, "127.0.0.1:10911".parse().unwrap());
    assert_eq!(m.body, &b"Hello Booster"[..]);
    assert_eq!(m.property("TAGS").as_deref(), Some("TagA"));
    assert_eq!(m.property("KEYS").as_deref(), Some("k1 k2"));
    assert_eq!(m.body_crc, 77);
}

#[test]
fn decodes_v2_records_and_ipv6_hosts() {
    let rec = TestRecord {
        v2: true,
        sys_flag: sysflag::BORNHOST_V6 | sysflag::STOREHOST_V6,
        born: "[fe80::1]:1".parse().unwrap(),
        store: "[2001:db8::2]:10911".parse().unwrap(),
        topic: "%RETRY%group",
        ..Default::default()
    };
    let m = decode_record(&rec.encode()).unwrap();
    assert_eq!((m.topic.as_str(), m.born_host, m.store_host), ("%RETRY%group", rec.born, rec.store));
}

#[test]
fn inflates_zlib_bodies() {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(b"squeezed").unwrap();
    let rec = TestRecord { body: z.finish().unwrap(), sys_flag: sysflag::COMPRESSED, ..Default::default() };
    assert_eq!(readable_body(&decode_record(&rec.encode()).unwrap()).unwrap(), b"squeezed");
    let lz4 = TestRecord { sys_flag: sysflag::COMPRESSED | 0x100, ..Default::default() };
    let err = readable_body(&decode_record(&lz4.encode()).unwrap()).unwrap_err();
    assert_eq!(err, RecordError::Compression("LZ4"));
}

#[test]
fn bad_records_are_errors() {
    let good = TestRecord::default().encode();
    assert!(matches!(
        decode_record(&good[..3]),
        Err(RecordError::Decode(DecodeError::Truncated { field: "TOTALSIZE", .. }))
    ));
    assert!(matches!(decode_record(&good[..50]), Err(RecordError::Decode(DecodeError::TotalSize { .. }))));
    let mut bad_magic = good.clone();
    bad_magic[4..8].copy_from_slice(&0x1234_5678i32.to_be_bytes());
    assert_eq!(decode_record(&bad_magic), Err(RecordError::Decode(DecodeError::Magic(0x1234_5678))));
    // A body length pointing past the record.
    let mut long_body = good.clone();
    long_body[84..88].copy_from_slice(&10_000i32.to_be_bytes());
    assert!(matches!(
        decode_record(&long_body),
        Err(RecordError::Decode(DecodeError::Truncated { field: "BODY", .. }))
    ));
    let mut negative = good;
    negative[84..88].copy_from_slice(&(-1i32).to_be_bytes());
    assert_eq!(decode_record(&negative), Err(RecordError::Decode(DecodeError::NegativeLength("BODY"))));
    // Arbitrary bytes never panic.
    for n in 0..64u8 {
        let junk: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37)).collect();
        let _ = decode_record(&junk);
    }
}

#[test]
fn property_string_rules() {
    let p = decode_properties("A\u{1}1\u{2}\u{1}x\u{2}B\u{1}\u{2}C\u{1}3=\u{1}4\u{2}junk");
    assert_eq!(p.len(), 2);
    assert_eq!(p["A"], "1");
    assert_eq!(p["C"], "3=\u{1}4", "only the first separator splits");
}
