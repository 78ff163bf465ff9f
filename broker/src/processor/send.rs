//! SEND_MESSAGE (10), SEND_MESSAGE_V2 (310), SEND_BATCH_MESSAGE (320):
//! spec/remoting.md §4.2. The checks of §4.2.1 in order, then the put
//! through [`MessagePut`](crate::put::MessagePut), then the §3.1 mapping.

pub mod batch;
pub mod message;
pub(crate) mod response;
mod retry;

use std::sync::Arc;

use booster_model::{TopicConfig, TopicFilterType};
use booster_remoting::headers::broker::{SendMessageRequestHeader, SendMessageResponseHeader};
use booster_remoting::{Connection, ExtFields, RemotingCommand, ResponseCode, request};
use booster_store::MessageToStore;
use booster_store::record::sysflag;

pub use batch::{BatchEntry, decode_batch, encode_batch};
pub use message::Properties;
use message::{
    PROPERTY_CLUSTER, PROPERTY_MSG_REGION, PROPERTY_POP_CK, PROPERTY_TRACE_SWITCH, PROPERTY_UNIQ_KEY, Target,
};

use super::{ProcessorTable, Reply, with_header};
use crate::context::BrokerContext;
use crate::topic::{perm, validate};
use crate::util::{now_ms, random_below};

pub fn register(table: &mut ProcessorTable) {
    for code in [request::SEND_MESSAGE, request::SEND_MESSAGE_V2, request::SEND_BATCH_MESSAGE] {
        table.register(code, handle);
    }
}

/// A send that failed before the put: code and remark.
type Rejection = (ResponseCode, String);

async fn handle(ctx: Arc<BrokerContext>, conn: Connection, req: RemotingCommand) -> Reply {
    let empty = ExtFields::new();
    let fields = req.ext_fields.as_ref().unwrap_or(&empty);
    let header = match SendMessageRequestHeader::decode_for_code(req.code, fields) {
        Ok(h) => h,
        Err(e) => return Some(reject(&ctx, &req, (ResponseCode::InvalidParameter, e.to_string()))),
    };
    if ctx.is_slave() {
        let resp = RemotingCommand::response_to(&req, ResponseCode::SystemBusy.code())
            .with_remark("[REJECTREQUEST]system busy, start flow control for a while");
        return Some(resp);
    }
    let outcome = match check(&ctx, &header, now_ms()) {
        Ok(topic) if header.batch == Some(true) => send_batch(&ctx, &conn, &req, &header, &topic).await,
        Ok(topic) => send_single(&ctx, &conn, &req, &header, &topic).await,
        Err(rejection) => Err(rejection),
    };
    Some(match outcome {
        Ok(resp) => resp,
        Err(rejection) => reject(&ctx, &req, rejection),
    })
}

/// The extFields every send response carries (§4.2).
fn region_fields(ctx: &BrokerContext) -> ExtFields {
    let mut f = ExtFields::new();
    f.insert(PROPERTY_MSG_REGION.to_owned(), ctx.config.region_id.clone());
    f.insert(PROPERTY_TRACE_SWITCH.to_owned(), ctx.config.trace_on.to_string());
    f
}

fn reject(ctx: &BrokerContext, req: &RemotingCommand, (code, remark): Rejection) -> RemotingCommand {
    RemotingCommand::response_to(req, code.code()).with_remark(remark).with_ext(region_fields(ctx))
}

/// §4.2.1 steps 2–7 (`msgCheck`): returns the topic to write to.
fn check(ctx: &BrokerContext, h: &SendMessageRequestHeader, now: i64) -> Result<TopicConfig, Rejection> {
    let c = &ctx.config;
    if now < c.start_accept_send_request_time_stamp {
        return Err((
            ResponseCode::SystemError,
            format!("broker unable to service, until {}", c.start_accept_send_request_time_stamp),
        ));
    }
    if !perm::is_writeable(c.broker_permission) && ctx.topics.is_order_topic(&h.topic) {
        return Err((
            ResponseCode::NoPermission,
            format!("the broker[{}] sending message is forbidden", c.broker_ip1.as_deref().unwrap_or("")),
        ));
    }
    validate::validate_topic(&h.topic).map_err(|e| (ResponseCode::InvalidParameter, e))?;
    if validate::is_forbidden_send_topic(&h.topic) {
        return Err((
            ResponseCode::NoPermission,
            format!("Sending message to topic[{}] is forbidden.", h.topic),
        ));
    }
    let topic = match ctx.topics.select(&h.topic) {
        Some(t) => t,
        None => auto_create(ctx, h, now)?,
    };
    let queues = topic.write_queue_nums.max(topic.read_queue_nums);
    if h.queue_id >= queues {
        return Err((
            ResponseCode::InvalidParameter,
            format!(
                "request queueId[{}] is illegal, topic {} has {queues} queues, Producer: {}",
                h.queue_id, h.topic, h.producer_group
            ),
        ));
    }
    Ok(topic)
}

