//! `RouteInfoManager`: the name server's tables and every rule that changes
//! them (spec/remoting.md §4.9; Java `namesrv/routeinfo/RouteInfoManager`).
//!
//! Pure: no sockets, no clock, no locks. Every call that depends on time
//! takes `now_ms`; a connection is only an opaque [`ChannelId`]. The async
//! shell ([`crate::service`]) owns one instance behind a mutex, which plays
//! the part of Java's read-write lock.
//!
//! * this file: the tables and broker registration;
//! * [`unregister`]: unregistration, the liveness scan, connection close;
//! * [`query`]: routes, cluster info, topic lists and the admin edits.

mod query;
#[cfg(test)]
pub(crate) mod tests;
#[cfg(test)]
mod tests_liveness;
mod unregister;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use booster_model::route::MASTER_ID;
use booster_model::{
    BrokerData, DataVersion, QueueData, RegisterBrokerResult, TopicConfigAndMappingSerializeWrapper,
    TopicQueueMappingInfo,
};

/// How long a broker may stay silent before it is dropped, unless it
/// registered with its own `heartbeatTimeoutMillis`
/// (`DEFAULT_BROKER_CHANNEL_EXPIRED_TIME`, 2 minutes).
pub const BROKER_CHANNEL_EXPIRED_TIME_MS: i64 = 120_000;

/// `PermName.PERM_WRITE`.
pub const PERM_WRITE: i32 = 0x2;
/// `PermName.PERM_READ`.
pub const PERM_READ: i32 = 0x4;

/// Identifies the connection a broker registered over (the remoting
/// layer's connection id), so that its close can unregister the broker.
pub type ChannelId = u64;

/// A broker instance's key in the liveness table: cluster + address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BrokerAddrInfo {
    pub cluster_name: String,
    pub broker_addr: String,
}

impl BrokerAddrInfo {
    pub fn new(cluster_name: &str, broker_addr: &str) -> Self {
        BrokerAddrInfo { cluster_name: cluster_name.to_owned(), broker_addr: broker_addr.to_owned() }
    }
}

/// What the name server remembers about a live broker instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerLiveInfo {
    pub last_update_timestamp_ms: i64,
    pub heartbeat_timeout_ms: i64,
    /// The topic table version of the broker's last registration.
    pub data_version: DataVersion,
    pub channel: Option<ChannelId>,
    pub ha_server_addr: String,
}

impl BrokerLiveInfo {
    /// Expired once `now_ms` is strictly past `last update + timeout`
    /// (Java: `last + timeout < now`), so exactly at the deadline it lives.
    pub fn is_expired(&self, now_ms: i64) -> bool {
        self.last_update_timestamp_ms.saturating_add(self.heartbeat_timeout_ms) < now_ms
    }
}

/// The name server settings the route rules depend on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RouteConfig {
    /// `supportActingMaster`: rewrite master-less groups' routes.
    pub support_acting_master: bool,
    /// `deleteTopicWithBrokerRegistration`.
    pub delete_topic_with_broker_registration: bool,
}

impl From<&booster_conf::NamesrvConfig> for RouteConfig {
    fn from(c: &booster_conf::NamesrvConfig) -> Self {
        RouteConfig {
            support_acting_master: c.support_acting_master,
            delete_topic_with_broker_registration: c.delete_topic_with_broker_registration,
        }
    }
}

/// One REGISTER_BROKER, decoded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegisterBrokerRequest {
    pub cluster_name: String,
    pub broker_addr: String,
    pub broker_name: String,
    pub broker_id: i64,
    pub ha_server_addr: String,
    /// extField `__ZONE_NAME`.
    pub zone_name: Option<String>,
    /// `heartbeatTimeoutMillis`; `None` = [`BROKER_CHANNEL_EXPIRED_TIME_MS`].
    pub heartbeat_timeout_ms: Option<i64>,
    /// `None` marks an old broker without acting-master support.
    pub enable_acting_master: Option<bool>,
    pub topic_config: TopicConfigAndMappingSerializeWrapper,
    /// `None` leaves the broker's filter servers as they were.
    pub filter_server_list: Option<Vec<String>>,
    pub channel: Option<ChannelId>,
}

/// How a registration ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registration {
    /// Recorded. The result names the live master for slaves.
    Accepted(RegisterBrokerResult),
    /// Another address already holds this broker id with a higher
    /// `stateVersion`: ignored, yet answered SUCCESS (as Java does).
    Conflict,
    /// A broker not registered yet sent a one-topic table (a single-topic
    /// registration before the first full one): SYSTEM_ERROR
    /// `register broker failed`.
    Refused,
}

