//! Pure pieces of the send path: the property string as an ordered list,
//! and the rewrites RocketMQ applies before an append — half messages for
//! transactions (§4.2.1 step 11) and delay levels (§6.3).

use booster_store::record::{self, sysflag};

use crate::topic::system;

pub const PROPERTY_KEYS: &str = "KEYS";
pub const PROPERTY_TAGS: &str = "TAGS";
pub const PROPERTY_WAIT_STORE_MSG_OK: &str = "WAIT";
pub const PROPERTY_DELAY_TIME_LEVEL: &str = "DELAY";
pub const PROPERTY_REAL_TOPIC: &str = "REAL_TOPIC";
pub const PROPERTY_REAL_QUEUE_ID: &str = "REAL_QID";
pub const PROPERTY_TRANSACTION_PREPARED: &str = "TRAN_MSG";
pub const PROPERTY_TRANSACTION_ID: &str = "__transactionId__";
pub const PROPERTY_UNIQ_KEY: &str = "UNIQ_KEY";
pub const PROPERTY_CLUSTER: &str = "CLUSTER";
pub const PROPERTY_MSG_REGION: &str = "MSG_REGION";
pub const PROPERTY_TRACE_SWITCH: &str = "TRACE_ON";
pub const PROPERTY_POP_CK: &str = "POP_CK";
pub const PROPERTY_RETRY_TOPIC: &str = "RETRY_TOPIC";
pub const PROPERTY_ORIGIN_MESSAGE_ID: &str = "ORIGIN_MESSAGE_ID";
pub const PROPERTY_PRODUCER_GROUP: &str = "PGROUP";
pub const PROPERTY_TRANSACTION_CHECK_TIMES: &str = "TRANSACTION_CHECK_TIMES";
pub const PROPERTY_CHECK_IMMUNITY_TIME_IN_SECONDS: &str = "CHECK_IMMUNITY_TIME_IN_SECONDS";
pub const TIMER_PROPERTIES: &[&str] = &["TIMER_DELIVER_MS", "TIMER_DELAY_SEC", "TIMER_DELAY_MS"];

/// A property string as ordered `(name, value)` pairs. Decoding follows
/// `string2messageProperties` (spec §5.7): malformed or empty entries are
/// dropped; a repeated name keeps its last value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Properties(Vec<(String, String)>);

