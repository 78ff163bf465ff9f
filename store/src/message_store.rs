//! `MessageStore`: the CommitLog, ConsumeQueues, index and checkpoint wired
//! together with their background services — what the broker and the HA
//! engine use.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use booster_conf::{FlushDiskType, MessageStoreConfig};
use bytes::Bytes;
use parking_lot::Mutex;
use tokio::sync::watch;

use crate::checkpoint::StoreCheckpoint;
use crate::commit_log::{AppendResult, CommitLog, topic_queue_key};
use crate::consume_queue::{ConsumeQueue, ConsumeQueueStore};
use crate::dispatch::{DelayLevels, Dispatcher};
use crate::error::{IoContext, Result, StoreError};
use crate::index::IndexService;
use crate::mapped_file::WriteMode;
use crate::mapped_file_queue::MappedFileQueue;
use crate::record::{self, EncodeLimits, MessageToStore, RecordCheck};
use crate::recovery::{self, RecoveryInput};
use crate::retention::Retention;
use crate::services::{Every, Signal, spawn_loop};

/// ConsumeQueue bytes one read examines at least (RocketMQ's
/// maxFilterMessageSize: 16 000 bytes = 800 entries), so a filter that
/// rejects everything still returns promptly.
const MIN_ENTRIES_PER_READ: usize = 16_000 / crate::consume_queue::CQ_UNIT;

/// How a put ended (spec/remoting.md §3.1 maps these to response codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutMessageStatus {
    PutOk,
    FlushDiskTimeout,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutResult {
    pub status: PutMessageStatus,
    pub append: AppendResult,
}

/// RocketMQ's GetMessageStatus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GetMessageStatus {
    Found,
    NoMatchedMessage,
    MessageWasRemoving,
    OffsetFoundNull,
    OffsetOverflowBadly,
    OffsetOverflowOne,
    OffsetTooSmall,
    NoMatchedLogicQueue,
    NoMessageInQueue,
}

#[derive(Debug, Clone)]
pub struct GetMessageResult {
    pub status: GetMessageStatus,
    /// Raw records, zero-copy slices of the CommitLog.
    pub messages: Vec<Bytes>,
    pub next_begin_offset: i64,
    pub min_offset: i64,
    pub max_offset: i64,
}

impl GetMessageResult {
    pub fn total_bytes(&self) -> usize {
        self.messages.iter().map(Bytes::len).sum()
    }
}

/// The parts of the store its background services share. Services hold this,
/// never the `MessageStore` handle, so dropping the last handle shuts the
/// store down synchronously on the caller's thread.
pub struct StoreCore {
    config: MessageStoreConfig,
    commit_log: Arc<CommitLog>,
    queues: Arc<ConsumeQueueStore>,
    index: Option<Arc<IndexService>>,
    checkpoint: Arc<StoreCheckpoint>,
    dispatcher: Arc<Dispatcher>,
    retention: Arc<Retention>,
    flushed: Arc<watch::Sender<i64>>,
    flush_signal: Arc<Signal>,
    dispatch_signal: Arc<Signal>,
    housekeeping_signal: Arc<Signal>,
    warm_signal: Arc<Signal>,
    shut_down: AtomicBool,
}

pub struct MessageStore {
    core: Arc<StoreCore>,
    threads: Mutex<Vec<JoinHandle<()>>>,
    lock: Mutex<Option<File>>,
}

impl std::ops::Deref for MessageStore {
    type Target = StoreCore;

    fn deref(&self) -> &StoreCore {
        &self.core
    }
}

impl StoreCore {
    pub(crate) fn flush_commit_log(&self, least_pages: usize) -> Result<()> {
        let timestamp = self.commit_log.last_store_timestamp();
        let flushed = self.commit_log.files().flush(least_pages)?;
        if flushed >= self.commit_log.max_offset() && timestamp > 0 {
            self.checkpoint.update(|c| c.physic_msg_timestamp = timestamp);
        }
        if flushed > *self.flushed.borrow() {
            self.flushed.send_replace(flushed);
            if self.config.flush_disk_type == FlushDiskType::SyncFlush {
                self.dispatch_signal.kick();
            }
        }
        Ok(())
    }

