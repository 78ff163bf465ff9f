//! The CommitLog: every message of every topic, appended by one writer into
//! mapped files in RocketMQ's record format (spec/store.md §3).
//!
//! A put encodes outside the lock; the critical section only assigns the
//! queue offset, stamps offsets and time, copies bytes into the mapping and
//! publishes the new end. Slaves append the master's bytes verbatim with
//! `append_raw` (through `pwrite`: whole replicated pages need no fault or
//! zeroing), so replicas are byte-identical at equal offsets.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use parking_lot::Mutex;
use tokio::sync::watch;

use crate::error::{Result, StoreError};
use crate::mapped_file::MappedFile;
use crate::mapped_file_queue::MappedFileQueue;
use crate::record::{self, BLANK_LEN, EncodeLimits, MessageToStore, RecordCheck, RecordView};

/// How far ahead of the write position pages are faulted in.
const PREFAULT_AHEAD: i64 = 32 * 1024 * 1024;

pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// Key of the `topic-queueId → next queue offset` table.
pub fn topic_queue_key(topic: &str, queue_id: i32) -> String {
    format!("{topic}-{queue_id}")
}

/// What an append stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendResult {
    /// Physical offset of the first record.
    pub wrote_offset: i64,
    /// Bytes of all records (not counting a BLANK written before them).
    pub wrote_bytes: usize,
    /// Queue offset of the first record.
    pub queue_offset: i64,
    pub msg_num: usize,
    pub store_timestamp: i64,
    /// Offset message ids, one per record.
    pub msg_ids: Vec<String>,
}

impl AppendResult {
    /// Offset just past the last record: what flush and replication must reach.
    pub fn end_offset(&self) -> i64 {
        self.wrote_offset + self.wrote_bytes as i64
    }
}

/// How a scan over the CommitLog ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanEnd {
    /// Reached the limit, or the end of the written data.
    Limit(i64),
    /// Found bytes that are not a record at this offset.
    Invalid(i64, record::Invalid),
    /// The visitor asked to stop before the record at this offset.
    Stopped(i64),
}

impl ScanEnd {
    pub fn offset(self) -> i64 {
        match self {
            Self::Limit(o) | Self::Invalid(o, _) | Self::Stopped(o) => o,
        }
    }
}

struct Writer {
    topic_queue_table: HashMap<String, i64>,
    /// Reused to build `topic-queueId` keys without allocating per put.
    key: String,
}

impl Writer {
    fn next_offset(&mut self, topic: &str, queue_id: i32) -> i64 {
        fill_key(&mut self.key, topic, queue_id);
        self.topic_queue_table.get(self.key.as_str()).copied().unwrap_or(0)
    }

    fn set_next_offset(&mut self, topic: &str, queue_id: i32, next: i64) {
        fill_key(&mut self.key, topic, queue_id);
        match self.topic_queue_table.get_mut(self.key.as_str()) {
            Some(v) => *v = next,
            None => {
                self.topic_queue_table.insert(self.key.clone(), next);
            }
        }
    }
}

fn fill_key(buf: &mut String, topic: &str, queue_id: i32) {
    use std::fmt::Write;
    buf.clear();
    let _ = write!(buf, "{topic}-{queue_id}");
}

pub struct CommitLog {
    files: MappedFileQueue,
    writer: Mutex<Writer>,
    limits: EncodeLimits,
    /// Store timestamp of the newest record (for the checkpoint).
    last_store_timestamp: AtomicI64,
    /// Pages up to this offset are already faulted in (see `prefault_ahead`).
    prefaulted: AtomicI64,
    /// Whether the last append was a put (copied into the mapping) rather
    /// than replicated bytes (written with `pwrite`, which needs no warm-up:
    /// faulting pages in first would only add zeroing before the write).
    puts: AtomicBool,
    max_offset: watch::Sender<i64>,
}

impl std::fmt::Debug for CommitLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommitLog").field("files", &self.files).finish()
    }
}

impl CommitLog {
    pub fn new(files: MappedFileQueue, limits: EncodeLimits) -> Self {
        let max = files.max_offset();
        Self {
            files,
            writer: Mutex::new(Writer { topic_queue_table: HashMap::new(), key: String::new() }),
            limits,
            last_store_timestamp: AtomicI64::new(0),
            prefaulted: AtomicI64::new(0),
            puts: AtomicBool::new(true),
            max_offset: watch::channel(max).0,
        }
    }

    pub fn files(&self) -> &MappedFileQueue {
        &self.files
    }

    pub fn file_size(&self) -> usize {
        self.files.file_size()
    }

    pub fn min_offset(&self) -> i64 {
        self.files.min_offset().max(0)
    }

    pub fn max_offset(&self) -> i64 {
        self.files.max_offset()
    }

    pub fn flushed_offset(&self) -> i64 {
        self.files.flushed_offset()
    }

    pub fn last_store_timestamp(&self) -> i64 {
        self.last_store_timestamp.load(Ordering::Acquire)
    }

