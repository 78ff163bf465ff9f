//! Memory-mapped files of fixed size, named by the 20-digit offset of their
//! first byte (spec/store.md §2). The only module with `unsafe`.
//!
//! Concurrency contract: bytes below the published `wrote_position` are only
//! read; bytes at or above it are written by one writer at a time (an internal
//! lock enforces it). The one exception is `truncate_to`, which discards bytes
//! below the old position: callers stop the dispatcher and readers of those
//! offsets first, exactly like RocketMQ's truncateDirtyFiles.

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use memmap2::{MmapOptions, MmapRaw};
use nix::errno::Errno;
use nix::fcntl::{FallocateFlags, fallocate};
use parking_lot::Mutex;

use crate::error::{IoContext, Result, StoreError};

/// `offset` as RocketMQ names its files: decimal, zero-padded to 20 digits.
pub fn file_name(offset: i64) -> String {
    format!("{offset:020}")
}

/// How appends reach the file. Reads always go through the mapping (the
/// page cache is shared, so both see the same bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WriteMode {
    /// memcpy into the mapping: cheapest for small units (ConsumeQueue
    /// entries, ASYNC_FLUSH puts of ~1 KiB, where a system call per put
    /// measured 2x slower), with pages faulted in ahead by `prefault`.
    #[default]
    Mmap,
    /// `pwrite` into the page cache: no page-fault storm on fresh pages and
    /// `fdatasync` writes back only dirty pages (SYNC_FLUSH CommitLog
    /// appends, whose group commits measured ~3x faster than with msync).
    Pwrite,
}

pub struct MappedFile {
    path: PathBuf,
    file: File,
    map: MmapRaw,
    write_mode: WriteMode,
    file_from_offset: i64,
    file_size: usize,
    wrote_position: AtomicUsize,
    flushed_position: AtomicUsize,
    write_lock: Mutex<()>,
}

impl std::fmt::Debug for MappedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MappedFile")
            .field("path", &self.path)
            .field("wrote", &self.wrote_position())
            .field("flushed", &self.flushed_position())
            .finish()
    }
}

impl MappedFile {
    /// Creates (or reuses an existing, correctly sized) file at full size; sparse.
    pub fn create(dir: &Path, file_from_offset: i64, file_size: usize) -> Result<Self> {
        let path = dir.join(file_name(file_from_offset));
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .ctx("create", &path)?;
        let sized = file
            .set_len(file_size as u64)
            .ctx("set_len", &path)
            .and_then(|()| preallocate(&file, &path, file_size));
        if let Err(e) = sized {
            // Leave no half-made file behind: on restart it would be a size mismatch.
            let _ = fs::remove_file(&path);
            return Err(e);
        }
        Self::map(path, file, file_from_offset, file_size, 0)
    }

    /// Maps an existing file; its size must be `file_size` (spec §2 rule 2).
    /// The write position starts at the end: recovery sets the real one.
    pub fn open(path: PathBuf, file_size: usize) -> Result<Self> {
        let file_from_offset =
            path.file_name().and_then(|n| n.to_str()).and_then(|n| n.parse::<i64>().ok()).ok_or_else(
                || StoreError::Corrupt {
                    path: path.clone(),
                    offset: 0,
                    reason: "file name is not an offset".into(),
                },
            )?;
        let file = OpenOptions::new().read(true).write(true).open(&path).ctx("open", &path)?;
        let actual = file.metadata().ctx("stat", &path)?.len();
        if actual != file_size as u64 {
            return Err(StoreError::BadFileSize { path, actual, expected: file_size as u64 });
        }
        Self::map(path, file, file_from_offset, file_size, file_size)
    }

    fn map(
        path: PathBuf,
        file: File,
        file_from_offset: i64,
        file_size: usize,
        position: usize,
    ) -> Result<Self> {
        let map = MmapOptions::new().len(file_size).map_raw(&file).ctx("mmap", &path)?;
        Ok(Self {
            path,
            file,
            map,
            write_mode: WriteMode::Mmap,
            file_from_offset,
            file_size,
            wrote_position: AtomicUsize::new(position),
            flushed_position: AtomicUsize::new(position),
            write_lock: Mutex::new(()),
        })
    }

