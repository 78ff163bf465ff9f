//! Loading and writing the broker's metadata tables (`config/*.json`,
//! spec/store.md §11.2).
//!
//! [`load_existing`] is how every manager reads its file at startup.
//! [`FlushedTable`] is the shared core of the two offset managers
//! (`consumerOffset.json`, `delayOffset.json`): changes only touch memory
//! and mark the table dirty; a timer (and shutdown) writes it when dirty,
//! bumping its DataVersion, as RocketMQ does. A crash loses at most one
//! flush interval. A failed write leaves the table dirty so the next
//! flush retries.

use std::sync::atomic::{AtomicBool, Ordering};

use booster_model::{ConsumerOffsetWrapper, DataVersion, DelayOffsetWrapper};
use booster_store::metadata::ConfigFile;
use parking_lot::Mutex;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{BrokerError, Result};

/// The table in `file`; `None` without a file, when it was never written
/// (first start: loading would only log warnings about a missing file and
/// backup) or when it holds nothing.
pub fn load_existing<T: DeserializeOwned>(file: Option<&ConfigFile>) -> Result<Option<T>> {
    match file {
        Some(file) if !crate::util::never_written(file) => Ok(file.load_json::<T>()?),
        _ => Ok(None),
    }
}

/// A table file whose DataVersion moves on every write.
pub trait Versioned {
    fn bump_version(&mut self, now_ms: i64);
}

impl Versioned for ConsumerOffsetWrapper {
    fn bump_version(&mut self, now_ms: i64) {
        self.data_version.next_version(now_ms);
    }
}

impl Versioned for DelayOffsetWrapper {
    /// Old files have no DataVersion; the first write adds one.
    fn bump_version(&mut self, now_ms: i64) {
        self.data_version.get_or_insert_with(|| DataVersion::new(now_ms)).next_version(now_ms);
    }
}

/// A table kept in memory, written to its file by a flush timer when it
/// changed.
#[derive(Debug)]
pub struct FlushedTable<T> {
    file: Option<ConfigFile>,
    /// The file's name, for errors.
    what: &'static str,
    table: Mutex<T>,
    dirty: AtomicBool,
}

impl<T: Versioned + Clone + Default + Serialize + DeserializeOwned> FlushedTable<T> {
    /// An empty table; `file` (if any) is where it is loaded from and written.
    pub fn new(file: Option<ConfigFile>, what: &'static str) -> Self {
        Self { file, what, table: Mutex::new(T::default()), dirty: AtomicBool::new(false) }
    }

    /// Replaces the table with the file's, if there is one.
    pub fn load(&self) -> Result<()> {
        if let Some(loaded) = load_existing::<T>(self.file.as_ref())? {
            *self.table.lock() = loaded;
        }
        Ok(())
    }

    /// Writes the table if anything changed since the last write (or `force`).
    pub fn persist(&self, force: bool, now_ms: i64) -> Result<()> {
        let Some(file) = &self.file else { return Ok(()) };
        if !self.dirty.swap(false, Ordering::AcqRel) && !force {
            return Ok(());
        }
        let snapshot = {
            let mut table = self.table.lock();
            table.bump_version(now_ms);
            table.clone()
        };
        file.persist_json(&snapshot).map_err(|source| {
            self.dirty.store(true, Ordering::Release);
            BrokerError::Persist { what: self.what, source }
        })
    }

    /// Reads the table.
    pub fn read<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        f(&self.table.lock())
    }

    /// Changes the table; `change` returns whether it changed anything,
    /// which marks the table for the next flush.
    pub fn update(&self, change: impl FnOnce(&mut T) -> bool) {
        if change(&mut self.table.lock()) {
            self.dirty.store(true, Ordering::Release);
        }
    }

    pub fn snapshot(&self) -> T {
        self.table.lock().clone()
    }

    #[cfg(test)]
    pub fn is_dirty(&self) -> bool {
        self.dirty.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_dirty_tables_are_written_and_failures_stay_dirty() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("consumerOffset.json");
        let t =
            FlushedTable::<ConsumerOffsetWrapper>::new(Some(ConfigFile::new(&path)), "consumerOffset.json");
        t.load().unwrap();
        t.persist(false, 10).unwrap();
        assert!(!path.exists(), "nothing changed, nothing written");
        t.update(|_| false);
        assert!(!t.is_dirty());
        t.update(|w| w.offset_table.entry("T@g".into()).or_default().insert(0, 5).is_none());
        assert!(t.is_dirty());
        t.persist(false, 10).unwrap();
        assert!(path.exists() && !t.is_dirty());
        let counter = t.snapshot().data_version.counter;
        t.persist(true, 20).unwrap();
        assert_eq!(t.snapshot().data_version.counter, counter + 1, "forced writes bump the version too");

        // A file where the directory should be: the write fails, the table stays dirty.
        std::fs::write(dir.path().join("not-a-dir"), b"").unwrap();
        let blocked = dir.path().join("not-a-dir").join("delayOffset.json");
        let b = FlushedTable::<DelayOffsetWrapper>::new(Some(ConfigFile::new(&blocked)), "delayOffset.json");
        b.update(|w| w.offset_table.insert(1, 1).is_none());
        let err = b.persist(false, 10).unwrap_err();
        assert!(err.to_string().contains("delayOffset.json"), "{err}");
        assert!(b.is_dirty());
    }

    #[test]
    fn no_file_means_nothing_to_load_or_write() {
        let t = FlushedTable::<DelayOffsetWrapper>::new(None, "delayOffset.json");
        t.load().unwrap();
        t.update(|w| w.offset_table.insert(1, 1).is_none());
        t.persist(true, 10).unwrap();
        assert!(load_existing::<DelayOffsetWrapper>(None).unwrap().is_none());
    }
}
