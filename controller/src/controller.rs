//! The controller engine: replicated state + local liveness + configuration.
//!
//! Request handlers (in [`crate::handlers`]) take `&self` and only *compute*
//! a response and the events it implies; the caller commits the events (via
//! Raft, later) and then calls [`Controller::apply`]. Strictly serializing
//! validate → commit → apply per request avoids pitfall P-C3 (two brokers
//! both told they own the same new id).
//!
//! Liveness decisions come back as [`ElectionTrigger`]s: the runtime turns each
//! into a controller-triggered ELECT_MASTER (up to `electMasterMaxRetryCount`
//! attempts). Nothing here sleeps or reads a clock.

use std::collections::BTreeSet;

use crate::error::ControllerError;
use crate::event::Event;
use crate::liveness::{BrokerIdentity, BrokerLiveInfo, BrokerLiveness, ChannelId, Heartbeat};
use crate::state::{BrokerSet, ReplicasState};

/// Controller settings the core depends on (RocketMQ `ControllerConfig`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ControllerConfig {
    /// Allow electing a replica outside the SyncStateSet (may lose acked
    /// messages). RocketMQ default: false.
    pub enable_elect_unclean_master: bool,
}

/// Why the runtime should start a controller-triggered election.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TriggerReason {
    /// The master's live entry expired in the periodic scan.
    MasterExpired { broker_id: i64 },
    /// The master's connection to this controller closed.
    MasterChannelClosed { broker_id: i64 },
    /// Inactive-master scan: master not alive while some replica is.
    InactiveMaster,
}

/// "Trigger election for broker set X" (spec §7.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElectionTrigger {
    pub broker_name: String,
    pub reason: TriggerReason,
}

/// What one expiry scan found (spec §8.2).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InactiveScan {
    /// Expired masters' sets, to elect anew.
    pub elections: Vec<ElectionTrigger>,
    /// Connections of the expired entries, for the shell to close.
    pub channels_to_close: Vec<ChannelId>,
}

/// Pure controller core. See the module docs for the calling protocol.
#[derive(Debug, Clone, Default)]
pub struct Controller {
    pub(crate) state: ReplicasState,
    pub(crate) liveness: BrokerLiveness,
    pub(crate) config: ControllerConfig,
}

impl Controller {
    pub fn new(config: ControllerConfig) -> Self {
        Self { state: ReplicasState::new(), liveness: BrokerLiveness::new(), config }
    }

    pub fn state(&self) -> &ReplicasState {
        &self.state
    }

    pub fn liveness(&self) -> &BrokerLiveness {
        &self.liveness
    }

    pub fn config(&self) -> &ControllerConfig {
        &self.config
    }

    /// Apply committed events to the replicated state.
    pub fn apply(&mut self, events: &[Event]) {
        self.state.apply_all(events);
    }

    /// Replace the replicated state wholesale (a Raft snapshot install).
    pub fn restore(&mut self, state: ReplicasState) {
        self.state = state;
    }

    /// BROKER_HEARTBEAT (904). Local, not replicated (DLedger semantics).
    pub fn handle_heartbeat(&mut self, hb: &Heartbeat, now_ms: i64) -> Result<(), ControllerError> {
        self.liveness.heartbeat(hb, now_ms)
    }

    /// Spec §8.3 for a replica of `set` (liveness is keyed by the set's cluster).
    pub(crate) fn is_alive(&self, set: &BrokerSet, broker_id: i64, now_ms: i64) -> bool {
        self.liveness.is_alive(&set.replicas.cluster_name, &set.replicas.broker_name, broker_id, now_ms)
    }

    /// Periodic scan (spec §8.2): drop expired entries and report their
    /// connections; an expired *master* needs a new election. Non-masters
    /// only disappear from the table.
    pub fn scan_inactive(&mut self, now_ms: i64) -> InactiveScan {
        let expired = self.liveness.remove_expired(now_ms);
        let mut channels_to_close: Vec<ChannelId> =
            expired.iter().filter_map(|(_, info)| info.channel).collect();
        channels_to_close.sort_unstable();
        channels_to_close.dedup();
        InactiveScan {
            elections: self.masters_among(&expired, |broker_id| TriggerReason::MasterExpired { broker_id }),
            channels_to_close,
        }
    }

    /// A broker connection closed: the entries it carried go at once
    /// (pitfall P-C7).
    pub fn on_channel_closed(&mut self, channel: ChannelId) -> Vec<ElectionTrigger> {
        let gone = self.liveness.remove_by_channel(channel);
        self.masters_among(&gone, |broker_id| TriggerReason::MasterChannelClosed { broker_id })
    }

    /// Inactive-master scan of the leader (spec §8.2): every set whose master
    /// is set but not alive while at least one replica is alive. Sets with no
    /// live replica are skipped: an election could not succeed anyway.
    pub fn scan_inactive_masters(&self, now_ms: i64) -> Vec<ElectionTrigger> {
        self.state
            .sets()
            .filter(|(_, set)| {
                set.sync.master_broker_id.is_some_and(|m| !self.is_alive(set, m, now_ms))
                    && set.replicas.broker_ids.keys().any(|&id| self.is_alive(set, id, now_ms))
            })
            .map(|(name, _)| ElectionTrigger {
                broker_name: name.clone(),
                reason: TriggerReason::InactiveMaster,
            })
            .collect()
    }

    /// `onBrokerInactive`: only a vanished current master triggers an election.
    fn masters_among(
        &self,
        gone: &[(BrokerIdentity, BrokerLiveInfo)],
        reason: impl Fn(i64) -> TriggerReason,
    ) -> Vec<ElectionTrigger> {
        let mut seen = BTreeSet::new();
        gone.iter()
            .map(|(identity, _)| identity)
            .filter(|g| {
                self.state.get(&g.broker_name).is_some_and(|s| s.sync.master_broker_id == Some(g.broker_id))
            })
            .filter(|g| seen.insert(g.broker_name.clone()))
            .map(|g| ElectionTrigger { broker_name: g.broker_name.clone(), reason: reason(g.broker_id) })
            .collect()
    }
}

#[cfg(test)]
#[path = "controller_test.rs"]
mod controller_test;
