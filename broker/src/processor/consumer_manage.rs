//! QUERY_CONSUMER_OFFSET (14), UPDATE_CONSUMER_OFFSET (15),
//! GET_CONSUMER_LIST_BY_GROUP (38): spec/remoting.md §4.6.

use std::sync::Arc;

use booster_model::heartbeat::GetConsumerListByGroupResponseBody;
use booster_model::to_rocketmq_json;
use booster_remoting::headers::broker::{
    GetConsumerListByGroupRequestHeader, QueryConsumerOffsetRequestHeader, QueryConsumerOffsetResponseHeader,
    UpdateConsumerOffsetRequestHeader,
};
use booster_remoting::{Connection, RemotingCommand, ResponseCode, request};

use super::{ProcessorTable, Reply, decode_header, reply_error, response, with_header};
use crate::context::BrokerContext;

pub fn register(table: &mut ProcessorTable) {
    table.register(request::QUERY_CONSUMER_OFFSET, query_offset);
    table.register(request::UPDATE_CONSUMER_OFFSET, update_offset);
    table.register(request::GET_CONSUMER_LIST_BY_GROUP, consumer_list);
}

async fn query_offset(ctx: Arc<BrokerContext>, _conn: Connection, req: RemotingCommand) -> Reply {
    let h: QueryConsumerOffsetRequestHeader = match decode_header(&req) {
        Ok(h) => h,
        Err(resp) => return Some(*resp),
    };
    let offset = match ctx.offsets.query(&h.consumer_group, &h.topic, h.queue_id) {
        Some(offset) => Some(offset),
        None if !h.set_zero_if_not_found.unwrap_or(true) => {
            return Some(reply_error(
                &req,
                ResponseCode::QueryNotFound,
                "Not found, do not set to zero, maybe this group boot first",
            ));
        }
        // A new group may start at 0 only while the queue's first message
        // is still hot (RocketMQ's checkInMemByConsumeOffset).
        None => first_message_in_memory(&ctx, &h.topic, h.queue_id).then_some(0),
    };
    Some(match offset {
        Some(offset) => {
            with_header(response(&req, ResponseCode::Success), &QueryConsumerOffsetResponseHeader { offset })
        }
        None => reply_error(
            &req,
            ResponseCode::QueryNotFound,
            "Not found, V3_0_6_SNAPSHOT maybe this group consumer boot first",
        ),
    })
}

fn first_message_in_memory(ctx: &BrokerContext, topic: &str, queue_id: i32) -> bool {
    if ctx.store.min_offset_in_queue(topic, queue_id) > 0 {
        return false;
    }
    let entry = ctx.store.consume_queue(topic, queue_id).and_then(|q| q.get(0));
    entry.is_some_and(|e| ctx.is_in_memory(e.phys_offset))
}

async fn update_offset(ctx: Arc<BrokerContext>, _conn: Connection, req: RemotingCommand) -> Reply {
    let h: UpdateConsumerOffsetRequestHeader = match decode_header(&req) {
        Ok(h) => h,
        Err(resp) => return Some(*resp),
    };
    if !ctx.groups.contains(&h.consumer_group) {
        return Some(reply_error(
            &req,
            ResponseCode::SubscriptionGroupNotExist,
            format!("Group {} not exist!", h.consumer_group),
        ));
    }
    if !ctx.topics.contains(&h.topic) {
        return Some(reply_error(&req, ResponseCode::TopicNotExist, format!("Topic {} not exist!", h.topic)));
    }
    let (Some(queue_id), Some(offset)) = (h.queue_id, h.commit_offset) else {
        return Some(reply_error(&req, ResponseCode::InvalidParameter, "invalid queueId or commitOffset"));
    };
    ctx.offsets.commit(&h.consumer_group, &h.topic, queue_id, offset);
    Some(response(&req, ResponseCode::Success))
}

async fn consumer_list(ctx: Arc<BrokerContext>, _conn: Connection, req: RemotingCommand) -> Reply {
    let h: GetConsumerListByGroupRequestHeader = match decode_header(&req) {
        Ok(h) => h,
        Err(resp) => return Some(*resp),
    };
    let ids = ctx.consumers.lock().client_ids(&h.consumer_group);
    if ids.is_empty() {
        return Some(reply_error(
            &req,
            ResponseCode::SystemError,
            format!("no consumer for this group, {}", h.consumer_group),
        ));
    }
    let body = GetConsumerListByGroupResponseBody { consumer_id_list: ids };
    Some(response(&req, ResponseCode::Success).with_body(to_rocketmq_json(&body, false).into_bytes()))
}
