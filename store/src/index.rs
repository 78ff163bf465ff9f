//! Index files (spec/store.md §6): a hash index from `topic#key` to commit-log
//! offsets, answering QUERY_MESSAGE by message key or unique key.
//!
//! One file = header + `maxHashSlotNum` slots + `maxIndexNum` entries. Each
//! slot holds the number of the newest entry whose key hashes to it, and each
//! entry links to the previous one of its slot, so a lookup walks a chain from
//! newest to oldest. Files are written once, front to back, by the dispatcher
//! and are full when `indexCount` reaches `maxIndexNum`; then a new file is
//! started. The index is lossy by design: keys are only compared by hash, so
//! callers must check the key on the message they read back.
//!
//! Concurrency: one writer (every mutation holds `IndexService::writer`) and
//! any number of readers. The header lives in atomics (it reaches the file
//! only at flush, as in RocketMQ); an entry is written completely, then
//! `indexCount` and finally its slot are stored with `Release`. A reader loads
//! the slot with `Acquire`, then `indexCount`, and only follows entry numbers
//! below that count, so every entry it reads was published before.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use parking_lot::{Mutex, RwLock};

use crate::error::{IoContext, Result, StoreError};
use crate::mapped_file::{MappedTable, local_utc_offset_secs};
use crate::record::{java_string_hash, sysflag};

pub const HEADER_SIZE: usize = 40;
pub const SLOT_SIZE: usize = 4;
pub const ENTRY_SIZE: usize = 20;

// Header field positions (all big-endian).
const H_BEGIN_TS: usize = 0;
const H_END_TS: usize = 8;
const H_BEGIN_PHY: usize = 16;
const H_END_PHY: usize = 24;
const H_SLOT_COUNT: usize = 32;
const H_INDEX_COUNT: usize = 36;

/// Size of an index file with this geometry (420 000 040 bytes by default).
pub fn index_file_size(max_hash_slot_num: u32, max_index_num: u32) -> usize {
    HEADER_SIZE + max_hash_slot_num as usize * SLOT_SIZE + max_index_num as usize * ENTRY_SIZE
}

/// |Java `String.hashCode`|, with `Integer.MIN_VALUE` (whose absolute value
/// does not fit) mapped to 0, exactly as RocketMQ does.
pub fn key_hash(key: &str) -> i32 {
    java_string_hash(key).checked_abs().unwrap_or(0)
}

fn build_key(topic: &str, key: &str) -> String {
    format!("{topic}#{key}")
}

/// What the dispatcher knows about one commit-log record.
#[derive(Debug, Clone, Copy)]
pub struct IndexRequest<'a> {
    pub topic: &'a str,
    /// The `KEYS` property: keys separated by single spaces.
    pub keys: Option<&'a str>,
    /// The `UNIQ_KEY` property (client message id).
    pub uniq_key: Option<&'a str>,
    pub phys_offset: i64,
    pub store_timestamp: i64,
    pub sys_flag: i32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexQueryResult {
    /// Candidate commit-log offsets, newest first (hash matches only).
    pub phys_offsets: Vec<i64>,
    /// End timestamp / offset of the newest index file (0 when none).
    pub index_last_update_timestamp: i64,
    pub index_last_update_phyoffset: i64,
}

/// One index file. The header fields are kept in atomics and copied into the
/// file by `flush`, so a crash leaves the last flushed header on disk.
struct IndexFile {
    table: MappedTable,
    slot_num: u32,
    index_num: i32,
    begin_ts: AtomicI64,
    end_ts: AtomicI64,
    begin_phy: AtomicI64,
    end_phy: AtomicI64,
    hash_slot_count: AtomicI32,
    /// Next entry number; entries `1..index_count` are published (0 is unused).
    index_count: AtomicI32,
    /// `index_count` when the header was last written and synced.
    flushed_count: AtomicI32,
}

