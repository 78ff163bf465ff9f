//! The delay-level schedule service (RocketMQ's `ScheduleMessageService`,
//! spec §6.3): delayed messages wait in `SCHEDULE_TOPIC_XXXX` queue
//! `level − 1`, whose tagsCode is the deliver time; one task per level walks
//! its queue from the offset saved in `delayOffset.json` and, when an entry
//! is due, appends the message to its real topic and queue.
//!
//! Entries of one level are in deliver-time order (same delay, increasing
//! store time), so a task only ever waits for its head entry. The rules are
//! pure ([`deliver`]); this module is the loop. Runs on masters only.

pub mod deliver;
pub mod offsets;

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;

pub use deliver::{Delivery, Due};
pub use offsets::DelayOffsetManager;

use crate::context::BrokerContext;
use crate::put::PutStatus;
use crate::stored::StoredMessage;
use crate::topic::system;
use crate::util::now_ms;

/// Queue entries examined per step (bounds the work between checks for
/// shutdown).
const ENTRIES_PER_STEP: usize = 64;
/// Poll period of an idle level, and the back-off after a failed put
/// (RocketMQ's `DELAY_FOR_A_WHILE`).
const IDLE: Duration = Duration::from_millis(100);

/// `SCHEDULE_TOPIC_XXXX` queue of a delay level.
pub fn queue_of_level(level: i32) -> i32 {
    level - 1
}

/// Spawns one delivery task per configured level and the task that
/// persists `delayOffset.json`.
pub fn spawn(ctx: &Arc<BrokerContext>) -> Vec<JoinHandle<()>> {
    // The store refuses to open with an unparsable `messageDelayLevel`, so
    // `None` (no levels) does not happen in a running broker.
    let Some(levels) = ctx.delay_levels.clone() else { return Vec::new() };
    let mut tasks: Vec<JoinHandle<()>> = (1..=levels.max_level())
        .filter_map(|level| Some((level, levels.delay_ms(level)?)))
        .map(|(level, delay_ms)| tokio::spawn(run_level(Arc::clone(ctx), level, delay_ms)))
        .collect();
    tasks.push(tokio::spawn(persist_periodically(Arc::clone(ctx))));
    tasks
}

/// Loads `delayOffset.json` and clamps it into the queues' ranges.
pub fn load_offsets(ctx: &BrokerContext) -> crate::Result<()> {
    ctx.delay_offsets.load()?;
    ctx.delay_offsets.clamp(|level| {
        let q = queue_of_level(level);
        (
            ctx.store.min_offset_in_queue(system::SCHEDULE_TOPIC, q),
            ctx.store.max_offset_in_queue(system::SCHEDULE_TOPIC, q),
        )
    });
    Ok(())
}

async fn run_level(ctx: Arc<BrokerContext>, level: i32, delay_ms: i64) {
    let mut shutdown = ctx.shutdown_signal();
    loop {
        let wait = step(&ctx, level, delay_ms).await;
        if wait.is_zero() {
            tokio::task::yield_now().await;
        } else {
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = shutdown.changed() => {}
            }
        }
        if *shutdown.borrow() {
            return;
        }
    }
}

/// Delivers what is due at the head of `level`'s queue; returns how long
/// to wait before the next step (zero: more work is ready).
async fn step(ctx: &BrokerContext, level: i32, delay_ms: i64) -> Duration {
    let Some(cq) = ctx.store.consume_queue(system::SCHEDULE_TOPIC, queue_of_level(level)) else {
        return IDLE;
    };
    let (min, max) = (cq.min_offset(), cq.max_offset());
    let mut offset = ctx.delay_offsets.get(level).clamp(min, max.max(min));
    if offset >= max {
        return IDLE;
    }
    let entries = cq.entries(offset, ENTRIES_PER_STEP);
    if entries.is_empty() {
        // Only holes (fillers) in this window: step over them.
        ctx.delay_offsets.set(level, (offset + ENTRIES_PER_STEP as i64).min(max));
        return Duration::ZERO;
    }
    for (queue_offset, entry) in entries {
        if let Due::InMs(ms) = deliver::due(now_ms(), entry.tags_code, delay_ms) {
            ctx.delay_offsets.set(level, queue_offset);
            return Duration::from_millis(ms as u64).min(IDLE * 10);
        }
        match ctx.store.message_at(entry.phys_offset).and_then(|b| StoredMessage::decode(&b)) {
            None => {
                tracing::warn!(level, queue_offset, "delayed message no longer in the CommitLog; skipped")
            }
            Some(stored) => {
                if !deliver_one(ctx, level, queue_offset, &stored).await {
                    ctx.delay_offsets.set(level, queue_offset);
                    return IDLE;
                }
            }
        }
        offset = queue_offset + 1;
        ctx.delay_offsets.set(level, offset);
    }
    Duration::ZERO
}

/// Puts one due message; false if the put should be retried later.
async fn deliver_one(ctx: &BrokerContext, level: i32, queue_offset: i64, stored: &StoredMessage) -> bool {
    let msg = match deliver::delivery(stored) {
        Delivery::Put(msg) => msg,
        Delivery::Discard(why) => {
            tracing::error!(level, queue_offset, reason = %why, "delayed message discarded");
            return true;
        }
    };
    let outcome = ctx.put.put(std::slice::from_ref(&msg), false).await;
    match outcome.status {
        s if s.is_stored() => {
            ctx.stats.add_put(1);
            true
        }
        // The message itself is unacceptable; retrying would block the level forever.
        PutStatus::MessageIllegal | PutStatus::PropertiesSizeExceeded => {
            tracing::error!(level, queue_offset, topic = %msg.topic, status = ?outcome.status, "delayed message cannot be stored; discarded");
            true
        }
        status => {
            tracing::warn!(
                level,
                queue_offset,
                ?status,
                detail = outcome.detail.as_deref().unwrap_or(""),
                "delayed delivery failed; will retry"
            );
            false
        }
    }
}

/// Persists `delayOffset.json` every `flushDelayOffsetInterval`.
async fn persist_periodically(ctx: Arc<BrokerContext>) {
    let period = Duration::from_millis(ctx.store_config.flush_delay_offset_interval.max(100));
    let mut shutdown = ctx.shutdown_signal();
    loop {
        tokio::select! {
            _ = tokio::time::sleep(period) => {}
            _ = shutdown.changed() => return,
        }
        let c = Arc::clone(&ctx);
        let result = tokio::task::spawn_blocking(move || c.delay_offsets.persist(false, now_ms())).await;
        if let Ok(Err(e)) = result {
            tracing::error!(error = %e, "delay offsets not persisted");
        }
    }
}
