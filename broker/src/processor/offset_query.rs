//! GET_MAX_OFFSET (30), GET_MIN_OFFSET (31), SEARCH_OFFSET_BY_TIMESTAMP
//! (29), GET_EARLIEST_MSG_STORETIME (32): spec/remoting.md §4.7.

use std::sync::Arc;

use booster_remoting::headers::broker::{
    GetEarliestMsgStoretimeRequestHeader, GetEarliestMsgStoretimeResponseHeader, GetMaxOffsetRequestHeader,
    GetMinOffsetRequestHeader, OffsetResponseHeader, SearchOffsetRequestHeader,
};
use booster_remoting::{Connection, RemotingCommand, ResponseCode, request};

use super::{ProcessorTable, Reply, decode_header, response, with_header};
use crate::context::BrokerContext;

pub fn register(table: &mut ProcessorTable) {
    table.register(request::GET_MAX_OFFSET, max_offset);
    table.register(request::GET_MIN_OFFSET, min_offset);
    table.register(request::SEARCH_OFFSET_BY_TIMESTAMP, search_offset);
    table.register(request::GET_EARLIEST_MSG_STORETIME, earliest_time);
}

fn offset_reply(req: &RemotingCommand, offset: i64) -> Reply {
    Some(with_header(response(req, ResponseCode::Success), &OffsetResponseHeader { offset }))
}

async fn max_offset(ctx: Arc<BrokerContext>, _conn: Connection, req: RemotingCommand) -> Reply {
    match decode_header::<GetMaxOffsetRequestHeader>(&req) {
        Ok(h) => offset_reply(&req, ctx.store.max_offset_in_queue(&h.topic, h.queue_id)),
        Err(resp) => Some(*resp),
    }
}

async fn min_offset(ctx: Arc<BrokerContext>, _conn: Connection, req: RemotingCommand) -> Reply {
    match decode_header::<GetMinOffsetRequestHeader>(&req) {
        Ok(h) => offset_reply(&req, ctx.store.min_offset_in_queue(&h.topic, h.queue_id)),
        Err(resp) => Some(*resp),
    }
}

/// §4.7: LOWER = smallest offset stored at or after `t`; UPPER = largest
/// offset stored at or before `t` (0 when every message is newer). Built on
/// the store's LOWER search: UPPER(t) = LOWER(t + 1) − 1.
pub fn search(min: i64, max: i64, lower: impl Fn(i64) -> i64, timestamp: i64, upper: bool) -> i64 {
    if max <= min {
        return 0;
    }
    if !upper {
        return lower(timestamp);
    }
    let after = lower(timestamp.saturating_add(1));
    if after <= min { 0 } else { after - 1 }
}

async fn search_offset(ctx: Arc<BrokerContext>, _conn: Connection, req: RemotingCommand) -> Reply {
    let h: SearchOffsetRequestHeader = match decode_header(&req) {
        Ok(h) => h,
        Err(resp) => return Some(*resp),
    };
    let (min, max) = (
        ctx.store.min_offset_in_queue(&h.topic, h.queue_id),
        ctx.store.max_offset_in_queue(&h.topic, h.queue_id),
    );
    let lower = |t| ctx.store.offset_by_timestamp(&h.topic, h.queue_id, t);
    offset_reply(&req, search(min, max, lower, h.timestamp, h.is_upper_boundary()))
}

async fn earliest_time(ctx: Arc<BrokerContext>, _conn: Connection, req: RemotingCommand) -> Reply {
    match decode_header::<GetEarliestMsgStoretimeRequestHeader>(&req) {
        Ok(h) => {
            let timestamp = ctx.store.earliest_message_time(&h.topic, h.queue_id);
            let header = GetEarliestMsgStoretimeResponseHeader { timestamp };
            Some(with_header(response(&req, ResponseCode::Success), &header))
        }
        Err(resp) => Some(*resp),
    }
}

#[cfg(test)]
mod tests {
    use super::search;

    /// Queue offsets 10..15 stored at times 100, 200, …, 500.
    fn lower(t: i64) -> i64 {
        let times = [100, 200, 300, 400, 500];
        10 + times.iter().position(|&x| x >= t).unwrap_or(times.len()) as i64
    }

    #[test]
    fn boundaries() {
        assert_eq!(search(10, 15, lower, 250, false), 12);
        assert_eq!(search(10, 15, lower, 250, true), 11);
        assert_eq!(search(10, 15, lower, 300, false), 12);
        assert_eq!(search(10, 15, lower, 300, true), 12);
        assert_eq!(search(10, 15, lower, 999, false), 15, "all older: LOWER → max");
        assert_eq!(search(10, 15, lower, 999, true), 14, "all older: UPPER → max − 1");
        assert_eq!(search(10, 15, lower, 1, false), 10, "all newer: LOWER → min");
        assert_eq!(search(10, 15, lower, 1, true), 0, "all newer: UPPER → 0");
        assert_eq!(search(0, 0, lower, 1, false), 0, "empty queue");
    }
}
