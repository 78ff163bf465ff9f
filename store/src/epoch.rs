//! The controller-mode epoch file (`epochFileCheckpoint`, ha.md §5, store.md §12).
//!
//! An entry `(epoch, start_offset)` records "the master of term `epoch` wrote its
//! first byte at `start_offset`". Replicas compare these histories at handshake
//! time to find the last offset on which they agree ([`find_consistent_point`]).
//!
//! The module is split in three layers so the interesting logic is testable
//! without a disk:
//! * [`EpochCache`]: pure, in-memory list of entries with the §5.3 rules;
//! * [`encode`] / [`decode`]: the RocketMQ text format, byte-compatible with
//!   Java's `CheckpointFile`;
//! * [`EpochFile`]: cache + path, persisting every mutation crash-safely.

use std::fs::{self, File};
use std::io::{self, Write};
use std::ops::Deref;
use std::path::{Path, PathBuf};

use crate::error::{IoContext, Result, StoreError};

/// One epoch entry. `end_offset` is derived, never stored on disk: it is the next
/// entry's `start_offset`, or `i64::MAX` ("+∞") for the last entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EpochEntry {
    pub epoch: i32,
    pub start_offset: i64,
    pub end_offset: i64,
}

impl EpochEntry {
    /// An entry that is (for now) the last one, hence open-ended.
    pub fn new(epoch: i32, start_offset: i64) -> Self {
        EpochEntry { epoch, start_offset, end_offset: i64::MAX }
    }

    /// `start_offset <= offset < end_offset`.
    pub fn contains(&self, offset: i64) -> bool {
        self.start_offset <= offset && offset < self.end_offset
    }
}

/// In-memory epoch history, ascending by epoch.
///
/// Invariants (kept by every method, checked by [`EpochCache::from_entries`]):
/// epochs and start offsets are both strictly ascending, and every entry's
/// `end_offset` is the next entry's start (`i64::MAX` for the last). Java relies on
/// the same invariants implicitly (its `append` rejects anything else), so a file
/// violating them is treated as corrupt rather than silently reordered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EpochCache {
    entries: Vec<EpochEntry>,
}

impl EpochCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds a cache from `(epoch, start_offset)` pairs, deriving end offsets.
    /// Fails (with a human-readable reason) unless both columns are strictly ascending.
    pub fn from_entries(pairs: impl IntoIterator<Item = (i32, i64)>) -> Result<Self, String> {
        let mut cache = EpochCache::new();
        for (epoch, start) in pairs {
            if !cache.append(epoch, start) {
                let last = cache.entries[cache.entries.len() - 1];
                return Err(format!(
                    "entry {epoch}-{start} does not follow {}-{} (epochs and offsets must ascend)",
                    last.epoch, last.start_offset
                ));
            }
        }
        Ok(cache)
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn entries(&self) -> &[EpochEntry] {
        &self.entries
    }

    /// Appends `(epoch, start_offset)` unless the cache is non-empty and the last entry
    /// has an epoch `>=` or a start `>=` the new one (§5.3); a rejection changes
    /// nothing and returns false. Callers only log it: an epoch during which nothing
    /// was written is simply never recorded when it would start where the previous
    /// one did.
    pub fn append(&mut self, epoch: i32, start_offset: i64) -> bool {
        if let Some(last) = self.entries.last_mut() {
            if last.epoch >= epoch || last.start_offset >= start_offset {
                return false;
            }
            last.end_offset = start_offset;
        }
        self.entries.push(EpochEntry::new(epoch, start_offset));
        true
    }

    /// Removes entries with `epoch >= epoch`; returns how many were removed.
    pub fn truncate_suffix_by_epoch(&mut self, epoch: i32) -> usize {
        self.truncate_suffix_where(|e| e.epoch >= epoch)
    }

    /// Removes entries with `start_offset >= offset`; returns how many were removed.
    pub fn truncate_suffix_by_offset(&mut self, offset: i64) -> usize {
        self.truncate_suffix_where(|e| e.start_offset >= offset)
    }

    /// Both columns ascend, so the entries matching `cut` form a suffix. The new last
    /// entry is reopened to +∞: the reference updates a copy and leaves the stale end
    /// in memory until the next append (ha.md §5.3), which would make
    /// `find_by_offset` miss offsets written after the truncation point.
    fn truncate_suffix_where(&mut self, cut: impl Fn(&EpochEntry) -> bool) -> usize {
        let keep = self.entries.iter().position(cut).unwrap_or(self.entries.len());
        let removed = self.entries.len() - keep;
        self.entries.truncate(keep);
        if let Some(last) = self.entries.last_mut() {
            last.end_offset = i64::MAX;
        }
        removed
    }

    /// Removes entries with `end_offset <= offset` (epochs whose bytes were all deleted
    /// by retention; callers pass `minPhyOffset - 1`). Returns how many were removed.
    pub fn truncate_prefix_by_offset(&mut self, offset: i64) -> usize {
        let drop = self.entries.iter().take_while(|e| e.end_offset <= offset).count();
        self.entries.drain(..drop);
        drop
    }

    /// The entry whose `[start, end)` range holds `offset`.
    pub fn find_by_offset(&self, offset: i64) -> Option<EpochEntry> {
        self.entries.iter().find(|e| e.contains(offset)).copied()
    }

    pub fn find_by_epoch(&self, epoch: i32) -> Option<EpochEntry> {
        self.entries.iter().find(|e| e.epoch == epoch).copied()
    }

    /// The entry with the smallest epoch `> epoch`.
    pub fn next_entry(&self, epoch: i32) -> Option<EpochEntry> {
        self.entries.iter().find(|e| e.epoch > epoch).copied()
    }

    pub fn first_entry(&self) -> Option<EpochEntry> {
        self.entries.first().copied()
    }

    pub fn last_entry(&self) -> Option<EpochEntry> {
        self.entries.last().copied()
    }

    /// Epoch of the last entry, −1 if empty (the value RocketMQ puts on the wire).
    pub fn last_epoch(&self) -> i32 {
        self.entries.last().map_or(-1, |e| e.epoch)
    }
}