impl IndexFile {
    /// Maps `path` (created sparse when missing) and loads its header.
    fn open(path: &Path, slot_num: u32, index_num: u32) -> Result<Self> {
        let table = MappedTable::create_or_open(path, index_file_size(slot_num, index_num))?;
        let index_num = index_num as i32;
        // A fresh file reads as all zeros: indexCount 0 means "no entries", i.e. 1.
        // A count beyond the geometry can only be garbage; clamp so entry
        // positions stay inside the file.
        let count = table.load_be_i32(H_INDEX_COUNT, Ordering::Relaxed).clamp(1, index_num);
        Ok(Self {
            begin_ts: AtomicI64::new(table.load_be_i64(H_BEGIN_TS, Ordering::Relaxed)),
            end_ts: AtomicI64::new(table.load_be_i64(H_END_TS, Ordering::Relaxed)),
            begin_phy: AtomicI64::new(table.load_be_i64(H_BEGIN_PHY, Ordering::Relaxed)),
            end_phy: AtomicI64::new(table.load_be_i64(H_END_PHY, Ordering::Relaxed)),
            hash_slot_count: AtomicI32::new(table.load_be_i32(H_SLOT_COUNT, Ordering::Relaxed)),
            index_count: AtomicI32::new(count),
            flushed_count: AtomicI32::new(count),
            table,
            slot_num,
            index_num,
        })
    }

    /// A new file continuing after the previous one: its header starts with
    /// begin = end = the previous file's end, so records already indexed there
    /// are skipped (spec §6 rule 4). The first entry then resets begin.
    fn create(
        path: &Path,
        slot_num: u32,
        index_num: u32,
        prev_end_phy: i64,
        prev_end_ts: i64,
    ) -> Result<Self> {
        let f = Self::open(path, slot_num, index_num)?;
        f.begin_phy.store(prev_end_phy, Ordering::Relaxed);
        f.end_phy.store(prev_end_phy, Ordering::Relaxed);
        f.begin_ts.store(prev_end_ts, Ordering::Relaxed);
        f.end_ts.store(prev_end_ts, Ordering::Relaxed);
        f.flushed_count.store(0, Ordering::Relaxed); // header never written yet
        Ok(f)
    }

    fn name(&self) -> &str {
        self.table.path().file_name().and_then(|n| n.to_str()).unwrap_or_default()
    }

    fn begin_ts(&self) -> i64 {
        self.begin_ts.load(Ordering::Acquire)
    }

    fn end_ts(&self) -> i64 {
        self.end_ts.load(Ordering::Acquire)
    }

    fn end_phy(&self) -> i64 {
        self.end_phy.load(Ordering::Acquire)
    }

    fn is_full(&self) -> bool {
        self.index_count.load(Ordering::Acquire) >= self.index_num
    }

    fn slot_pos(&self, hash: i32) -> usize {
        HEADER_SIZE + (hash as u32 % self.slot_num) as usize * SLOT_SIZE
    }

    fn entry_pos(&self, n: i32) -> usize {
        HEADER_SIZE + self.slot_num as usize * SLOT_SIZE + n as usize * ENTRY_SIZE
    }

    /// Appends one entry (spec §6 rule 3); `false` when the file is full.
    /// Only the writer calls this.
    fn put_key(&self, hash: i32, phy: i64, ts: i64) -> bool {
        let n = self.index_count.load(Ordering::Relaxed);
        if n >= self.index_num {
            return false;
        }
        let slot_pos = self.slot_pos(hash);
        let old = self.table.load_be_i32(slot_pos, Ordering::Relaxed);
        // Values outside 1..n are leftovers of entries lost in a crash (the
        // slot was synced, the header was not): treat the slot as empty.
        let prev = if (1..n).contains(&old) { old } else { 0 };
        if n == 1 {
            // Set before computing timeDiff so the first entry's diff is 0
            // (RocketMQ measures it from the previous file's end instead).
            self.begin_ts.store(ts, Ordering::Relaxed);
            self.begin_phy.store(phy, Ordering::Relaxed);
        }
        let begin = self.begin_ts.load(Ordering::Relaxed);
        let diff = if begin <= 0 { 0 } else { ((ts - begin) / 1000).clamp(0, i64::from(i32::MAX)) as i32 };
        let mut entry = [0u8; ENTRY_SIZE];
        entry[0..4].copy_from_slice(&hash.to_be_bytes());
        entry[4..12].copy_from_slice(&phy.to_be_bytes());
        entry[12..16].copy_from_slice(&diff.to_be_bytes());
        entry[16..20].copy_from_slice(&prev.to_be_bytes());
        self.table.write_bytes(self.entry_pos(n), &entry);
        if prev == 0 {
            self.hash_slot_count.fetch_add(1, Ordering::Relaxed);
        }
        self.end_ts.store(ts, Ordering::Relaxed);
        self.end_phy.store(phy, Ordering::Relaxed);
        // Publish: the count first, so a reader that sees the slot also sees
        // a count above n (see module docs).
        self.index_count.store(n + 1, Ordering::Release);
        self.table.store_be_i32(slot_pos, n, Ordering::Release);
        true
    }

