//! CONSUMER_SEND_MSG_BACK (36): spec/remoting.md §4.6. A consumer that
//! failed to process a message hands it back by CommitLog offset; the
//! broker writes a copy to the group's `%RETRY%<group>` topic through the
//! delay-level queues (so it comes back after 10 s, 30 s, 1 m, …), or to
//! `%DLQ%<group>` once the group's patience is used up.
//!
//! [`destination`] and [`retry_message`] are the pure rules; the handler
//! looks things up and puts.

use std::sync::Arc;

use booster_model::{SubscriptionGroupConfig, TopicConfig};
use booster_remoting::headers::broker::ConsumerSendMsgBackRequestHeader;
use booster_remoting::{Connection, RemotingCommand, ResponseCode, request};
use booster_store::MessageToStore;

use super::send::Properties;
use super::send::message::{
    self, PROPERTY_DELAY_TIME_LEVEL, PROPERTY_ORIGIN_MESSAGE_ID, PROPERTY_RETRY_TOPIC,
    PROPERTY_WAIT_STORE_MSG_OK, Target,
};
use super::{ProcessorTable, Reply, decode_header, reply_error, response};
use crate::context::BrokerContext;
use crate::stored::StoredMessage;
use crate::topic::{perm, validate};
use crate::util::{now_ms, random_below};

/// Remoting version V3_4_9: from here on the header's `maxReconsumeTimes` counts.
const MAX_RECONSUME_TIMES_MIN_VERSION: i32 = 121;
/// Queues of a `%DLQ%` topic (`DLQ_NUMS_PER_GROUP`).
const DLQ_QUEUE_NUMS: i32 = 1;

pub fn register(table: &mut ProcessorTable) {
    table.register(request::CONSUMER_SEND_MSG_BACK, handle);
}

/// Where a sent-back message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    /// The retry topic, after delay level `level` (≥ 1).
    Retry { level: i32 },
    /// The dead-letter topic, at once.
    DeadLetter,
}

/// §4.6 rule 4: dead-letter when the message was already redelivered
/// `max_reconsume_times` times or the consumer asks for it (level < 0);
/// otherwise the requested level, or `3 + reconsumeTimes` for level 0
/// (10 s, 30 s, 1 m, … with the default levels).
pub fn destination(reconsume_times: i32, delay_level: i32, max_reconsume_times: i32) -> Destination {
    if reconsume_times >= max_reconsume_times || delay_level < 0 {
        Destination::DeadLetter
    } else if delay_level == 0 {
        Destination::Retry { level: 3_i32.saturating_add(reconsume_times.max(0)) }
    } else {
        Destination::Retry { level: delay_level }
    }
}

/// §4.6 rule 5: the copy to write — body, flag, sysFlag, born fields and
/// properties of the original, plus `RETRY_TOPIC` (the first topic, kept
/// across retries), `ORIGIN_MESSAGE_ID` (likewise), `DELAY` and
/// `WAIT=false`; one more reconsume; the broker's own store host. Delay
/// levels are applied afterwards by the caller (§6.3), as for sends.
pub fn retry_message(
    original: &StoredMessage,
    topic: &str,
    queue_id: i32,
    dest: Destination,
    store_host: std::net::SocketAddr,
) -> (MessageToStore, Properties) {
    let mut props = Properties::parse(&original.properties_text);
    if props.get(PROPERTY_RETRY_TOPIC).is_none() {
        props.put(PROPERTY_RETRY_TOPIC, original.topic.clone());
    }
    if props.get(PROPERTY_ORIGIN_MESSAGE_ID).is_none_or(|id| id.trim().is_empty()) {
        props.put(PROPERTY_ORIGIN_MESSAGE_ID, original.offset_msg_id());
    }
    props.put(PROPERTY_WAIT_STORE_MSG_OK, "false");
    let level = match dest {
        Destination::Retry { level } => level,
        Destination::DeadLetter => 0,
    };
    props.put(PROPERTY_DELAY_TIME_LEVEL, level.to_string());
    let mut msg = original.to_store(topic, queue_id);
    msg.store_host = store_host;
    msg.reconsume_times = original.reconsume_times.saturating_add(1);
    msg.prepared_transaction_offset = 0;
    (msg, props)
}

