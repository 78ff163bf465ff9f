//! The epoch file shared by the role shells. Mutations go through one lock
//! and are persisted crash-safely by `EpochFile`; master writers read an
//! `Arc` snapshot per frame instead of locking the file.

use std::path::PathBuf;
use std::sync::Arc;

use booster_store::epoch::{EpochCache, EpochFile};
use parking_lot::Mutex;
use tokio::sync::watch;

use crate::error::HaError;

#[derive(Debug)]
pub(crate) struct Epochs {
    file: Mutex<EpochFile>,
    snapshot: watch::Sender<Arc<EpochCache>>,
}

impl Epochs {
    /// Opens the file, dropping entries that start beyond the CommitLog's
    /// end (P-H7: a slave records an entry before the bytes it labels).
    pub(crate) fn open(path: PathBuf, max_phy_offset: i64) -> Result<Self, HaError> {
        let file = EpochFile::open_trimmed(path, max_phy_offset)?;
        let snapshot = watch::channel(Arc::new(file.cache().clone())).0;
        Ok(Self { file: Mutex::new(file), snapshot })
    }

    pub(crate) fn snapshot(&self) -> Arc<EpochCache> {
        self.snapshot.borrow().clone()
    }

    pub(crate) fn last_epoch(&self) -> i32 {
        self.snapshot.borrow().last_epoch()
    }

    fn mutate<T>(
        &self,
        f: impl FnOnce(&mut EpochFile) -> Result<T, booster_store::StoreError>,
    ) -> Result<T, HaError> {
        let mut file = self.file.lock();
        let out = f(&mut file);
        // Publish whatever is in memory now: `EpochFile` keeps memory equal
        // to disk even when the write failed.
        self.snapshot.send_if_modified(|s| {
            let changed = s.as_ref() != file.cache();
            if changed {
                *s = Arc::new(file.cache().clone());
            }
            changed
        });
        Ok(out?)
    }

    pub(crate) fn append(&self, epoch: i32, start_offset: i64) -> Result<bool, HaError> {
        self.mutate(|f| f.append(epoch, start_offset))
    }

    pub(crate) fn truncate_suffix_by_offset(&self, offset: i64) -> Result<usize, HaError> {
        self.mutate(|f| f.truncate_suffix_by_offset(offset))
    }
}
