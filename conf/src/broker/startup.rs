//! `BrokerStartupConfig`: one broker.conf offered to every settings struct
//! of the broker (spec/config.md §1.2.1), plus the startup checks of §2.
//!
//! A key counts as unknown only if no struct binds it; the broker logs those
//! (RocketMQ ignores them silently, which hides typos such as `brokerIp1`).

use std::path::{Path, PathBuf};

use super::{BrokerConfig, BrokerRole};
use crate::binding::{ApplyProperties, RawValue, UnknownKey};
use crate::error::ConfigError;
use crate::properties::Properties;
use crate::store::MessageStoreConfig;

/// Everything `mqbroker -c broker.conf` reads, with the raw properties kept
/// for the config-dump admin calls (§1.2.4).
#[derive(Debug, Clone)]
pub struct BrokerStartupConfig {
    pub broker: BrokerConfig,
    pub store: MessageStoreConfig,
    /// The file's entries as read (TOML files: values in text form).
    pub properties: Properties,
    /// Keys neither struct knows, with their lines, for a warning each.
    pub unknown_keys: Vec<UnknownKey>,
    /// The `-c` file, if any (where runtime config updates go).
    pub config_path: Option<PathBuf>,
}

impl Default for BrokerStartupConfig {
    fn default() -> Self {
        Self {
            broker: BrokerConfig::default(),
            store: MessageStoreConfig::default(),
            properties: Properties::new("<defaults>"),
            unknown_keys: Vec::new(),
            config_path: None,
        }
    }
}

impl BrokerStartupConfig {
    /// Defaults overlaid with `path`: a flat TOML table when the name ends
    /// in `.toml`, else a Java properties file.
    pub fn load_file(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let mut config = if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(path)
                .map_err(|source| ConfigError::Io { path: path.into(), source })?;
            Self::from_toml_str(&text, &path.display().to_string())?
        } else {
            Self::from_properties(Properties::read_file(path)?)?
        };
        config.config_path = Some(path.to_path_buf());
        Ok(config)
    }

    /// Defaults overlaid with properties text; `origin` names it in errors.
    pub fn from_properties_str(text: &str, origin: &str) -> Result<Self, ConfigError> {
        Self::from_properties(Properties::parse_str(text, origin)?)
    }

    /// Defaults overlaid with parsed properties, every key offered to both structs.
    pub fn from_properties(properties: Properties) -> Result<Self, ConfigError> {
        let mut config = Self { properties: Properties::new(properties.origin()), ..Self::default() };
        for e in &properties {
            config.apply(&e.key, RawValue::Text(&e.value), properties.origin(), e.line)?;
        }
        config.properties = properties;
        config.check_file_values()?;
        Ok(config)
    }

    /// Defaults overlaid with a flat TOML table of the same keys.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Self, ConfigError> {
        // Each struct parses the table itself; unknown = unknown to both.
        let mut broker = BrokerConfig::default();
        let (properties, unknown_broker) = broker.apply_toml_str(text, origin)?;
        let mut store = MessageStoreConfig::default();
        let (_, unknown_store) = store.apply_toml_str(text, origin)?;
        let unknown_keys = unknown_broker.into_iter().filter(|k| unknown_store.contains(k)).collect();
        let config = Self { broker, store, properties, unknown_keys, config_path: None };
        config.check_file_values()?;
        Ok(config)
    }

    fn apply(&mut self, key: &str, raw: RawValue<'_>, origin: &str, line: usize) -> Result<(), ConfigError> {
        let in_broker = self.broker.apply_value(key, raw, origin, line)?;
        let in_store = self.store.apply_value(key, raw, origin, line)?;
        if !in_broker && !in_store {
            self.unknown_keys.push(UnknownKey { key: key.to_owned(), line });
        }
        Ok(())
    }

    /// Applies the `-n` command-line override (after the file, §2).
    pub fn set_namesrv_addr(&mut self, addrs: &str) -> Result<(), ConfigError> {
        check_namesrv_addr(addrs).map_err(|expected| ConfigError::InvalidValue {
            origin: "command line".to_owned(),
            line: 0,
            key: "namesrvAddr".to_owned(),
            value: addrs.to_owned(),
            expected,
        })?;
        self.broker.namesrv_addr = Some(addrs.trim().to_owned());
        Ok(())
    }

    /// The startup checks of spec §2 that concern single values, reported
    /// against the line that set them. Role/id consistency is fixed up, not
    /// rejected, when RocketMQ fixes it up (a master's id is forced to 0).
    fn check_file_values(&self) -> Result<(), ConfigError> {
        let invalid = |key: &str, value: String, expected: &str| {
            let line = self.properties.entry(key).map_or(0, |e| e.line);
            ConfigError::InvalidValue {
                origin: self.properties.origin().to_owned(),
                line,
                key: key.to_owned(),
                value,
                expected: expected.to_owned(),
            }
        };
        if let Some(addrs) = &self.broker.namesrv_addr {
            check_namesrv_addr(addrs).map_err(|e| invalid("namesrvAddr", addrs.clone(), &e))?;
        }
        let b = &self.broker;
        if !b.enable_controller_mode && b.broker_role == BrokerRole::Slave && b.broker_id <= 0 {
            return Err(invalid("brokerId", b.broker_id.to_string(), "an id > 0 for brokerRole SLAVE"));
        }
        if b.broker_name.trim().is_empty() {
            return Err(invalid("brokerName", String::new(), "a non-empty broker name"));
        }
        Ok(())
    }

    /// RocketMQ forces `brokerId = 0` for a classic master (spec §2).
    pub fn normalize(&mut self) {
        if !self.broker.enable_controller_mode && self.broker.broker_role.is_master() {
            self.broker.broker_id = 0;
        }
    }

    /// Every effective setting of both structs as `key=value`, sorted (`-p`).
    pub fn dump(&self) -> Vec<(&'static str, String)> {
        let mut all = ApplyProperties::to_properties(&self.broker);
        all.extend(ApplyProperties::to_properties(&self.store));
        all.sort_by_key(|(k, _)| *k);
        all.dedup_by_key(|(k, _)| *k);
        all
    }
}

/// `host:port;host:port`, each port a number (spec §2 exit −3 check).
fn check_namesrv_addr(addrs: &str) -> Result<(), String> {
    let expected = || "`;`-separated host:port entries".to_owned();
    for addr in addrs.split(';').map(str::trim).filter(|a| !a.is_empty()) {
        let (host, port) = addr.rsplit_once(':').ok_or_else(expected)?;
        if host.is_empty() || port.parse::<u16>().is_err() {
            return Err(expected());
        }
    }
    Ok(())
}
