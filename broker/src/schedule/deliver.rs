//! The schedule service's pure rules: when a delayed message is due, and
//! what is written to its real topic then (spec §6.3 rule 3).

use booster_store::MessageToStore;

use crate::processor::send::message::{PROPERTY_REAL_QUEUE_ID, PROPERTY_REAL_TOPIC};
use crate::stored::StoredMessage;
use crate::topic::system;

/// Whether a delay-queue entry is due at `now_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    Now,
    /// Not before this many milliseconds.
    InMs(i64),
}

/// The entry's tagsCode is its deliver time (store time + level delay,
/// store.md §3.7). A deliver time further ahead than the level's delay can
/// only come from a clock that went backwards since the message was
/// stored; like RocketMQ's `correctDeliverTimestamp`, such messages are due
/// now rather than held for as long as the clock was off.
pub fn due(now_ms: i64, deliver_ms: i64, level_delay_ms: i64) -> Due {
    let countdown = deliver_ms.saturating_sub(now_ms);
    if countdown <= 0 || countdown > level_delay_ms { Due::Now } else { Due::InMs(countdown) }
}

/// What to do with a due message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Write this to the real topic.
    Put(MessageToStore),
    /// Skip it for good (logged): it can never be delivered.
    Discard(String),
}

/// The record written when a delayed message is due: topic and queue from
/// `REAL_TOPIC`/`REAL_QID`; body, flag, sysFlag, born and store hosts,
/// reconsume count and the property string exactly as stored. Java clears
/// `DELAY` only from its in-memory map after the string was built, so the
/// delivered record still carries `DELAY`, `REAL_TOPIC` and `REAL_QID`
/// (§6.3 rule 3); doing the same keeps byte-compatible records. The copy is
/// not delayed again because it is appended directly, not re-sent.
pub fn delivery(stored: &StoredMessage) -> Delivery {
    let Some(topic) = stored.property(PROPERTY_REAL_TOPIC).filter(|t| !t.is_empty()) else {
        return Delivery::Discard("no REAL_TOPIC property".to_owned());
    };
    let Some(queue_id) = stored.property(PROPERTY_REAL_QUEUE_ID).and_then(|q| q.trim().parse::<i32>().ok())
    else {
        return Delivery::Discard(format!("no usable REAL_QID property for topic {topic}"));
    };
    if queue_id < 0 {
        return Delivery::Discard(format!("negative REAL_QID {queue_id} for topic {topic}"));
    }
    if topic == system::TRANS_HALF_TOPIC {
        // A half message must never become consumable by way of a delay.
        return Delivery::Discard(format!("real topic is {topic}"));
    }
    let mut msg = stored.to_store(&topic, queue_id);
    msg.prepared_transaction_offset = 0;
    Delivery::Put(msg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stored::tests::{record_bytes, sample};

    #[test]
    fn due_times() {
        assert_eq!(due(1_000, 1_000, 1_000), Due::Now);
        assert_eq!(due(1_000, 500, 1_000), Due::Now);
        assert_eq!(due(1_000, 1_400, 1_000), Due::InMs(400));
        assert_eq!(due(1_000, 2_000, 1_000), Due::InMs(1_000));
        assert_eq!(due(1_000, 2_001, 1_000), Due::Now, "clock went back: deliver now");
        assert_eq!(due(i64::MIN, i64::MAX, 10), Due::Now, "no overflow");
    }

    #[test]
    fn delivered_record_keeps_the_property_string() {
        let props = "DELAY\u{1}1\u{2}REAL_TOPIC\u{1}T\u{2}REAL_QID\u{1}3\u{2}UNIQ_KEY\u{1}U\u{2}";
        let mut staged = sample("SCHEDULE_TOPIC_XXXX", props);
        staged.queue_id = 0;
        let stored = StoredMessage::decode(&record_bytes(&staged, 9, 100, 5)).unwrap();
        let Delivery::Put(msg) = delivery(&stored) else { panic!("deliverable") };
        assert_eq!((msg.topic.as_str(), msg.queue_id), ("T", 3));
        assert_eq!(msg.properties, props);
        assert_eq!((msg.flag, msg.reconsume_times, msg.body.as_ref()), (7, 2, &b"body"[..]));

        for bad in [
            "DELAY\u{1}1\u{2}REAL_QID\u{1}3\u{2}",
            "REAL_TOPIC\u{1}T\u{2}REAL_QID\u{1}x\u{2}",
            "REAL_TOPIC\u{1}T\u{2}REAL_QID\u{1}-1\u{2}",
            "REAL_TOPIC\u{1}RMQ_SYS_TRANS_HALF_TOPIC\u{2}REAL_QID\u{1}0\u{2}",
        ] {
            let stored =
                StoredMessage::decode(&record_bytes(&sample("SCHEDULE_TOPIC_XXXX", bad), 0, 0, 0)).unwrap();
            assert!(matches!(delivery(&stored), Delivery::Discard(_)), "{bad:?}");
        }
    }
}