/// The slave's consistent point with the master (ha.md §6.1 steps 3–5), or −1.
///
/// * Master view: `master_entries` sorted by epoch (Java loads them into a
///   `TreeMap`, so a duplicate epoch keeps the later one), ends derived, the last
///   end set to `master_max_offset` unconditionally as §6.1 step 3 says. (Java's
///   `setLastEpochEntryEndOffset` skips this when the master's last start is beyond
///   its max, which only a master carrying a P-H7 entry could hit; capping at the
///   master's max keeps the slave from retaining bytes the master lacks.)
/// * Local view: `local`'s entries, the last end set to `local_max_phy_offset` only
///   if its start is not beyond it (otherwise it stays +∞; see P-H7 and
///   [`EpochFile::drop_entries_beyond`]).
/// * Walk the local view from the highest epoch down; the first epoch that the
///   master also has *with the same start offset* gives `min(local.end, master.end)`.
///
/// An empty local cache yields −1 too; the caller must handle it before (§6.1
/// step 2 skips truncation entirely).
pub fn find_consistent_point(
    local: &EpochCache,
    local_max_phy_offset: i64,
    master_entries: &[EpochEntry],
    master_max_offset: i64,
) -> i64 {
    let mut master: Vec<EpochEntry> = Vec::with_capacity(master_entries.len());
    let mut sorted = master_entries.to_vec();
    sorted.sort_by_key(|e| e.epoch); // stable: later duplicates stay later
    for e in sorted {
        match master.last_mut() {
            Some(last) if last.epoch == e.epoch => *last = EpochEntry::new(e.epoch, e.start_offset),
            _ => master.push(EpochEntry::new(e.epoch, e.start_offset)),
        }
    }
    for i in 1..master.len() {
        master[i - 1].end_offset = master[i].start_offset;
    }
    if let Some(last) = master.last_mut() {
        last.end_offset = master_max_offset;
    }

    let mut local_view = local.entries.clone();
    if let Some(last) = local_view.last_mut()
        && last.start_offset <= local_max_phy_offset
    {
        last.end_offset = local_max_phy_offset;
    }

    for l in local_view.iter().rev() {
        if let Some(m) = master.iter().find(|m| m.epoch == l.epoch)
            && m.start_offset == l.start_offset
        {
            return l.end_offset.min(m.end_offset);
        }
    }
    -1
}

/// The masked CRC used by RocketMQ (`UtilAll.crc32`), widened to a long.
fn masked_crc(block: &str) -> i64 {
    i64::from(crate::record::crc32(block.as_bytes()))
}

/// Renders entries as `N\nCRC\n<epoch>-<start>\n...` (end offsets are not stored).
pub fn encode(entries: &[EpochEntry]) -> String {
    let block: String = entries.iter().map(|e| format!("{}-{}\n", e.epoch, e.start_offset)).collect();
    format!("{}\n{}\n{}", entries.len(), masked_crc(&block), block)
}

