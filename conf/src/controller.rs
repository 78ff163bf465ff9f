//! `ControllerConfig`: the controller keys of controller.conf, or of
//! namesrv.conf with `enableControllerInNamesrv=true` (spec/config.md §5,
//! spec/controller.md §9.1). Field names are the RocketMQ keys in
//! snake_case; defaults are RocketMQ's (`common/ControllerConfig.java`).
//!
//! Only the DLedger flavour exists in Booster (its log is openraft's): the
//! node serves controller requests and Raft traffic on its own peer address
//! from `controllerDLegerPeers`. `controllerType=jRaft` is a config error.
//! Pool and log-size keys are parsed so existing files keep loading;
//! Booster does not size anything from them.

use std::path::PathBuf;

use crate::binding::{ApplyProperties, Loaded, PropertyValue, ValueKind, java_trim};
use crate::error::ConfigError;
use crate::metrics::{DEFAULT_PROM_EXPORTER_PORT, MetricsExporterType, prometheus_listen_addr};
use crate::properties::Properties;

#[cfg(test)]
mod tests;

/// `controllerType`: only DLedger (case-insensitive, as in RocketMQ).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ControllerType {
    #[default]
    DLedger,
}

impl PropertyValue for ControllerType {
    const KIND: ValueKind = ValueKind::String;

    fn parse_property(raw: &str) -> Result<Self, String> {
        match java_trim(raw) {
            t if t.eq_ignore_ascii_case("DLedger") => Ok(Self::DLedger),
            t if t.eq_ignore_ascii_case("jRaft") => {
                Err("DLedger (Booster has no jRaft controller; its DLedger log is Raft already)".to_owned())
            }
            _ => Err("DLedger".to_owned()),
        }
    }

    fn format_property(&self) -> Option<String> {
        Some("DLedger".to_owned())
    }
}

/// One entry of `controllerDLegerPeers`: `n0-127.0.0.1:9878`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DLedgerPeer {
    /// Peer id, e.g. `n0`.
    pub id: String,
    /// `host:port`: Raft traffic and controller requests (what brokers list
    /// in `controllerAddr`).
    pub addr: String,
}

/// Parses `id-host:port;id-host:port` (empty entries between `;` ignored).
pub fn parse_dledger_peers(text: &str) -> Result<Vec<DLedgerPeer>, String> {
    let expected = || format!("`id-host:port` entries separated by `;` (got {text:?})");
    let mut peers: Vec<DLedgerPeer> = Vec::new();
    for entry in text.split(';').map(java_trim).filter(|e| !e.is_empty()) {
        let (id, addr) = entry.split_once('-').ok_or_else(expected)?;
        let (id, addr) = (java_trim(id), java_trim(addr));
        let port_ok =
            addr.rsplit_once(':').is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
        if id.is_empty() || !port_ok {
            return Err(expected());
        }
        if peers.iter().any(|p| p.id == id) {
            return Err(format!("unique peer ids (`{id}` appears twice)"));
        }
        peers.push(DLedgerPeer { id: id.to_owned(), addr: addr.to_owned() });
    }
    if peers.is_empty() {
        return Err(expected());
    }
    Ok(peers)
}

/// Keys UPDATE_CONTROLLER_CONFIG refuses whatever `configBlackList` says.
const ALWAYS_BLACK_LISTED: [&str; 3] = ["configBlackList", "configStorePath", "rocketmqHome"];