/// §4.2.1 step 6: create an unknown topic from the producer's template
/// topic (normally TBW102), or a `%RETRY%` topic with one queue.
fn auto_create(
    ctx: &BrokerContext,
    h: &SendMessageRequestHeader,
    now: i64,
) -> Result<TopicConfig, Rejection> {
    let retry = validate::is_retry_topic(&h.topic);
    let sys_flag = match h.unit_mode {
        Some(true) => perm::sys_flag::build(!retry, retry),
        _ => 0,
    };
    let created = ctx
        .topics
        .create_in_send(&h.topic, &h.default_topic, h.default_topic_queue_nums, sys_flag, now)
        .map_err(|e| (ResponseCode::SystemError, e.to_string()))?;
    let created = match created {
        Some(t) => Some(t),
        None if retry => {
            let config = TopicConfig {
                read_queue_nums: 1,
                write_queue_nums: 1,
                topic_sys_flag: sys_flag,
                ..TopicConfig::new(&h.topic)
            };
            Some(
                ctx.topics
                    .create_if_absent(config, now)
                    .map_err(|e| (ResponseCode::SystemError, e.to_string()))?
                    .0,
            )
        }
        None => None,
    };
    match created {
        Some(t) => {
            ctx.metadata_changed.notify_one();
            Ok(t)
        }
        None => Err((
            ResponseCode::TopicNotExist,
            format!(
                "topic[{}] not exist, apply first please! https://rocketmq.apache.org/docs/bestPractice/06FAQ",
                h.topic
            ),
        )),
    }
}

/// `queueId < 0` picks a random write queue.
fn choose_queue(h: &SendMessageRequestHeader, topic: &TopicConfig) -> Result<i32, Rejection> {
    if h.queue_id >= 0 {
        return Ok(h.queue_id);
    }
    if topic.write_queue_nums <= 0 {
        return Err((
            ResponseCode::NoPermission,
            format!("topic[{}] has no writable queue", topic.topic_name),
        ));
    }
    Ok(random_below(topic.write_queue_nums as u32) as i32)
}

fn base_sys_flag(h: &SendMessageRequestHeader, topic: &TopicConfig) -> i32 {
    if topic.topic_filter_type == TopicFilterType::MultiTag {
        h.sys_flag | sysflag::MULTI_TAGS
    } else {
        h.sys_flag
    }
}

fn stored(
    ctx: &BrokerContext,
    conn: &Connection,
    h: &SendMessageRequestHeader,
    target: &Target,
    flag: i32,
    body: bytes::Bytes,
    properties: String,
) -> MessageToStore {
    MessageToStore {
        topic: target.topic.clone(),
        queue_id: target.queue_id,
        flag,
        body,
        properties,
        sys_flag: target.sys_flag,
        born_timestamp: h.born_timestamp,
        born_host: conn.peer(),
        store_host: ctx.store_host,
        reconsume_times: h.reconsume_times.unwrap_or(0),
        prepared_transaction_offset: 0,
    }
}

async fn send_single(
    ctx: &BrokerContext,
    conn: &Connection,
    req: &RemotingCommand,
    h: &SendMessageRequestHeader,
    topic: &TopicConfig,
) -> Result<RemotingCommand, Rejection> {
    let mut props = Properties::parse(h.properties.as_deref().unwrap_or(""));
    let topic = retry::retry_or_dlq(ctx, req, h, topic.clone(), &mut props)?;
    let queue_id = if topic.topic_name == h.topic {
        choose_queue(h, &topic)?
    } else {
        random_below(topic.write_queue_nums.max(1) as u32) as i32
    };
    let illegal = |text: &str| (ResponseCode::MessageIllegal, text.to_owned());
    let body = req.body.clone().ok_or_else(|| illegal("the message body is empty"))?;
    if topic.attributes.get("cleanup.policy").is_some_and(|p| p.eq_ignore_ascii_case("COMPACTION"))
        && props.get(message::PROPERTY_KEYS).is_none()
    {
        return Err(illegal("Required message key is missing"));
    }
    props.remove(PROPERTY_POP_CK);
    let uniq_key = match props.get(PROPERTY_UNIQ_KEY) {
        Some(k) => k.to_owned(),
        None => {
            let k = ctx.uniq_keys.next();
            props.put(PROPERTY_UNIQ_KEY, k.clone());
            k
        }
    };
    props.put(PROPERTY_MSG_REGION, ctx.config.region_id.clone());
    props.put(PROPERTY_TRACE_SWITCH, ctx.config.trace_on.to_string());
    props.put(PROPERTY_CLUSTER, ctx.config.broker_cluster_name.clone());
    let mut target = Target { topic: topic.topic_name.clone(), queue_id, sys_flag: base_sys_flag(h, &topic) };
    let reconsumed_delay = h.reconsume_times.unwrap_or(0) > 0 && props.delay_level() > 0;
    if props.is_transaction_prepared() && !reconsumed_delay {
        if ctx.config.reject_transaction_message {
            return Err((
                ResponseCode::NoPermission,
                format!("the broker[{}] sending transaction message is forbidden", ctx.broker_addr()),
            ));
        }
        message::to_half_message(&mut target, &mut props);
    } else if props.is_timer_message() && props.delay_level() <= 0 {
        // No timer wheel yet: refuse rather than deliver at the wrong time.
        return Err((
            ResponseCode::SystemError,
            "accurate timer message is not enabled, timerWheelEnable is false".to_owned(),
        ));
    } else {
        message::apply_delay_level(&mut target, &mut props, ctx.max_delay_level);
    }
    let msg = stored(ctx, conn, h, &target, h.flag, body, props.encode());
    let started = std::time::Instant::now();
    let outcome = ctx.put.put(std::slice::from_ref(&msg), props.wait_store_msg_ok()).await;
    crate::metrics::record_put(&h.topic, 1, &outcome, started);
    Ok(put_response(ctx, req, outcome, queue_id, Some(uniq_key)))
}