/// Parses the text format, deriving end offsets.
///
/// Mirrors Java's `CheckpointFile.read`: lines are read like `readLine` (so `\r\n`
/// and a missing final newline are tolerated) and the CRC is computed over each
/// entry line plus `\n`. Stricter than Java where Java would be silently lossy: a
/// line that is not exactly `<i32>-<i64>` is an error (Java skips it and usually
/// trips the count check instead), and so are non-ascending entries.
pub fn decode(text: &str) -> Result<Vec<EpochEntry>, String> {
    let mut lines = text.lines();
    let count_line = lines.next().ok_or("empty file")?;
    let count: usize = count_line.trim().parse().map_err(|_| format!("bad entry count {count_line:?}"))?;
    let crc_line = lines.next().ok_or("missing CRC line")?;
    let crc: i64 = crc_line.trim().parse().map_err(|_| format!("bad CRC {crc_line:?}"))?;

    let mut block = String::new();
    let mut pairs = Vec::new();
    for line in lines {
        block.push_str(line);
        block.push('\n');
        let parts: Vec<&str> = line.split('-').collect();
        let parsed = match parts[..] {
            [epoch, start] => epoch.parse::<i32>().ok().zip(start.parse::<i64>().ok()),
            _ => None,
        };
        pairs.push(parsed.ok_or_else(|| format!("bad entry line {line:?}"))?);
    }
    if pairs.len() != count {
        return Err(format!("header says {count} entries, found {}", pairs.len()));
    }
    let actual = masked_crc(&block);
    if crc != 0 && crc != actual {
        return Err(format!("CRC mismatch: header {crc}, computed {actual}"));
    }
    Ok(EpochCache::from_entries(pairs)?.entries)
}

/// `<path><suffix>`, e.g. `epochFileCheckpoint.bak`.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// What reading one of the two files produced.
enum Loaded {
    Missing,
    Entries(Vec<EpochEntry>),
}

fn load(path: &Path) -> Result<Loaded, String> {
    match fs::read(path) {
        Ok(bytes) => {
            let text = String::from_utf8(bytes).map_err(|_| "not UTF-8".to_string())?;
            decode(&text).map(Loaded::Entries)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Loaded::Missing),
        Err(e) => Err(format!("read failed: {e}")),
    }
}

/// The epoch file: an [`EpochCache`] whose every mutation is persisted before the
/// method returns. Read-only queries are reachable through `Deref<Target = EpochCache>`.
///
/// Files: `<path>` (main), `<path>.bak` (previous content, the reader's fallback)
/// and transient `<path>.tmp` / `<path>.bak.tmp`. Java overwrites the main file in
/// place without fsync, so a crash mid-write can leave a torn main file next to a
/// stale backup. Here every file is written under a temporary name, fsynced and
/// renamed into place, so at every instant both `<path>` and `<path>.bak` are either
/// absent or complete, and at least one of them holds either the old or the new
/// history. The on-disk bytes are identical to Java's, so the directory stays
/// readable by a Java broker.
///
/// Not internally synchronized: wrap it in a lock if it is shared.
#[derive(Debug)]
pub struct EpochFile {
    path: PathBuf,
    cache: EpochCache,
}

impl Deref for EpochFile {
    type Target = EpochCache;
    fn deref(&self) -> &EpochCache {
        &self.cache
    }
}

impl EpochFile {
    /// Loads `<path>`, falling back to `<path>.bak` when the main file is unreadable,
    /// corrupt or holds zero entries (as Java does). Both missing = empty history.
    ///
    /// Unlike Java, a corrupt main file with no usable backup is an error rather than
    /// an empty history: an empty history makes a slave skip the handshake
    /// consistency check (ha.md §6.1 step 2) and could keep divergent data. Our own
    /// writes never produce that state; deleting the file is the manual way out.
    pub fn open(path: impl Into<PathBuf>) -> Result<EpochFile> {
        let path = path.into();
        let bak = sibling(&path, ".bak");
        let (main_reason, main_corrupt) = match load(&path) {
            Ok(Loaded::Entries(entries)) if !entries.is_empty() => {
                return Ok(EpochFile { path, cache: EpochCache { entries } });
            }
            Ok(Loaded::Missing) => (None, false),
            Ok(Loaded::Entries(_)) => (Some("holds zero entries".to_string()), false),
            Err(reason) => (Some(reason), true),
        };
        if let Some(reason) = &main_reason {
            tracing::warn!(file = %path.display(), %reason, "epoch file unusable, reading {}", bak.display());
        }
        let entries = match load(&bak) {
            Ok(Loaded::Entries(entries)) => entries,
            Ok(Loaded::Missing) if !main_corrupt => Vec::new(),
            Ok(Loaded::Missing) => {
                let reason = format!("{}; no backup file", main_reason.unwrap_or_default());
                return Err(StoreError::BadMetadata { path, reason });
            }
            Err(bak_reason) => {
                let main = main_reason.unwrap_or_else(|| "missing".to_string());
                let reason = format!("{main}; backup {}: {bak_reason}", bak.display());
                return Err(StoreError::BadMetadata { path, reason });
            }
        };
        Ok(EpochFile { path, cache: EpochCache { entries } })
    }