    /// Chooses how appends reach the file (before the first append).
    pub fn with_write_mode(mut self, mode: WriteMode) -> Self {
        self.write_mode = mode;
        self
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn file_from_offset(&self) -> i64 {
        self.file_from_offset
    }

    pub fn file_size(&self) -> usize {
        self.file_size
    }

    pub fn wrote_position(&self) -> usize {
        self.wrote_position.load(Ordering::Acquire)
    }

    pub fn flushed_position(&self) -> usize {
        self.flushed_position.load(Ordering::Acquire)
    }

    pub fn is_full(&self) -> bool {
        self.wrote_position() == self.file_size
    }

    pub fn remaining(&self) -> usize {
        self.file_size - self.wrote_position()
    }

    /// Appends `data` at the write position; `Ok(None)` if it does not fit.
    /// Returns the position it was written at.
    pub fn append(&self, data: &[u8]) -> Result<Option<usize>> {
        self.append_parts(&[data])
    }

    /// Appends several slices back to back, all or nothing.
    pub fn append_parts(&self, parts: &[&[u8]]) -> Result<Option<usize>> {
        self.append_with(self.write_mode, parts)
    }

    /// Appends with `pwrite` whatever the write mode: for large chunks
    /// (replicated CommitLog bytes), where whole pages written through the
    /// page cache need neither a page fault nor zeroing first, unlike a
    /// copy into fresh mapped pages. Reads through the mapping see the
    /// bytes: both go through the same page cache.
    pub fn append_chunk(&self, data: &[u8]) -> Result<Option<usize>> {
        self.append_with(WriteMode::Pwrite, &[data])
    }

    fn append_with(&self, mode: WriteMode, parts: &[&[u8]]) -> Result<Option<usize>> {
        let _guard = self.write_lock.lock();
        let start = self.wrote_position.load(Ordering::Acquire);
        let len: usize = parts.iter().map(|p| p.len()).sum();
        if len > self.file_size - start {
            return Ok(None);
        }
        let mut pos = start;
        for part in parts {
            match mode {
                WriteMode::Pwrite => {
                    use std::os::unix::fs::FileExt;
                    // On failure the position is not advanced: the bytes
                    // written so far are beyond it and get overwritten.
                    self.file.write_all_at(part, pos as u64).ctx("write", &self.path)?;
                }
                // SAFETY: [pos, pos + len) lies inside the mapping (checked
                // above) and at or beyond the published write position, so no
                // reader holds a reference to it; the write lock excludes
                // other writers.
                WriteMode::Mmap => unsafe {
                    std::ptr::copy_nonoverlapping(part.as_ptr(), self.map.as_mut_ptr().add(pos), part.len())
                },
            }
            pos += part.len();
        }
        self.wrote_position.store(pos, Ordering::Release);
        Ok(Some(start))
    }

    /// Faults in `[pos, pos + len)` writable ahead of the writer, so appends
    /// copy into mapped pages instead of taking a page fault per 4 KiB while
    /// holding the CommitLog lock. A kernel without MADV_POPULATE_WRITE makes
    /// this a no-op.
    pub fn prefault(&self, pos: usize, len: usize) {
        let pos = pos.min(self.file_size);
        let len = len.min(self.file_size - pos);
        if len > 0 && self.write_mode == WriteMode::Mmap {
            let _ = self.map.advise_range(memmap2::Advice::PopulateWrite, pos, len);
        }
    }

    /// Marks the file full without writing (the tail is already zero or a BLANK).
    pub fn fill_to_end(&self) {
        let _guard = self.write_lock.lock();
        self.wrote_position.store(self.file_size, Ordering::Release);
    }

    /// The published bytes `[pos, pos + len)`, borrowed.
    pub fn read(&self, pos: usize, len: usize) -> Option<&[u8]> {
        let end = pos.checked_add(len)?;
        if end > self.wrote_position() {
            return None;
        }
        // SAFETY: the range is inside the mapping and below the published
        // write position, so writers no longer touch it (see module docs).
        Some(unsafe { std::slice::from_raw_parts(self.map.as_ptr().add(pos), len) })
    }

    /// Everything published from `pos` to the write position.
    pub fn read_from(&self, pos: usize) -> &[u8] {
        let end = self.wrote_position();
        self.read(pos.min(end), end - pos.min(end)).unwrap_or_default()
    }

    /// Bytes of the whole mapping from `pos`, published or not: recovery scans
    /// files whose real end is not known yet.
    pub fn read_unpublished(&self, pos: usize) -> &[u8] {
        let pos = pos.min(self.file_size);
        // SAFETY: inside the mapping; only called before any writer starts.
        unsafe { std::slice::from_raw_parts(self.map.as_ptr().add(pos), self.file_size - pos) }
    }

    /// The published bytes `[pos, pos + len)` as a zero-copy `Bytes` that keeps
    /// the mapping alive.
    pub fn slice(self: &Arc<Self>, pos: usize, len: usize) -> Option<Bytes> {
        self.read(pos, len)?;
        Some(Bytes::from_owner(MappedRange { file: Arc::clone(self), pos, len }))
    }

    /// Forces written bytes to disk when at least `least_pages` 4 KiB pages are
    /// dirty (0 = always). Returns the flushed position.
    pub fn flush(&self, least_pages: usize) -> Result<usize> {
        let wrote = self.wrote_position();
        let flushed = self.flushed_position();
        if wrote <= flushed {
            return Ok(flushed);
        }
        let full_and_unflushed = wrote == self.file_size;
        if least_pages > 0 && !full_and_unflushed && (wrote / 4096 - flushed / 4096) < least_pages {
            return Ok(flushed);
        }
        match self.write_mode {
            WriteMode::Mmap => self.map.flush_range(flushed, wrote - flushed).ctx("msync", &self.path)?,
            WriteMode::Pwrite => self.file.sync_data().ctx("fdatasync", &self.path)?,
        }
        self.flushed_position.fetch_max(wrote, Ordering::AcqRel);
        Ok(self.flushed_position())
    }

    /// Sets the write position back to `pos` and discards everything after it,
    /// durably: the stale tail is zeroed (hole-punched) and synced before this
    /// returns, so old records can never reappear after a crash.
    pub fn truncate_to(&self, pos: usize) -> Result<()> {
        let _guard = self.write_lock.lock();
        let pos = pos.min(self.file_size);
        zero_range(&self.file, &self.path, pos, self.file_size - pos)?;
        self.file.sync_data().ctx("fdatasync", &self.path)?;
        self.wrote_position.store(pos, Ordering::Release);
        self.flushed_position.store(pos, Ordering::Release);
        Ok(())
    }

    /// Sets the positions found by recovery, without touching bytes.
    pub fn set_positions(&self, pos: usize) {
        let _guard = self.write_lock.lock();
        self.wrote_position.store(pos, Ordering::Release);
        self.flushed_position.store(pos, Ordering::Release);
    }

    pub fn last_modified_ms(&self) -> i64 {
        fs::metadata(&self.path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_millis() as i64)
    }

    /// Removes the file from disk; the mapping lives until the last reader drops it.
    pub fn delete(&self) -> Result<()> {
        match fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e).ctx("delete", &self.path),
        }
    }
}

