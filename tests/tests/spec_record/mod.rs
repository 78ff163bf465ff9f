//! Record facts computed straight from spec/store.md §3 and remoting.md
//! §4.2.2, deliberately not from `booster_store`, shared by the compatibility
//! tests so an encoder bug cannot hide behind a matching reader bug.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use booster_store::MessageToStore;
use rocketmq_model::common::message::message_ext::MessageExt;

// Spec values (store.md §3.1/§3.2), deliberately not taken from booster_store.
pub const MAGIC_V1: i32 = 0xDAA3_20A7_u32 as i32;
pub const MAGIC_V2: i32 = 0xDAA3_20AB_u32 as i32;
pub const COMPRESSED: i32 = 0x1;
pub const MULTI_TAGS: i32 = 0x2;
pub const TX_PREPARED: i32 = 0x4;
pub const TX_COMMIT: i32 = 0x8;
pub const TX_ROLLBACK: i32 = 0xC;
pub const BORNHOST_V6: i32 = 0x10;
pub const STOREHOST_V6: i32 = 0x20;

/// TOTALSIZE per spec/store.md §3.1, from the message alone.
pub fn expected_record_len(m: &MessageToStore) -> usize {
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
pub fn expected_msg_id(store_host: &SocketAddr, offset: i64) -> String {
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
pub fn expected_sys_flag(m: &MessageToStore) -> i32 {
    let mut f = m.sys_flag & !(BORNHOST_V6 | STOREHOST_V6);
    if m.born_host.is_ipv6() {
        f |= BORNHOST_V6;
    }
    if m.store_host.is_ipv6() {
        f |= STOREHOST_V6;
    }
    f
}

pub fn masked_crc(body: &[u8]) -> u32 {
    crc32fast::hash(body) & 0x7FFF_FFFF
}

/// `name\u1value\u2...`, written here rather than with booster_store's encoder.
pub fn props_string(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{k}\u{1}{v}\u{2}")).collect()
}

pub fn props_map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

pub fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// Properties as the third-party decoder returns them.
pub fn decoded_props(m: &MessageExt) -> HashMap<String, String> {
    m.properties().iter().map(|(k, v)| (k.as_str().to_owned(), v.as_str().to_owned())).collect()
}