    /// [`EpochFile::open`] followed by [`EpochFile::drop_entries_beyond`] (P-H7).
    pub fn open_trimmed(path: impl Into<PathBuf>, max_phy_offset: i64) -> Result<EpochFile> {
        let mut file = EpochFile::open(path)?;
        let dropped = file.drop_entries_beyond(max_phy_offset)?;
        if dropped > 0 {
            tracing::warn!(
                file = %file.path.display(),
                dropped,
                max_phy_offset,
                "dropped epoch entries starting beyond the commit log end"
            );
        }
        Ok(file)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn cache(&self) -> &EpochCache {
        &self.cache
    }

    /// [`EpochCache::append`], persisted. `Ok(false)` = rejected, nothing written.
    pub fn append(&mut self, epoch: i32, start_offset: i64) -> Result<bool> {
        self.mutate(|c| usize::from(c.append(epoch, start_offset))).map(|n| n > 0)
    }

    /// [`EpochCache::truncate_suffix_by_epoch`], persisted.
    pub fn truncate_suffix_by_epoch(&mut self, epoch: i32) -> Result<usize> {
        self.mutate(|c| c.truncate_suffix_by_epoch(epoch))
    }

    /// [`EpochCache::truncate_suffix_by_offset`], persisted.
    pub fn truncate_suffix_by_offset(&mut self, offset: i64) -> Result<usize> {
        self.mutate(|c| c.truncate_suffix_by_offset(offset))
    }

    /// [`EpochCache::truncate_prefix_by_offset`], persisted.
    pub fn truncate_prefix_by_offset(&mut self, offset: i64) -> Result<usize> {
        self.mutate(|c| c.truncate_prefix_by_offset(offset))
    }

    /// Drops entries whose start is beyond `max_phy_offset` (P-H7): a slave persists
    /// a new epoch entry before the bytes it labels, and a crash in between leaves an
    /// entry no local byte belongs to, which would push the next consistent point
    /// past the local log. An entry starting exactly at `max_phy_offset` is legitimate
    /// (a term that has not written yet) and is kept. Call once at startup.
    pub fn drop_entries_beyond(&mut self, max_phy_offset: i64) -> Result<usize> {
        self.truncate_suffix_by_offset(max_phy_offset.saturating_add(1))
    }

    /// Applies `f` to a copy, persists the copy if `f` reports changes, then adopts
    /// it; on an I/O error memory keeps matching what is on disk.
    fn mutate(&mut self, f: impl FnOnce(&mut EpochCache) -> usize) -> Result<usize> {
        let mut next = self.cache.clone();
        let changed = f(&mut next);
        if changed > 0 {
            self.persist(&next)?;
            self.cache = next;
        }
        Ok(changed)
    }

    /// Writes `next` crash-safely (see the type docs), keeping the current history as
    /// the backup. An empty history deletes both files (P-H6): Java leaves the old
    /// content in place and the entries reappear after a restart, and even a
    /// zero-entry main file would not help since the reader then falls back to the
    /// backup. The backup goes first so no crash leaves a lone, stale backup.
    fn persist(&self, next: &EpochCache) -> Result<()> {
        let bak = sibling(&self.path, ".bak");
        let dir = match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if next.is_empty() {
            remove_if_exists(&bak)?;
            remove_if_exists(&self.path)?;
        } else {
            fs::create_dir_all(&dir).ctx("create dir", &dir)?;
            let tmp = sibling(&self.path, ".tmp");
            write_synced(&tmp, &encode(&next.entries))?;
            if self.cache.is_empty() {
                // Nothing to back up; a leftover backup would describe an older,
                // unrelated history.
                remove_if_exists(&bak)?;
            } else {
                // The backup is written from memory rather than copied from the main
                // file: memory is known good, the main file may be the corrupt one we
                // fell back from.
                let bak_tmp = sibling(&self.path, ".bak.tmp");
                write_synced(&bak_tmp, &encode(&self.cache.entries))?;
                fs::rename(&bak_tmp, &bak).ctx("rename", &bak_tmp)?;
            }
            fs::rename(&tmp, &self.path).ctx("rename", &tmp)?;
        }
        File::open(&dir).and_then(|d| d.sync_all()).ctx("fsync dir", &dir)
    }
}

fn write_synced(path: &Path, text: &str) -> Result<()> {
    let mut f = File::create(path).ctx("create", path)?;
    f.write_all(text.as_bytes()).ctx("write", path)?;
    f.sync_all().ctx("fsync", path)
}

fn remove_if_exists(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e).ctx("remove", path),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SPEC_EXAMPLE: &str = "2\n773307083\n7-7000\n8-8000\n";

