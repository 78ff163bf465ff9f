//! The transaction check service: every `transactionCheckInterval` it
//! walks the half queue from its saved offset, skips half messages an op
//! message marks done, and for the rest that are older than their immunity
//! (`transactionTimeOut`, 6 s) appends a fresh copy of the half message and
//! sends CHECK_TRANSACTION_STATE about the copy (oneway) to a live channel
//! of the message's producer group (`PGROUP`). The producer answers with
//! END_TRANSACTION (`fromTransactionCheck=true`). After
//! `transactionCheckMax` checks the half message is moved to
//! `TRANS_CHECK_MAX_TIME_TOPIC` and given up on.
//!
//! Why a copy: the scan's offset must move past a checked message, and the
//! copy (at the end of the queue, with its check count) is what the next
//! round finds if the producer never answers. The rules are in
//! [`super::check`]; this is the loop.

use std::sync::Arc;
use std::time::Duration;

use booster_remoting::header::CommandHeader;
use booster_remoting::{RemotingCommand, request};
use booster_store::consume_queue::ConsumeQueue;
use tokio::task::JoinHandle;

use super::check::{self, HalfDecision, HalfFacts, OpIndex};
use super::{REMOVE_TAG, SYSTEM_GROUP, bridge};
use crate::context::BrokerContext;
use crate::processor::send::message::{
    PROPERTY_CHECK_IMMUNITY_TIME_IN_SECONDS, PROPERTY_PRODUCER_GROUP, PROPERTY_TAGS,
    PROPERTY_TRANSACTION_CHECK_TIMES,
};
use crate::stored::StoredMessage;
use crate::topic::system;
use crate::util::now_ms;

/// Half messages examined per queue per round.
const MAX_HALF_PER_ROUND: i64 = 10_000;
/// Op messages read per queue per round; beyond this, half messages they
/// resolve may be checked once more (harmless: the producer answers again).
const MAX_OPS_PER_ROUND: i64 = 200_000;
/// Op entries read per batch.
const OP_BATCH: usize = 256;

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RoundReport {
    /// Half messages found resolved by an op message.
    pub resolved: usize,
    /// Checks sent to producers.
    pub checked: usize,
    /// Checks due but with no live producer channel to send to.
    pub no_channel: usize,
    pub discarded: usize,
}

/// Spawns the periodic check.
pub fn spawn(ctx: &Arc<BrokerContext>) -> JoinHandle<()> {
    let ctx = Arc::clone(ctx);
    tokio::spawn(async move {
        let period = Duration::from_millis(ctx.config.transaction_check_interval.max(10));
        let mut shutdown = ctx.shutdown_signal();
        loop {
            tokio::select! {
                _ = tokio::time::sleep(period) => {}
                _ = shutdown.changed() => return,
            }
            if *shutdown.borrow() {
                return;
            }
            let report = check_round(&ctx).await;
            if report != RoundReport::default() {
                tracing::debug!(?report, "transaction check round");
            }
        }
    })
}

/// One pass over every half queue.
pub async fn check_round(ctx: &BrokerContext) -> RoundReport {
    let mut report = RoundReport::default();
    let queues = ctx.topics.select(system::TRANS_HALF_TOPIC).map_or(1, |t| t.read_queue_nums.max(1));
    for queue_id in 0..queues {
        if ctx.is_shutting_down() {
            break;
        }
        check_queue(ctx, queue_id, &mut report).await;
    }
    report
}

async fn check_queue(ctx: &BrokerContext, queue_id: i32, report: &mut RoundReport) {
    let Some(half_cq) = ctx.store.consume_queue(system::TRANS_HALF_TOPIC, queue_id) else { return };
    let (half_min, half_end) = (half_cq.min_offset(), half_cq.max_offset());
    let start = saved_offset(ctx, system::TRANS_HALF_TOPIC, queue_id, half_min, half_end);
    if start >= half_end {
        return;
    }
    let op_cq = ctx.store.consume_queue(system::TRANS_OP_HALF_TOPIC, queue_id);
    let (op_min, op_end) = op_cq.as_ref().map_or((0, 0), |q| (q.min_offset(), q.max_offset()));
    let op_start = saved_offset(ctx, system::TRANS_OP_HALF_TOPIC, queue_id, op_min, op_end);
    let ops = op_cq.map(|q| read_ops(ctx, &q, op_start, op_end)).unwrap_or_default();

    let timeout_ms = i64::try_from(ctx.config.transaction_time_out).unwrap_or(i64::MAX);
    let check_max = i32::try_from(ctx.config.transaction_check_max).unwrap_or(i32::MAX);
    let reserved_ms = i64::from(ctx.store_config.file_reserved_time).saturating_mul(3_600_000);
    let mut offset = start;
    while offset < half_end && offset - start < MAX_HALF_PER_ROUND && !ctx.is_shutting_down() {
        if ops.is_resolved(offset) {
            report.resolved += 1;
            offset += 1;
            continue;
        }
        let half = half_cq.get(offset).and_then(|e| ctx.store.message_at(e.phys_offset));
        let Some(half) = half.and_then(|b| StoredMessage::decode(&b)) else {
            offset += 1; // a hole or a deleted record: nothing to resolve
            continue;
        };
        let facts = HalfFacts {
            resolved: false,
            born_ms: half.born_timestamp,
            immunity_ms: check::immunity_ms(
                half.property(PROPERTY_CHECK_IMMUNITY_TIME_IN_SECONDS).as_deref(),
                timeout_ms,
            ),
            checked_times: check::check_times(half.property(PROPERTY_TRANSACTION_CHECK_TIMES).as_deref()),
            stored_ms: half.store_timestamp,
        };
        match check::decide(&facts, now_ms(), check_max, reserved_ms) {
            HalfDecision::Resolved => report.resolved += 1,
            HalfDecision::NotYet => break,
            HalfDecision::Discard => {
                discard(ctx, &half).await;
                report.discarded += 1;
            }
            HalfDecision::Check { times } => match put_back(ctx, &half, times).await {
                Some(copy) => {
                    if send_check(ctx, &copy).await {
                        report.checked += 1;
                    } else {
                        report.no_channel += 1;
                    }
                }
                None => break, // retried next round
            },
        }
        offset += 1;
    }
    ctx.offsets.commit(SYSTEM_GROUP, system::TRANS_HALF_TOPIC, queue_id, offset);
    let op_next = ops.next_op_offset(op_start, op_end, offset);
    ctx.offsets.commit(SYSTEM_GROUP, system::TRANS_OP_HALF_TOPIC, queue_id, op_next);
}

