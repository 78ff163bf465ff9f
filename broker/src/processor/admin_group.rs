//! UPDATE_AND_CREATE_SUBSCRIPTIONGROUP (200), GET_ALL_SUBSCRIPTIONGROUP_CONFIG
//! (201), DELETE_SUBSCRIPTIONGROUP (207), GET_ALL_CONSUMER_OFFSET (43) and
//! GET_ALL_DELAY_OFFSET (45): spec/remoting.md §4.8.

use std::sync::Arc;

use booster_model::{SubscriptionGroupConfig, from_rocketmq_json, to_rocketmq_json};
use booster_remoting::headers::broker::{
    DeleteSubscriptionGroupRequestHeader, GetAllSubscriptionGroupResponseHeader,
};
use booster_remoting::{Connection, RemotingCommand, ResponseCode, request};

use super::{ProcessorTable, Reply, decode_header, reply_error, response, with_header};
use crate::context::BrokerContext;
use crate::topic::validate;
use crate::util::now_ms;

/// GET_ALL_CONSUMER_OFFSET's remark when there is nothing to send.
pub const NO_CONSUMER_OFFSET: &str = "No consumer offset in this broker";

pub fn register(table: &mut ProcessorTable) {
    table.register(request::UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, update_group);
    table.register(request::GET_ALL_SUBSCRIPTIONGROUP_CONFIG, all_groups);
    table.register(request::DELETE_SUBSCRIPTIONGROUP, delete_group);
    table.register(request::GET_ALL_CONSUMER_OFFSET, all_offsets);
    table.register(request::GET_ALL_DELAY_OFFSET, all_delay_offsets);
}

async fn update_group(ctx: Arc<BrokerContext>, _conn: Connection, req: RemotingCommand) -> Reply {
    let parsed = req
        .body
        .as_deref()
        .ok_or_else(|| "missing SubscriptionGroupConfig body".to_owned())
        .and_then(|b| std::str::from_utf8(b).map_err(|e| e.to_string()))
        .and_then(|text| from_rocketmq_json::<SubscriptionGroupConfig>(text).map_err(|e| e.to_string()));
    let config = match parsed {
        Ok(c) => c,
        Err(e) => return Some(reply_error(&req, ResponseCode::InvalidParameter, e)),
    };
    if let Err(e) = validate::validate_group(&config.group_name) {
        return Some(reply_error(&req, ResponseCode::InvalidParameter, e));
    }
    let group = config.group_name.clone();
    Some(match ctx.groups.update(config, now_ms()) {
        Ok(()) => {
            tracing::info!(group, "subscription group created or updated");
            response(&req, ResponseCode::Success)
        }
        Err(e) => reply_error(&req, ResponseCode::SystemError, e.to_string()),
    })
}

async fn all_groups(ctx: Arc<BrokerContext>, _conn: Connection, req: RemotingCommand) -> Reply {
    let wrapper = ctx.groups.snapshot();
    let header = GetAllSubscriptionGroupResponseHeader {
        total_group_num: Some(wrapper.subscription_group_table.len() as i32),
    };
    let body = to_rocketmq_json(&wrapper, false);
    Some(with_header(response(&req, ResponseCode::Success), &header).with_body(body.into_bytes()))
}

async fn delete_group(ctx: Arc<BrokerContext>, _conn: Connection, req: RemotingCommand) -> Reply {
    let h: DeleteSubscriptionGroupRequestHeader = match decode_header(&req) {
        Ok(h) => h,
        Err(resp) => return Some(*resp),
    };
    Some(match ctx.groups.delete(&h.group_name, now_ms()) {
        Ok(_) => {
            if h.clean_offset.unwrap_or(false) {
                ctx.offsets.remove_group(&h.group_name);
            }
            tracing::info!(group = %h.group_name, "subscription group deleted");
            response(&req, ResponseCode::Success)
        }
        Err(e) => reply_error(&req, ResponseCode::SystemError, e.to_string()),
    })
}

async fn all_offsets(ctx: Arc<BrokerContext>, _conn: Connection, req: RemotingCommand) -> Reply {
    if ctx.offsets.is_empty() {
        return Some(reply_error(&req, ResponseCode::SystemError, NO_CONSUMER_OFFSET));
    }
    let body = to_rocketmq_json(&ctx.offsets.snapshot(), false);
    Some(response(&req, ResponseCode::Success).with_body(body.into_bytes()))
}

/// The schedule service's progress, `delayOffset.json`'s content (compact).
async fn all_delay_offsets(ctx: Arc<BrokerContext>, _conn: Connection, req: RemotingCommand) -> Reply {
    let body = to_rocketmq_json(&ctx.delay_offsets.snapshot(), false);
    Some(response(&req, ResponseCode::Success).with_body(body.into_bytes()))
}
