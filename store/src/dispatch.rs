//! Dispatch (spec/store.md §4.2): turns CommitLog records into ConsumeQueue
//! entries and index entries, from a reput offset forward, never past the
//! dispatch limit. The same path serves local appends, replicated bytes and
//! recovery.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use parking_lot::Mutex;
use tokio::sync::watch;

use crate::commit_log::{CommitLog, ScanEnd};
use crate::consume_queue::{ConsumeQueueStore, CqEntry};
use crate::error::Result;
use crate::index::{IndexRequest, IndexService};
use crate::record::{self, RecordView, java_string_hash};

pub const SCHEDULE_TOPIC: &str = "SCHEDULE_TOPIC_XXXX";

/// `messageDelayLevel` parsed: level *n* (1-based) delays `levels[n-1]` ms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelayLevels(Vec<i64>);

impl DelayLevels {
    /// Parses `"1s 5s 10s 30s 1m ... 2h"` (units s, m, h, d).
    pub fn parse(text: &str) -> Result<Self, String> {
        text.split_whitespace()
            .map(|level| {
                let (num, unit) = level.split_at(level.len().saturating_sub(1));
                let n: i64 = num.parse().map_err(|_| format!("bad delay level {level:?}"))?;
                let unit_ms = match unit {
                    "s" => 1_000,
                    "m" => 60_000,
                    "h" => 3_600_000,
                    "d" => 86_400_000,
                    _ => return Err(format!("bad delay level unit in {level:?}")),
                };
                Ok(n * unit_ms)
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    pub fn max_level(&self) -> i32 {
        self.0.len() as i32
    }

    /// Delay of `level`, clamped to the highest level; `None` for level ≤ 0.
    pub fn delay_ms(&self, level: i32) -> Option<i64> {
        if level <= 0 || self.0.is_empty() {
            return None;
        }
        Some(self.0[(level.min(self.max_level()) - 1) as usize])
    }
}

/// tagsCode of a record (spec §3.7).
pub fn tags_code(view: &RecordView<'_>, delay_levels: &DelayLevels) -> i64 {
    if view.topic == SCHEDULE_TOPIC.as_bytes() {
        let level = view.property("DELAY").and_then(|d| d.parse::<i32>().ok()).unwrap_or(0);
        if let Some(delay) = delay_levels.delay_ms(level) {
            return view.store_timestamp + delay;
        }
    }
    view.property("TAGS").map_or(0, |t| i64::from(java_string_hash(&t)))
}

pub struct Dispatcher {
    commit_log: Arc<CommitLog>,
    queues: Arc<ConsumeQueueStore>,
    index: Option<Arc<IndexService>>,
    delay_levels: DelayLevels,
    /// Where the next record to dispatch starts. Held while dispatching, so
    /// truncation can take it to stop the dispatcher between batches.
    reput_offset: Mutex<i64>,
    /// Offset dispatch may not pass (confirm offset); `i64::MAX` = no cap.
    limit: AtomicI64,
    /// Store timestamp of the newest dispatched record (checkpoint).
    logics_timestamp: AtomicI64,
    dispatched: watch::Sender<i64>,
}

impl std::fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher").field("reput_offset", &self.reput_offset()).finish()
    }
}

impl Dispatcher {
    pub fn new(
        commit_log: Arc<CommitLog>,
        queues: Arc<ConsumeQueueStore>,
        index: Option<Arc<IndexService>>,
        delay_levels: DelayLevels,
        reput_offset: i64,
    ) -> Self {
        Self {
            commit_log,
            queues,
            index,
            delay_levels,
            reput_offset: Mutex::new(reput_offset),
            limit: AtomicI64::new(i64::MAX),
            logics_timestamp: AtomicI64::new(0),
            dispatched: watch::channel(reput_offset).0,
        }
    }

    pub fn reput_offset(&self) -> i64 {
        *self.reput_offset.lock()
    }

    pub fn limit(&self) -> i64 {
        self.limit.load(Ordering::Acquire)
    }

    /// Caps dispatch at `limit` (the confirm offset in controller mode).
    pub fn set_limit(&self, limit: i64) {
        self.limit.store(limit, Ordering::Release);
    }