    /// RocketMQ's `isTimeMatched`: the file's [begin, end] overlaps the query's.
    fn time_matched(&self, begin: i64, end: i64) -> bool {
        let (b, e) = (self.begin_ts(), self.end_ts());
        (begin < b && end > e) || (b <= begin && begin <= e) || (b <= end && end <= e)
    }

    /// Walks the slot chain of `hash`, newest first, pushing offsets whose
    /// hash matches and whose time lies in [begin, end], up to `max_num`.
    fn select(&self, out: &mut Vec<i64>, hash: i32, max_num: usize, begin: i64, end: i64) {
        let mut n = self.table.load_be_i32(self.slot_pos(hash), Ordering::Acquire);
        let count = self.index_count.load(Ordering::Acquire);
        let file_begin = self.begin_ts();
        while (1..count).contains(&n) && out.len() < max_num {
            let e: [u8; ENTRY_SIZE] = self.table.read_array(self.entry_pos(n));
            let field = |at: usize| i32::from_be_bytes(e[at..at + 4].try_into().expect("4 bytes"));
            let phy = i64::from_be_bytes(e[4..12].try_into().expect("8 bytes"));
            let (hash_read, diff, prev) = (field(0), field(12), field(16));
            if diff < 0 {
                break;
            }
            let time = file_begin + i64::from(diff) * 1000;
            if hash_read == hash && (begin..=end).contains(&time) {
                out.push(phy);
            }
            // Chains only point backwards; anything else is garbage, and
            // requiring it also guarantees termination.
            if prev <= 0 || prev >= n || time < begin {
                break;
            }
            n = prev;
        }
    }

    /// Copies the header into the file and syncs it, unless nothing was
    /// added since the last flush.
    fn flush(&self) -> Result<()> {
        let count = self.index_count.load(Ordering::Acquire);
        if count == self.flushed_count.load(Ordering::Acquire) {
            return Ok(());
        }
        let t = &self.table;
        t.store_be_i64(H_BEGIN_TS, self.begin_ts(), Ordering::Relaxed);
        t.store_be_i64(H_END_TS, self.end_ts(), Ordering::Relaxed);
        t.store_be_i64(H_BEGIN_PHY, self.begin_phy.load(Ordering::Acquire), Ordering::Relaxed);
        t.store_be_i64(H_END_PHY, self.end_phy(), Ordering::Relaxed);
        t.store_be_i32(H_SLOT_COUNT, self.hash_slot_count.load(Ordering::Acquire), Ordering::Relaxed);
        t.store_be_i32(H_INDEX_COUNT, count, Ordering::Relaxed);
        t.flush()?;
        self.flushed_count.fetch_max(count, Ordering::AcqRel);
        Ok(())
    }
}

/// All index files of a store, oldest first.
pub struct IndexService {
    dir: PathBuf,
    slot_num: u32,
    index_num: u32,
    files: RwLock<Vec<Arc<IndexFile>>>,
    writer: Mutex<Writer>,
}

/// State of the single writer: local wall-clock milliseconds of the newest
/// file name used, so that names stay unique and increasing.
struct Writer {
    last_name_ms: i64,
}

impl fmt::Debug for IndexService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IndexService")
            .field("dir", &self.dir)
            .field("files", &self.files.read().len())
            .finish()
    }
}