    /// Flushes every ConsumeQueue and the index, then records how far they are durable.
    pub(crate) fn flush_consume_queues(&self, least_pages: usize) -> Result<()> {
        let logics = self.dispatcher.logics_timestamp();
        self.queues.flush(least_pages)?;
        let index_ts = match &self.index {
            Some(index) => index.flush()?,
            None => None,
        };
        self.checkpoint.update(|c| {
            if logics > 0 {
                c.logics_msg_timestamp = logics;
            }
            if let Some(ts) = index_ts {
                c.index_msg_timestamp = ts;
            }
        });
        Ok(())
    }

    /// SYNC_FLUSH dispatches only flushed bytes; otherwise the write position.
    pub(crate) fn dispatch_cap(&self) -> i64 {
        if self.config.flush_disk_type == FlushDiskType::SyncFlush && !self.config.read_un_committed {
            *self.flushed.borrow()
        } else {
            i64::MAX
        }
    }

    /// Deletes expired CommitLog files and what pointed into them (spec §10).
    pub fn clean_expired_files(&self, manual: bool) -> Result<usize> {
        self.retention.run(&self.commit_log, &self.queues, self.index.as_deref(), manual)
    }
}

impl std::fmt::Debug for MessageStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessageStore").field("root", &self.config.store_path_root_dir).finish()
    }
}

impl MessageStore {
    /// Opens (creating if needed) and recovers the store, then starts its
    /// services. Everything recovered is dispatched: a standalone store has
    /// nobody else to confirm its records.
    pub fn open(config: MessageStoreConfig) -> Result<Arc<Self>> {
        Self::open_as(config, false)
    }

    /// [`MessageStore::open`] for a store that takes part in replication:
    /// dispatch resumes capped at the checkpoint's confirm offset (spec/store.md
    /// §8 step 8, spec/ha.md §9.3), so records a crash left past what was
    /// confirmed stay invisible until the HA layer moves the cap
    /// ([`MessageStore::set_confirm_offset`]) or lifts it on becoming master.
    pub fn open_replica(config: MessageStoreConfig) -> Result<Arc<Self>> {
        Self::open_as(config, true)
    }

    fn open_as(config: MessageStoreConfig, replica: bool) -> Result<Arc<Self>> {
        let root = config.store_path_root_dir.clone();
        fs::create_dir_all(&root).ctx("create dir", &root)?;
        let lock = take_lock(&config)?;
        let delay_levels = DelayLevels::parse(&config.message_delay_level)
            .map_err(|reason| StoreError::BadMetadata { path: "messageDelayLevel".into(), reason })?;
        let abort_path = config.abort_path();
        let last_exit_ok = !abort_path.exists();

        let limits = EncodeLimits {
            max_message_size: config.max_message_size as usize,
            auto_message_version_on_topic_len: config.auto_message_version_on_topic_len,
        };
        let cl_files = MappedFileQueue::load_with_mode(
            &config.commit_log_dir(),
            config.mapped_file_size_commit_log as usize,
            commit_log_write_mode(&config),
        )?;
        let commit_log = Arc::new(CommitLog::new(cl_files, limits));
        let queues = Arc::new(ConsumeQueueStore::load(
            &config.consume_queue_dir(),
            config.consume_queue_file_size() as usize,
        )?);
        let checkpoint = Arc::new(StoreCheckpoint::open(&config.checkpoint_path())?);
        let index = if config.message_index_enable {
            let index =
                IndexService::open(&config.index_dir(), config.max_hash_slot_num, config.max_index_num)?;
            if !last_exit_ok {
                index.drop_newer_than(checkpoint.get().index_msg_timestamp)?;
            }
            Some(Arc::new(index))
        } else {
            None
        };

        let recovered = recovery::recover(RecoveryInput {
            commit_log: &commit_log,
            queues: &queues,
            checkpoint: checkpoint.get(),
            last_exit_ok,
            check_crc: config.check_crc_on_recover,
            index_safe: config.message_index_enable && config.message_index_safe,
        })?;
        write_abort_file(&abort_path)?;

        let dispatcher = Arc::new(Dispatcher::new(
            Arc::clone(&commit_log),
            Arc::clone(&queues),
            index.clone(),
            delay_levels,
            recovered.reput_offset,
        ));
        if replica {
            let confirm = recovery::resume_confirm_offset(
                checkpoint.get().confirm_phy_offset,
                commit_log.min_offset(),
                recovered.process_offset,
            );
            checkpoint.update(|c| c.confirm_phy_offset = confirm);
            dispatcher.set_limit(dispatch_limit(&config, confirm));
            tracing::info!(confirm, max = recovered.process_offset, "dispatch capped at the confirm offset");
        }
        // Catch up before serving, so reads after open see every recovered
        // (and, for a replica, confirmed) message.
        dispatcher.dispatch_available(i64::MAX)?;

        let retention = Arc::new(Retention::new(&config));
        let core = Arc::new(StoreCore {
            flushed: Arc::new(watch::channel(commit_log.flushed_offset()).0),
            config,
            commit_log,
            queues,
            index,
            checkpoint,
            dispatcher,
            retention,
            flush_signal: Arc::default(),
            dispatch_signal: Arc::default(),
            housekeeping_signal: Arc::default(),
            warm_signal: Arc::default(),
            shut_down: AtomicBool::new(false),
        });
        let store = Arc::new(Self { core, threads: Mutex::new(Vec::new()), lock: Mutex::new(Some(lock)) });
        store.start_services()?;
        Ok(store)
    }

