//! PULL_MESSAGE (11) / LITE_PULL_MESSAGE (361): spec/remoting.md §4.5.
//! Checks (broker, group, topic, queue, subscription), a store read with
//! the tag filter, the status → response mapping, and long polling when
//! nothing was found and the client allows suspension.

mod long_poll;

use std::sync::Arc;
use std::time::Duration;

use booster_model::heartbeat::{MessageModel, SubscriptionData};
use booster_model::{SubscriptionGroupConfig, TopicConfig};
use booster_remoting::headers::broker::{PullMessageRequestHeader, PullMessageResponseHeader, pull_sys_flag};
use booster_remoting::{Connection, RemotingCommand, ResponseCode, request};
use booster_store::{GetMessageResult, GetMessageStatus};
use bytes::{Bytes, BytesMut};

use super::{ProcessorTable, Reply, decode_header, reply_error, with_header};
use crate::context::BrokerContext;
use crate::filter::{TagFilter, build_subscription};
use crate::topic::perm;
use crate::util::now_ms;

pub fn register(table: &mut ProcessorTable) {
    table.register(request::PULL_MESSAGE, handle);
    table.register(request::LITE_PULL_MESSAGE, handle);
}

/// What the checks established for one pull.
struct Prepared {
    topic: TopicConfig,
    group: SubscriptionGroupConfig,
    filter: TagFilter,
}

async fn handle(ctx: Arc<BrokerContext>, _conn: Connection, req: RemotingCommand) -> Reply {
    let h: PullMessageRequestHeader = match decode_header(&req) {
        Ok(h) => h,
        Err(resp) => return Some(*resp),
    };
    let prepared = match prepare(&ctx, &req, &h) {
        Ok(p) => p,
        Err(resp) => return Some(resp),
    };
    let first = read(&ctx, &h, &prepared);
    if h.has_flag(pull_sys_flag::COMMIT_OFFSET) && !ctx.is_slave() {
        ctx.offsets.commit(&h.consumer_group, &h.topic, h.queue_id, h.commit_offset);
    }
    let code = response_code(&ctx, &h, first.status);
    if code != ResponseCode::PullNotFound || !h.has_flag(pull_sys_flag::SUSPEND) {
        return Some(respond(&ctx, &req, &prepared, first, code));
    }
    let hold_ms = if ctx.config.long_polling_enable {
        u64::try_from(h.suspend_timeout_millis).unwrap_or(0)
    } else {
        ctx.config.short_polling_time_mills
    };
    long_poll::wait_for_arrival(
        &ctx,
        &h.topic,
        h.queue_id,
        h.queue_offset,
        &prepared.filter,
        Duration::from_millis(hold_ms),
    )
    .await;
    // Re-processed without suspension and without committing again (§4.5.1).
    let second = read(&ctx, &h, &prepared);
    let code = response_code(&ctx, &h, second.status);
    Some(respond(&ctx, &req, &prepared, second, code))
}

/// §4.5 steps 1–5. (The error is a whole response, built only on rejection.)
#[allow(clippy::result_large_err)]
fn prepare(
    ctx: &BrokerContext,
    req: &RemotingCommand,
    h: &PullMessageRequestHeader,
) -> Result<Prepared, RemotingCommand> {
    let forbidden = |kind: i32, remark: String| {
        let header = PullMessageResponseHeader { forbidden_type: Some(kind), ..Default::default() };
        with_header(reply_error(req, ResponseCode::NoPermission, remark), &header)
    };
    let addr = ctx.broker_addr();
    if !perm::is_readable(ctx.config.broker_permission) {
        return Err(forbidden(1, format!("the broker[{addr}] pulling message is forbidden")));
    }
    if req.code == request::LITE_PULL_MESSAGE && !ctx.config.lite_pull_message_enable {
        return Err(forbidden(1, format!("the broker[{addr}] for lite pull consumer is forbidden")));
    }
    let group = match ctx.groups.find_or_create(&h.consumer_group, now_ms()) {
        Ok(Some(g)) => g,
        Ok(None) => {
            let remark = format!(
                "subscription group [{}] does not exist, https://rocketmq.apache.org/docs/bestPractice/06FAQ",
                h.consumer_group
            );
            return Err(reply_error(req, ResponseCode::SubscriptionGroupNotExist, remark));
        }
        Err(e) => return Err(reply_error(req, ResponseCode::SystemError, e.to_string())),
    };
    if !group.consume_enable {
        return Err(forbidden(2, format!("subscription group no permission, {}", h.consumer_group)));
    }
    let Some(topic) = ctx.topics.select(&h.topic) else {
        let remark = format!(
            "topic[{}] not exist, apply first please! https://rocketmq.apache.org/docs/bestPractice/06FAQ",
            h.topic
        );
        return Err(reply_error(req, ResponseCode::TopicNotExist, remark));
    };
    if !perm::is_readable(topic.perm) {
        return Err(forbidden(3, format!("the topic[{}] pulling message is forbidden", h.topic)));
    }
    if h.queue_id < 0 || h.queue_id >= topic.read_queue_nums {
        let remark = format!(
            "queueId[{}] is illegal, topic:[{}] topicConfig.readQueueNums:[{}] consumer:[{}]",
            h.queue_id, h.topic, topic.read_queue_nums, h.consumer_group
        );
        return Err(reply_error(req, ResponseCode::InvalidParameter, remark));
    }
    let subscription = subscription(ctx, req, h, &group)?;
    if !subscription.is_tag_type() && !ctx.config.enable_property_filter {
        let remark = format!(
            "The broker does not support consumer to filter message by {}",
            subscription.expression_type
        );
        return Err(reply_error(req, ResponseCode::SystemError, remark));
    }
    Ok(Prepared { filter: TagFilter::from_subscription(&subscription), topic, group })
}