    fn cache(pairs: &[(i32, i64)]) -> EpochCache {
        EpochCache::from_entries(pairs.iter().copied()).unwrap()
    }

    fn pairs(c: &EpochCache) -> Vec<(i32, i64)> {
        c.entries().iter().map(|e| (e.epoch, e.start_offset)).collect()
    }

    fn e(epoch: i32, start: i64, end: i64) -> EpochEntry {
        EpochEntry { epoch, start_offset: start, end_offset: end }
    }

    // ---- format ----

    #[test]
    fn spec_checksum_example_round_trips_byte_identically() {
        let entries = decode(SPEC_EXAMPLE).unwrap();
        assert_eq!(entries, vec![e(7, 7000, 8000), e(8, 8000, i64::MAX)]);
        assert_eq!(encode(&entries), SPEC_EXAMPLE);
    }

    #[test]
    fn crc_zero_is_unchecked() {
        let entries = decode("2\n0\n7-7000\n8-8000\n").unwrap();
        assert_eq!(entries.len(), 2);
    }

    #[test]
    fn decode_tolerates_what_java_readline_tolerates() {
        assert_eq!(decode("2\n773307083\n7-7000\n8-8000").unwrap().len(), 2);
        assert_eq!(decode("2\r\n773307083\r\n7-7000\r\n8-8000\r\n").unwrap().len(), 2);
    }

