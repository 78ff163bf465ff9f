//! `SubscriptionGroupManager`: consumer-group configs
//! (`config/subscriptionGroup.json`, spec/store.md §11, remoting.md §5.5),
//! seeded with the built-in groups. Unknown groups are created on first use
//! when `autoCreateSubscriptionGroup` is on (the default), as RocketMQ does,
//! so a new consumer needs no admin step.

use booster_model::{DataVersion, SubscriptionGroupConfig, SubscriptionGroupWrapper};
use booster_store::metadata::ConfigFile;
use parking_lot::RwLock;

use crate::error::{BrokerError, Result};
use crate::persisted::load_existing;
use crate::topic::{system, validate};

#[derive(Debug)]
pub struct SubscriptionGroupManager {
    file: Option<ConfigFile>,
    table: RwLock<SubscriptionGroupWrapper>,
    auto_create: bool,
}

impl SubscriptionGroupManager {
    pub fn new(auto_create: bool, file: Option<ConfigFile>, now_ms: i64) -> Self {
        let subscription_group_table =
            system::seed_groups().into_iter().map(|g| (g.group_name.clone(), g)).collect();
        let table = SubscriptionGroupWrapper {
            data_version: DataVersion::new(now_ms),
            subscription_group_table,
            ..SubscriptionGroupWrapper::default()
        };
        Self { file, table: RwLock::new(table), auto_create }
    }

    /// Overlays the persisted table (persisted entries override the seeds).
    pub fn load(&self) -> Result<()> {
        if let Some(loaded) = load_existing::<SubscriptionGroupWrapper>(self.file.as_ref())? {
            let mut table = self.table.write();
            for (name, mut group) in loaded.subscription_group_table {
                if group.group_name.is_empty() {
                    group.group_name.clone_from(&name);
                }
                table.subscription_group_table.insert(name, group);
            }
            table.forbidden_table = loaded.forbidden_table;
            table.data_version = loaded.data_version;
        }
        Ok(())
    }

    pub fn persist(&self) -> Result<()> {
        let Some(file) = &self.file else { return Ok(()) };
        let snapshot = self.snapshot();
        file.persist_json(&snapshot)
            .map_err(|source| BrokerError::Persist { what: "subscriptionGroup.json", source })
    }

    pub fn find(&self, group: &str) -> Option<SubscriptionGroupConfig> {
        self.table.read().subscription_group_table.get(group).cloned()
    }

    pub fn contains(&self, group: &str) -> bool {
        self.table.read().subscription_group_table.contains_key(group)
    }

    /// The group, created with defaults if unknown and auto-creation is on
    /// (and the name is valid). `Ok(None)`: the group does not exist.
    pub fn find_or_create(&self, group: &str, now_ms: i64) -> Result<Option<SubscriptionGroupConfig>> {
        if let Some(found) = self.find(group) {
            return Ok(Some(found));
        }
        if !self.auto_create || validate::validate_group(group).is_err() {
            return Ok(None);
        }
        let created = {
            let mut table = self.table.write();
            let entry = table
                .subscription_group_table
                .entry(group.to_owned())
                .or_insert_with(|| SubscriptionGroupConfig::new(group))
                .clone();
            table.data_version.next_version(now_ms);
            entry
        };
        tracing::info!(group, "subscription group auto-created");
        self.persist()?;
        Ok(Some(created))
    }

    /// Creates or replaces a group (admin).
    pub fn update(&self, config: SubscriptionGroupConfig, now_ms: i64) -> Result<()> {
        {
            let mut table = self.table.write();
            table.subscription_group_table.insert(config.group_name.clone(), config);
            table.data_version.next_version(now_ms);
        }
        self.persist()
    }

    /// Removes a group; `Ok(false)` if it did not exist.
    pub fn delete(&self, group: &str, now_ms: i64) -> Result<bool> {
        {
            let mut table = self.table.write();
            if table.subscription_group_table.remove(group).is_none() {
                return Ok(false);
            }
            table.forbidden_table.remove(group);
            table.data_version.next_version(now_ms);
        }
        self.persist()?;
        Ok(true)
    }

    /// Slave metadata sync: takes the master's groups and forbidden table
    /// wholesale, DataVersion included, unless the versions already agree.
    /// `Ok(true)` if it did.
    pub fn replace_from_master(&self, master: SubscriptionGroupWrapper) -> Result<bool> {
        {
            let mut table = self.table.write();
            if table.data_version == master.data_version {
                return Ok(false);
            }
            *table = master;
        }
        self.persist()?;
        Ok(true)
    }

    pub fn snapshot(&self) -> SubscriptionGroupWrapper {
        self.table.read().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_create_and_persist() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("subscriptionGroup.json");
        let m = SubscriptionGroupManager::new(true, Some(ConfigFile::new(&path)), 1);
        m.load().unwrap();
        assert!(m.contains("TOOLS_CONSUMER"));
        let g = m.find_or_create("cg_demo", 2).unwrap().unwrap();
        assert_eq!((g.retry_queue_nums, g.retry_max_times, g.consume_enable), (1, 16, true));
        assert!(m.find_or_create("bad group", 3).unwrap().is_none(), "invalid names are not created");
        m.update(SubscriptionGroupConfig { consume_enable: false, ..SubscriptionGroupConfig::new("g2") }, 4)
            .unwrap();

        let again = SubscriptionGroupManager::new(false, Some(ConfigFile::new(&path)), 9);
        again.load().unwrap();
        assert!(again.contains("cg_demo"));
        assert!(!again.find("g2").unwrap().consume_enable);
        assert!(again.find_or_create("other", 10).unwrap().is_none(), "auto-create off");
        assert!(again.delete("cg_demo", 11).unwrap());
        assert!(!again.delete("cg_demo", 12).unwrap());
    }
}