/// §4.5 step 5: from the header, or as registered by heartbeats.
#[allow(clippy::result_large_err)]
fn subscription(
    ctx: &BrokerContext,
    req: &RemotingCommand,
    h: &PullMessageRequestHeader,
    group: &SubscriptionGroupConfig,
) -> Result<SubscriptionData, RemotingCommand> {
    if h.has_flag(pull_sys_flag::SUBSCRIPTION) {
        return build_subscription(
            &h.topic,
            h.subscription.as_deref(),
            h.expression_type.as_deref(),
            h.sub_version,
        )
        .map_err(|e| {
            reply_error(
                req,
                ResponseCode::SubscriptionParseFailed,
                format!("parse the consumer's subscription failed: {e}"),
            )
        });
    }
    let consumers = ctx.consumers.lock();
    let Some(info) = consumers.group(&h.consumer_group) else {
        return Err(reply_error(
            req,
            ResponseCode::SubscriptionNotExist,
            "the consumer's group info not exist",
        ));
    };
    if info.message_model == MessageModel::Broadcasting && !group.consume_broadcast_enable {
        let header = PullMessageResponseHeader { forbidden_type: Some(4), ..Default::default() };
        let remark = format!("the consumer group[{}] can not consume by broadcast way", h.consumer_group);
        return Err(with_header(reply_error(req, ResponseCode::NoPermission, remark), &header));
    }
    let Some(sub) = info.subscriptions.get(&h.topic) else {
        return Err(reply_error(
            req,
            ResponseCode::SubscriptionNotExist,
            "the consumer's subscription not exist",
        ));
    };
    if sub.sub_version < h.sub_version {
        return Err(reply_error(
            req,
            ResponseCode::SubscriptionNotLatest,
            "the consumer's subscription not latest",
        ));
    }
    Ok(sub.clone())
}

fn read(ctx: &BrokerContext, h: &PullMessageRequestHeader, p: &Prepared) -> GetMessageResult {
    let c = &ctx.config;
    let max_count = (h.max_msg_nums.max(1) as u32).min(c.max_transfer_count_on_message_in_memory.max(1));
    let mut result = ctx.store.get_messages(
        &h.topic,
        h.queue_id,
        h.queue_offset,
        max_count as usize,
        c.max_transfer_bytes_on_message_in_memory as usize,
        &|code| p.filter.matches(code),
    );
    // A slave must not move consumers with offsets it may not know yet.
    if ctx.is_slave() && !c.offset_check_in_slave && is_corrected(result.status) {
        result.next_begin_offset = h.queue_offset;
    }
    result
}

/// Statuses whose nextBeginOffset is a correction, not progress.
fn is_corrected(status: GetMessageStatus) -> bool {
    matches!(
        status,
        GetMessageStatus::NoMatchedLogicQueue
            | GetMessageStatus::NoMessageInQueue
            | GetMessageStatus::OffsetTooSmall
            | GetMessageStatus::OffsetOverflowBadly
            | GetMessageStatus::OffsetFoundNull
    )
}

/// The store-read table of §4.5.
pub fn status_code(status: GetMessageStatus, requested_offset: i64) -> ResponseCode {
    use GetMessageStatus as S;
    match status {
        S::Found => ResponseCode::Success,
        S::NoMatchedMessage | S::MessageWasRemoving => ResponseCode::PullRetryImmediately,
        S::NoMatchedLogicQueue | S::NoMessageInQueue if requested_offset != 0 => {
            ResponseCode::PullOffsetMoved
        }
        S::NoMatchedLogicQueue | S::NoMessageInQueue | S::OffsetFoundNull | S::OffsetOverflowOne => {
            ResponseCode::PullNotFound
        }
        S::OffsetOverflowBadly | S::OffsetTooSmall => ResponseCode::PullOffsetMoved,
    }
}