/// The route tables (see the module docs).
#[derive(Debug, Default)]
pub struct RouteInfoManager {
    config: RouteConfig,
    /// topic → brokerName → queues.
    topic_queue_table: BTreeMap<String, BTreeMap<String, QueueData>>,
    /// brokerName → group.
    broker_addr_table: BTreeMap<String, BrokerData>,
    /// clusterName → brokerNames.
    cluster_addr_table: BTreeMap<String, BTreeSet<String>>,
    broker_live_table: HashMap<BrokerAddrInfo, BrokerLiveInfo>,
    filter_server_table: HashMap<BrokerAddrInfo, Vec<String>>,
    /// topic → brokerName → static-topic mapping.
    topic_queue_mapping_info_table: BTreeMap<String, BTreeMap<String, TopicQueueMappingInfo>>,
}

impl RouteInfoManager {
    pub fn new(config: RouteConfig) -> Self {
        RouteInfoManager { config, ..Self::default() }
    }

    /// Registers (or refreshes) one broker instance (spec §4.9 rules 1–6).
    ///
    /// Side effects that Java performs before it may refuse or ignore the
    /// registration (cluster entry, BrokerData, acting-master flag and zone,
    /// removal of another id for the same address) happen here too, so the
    /// tables match a Java name server's after the same sequence.
    pub fn register_broker(&mut self, req: &RegisterBrokerRequest, now_ms: i64) -> Registration {
        let name = req.broker_name.as_str();
        self.cluster_addr_table.entry(req.cluster_name.clone()).or_default().insert(name.to_owned());

        let mut register_first = !self.broker_addr_table.contains_key(name);
        let broker_data = self
            .broker_addr_table
            .entry(name.to_owned())
            .or_insert_with(|| BrokerData::new(req.cluster_name.as_str(), name));
        let old_version_broker = req.enable_acting_master.is_none();
        broker_data.enable_acting_master = req.enable_acting_master.unwrap_or(false);
        broker_data.zone_name = req.zone_name.clone();

        // Role switch: one address has one id (slave 1 becoming master 0).
        broker_data.broker_addrs.retain(|id, addr| !(*addr == req.broker_addr && *id != req.broker_id));

        // Another address holding this id with a newer state wins.
        if let Some(old_addr) =
            broker_data.broker_addrs.get(&req.broker_id).filter(|a| **a != req.broker_addr)
        {
            let old_live = self.broker_live_table.get(&BrokerAddrInfo::new(&req.cluster_name, old_addr));
            if old_live
                .is_some_and(|l| l.data_version.state_version > req.topic_config.data_version.state_version)
            {
                tracing::warn!(
                    cluster = %req.cluster_name, broker = name, id = req.broker_id, old = %old_addr, new = %req.broker_addr,
                    "registering broker conflicts with a newer one holding its id; ignored"
                );
                self.broker_live_table.remove(&BrokerAddrInfo::new(&req.cluster_name, &req.broker_addr));
                return Registration::Conflict;
            }
        }

        if !broker_data.broker_addrs.contains_key(&req.broker_id)
            && req.topic_config.topic_config_table.len() == 1
        {
            tracing::warn!(
                broker = name,
                id = req.broker_id,
                "single-topic registration before the first full one"
            );
            return Registration::Refused;
        }

        let old_addr = broker_data.broker_addrs.insert(req.broker_id, req.broker_addr.clone());
        register_first = register_first || old_addr.is_none_or(|a| a.is_empty());

        let is_master = req.broker_id == MASTER_ID;
        let min_id = broker_data.broker_addrs.keys().next().copied();
        let is_prime_slave = !old_version_broker && !is_master && min_id == Some(req.broker_id);
        let wipe_write = is_prime_slave && broker_data.enable_acting_master;

        let addr_info = BrokerAddrInfo::new(&req.cluster_name, &req.broker_addr);
        if is_master || is_prime_slave {
            self.update_topic_routes(req, &addr_info, register_first, wipe_write);
        }

        let live = BrokerLiveInfo {
            last_update_timestamp_ms: now_ms,
            heartbeat_timeout_ms: req.heartbeat_timeout_ms.unwrap_or(BROKER_CHANNEL_EXPIRED_TIME_MS),
            data_version: req.topic_config.data_version,
            channel: req.channel,
            ha_server_addr: req.ha_server_addr.clone(),
        };
        if self.broker_live_table.insert(addr_info.clone(), live).is_none() {
            tracing::info!(broker = ?addr_info, ha = %req.ha_server_addr, "new broker registered");
        }

        match &req.filter_server_list {
            Some(list) if list.is_empty() => {
                self.filter_server_table.remove(&addr_info);
            }
            Some(list) => {
                self.filter_server_table.insert(addr_info, list.clone());
            }
            None => {}
        }

        Registration::Accepted(self.master_of(req))
    }

