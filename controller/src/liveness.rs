//! Broker liveness from heartbeats (RocketMQ `DefaultBrokerHeartbeatManager`).
//!
//! Not replicated in DLedger mode: every controller node keeps its own table,
//! fed by the heartbeats each broker sends to all controllers. Time is always
//! passed in (`now_ms`), so expiry is tested without sleeping.

use std::collections::BTreeMap;

/// Default `heartbeatTimeoutMills` when a heartbeat carries none (spec §4.13).
pub const DEFAULT_HEARTBEAT_TIMEOUT_MS: i64 = 10_000;
/// Default `electionPriority` (lower wins ties).
pub const DEFAULT_ELECTION_PRIORITY: i32 = i32::MAX;

/// The connection a heartbeat arrived on (the remoting connection id): the
/// core only stores and compares it; the server shell closes it.
pub type ChannelId = u64;

/// Who a live entry belongs to: `(clusterName, brokerName, brokerId)`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BrokerIdentity {
    pub cluster_name: String,
    pub broker_name: String,
    pub broker_id: i64,
}

/// BROKER_HEARTBEAT (904) header as the controller sees it. Optional fields
/// take the controller defaults of spec §4.13.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heartbeat {
    pub cluster_name: String,
    pub broker_name: String,
    pub broker_addr: String,
    /// Absent → CONTROLLER_INVALID_REQUEST (2005).
    pub broker_id: Option<i64>,
    pub epoch: Option<i32>,
    pub max_offset: Option<i64>,
    pub confirm_offset: Option<i64>,
    pub heartbeat_timeout_ms: Option<i64>,
    pub election_priority: Option<i32>,
    /// Not a header field: the connection the heartbeat arrived on, set by
    /// the server shell (`None` when there is none, e.g. in tests).
    pub channel: Option<ChannelId>,
}

/// What the controller remembers about a live broker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerLiveInfo {
    pub broker_addr: String,
    pub last_update_ms: i64,
    pub heartbeat_timeout_ms: i64,
    pub epoch: i32,
    pub max_offset: i64,
    pub confirm_offset: i64,
    pub election_priority: i32,
    /// The connection of the latest heartbeat: closed when the entry
    /// expires, and closing it drops the entry (spec §8.2).
    pub channel: Option<ChannelId>,
}

impl BrokerLiveInfo {
    /// Spec §8.3: alive ⇔ `lastUpdate + timeout >= now`.
    pub fn is_alive(&self, now_ms: i64) -> bool {
        self.last_update_ms.saturating_add(self.heartbeat_timeout_ms) >= now_ms
    }
}

/// Live table keyed by [`BrokerIdentity`].
#[derive(Debug, Clone, Default)]
pub struct BrokerLiveness {
    table: BTreeMap<BrokerIdentity, BrokerLiveInfo>,
}

impl BrokerLiveness {
    pub fn new() -> Self {
        Self::default()
    }

    /// Record a heartbeat received at `now_ms` (spec §8.1).
    ///
    /// Epoch/offsets only move forward while the entry lives (pitfall P-C8,
    /// reproduced): a reordered older heartbeat must not make a replica look
    /// less up to date than it was.
    pub fn heartbeat(&mut self, hb: &Heartbeat, now_ms: i64) -> Result<(), crate::ControllerError> {
        let broker_id = hb.broker_id.ok_or_else(|| {
            crate::ControllerError::InvalidRequest(format!(
                "heartbeat from {} without brokerId",
                hb.broker_addr
            ))
        })?;
        let key = BrokerIdentity {
            cluster_name: hb.cluster_name.clone(),
            broker_name: hb.broker_name.clone(),
            broker_id,
        };
        let epoch = hb.epoch.unwrap_or(-1);
        let max_offset = hb.max_offset.unwrap_or(-1);
        let confirm_offset = hb.confirm_offset.unwrap_or(-1);
        let timeout = hb.heartbeat_timeout_ms.unwrap_or(DEFAULT_HEARTBEAT_TIMEOUT_MS);
        let priority = hb.election_priority.unwrap_or(DEFAULT_ELECTION_PRIORITY);
        match self.table.get_mut(&key) {
            None => {
                let info = BrokerLiveInfo {
                    broker_addr: hb.broker_addr.clone(),
                    last_update_ms: now_ms,
                    heartbeat_timeout_ms: timeout,
                    epoch,
                    max_offset,
                    confirm_offset,
                    election_priority: priority,
                    channel: hb.channel,
                };
                self.table.insert(key, info);
            }
            Some(info) => {
                info.last_update_ms = now_ms;
                info.heartbeat_timeout_ms = timeout;
                info.election_priority = priority;
                // A broker lives on its latest connection, so closing an old
                // one after a reconnect does not expire it.
                info.channel = hb.channel;
                if epoch > info.epoch || (epoch == info.epoch && max_offset > info.max_offset) {
                    info.epoch = epoch;
                    info.max_offset = max_offset;
                    info.confirm_offset = confirm_offset;
                }
            }
        }
        Ok(())
    }

    /// The live entry, whether or not it has expired yet.
    pub fn get(&self, cluster: &str, broker_name: &str, broker_id: i64) -> Option<&BrokerLiveInfo> {
        let key = BrokerIdentity {
            cluster_name: cluster.to_owned(),
            broker_name: broker_name.to_owned(),
            broker_id,
        };
        self.table.get(&key)
    }

    /// Spec §8.3 `alive(id)`.
    pub fn is_alive(&self, cluster: &str, broker_name: &str, broker_id: i64, now_ms: i64) -> bool {
        self.get(cluster, broker_name, broker_id).is_some_and(|i| i.is_alive(now_ms))
    }

    /// Remove and return every entry that expired by `now_ms` (the periodic
    /// scan of spec §8.2). Sorted, so callers act deterministically.
    pub fn remove_expired(&mut self, now_ms: i64) -> Vec<(BrokerIdentity, BrokerLiveInfo)> {
        self.remove_where(|info| !info.is_alive(now_ms))
    }

    /// Remove the entries whose latest heartbeat came on `channel`, which
    /// closed (spec §8.2 channel close).
    pub fn remove_by_channel(&mut self, channel: ChannelId) -> Vec<(BrokerIdentity, BrokerLiveInfo)> {
        self.remove_where(|info| info.channel == Some(channel))
    }

    fn remove_where(
        &mut self,
        doomed: impl Fn(&BrokerLiveInfo) -> bool,
    ) -> Vec<(BrokerIdentity, BrokerLiveInfo)> {
        let keys: Vec<BrokerIdentity> =
            self.table.iter().filter(|(_, info)| doomed(info)).map(|(k, _)| k.clone()).collect();
        keys.into_iter().filter_map(|k| self.table.remove(&k).map(|info| (k, info))).collect()
    }

    /// Number of entries (live or not yet scanned).
    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }
}

#[cfg(test)]
#[path = "liveness_test.rs"]
mod liveness_test;