/// Controller settings. Load with [`ControllerConfig::load`] (checked) or
/// the `from_properties_*` loaders of `bind_properties!` (unchecked).
#[derive(Debug, Clone, PartialEq)]
pub struct ControllerConfig {
    /// Install dir; `$ROCKETMQ_HOME` by default. Booster does not need one.
    pub rocketmq_home: Option<String>,
    /// Where UPDATE_CONTROLLER_CONFIG persists every setting after an
    /// update, as RocketMQ's `Configuration.persist` does (not read at start).
    pub config_store_path: PathBuf,
    pub controller_type: ControllerType,
    /// Raft group name (reported by GET_METADATA_INFO). Required.
    pub controller_d_leger_group: Option<String>,
    /// `n0-ip:port;n1-ip:port;…`, identical on every node. Required.
    pub controller_d_leger_peers: Option<String>,
    /// This node's id among the peers. Required.
    pub controller_d_leger_self_id: Option<String>,
    /// Raft log and vote directory.
    pub controller_store_path: PathBuf,
    pub mapped_file_size: u64,
    /// RocketMQ passes reads through the log only when true; Booster always
    /// uses a read barrier (pitfall P-C4), so the value changes nothing.
    pub process_read_event: bool,
    pub controller_thread_pool_nums: u32,
    pub controller_request_thread_pool_queue_capacity: u32,
    /// `PROM` serves Prometheus scrapes on `metricsPromExporterHost:Port`.
    pub metrics_exporter_type: MetricsExporterType,
    /// Blank: every interface.
    pub metrics_prom_exporter_host: String,
    pub metrics_prom_exporter_port: u16,
    /// May elect a master outside the SyncStateSet (can lose acked messages).
    pub enable_elect_unclean_master: bool,
    /// Push NOTIFY_BROKER_ROLE_CHANGED after a successful election.
    pub notify_broker_role_changed: bool,
    /// Broker liveness expiry scan period, ms.
    pub scan_not_active_broker_interval: u64,
    /// Leader's scan for sets whose master is dead, ms.
    pub scan_inactive_master_interval: u64,
    /// ELECT_MASTER attempts per controller-triggered election.
    pub elect_master_max_retry_count: u32,
    /// Keys not updatable at runtime, `;`-separated.
    pub config_black_list: String,
}

impl Default for ControllerConfig {
    fn default() -> Self {
        let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
        Self {
            rocketmq_home: std::env::var("ROCKETMQ_HOME").ok().filter(|h| !h.is_empty()),
            config_store_path: home.join("controller").join("controller.properties"),
            controller_type: ControllerType::DLedger,
            controller_d_leger_group: None,
            controller_d_leger_peers: None,
            controller_d_leger_self_id: None,
            controller_store_path: home.join("DLedgerController"),
            mapped_file_size: 1024 * 1024 * 1024,
            process_read_event: false,
            controller_thread_pool_nums: 16,
            controller_request_thread_pool_queue_capacity: 50_000,
            metrics_exporter_type: MetricsExporterType::Disable,
            metrics_prom_exporter_host: String::new(),
            metrics_prom_exporter_port: DEFAULT_PROM_EXPORTER_PORT,
            enable_elect_unclean_master: false,
            notify_broker_role_changed: true,
            scan_not_active_broker_interval: 5_000,
            scan_inactive_master_interval: 5_000,
            elect_master_max_retry_count: 3,
            config_black_list: "configBlackList;configStorePath".to_owned(),
        }
    }
}

// RocketMQ key of every field, spelled as in ControllerConfig.java's setters.
crate::bind_properties!(ControllerConfig {
    "rocketmqHome" => rocketmq_home,
    "configStorePath" => config_store_path,
    "controllerType" => controller_type,
    "controllerDLegerGroup" => controller_d_leger_group,
    "controllerDLegerPeers" => controller_d_leger_peers,
    "controllerDLegerSelfId" => controller_d_leger_self_id,
    "controllerStorePath" => controller_store_path,
    "mappedFileSize" => mapped_file_size,
    "processReadEvent" => process_read_event,
    "controllerThreadPoolNums" => controller_thread_pool_nums,
    "controllerRequestThreadPoolQueueCapacity" => controller_request_thread_pool_queue_capacity,
    "metricsExporterType" => metrics_exporter_type,
    "metricsPromExporterHost" => metrics_prom_exporter_host,
    "metricsPromExporterPort" => metrics_prom_exporter_port,
    "enableElectUncleanMaster" => enable_elect_unclean_master,
    "notifyBrokerRoleChanged" => notify_broker_role_changed,
    "scanNotActiveBrokerInterval" => scan_not_active_broker_interval,
    "scanInactiveMasterInterval" => scan_inactive_master_interval,
    "electMasterMaxRetryCount" => elect_master_max_retry_count,
    "configBlackList" => config_black_list,
});

impl ControllerConfig {
    /// Defaults overlaid with `properties`, then [`Self::check`]ed.
    pub fn load(properties: Properties) -> Result<Loaded<Self>, ConfigError> {
        let loaded = Self::from_properties(properties)?;
        loaded.config.check(&loaded.properties)?;
        Ok(loaded)
    }

