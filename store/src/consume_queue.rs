//! ConsumeQueues (spec/store.md §4): per topic-queue, 20-byte entries
//! `(commit-log offset i64, size i32, tagsCode i64)`; entry *N* sits at
//! logical byte `N × 20`. Written only by the dispatcher; truncated with the
//! CommitLog.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use std::collections::HashMap;

use parking_lot::RwLock;

use crate::error::{IoContext, Result};
use crate::mapped_file_queue::MappedFileQueue;

pub const CQ_UNIT: usize = 20;
/// Size of the filler entries that pad a queue whose first file starts late.
const FILLER_SIZE: i32 = i32::MAX;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CqEntry {
    pub phys_offset: i64,
    pub size: i32,
    pub tags_code: i64,
}

impl CqEntry {
    fn encode(&self) -> [u8; CQ_UNIT] {
        let mut b = [0u8; CQ_UNIT];
        b[..8].copy_from_slice(&self.phys_offset.to_be_bytes());
        b[8..12].copy_from_slice(&self.size.to_be_bytes());
        b[12..].copy_from_slice(&self.tags_code.to_be_bytes());
        b
    }

    fn decode(b: &[u8]) -> Self {
        Self {
            phys_offset: i64::from_be_bytes(b[..8].try_into().expect("8")),
            size: i32::from_be_bytes(b[8..12].try_into().expect("4")),
            tags_code: i64::from_be_bytes(b[12..20].try_into().expect("8")),
        }
    }

    /// Valid iff `offset ≥ 0 && size > 0` (fillers count as valid).
    fn is_valid(&self) -> bool {
        self.phys_offset >= 0 && self.size > 0
    }

    fn is_filler(&self) -> bool {
        self.size == FILLER_SIZE && self.phys_offset == 0
    }

    const FILLER: Self = Self { phys_offset: 0, size: FILLER_SIZE, tags_code: 0 };
}

#[derive(Debug)]
pub struct ConsumeQueue {
    topic: String,
    queue_id: i32,
    files: MappedFileQueue,
    /// End (`offset + size`) of the newest entry's record; -1 when empty.
    max_physic_offset: AtomicI64,
    /// Logical byte offset of the first entry still backed by the CommitLog.
    min_logic_offset: AtomicI64,
}

impl ConsumeQueue {
    pub fn load(root: &Path, topic: &str, queue_id: i32, file_size: usize) -> Result<Self> {
        let dir = root.join(topic).join(queue_id.to_string());
        Ok(Self {
            topic: topic.to_owned(),
            queue_id,
            files: MappedFileQueue::load(&dir, file_size)?,
            max_physic_offset: AtomicI64::new(-1),
            min_logic_offset: AtomicI64::new(0),
        })
    }

    pub fn topic(&self) -> &str {
        &self.topic
    }

    pub fn queue_id(&self) -> i32 {
        self.queue_id
    }

    /// Next queue offset to be written.
    pub fn max_offset(&self) -> i64 {
        self.files.max_offset() / CQ_UNIT as i64
    }

    pub fn min_offset(&self) -> i64 {
        self.min_logic_offset.load(Ordering::Acquire) / CQ_UNIT as i64
    }

    pub fn max_physic_offset(&self) -> i64 {
        self.max_physic_offset.load(Ordering::Acquire)
    }

    /// Appends the entry for `queue_offset`; idempotent (spec §4.2 rule 3).
    pub fn put(&self, queue_offset: i64, entry: CqEntry) -> Result<()> {
        if entry.phys_offset + i64::from(entry.size) <= self.max_physic_offset() {
            return Ok(());
        }
        let expected = queue_offset * CQ_UNIT as i64;
        let mut end = self.files.max_offset();
        if self.files.is_empty() {
            let file = self.files.last_or_create(expected)?;
            end = file.file_from_offset();
            if expected > end {
                tracing::info!(topic = %self.topic, queue = self.queue_id, queue_offset, "consume queue starts late; padding");
                self.min_logic_offset.store(expected, Ordering::Release);
            }
        }
        if expected < end {
            return Ok(());
        }
        if expected > end {
            tracing::warn!(topic = %self.topic, queue = self.queue_id, expected, end, "consume queue gap filled with fillers");
        }
        while end < expected {
            self.append_unit(end, CqEntry::FILLER)?;
            end += CQ_UNIT as i64;
        }
        self.append_unit(end, entry)?;
        self.max_physic_offset.store(entry.phys_offset + i64::from(entry.size), Ordering::Release);
        Ok(())
    }