/// The scan's saved position, clamped into the queue's range.
fn saved_offset(ctx: &BrokerContext, topic: &str, queue_id: i32, min: i64, end: i64) -> i64 {
    ctx.offsets.query(SYSTEM_GROUP, topic, queue_id).unwrap_or(min).clamp(min, end.max(min))
}

/// Reads op messages from `from` to `end` (bounded) into an index.
fn read_ops(ctx: &BrokerContext, cq: &ConsumeQueue, from: i64, end: i64) -> OpIndex {
    let mut index = OpIndex::default();
    let stop = end.min(from.saturating_add(MAX_OPS_PER_ROUND));
    if stop < end {
        tracing::warn!(from, end, "too many transaction op messages for one round; reading the first part");
    }
    let mut next = from;
    while next < stop {
        let entries = cq.entries(next, OP_BATCH.min((stop - next) as usize));
        if entries.is_empty() {
            break;
        }
        for (op_offset, entry) in entries {
            next = op_offset + 1;
            let Some(op) = ctx.store.message_at(entry.phys_offset).and_then(|b| StoredMessage::decode(&b))
            else {
                continue;
            };
            let marks = if op.property(PROPERTY_TAGS).as_deref() == Some(REMOVE_TAG) {
                check::op_offsets(&op.body)
            } else {
                tracing::warn!(op_offset, "op message without the remove tag ignored");
                Vec::new()
            };
            index.add(op_offset, marks);
        }
    }
    index
}

/// Appends the check copy; returns it as stored, `None` if the put failed.
async fn put_back(ctx: &BrokerContext, half: &StoredMessage, times: i32) -> Option<StoredMessage> {
    let copy = bridge::put_back_message(half, times);
    let outcome = ctx.put.put(std::slice::from_ref(&copy), false).await;
    let stored = outcome.append.filter(|_| outcome.status.is_stored());
    match stored.and_then(|a| ctx.store.message_at(a.wrote_offset)).and_then(|b| StoredMessage::decode(&b)) {
        Some(copy) => Some(copy),
        None => {
            tracing::warn!(half_offset = half.queue_offset, status = ?outcome.status, "half message not put back; check postponed");
            None
        }
    }
}

/// Sends CHECK_TRANSACTION_STATE about `half` to a live channel of its
/// producer group; false if there is none (logged, as in RocketMQ).
async fn send_check(ctx: &BrokerContext, half: &StoredMessage) -> bool {
    let group = half.property(PROPERTY_PRODUCER_GROUP).unwrap_or_default();
    let channel = ctx.producers.lock().channels(&group).into_iter().find(|c| !c.is_closed());
    let Some(conn) = channel else {
        tracing::warn!(group, "check transaction failed: no live producer channel");
        return false;
    };
    let body = match bridge::check_body(half) {
        Ok(body) => body,
        Err(e) => {
            tracing::error!(error = %e, half_offset = half.queue_offset, "cannot build the check body");
            return false;
        }
    };
    let header = bridge::check_header(half, &ctx.config.broker_name);
    let cmd =
        RemotingCommand::request(request::CHECK_TRANSACTION_STATE).with_ext(header.encode()).with_body(body);
    match conn.oneway(cmd).await {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(group, error = %e, "check transaction not sent");
            false
        }
    }
}

/// Moves a half message checked too often to `TRANS_CHECK_MAX_TIME_TOPIC`.
async fn discard(ctx: &BrokerContext, half: &StoredMessage) {
    let topic = booster_model::TopicConfig {
        read_queue_nums: 1,
        write_queue_nums: 1,
        ..booster_model::TopicConfig::new(system::TRANS_CHECK_MAX_TIME_TOPIC)
    };
    if let Err(e) = ctx.topics.create_if_absent(topic, now_ms()) {
        tracing::error!(error = %e, "TRANS_CHECK_MAX_TIME_TOPIC not persisted");
    }
    let msg = bridge::discard_message(half);
    let outcome = ctx.put.put(std::slice::from_ref(&msg), false).await;
    tracing::warn!(
        half_offset = half.queue_offset,
        group = half.property(PROPERTY_PRODUCER_GROUP).unwrap_or_default(),
        stored = outcome.status.is_stored(),
        "half message checked too often; discarded to TRANS_CHECK_MAX_TIME_TOPIC"
    );
}