    pub fn logics_timestamp(&self) -> i64 {
        self.logics_timestamp.load(Ordering::Acquire)
    }

    /// Every change of the dispatched offset; pulls and long polls wait on it.
    pub fn subscribe(&self) -> watch::Receiver<i64> {
        self.dispatched.subscribe()
    }

    /// Dispatches every available record below `min(limit, cap)`. Returns the
    /// new reput offset.
    pub fn dispatch_available(&self, cap: i64) -> Result<i64> {
        let mut reput = self.reput_offset.lock();
        let start = *reput;
        // Like RocketMQ's doReput: below the first CommitLog file (an empty
        // store that `append_raw` started at a later file boundary, or files
        // deleted before being dispatched) the scan finds no file and would
        // stall dispatch forever; resume at the first file instead.
        let min = self.commit_log.min_offset();
        if *reput < min {
            tracing::warn!(
                reput = *reput,
                min,
                "reput offset below the CommitLog's first file; skipping to it"
            );
            *reput = min;
        }
        let limit = self.limit().min(cap).min(self.commit_log.max_offset());
        if *reput >= limit {
            if *reput != start {
                self.dispatched.send_replace(*reput);
            }
            return Ok(*reput);
        }
        let mut failure = None;
        let end = self.commit_log.scan(*reput, limit, false, true, |offset, view| {
            match self.dispatch_record(offset, view) {
                Ok(()) => true,
                Err(e) => {
                    failure = Some(e);
                    false
                }
            }
        });
        let moved = end.offset() != start;
        *reput = end.offset();
        if let ScanEnd::Invalid(offset, reason) = end {
            tracing::error!(offset, %reason, "CommitLog holds bytes that are not a record; dispatch stopped here");
        }
        if moved {
            self.dispatched.send_replace(*reput);
        }
        failure.map_or(Ok(*reput), Err)
    }

    fn dispatch_record(&self, offset: i64, view: &RecordView<'_>) -> Result<()> {
        if view.physical_offset != offset {
            tracing::warn!(
                offset,
                stored = view.physical_offset,
                "record PHYSICALOFFSET differs from its position"
            );
        }
        if record::is_consumable_sys_flag(view.sys_flag) {
            let cq = self.queues.find_or_create(&view.topic(), view.queue_id)?;
            let entry = CqEntry {
                phys_offset: offset,
                size: view.total_size,
                tags_code: tags_code(view, &self.delay_levels),
            };
            cq.put(view.queue_offset, entry)?;
        }
        if let Some(index) = &self.index {
            let keys = view.property("KEYS");
            let uniq = view.property("UNIQ_KEY");
            index.build(&IndexRequest {
                topic: &view.topic(),
                keys: keys.as_deref(),
                uniq_key: uniq.as_deref(),
                phys_offset: offset,
                store_timestamp: view.store_timestamp,
                sys_flag: view.sys_flag,
            })?;
        }
        self.logics_timestamp.store(view.store_timestamp, Ordering::Release);
        Ok(())
    }

    /// Runs `f` with the dispatcher stopped, then restarts it at
    /// `min(old reput, restart_at)`.
    pub fn paused<T>(&self, restart_at: i64, f: impl FnOnce() -> Result<T>) -> Result<T> {
        let mut reput = self.reput_offset.lock();
        let out = f()?;
        *reput = (*reput).min(restart_at);
        self.dispatched.send_replace(*reput);
        Ok(out)
    }

    /// Moves the reput offset (a slave starting from the master's last file).
    pub fn reset(&self, reput_offset: i64) {
        *self.reput_offset.lock() = reput_offset;
        self.dispatched.send_replace(reput_offset);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_levels_parse_and_clamp() {
        let d = DelayLevels::parse("1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h").unwrap();
        assert_eq!(d.max_level(), 18);
        assert_eq!(d.delay_ms(1), Some(1_000));
        assert_eq!(d.delay_ms(5), Some(60_000));
        assert_eq!(d.delay_ms(99), Some(7_200_000));
        assert_eq!(d.delay_ms(0), None);
        assert_eq!(DelayLevels::parse("1d").unwrap().delay_ms(1), Some(86_400_000));
        assert!(DelayLevels::parse("1x").is_err());
        assert!(DelayLevels::parse("s").is_err());
    }
}