    fn start_services(&self) -> Result<()> {
        let spawn_err = |e| StoreError::Io {
            op: "spawn thread",
            path: self.config.store_path_root_dir.clone(),
            source: e,
        };
        let mut threads = self.threads.lock();

        let s = Arc::clone(&self.core);
        let interval = match self.config.flush_disk_type {
            FlushDiskType::SyncFlush => Duration::from_millis(10),
            FlushDiskType::AsyncFlush => Duration::from_millis(self.config.flush_interval_commit_log.max(1)),
        };
        let mut thorough =
            Every::new(Duration::from_millis(self.config.flush_commit_log_thorough_interval), Instant::now());
        threads.push(
            spawn_loop("booster-flush", Arc::clone(&self.flush_signal), interval, move || {
                let least = match s.config.flush_disk_type {
                    FlushDiskType::SyncFlush => 0,
                    FlushDiskType::AsyncFlush if thorough.due(Instant::now()) => 0,
                    FlushDiskType::AsyncFlush => s.config.flush_commit_log_least_pages as usize,
                };
                s.flush_commit_log(least)
            })
            .map_err(spawn_err)?,
        );

        let s = Arc::clone(&self.core);
        threads.push(
            spawn_loop(
                "booster-warm",
                Arc::clone(&self.warm_signal),
                Duration::from_millis(100),
                move || {
                    s.commit_log.prefault_ahead();
                    Ok(())
                },
            )
            .map_err(spawn_err)?,
        );

        let s = Arc::clone(&self.core);
        threads.push(
            spawn_loop(
                "booster-dispatch",
                Arc::clone(&self.dispatch_signal),
                // Polled like RocketMQ's ReputMessageService: waking it from
                // every put costs a futex call and a context switch per put.
                Duration::from_millis(1),
                move || s.dispatcher.dispatch_available(s.dispatch_cap()).map(|_| ()),
            )
            .map_err(spawn_err)?,
        );

        let s = Arc::clone(&self.core);
        let now = Instant::now();
        let mut cq_flush = Every::new(Duration::from_millis(self.config.flush_interval_consume_queue), now);
        let mut cq_thorough =
            Every::new(Duration::from_millis(self.config.flush_consume_queue_thorough_interval), now);
        let mut clean = Every::new(Duration::from_millis(self.config.clean_resource_interval), now);
        let mut clean_start = Every::new(Duration::from_secs(60), now);
        let mut cleaning = false;
        threads.push(
            spawn_loop(
                "booster-housekeeping",
                Arc::clone(&self.housekeeping_signal),
                Duration::from_secs(1),
                move || {
                    let now = Instant::now();
                    if cq_thorough.due(now) {
                        s.flush_consume_queues(0)?;
                    } else if cq_flush.due(now) {
                        s.queues.flush(s.config.flush_consume_queue_least_pages as usize)?;
                    }
                    s.checkpoint.flush()?;
                    cleaning |= clean_start.due(now);
                    if cleaning && clean.due(now) {
                        s.clean_expired_files(false)?;
                    }
                    Ok(())
                },
            )
            .map_err(spawn_err)?,
        );
        Ok(())
    }

    pub fn config(&self) -> &MessageStoreConfig {
        &self.config
    }

    pub fn commit_log(&self) -> &Arc<CommitLog> {
        &self.commit_log
    }

    fn check_writable(&self) -> Result<()> {
        if self.shut_down.load(Ordering::Acquire) {
            return Err(StoreError::ShuttingDown);
        }
        self.retention.check_writable()
    }