fn response_code(
    ctx: &BrokerContext,
    h: &PullMessageRequestHeader,
    status: GetMessageStatus,
) -> ResponseCode {
    let code = status_code(status, h.queue_offset);
    if code == ResponseCode::PullOffsetMoved && ctx.is_slave() && !ctx.config.offset_check_in_slave {
        return ResponseCode::PullRetryImmediately;
    }
    code
}

/// RocketMQ's `GetMessageStatus` names, sent as the remark.
pub fn status_name(status: GetMessageStatus) -> &'static str {
    use GetMessageStatus as S;
    match status {
        S::Found => "FOUND",
        S::NoMatchedMessage => "NO_MATCHED_MESSAGE",
        S::MessageWasRemoving => "MESSAGE_WAS_REMOVING",
        S::OffsetFoundNull => "OFFSET_FOUND_NULL",
        S::OffsetOverflowBadly => "OFFSET_OVERFLOW_BADLY",
        S::OffsetOverflowOne => "OFFSET_OVERFLOW_ONE",
        S::OffsetTooSmall => "OFFSET_TOO_SMALL",
        S::NoMatchedLogicQueue => "NO_MATCHED_LOGIC_QUEUE",
        S::NoMessageInQueue => "NO_MESSAGE_IN_QUEUE",
    }
}

/// Physical offset of a raw record (bytes 28..36).
fn physical_offset(record: &Bytes) -> Option<i64> {
    record.get(28..36).map(|b| i64::from_be_bytes(b.try_into().unwrap_or([0; 8])))
}

fn respond(
    ctx: &BrokerContext,
    req: &RemotingCommand,
    p: &Prepared,
    result: GetMessageResult,
    code: ResponseCode,
) -> RemotingCommand {
    let suggest = if !ctx.config.slave_read_enable {
        0
    } else {
        match result.messages.last().and_then(physical_offset) {
            Some(offset) if !ctx.is_in_memory(offset) => p.group.which_broker_when_consume_slowly,
            _ => p.group.broker_id,
        }
    };
    let header = PullMessageResponseHeader {
        suggest_which_broker_id: suggest,
        next_begin_offset: result.next_begin_offset,
        min_offset: result.min_offset,
        max_offset: result.max_offset,
        topic_sys_flag: Some(p.topic.topic_sys_flag),
        group_sys_flag: Some(p.group.group_sys_flag),
        ..Default::default()
    };
    ctx.stats.add_get(result.messages.len() as u64);
    crate::metrics::record_pull(
        &p.topic.topic_name,
        &p.group.group_name,
        result.messages.len(),
        result.total_bytes(),
    );
    let mut resp = with_header(reply_error(req, code, status_name(result.status)), &header);
    if code == ResponseCode::Success {
        let mut body = BytesMut::with_capacity(result.total_bytes());
        for record in &result.messages {
            body.extend_from_slice(record);
        }
        resp = resp.with_body(body.freeze());
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use GetMessageStatus as S;

    #[test]
    fn store_status_table() {
        assert_eq!(status_code(S::Found, 5), ResponseCode::Success);
        assert_eq!(status_code(S::NoMatchedMessage, 5), ResponseCode::PullRetryImmediately);
        assert_eq!(status_code(S::MessageWasRemoving, 5), ResponseCode::PullRetryImmediately);
        assert_eq!(status_code(S::NoMatchedLogicQueue, 0), ResponseCode::PullNotFound);
        assert_eq!(status_code(S::NoMatchedLogicQueue, 3), ResponseCode::PullOffsetMoved);
        assert_eq!(status_code(S::NoMessageInQueue, 0), ResponseCode::PullNotFound);
        assert_eq!(status_code(S::OffsetOverflowOne, 9), ResponseCode::PullNotFound);
        assert_eq!(status_code(S::OffsetFoundNull, 9), ResponseCode::PullNotFound);
        assert_eq!(status_code(S::OffsetOverflowBadly, 9), ResponseCode::PullOffsetMoved);
        assert_eq!(status_code(S::OffsetTooSmall, 9), ResponseCode::PullOffsetMoved);
        assert_eq!(status_name(S::OffsetOverflowOne), "OFFSET_OVERFLOW_ONE");
        assert!(is_corrected(S::OffsetTooSmall) && !is_corrected(S::OffsetOverflowOne));
    }
}