    fn append_unit(&self, logic_offset: i64, entry: CqEntry) -> Result<()> {
        let file = self.files.last_or_create(logic_offset)?;
        file.append(&entry.encode())?.expect("files hold whole entries");
        Ok(())
    }

    /// The entry at `queue_offset`, if written (fillers excluded).
    pub fn get(&self, queue_offset: i64) -> Option<CqEntry> {
        if queue_offset < self.min_offset() {
            return None;
        }
        let logic = queue_offset * CQ_UNIT as i64;
        let file = self.files.find(logic)?;
        let b = file.read((logic - file.file_from_offset()) as usize, CQ_UNIT)?;
        Some(CqEntry::decode(b)).filter(|e| e.is_valid() && !e.is_filler())
    }

    /// Up to `max` consecutive entries from `queue_offset`, with their queue offsets.
    pub fn entries(&self, queue_offset: i64, max: usize) -> Vec<(i64, CqEntry)> {
        let end = self.max_offset();
        let from = queue_offset.max(self.min_offset());
        (from..end).take(max).filter_map(|qo| self.get(qo).map(|e| (qo, e))).collect()
    }

    /// Rebuilds positions from disk (spec §8 step 2): scan from the third-newest
    /// file to the first invalid entry and drop everything after it.
    pub fn recover(&self) -> Result<()> {
        let files = self.files.files();
        let start = files.len().saturating_sub(3);
        let mut end = files.get(start).map_or(0, |f| f.file_from_offset());
        let mut max_phys = -1;
        'files: for f in &files[start..] {
            let data = f.read_unpublished(0);
            for unit in data.chunks_exact(CQ_UNIT) {
                let e = CqEntry::decode(unit);
                if !e.is_valid() {
                    break 'files;
                }
                if !e.is_filler() {
                    max_phys = e.phys_offset + i64::from(e.size);
                }
                end += CQ_UNIT as i64;
            }
        }
        self.files.truncate(end)?;
        self.max_physic_offset.store(max_phys, Ordering::Release);
        Ok(())
    }

    /// Drops entries whose record starts at or after `phys_offset`.
    pub fn truncate_by_phys(&self, phys_offset: i64) -> Result<()> {
        let mut end = self.max_offset();
        let min = self.min_offset();
        while end > min {
            match self.get(end - 1) {
                Some(e) if e.phys_offset >= phys_offset => end -= 1,
                _ => break,
            }
        }
        if end == self.max_offset() {
            return Ok(());
        }
        self.files.truncate(end * CQ_UNIT as i64)?;
        let max_phys = self.get(end - 1).map_or(-1, |e| e.phys_offset + i64::from(e.size));
        self.max_physic_offset.store(max_phys, Ordering::Release);
        Ok(())
    }

    /// Moves the min offset to the first entry whose record is still in the
    /// CommitLog (`commit_log_min`), spec §4.1.
    pub fn correct_min_offset(&self, commit_log_min: i64) {
        let mut qo = self.min_offset();
        let max = self.max_offset();
        while qo < max {
            match self.get(qo) {
                Some(e) if e.phys_offset >= commit_log_min => break,
                _ => qo += 1,
            }
        }
        self.min_logic_offset.store(qo * CQ_UNIT as i64, Ordering::Release);
    }

    /// Deletes whole files (never the newest) whose last entry's record lies
    /// before `commit_log_min` (retention). Returns how many were deleted.
    pub fn delete_expired(&self, commit_log_min: i64, max_files: usize) -> Result<usize> {
        let unit = CQ_UNIT as i64;
        let removed = self.files.delete_oldest_while(max_files, |f| {
            let last = f.file_from_offset() + f.wrote_position() as i64 - unit;
            last >= f.file_from_offset()
                && self.get(last / unit).is_some_and(|e| e.phys_offset < commit_log_min)
        })?;
        self.correct_min_offset(commit_log_min);
        Ok(removed.len())
    }

    pub fn flush(&self, least_pages: usize) -> Result<()> {
        self.files.flush(least_pages).map(|_| ())
    }

    pub fn destroy(&self) -> Result<()> {
        self.files.delete_all()?;
        self.max_physic_offset.store(-1, Ordering::Release);
        self.min_logic_offset.store(0, Ordering::Release);
        Ok(())
    }
}