    /// Whether the writer is within `PREFAULT_AHEAD / 2` of the prefaulted
    /// pages, i.e. the warm-up service should run.
    pub fn needs_prefault(&self) -> bool {
        self.puts.load(Ordering::Relaxed)
            && self.max_offset() + PREFAULT_AHEAD / 2 > self.prefaulted.load(Ordering::Acquire)
    }

    /// Faults in the pages of the current file up to `PREFAULT_AHEAD` past
    /// the write position (RocketMQ warms mapped files for the same reason).
    pub fn prefault_ahead(&self) {
        if !self.puts.load(Ordering::Relaxed) {
            return;
        }
        let Some(file) = self.files.last_file() else { return };
        let from = file.file_from_offset();
        let start = self.prefaulted.load(Ordering::Acquire).max(from + file.wrote_position() as i64);
        let end = (self.max_offset() + PREFAULT_AHEAD).min(from + file.file_size() as i64);
        if end > start {
            file.prefault((start - from) as usize, (end - start) as usize);
            self.prefaulted.store(end, Ordering::Release);
        }
    }

    /// Published end of data; changes wake the dispatcher and HA senders.
    pub fn subscribe_max_offset(&self) -> watch::Receiver<i64> {
        self.max_offset.subscribe()
    }

    fn publish(&self) {
        self.max_offset.send_replace(self.files.max_offset());
    }

    /// Replaces the `topic-queueId → next offset` table (after recovery/truncation).
    pub fn set_topic_queue_table(&self, table: HashMap<String, i64>) {
        self.writer.lock().topic_queue_table = table;
    }

    pub fn next_queue_offset(&self, topic: &str, queue_id: i32) -> i64 {
        self.writer.lock().next_offset(topic, queue_id)
    }

    /// Appends one message, or a batch of messages of one topic-queue as
    /// consecutive records in one file (spec §3.5, §3.5a).
    pub fn append(&self, msgs: &[MessageToStore]) -> Result<AppendResult> {
        let first = msgs.first().ok_or_else(|| StoreError::MessageIllegal("empty batch".into()))?;
        if msgs.iter().any(|m| m.topic != first.topic || m.queue_id != first.queue_id) {
            return Err(StoreError::MessageIllegal("a batch must target one topic-queue".into()));
        }
        let mut encoded =
            msgs.iter().map(|m| record::encode(m, self.limits)).collect::<Result<Vec<_>, _>>()?;
        let total: usize = encoded.iter().map(|e| e.len()).sum();
        if total + BLANK_LEN > self.file_size() {
            return Err(StoreError::MessageIllegal(format!(
                "{total} bytes do not fit in one CommitLog file"
            )));
        }
        let consumable = first.is_consumable();
        set_if_changed(&self.puts, true);

        let mut writer = self.writer.lock();
        let mut file = self.files.last_or_create(0)?;
        if total + BLANK_LEN > file.remaining() {
            seal_with_blank(&file)?;
            file = self.files.last_or_create(0)?;
        }
        let store_timestamp = now_ms();
        let queue_offset = if consumable { writer.next_offset(&first.topic, first.queue_id) } else { 0 };
        let wrote_offset = file.file_from_offset() + file.wrote_position() as i64;
        let mut phys = wrote_offset;
        for (i, rec) in encoded.iter_mut().enumerate() {
            let qo = if consumable { queue_offset + i as i64 } else { 0 };
            rec.stamp(qo, phys, store_timestamp);
            phys += rec.len() as i64;
        }
        let parts: Vec<&[u8]> = encoded.iter().map(|e| e.bytes.as_slice()).collect();
        let pos = file.append_parts(&parts)?.expect("room was checked under the writer lock");
        debug_assert_eq!(file.file_from_offset() + pos as i64, wrote_offset);
        if consumable {
            writer.set_next_offset(&first.topic, first.queue_id, queue_offset + msgs.len() as i64);
        }
        self.last_store_timestamp.store(store_timestamp, Ordering::Release);
        drop(writer);
        self.publish();

        let mut msg_ids = Vec::with_capacity(msgs.len());
        let mut off = wrote_offset;
        for (m, e) in msgs.iter().zip(&encoded) {
            msg_ids.push(record::offset_msg_id(&m.store_host, off));
            off += e.len() as i64;
        }
        Ok(AppendResult {
            wrote_offset,
            wrote_bytes: total,
            queue_offset,
            msg_num: msgs.len(),
            store_timestamp,
            msg_ids,
        })
    }

    /// Appends replicated bytes at exactly `offset`, which must be the current
    /// end (or a file boundary when the CommitLog is empty: `syncFromLastFile`).
    pub fn append_raw(&self, offset: i64, mut data: &[u8]) -> Result<()> {
        set_if_changed(&self.puts, false);
        let _writer = self.writer.lock();
        let size = self.file_size() as i64;
        if self.files.is_empty() {
            if offset % size != 0 {
                return Err(StoreError::OffsetMismatch { offset, expected: offset - offset % size });
            }
            self.files.last_or_create(offset)?;
        } else if offset != self.files.max_offset() {
            return Err(StoreError::OffsetMismatch { offset, expected: self.files.max_offset() });
        }
        while !data.is_empty() {
            let file = self.files.last_or_create(offset)?;
            let n = data.len().min(file.remaining());
            file.append_chunk(&data[..n])?.expect("chunk fits the remaining room");
            data = &data[n..];
        }
        drop(_writer);
        self.publish();
        Ok(())
    }