    #[test]
    fn decode_errors() {
        for bad in [
            "",
            "2\n",
            "x\n0\n",
            "2\n773307084\n7-7000\n8-8000\n", // CRC mismatch
            "3\n0\n7-7000\n8-8000\n",         // count mismatch
            "1\n0\n7-7000\n8-8000\n",
            "1\n0\n7:7000\n",
            "1\n0\n7-7000-1\n",
            "1\n0\n7-\n",
            "1\n0\nx-7000\n",
            "1\n0\n99999999999-0\n",  // epoch overflows i32
            "2\n0\n7-7000\n\n",       // blank line
            "2\n0\n8-7000\n7-8000\n", // epochs descend
            "2\n0\n7-8000\n8-8000\n", // offsets do not ascend
        ] {
            assert!(decode(bad).is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn empty_encodes_as_zero_zero() {
        assert_eq!(encode(&[]), "0\n0\n");
        assert_eq!(decode("0\n0\n").unwrap(), vec![]);
    }

    fn arb_cache() -> impl Strategy<Value = EpochCache> {
        (0..1000i32, 0..1i64 << 40, prop::collection::vec((1..1000i32, 1..1i64 << 30), 0..20)).prop_map(
            |(mut epoch, mut start, steps)| {
                let mut c = EpochCache::new();
                assert!(c.append(epoch, start));
                for (de, ds) in steps {
                    epoch += de;
                    start += ds;
                    assert!(c.append(epoch, start));
                }
                c
            },
        )
    }

    proptest! {
        #[test]
        fn encode_decode_round_trip(c in arb_cache()) {
            let text = encode(c.entries());
            let back = decode(&text).unwrap();
            prop_assert_eq!(&back[..], c.entries());
            prop_assert_eq!(encode(&back), text);
        }
    }

    // ---- cache rules ----

    #[test]
    fn append_rejection_rules() {
        let mut c = EpochCache::new();
        assert_eq!(c.last_epoch(), -1);
        assert!(c.append(5, 100));
        assert!(!c.append(5, 200), "same epoch");
        assert!(!c.append(4, 200), "older epoch");
        assert!(!c.append(6, 100), "same start offset");
        assert!(!c.append(6, 50), "smaller start offset");
        assert_eq!(c.entries(), &[e(5, 100, i64::MAX)]);
        assert!(c.append(7, 300));
        assert_eq!(c.entries(), &[e(5, 100, 300), e(7, 300, i64::MAX)]);
        assert_eq!(c.last_epoch(), 7);
        assert_eq!(c.first_entry(), Some(e(5, 100, 300)));
        assert_eq!(c.last_entry(), Some(e(7, 300, i64::MAX)));
        assert!(EpochCache::from_entries([(1, 0), (1, 10)]).is_err());
    }

    #[test]
    fn suffix_truncation_reopens_last_entry() {
        let mut c = cache(&[(1, 0), (2, 100), (3, 200), (4, 300)]);
        assert_eq!(c.truncate_suffix_by_epoch(3), 2);
        assert_eq!(c.entries(), &[e(1, 0, 100), e(2, 100, i64::MAX)]);
        assert_eq!(c.find_by_offset(250), Some(e(2, 100, i64::MAX)));
        assert_eq!(c.truncate_suffix_by_epoch(9), 0);

        let mut c = cache(&[(1, 0), (2, 100), (3, 200)]);
        assert_eq!(c.truncate_suffix_by_offset(150), 1);
        assert_eq!(c.entries(), &[e(1, 0, 100), e(2, 100, i64::MAX)]);
        assert_eq!(c.truncate_suffix_by_offset(100), 1, "start == offset is removed");
        assert_eq!(c.entries(), &[e(1, 0, i64::MAX)]);
        assert_eq!(c.truncate_suffix_by_offset(0), 1);
        assert!(c.is_empty());
        assert_eq!(c.last_epoch(), -1);
    }

    #[test]
    fn prefix_truncation_removes_fully_deleted_epochs() {
        let mut c = cache(&[(1, 0), (2, 100), (3, 200)]);
        assert_eq!(c.truncate_prefix_by_offset(99), 0);
        assert_eq!(c.truncate_prefix_by_offset(100), 1, "end == offset is removed");
        assert_eq!(c.entries(), &[e(2, 100, 200), e(3, 200, i64::MAX)]);
        assert_eq!(c.truncate_prefix_by_offset(1 << 50), 1, "last entry (end +inf) stays");
        assert_eq!(c.entries(), &[e(3, 200, i64::MAX)]);
    }

    #[test]
    fn lookups_and_boundaries() {
        let c = cache(&[(1, 0), (3, 100), (4, 200)]);
        assert_eq!(c.find_by_offset(-1), None);
        assert_eq!(c.find_by_offset(0).unwrap().epoch, 1);
        assert_eq!(c.find_by_offset(99).unwrap().epoch, 1);
        assert_eq!(c.find_by_offset(100).unwrap().epoch, 3);
        assert_eq!(c.find_by_offset(199).unwrap().epoch, 3);
        assert_eq!(c.find_by_offset(200).unwrap().epoch, 4);
        assert_eq!(c.find_by_offset(i64::MAX - 1).unwrap().epoch, 4);
        assert_eq!(c.find_by_offset(i64::MAX), None);
        assert_eq!(cache(&[(1, 50)]).find_by_offset(49), None);
        assert_eq!(c.find_by_epoch(3), Some(e(3, 100, 200)));
        assert_eq!(c.find_by_epoch(2), None);
        assert_eq!(c.next_entry(1).unwrap().epoch, 3);
        assert_eq!(c.next_entry(2).unwrap().epoch, 3);
        assert_eq!(c.next_entry(0).unwrap().epoch, 1);
        assert_eq!(c.next_entry(4), None);
        assert_eq!(EpochCache::new().find_by_offset(0), None);
    }

    // ---- consistent point (ha.md §6.1) ----

    fn master(pairs: &[(i32, i64)]) -> Vec<EpochEntry> {
        pairs.iter().map(|&(ep, s)| EpochEntry::new(ep, s)).collect()
    }

    #[test]
    fn consistent_point_identical_histories() {
        let local = cache(&[(1, 0), (2, 100)]);
        assert_eq!(find_consistent_point(&local, 500, &master(&[(1, 0), (2, 100)]), 500), 500);
        // Slave behind in the same epoch: its own end.
        assert_eq!(find_consistent_point(&local, 300, &master(&[(1, 0), (2, 100)]), 500), 300);
    }

    #[test]
    fn consistent_point_slave_ahead_in_same_epoch() {
        let local = cache(&[(1, 0), (2, 100)]);
        assert_eq!(find_consistent_point(&local, 700, &master(&[(1, 0), (2, 100)]), 500), 500);
    }

    #[test]
    fn consistent_point_slave_has_extra_epoch() {
        // Slave was master of epoch 3 (wrote 200..260 nobody got), master is epoch 4
        // which started at 150: truncate to where master's epoch 2 ended.
        let local = cache(&[(1, 0), (2, 100), (3, 200)]);
        let m = master(&[(1, 0), (2, 100), (4, 150)]);
        assert_eq!(find_consistent_point(&local, 260, &m, 900), 150);
    }

    #[test]
    fn consistent_point_divergent_start_goes_to_older_epoch() {
        let local = cache(&[(1, 0), (2, 100), (3, 300)]);
        let m = master(&[(1, 0), (2, 100), (3, 250)]);
        assert_eq!(find_consistent_point(&local, 400, &m, 600), 250);
        // Divergent epoch 2 too: down to epoch 1, end = min(100, 80).
        let m = master(&[(1, 0), (2, 80), (3, 250)]);
        assert_eq!(find_consistent_point(&local, 400, &m, 600), 80);
    }

    #[test]
    fn consistent_point_none() {
        let local = cache(&[(2, 100), (3, 200)]);
        assert_eq!(find_consistent_point(&local, 300, &master(&[(1, 0), (4, 50)]), 600), -1);
        assert_eq!(find_consistent_point(&local, 300, &master(&[(2, 90), (3, 200)]), 600), 300);
        assert_eq!(find_consistent_point(&local, 300, &master(&[(2, 90), (3, 210)]), 600), -1);
        assert_eq!(find_consistent_point(&local, 300, &[], 0), -1);
        assert_eq!(find_consistent_point(&EpochCache::new(), 0, &master(&[(1, 0)]), 10), -1);
    }

    #[test]
    fn consistent_point_local_last_start_beyond_max_offset() {
        // P-H7 state: entry 3 persisted at 500 but the log ends at 300. The local last
        // end stays +inf, so the master's end wins (past the local log: the reason
        // drop_entries_beyond exists).
        let local = cache(&[(1, 0), (2, 100), (3, 500)]);
        let m = master(&[(1, 0), (2, 100), (3, 500)]);
        assert_eq!(find_consistent_point(&local, 300, &m, 800), 800);
        // Master does not know epoch 3: epoch 2's end (500) bounded by master's 450.
        let m = master(&[(1, 0), (2, 100), (4, 450)]);
        assert_eq!(find_consistent_point(&local, 300, &m, 800), 450);
        // After the P-H7 fix the point is inside the local log.
        let mut fixed = local.clone();
        fixed.truncate_suffix_by_offset(301);
        assert_eq!(find_consistent_point(&fixed, 300, &m, 800), 300);
    }

    #[test]
    fn consistent_point_sorts_master_entries() {
        let local = cache(&[(1, 0), (2, 100)]);
        let m = master(&[(2, 100), (1, 0)]);
        assert_eq!(find_consistent_point(&local, 500, &m, 400), 400);
    }

    // ---- file ----

    fn bak(p: &Path) -> PathBuf {
        sibling(p, ".bak")
    }

    #[test]
    fn file_persists_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("epochFileCheckpoint");
        let mut f = EpochFile::open(&p).unwrap();
        assert!(f.is_empty());
        assert!(f.append(7, 7000).unwrap());
        assert!(!bak(&p).exists(), "nothing to back up on the first write");
        assert!(f.append(8, 8000).unwrap());
        assert!(!f.append(8, 9000).unwrap());
        assert_eq!(fs::read_to_string(&p).unwrap(), SPEC_EXAMPLE);
        assert_eq!(fs::read_to_string(bak(&p)).unwrap(), encode(&[EpochEntry::new(7, 7000)]));
        assert!(!sibling(&p, ".tmp").exists() && !sibling(&p, ".bak.tmp").exists());
        let g = EpochFile::open(&p).unwrap();
        assert_eq!(g.cache(), f.cache());
        assert_eq!(g.last_epoch(), 8);
        assert_eq!(g.path(), p);
    }

    #[test]
    fn corrupt_main_falls_back_to_bak() {
        for garbage in [
            "2\n773307084\n7-7000\n8-8000\n".as_bytes(), // bad CRC
            b"2\n773307083\n7-7000\n8-80",               // truncated
            b"\x00\xff\xfe garbage",
            b"",
            b"0\n0\n", // zero entries
        ] {
            let dir = tempfile::tempdir().unwrap();
            let p = dir.path().join("epoch");
            let mut f = EpochFile::open(&p).unwrap();
            f.append(7, 7000).unwrap();
            f.append(8, 8000).unwrap();
            fs::write(&p, garbage).unwrap();
            let g = EpochFile::open(&p).unwrap();
            assert_eq!(pairs(g.cache()), vec![(7, 7000)], "main {garbage:?}");
            // The next write keeps a valid backup (from memory, not the bad main).
            let mut g = g;
            assert!(g.append(9, 9000).unwrap());
            assert_eq!(decode(&fs::read_to_string(bak(&p)).unwrap()).unwrap().len(), 1);
            assert_eq!(pairs(EpochFile::open(&p).unwrap().cache()), vec![(7, 7000), (9, 9000)]);
        }
    }

    #[test]
    fn missing_main_reads_bak() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("epoch");
        fs::write(bak(&p), SPEC_EXAMPLE).unwrap();
        assert_eq!(EpochFile::open(&p).unwrap().len(), 2);
    }

    #[test]
    fn corrupt_main_without_usable_backup_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("epoch");
        fs::write(&p, "garbage").unwrap();
        assert!(matches!(EpochFile::open(&p), Err(StoreError::BadMetadata { .. })));
        fs::write(bak(&p), "also garbage").unwrap();
        assert!(matches!(EpochFile::open(&p), Err(StoreError::BadMetadata { .. })));
        // Zero entries in main + missing backup is just an empty history.
        fs::write(&p, "0\n0\n").unwrap();
        fs::remove_file(bak(&p)).unwrap();
        assert!(EpochFile::open(&p).unwrap().is_empty());
    }