/// Reserves the blocks of `[0, len)` so that writes through the mapping can
/// never hit a full disk: a full disk must fail here, as an error, instead of
/// as SIGBUS on a page fault later. File systems without fallocate stay sparse.
fn preallocate(file: &File, path: &Path, len: usize) -> Result<()> {
    match fallocate(file, FallocateFlags::empty(), 0, len as i64) {
        Ok(()) | Err(Errno::EOPNOTSUPP) => Ok(()),
        Err(e) => Err(std::io::Error::from(e)).ctx("preallocate", path),
    }
}

/// Zeroes `[pos, pos + len)` of `file` and keeps it allocated: ZERO_RANGE
/// where supported, else a hole punch followed by a fresh reservation, else
/// explicit zero writes.
fn zero_range(file: &File, path: &Path, pos: usize, len: usize) -> Result<()> {
    if len == 0 {
        return Ok(());
    }
    let (off, n) = (pos as i64, len as i64);
    if fallocate(file, FallocateFlags::FALLOC_FL_ZERO_RANGE, off, n).is_ok() {
        return Ok(());
    }
    let punch = FallocateFlags::FALLOC_FL_PUNCH_HOLE | FallocateFlags::FALLOC_FL_KEEP_SIZE;
    if fallocate(file, punch, off, n).is_ok() {
        return preallocate_range(file, path, off, n);
    }
    use std::os::unix::fs::FileExt;
    let zeros = vec![0u8; 1 << 20];
    let mut at = pos;
    while at < pos + len {
        let n = (pos + len - at).min(zeros.len());
        file.write_all_at(&zeros[..n], at as u64).ctx("zero-fill", path)?;
        at += n;
    }
    Ok(())
}

