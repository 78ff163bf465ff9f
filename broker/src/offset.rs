//! `ConsumerOffsetManager`: the next offset each group consumes per queue
//! (`config/consumerOffset.json`, spec/store.md §11.2). Commits only touch
//! memory; a timer persists the table every `flushConsumerOffsetInterval`
//! (5 s) and shutdown persists it once more, as RocketMQ does — a crash
//! loses at most that window, and consumers then re-read a few messages.

use std::collections::BTreeMap;

use booster_model::ConsumerOffsetWrapper;
use booster_store::metadata::ConfigFile;

use crate::error::Result;
use crate::persisted::FlushedTable;

#[derive(Debug)]
pub struct ConsumerOffsetManager {
    table: FlushedTable<ConsumerOffsetWrapper>,
}

impl ConsumerOffsetManager {
    pub fn new(file: Option<ConfigFile>) -> Self {
        Self { table: FlushedTable::new(file, "consumerOffset.json") }
    }

    pub fn load(&self) -> Result<()> {
        self.table.load()
    }

    /// Writes the table if anything changed since the last write (or `force`).
    pub fn persist(&self, force: bool, now_ms: i64) -> Result<()> {
        self.table.persist(force, now_ms)
    }

    /// Records that `group` will next consume `offset` of `topic`/`queue_id`.
    pub fn commit(&self, group: &str, topic: &str, queue_id: i32, offset: i64) {
        let key = ConsumerOffsetWrapper::key(topic, group);
        self.table.update(|t| {
            let old = t.offset_table.entry(key).or_default().insert(queue_id, offset);
            old != Some(offset)
        });
    }

    pub fn query(&self, group: &str, topic: &str, queue_id: i32) -> Option<i64> {
        let key = ConsumerOffsetWrapper::key(topic, group);
        self.table.read(|t| t.offset_table.get(&key)?.get(&queue_id).copied())
    }

    /// queueId → offset of one group and topic.
    pub fn offsets_of(&self, group: &str, topic: &str) -> BTreeMap<i32, i64> {
        let key = ConsumerOffsetWrapper::key(topic, group);
        self.table.read(|t| t.offset_table.get(&key).cloned().unwrap_or_default())
    }

    /// Topics `group` has offsets for (RocketMQ's `whichTopicByConsumer`).
    pub fn topics_of(&self, group: &str) -> Vec<String> {
        self.table.read(|t| {
            t.offset_table
                .keys()
                .filter_map(|key| ConsumerOffsetWrapper::split_key(key))
                .filter(|(_, g)| *g == group)
                .map(|(t, _)| t.to_owned())
                .collect()
        })
    }

    pub fn remove_group(&self, group: &str) {
        self.retain(|_, g| g != group);
    }

    pub fn remove_topic(&self, topic: &str) {
        self.retain(|t, _| t != topic);
    }

    fn retain(&self, keep: impl Fn(&str, &str) -> bool) {
        self.table.update(|t| {
            let before = t.offset_table.len();
            t.offset_table.retain(|key, _| {
                // Broadcast keys `topic@group@broadcast` belong to `group` too.
                let mut parts = key.splitn(3, '@');
                match (parts.next(), parts.next()) {
                    (Some(topic), Some(group)) => keep(topic, group),
                    _ => true,
                }
            });
            t.offset_table.len() != before
        });
    }

    /// Slave metadata sync: the master's entries replace ours key by key
    /// (`topic@group`); keys only we have stay, as in RocketMQ. The next
    /// [`ConsumerOffsetManager::persist`] writes the result.
    pub fn merge_from_master(&self, master: ConsumerOffsetWrapper) {
        self.table.update(|t| {
            let mut changed = t.data_version != master.data_version;
            t.data_version = master.data_version;
            for (key, queues) in master.offset_table {
                if t.offset_table.get(&key) != Some(&queues) {
                    t.offset_table.insert(key, queues);
                    changed = true;
                }
            }
            changed
        });
    }

    pub fn is_empty(&self) -> bool {
        self.table.read(|t| t.offset_table.is_empty())
    }

    pub fn snapshot(&self) -> ConsumerOffsetWrapper {
        self.table.snapshot()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_query_persist_reload() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("consumerOffset.json");
        let m = ConsumerOffsetManager::new(Some(ConfigFile::new(&path)));
        m.load().unwrap();
        assert!(m.is_empty());
        m.commit("g", "T", 0, 250);
        m.commit("g", "T", 1, 248);
        m.commit("g", "%RETRY%g", 0, 3);
        m.commit("h", "T", 0, 7);
        assert_eq!(m.query("g", "T", 1), Some(248));
        assert_eq!(m.query("g", "T", 2), None);
        m.persist(false, 10).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"T@g\"") && text.contains("0:250"), "{text}");

        let again = ConsumerOffsetManager::new(Some(ConfigFile::new(&path)));
        again.load().unwrap();
        assert_eq!(again.query("g", "T", 0), Some(250));
        assert_eq!(again.offsets_of("g", "T").len(), 2);
        again.remove_topic("%RETRY%g");
        again.remove_group("h");
        assert_eq!(again.query("g", "%RETRY%g", 0), None);
        assert_eq!(again.query("h", "T", 0), None);
        assert_eq!(again.query("g", "T", 0), Some(250));
    }
}
