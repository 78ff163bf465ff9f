//! The KV config store (PUT/GET/DELETE_KV_CONFIG, GET_KVLIST_BY_NAMESPACE),
//! persisted to `kvConfigPath` as RocketMQ's
//! `{"configTable":{namespace:{key:value}}}` (Java `KVConfigManager`).
//!
//! [`KvConfigManager`] is the pure table; [`load_file`] and [`persist_file`]
//! are the only I/O, called by the service shell.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use booster_model::KvTable;
use booster_model::lenient;
use serde::{Deserialize, Serialize};

/// The namespace whose entries are order-topic configs (`topic` →
/// `brokerName:queueNums;…`), attached to routes and registrations.
pub const NAMESPACE_ORDER_TOPIC_CONFIG: &str = "ORDER_TOPIC_CONFIG";

/// The file shape (`KVConfigSerializeWrapper`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct KvConfigSerializeWrapper {
    #[serde(deserialize_with = "lenient::de")]
    config_table: BTreeMap<String, BTreeMap<String, String>>,
}

/// Namespaced key/value pairs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KvConfigManager {
    table: BTreeMap<String, BTreeMap<String, String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum KvError {
    #[error("cannot read KV config file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("KV config file {} is not valid JSON of the expected shape: {source}", path.display())]
    Parse {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("cannot write KV config file {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl KvConfigManager {
    /// Parses the file content; blank text is an empty store (as in Java).
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        let wrapper: KvConfigSerializeWrapper = booster_model::from_rocketmq_json(text)?;
        Ok(KvConfigManager { table: wrapper.config_table })
    }

    /// The file content (compact, like Java's `toJson()`).
    pub fn to_json(&self) -> String {
        booster_model::to_rocketmq_json(&KvConfigSerializeWrapper { config_table: self.table.clone() }, false)
    }

    pub fn put(&mut self, namespace: &str, key: &str, value: &str) {
        let prev =
            self.table.entry(namespace.to_owned()).or_default().insert(key.to_owned(), value.to_owned());
        tracing::info!(namespace, key, value, updated = prev.is_some(), "putKVConfig");
    }

    pub fn get(&self, namespace: &str, key: &str) -> Option<&str> {
        self.table.get(namespace)?.get(key).map(String::as_str)
    }

    /// Removes one key. Like Java, an emptied namespace stays (and still
    /// answers GET_KVLIST_BY_NAMESPACE with an empty table).
    pub fn delete(&mut self, namespace: &str, key: &str) -> Option<String> {
        let removed = self.table.get_mut(namespace)?.remove(key);
        tracing::info!(namespace, key, value = ?removed, "deleteKVConfig");
        removed
    }

    /// A namespace as a KVTable; `None` when it never existed.
    pub fn list_by_namespace(&self, namespace: &str) -> Option<KvTable> {
        self.table.get(namespace).map(|t| KvTable { table: t.clone() })
    }
}

/// Loads the store; a missing file is an empty store. A file that exists
/// but does not parse is an error: starting empty would overwrite it on
/// the next change.
pub fn load_file(path: &Path) -> Result<KvConfigManager, KvError> {
    match std::fs::read(path) {
        Ok(bytes) => KvConfigManager::from_json(&String::from_utf8_lossy(&bytes))
            .map_err(|source| KvError::Parse { path: path.into(), source }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(KvConfigManager::default()),
        Err(source) => Err(KvError::Read { path: path.into(), source }),
    }
}

/// Writes `content` to `path` like Java's `MixAll.string2File` (previous
/// content kept as `<path>.bak`, parent directories created), but through a
/// temporary file and a rename, so a crash never leaves a torn file.
pub fn persist_file(path: &Path, content: &str) -> Result<(), KvError> {
    let err = |source| KvError::Write { path: path.into(), source };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(err)?;
    }
    let with_suffix = |suffix: &str| {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        PathBuf::from(p)
    };
    if path.exists() {
        std::fs::copy(path, with_suffix(".bak")).map_err(err)?;
    }
    let tmp = with_suffix(".tmp");
    let mut file = std::fs::File::create(&tmp).map_err(err)?;
    file.write_all(content.as_bytes()).and_then(|()| file.sync_all()).map_err(err)?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_get_delete_list() {
        let mut kv = KvConfigManager::default();
        assert_eq!(kv.get("ns", "k"), None);
        assert_eq!(kv.list_by_namespace("ns"), None);
        kv.put("ns", "k", "v1");
        kv.put("ns", "k", "v2");
        kv.put("ns", "a", "1");
        assert_eq!(kv.get("ns", "k"), Some("v2"));
        assert_eq!(
            booster_model::to_rocketmq_json(&kv.list_by_namespace("ns").unwrap(), false),
            r#"{"table":{"a":"1","k":"v2"}}"#
        );
        assert_eq!(kv.delete("ns", "k").as_deref(), Some("v2"));
        assert_eq!(kv.delete("nope", "k"), None);
        kv.delete("ns", "a");
        assert_eq!(kv.list_by_namespace("ns"), Some(KvTable::default()));
    }

    #[test]
    fn file_format_is_rocketmqs() {
        let mut kv = KvConfigManager::default();
        kv.put(NAMESPACE_ORDER_TOPIC_CONFIG, "TopicOrder", "broker-a:4;broker-b:4");
        let json = kv.to_json();
        assert_eq!(json, r#"{"configTable":{"ORDER_TOPIC_CONFIG":{"TopicOrder":"broker-a:4;broker-b:4"}}}"#);
        assert_eq!(KvConfigManager::from_json(&json).unwrap(), kv);
        // Java's pretty files and blank files load too.
        let pretty = "{\n\t\"configTable\":{\n\t\t\"ns\":{\n\t\t\t\"k\":\"v\"\n\t\t}\n\t}\n}";
        assert_eq!(KvConfigManager::from_json(pretty).unwrap().get("ns", "k"), Some("v"));
        assert_eq!(KvConfigManager::from_json("  \n").unwrap(), KvConfigManager::default());
        assert!(KvConfigManager::from_json("{\"configTable\":[").is_err());
    }

    #[test]
    fn persist_and_load() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("namesrv").join("kvConfig.json");
        assert_eq!(load_file(&path).unwrap(), KvConfigManager::default());
        let mut kv = KvConfigManager::default();
        kv.put("ns", "k", "v");
        persist_file(&path, &kv.to_json()).unwrap();
        kv.put("ns", "k2", "v2");
        persist_file(&path, &kv.to_json()).unwrap();
        assert_eq!(load_file(&path).unwrap(), kv);
        let bak = std::fs::read_to_string(dir.path().join("namesrv").join("kvConfig.json.bak")).unwrap();
        assert_eq!(bak, r#"{"configTable":{"ns":{"k":"v"}}}"#);
        std::fs::write(&path, "garbage").unwrap();
        let err = load_file(&path).unwrap_err();
        assert!(err.to_string().contains("kvConfig.json"), "{err}");
    }
}