    /// Appends one message or a batch, then waits for the flush SYNC_FLUSH
    /// requires (up to `syncFlushTimeout`). Waiting holds no lock.
    pub async fn put(&self, msgs: &[MessageToStore], wait_store_msg_ok: bool) -> Result<PutResult> {
        let append = self.append(msgs)?;
        let status = if self.wait_put_flushed(append.end_offset(), wait_store_msg_ok).await {
            PutMessageStatus::PutOk
        } else {
            PutMessageStatus::FlushDiskTimeout
        };
        Ok(PutResult { status, append })
    }

    /// The flush a put ending at `end` needs: under SYNC_FLUSH (unless the
    /// producer set WAIT=false) until the group commit covers it, at most
    /// `syncFlushTimeout`. False means FLUSH_DISK_TIMEOUT.
    pub async fn wait_put_flushed(&self, end: i64, wait_store_msg_ok: bool) -> bool {
        if self.config.flush_disk_type != FlushDiskType::SyncFlush || !wait_store_msg_ok {
            return true;
        }
        self.wait_flushed(end, Duration::from_millis(self.config.sync_flush_timeout)).await
    }

    /// The append alone: stored in memory, visible to the dispatcher.
    pub fn append(&self, msgs: &[MessageToStore]) -> Result<AppendResult> {
        self.check_writable()?;
        let result = self.commit_log.append(msgs);
        if let Err(StoreError::Io { .. }) = &result {
            metrics::counter!("booster_store_append_errors_total").increment(1);
        }
        let result = result?;
        metrics::counter!("booster_store_put_messages_total").increment(result.msg_num as u64);
        metrics::counter!("booster_store_put_bytes_total").increment(result.wrote_bytes as u64);
        self.after_append();
        Ok(result)
    }

    fn after_append(&self) {
        match self.config.flush_disk_type {
            FlushDiskType::SyncFlush => self.flush_signal.kick(),
            FlushDiskType::AsyncFlush if !self.config.flush_commit_log_timed => self.flush_signal.kick(),
            FlushDiskType::AsyncFlush => {}
        }
        if self.commit_log.needs_prefault() {
            self.warm_signal.kick();
        }
    }

    /// Waits until the CommitLog is on disk past `offset`; false on timeout.
    pub async fn wait_flushed(&self, offset: i64, timeout: Duration) -> bool {
        let mut rx = self.flushed.subscribe();
        self.flush_signal.kick();
        matches!(tokio::time::timeout(timeout, rx.wait_for(|f| *f >= offset)).await, Ok(Ok(_)))
    }

    /// Every change of the flushed offset.
    pub fn subscribe_flushed(&self) -> watch::Receiver<i64> {
        self.flushed.subscribe()
    }

    /// Every change of the dispatched offset (wakes long polls).
    pub fn subscribe_dispatched(&self) -> watch::Receiver<i64> {
        self.dispatcher.subscribe()
    }

    /// Appends replicated bytes at exactly `offset` (slaves).
    pub fn append_raw(&self, offset: i64, data: &[u8]) -> Result<()> {
        self.check_writable()?;
        self.commit_log.append_raw(offset, data)?;
        self.after_append();
        Ok(())
    }

    /// Slave truncation (spec/ha.md §6.2): with the dispatcher stopped, drop
    /// ConsumeQueue entries and CommitLog bytes from `offset` on, durably.
    pub fn truncate(&self, offset: i64) -> Result<()> {
        if offset >= self.commit_log.max_offset() {
            return Ok(());
        }
        if !self.commit_log.is_record_boundary(offset) {
            return Err(StoreError::NotOnRecordBoundary(offset));
        }
        self.cut(offset)
    }

    /// The body of [`MessageStore::truncate`], for callers that already know
    /// `offset` is where the kept records end.
    fn cut(&self, offset: i64) -> Result<()> {
        // Read before pausing: the dispatcher only moves forward meanwhile,
        // so this is at or below the reput offset `paused` stops it at.
        let undispatched_from = self.dispatcher.reput_offset().max(self.commit_log.min_offset());
        self.dispatcher.paused(offset, || {
            self.queues.truncate_by_phys(offset)?;
            self.commit_log.truncate(offset)?;
            self.checkpoint.update(|c| c.confirm_phy_offset = c.confirm_phy_offset.min(offset));
            self.checkpoint.flush()?;
            // Kept records not dispatched yet (held back by the confirm
            // offset) own queue offsets no ConsumeQueue shows: count them,
            // or the next appends would reuse those offsets and their
            // entries would be dropped as duplicates (RocketMQ's
            // compensateForHA).
            self.refresh_topic_queue_table(undispatched_from.min(offset), offset);
            Ok(())
        })?;
        self.flushed.send_replace(self.commit_log.flushed_offset());
        Ok(())
    }