fn preallocate_range(file: &File, path: &Path, off: i64, len: i64) -> Result<()> {
    match fallocate(file, FallocateFlags::FALLOC_FL_KEEP_SIZE, off, len) {
        Ok(()) | Err(Errno::EOPNOTSUPP) => Ok(()),
        Err(e) => Err(std::io::Error::from(e)).ctx("preallocate", path),
    }
}

/// Owner of a zero-copy slice: keeps the mapping alive while `Bytes` exist.
struct MappedRange {
    file: Arc<MappedFile>,
    pos: usize,
    len: usize,
}

impl AsRef<[u8]> for MappedRange {
    fn as_ref(&self) -> &[u8] {
        // SAFETY: the range was published when the slice was made and
        // published bytes are not rewritten (module docs).
        unsafe { std::slice::from_raw_parts(self.file.map.as_ptr().add(self.pos), self.len) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn append_read_flush_truncate() {
        let dir = tempfile::tempdir().unwrap();
        let f = Arc::new(MappedFile::create(dir.path(), 8192, 8192).unwrap());
        assert_eq!(f.path().file_name().unwrap(), "00000000000000008192");
        assert_eq!(f.append(b"hello").unwrap(), Some(0));
        assert_eq!(f.append_parts(&[b"ab", b"cd"]).unwrap(), Some(5));
        assert_eq!(f.read(0, 9), Some(&b"helloabcd"[..]));
        assert_eq!(f.read(0, 10), None, "unpublished bytes are not readable");
        let s = f.slice(5, 4).unwrap();
        assert_eq!(&s[..], b"abcd");
        assert_eq!(f.flush(4).unwrap(), 0, "fewer dirty pages than asked");
        assert_eq!(f.flush(0).unwrap(), 9);
        assert_eq!(f.append(&[1u8; 8192]).unwrap(), None, "does not fit");
        f.truncate_to(5).unwrap();
        assert_eq!(f.wrote_position(), 5);
        assert_eq!(&s[..], b"\0\0\0\0", "truncation zeroes the discarded tail");
        drop(f);
        let reopened = MappedFile::open(dir.path().join(file_name(8192)), 8192).unwrap();
        assert_eq!(reopened.read_unpublished(0)[..9], *b"hello\0\0\0\0");
        assert!(matches!(
            MappedFile::open(dir.path().join(file_name(8192)), 4096),
            Err(StoreError::BadFileSize { .. })
        ));
    }

    #[test]
    fn pwrite_chunks_and_mapped_appends_share_the_page_cache() {
        let dir = tempfile::tempdir().unwrap();
        let f = MappedFile::create(dir.path(), 0, 3 * 4096).unwrap();
        let chunk: Vec<u8> = (0..6000u32).map(|i| i as u8).collect();
        assert_eq!(f.append_chunk(&chunk).unwrap(), Some(0));
        assert_eq!(f.read(0, 6000), Some(&chunk[..]), "pwrite bytes are visible through the mapping");
        assert_eq!(f.append(b"mapped").unwrap(), Some(6000));
        assert_eq!(f.append_chunk(&[7u8; 4096]).unwrap(), Some(6006));
        assert_eq!(f.append_chunk(&[0u8; 4096]).unwrap(), None, "does not fit");
        assert_eq!(f.flush(0).unwrap(), 6006 + 4096);
        drop(f);
        let on_disk = fs::read(dir.path().join(file_name(0))).unwrap();
        assert_eq!(on_disk[..6000], chunk[..]);
        assert_eq!(on_disk[6000..6006], *b"mapped");
        assert!(on_disk[6006..6006 + 4096].iter().all(|&b| b == 7));
        assert!(on_disk[6006 + 4096..].iter().all(|&b| b == 0));
    }
}

use std::sync::atomic::{AtomicI32, AtomicI64, AtomicU8};

/// A fixed-size mapped file read and written at random positions (index
/// files, spec/store.md §6), unlike the append-only [`MappedFile`].
///
/// Every access goes through atomics, so no interleaving of calls on shared
/// references can be a data race: integers are `AtomicI32`/`AtomicI64` views
/// of the mapping (stored big-endian, RocketMQ's on-disk order), and byte
/// ranges are copied one relaxed `AtomicU8` at a time (plain byte moves on
/// every target we build for). That is why reads copy out instead of
/// lending a `&[u8]`: a borrowed slice could be rewritten by a concurrent
/// `write_bytes`, which safe code must not be able to cause.
///
/// Publication protocol: fill a region with [`write_bytes`](Self::write_bytes),
/// then store the integer that makes it reachable with `Release`; readers
/// load that integer with `Acquire` and only then read the region. Callers
/// must not access one location with atomics of different sizes
/// concurrently (each position is either an i32, an i64 or bytes).
pub struct MappedTable {
    path: PathBuf,
    map: MmapRaw,
    len: usize,
}

impl std::fmt::Debug for MappedTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MappedTable").field("path", &self.path).field("len", &self.len).finish()
    }
}

