//! `StoredMessage`: a CommitLog record decoded into owned fields, for the
//! paths that read a message back and write a new one from it (send-back,
//! delay delivery, transaction commit and check). The type and its decoder
//! are the shared record codec's (`booster_model::record`), re-exported
//! here; the send path reads its property string with
//! `Properties::parse(&msg.properties_text)`.

pub use booster_model::record::StoredMessage;

#[cfg(test)]
pub(crate) mod tests {
    use booster_store::MessageToStore;
    use booster_store::record::{EncodeLimits, encode};
    use bytes::Bytes;

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
        use super::*;
        let msg = sample("T", "TAGS\u{1}a\u{2}");
        let bytes = record_bytes(&msg, 5, 4096, 2_000);
        let s = StoredMessage::decode(&bytes).unwrap();
        assert_eq!((s.queue_offset, s.physical_offset, s.store_timestamp), (5, 4096, 2_000));
        assert_eq!(s.property("TAGS").as_deref(), Some("a"));
        assert_eq!(crate::processor::send::Properties::parse(&s.properties_text).get("TAGS"), Some("a"));
        assert_eq!(s.offset_msg_id(), booster_store::record::offset_msg_id(&msg.store_host, 4096));
        assert_eq!(s.to_store("T", 0), msg);
        assert!(StoredMessage::decode(&bytes[..10]).is_none());
        assert!(StoredMessage::decode(b"").is_none());
    }
}