impl IndexService {
    /// Loads every index file in `dir` (created if missing), sorted by name.
    /// Files whose names are not 17-digit timestamps are left alone.
    pub fn open(dir: &Path, max_hash_slot_num: u32, max_index_num: u32) -> Result<Self> {
        if max_hash_slot_num == 0 || max_index_num < 2 || max_index_num > i32::MAX as u32 {
            let reason = format!("bad index geometry: {max_hash_slot_num} slots, {max_index_num} entries");
            let err = std::io::Error::new(std::io::ErrorKind::InvalidInput, reason);
            return Err(StoreError::Io { op: "open index", path: dir.to_owned(), source: err });
        }
        fs::create_dir_all(dir).ctx("mkdir", dir)?;
        let mut names = Vec::new();
        for entry in fs::read_dir(dir).ctx("read_dir", dir)? {
            let entry = entry.ctx("read_dir", dir)?;
            match entry.file_name().into_string() {
                Ok(name) if parse_name(&name).is_some() => names.push(name),
                other => tracing::warn!(dir = %dir.display(), name = ?other, "ignoring non-index file"),
            }
        }
        names.sort();
        let files = names
            .iter()
            .map(|n| IndexFile::open(&dir.join(n), max_hash_slot_num, max_index_num).map(Arc::new))
            .collect::<Result<Vec<_>>>()?;
        let last_name_ms = names.last().and_then(|n| parse_name(n)).unwrap_or(i64::MIN);
        Ok(Self {
            dir: dir.to_owned(),
            slot_num: max_hash_slot_num,
            index_num: max_index_num,
            files: RwLock::new(files),
            writer: Mutex::new(Writer { last_name_ms }),
        })
    }

    /// Abnormal start (spec §6 rule 6): deletes the files whose endTimestamp
    /// is after the checkpoint's `indexMsgTimestamp` — they may hold entries
    /// whose header never reached the disk. Re-dispatch rebuilds them.
    pub fn drop_newer_than(&self, index_msg_timestamp: i64) -> Result<usize> {
        let _w = self.writer.lock();
        let victims: Vec<_> =
            self.files.read().iter().filter(|f| f.end_ts() > index_msg_timestamp).cloned().collect();
        self.remove(&victims)
    }

    /// Indexes one dispatched record (spec §6 rule 1).
    pub fn build(&self, req: &IndexRequest) -> Result<()> {
        if sysflag::transaction_type(req.sys_flag) == sysflag::TRANSACTION_ROLLBACK {
            return Ok(());
        }
        let mut w = self.writer.lock();
        let last = self.files.read().last().cloned();
        let mut file = match last {
            Some(f) if !f.is_full() => f,
            last => self.roll(&mut w, last.as_deref())?,
        };
        // Already indexed (re-dispatch after recovery goes over old records).
        // The record *at* endPhyOffset is too when this file holds entries of
        // its own: recovery re-dispatches from a file start, so with `<` alone
        // the last record before every restart was indexed (and returned by
        // queries) twice. A fresh file (no entries yet) still takes it, so a
        // record whose keys spilled into a file dropped by abnormal recovery
        // is re-indexed rather than lost.
        let own_entries = file.index_count.load(Ordering::Acquire) > 1;
        if req.phys_offset < file.end_phy() || (req.phys_offset == file.end_phy() && own_entries) {
            return Ok(());
        }
        let keys = req.keys.into_iter().flat_map(|k| k.split(' ')).filter(|k| !k.is_empty());
        for key in req.uniq_key.into_iter().chain(keys) {
            let hash = key_hash(&build_key(req.topic, key));
            while !file.put_key(hash, req.phys_offset, req.store_timestamp) {
                file = self.roll(&mut w, Some(&file))?;
            }
        }
        Ok(())
    }

    /// Starts a new file after `prev` (the full newest file, if any). The full
    /// file is flushed by the next `flush`, which reports its endTimestamp.
    fn roll(&self, w: &mut Writer, prev: Option<&IndexFile>) -> Result<Arc<IndexFile>> {
        let (end_phy, end_ts) = prev.map_or((0, 0), |p| (p.end_phy(), p.end_ts()));
        let mut ms = local_now_ms().max(w.last_name_ms.saturating_add(1));
        let path = loop {
            let path = self.dir.join(format_name(ms));
            if !path.exists() {
                break path;
            }
            ms += 1;
        };
        w.last_name_ms = ms;
        let file = Arc::new(IndexFile::create(&path, self.slot_num, self.index_num, end_phy, end_ts)?);
        tracing::info!(file = %path.display(), "created index file");
        self.files.write().push(Arc::clone(&file));
        Ok(file)
    }

