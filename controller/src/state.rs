//! The replicated state machine of broker groups (RocketMQ
//! `ReplicasInfoManager` tables `replicaInfoTable` + `syncStateSetInfoTable`).
//!
//! Only [`ReplicasState::apply`] mutates it, and `apply` depends on nothing but
//! the state and the event: no clock, no liveness, no configuration. That is
//! the property Raft needs — replaying the same log on any node, any number of
//! times, yields the same state. Ordered maps keep iteration (and therefore
//! any derived output) deterministic too.

use std::collections::{BTreeMap, BTreeSet};

use crate::event::Event;

/// Registered replica: remoting address plus the check code it applied with.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BrokerIdInfo {
    pub address: String,
    /// `<brokerAddress>;<epochMillis>` from APPLY_BROKER_ID; makes retries idempotent.
    pub register_check_code: String,
}

/// Static membership of one broker set (RocketMQ `BrokerReplicaInfo`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BrokerReplicaInfo {
    pub cluster_name: String,
    pub broker_name: String,
    /// Suggestion for GET_NEXT_BROKER_ID: starts at 1, +1 per add (pitfall P-C10:
    /// not max id + 1, reproduced for compatibility).
    pub next_assign_broker_id: i64,
    pub broker_ids: BTreeMap<i64, BrokerIdInfo>,
}

/// Role state of one broker set (RocketMQ `SyncStateInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct SyncStateInfo {
    pub master_broker_id: Option<i64>,
    pub master_epoch: i32,
    pub sync_state_set: BTreeSet<i64>,
    pub sync_state_set_epoch: i32,
}

/// Everything the controller knows about one `brokerName`.
///
/// RocketMQ keeps the two halves in two maps and says a set exists only when
/// both do; keeping them together makes that invariant structural.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BrokerSet {
    pub replicas: BrokerReplicaInfo,
    pub sync: SyncStateInfo,
}

impl BrokerSet {
    /// Remoting address of a registered id.
    pub fn address(&self, id: i64) -> Option<&str> {
        self.replicas.broker_ids.get(&id).map(|i| i.address.as_str())
    }

    /// Whether `id` is registered in this set.
    pub fn contains(&self, id: i64) -> bool {
        self.replicas.broker_ids.contains_key(&id)
    }

    /// All registered ids, ascending.
    pub fn ids(&self) -> BTreeSet<i64> {
        self.replicas.broker_ids.keys().copied().collect()
    }

    /// Address of the current master, if any and registered.
    pub fn master_address(&self) -> Option<&str> {
        self.sync.master_broker_id.and_then(|id| self.address(id))
    }
}

/// The replicated state: all broker sets keyed by `brokerName` (spec §6.1).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct ReplicasState {
    sets: BTreeMap<String, BrokerSet>,
}

impl ReplicasState {
    /// Empty state, as on a fresh controller before any log entry.
    pub fn new() -> Self {
        Self::default()
    }

    /// The broker set named `broker_name`, if known.
    pub fn get(&self, broker_name: &str) -> Option<&BrokerSet> {
        self.sets.get(broker_name)
    }

    /// All broker sets in name order.
    pub fn sets(&self) -> impl Iterator<Item = (&String, &BrokerSet)> {
        self.sets.iter()
    }

    /// Apply one committed event (spec §6.3). Events for unknown sets are
    /// ignored, as in RocketMQ: validation happened before commit, and a
    /// concurrent CleanBrokerData may legitimately have removed the set since.
    pub fn apply(&mut self, event: &Event) {
        match event {
            Event::ApplyBrokerId {
                cluster_name,
                broker_name,
                broker_address,
                new_broker_id,
                register_check_code,
            } => {
                let info = BrokerIdInfo {
                    address: broker_address.clone(),
                    register_check_code: register_check_code.clone(),
                };
                match self.sets.get_mut(broker_name) {
                    None => {
                        let mut broker_ids = BTreeMap::new();
                        broker_ids.insert(*new_broker_id, info);
                        let replicas = BrokerReplicaInfo {
                            cluster_name: cluster_name.clone(),
                            broker_name: broker_name.clone(),
                            next_assign_broker_id: 2,
                            broker_ids,
                        };
                        self.sets.insert(
                            broker_name.clone(),
                            BrokerSet { replicas, sync: SyncStateInfo::default() },
                        );
                    }
                    Some(set) => {
                        if !set.replicas.broker_ids.contains_key(new_broker_id) {
                            set.replicas.broker_ids.insert(*new_broker_id, info);
                            set.replicas.next_assign_broker_id += 1;
                        }
                    }
                }
            }
            Event::ElectMaster { broker_name, new_master_broker_id } => {
                if let Some(set) = self.sets.get_mut(broker_name) {
                    let sync = &mut set.sync;
                    sync.master_epoch += 1;
                    sync.master_broker_id = *new_master_broker_id;
                    if let Some(id) = new_master_broker_id {
                        sync.sync_state_set = BTreeSet::from([*id]);
                        sync.sync_state_set_epoch += 1;
                    }
                }
            }
            Event::AlterSyncStateSet { broker_name, new_sync_state_set } => {
                if let Some(set) = self.sets.get_mut(broker_name) {
                    set.sync.sync_state_set = new_sync_state_set.clone();
                    set.sync.sync_state_set_epoch += 1;
                }
            }
            Event::UpdateBrokerAddress { broker_name, broker_address, broker_id, .. } => {
                if let Some(info) =
                    self.sets.get_mut(broker_name).and_then(|s| s.replicas.broker_ids.get_mut(broker_id))
                {
                    info.address = broker_address.clone();
                }
            }
            Event::CleanBrokerData { broker_name, broker_id_set_to_clean } => {
                self.apply_clean(broker_name, broker_id_set_to_clean.as_ref())
            }
        }
    }

    /// Apply a sequence of events in order.
    pub fn apply_all<'a>(&mut self, events: impl IntoIterator<Item = &'a Event>) {
        for event in events {
            self.apply(event);
        }
    }

    fn apply_clean(&mut self, broker_name: &str, ids: Option<&BTreeSet<i64>>) {
        let Some(ids) = ids.filter(|ids| !ids.is_empty()) else {
            self.sets.remove(broker_name);
            return;
        };
        let Some(set) = self.sets.get_mut(broker_name) else { return };
        for id in ids {
            set.replicas.broker_ids.remove(id);
            set.sync.sync_state_set.remove(id);
            if set.sync.master_broker_id == Some(*id) {
                // RocketMQ leaves a dangling master id here; clearing it keeps
                // "master is registered" true without changing any epoch.
                set.sync.master_broker_id = None;
            }
        }
        // RocketMQ deletes whichever record became empty; since a set exists
        // only with both records, an empty id table removes the whole set.
        if set.replicas.broker_ids.is_empty() {
            self.sets.remove(broker_name);
        }
    }
}

#[cfg(test)]
#[path = "state_test.rs"]
mod state_test;