/// Every ConsumeQueue of the store, by topic and queue id.
#[derive(Debug)]
pub struct ConsumeQueueStore {
    root: PathBuf,
    file_size: usize,
    /// topic → queue id → queue; nested so lookups by `&str` never allocate.
    queues: RwLock<HashMap<String, HashMap<i32, Arc<ConsumeQueue>>>>,
}

impl ConsumeQueueStore {
    /// Loads `consumequeue/<topic>/<queueId>/` directories.
    pub fn load(root: &Path, file_size: usize) -> Result<Self> {
        std::fs::create_dir_all(root).ctx("create dir", root)?;
        let store = Self { root: root.to_owned(), file_size, queues: RwLock::default() };
        for topic_dir in std::fs::read_dir(root).ctx("list", root)?.flatten() {
            let Some(topic) = topic_dir.file_name().to_str().map(str::to_owned) else { continue };
            let Ok(queue_dirs) = std::fs::read_dir(topic_dir.path()) else { continue };
            for q in queue_dirs.flatten() {
                let Some(queue_id) = q.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) else {
                    continue;
                };
                let cq = ConsumeQueue::load(root, &topic, queue_id, file_size)?;
                store.queues.write().entry(topic.clone()).or_default().insert(queue_id, Arc::new(cq));
            }
        }
        Ok(store)
    }

    pub fn find(&self, topic: &str, queue_id: i32) -> Option<Arc<ConsumeQueue>> {
        self.queues.read().get(topic)?.get(&queue_id).cloned()
    }

    pub fn find_or_create(&self, topic: &str, queue_id: i32) -> Result<Arc<ConsumeQueue>> {
        if let Some(q) = self.find(topic, queue_id) {
            return Ok(q);
        }
        let cq = Arc::new(ConsumeQueue::load(&self.root, topic, queue_id, self.file_size)?);
        let mut queues = self.queues.write();
        Ok(Arc::clone(queues.entry(topic.to_owned()).or_default().entry(queue_id).or_insert(cq)))
    }

    pub fn all(&self) -> Vec<Arc<ConsumeQueue>> {
        self.queues.read().values().flat_map(|qs| qs.values().cloned()).collect()
    }

    pub fn recover(&self) -> Result<()> {
        self.all().iter().try_for_each(|q| q.recover())
    }

    /// Max over all queues of the newest entry's record end; -1 if none.
    pub fn max_physic_offset(&self) -> i64 {
        self.all().iter().map(|q| q.max_physic_offset()).max().unwrap_or(-1)
    }

    pub fn truncate_by_phys(&self, phys_offset: i64) -> Result<()> {
        self.all().iter().try_for_each(|q| q.truncate_by_phys(phys_offset))
    }

    pub fn destroy_all(&self) -> Result<()> {
        for q in self.all() {
            q.destroy()?;
        }
        Ok(())
    }

    /// `topic-queueId → next queue offset` from the queues' max offsets.
    pub fn topic_queue_table(&self) -> std::collections::HashMap<String, i64> {
        self.all()
            .iter()
            .map(|q| (crate::commit_log::topic_queue_key(&q.topic, q.queue_id), q.max_offset()))
            .collect()
    }

    pub fn flush(&self, least_pages: usize) -> Result<()> {
        self.all().iter().try_for_each(|q| q.flush(least_pages))
    }

    pub fn remove(&self, topic: &str, queue_id: i32) {
        let mut queues = self.queues.write();
        if let Some(qs) = queues.get_mut(topic) {
            qs.remove(&queue_id);
            if qs.is_empty() {
                queues.remove(topic);
            }
        }
    }
}
