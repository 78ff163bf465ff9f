//! The `checkpoint` file (spec/store.md §7.1): one 4 KiB page holding the
//! timestamps recovery starts from and the confirm offset.

use std::fs::OpenOptions;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use parking_lot::Mutex;

use crate::error::{IoContext, Result};

const PAGE: usize = 4096;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CheckpointData {
    pub physic_msg_timestamp: i64,
    pub logics_msg_timestamp: i64,
    pub index_msg_timestamp: i64,
    pub master_flushed_offset: i64,
    pub confirm_phy_offset: i64,
}

impl CheckpointData {
    fn encode(&self) -> [u8; PAGE] {
        let mut page = [0u8; PAGE];
        let fields = [
            self.physic_msg_timestamp,
            self.logics_msg_timestamp,
            self.index_msg_timestamp,
            self.master_flushed_offset,
            self.confirm_phy_offset,
        ];
        for (i, v) in fields.iter().enumerate() {
            page[i * 8..i * 8 + 8].copy_from_slice(&v.to_be_bytes());
        }
        page
    }

    fn decode(page: &[u8]) -> Self {
        let f =
            |i: usize| page.get(i * 8..i * 8 + 8).map_or(0, |b| i64::from_be_bytes(b.try_into().expect("8")));
        Self {
            physic_msg_timestamp: f(0),
            logics_msg_timestamp: f(1),
            index_msg_timestamp: f(2),
            master_flushed_offset: f(3),
            confirm_phy_offset: f(4),
        }
    }

    /// Where abnormal recovery may start: max(0, min(physic, logics) − 3000).
    pub fn min_timestamp(&self) -> i64 {
        (self.physic_msg_timestamp.min(self.logics_msg_timestamp) - 3000).max(0)
    }
}

#[derive(Debug)]
pub struct StoreCheckpoint {
    path: PathBuf,
    data: Mutex<CheckpointData>,
}

impl StoreCheckpoint {
    /// Opens the file (a missing or short file reads as zeros).
    pub fn open(path: &Path) -> Result<Self> {
        let data = match std::fs::read(path) {
            Ok(bytes) => CheckpointData::decode(&bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => CheckpointData::default(),
            Err(e) => return Err(e).ctx("read", path),
        };
        Ok(Self { path: path.to_owned(), data: Mutex::new(data) })
    }

    pub fn get(&self) -> CheckpointData {
        *self.data.lock()
    }

    pub fn update(&self, f: impl FnOnce(&mut CheckpointData)) {
        f(&mut self.data.lock());
    }

    /// Writes the page in place and forces it to disk. One page is written
    /// atomically by the disk, so a crash leaves the old or the new content.
    pub fn flush(&self) -> Result<()> {
        let page = self.get().encode();
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&self.path)
            .ctx("open", &self.path)?;
        file.write_all_at(&page, 0).ctx("write", &self.path)?;
        file.sync_data().ctx("fdatasync", &self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_min_timestamp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("checkpoint");
        let cp = StoreCheckpoint::open(&path).unwrap();
        assert_eq!(cp.get(), CheckpointData::default());
        cp.update(|d| {
            d.physic_msg_timestamp = 10_000;
            d.logics_msg_timestamp = 9_000;
            d.confirm_phy_offset = 77;
        });
        cp.flush().unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 4096);
        let again = StoreCheckpoint::open(&path).unwrap().get();
        assert_eq!(again.confirm_phy_offset, 77);
        assert_eq!(again.min_timestamp(), 6_000);
        assert_eq!(CheckpointData::default().min_timestamp(), 0);
    }
}