    #[test]
    fn empty_cache_deletes_both_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("epoch");
        let mut f = EpochFile::open(&p).unwrap();
        f.append(1, 0).unwrap();
        f.append(2, 100).unwrap();
        assert!(p.exists() && bak(&p).exists());
        assert_eq!(f.truncate_suffix_by_epoch(1).unwrap(), 2);
        assert!(!p.exists() && !bak(&p).exists());
        assert!(EpochFile::open(&p).unwrap().is_empty());
        // And the history restarts cleanly without a stale backup.
        f.append(5, 500).unwrap();
        assert!(!bak(&p).exists());
        assert_eq!(pairs(EpochFile::open(&p).unwrap().cache()), vec![(5, 500)]);
    }

    #[test]
    fn file_truncations_persist() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("epoch");
        let mut f = EpochFile::open(&p).unwrap();
        for (ep, s) in [(1, 0), (2, 100), (3, 200), (4, 300)] {
            f.append(ep, s).unwrap();
        }
        assert_eq!(f.truncate_prefix_by_offset(99).unwrap(), 0);
        assert_eq!(f.truncate_prefix_by_offset(100).unwrap(), 1);
        assert_eq!(f.truncate_suffix_by_offset(300).unwrap(), 1);
        let g = EpochFile::open(&p).unwrap();
        assert_eq!(g.entries(), &[e(2, 100, 200), e(3, 200, i64::MAX)]);
    }

    #[test]
    fn drop_entries_beyond_max_phy_offset() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("epoch");
        let mut f = EpochFile::open(&p).unwrap();
        for (ep, s) in [(1, 0), (2, 100), (3, 300)] {
            f.append(ep, s).unwrap();
        }
        assert_eq!(f.drop_entries_beyond(300).unwrap(), 0, "start == max is kept");
        let g = EpochFile::open_trimmed(&p, 299).unwrap();
        assert_eq!(g.entries(), &[e(1, 0, 100), e(2, 100, i64::MAX)]);
        assert_eq!(pairs(EpochFile::open(&p).unwrap().cache()), vec![(1, 0), (2, 100)]);
        assert_eq!(EpochFile::open(&p).unwrap().drop_entries_beyond(i64::MAX).unwrap(), 0);
    }

    #[test]
    fn failed_persist_leaves_memory_and_disk_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("epoch");
        let mut f = EpochFile::open(&p).unwrap();
        f.append(1, 0).unwrap();
        fs::create_dir(sibling(&p, ".tmp")).unwrap(); // makes File::create fail
        assert!(matches!(f.append(2, 100), Err(StoreError::Io { .. })));
        assert_eq!(pairs(f.cache()), vec![(1, 0)]);
        assert_eq!(pairs(EpochFile::open(&p).unwrap().cache()), vec![(1, 0)]);
    }
}
