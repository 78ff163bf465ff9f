//! QUERY_MESSAGE (12) and VIEW_MESSAGE_BY_ID (33): spec/remoting.md §4.7.
//! Bodies are raw records, exactly like pull bodies.

use std::sync::Arc;

use booster_remoting::headers::broker::{
    QueryMessageRequestHeader, QueryMessageResponseHeader, UNIQUE_KEY_QUERY, ViewMessageRequestHeader,
};
use booster_remoting::{Connection, RemotingCommand, ResponseCode, request};
use booster_store::record::{RecordCheck, check_record};
use bytes::BytesMut;

use super::{ProcessorTable, Reply, decode_header, reply_error, response, with_header};
use crate::context::BrokerContext;

pub fn register(table: &mut ProcessorTable) {
    table.register(request::QUERY_MESSAGE, query_message);
    table.register(request::VIEW_MESSAGE_BY_ID, view_message);
}

async fn query_message(ctx: Arc<BrokerContext>, _conn: Connection, req: RemotingCommand) -> Reply {
    let h: QueryMessageRequestHeader = match decode_header(&req) {
        Ok(h) => h,
        Err(resp) => return Some(*resp),
    };
    let uniq = req.ext(UNIQUE_KEY_QUERY).is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let max_num = if uniq { ctx.config.default_query_max_num as usize } else { h.max_num.max(0) as usize };
    let found = ctx.store.query_by_key(&h.topic, &h.key, max_num, h.begin_timestamp, h.end_timestamp);
    if found.is_empty() {
        return Some(reply_error(
            &req,
            ResponseCode::QueryNotFound,
            "can not find message, maybe time range not correct",
        ));
    }
    let mut body = BytesMut::with_capacity(found.iter().map(|b| b.len()).sum());
    for record in &found {
        body.extend_from_slice(record);
    }
    let header = QueryMessageResponseHeader {
        index_last_update_timestamp: ctx.store.commit_log().last_store_timestamp(),
        index_last_update_phyoffset: ctx.store.max_phy_offset(),
    };
    Some(with_header(response(&req, ResponseCode::Success), &header).with_body(body.freeze()))
}

async fn view_message(ctx: Arc<BrokerContext>, _conn: Connection, req: RemotingCommand) -> Reply {
    let h: ViewMessageRequestHeader = match decode_header(&req) {
        Ok(h) => h,
        Err(resp) => return Some(*resp),
    };
    // An offset inside a record would read garbage as a length: only whole
    // records are returned.
    let record =
        ctx.store.message_at(h.offset).filter(|r| matches!(check_record(r, false), RecordCheck::Record(_)));
    Some(match record {
        Some(record) => response(&req, ResponseCode::Success).with_body(record),
        None => reply_error(
            &req,
            ResponseCode::SystemError,
            format!("can not find message by the offset, {}", h.offset),
        ),
    })
}
