//! Controller-triggered elections (spec §7.4).
//!
//! A trigger comes from the liveness scan, a closed broker connection or the
//! inactive-master scan; only the leader acts on it, with up to
//! `electMasterMaxRetryCount` ELECT_MASTER(brokerName, −1) attempts through
//! the same serialized path as broker requests. Each 2004 commits "no
//! master" and bumps the epoch (pitfall P-C6).

use super::service::{ControllerService, Rejected};
use crate::codes::ResponseCode;
use crate::{ElectMasterRequest, ElectionTrigger, Replicator};

impl<R: Replicator> ControllerService<R> {
    /// Runs the elections `triggers` ask for, if this node is the leader.
    pub async fn run_election_triggers(&self, triggers: Vec<ElectionTrigger>) {
        if triggers.is_empty() || !self.replicator().metadata().is_leader {
            return;
        }
        for trigger in triggers {
            tracing::info!(broker = %trigger.broker_name, reason = ?trigger.reason, "master inactive; electing a new one");
            self.controller_triggered_election(&trigger.broker_name).await;
        }
    }

    /// Stops at the first SUCCESS (or when a master still exists, or this
    /// node stops leading).
    async fn controller_triggered_election(&self, broker_name: &str) {
        let attempts = self.config.read().elect_master_max_retry_count.max(1);
        let request = ElectMasterRequest::controller_triggered(broker_name);
        for attempt in 1..=attempts {
            match self.elect(&request).await {
                Ok(resp) if resp.code == ResponseCode::Success => {
                    tracing::info!(broker = broker_name, master = ?resp.master_broker_id, epoch = resp.master_epoch, "new master elected");
                    return;
                }
                Ok(resp) if resp.code == ResponseCode::ControllerMasterStillExist => return,
                Ok(resp) => {
                    tracing::warn!(broker = broker_name, attempt, code = ?resp.code, "controller-triggered election found no master")
                }
                Err(Rejected::NotLeader) => return,
                Err(e) => {
                    tracing::warn!(broker = broker_name, attempt, error = ?e, "controller-triggered election failed")
                }
            }
        }
    }
}