/// A boxed response: `RemotingCommand` is large, and both outcomes are responses.
type Response = Box<RemotingCommand>;

async fn handle(ctx: Arc<BrokerContext>, _conn: Connection, req: RemotingCommand) -> Reply {
    let h: ConsumerSendMsgBackRequestHeader = match decode_header(&req) {
        Ok(h) => h,
        Err(resp) => return Some(*resp),
    };
    Some(match send_back(&ctx, &req, &h).await {
        Ok(resp) | Err(resp) => *resp,
    })
}

async fn send_back(
    ctx: &BrokerContext,
    req: &RemotingCommand,
    h: &ConsumerSendMsgBackRequestHeader,
) -> Result<Response, Response> {
    let fail = |code, remark: String| Box::new(reply_error(req, code, remark));
    let now = now_ms();
    let group = match ctx.groups.find_or_create(&h.group, now) {
        Ok(Some(g)) => g,
        Ok(None) => {
            return Err(fail(
                ResponseCode::SubscriptionGroupNotExist,
                format!(
                    "subscription group not exist, {} https://rocketmq.apache.org/docs/bestPractice/06FAQ",
                    h.group
                ),
            ));
        }
        Err(e) => return Err(fail(ResponseCode::SystemError, e.to_string())),
    };
    if !perm::is_writeable(ctx.config.broker_permission) {
        let ip = ctx.config.broker_ip1.as_deref().unwrap_or("");
        return Err(fail(
            ResponseCode::NoPermission,
            format!("the broker[{ip}] sending message is forbidden"),
        ));
    }
    if group.retry_queue_nums <= 0 {
        return Ok(Box::new(response(req, ResponseCode::Success)));
    }
    let unit_sys_flag = if h.unit_mode.unwrap_or(false) { perm::sys_flag::build(false, true) } else { 0 };
    let retry_topic =
        ensure_topic(ctx, &validate::retry_topic(&h.group), group.retry_queue_nums, unit_sys_flag)
            .map_err(|e| fail(ResponseCode::SystemError, e))?;
    if !perm::is_writeable(retry_topic.perm) {
        return Err(fail(
            ResponseCode::NoPermission,
            format!("the topic[{}] sending message is forbidden", retry_topic.topic_name),
        ));
    }
    let Some(original) = ctx.store.message_at(h.offset).and_then(|b| StoredMessage::decode(&b)) else {
        return Err(fail(ResponseCode::SystemError, format!("look message by offset failed, {}", h.offset)));
    };
    let dest = destination(original.reconsume_times, h.delay_level, max_reconsume_times(req, h, &group));
    let (topic, queue_nums) = match dest {
        Destination::Retry { .. } => (retry_topic, group.retry_queue_nums),
        Destination::DeadLetter => {
            let dlq = ensure_topic(ctx, &validate::dlq_topic(&h.group), DLQ_QUEUE_NUMS, 0)
                .map_err(|e| fail(ResponseCode::SystemError, e))?;
            tracing::info!(group = %h.group, offset = h.offset, reconsume = original.reconsume_times, "message sent to the dead-letter queue");
            (dlq, DLQ_QUEUE_NUMS)
        }
    };
    let queues = queue_nums.min(topic.write_queue_nums.max(topic.read_queue_nums)).max(1);
    let queue_id = random_below(queues as u32) as i32;
    let (mut msg, mut props) = retry_message(&original, &topic.topic_name, queue_id, dest, ctx.store_host);
    let mut target = Target { topic: msg.topic.clone(), queue_id, sys_flag: msg.sys_flag };
    message::apply_delay_level(&mut target, &mut props, ctx.max_delay_level);
    (msg.topic, msg.queue_id, msg.properties) = (target.topic, target.queue_id, props.encode());
    let outcome = ctx.put.put(std::slice::from_ref(&msg), false).await;
    if outcome.status == crate::put::PutStatus::PutOk {
        ctx.stats.add_put(1);
        return Ok(Box::new(response(req, ResponseCode::Success)));
    }
    tracing::warn!(status = ?outcome.status, detail = outcome.detail.as_deref().unwrap_or(""), "send-back put failed");
    Err(fail(ResponseCode::SystemError, outcome.status.java_name().to_owned()))
}

