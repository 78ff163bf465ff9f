//! A directory of contiguous mapped files (spec/store.md §2): file *k* starts
//! where file *k−1* ends. Used by the CommitLog and by every ConsumeQueue.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::RwLock;

use crate::error::{IoContext, Result, StoreError};
use crate::mapped_file::{MappedFile, WriteMode};

#[derive(Debug)]
pub struct MappedFileQueue {
    dir: PathBuf,
    file_size: usize,
    write_mode: WriteMode,
    files: RwLock<Vec<Arc<MappedFile>>>,
}

impl MappedFileQueue {
    /// Loads every file in `dir` (created if missing), sorted by name. A
    /// zero-length last file is deleted; any other size mismatch is an error.
    /// Loaded files count as full until recovery sets their positions.
    pub fn load(dir: &Path, file_size: usize) -> Result<Self> {
        Self::load_with_mode(dir, file_size, WriteMode::Mmap)
    }

    /// `load`, with appends to every file going through `write_mode`.
    pub fn load_with_mode(dir: &Path, file_size: usize, write_mode: WriteMode) -> Result<Self> {
        fs::create_dir_all(dir).ctx("create dir", dir)?;
        let mut paths: Vec<PathBuf> = fs::read_dir(dir)
            .ctx("list", dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.len() == 20 && n.bytes().all(|b| b.is_ascii_digit()))
            })
            .collect();
        paths.sort();
        if let Some(last) = paths.last()
            && fs::metadata(last).ctx("stat", last)?.len() == 0
        {
            tracing::warn!(file = %last.display(), "deleting zero-length last file");
            fs::remove_file(last).ctx("delete", last)?;
            paths.pop();
        }
        let mut files = Vec::with_capacity(paths.len());
        for path in paths {
            let file = MappedFile::open(path, file_size)?.with_write_mode(write_mode);
            if let Some(prev) = files.last().map(|f: &Arc<MappedFile>| f.file_from_offset())
                && file.file_from_offset() != prev + file_size as i64
            {
                return Err(StoreError::Corrupt {
                    path: file.path().to_owned(),
                    offset: file.file_from_offset(),
                    reason: format!("gap: previous file starts at {prev}"),
                });
            }
            files.push(Arc::new(file));
        }
        Ok(Self { dir: dir.to_owned(), file_size, write_mode, files: RwLock::new(files) })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn file_size(&self) -> usize {
        self.file_size
    }

    pub fn files(&self) -> Vec<Arc<MappedFile>> {
        self.files.read().clone()
    }

    pub fn is_empty(&self) -> bool {
        self.files.read().is_empty()
    }

    pub fn first_file(&self) -> Option<Arc<MappedFile>> {
        self.files.read().first().cloned()
    }

    pub fn last_file(&self) -> Option<Arc<MappedFile>> {
        self.files.read().last().cloned()
    }

    /// Start offset of the first file, or -1 when there is none.
    pub fn min_offset(&self) -> i64 {
        self.first_file().map_or(-1, |f| f.file_from_offset())
    }

    /// Offset just past the last written byte (0 when empty).
    pub fn max_offset(&self) -> i64 {
        self.last_file().map_or(0, |f| f.file_from_offset() + f.wrote_position() as i64)
    }

    /// Offset up to which everything is on disk.
    pub fn flushed_offset(&self) -> i64 {
        let files = self.files.read();
        let Some(first) = files.first() else { return 0 };
        // Files before the first not-fully-flushed one are durable.
        files.iter().find(|f| f.flushed_position() < f.file_size()).map_or(
            files.last().map_or(first.file_from_offset(), |l| l.file_from_offset() + l.file_size() as i64),
            |f| f.file_from_offset() + f.flushed_position() as i64,
        )
    }

    /// The file holding physical offset `offset`.
    pub fn find(&self, offset: i64) -> Option<Arc<MappedFile>> {
        let files = self.files.read();
        let first = files.first()?.file_from_offset();
        if offset < first {
            return None;
        }
        let idx = ((offset - first) / self.file_size as i64) as usize;
        files.get(idx).filter(|f| f.file_from_offset() <= offset).cloned()
    }

    /// The last file if it has room, else a new one starting where it ends
    /// (or at the file containing `start_offset` when the queue is empty).
    pub fn last_or_create(&self, start_offset: i64) -> Result<Arc<MappedFile>> {
        if let Some(last) = self.last_file().filter(|f| !f.is_full()) {
            return Ok(last);
        }
        let mut files = self.files.write();
        if let Some(last) = files.last().filter(|f| !f.is_full()) {
            return Ok(Arc::clone(last));
        }
        let from = match files.last() {
            Some(last) => last.file_from_offset() + self.file_size as i64,
            None => start_offset - start_offset.rem_euclid(self.file_size as i64),
        };
        let file =
            Arc::new(MappedFile::create(&self.dir, from, self.file_size)?.with_write_mode(self.write_mode));
        files.push(Arc::clone(&file));
        Ok(file)
    }

    /// Creates the first file so that it starts at `offset` exactly, which
    /// must be a file boundary (slaves syncing from the master's last file).
    pub fn reset_to(&self, offset: i64) -> Result<()> {
        debug_assert_eq!(offset % self.file_size as i64, 0);
        self.delete_all()?;
        self.last_or_create(offset).map(|_| ())
    }

    /// Flushes the oldest file with unflushed bytes; returns the flushed offset.
    pub fn flush(&self, least_pages: usize) -> Result<i64> {
        let files = self.files();
        for f in files.iter().filter(|f| f.flushed_position() < f.wrote_position()) {
            f.flush(least_pages)?;
        }
        Ok(self.flushed_offset())
    }

    /// Discards everything at or after `offset`: later files are deleted, the
    /// file holding `offset` is zeroed from there. Durable when it returns.
    pub fn truncate(&self, offset: i64) -> Result<()> {
        let mut files = self.files.write();
        // Newest first: a crash half-way leaves a shorter valid prefix, never a gap.
        while let Some(last) = files.last().filter(|f| f.file_from_offset() > offset) {
            last.delete()?;
            files.pop();
        }
        if let Some(last) = files.last() {
            let pos = (offset - last.file_from_offset()).clamp(0, self.file_size as i64) as usize;
            last.truncate_to(pos)?;
        }
        sync_dir(&self.dir)
    }

    /// Removes the oldest files while `pred` says so, never the last one and
    /// at most `max` of them. Returns the removed files.
    pub fn delete_oldest_while(
        &self,
        max: usize,
        mut pred: impl FnMut(&MappedFile) -> bool,
    ) -> Result<Vec<Arc<MappedFile>>> {
        let mut removed = Vec::new();
        loop {
            let candidate = {
                let files = self.files.read();
                if files.len() <= 1 || removed.len() >= max {
                    break;
                }
                Arc::clone(&files[0])
            };
            if !pred(&candidate) {
                break;
            }
            candidate.delete()?;
            self.files.write().retain(|f| !Arc::ptr_eq(f, &candidate));
            removed.push(candidate);
        }
        Ok(removed)
    }

    pub fn delete_all(&self) -> Result<()> {
        let mut files = self.files.write();
        for f in files.drain(..).rev() {
            f.delete()?;
        }
        sync_dir(&self.dir)
    }
}

