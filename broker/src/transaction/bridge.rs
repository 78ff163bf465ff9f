//! The messages the transaction paths write or send, built from a half
//! message (RocketMQ's `TransactionalMessageBridge` and
//! `EndTransactionProcessor.endMessageTransaction`). Pure.

use std::net::SocketAddr;

use booster_remoting::headers::broker::CheckTransactionStateRequestHeader;
use booster_store::MessageToStore;
use booster_store::record::{self, EncodeLimits, sysflag};
use bytes::Bytes;

use super::REMOVE_TAG;
use crate::processor::send::Properties;
use crate::processor::send::message::{
    PROPERTY_REAL_QUEUE_ID, PROPERTY_REAL_TOPIC, PROPERTY_TAGS, PROPERTY_TRANSACTION_CHECK_TIMES,
    PROPERTY_UNIQ_KEY,
};
use crate::stored::StoredMessage;
use crate::topic::system;

/// `REAL_TOPIC` / `REAL_QID` of a half message.
pub fn real_target(half: &StoredMessage) -> Result<(String, i32), String> {
    let topic = half
        .property(PROPERTY_REAL_TOPIC)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| "the half message has no REAL_TOPIC".to_owned())?;
    let queue_id = half
        .property(PROPERTY_REAL_QUEUE_ID)
        .and_then(|q| q.trim().parse::<i32>().ok())
        .filter(|q| *q >= 0)
        .ok_or_else(|| "the half message has no usable REAL_QID".to_owned())?;
    Ok((topic, queue_id))
}

/// The committed message (spec §4.3): the half message on its real topic
/// and queue, transaction type COMMIT, `preparedTransactionOffset` = the
/// half's CommitLog offset, and the property string copied verbatim (it
/// keeps `TRAN_MSG`, `REAL_TOPIC`, `REAL_QID`, `PGROUP`: Java clears them
/// only from its in-memory map, after the string was built).
pub fn commit_message(half: &StoredMessage) -> Result<MessageToStore, String> {
    let (topic, queue_id) = real_target(half)?;
    let mut msg = half.to_store(&topic, queue_id);
    msg.sys_flag = (half.sys_flag & !sysflag::TRANSACTION_MASK) | sysflag::TRANSACTION_COMMIT;
    msg.prepared_transaction_offset = half.physical_offset;
    Ok(msg)
}

/// The "done" marker for a half message (spec §4.3 "mark deleted"): a
/// message on `RMQ_SYS_TRANS_OP_HALF_TOPIC`, same queue as the half, tag
/// `d`, body = the half's queue offset as decimal text.
pub fn op_message(
    half: &StoredMessage,
    store_host: SocketAddr,
    now_ms: i64,
    uniq_key: &str,
) -> MessageToStore {
    let properties = record::encode_properties([(PROPERTY_TAGS, REMOVE_TAG), (PROPERTY_UNIQ_KEY, uniq_key)]);
    MessageToStore {
        topic: system::TRANS_OP_HALF_TOPIC.to_owned(),
        queue_id: half.queue_id,
        flag: 0,
        body: Bytes::from(half.queue_offset.to_string()),
        properties,
        sys_flag: 0,
        born_timestamp: now_ms,
        born_host: store_host,
        store_host,
        reconsume_times: 0,
        prepared_transaction_offset: 0,
    }
}

/// A fresh copy of a half message appended before a check
/// (`putBackHalfMsgQueue`): same queue, `TRANSACTION_CHECK_TIMES` = `times`.
/// The producer's answer then refers to the copy, and the scan can move
/// past the original.
pub fn put_back_message(half: &StoredMessage, times: i32) -> MessageToStore {
    let mut props = Properties::parse(&half.properties_text);
    props.put(PROPERTY_TRANSACTION_CHECK_TIMES, times.to_string());
    let mut msg = half.to_store(&half.topic, half.queue_id);
    msg.properties = props.encode();
    msg
}

/// Where a half message checked `transactionCheckMax` times goes
/// (`TRANS_CHECK_MAX_TIME_TOPIC`, queue 0), for operators to inspect.
pub fn discard_message(half: &StoredMessage) -> MessageToStore {
    half.to_store(system::TRANS_CHECK_MAX_TIME_TOPIC, 0)
}

