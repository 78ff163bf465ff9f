//! `TopicConfigManager`: the broker's topic table (`config/topics.json`,
//! spec/store.md §11), seeded with the system topics (remoting.md §6.2)
//! and overlaid with the file at startup.
//!
//! Every change bumps the table's DataVersion (the name server compares it
//! to decide whether routes changed) and is persisted at once; the caller
//! then triggers a name-server registration. Time comes in as `now_ms`.

pub mod perm;
pub mod system;
pub mod validate;

#[cfg(test)]
mod tests;

use booster_conf::BrokerConfig;
use booster_model::{DataVersion, TopicConfig, TopicConfigSerializeWrapper};
use booster_store::metadata::ConfigFile;
use parking_lot::RwLock;

use crate::error::{BrokerError, Result};
use crate::persisted::load_existing;

#[derive(Debug)]
pub struct TopicConfigManager {
    file: Option<ConfigFile>,
    table: RwLock<TopicConfigSerializeWrapper>,
    auto_create_topic_enable: bool,
}

impl TopicConfigManager {
    /// A table holding the system topics; `file` (if any) is where changes go.
    pub fn new(config: &BrokerConfig, file: Option<ConfigFile>, now_ms: i64) -> Self {
        let topic_config_table =
            system::seed_topics(config).into_iter().map(|t| (t.topic_name.clone(), t)).collect();
        let table =
            TopicConfigSerializeWrapper { data_version: DataVersion::new(now_ms), topic_config_table };
        Self { file, table: RwLock::new(table), auto_create_topic_enable: config.auto_create_topic_enable }
    }

    /// Overlays the persisted table (persisted entries override the seeds).
    pub fn load(&self) -> Result<()> {
        if let Some(loaded) = load_existing::<TopicConfigSerializeWrapper>(self.file.as_ref())? {
            let mut table = self.table.write();
            for (name, mut config) in loaded.topic_config_table {
                if config.topic_name.is_empty() {
                    config.topic_name.clone_from(&name);
                }
                table.topic_config_table.insert(name, config);
            }
            table.data_version = loaded.data_version;
        }
        Ok(())
    }

    /// Writes the table to `topics.json`.
    pub fn persist(&self) -> Result<()> {
        let Some(file) = &self.file else { return Ok(()) };
        let snapshot = self.snapshot();
        file.persist_json(&snapshot).map_err(|source| BrokerError::Persist { what: "topics.json", source })
    }

    pub fn select(&self, topic: &str) -> Option<TopicConfig> {
        self.table.read().topic_config_table.get(topic).cloned()
    }

    pub fn contains(&self, topic: &str) -> bool {
        self.table.read().topic_config_table.contains_key(topic)
    }

    pub fn is_order_topic(&self, topic: &str) -> bool {
        self.select(topic).is_some_and(|t| t.order)
    }

    pub fn data_version(&self) -> DataVersion {
        self.table.read().data_version
    }

    pub fn snapshot(&self) -> TopicConfigSerializeWrapper {
        self.table.read().clone()
    }

    pub fn topic_names(&self) -> Vec<String> {
        self.table.read().topic_config_table.keys().cloned().collect()
    }

    /// Auto-creation on send (§4.2.1 step 6): a new topic modelled on
    /// `default_topic` if that topic exists here and may be inherited.
    /// Returns the (possibly already existing) topic, `None` if it may not
    /// be created. `client_queue_nums` is the producer's wish.
    pub fn create_in_send(
        &self,
        topic: &str,
        default_topic: &str,
        client_queue_nums: i32,
        topic_sys_flag: i32,
        now_ms: i64,
    ) -> Result<Option<TopicConfig>> {
        let created = {
            let mut table = self.table.write();
            if let Some(existing) = table.topic_config_table.get(topic) {
                return Ok(Some(existing.clone()));
            }
            let Some(template) = table.topic_config_table.get(default_topic) else { return Ok(None) };
            let mut template_perm = template.perm;
            if default_topic == system::AUTO_CREATE_TOPIC && !self.auto_create_topic_enable {
                template_perm = perm::READ | perm::WRITE;
            }
            if !perm::is_inherited(template_perm) {
                return Ok(None);
            }
            let queues = client_queue_nums.min(template.write_queue_nums).max(0);
            let config = TopicConfig {
                read_queue_nums: queues,
                write_queue_nums: queues,
                perm: template_perm & !perm::INHERIT,
                topic_sys_flag,
                topic_filter_type: template.topic_filter_type,
                ..TopicConfig::new(topic)
            };
            table.topic_config_table.insert(topic.to_owned(), config.clone());
            table.data_version.next_version(now_ms);
            config
        };
        tracing::info!(topic, default_topic, queues = created.write_queue_nums, "topic auto-created on send");
        self.persist()?;
        Ok(Some(created))
    }

    /// Creates `config` unless a topic of that name exists; returns the
    /// topic now in the table and whether it was created (retry/DLQ topics).
    pub fn create_if_absent(&self, config: TopicConfig, now_ms: i64) -> Result<(TopicConfig, bool)> {
        {
            let mut table = self.table.write();
            if let Some(existing) = table.topic_config_table.get(&config.topic_name) {
                return Ok((existing.clone(), false));
            }
            table.topic_config_table.insert(config.topic_name.clone(), config.clone());
            table.data_version.next_version(now_ms);
        }
        tracing::info!(topic = %config.topic_name, "topic created");
        self.persist()?;
        Ok((config, true))
    }

    /// Creates or replaces a topic (admin). `Ok(false)` if nothing changed.
    pub fn update(&self, config: TopicConfig, now_ms: i64) -> Result<bool> {
        {
            let mut table = self.table.write();
            if table.topic_config_table.get(&config.topic_name) == Some(&config) {
                return Ok(false);
            }
            table.topic_config_table.insert(config.topic_name.clone(), config);
            table.data_version.next_version(now_ms);
        }
        self.persist()?;
        Ok(true)
    }

    /// Slave metadata sync: takes the master's table wholesale, DataVersion
    /// included, unless the versions already agree. `Ok(true)` if it did.
    pub fn replace_from_master(&self, master: TopicConfigSerializeWrapper) -> Result<bool> {
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

    /// Removes a topic; `Ok(false)` if it did not exist.
    pub fn delete(&self, topic: &str, now_ms: i64) -> Result<bool> {
        {
            let mut table = self.table.write();
            if table.topic_config_table.remove(topic).is_none() {
                return Ok(false);
            }
            table.data_version.next_version(now_ms);
        }
        self.persist()?;
        Ok(true)
    }
}