impl MappedTable {
    /// Opens `path`, creating it sparse at exactly `len` bytes when missing
    /// (or empty: a crash between create and `set_len` leaves such a file).
    /// An existing file of any other size is `BadFileSize`.
    pub fn create_or_open(path: &Path, len: usize) -> Result<Self> {
        assert!(len > 0, "a mapped table cannot be empty");
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .ctx("open", path)?;
        let actual = file.metadata().ctx("stat", path)?.len();
        if actual == 0 {
            let sized =
                file.set_len(len as u64).ctx("set_len", path).and_then(|()| preallocate(&file, path, len));
            if let Err(e) = sized {
                let _ = fs::remove_file(path);
                return Err(e);
            }
        } else if actual != len as u64 {
            return Err(StoreError::BadFileSize { path: path.to_owned(), actual, expected: len as u64 });
        }
        let map = MmapOptions::new().len(len).map_raw(&file).ctx("mmap", path)?;
        Ok(Self { path: path.to_owned(), map, len })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Pointer to `[pos, pos + size)`, panicking when the range leaves the
    /// mapping or is not `align`-aligned (the mapping itself is page-aligned).
    fn ptr(&self, pos: usize, size: usize, align: usize) -> *mut u8 {
        let end = pos.checked_add(size).expect("position overflow");
        assert!(end <= self.len, "{}: range {pos}..{end} outside {} bytes", self.path.display(), self.len);
        let p = self.map.as_mut_ptr().wrapping_add(pos);
        assert!(
            (p as usize).is_multiple_of(align),
            "{}: position {pos} not {align}-aligned",
            self.path.display()
        );
        p
    }

    /// The four bytes at `pos` (4-aligned) as a native-endian atomic.
    pub fn atomic_i32(&self, pos: usize) -> &AtomicI32 {
        let p = self.ptr(pos, 4, 4);
        // SAFETY: `p` is in bounds and 4-aligned (checked by `ptr`), the
        // mapping lives as long as `&self`, and every access to the mapping
        // through this type is atomic, so an `AtomicI32` view is valid.
        unsafe { AtomicI32::from_ptr(p.cast()) }
    }

    /// The eight bytes at `pos` (8-aligned) as a native-endian atomic.
    pub fn atomic_i64(&self, pos: usize) -> &AtomicI64 {
        let p = self.ptr(pos, 8, 8);
        // SAFETY: as in `atomic_i32`, with 8 bytes and 8-alignment checked.
        unsafe { AtomicI64::from_ptr(p.cast()) }
    }

    pub fn load_be_i32(&self, pos: usize, order: Ordering) -> i32 {
        i32::from_be(self.atomic_i32(pos).load(order))
    }

    pub fn store_be_i32(&self, pos: usize, v: i32, order: Ordering) {
        self.atomic_i32(pos).store(v.to_be(), order);
    }

    pub fn load_be_i64(&self, pos: usize, order: Ordering) -> i64 {
        i64::from_be(self.atomic_i64(pos).load(order))
    }

    pub fn store_be_i64(&self, pos: usize, v: i64, order: Ordering) {
        self.atomic_i64(pos).store(v.to_be(), order);
    }

    /// The bytes `[pos, pos + len)` as atomics (any alignment).
    fn atomic_bytes(&self, pos: usize, len: usize) -> &[AtomicU8] {
        let p = self.ptr(pos, len, 1);
        // SAFETY: the range is in bounds (checked by `ptr`) and lives as long
        // as `&self`; `AtomicU8` has the size and alignment of `u8`, and all
        // accesses through this type are atomic.
        unsafe { std::slice::from_raw_parts(p.cast::<AtomicU8>(), len) }
    }

    /// Copies `data` to `pos` with relaxed stores: meant for regions no reader
    /// can reach yet; publish them afterwards with a `Release` store.
    pub fn write_bytes(&self, pos: usize, data: &[u8]) {
        for (dst, &b) in self.atomic_bytes(pos, data.len()).iter().zip(data) {
            dst.store(b, Ordering::Relaxed);
        }
    }

    /// Copies `[pos, pos + out.len())` into `out` with relaxed loads: meant
    /// for regions made reachable by an `Acquire` load.
    pub fn read_bytes(&self, pos: usize, out: &mut [u8]) {
        for (src, b) in self.atomic_bytes(pos, out.len()).iter().zip(out.iter_mut()) {
            *b = src.load(Ordering::Relaxed);
        }
    }

    /// `N` bytes at `pos`, copied out (see [`read_bytes`](Self::read_bytes)).
    pub fn read_array<const N: usize>(&self, pos: usize) -> [u8; N] {
        let mut out = [0u8; N];
        self.read_bytes(pos, &mut out);
        out
    }

    /// Forces the whole mapping to disk (msync; only dirty pages are written).
    pub fn flush(&self) -> Result<()> {
        self.map.flush().ctx("msync", &self.path)
    }

    /// Removes the file; the mapping stays valid until the last holder drops it.
    pub fn delete(&self) -> Result<()> {
        match fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e).ctx("delete", &self.path),
        }
    }
}