    /// Next queue offsets = what the ConsumeQueues hold, raised by the
    /// records in `[from, to)` that dispatch has not reached yet.
    fn refresh_topic_queue_table(&self, from: i64, to: i64) {
        let mut table = self.queues.topic_queue_table();
        self.commit_log.scan(from, to, false, true, |_, view| {
            if record::is_consumable_sys_flag(view.sys_flag) {
                let next = table.entry(topic_queue_key(&view.topic(), view.queue_id)).or_insert(0);
                *next = (*next).max(view.queue_offset + 1);
            }
            true
        });
        self.commit_log.set_topic_queue_table(table);
    }

    /// Rebuilds the `topic-queueId → next queue offset` table from the
    /// ConsumeQueues and the undispatched tail (spec/ha.md §11.1 step 9).
    /// A slave's `append_raw` never touches the table, so a slave that
    /// becomes master must call this before its first put, or new messages
    /// would reuse queue offsets the replicated records already own.
    pub fn rebuild_topic_queue_table(&self) {
        let from = self.dispatcher.reput_offset().max(self.commit_log.min_offset());
        self.refresh_topic_queue_table(from, self.commit_log.max_offset());
    }

    /// Tail trim (spec/ha.md §6.4): a slave's CommitLog may end inside a
    /// record (frames are cut at arbitrary bytes) or inside the padding
    /// after a BLANK marker. Scans the undispatched part and truncates,
    /// durably, at the end of the last whole record. Returns the cut point,
    /// `None` when the CommitLog already ends on a record boundary.
    ///
    /// Unlike [`MessageStore::truncate`] this does not require a record to
    /// start at the cut: the scan itself proves that the cut is where the
    /// last whole record ends, and there is no whole record after it.
    pub fn trim_tail(&self) -> Result<Option<i64>> {
        let max = self.commit_log.max_offset();
        let reput = self.dispatcher.reput_offset().max(self.commit_log.min_offset());
        // Dispatch jumps over a BLANK to the next file even when the padding
        // has not all arrived; then the marker is somewhere in the last
        // file, whose start is always a record boundary.
        let from = match self.commit_log.files().last_file() {
            Some(last) if reput > max => last.file_from_offset(),
            _ => reput.min(max),
        };
        let mut last_end = from;
        let end = self.commit_log.scan(from, max, false, true, |offset, view| {
            last_end = offset + i64::from(view.total_size);
            true
        });
        // A scan that ends past `max` jumped over a BLANK whose padding did
        // not fully arrive: cut at the BLANK (the last record's end), or a
        // new master would append records behind a marker that hides them.
        let point = match end.offset() {
            p if p > max => last_end,
            p => p,
        };
        if point >= max {
            return Ok(None);
        }
        self.cut(point)?;
        Ok(Some(point))
    }

    /// Empties the store and restarts it at `offset`, a file boundary
    /// (an empty slave syncing from the master's last file).
    pub fn reset_to(&self, offset: i64) -> Result<()> {
        self.dispatcher.paused(offset, || {
            self.queues.destroy_all()?;
            self.commit_log.reset_to(offset)?;
            self.commit_log.set_topic_queue_table(Default::default());
            Ok(())
        })?;
        self.dispatcher.reset(offset);
        // Like `truncate`: the flushed offset went back with the files; a
        // stale, larger value would release SYNC_FLUSH waiters (and let
        // SYNC_FLUSH dispatch) before the new bytes are on disk.
        self.flushed.send_replace(self.commit_log.flushed_offset());
        Ok(())
    }

    /// Caps what consumers can see at `offset` (the confirm offset), persisted
    /// in the checkpoint. The dispatcher is not woken: it polls every
    /// millisecond, and a wake-up per replicated frame or ack cost more.
    pub fn set_confirm_offset(&self, offset: i64) {
        self.checkpoint.update(|c| c.confirm_phy_offset = offset);
        self.dispatcher.set_limit(dispatch_limit(&self.config, offset));
    }