impl Properties {
    pub fn parse(text: &str) -> Self {
        let mut props = Self::default();
        for (name, value) in record::properties_iter(text.as_bytes()) {
            // Both are whole UTF-8 sequences of `text`: the separators are ASCII.
            props.put(&String::from_utf8_lossy(name), String::from_utf8_lossy(value));
        }
        props
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// Sets `name`, replacing an earlier value in place.
    pub fn put(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        match self.0.iter_mut().find(|(n, _)| n == name) {
            Some(entry) => entry.1 = value,
            None => self.0.push((name.to_owned(), value)),
        }
    }

    pub fn remove(&mut self, name: &str) {
        self.0.retain(|(n, _)| n != name);
    }

    /// `name\u1value\u2…` (`messageProperties2String`).
    pub fn encode(&self) -> String {
        record::encode_properties(self.0.iter().map(|(n, v)| (n.as_str(), v.as_str())))
    }

    /// `WAIT` (default true): whether the producer waits for flush/replication.
    pub fn wait_store_msg_ok(&self) -> bool {
        self.get(PROPERTY_WAIT_STORE_MSG_OK).is_none_or(|v| !v.eq_ignore_ascii_case("false"))
    }

    /// `DELAY` as a number (0 if absent or malformed).
    pub fn delay_level(&self) -> i32 {
        self.get(PROPERTY_DELAY_TIME_LEVEL).and_then(|d| d.trim().parse().ok()).unwrap_or(0)
    }

    /// `TRAN_MSG` is `true` (Java's `Boolean.parseBoolean`).
    pub fn is_transaction_prepared(&self) -> bool {
        self.get(PROPERTY_TRANSACTION_PREPARED).is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    pub fn is_timer_message(&self) -> bool {
        TIMER_PROPERTIES.iter().any(|p| self.get(p).is_some())
    }
}

/// Where and how a message is finally stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub topic: String,
    pub queue_id: i32,
    pub sys_flag: i32,
}

/// Turns a prepared transactional message into a half message
/// (`TransactionalMessageBridge.parseHalfMessageInner`): the real topic and
/// queue go into properties, the message goes to the half topic, queue 0,
/// with its transaction bits cleared so the store indexes it normally.
pub fn to_half_message(target: &mut Target, props: &mut Properties) {
    if let Some(uniq) = props.get(PROPERTY_UNIQ_KEY).map(str::to_owned) {
        props.put(PROPERTY_TRANSACTION_ID, uniq);
    }
    props.put(PROPERTY_REAL_TOPIC, target.topic.clone());
    props.put(PROPERTY_REAL_QUEUE_ID, target.queue_id.to_string());
    target.sys_flag &= !sysflag::TRANSACTION_MASK;
    target.topic = system::TRANS_HALF_TOPIC.to_owned();
    target.queue_id = 0;
}

/// Redirects a delayed message to its delay-level queue
/// (`HookUtils.handleScheduleMessage`): level clamped to `max_level`, real
/// topic and queue kept in properties. No-op for level ≤ 0 or for
/// PREPARED/ROLLBACK messages.
pub fn apply_delay_level(target: &mut Target, props: &mut Properties, max_level: i32) {
    let level = props.delay_level();
    let tran = sysflag::transaction_type(target.sys_flag);
    if level <= 0
        || max_level <= 0
        || !matches!(tran, sysflag::TRANSACTION_NOT_TYPE | sysflag::TRANSACTION_COMMIT)
    {
        return;
    }
    let level = level.min(max_level);
    props.put(PROPERTY_DELAY_TIME_LEVEL, level.to_string());
    props.put(PROPERTY_REAL_TOPIC, target.topic.clone());
    props.put(PROPERTY_REAL_QUEUE_ID, target.queue_id.to_string());
    target.topic = system::SCHEDULE_TOPIC.to_owned();
    target.queue_id = level - 1;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_like_java() {
        let p = Properties::parse("A\u{1}1\u{2}\u{1}x\u{2}B\u{1}\u{2}ab\u{2}C\u{1}3\u{2}A\u{1}4\u{2}");
        assert_eq!(p.get("A"), Some("4"));
        assert_eq!(p.get("B"), None, "empty values are dropped");
        assert_eq!(p.encode(), "A\u{1}4\u{2}C\u{1}3\u{2}");
        assert!(p.wait_store_msg_ok());
        assert!(!Properties::parse("WAIT\u{1}FALSE\u{2}").wait_store_msg_ok());
        assert_eq!(Properties::parse("").encode(), "");
    }

    #[test]
    fn half_and_delay_rewrites() {
        let mut t = Target { topic: "T".into(), queue_id: 3, sys_flag: sysflag::TRANSACTION_PREPARED | 1 };
        let mut p = Properties::parse("UNIQ_KEY\u{1}U1\u{2}TRAN_MSG\u{1}true\u{2}");
        assert!(p.is_transaction_prepared());
        to_half_message(&mut t, &mut p);
        assert_eq!(t, Target { topic: "RMQ_SYS_TRANS_HALF_TOPIC".into(), queue_id: 0, sys_flag: 1 });
        assert_eq!(
            (p.get("REAL_TOPIC"), p.get("REAL_QID"), p.get("__transactionId__")),
            (Some("T"), Some("3"), Some("U1"))
        );

        let mut t = Target { topic: "T".into(), queue_id: 2, sys_flag: 0 };
        let mut p = Properties::parse("DELAY\u{1}99\u{2}");
        apply_delay_level(&mut t, &mut p, 18);
        assert_eq!((t.topic.as_str(), t.queue_id), ("SCHEDULE_TOPIC_XXXX", 17));
        assert_eq!(p.get("DELAY"), Some("18"));
        assert_eq!(p.get("REAL_QID"), Some("2"));

        let mut t = Target { topic: "T".into(), queue_id: 2, sys_flag: sysflag::TRANSACTION_PREPARED };
        let mut p = Properties::parse("DELAY\u{1}3\u{2}");
        apply_delay_level(&mut t, &mut p, 18);
        assert_eq!(t.topic, "T", "prepared messages are not delayed");
    }
}