/// Makes renames and deletions in `dir` durable.
pub fn sync_dir(dir: &Path) -> Result<()> {
    fs::File::open(dir).and_then(|d| d.sync_all()).ctx("fsync dir", dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_contiguous_and_found_by_offset() {
        let dir = tempfile::tempdir().unwrap();
        let q = MappedFileQueue::load(dir.path(), 100).unwrap();
        assert_eq!((q.min_offset(), q.max_offset()), (-1, 0));
        let f0 = q.last_or_create(0).unwrap();
        assert_eq!(f0.append(&[1; 100]).unwrap(), Some(0));
        let f1 = q.last_or_create(0).unwrap();
        assert_eq!(f1.file_from_offset(), 100);
        f1.append(&[2; 10]).unwrap().unwrap();
        assert_eq!(q.max_offset(), 110);
        assert_eq!(q.find(99).unwrap().file_from_offset(), 0);
        assert_eq!(q.find(100).unwrap().file_from_offset(), 100);
        assert!(q.find(200).is_none());
        q.truncate(50).unwrap();
        assert_eq!(q.max_offset(), 50);
        assert_eq!(q.files().len(), 1);
        drop((f0, f1));
        let reloaded = MappedFileQueue::load(dir.path(), 100).unwrap();
        assert_eq!(reloaded.files().len(), 1);
        assert!(MappedFileQueue::load(dir.path(), 64).is_err(), "size mismatch refuses to load");
    }

    #[test]
    fn zero_length_last_file_is_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let q = MappedFileQueue::load(dir.path(), 100).unwrap();
        q.last_or_create(0).unwrap();
        fs::File::create(dir.path().join(crate::mapped_file::file_name(100))).unwrap();
        let q = MappedFileQueue::load(dir.path(), 100).unwrap();
        assert_eq!(q.files().len(), 1);
    }
}
