//! Removing brokers: explicit UNREGISTER_BROKER, the periodic liveness scan
//! and connection close (Java `unRegisterBroker`, `scanNotActiveBroker`,
//! `onChannelDestroy`).
//!
//! Java queues scan and close results for its batch unregistration thread;
//! here they are applied at once, under the same lock, which leaves the
//! tables in the state Java reaches a moment later.

use std::collections::BTreeSet;

use booster_remoting::headers::namesrv::UnRegisterBrokerRequestHeader;

use super::{BrokerAddrInfo, ChannelId, PERM_WRITE, RouteInfoManager};

impl RouteInfoManager {
    /// Applies a batch of unregistrations: drops each instance's liveness,
    /// filter servers and address; a group left without members loses its
    /// BrokerData, cluster membership and queue data. A group that keeps
    /// members but lost its master (and runs acting master) has WRITE
    /// cleared from its queues.
    pub fn unregister_brokers(&mut self, requests: &[UnRegisterBrokerRequestHeader]) {
        let mut removed_brokers = BTreeSet::new();
        let mut reduced_brokers = BTreeSet::new();
        for req in requests {
            let addr_info = BrokerAddrInfo::new(&req.cluster_name, &req.broker_addr);
            let was_live = self.broker_live_table.remove(&addr_info).is_some();
            self.filter_server_table.remove(&addr_info);
            tracing::info!(broker = ?addr_info, was_live, "unregister broker");

            let mut remove_name = false;
            if let Some(data) = self.broker_addr_table.get_mut(&req.broker_name) {
                data.broker_addrs.retain(|_, addr| *addr != req.broker_addr);
                if data.broker_addrs.is_empty() {
                    self.broker_addr_table.remove(&req.broker_name);
                    remove_name = true;
                }
            }

            if remove_name {
                if let Some(names) = self.cluster_addr_table.get_mut(&req.cluster_name) {
                    names.remove(&req.broker_name);
                    if names.is_empty() {
                        self.cluster_addr_table.remove(&req.cluster_name);
                    }
                }
                removed_brokers.insert(req.broker_name.clone());
            } else {
                reduced_brokers.insert(req.broker_name.clone());
            }
        }
        self.clean_topics(&removed_brokers, &reduced_brokers);
    }

    fn clean_topics(&mut self, removed: &BTreeSet<String>, reduced: &BTreeSet<String>) {
        // Groups that run acting master and now have no id 0.
        let masterless: BTreeSet<&String> = reduced
            .iter()
            .filter(|name| {
                self.broker_addr_table.get(*name).is_some_and(|b| {
                    b.enable_acting_master && b.broker_addrs.keys().next().is_none_or(|min| *min > 0)
                })
            })
            .collect();
        self.topic_queue_table.retain(|_, queues| {
            for name in removed {
                queues.remove(name);
            }
            for name in &masterless {
                if let Some(qd) = queues.get_mut(*name) {
                    qd.perm &= !PERM_WRITE;
                }
            }
            !queues.is_empty()
        });
    }

    /// The unregistration for a live instance: its group and id, found by
    /// address in the groups of its cluster.
    fn unregistration_for(&self, addr_info: &BrokerAddrInfo) -> Option<UnRegisterBrokerRequestHeader> {
        self.broker_addr_table.values().filter(|b| b.cluster == addr_info.cluster_name).find_map(|b| {
            let (id, _) = b.broker_addrs.iter().find(|(_, addr)| **addr == addr_info.broker_addr)?;
            Some(UnRegisterBrokerRequestHeader {
                broker_name: b.broker_name.clone(),
                broker_addr: addr_info.broker_addr.clone(),
                cluster_name: addr_info.cluster_name.clone(),
                broker_id: *id,
            })
        })
    }

    /// Unregisters the instance at `addr_info`. An instance with liveness
    /// but no address in any group (its id was taken over by another
    /// address) only loses its liveness record; Java would keep that record
    /// forever.
    fn expire(&mut self, addr_info: &BrokerAddrInfo) -> Option<UnRegisterBrokerRequestHeader> {
        match self.unregistration_for(addr_info) {
            Some(req) => {
                self.unregister_brokers(std::slice::from_ref(&req));
                Some(req)
            }
            None => {
                self.broker_live_table.remove(addr_info);
                self.filter_server_table.remove(addr_info);
                None
            }
        }
    }

    /// The liveness scan: unregisters every instance silent for longer than
    /// its timeout at `now_ms`. Returns what was unregistered, so the shell
    /// can log it.
    pub fn scan_not_active_brokers(&mut self, now_ms: i64) -> Vec<UnRegisterBrokerRequestHeader> {
        let mut expired: Vec<BrokerAddrInfo> = self
            .broker_live_table
            .iter()
            .filter(|(_, live)| live.is_expired(now_ms))
            .map(|(addr, _)| addr.clone())
            .collect();
        expired.sort();
        let mut removed = Vec::new();
        for addr in expired {
            let timeout_ms = self.broker_live_table.get(&addr).map(|l| l.heartbeat_timeout_ms);
            tracing::warn!(broker = ?addr, ?timeout_ms, "the broker channel expired");
            removed.extend(self.expire(&addr));
        }
        removed
    }

    /// A connection closed: unregisters every instance registered over it.
    pub fn on_channel_destroy(&mut self, channel: ChannelId) -> Vec<UnRegisterBrokerRequestHeader> {
        let mut gone: Vec<BrokerAddrInfo> = self
            .broker_live_table
            .iter()
            .filter(|(_, live)| live.channel == Some(channel))
            .map(|(addr, _)| addr.clone())
            .collect();
        gone.sort();
        gone.iter().filter_map(|addr| self.expire(addr)).collect()
    }
}
