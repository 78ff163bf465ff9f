//! [`ControllerProposer`]: the HA engine's SyncStateSet proposals sent as
//! CONTROLLER_ALTER_SYNC_STATE_SET to the controller leader (spec/ha.md
//! §8.6), the accepted set fed back. Refusals (fenced epochs, invalid
//! master, replicas not alive, not leader) come back as errors the tracker
//! only logs; the next ack, shrink period or replica-info poll repairs.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use booster_ha::proposer::BoxFuture;
use booster_ha::{AcceptedSyncStateSet, Proposal, ProposeError, SyncStateSetProposer};
use booster_model::controller::SyncStateSet;

use crate::api::ControllerApi;
use crate::clock::now_ms;

/// See the module docs.
#[derive(Debug)]
pub struct ControllerProposer {
    api: Arc<ControllerApi>,
    broker_name: String,
    /// The controller id (`masterBrokerId`), known after registration.
    own_id: AtomicI64,
}

impl ControllerProposer {
    pub fn new(api: Arc<ControllerApi>, broker_name: String) -> Self {
        Self { api, broker_name, own_id: AtomicI64::new(-1) }
    }

    pub fn set_own_id(&self, id: i64) {
        self.own_id.store(id, Ordering::Release);
    }
}

impl SyncStateSetProposer for ControllerProposer {
    fn propose(&self, p: Proposal) -> BoxFuture<'_, Result<AcceptedSyncStateSet, ProposeError>> {
        Box::pin(async move {
            let body = SyncStateSet {
                sync_state_set: p.sync_state_set,
                sync_state_set_epoch: p.sync_state_set_epoch,
            };
            let own_id = self.own_id.load(Ordering::Acquire);
            let accepted = self
                .api
                .alter_sync_state_set(&self.broker_name, own_id, p.master_epoch, &body, now_ms())
                .await
                .map_err(|e| ProposeError(e.to_string()))?;
            Ok(AcceptedSyncStateSet {
                sync_state_set: accepted.sync_state_set,
                epoch: accepted.sync_state_set_epoch,
            })
        })
    }
}