    /// Lifts the dispatch cap (a standalone broker dispatches everything written).
    pub fn clear_confirm_offset(&self) {
        self.dispatcher.set_limit(i64::MAX);
        self.dispatch_signal.kick();
    }

    pub fn confirm_offset(&self) -> i64 {
        self.checkpoint.get().confirm_phy_offset
    }

    pub fn min_phy_offset(&self) -> i64 {
        self.commit_log.min_offset()
    }

    pub fn max_phy_offset(&self) -> i64 {
        self.commit_log.max_offset()
    }

    pub fn dispatched_offset(&self) -> i64 {
        self.dispatcher.reput_offset()
    }

    pub fn consume_queue(&self, topic: &str, queue_id: i32) -> Option<Arc<ConsumeQueue>> {
        self.queues.find(topic, queue_id)
    }

    pub fn consume_queues(&self) -> Vec<Arc<ConsumeQueue>> {
        self.queues.all()
    }

    pub fn min_offset_in_queue(&self, topic: &str, queue_id: i32) -> i64 {
        self.consume_queue(topic, queue_id).map_or(0, |q| q.min_offset())
    }

    pub fn max_offset_in_queue(&self, topic: &str, queue_id: i32) -> i64 {
        self.consume_queue(topic, queue_id).map_or(0, |q| q.max_offset())
    }

    /// The whole record at physical `offset`, if still stored.
    pub fn message_at(&self, offset: i64) -> Option<Bytes> {
        if offset >= self.commit_log.max_offset() {
            return None;
        }
        self.commit_log.read_record(offset)
    }

    /// Store timestamp of the record a ConsumeQueue entry points at.
    fn store_timestamp_at(&self, q: &ConsumeQueue, queue_offset: i64) -> Option<i64> {
        let entry = q.get(queue_offset)?;
        let bytes = self.commit_log.read_range(entry.phys_offset, entry.size as usize)?;
        match record::check_record(&bytes, false) {
            RecordCheck::Record(v) => Some(v.store_timestamp),
            _ => None,
        }
    }

    /// Up to `max_count` messages / `max_bytes` from `offset` of a queue whose
    /// tagsCode passes `filter` (RocketMQ's getMessage).
    pub fn get_messages(
        &self,
        topic: &str,
        queue_id: i32,
        offset: i64,
        max_count: usize,
        max_bytes: usize,
        filter: &dyn Fn(i64) -> bool,
    ) -> GetMessageResult {
        let empty = |status, next, min, max| GetMessageResult {
            status,
            messages: Vec::new(),
            next_begin_offset: next,
            min_offset: min,
            max_offset: max,
        };
        let Some(q) = self.consume_queue(topic, queue_id) else {
            return empty(GetMessageStatus::NoMatchedLogicQueue, 0, 0, 0);
        };
        let (min, max) = (q.min_offset(), q.max_offset());
        if max == 0 {
            return empty(GetMessageStatus::NoMessageInQueue, 0, min, max);
        }
        if offset < min {
            return empty(GetMessageStatus::OffsetTooSmall, min, min, max);
        }
        if offset == max {
            return empty(GetMessageStatus::OffsetOverflowOne, offset, min, max);
        }
        if offset > max {
            return empty(GetMessageStatus::OffsetOverflowBadly, max, min, max);
        }
        let mut result = empty(GetMessageStatus::NoMatchedMessage, offset, min, max);
        let mut bytes = 0usize;
        let mut any_entry = false;
        let commit_log_min = self.commit_log.min_offset();
        for (qo, entry) in q.entries(offset, MIN_ENTRIES_PER_READ.max(max_count)) {
            any_entry = true;
            if result.messages.len() >= max_count
                || (bytes + entry.size as usize > max_bytes && !result.messages.is_empty())
            {
                break;
            }
            result.next_begin_offset = qo + 1;
            if entry.phys_offset < commit_log_min {
                result.status = GetMessageStatus::MessageWasRemoving;
                continue;
            }
            if !filter(entry.tags_code) {
                continue;
            }
            let Some(msg) = self.commit_log.read_range(entry.phys_offset, entry.size as usize) else {
                result.status = GetMessageStatus::MessageWasRemoving;
                continue;
            };
            bytes += msg.len();
            result.messages.push(msg);
        }
        if !result.messages.is_empty() {
            result.status = GetMessageStatus::Found;
        } else if !any_entry {
            result.status = GetMessageStatus::OffsetFoundNull;
        }
        result
    }