    /// The live master's addresses for a registering slave.
    fn master_of(&self, req: &RegisterBrokerRequest) -> RegisterBrokerResult {
        let mut result = RegisterBrokerResult::default();
        if req.broker_id == MASTER_ID {
            return result;
        }
        let master_addr =
            self.broker_addr_table.get(&req.broker_name).and_then(|b| b.broker_addrs.get(&MASTER_ID));
        if let Some(master_addr) = master_addr
            && let Some(live) =
                self.broker_live_table.get(&BrokerAddrInfo::new(&req.cluster_name, master_addr))
        {
            result.ha_server_addr = Some(live.ha_server_addr.clone());
            result.master_addr = Some(master_addr.clone());
        }
        result
    }

    /// Rule 4: the master (or prime slave) sets its topics' queue data.
    fn update_topic_routes(
        &mut self,
        req: &RegisterBrokerRequest,
        addr_info: &BrokerAddrInfo,
        register_first: bool,
        wipe_write: bool,
    ) {
        let name = req.broker_name.as_str();
        let wrapper = &req.topic_config;
        if self.config.delete_topic_with_broker_registration
            && wrapper.topic_queue_mapping_info_map.is_empty()
        {
            let stale: Vec<String> = self
                .topic_queue_table
                .iter()
                .filter(|(topic, queues)| {
                    queues.contains_key(name) && !wrapper.topic_config_table.contains_key(*topic)
                })
                .map(|(topic, _)| topic.clone())
                .collect();
            for topic in stale {
                self.remove_queue_data(&topic, name);
            }
        }

        // Compared with the version of the previous registration, which the
        // live table still holds at this point.
        let broker_changed = self.is_broker_topic_config_changed(addr_info, Some(&wrapper.data_version));
        for (key, tc) in &wrapper.topic_config_table {
            // Java keys routes by the config's own name; a nameless config
            // (never sent by Java brokers) falls back to its map key.
            let topic = if tc.topic_name.is_empty() { key } else { &tc.topic_name };
            let known = self.topic_queue_table.get(topic).is_some_and(|q| q.contains_key(name));
            if register_first || broker_changed || !known {
                let mut qd = QueueData::from_topic_config(name, tc);
                if wipe_write {
                    qd.perm &= !PERM_WRITE;
                }
                let queues = self.topic_queue_table.entry(topic.clone()).or_default();
                if queues.get(name) != Some(&qd) {
                    tracing::info!(topic = %topic, ?qd, "topic route updated");
                    queues.insert(name.to_owned(), qd);
                }
            }
        }

        if broker_changed || register_first {
            for (topic, info) in &wrapper.topic_queue_mapping_info_map {
                let by_broker = self.topic_queue_mapping_info_table.entry(topic.clone()).or_default();
                by_broker.insert(info.bname.clone(), info.clone());
            }
        }
    }

    /// Removes one broker group's queues of `topic`, and the topic when no
    /// queues remain.
    fn remove_queue_data(&mut self, topic: &str, broker_name: &str) {
        if let Some(queues) = self.topic_queue_table.get_mut(topic) {
            if queues.remove(broker_name).is_some() {
                tracing::info!(topic, broker = broker_name, "removed one broker's queues of topic");
            }
            if queues.is_empty() {
                self.topic_queue_table.remove(topic);
            }
        }
    }

    /// Whether `data_version` differs from the one the broker at `addr`
    /// registered with (true when unknown, or when no version was sent).
    pub fn is_broker_topic_config_changed(
        &self,
        addr: &BrokerAddrInfo,
        data_version: Option<&DataVersion>,
    ) -> bool {
        match self.broker_live_table.get(addr) {
            Some(live) => data_version != Some(&live.data_version),
            None => true,
        }
    }

    /// The DataVersion the broker at `addr` registered with.
    pub fn query_broker_topic_config(&self, addr: &BrokerAddrInfo) -> Option<DataVersion> {
        self.broker_live_table.get(addr).map(|l| l.data_version)
    }

    /// Refreshes a broker's liveness (BROKER_HEARTBEAT, QUERY_DATA_VERSION);
    /// unknown brokers are ignored. Returns whether one was refreshed.
    pub fn update_broker_info_update_timestamp(&mut self, addr: &BrokerAddrInfo, now_ms: i64) -> bool {
        match self.broker_live_table.get_mut(addr) {
            Some(live) => {
                live.last_update_timestamp_ms = now_ms;
                true
            }
            None => false,
        }
    }

    /// The liveness record of one broker instance.
    pub fn live_info(&self, addr: &BrokerAddrInfo) -> Option<&BrokerLiveInfo> {
        self.broker_live_table.get(addr)
    }

    /// Number of live broker instances.
    pub fn live_broker_count(&self) -> usize {
        self.broker_live_table.len()
    }
}