    /// Defaults overlaid with `properties`, not checked (for `-p` dumps).
    pub fn from_properties(properties: Properties) -> Result<Loaded<Self>, ConfigError> {
        <Self as ApplyProperties>::load_properties(properties)
    }

    /// Cross-key rules binding alone cannot see: group, peers and self id
    /// present, peers well-formed, self id among them, positive intervals.
    /// Errors name the key and, when the file has it, its line.
    pub fn check(&self, properties: &Properties) -> Result<(), ConfigError> {
        let invalid = |key: &str, value: &str, expected: String| ConfigError::InvalidValue {
            origin: properties.origin().to_owned(),
            line: properties.entry(key).map_or(0, |e| e.line),
            key: key.to_owned(),
            value: value.to_owned(),
            expected,
        };
        let required = |key: &str, value: &Option<String>| match value.as_deref().map(java_trim) {
            Some(v) if !v.is_empty() => Ok(v.to_owned()),
            _ => Err(invalid(key, "", "a value (the key is required)".to_owned())),
        };
        required("controllerDLegerGroup", &self.controller_d_leger_group)?;
        let peers_text = required("controllerDLegerPeers", &self.controller_d_leger_peers)?;
        let self_id = required("controllerDLegerSelfId", &self.controller_d_leger_self_id)?;
        let peers =
            parse_dledger_peers(&peers_text).map_err(|e| invalid("controllerDLegerPeers", &peers_text, e))?;
        if !peers.iter().any(|p| p.id == self_id) {
            let ids: Vec<&str> = peers.iter().map(|p| p.id.as_str()).collect();
            return Err(invalid(
                "controllerDLegerSelfId",
                &self_id,
                format!("one of the peer ids of controllerDLegerPeers ({})", ids.join(", ")),
            ));
        }
        for (key, value) in [
            ("scanNotActiveBrokerInterval", self.scan_not_active_broker_interval),
            ("scanInactiveMasterInterval", self.scan_inactive_master_interval),
            ("electMasterMaxRetryCount", u64::from(self.elect_master_max_retry_count)),
        ] {
            if value == 0 {
                return Err(invalid(key, "0", "a value > 0".to_owned()));
            }
        }
        Ok(())
    }

    /// Where the Prometheus endpoint listens; `None` unless `metricsExporterType=PROM`.
    pub fn prometheus_listen_addr(&self) -> Option<String> {
        prometheus_listen_addr(
            self.metrics_exporter_type,
            &self.metrics_prom_exporter_host,
            self.metrics_prom_exporter_port,
        )
    }

    /// The peers of `controllerDLegerPeers` (empty when unset or malformed;
    /// a config that passed [`Self::check`] always has some).
    pub fn peers(&self) -> Vec<DLedgerPeer> {
        self.controller_d_leger_peers.as_deref().and_then(|p| parse_dledger_peers(p).ok()).unwrap_or_default()
    }

    /// This node's own peer entry (its listen address).
    pub fn self_peer(&self) -> Option<DLedgerPeer> {
        let id = java_trim(self.controller_d_leger_self_id.as_deref()?);
        self.peers().into_iter().find(|p| p.id == id)
    }

    /// Whether UPDATE_CONTROLLER_CONFIG must refuse `key` (spec §4.9).
    pub fn is_black_listed(&self, key: &str) -> bool {
        ALWAYS_BLACK_LISTED.contains(&key)
            || self.config_black_list.split(';').map(java_trim).any(|k| k == key)
    }

    /// UPDATE_CONTROLLER_CONFIG: this config with `properties` applied and
    /// checked, or the first error (the current config is left untouched).
    /// Unknown keys are ignored, as RocketMQ does.
    pub fn updated(&self, properties: &Properties) -> Result<Self, ConfigError> {
        let mut next = self.clone();
        next.apply_properties(properties)?;
        next.check(properties)?;
        Ok(next)
    }

    /// Every setting as properties text (`key=value` lines sorted by key),
    /// the GET_CONTROLLER_CONFIG body.
    pub fn to_properties_text(&self) -> String {
        self.to_properties().into_iter().map(|(k, v)| format!("{k}={v}\n")).collect()
    }
}