/// The header's value for clients ≥ V3_4_9, else the group's `retryMaxTimes`.
fn max_reconsume_times(
    req: &RemotingCommand,
    h: &ConsumerSendMsgBackRequestHeader,
    group: &SubscriptionGroupConfig,
) -> i32 {
    match h.max_reconsume_times {
        Some(m) if req.version >= MAX_RECONSUME_TIMES_MIN_VERSION => m,
        _ => group.retry_max_times,
    }
}

/// `createTopicInSendMessageBackMethod`: the topic, created with `queues`
/// queues and perm 6 if absent.
fn ensure_topic(ctx: &BrokerContext, name: &str, queues: i32, sys_flag: i32) -> Result<TopicConfig, String> {
    let config = TopicConfig {
        read_queue_nums: queues,
        write_queue_nums: queues,
        perm: perm::READ | perm::WRITE,
        topic_sys_flag: sys_flag,
        ..TopicConfig::new(name)
    };
    let (topic, created) = ctx.topics.create_if_absent(config, now_ms()).map_err(|e| e.to_string())?;
    if created {
        ctx.metadata_changed.notify_one();
    }
    Ok(topic)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stored::tests::{record_bytes, sample};

    #[test]
    fn destination_rules() {
        assert_eq!(destination(0, 0, 16), Destination::Retry { level: 3 });
        assert_eq!(destination(2, 0, 16), Destination::Retry { level: 5 });
        assert_eq!(destination(2, 7, 16), Destination::Retry { level: 7 });
        assert_eq!(destination(16, 0, 16), Destination::DeadLetter);
        assert_eq!(destination(0, -1, 16), Destination::DeadLetter);
        assert_eq!(destination(0, 0, 0), Destination::DeadLetter, "maxReconsumeTimes 0: straight to DLQ");
        assert_eq!(destination(i32::MAX - 1, 0, i32::MAX), Destination::Retry { level: i32::MAX });
    }

    #[test]
    fn retry_copy_keeps_the_first_topic_and_id() {
        let host = "127.0.0.1:10911".parse().unwrap();
        let bytes = record_bytes(&sample("TopicA", "TAGS\u{1}t\u{2}DELAY\u{1}3\u{2}"), 4, 800, 5);
        let first = StoredMessage::decode(&bytes).unwrap();
        let (msg, props) = retry_message(&first, "%RETRY%g", 0, Destination::Retry { level: 4 }, host);
        assert_eq!((msg.topic.as_str(), msg.reconsume_times, msg.flag), ("%RETRY%g", 3, 7));
        assert_eq!(props.get("RETRY_TOPIC"), Some("TopicA"));
        assert_eq!(props.get("ORIGIN_MESSAGE_ID"), Some(first.offset_msg_id().as_str()));
        assert_eq!(
            (props.get("DELAY"), props.get("WAIT"), props.get("TAGS")),
            (Some("4"), Some("false"), Some("t"))
        );

        // A second send-back of the retry copy keeps RETRY_TOPIC and ORIGIN_MESSAGE_ID.
        let mut again = msg.clone();
        again.properties = props.encode();
        let second = StoredMessage::decode(&record_bytes(&again, 0, 9_000, 6)).unwrap();
        let (msg2, props2) = retry_message(&second, "%DLQ%g", 0, Destination::DeadLetter, host);
        assert_eq!(props2.get("RETRY_TOPIC"), Some("TopicA"));
        assert_eq!(props2.get("ORIGIN_MESSAGE_ID"), Some(first.offset_msg_id().as_str()));
        assert_eq!(props2.get("DELAY"), Some("0"));
        assert_eq!(msg2.reconsume_times, 4);
    }
}