/// CHECK_TRANSACTION_STATE header for a half message (spec §4.3).
pub fn check_header(half: &StoredMessage, broker_name: &str) -> CheckTransactionStateRequestHeader {
    let uniq = half.property(PROPERTY_UNIQ_KEY);
    CheckTransactionStateRequestHeader {
        topic: half.property(PROPERTY_REAL_TOPIC),
        tran_state_table_offset: half.queue_offset,
        commit_log_offset: half.physical_offset,
        msg_id: uniq.clone(),
        transaction_id: uniq,
        offset_msg_id: Some(half.offset_msg_id()),
        broker_name: Some(broker_name.to_owned()),
    }
}

/// CHECK_TRANSACTION_STATE body: the half message encoded as a CommitLog
/// record with its real topic and queue restored (Java's
/// `MessageDecoder.encode`: V1 magic for topics up to 127 bytes), keeping
/// its queue offset, physical offset and store time.
pub fn check_body(half: &StoredMessage) -> Result<Vec<u8>, String> {
    let (topic, queue_id) = real_target(half)?;
    let msg = half.to_store(&topic, queue_id);
    let limits = EncodeLimits { max_message_size: usize::MAX / 4, auto_message_version_on_topic_len: true };
    let mut rec = record::encode(&msg, limits).map_err(|e| e.to_string())?;
    rec.stamp(half.queue_offset, half.physical_offset, half.store_timestamp);
    Ok(rec.bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stored::tests::{record_bytes, sample};

    fn half() -> StoredMessage {
        let props = "TRAN_MSG\u{1}true\u{2}PGROUP\u{1}pg\u{2}UNIQ_KEY\u{1}U1\u{2}REAL_TOPIC\u{1}T\u{2}REAL_QID\u{1}2\u{2}";
        StoredMessage::decode(&record_bytes(&sample("RMQ_SYS_TRANS_HALF_TOPIC", props), 7, 4_000, 55))
            .unwrap()
    }

    #[test]
    fn commit_copies_the_half_message() {
        let h = half();
        let c = commit_message(&h).unwrap();
        assert_eq!((c.topic.as_str(), c.queue_id), ("T", 2));
        assert_eq!(sysflag::transaction_type(c.sys_flag), sysflag::TRANSACTION_COMMIT);
        assert_eq!(c.prepared_transaction_offset, 4_000);
        assert_eq!(c.properties, h.properties_text, "verbatim");
        let mut broken = h.clone();
        broken.properties_text = "REAL_TOPIC\u{1}T\u{2}".into();
        assert!(commit_message(&broken).is_err());
    }

    #[test]
    fn op_put_back_discard_and_check() {
        let h = half();
        let host: SocketAddr = "127.0.0.1:1".parse().unwrap();
        let op = op_message(&h, host, 99, "K");
        assert_eq!(
            (op.topic.as_str(), op.queue_id, op.body.as_ref()),
            ("RMQ_SYS_TRANS_OP_HALF_TOPIC", 0, &b"7"[..])
        );
        assert!(op.properties.starts_with("TAGS\u{1}d\u{2}"));

        let back = put_back_message(&h, 3);
        assert_eq!(back.topic, "RMQ_SYS_TRANS_HALF_TOPIC");
        assert!(back.properties.ends_with("TRANSACTION_CHECK_TIMES\u{1}3\u{2}"), "{}", back.properties);
        assert_eq!(discard_message(&h).topic, "TRANS_CHECK_MAX_TIME_TOPIC");

        let header = check_header(&h, "broker-a");
        assert_eq!((header.tran_state_table_offset, header.commit_log_offset), (7, 4_000));
        assert_eq!((header.msg_id.as_deref(), header.topic.as_deref()), (Some("U1"), Some("T")));
        let body = check_body(&h).unwrap();
        let decoded = StoredMessage::decode(&body).unwrap();
        assert_eq!(i32::from_be_bytes(body[4..8].try_into().unwrap()), record::MAGIC_V1);
        assert_eq!((decoded.topic.as_str(), decoded.queue_id, decoded.queue_offset), ("T", 2, 7));
        assert_eq!((decoded.physical_offset, decoded.store_timestamp), (4_000, 55));
        assert_eq!(decoded.properties_text, h.properties_text);
    }
}