    /// QUERY_MESSAGE: offsets of records indexed under `topic#key` stored in
    /// [begin_ts, end_ts], newest first, at most `max_num` (the caller caps it
    /// with `maxMsgsNumBatch`). Files are visited newest first and the walk
    /// stops at the first file that begins before `begin_ts`.
    pub fn query(
        &self,
        topic: &str,
        key: &str,
        max_num: usize,
        begin_ts: i64,
        end_ts: i64,
    ) -> IndexQueryResult {
        let files = self.files.read().clone();
        let mut result = IndexQueryResult::default();
        if let Some(last) = files.last() {
            result.index_last_update_timestamp = last.end_ts();
            result.index_last_update_phyoffset = last.end_phy();
        }
        let hash = key_hash(&build_key(topic, key));
        for f in files.iter().rev() {
            if result.phys_offsets.len() >= max_num {
                break;
            }
            if f.time_matched(begin_ts, end_ts) {
                f.select(&mut result.phys_offsets, hash, max_num, begin_ts, end_ts);
            }
            if f.begin_ts() < begin_ts {
                break;
            }
        }
        result
    }

    /// Writes every changed header and syncs those files. Returns the
    /// endTimestamp of the newest full file, now durable: the checkpoint's
    /// `indexMsgTimestamp` (spec §6 rule 4), below which abnormal recovery
    /// keeps index files.
    pub fn flush(&self) -> Result<Option<i64>> {
        let files = self.files.read().clone();
        let mut newest_full = None;
        for f in &files {
            let full = f.is_full(); // once full, the header no longer changes
            f.flush()?;
            if full {
                newest_full = Some(f.end_ts());
            }
        }
        Ok(newest_full)
    }

    /// Retention (spec §10 rule 3): deletes the oldest files whose
    /// endPhyOffset is below the commit log's new min offset, never the
    /// newest file, stopping at the first one that is kept.
    pub fn delete_expired(&self, min_phy_offset: i64) -> Result<usize> {
        let _w = self.writer.lock();
        let files = self.files.read().clone();
        let older = &files[..files.len().saturating_sub(1)];
        let victims: Vec<_> = older.iter().take_while(|f| f.end_phy() < min_phy_offset).cloned().collect();
        self.remove(&victims)
    }

    /// Deletes every index file.
    pub fn destroy(&self) -> Result<()> {
        let _w = self.writer.lock();
        let files = self.files.read().clone();
        self.remove(&files).map(drop)
    }

    /// Deletes `victims` from disk and from the list, one by one so the list
    /// never names a deleted file. Queries holding a file keep its mapping.
    fn remove(&self, victims: &[Arc<IndexFile>]) -> Result<usize> {
        for v in victims {
            v.table.delete()?;
            self.files.write().retain(|f| !Arc::ptr_eq(f, v));
            tracing::info!(file = v.name(), "deleted index file");
        }
        Ok(victims.len())
    }
}

const DAY_MS: i64 = 86_400_000;

/// Now as local wall-clock milliseconds (Unix milliseconds shifted by the
/// zone offset that libc's `localtime_r` reports for this instant).
fn local_now_ms() -> i64 {
    let unix_ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
    unix_ms + local_utc_offset_secs(unix_ms.div_euclid(1000)) * 1000
}

/// `yyyyMMddHHmmssSSS` of local wall-clock milliseconds. Fixed width, so
/// names sort like the times they encode (years 1000..=9999).
fn format_name(local_ms: i64) -> String {
    let (y, mo, d) = civil_from_days(local_ms.div_euclid(DAY_MS));
    let t = local_ms.rem_euclid(DAY_MS);
    let (h, mi, s, ms) = (t / 3_600_000, t / 60_000 % 60, t / 1000 % 60, t % 1000);
    format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}{ms:03}")
}

/// Inverse of [`format_name`]; `None` unless `name` is 17 digits forming a
/// valid date and time.
fn parse_name(name: &str) -> Option<i64> {
    if name.len() != 17 || !name.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let num = |r: std::ops::Range<usize>| name[r].parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (h, mi, s, ms) = (num(8..10)?, num(10..12)?, num(12..14)?, num(14..17)?);
    let days = days_from_civil(y, mo, d);
    let valid = (1..=12).contains(&mo) && d >= 1 && civil_from_days(days) == (y, mo, d);
    (valid && h < 24 && mi < 60 && s < 60).then(|| days * DAY_MS + ((h * 60 + mi) * 60 + s) * 1000 + ms)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

/// Inverse of [`days_from_civil`].
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests;