/// Seconds east of UTC of the local time zone at `unix_secs` (0 when libc
/// cannot tell). Index file names are local wall-clock times (spec §6); the
/// `localtime_r` call lives here because this is the crate's `unsafe` module.
pub(crate) fn local_utc_offset_secs(unix_secs: i64) -> i64 {
    let t = unix_secs as libc::time_t;
    let mut tm = std::mem::MaybeUninit::<libc::tm>::zeroed();
    // SAFETY: both pointers are valid for the duration of the call and
    // `localtime_r`, the reentrant variant, writes only into `tm`.
    let r = unsafe { libc::localtime_r(&t, tm.as_mut_ptr()) };
    if r.is_null() {
        return 0;
    }
    // SAFETY: `tm` started zeroed (a valid `libc::tm`: integers and a null
    // zone pointer) and `localtime_r` succeeded, filling it in.
    let tm = unsafe { tm.assume_init() };
    #[allow(clippy::unnecessary_cast)] // `c_long` is only 32 bits on some targets
    let offset = tm.tm_gmtoff as i64;
    offset
}

#[cfg(test)]
mod table_tests {
    use super::*;

    #[test]
    fn table_create_atomics_bytes_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t");
        let t = MappedTable::create_or_open(&path, 64).unwrap();
        assert_eq!(fs::metadata(&path).unwrap().len(), 64);
        t.store_be_i64(8, 0x0102_0304_0506_0708, Ordering::Release);
        t.store_be_i32(16, -2, Ordering::Release);
        t.write_bytes(21, b"abc");
        assert_eq!(t.load_be_i64(8, Ordering::Acquire), 0x0102_0304_0506_0708);
        assert_eq!(t.load_be_i32(16, Ordering::Acquire), -2);
        assert_eq!(t.read_array::<5>(20), *b"\0abc\0");
        t.flush().unwrap();
        drop(t);
        let bytes = fs::read(&path).unwrap();
        assert_eq!(bytes[8..16], [1, 2, 3, 4, 5, 6, 7, 8], "integers are big-endian on disk");
        assert_eq!(bytes[16..20], [0xFF, 0xFF, 0xFF, 0xFE]);
        let t = MappedTable::create_or_open(&path, 64).unwrap();
        assert_eq!(t.read_array::<3>(21), *b"abc");
        t.delete().unwrap();
        assert!(!path.exists());
        fs::write(&path, [0u8; 10]).unwrap();
        assert!(matches!(
            MappedTable::create_or_open(&path, 64),
            Err(StoreError::BadFileSize { actual: 10, .. })
        ));
    }

    #[test]
    #[should_panic(expected = "aligned")]
    fn table_rejects_misaligned_atomics() {
        let dir = tempfile::tempdir().unwrap();
        let t = MappedTable::create_or_open(&dir.path().join("t"), 64).unwrap();
        t.atomic_i64(4);
    }

    #[test]
    #[should_panic(expected = "outside")]
    fn table_rejects_out_of_bounds() {
        let dir = tempfile::tempdir().unwrap();
        let t = MappedTable::create_or_open(&dir.path().join("t"), 64).unwrap();
        t.write_bytes(62, b"abc");
    }
}
