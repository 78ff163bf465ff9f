//! LOCK_BATCH_MQ (41) and UNLOCK_BATCH_MQ (42): spec/remoting.md §4.6.
//! Orderly consumers lock the queues they were assigned before consuming
//! them; the table is [`RebalanceLockManager`](crate::lock::RebalanceLockManager).
//!
//! Only this broker's table is consulted (`lockInStrictMode=false`, the
//! default, or `onlyThisBroker`); the strict mode's quorum over the
//! replicas of a broker group is not implemented. Unlock is usually sent
//! oneway; the connection then drops the SUCCESS response.

use std::sync::Arc;

use booster_model::heartbeat::{LockBatchRequestBody, LockBatchResponseBody};
use booster_model::{from_rocketmq_json, to_rocketmq_json};
use booster_remoting::{Connection, RemotingCommand, ResponseCode, request};

use super::{ProcessorTable, Reply, reply_error, response};
use crate::context::BrokerContext;
use crate::util::now_ms;

pub fn register(table: &mut ProcessorTable) {
    table.register(request::LOCK_BATCH_MQ, lock_batch);
    table.register(request::UNLOCK_BATCH_MQ, unlock_batch);
}

/// The request body, or a response naming what is wrong with it.
fn parse_body(req: &RemotingCommand) -> Result<LockBatchRequestBody, Box<RemotingCommand>> {
    let invalid = |why: String| Box::new(reply_error(req, ResponseCode::InvalidParameter, why));
    let text =
        req.body.as_deref().ok_or_else(|| invalid("missing lock batch body".to_owned())).and_then(|b| {
            std::str::from_utf8(b).map_err(|e| invalid(format!("lock batch body is not UTF-8: {e}")))
        })?;
    let body: LockBatchRequestBody =
        from_rocketmq_json(text).map_err(|e| invalid(format!("bad lock batch body: {e}")))?;
    if body.consumer_group.is_empty() || body.client_id.is_empty() {
        return Err(invalid("lock batch body lacks consumerGroup or clientId".to_owned()));
    }
    Ok(body)
}

async fn lock_batch(ctx: Arc<BrokerContext>, _conn: Connection, req: RemotingCommand) -> Reply {
    let body = match parse_body(&req) {
        Ok(b) => b,
        Err(resp) => return Some(*resp),
    };
    let locked =
        ctx.locks.lock().try_lock_batch(&body.consumer_group, &body.mq_set, &body.client_id, now_ms());
    tracing::debug!(group = %body.consumer_group, client = %body.client_id, asked = body.mq_set.len(), locked = locked.len(), "lock batch");
    let out = LockBatchResponseBody { lock_ok_mq_set: locked };
    Some(response(&req, ResponseCode::Success).with_body(to_rocketmq_json(&out, false).into_bytes()))
}

async fn unlock_batch(ctx: Arc<BrokerContext>, _conn: Connection, req: RemotingCommand) -> Reply {
    let body = match parse_body(&req) {
        Ok(b) => b,
        Err(resp) => return Some(*resp),
    };
    let released = ctx.locks.lock().unlock_batch(&body.consumer_group, &body.mq_set, &body.client_id);
    tracing::debug!(group = %body.consumer_group, client = %body.client_id, released, "unlock batch");
    Some(response(&req, ResponseCode::Success))
}
