//! `DelayOffsetManager`: how far the schedule service has delivered each
//! delay level (`config/delayOffset.json`, spec/store.md §11.2): level →
//! next offset of `SCHEDULE_TOPIC_XXXX` queue `level − 1`.
//!
//! Updates only touch memory; the service persists every
//! `flushDelayOffsetInterval` and at shutdown, as RocketMQ does. A crash
//! loses at most that window, so some delayed messages are delivered twice
//! (at-least-once, like every other RocketMQ delivery).

use booster_model::DelayOffsetWrapper;
use booster_store::metadata::ConfigFile;

use crate::error::Result;
use crate::persisted::FlushedTable;

#[derive(Debug)]
pub struct DelayOffsetManager {
    table: FlushedTable<DelayOffsetWrapper>,
}

impl DelayOffsetManager {
    pub fn new(file: Option<ConfigFile>) -> Self {
        Self { table: FlushedTable::new(file, "delayOffset.json") }
    }

    pub fn load(&self) -> Result<()> {
        self.table.load()
    }

    /// Clamps every offset into its queue's `[min, max]` (store.md §11.2:
    /// the file may be older or newer than the store after a crash or a
    /// copied directory). `bounds(level)` gives the queue's range.
    pub fn clamp(&self, bounds: impl Fn(i32) -> (i64, i64)) {
        self.table.update(|t| {
            let mut changed = false;
            for (level, offset) in t.offset_table.iter_mut() {
                let (min, max) = bounds(*level);
                let clamped = (*offset).clamp(min, max.max(min));
                if clamped != *offset {
                    tracing::warn!(
                        level,
                        from = *offset,
                        to = clamped,
                        "delay offset corrected into the queue's range"
                    );
                    *offset = clamped;
                    changed = true;
                }
            }
            changed
        });
    }

    /// Next offset to deliver for `level` (0 if never delivered).
    pub fn get(&self, level: i32) -> i64 {
        self.table.read(|t| t.offset_table.get(&level).copied().unwrap_or(0))
    }

    pub fn set(&self, level: i32, offset: i64) {
        self.table.update(|t| t.offset_table.insert(level, offset) != Some(offset));
    }

    /// Slave metadata sync: the master's table replaces ours (RocketMQ
    /// overwrites `delayOffset.json` with the master's); the next
    /// [`DelayOffsetManager::persist`] writes it.
    pub fn replace_from_master(&self, master: DelayOffsetWrapper) {
        self.table.update(|t| {
            let changed = *t != master;
            *t = master;
            changed
        });
    }

    pub fn snapshot(&self) -> DelayOffsetWrapper {
        self.table.snapshot()
    }

    /// Writes the table if it changed since the last write (or `force`).
    pub fn persist(&self, force: bool, now_ms: i64) -> Result<()> {
        self.table.persist(force, now_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_persist_reload_clamp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("delayOffset.json");
        let m = DelayOffsetManager::new(Some(ConfigFile::new(&path)));
        m.load().unwrap();
        assert_eq!(m.get(1), 0);
        m.set(1, 12);
        m.set(3, 7);
        m.persist(false, 10).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("1:12") && text.contains("3:7") && text.contains("dataVersion"), "{text}");
        assert!(!path.with_extension("json.tmp").exists());

        let again = DelayOffsetManager::new(Some(ConfigFile::new(&path)));
        again.load().unwrap();
        assert_eq!((again.get(1), again.get(3)), (12, 7));
        again.clamp(|level| if level == 1 { (0, 5) } else { (9, 20) });
        assert_eq!((again.get(1), again.get(3)), (5, 9));
        assert!(again.table.is_dirty());
        let counter = again.snapshot().data_version.unwrap().counter;
        again.persist(false, 20).unwrap();
        assert_eq!(again.snapshot().data_version.unwrap().counter, counter + 1);
    }

    #[test]
    fn old_files_without_data_version_load() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("delayOffset.json");
        std::fs::write(&path, "{\"offsetTable\":{1:3,\"2\":4}}").unwrap();
        let m = DelayOffsetManager::new(Some(ConfigFile::new(&path)));
        m.load().unwrap();
        assert_eq!((m.get(1), m.get(2)), (3, 4));
        assert!(m.snapshot().data_version.is_none());
    }
}