async fn send_batch(
    ctx: &BrokerContext,
    conn: &Connection,
    req: &RemotingCommand,
    h: &SendMessageRequestHeader,
    topic: &TopicConfig,
) -> Result<RemotingCommand, Rejection> {
    let illegal = |text: String| (ResponseCode::MessageIllegal, text);
    if h.topic.len() > validate::TOPIC_MAX_LEN {
        return Err(illegal(format!("message topic length too long {}", h.topic.len())));
    }
    if validate::is_retry_topic(&h.topic) {
        return Err(illegal(format!("batch request does not support retry group {}", h.topic)));
    }
    let batch_props = Properties::parse(h.properties.as_deref().unwrap_or(""));
    if batch_props.delay_level() > 0 || sysflag::transaction_type(h.sys_flag) != sysflag::TRANSACTION_NOT_TYPE
    {
        return Err(illegal("batch message does not support delay or transaction".to_owned()));
    }
    let body = req.body.clone().ok_or_else(|| illegal("the batch body is empty".to_owned()))?;
    if body.len() > ctx.store_config.max_message_size as usize {
        return Err(illegal(format!(
            "the batch body is {} bytes, more than maxMessageSize {}",
            body.len(),
            ctx.store_config.max_message_size
        )));
    }
    let entries = decode_batch(&body).map_err(illegal)?;
    let queue_id = choose_queue(h, topic)?;
    let target = Target { topic: topic.topic_name.clone(), queue_id, sys_flag: base_sys_flag(h, topic) };
    let msgs: Vec<MessageToStore> =
        entries.into_iter().map(|e| stored(ctx, conn, h, &target, e.flag, e.body, e.properties)).collect();
    let started = std::time::Instant::now();
    let outcome = ctx.put.put(&msgs, batch_props.wait_store_msg_ok()).await;
    crate::metrics::record_put(&h.topic, msgs.len(), &outcome, started);
    Ok(put_response(ctx, req, outcome, queue_id, None))
}

/// §3.1: the response for a put outcome; on success the header carries
/// the offset message id(s), queue and offset, and the UNIQ_KEY.
fn put_response(
    ctx: &BrokerContext,
    req: &RemotingCommand,
    outcome: crate::put::PutOutcome,
    queue_id: i32,
    uniq_key: Option<String>,
) -> RemotingCommand {
    let (code, remark) = response::status_response(outcome.status, ctx.store_config.max_message_size);
    let mut resp = RemotingCommand::response_to(req, code.code()).with_ext(region_fields(ctx));
    if let Some(remark) = remark {
        tracing::warn!(status = ?outcome.status, detail = outcome.detail.as_deref().unwrap_or(""), "send failed");
        resp = resp.with_remark(remark);
    }
    match outcome.append.filter(|_| outcome.status.is_stored()) {
        Some(append) => {
            ctx.stats.add_put(append.msg_num as u64);
            let header = SendMessageResponseHeader {
                msg_id: append.msg_ids.join(","),
                queue_id,
                queue_offset: append.queue_offset,
                transaction_id: uniq_key,
                ..Default::default()
            };
            with_header(resp, &header)
        }
        None => resp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(queue_id: i32) -> SendMessageRequestHeader {
        SendMessageRequestHeader { topic: "T".into(), queue_id, ..Default::default() }
    }

    #[test]
    fn queue_choice() {
        let topic = TopicConfig { write_queue_nums: 4, ..TopicConfig::new("T") };
        assert_eq!(choose_queue(&header(2), &topic), Ok(2));
        for _ in 0..50 {
            assert!((0..4).contains(&choose_queue(&header(-1), &topic).unwrap()));
        }
        let none = TopicConfig { write_queue_nums: 0, ..TopicConfig::new("T") };
        assert_eq!(choose_queue(&header(-1), &none).unwrap_err().0, ResponseCode::NoPermission);
    }

    #[test]
    fn multi_tag_topics_set_the_sysflag() {
        let mut topic = TopicConfig::new("T");
        let h = SendMessageRequestHeader { sys_flag: 1, ..header(0) };
        assert_eq!(base_sys_flag(&h, &topic), 1);
        topic.topic_filter_type = TopicFilterType::MultiTag;
        assert_eq!(base_sys_flag(&h, &topic), 1 | sysflag::MULTI_TAGS);
    }
}
