//! `StoredMessage`: a CommitLog record decoded into owned fields, for the
//! paths that read a message back and write a new one from it (send-back,
//! delay delivery, transaction commit and check). RocketMQ's
//! `MessageExt` as far as those paths need it. Pure.

use std::net::SocketAddr;

use booster_store::MessageToStore;
use booster_store::record::{self, RecordCheck};
use bytes::Bytes;

use crate::processor::send::Properties;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMessage {
    pub topic: String,
    pub queue_id: i32,
    pub flag: i32,
    pub queue_offset: i64,
    /// Where the record starts in the CommitLog ("commitLogOffset").
    pub physical_offset: i64,
    pub sys_flag: i32,
    pub born_timestamp: i64,
    pub born_host: SocketAddr,
    pub store_timestamp: i64,
    pub store_host: SocketAddr,
    pub reconsume_times: i32,
    pub prepared_transaction_offset: i64,
    pub body: Bytes,
    /// The property string exactly as stored.
    pub properties_text: String,
}

impl StoredMessage {
    /// Decodes the record at the start of `bytes`; `None` if it is not one.
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let RecordCheck::Record(v) = record::check_record(bytes, false) else { return None };
        Some(Self {
            topic: v.topic().into_owned(),
            queue_id: v.queue_id,
            flag: v.flag,
            queue_offset: v.queue_offset,
            physical_offset: v.physical_offset,
            sys_flag: v.sys_flag,
            born_timestamp: v.born_timestamp,
            born_host: v.born_host,
            store_timestamp: v.store_timestamp,
            store_host: v.store_host,
            reconsume_times: v.reconsume_times,
            prepared_transaction_offset: v.prepared_transaction_offset,
            body: Bytes::copy_from_slice(v.body),
            properties_text: v.properties().into_owned(),
        })
    }

    pub fn properties(&self) -> Properties {
        Properties::parse(&self.properties_text)
    }

    pub fn property(&self, name: &str) -> Option<String> {
        record::property_value(self.properties_text.as_bytes(), name).map(|v| v.into_owned())
    }

    /// RocketMQ's offset message id (what `MessageExt.getMsgId()` returns
    /// for a message read from the store).
    pub fn offset_msg_id(&self) -> String {
        record::offset_msg_id(&self.store_host, self.physical_offset)
    }

    /// A copy to append elsewhere: same body, flag, born fields, sysFlag,
    /// reconsume count and property string; topic and queue as given.
    /// Callers adjust what their path changes.
    pub fn to_store(&self, topic: &str, queue_id: i32) -> MessageToStore {
        MessageToStore {
            topic: topic.to_owned(),
            queue_id,
            flag: self.flag,
            body: self.body.clone(),
            properties: self.properties_text.clone(),
            sys_flag: self.sys_flag,
            born_timestamp: self.born_timestamp,
            born_host: self.born_host,
            store_host: self.store_host,
            reconsume_times: self.reconsume_times,
            prepared_transaction_offset: self.prepared_transaction_offset,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use booster_store::record::{EncodeLimits, encode};

    /// Encodes `msg` as a record stamped with the given offsets and time.
    pub(crate) fn record_bytes(msg: &MessageToStore, queue_offset: i64, phys: i64, store_ts: i64) -> Vec<u8> {
        let limits = EncodeLimits { max_message_size: 1 << 20, auto_message_version_on_topic_len: true };
        let mut rec = encode(msg, limits).unwrap();
        rec.stamp(queue_offset, phys, store_ts);
        rec.bytes
    }

    pub(crate) fn sample(topic: &str, properties: &str) -> MessageToStore {
        MessageToStore {
            topic: topic.into(),
            queue_id: 0,
            flag: 7,
            body: Bytes::from_static(b"body"),
            properties: properties.into(),
            sys_flag: 0,
            born_timestamp: 1_000,
            born_host: "10.0.0.9:4000".parse().unwrap(),
            store_host: "127.0.0.1:10911".parse().unwrap(),
            reconsume_times: 2,
            prepared_transaction_offset: 0,
        }
    }

    #[test]
    fn decodes_and_copies() {
        let msg = sample("T", "TAGS\u{1}a\u{2}");
        let bytes = record_bytes(&msg, 5, 4096, 2_000);
        let s = StoredMessage::decode(&bytes).unwrap();
        assert_eq!((s.queue_offset, s.physical_offset, s.store_timestamp), (5, 4096, 2_000));
        assert_eq!(s.property("TAGS").as_deref(), Some("a"));
        assert_eq!(s.offset_msg_id(), record::offset_msg_id(&msg.store_host, 4096));
        assert_eq!(s.to_store("T", 0), msg);
        assert!(StoredMessage::decode(&bytes[..10]).is_none());
        assert!(StoredMessage::decode(b"").is_none());
    }
}