    /// Discards everything from `offset` on, durably (see `MappedFileQueue::truncate`).
    pub fn truncate(&self, offset: i64) -> Result<()> {
        let _writer = self.writer.lock();
        self.files.truncate(offset)?;
        drop(_writer);
        self.publish();
        Ok(())
    }

    /// Drops every file and starts empty at `offset` (a file boundary).
    pub fn reset_to(&self, offset: i64) -> Result<()> {
        let _writer = self.writer.lock();
        self.files.reset_to(offset)?;
        drop(_writer);
        self.publish();
        Ok(())
    }

    /// The whole record at `offset`, zero-copy.
    pub fn read_record(&self, offset: i64) -> Option<Bytes> {
        let file = self.files.find(offset)?;
        let pos = (offset - file.file_from_offset()) as usize;
        let head = file.read(pos, 4)?;
        let size = i32::from_be_bytes(head.try_into().ok()?);
        if size <= 0 {
            return None;
        }
        file.slice(pos, size as usize)
    }

    /// `[offset, offset + len)` if it lies inside one file, zero-copy.
    pub fn read_range(&self, offset: i64, len: usize) -> Option<Bytes> {
        let file = self.files.find(offset)?;
        file.slice((offset - file.file_from_offset()) as usize, len)
    }

    /// Published bytes from `offset` to the end of its file, at most `max` bytes.
    pub fn read_chunk(&self, offset: i64, max: usize) -> Option<Bytes> {
        let file = self.files.find(offset)?;
        let pos = (offset - file.file_from_offset()) as usize;
        let len = file.wrote_position().checked_sub(pos)?.min(max);
        file.slice(pos, len)
    }

    /// Checks that a whole record (or a BLANK) starts at `offset`.
    pub fn is_record_boundary(&self, offset: i64) -> bool {
        if offset == self.max_offset() || offset == self.min_offset() {
            return true;
        }
        let Some(file) = self.files.find(offset) else { return false };
        let pos = (offset - file.file_from_offset()) as usize;
        !matches!(record::check_record(file.read_from(pos), false), RecordCheck::Invalid(_))
    }

    /// Walks records from `from` up to `limit`, calling `visit(offset, record)`.
    /// BLANK markers jump to the next file. `published_only = false` reads
    /// past the published position (recovery, before positions are known).
    pub fn scan(
        &self,
        from: i64,
        limit: i64,
        check_crc: bool,
        published_only: bool,
        mut visit: impl FnMut(i64, &RecordView<'_>) -> bool,
    ) -> ScanEnd {
        let mut offset = from;
        let size = self.file_size() as i64;
        while offset < limit {
            let Some(file) = self.files.find(offset) else { return ScanEnd::Limit(offset) };
            let pos = (offset - file.file_from_offset()) as usize;
            let data = if published_only { file.read_from(pos) } else { file.read_unpublished(pos) };
            let room = usize::try_from(limit - offset).unwrap_or(usize::MAX);
            let data = &data[..data.len().min(room)];
            match record::check_record(data, check_crc) {
                RecordCheck::Record(view) => {
                    if !visit(offset, &view) {
                        return ScanEnd::Stopped(offset);
                    }
                    offset += i64::from(view.total_size);
                }
                RecordCheck::Blank => offset = file.file_from_offset() + size,
                RecordCheck::Invalid(reason) if published_only && reason.is_incomplete() => {
                    return ScanEnd::Limit(offset);
                }
                RecordCheck::Invalid(reason) => return ScanEnd::Invalid(offset, reason),
            }
        }
        // Only a BLANK can carry `offset` past `limit`: to the next file's
        // start, which is where the next record is. Clamping it back to
        // `limit` would leave the caller inside the zero padding (a limit
        // there is common: the master between writing a BLANK and sealing
        // the file, a slave that received part of a padded tail), and the
        // next scan would find "bad magic" there and stall dispatch for good.
        ScanEnd::Limit(offset)
    }
}

/// Stores `v` only when it differs: appenders on every core read the flag,
/// and an unconditional store would bounce its cache line on every append.
fn set_if_changed(flag: &AtomicBool, v: bool) {
    if flag.load(Ordering::Relaxed) != v {
        flag.store(v, Ordering::Relaxed);
    }
}

/// Ends a file that cannot hold the next record (spec §3.5 rule 2).
fn seal_with_blank(file: &Arc<MappedFile>) -> Result<()> {
    let remaining = file.remaining();
    if remaining >= BLANK_LEN {
        file.append(&record::blank_marker(remaining))?.expect("blank fits");
    }
    file.fill_to_end();
    Ok(())
}