    /// First queue offset whose message was stored at or after `timestamp`
    /// (the max offset if none).
    pub fn offset_by_timestamp(&self, topic: &str, queue_id: i32, timestamp: i64) -> i64 {
        let Some(q) = self.consume_queue(topic, queue_id) else { return 0 };
        let (mut lo, mut hi) = (q.min_offset(), q.max_offset());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.store_timestamp_at(&q, mid) {
                Some(ts) if ts < timestamp => lo = mid + 1,
                _ => hi = mid,
            }
        }
        lo
    }

    /// Store time of the oldest message of a queue, or -1.
    pub fn earliest_message_time(&self, topic: &str, queue_id: i32) -> i64 {
        self.consume_queue(topic, queue_id)
            .and_then(|q| self.store_timestamp_at(&q, q.min_offset()))
            .unwrap_or(-1)
    }

    /// Messages of `topic` whose KEYS or UNIQ_KEY contain `key`, newest first.
    pub fn query_by_key(&self, topic: &str, key: &str, max_num: usize, begin: i64, end: i64) -> Vec<Bytes> {
        let Some(index) = &self.index else { return Vec::new() };
        let found = index.query(topic, key, max_num, begin, end);
        found
            .phys_offsets
            .into_iter()
            .filter_map(|offset| self.message_at(offset))
            .filter(|bytes| match record::check_record(bytes, false) {
                RecordCheck::Record(v) => {
                    v.topic == topic.as_bytes()
                        && (v.property("UNIQ_KEY").as_deref() == Some(key)
                            || v.property("KEYS").is_some_and(|k| k.split(' ').any(|k| k == key)))
                }
                _ => false,
            })
            .collect()
    }

    /// Stops the services, flushes everything and, if every byte was
    /// dispatched, removes the abort marker (a clean shutdown).
    pub fn shutdown(&self) -> Result<()> {
        if self.shut_down.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        for s in [&self.flush_signal, &self.dispatch_signal, &self.housekeeping_signal, &self.warm_signal] {
            s.stop();
        }
        for t in self.threads.lock().drain(..) {
            let _ = t.join();
        }
        self.dispatcher.dispatch_available(i64::MAX)?;
        self.flush_commit_log(0)?;
        self.flush_consume_queues(0)?;
        self.checkpoint.flush()?;
        if self.dispatcher.reput_offset() >= self.commit_log.max_offset() {
            fs::remove_file(self.config.abort_path()).ctx("delete", self.config.abort_path())?;
        }
        self.lock.lock().take();
        Ok(())
    }
}

impl Drop for MessageStore {
    fn drop(&mut self) {
        if let Err(e) = self.shutdown() {
            tracing::error!(error = %e, "store shutdown failed");
        }
    }
}

/// SYNC_FLUSH writes with `pwrite` so each group commit's `fdatasync` writes
/// back only the dirty pages (msync of a small range on a mapping with large
/// folios wrote ~170x the data in our benchmark); ASYNC_FLUSH copies into the
/// mapping, pre-faulted ahead of the writer, which is the fastest append.
fn commit_log_write_mode(config: &MessageStoreConfig) -> WriteMode {
    match config.flush_disk_type {
        FlushDiskType::SyncFlush => WriteMode::Pwrite,
        FlushDiskType::AsyncFlush => WriteMode::Mmap,
    }
}

/// How far dispatch may go under confirm offset `confirm`: `readUnCommitted`
/// builds ConsumeQueues past it (spec/ha.md §9.4).
fn dispatch_limit(config: &MessageStoreConfig, confirm: i64) -> i64 {
    if config.read_un_committed { i64::MAX } else { confirm }
}

/// Takes the exclusive `lock` file for the process lifetime (spec §7.3).
fn take_lock(config: &MessageStoreConfig) -> Result<File> {
    let path = config.lock_path();
    let mut file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&path)
        .ctx("open", &path)?;
    if file.try_lock().is_err() {
        return Err(StoreError::Locked(path));
    }
    file.write_all(b"lock").ctx("write", &path)?;
    Ok(file)
}

fn write_abort_file(path: &std::path::Path) -> Result<()> {
    let mut f = File::create(path).ctx("create", path)?;
    f.write_all(std::process::id().to_string().as_bytes()).ctx("write", path)?;
    f.sync_all().ctx("fsync", path)
}
