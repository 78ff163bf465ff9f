//! Replication with static roles (spec/ha.md §1, §10, §11; spec/config.md
//! §3.7): every broker runs an [`HaService`] (the HA listener is bound on
//! every broker, master or slave, §2.1), takes the role `brokerRole` names
//! once at startup, and puts go through [`HaPut`].
//!
//! * `SYNC_MASTER` / `ASYNC_MASTER` (brokerId 0) → `become_master(E)`.
//! * `SLAVE` (brokerId > 0) → `become_slave(haMasterAddress, E)`; without
//!   `haMasterAddress` the slave waits for the master's HA address from the
//!   name server's REGISTER_BROKER answer (`registration.rs`).
//!
//! There is no controller, so the SyncStateSet is answered by
//! [`StaticProposer`] (every proposal accepted), and the HA ids are the
//! name-server `brokerId`s (master 0, slaves their own id).
//!
//! With `enableControllerMode=true` the service starts with no role and the
//! controller's proposer; `crate::controller_mode` takes it from there.
//!
//! Epochs: with no controller to number terms, a master numbers its own:
//! each start is a new term, `E = last epoch in the epoch file + 1` (at
//! least 1), recorded in `<storePathRootDir>/epochFileCheckpoint` by
//! `become_master`. A fixed epoch (always 1) would be simpler, but after a
//! manual role swap both histories would carry the same label and the
//! slave's handshake could not see where they diverge; a start that wrote
//! nothing leaves no entry behind (the next term's entry replaces it). A
//! slave passes its own last epoch (it only guards against going back).
//!
//! `ASYNC_MASTER` replicates but never waits: §10.1 step 2 handles HA only
//! for SYNC_MASTER (controller-mode masters always are), so its policy is
//! "one copy, no allAck", which also keeps its confirm offset live (§9.2).

use std::sync::Arc;

use booster_conf::{BrokerConfig, BrokerRole};
use booster_ha::{
    HaConfig, HaPutStatus, HaService, PutError, ReplicationPolicy, StaticProposer, SyncStateSetProposer,
};
use booster_store::{MessageStore, MessageToStore};

use crate::error::{BrokerError, Result};
use crate::put::{MessagePut, PutFuture, PutOutcome, PutStatus, status_of_error};

/// The first epoch a fresh master takes.
const FIRST_EPOCH: i32 = 1;

/// The HA settings of `cfg`. `ephemeral_port`: the broker was asked for
/// `listenPort=0` (tests, side-by-side brokers); then an unset
/// `haListenPort` also lets the OS pick instead of `listenPort + 1`, a port
/// that may well be taken.
pub fn ha_config(cfg: &BrokerConfig, ephemeral_port: bool) -> HaConfig {
    let mut config = HaConfig::from_broker(cfg);
    if ephemeral_port && cfg.ha_listen_port <= 0 {
        config.listen_addr = "0.0.0.0:0".to_owned();
    }
    if cfg.broker_role == BrokerRole::AsyncMaster && !cfg.enable_controller_mode {
        config.policy = ReplicationPolicy {
            in_sync_replicas: 1,
            min_in_sync_replicas: 1,
            all_ack: false,
            slave_timeout: config.policy.slave_timeout,
        };
    }
    config
}

/// A role that cannot work (checked before anything is opened or bound).
pub fn check_role(cfg: &BrokerConfig) -> Result<()> {
    if !cfg.enable_controller_mode && cfg.broker_role == BrokerRole::Slave && cfg.broker_id <= 0 {
        return Err(BrokerError::Setting {
            key: "brokerId",
            reason: format!("a SLAVE needs a brokerId > 0, got {}", cfg.broker_id),
        });
    }
    Ok(())
}

/// Starts the HA service on `store` and takes the configured role, or,
/// given the controller's proposer, no role yet (fenced). Writes the bound
/// HA port back into `cfg.ha_listen_port`, so that registration advertises
/// the real `haServerAddr`.
pub async fn start(
    cfg: &mut BrokerConfig,
    store: Arc<MessageStore>,
    ephemeral_port: bool,
    controller: Option<Arc<dyn SyncStateSetProposer>>,
) -> Result<Arc<HaService>> {
    check_role(cfg)?;
    let config = ha_config(cfg, ephemeral_port);
    let controlled = controller.is_some();
    let proposer = controller.unwrap_or_else(|| Arc::new(StaticProposer));
    let ha = Arc::new(HaService::start(store, config, cfg.broker_id, proposer).await?);
    cfg.ha_listen_port = i32::from(ha.local_addr().port());
    if controlled {
        tracing::info!(ha_listen = %ha.local_addr(), "controller mode: fenced until the controller names a role");
        return Ok(ha);
    }
    let last = ha.epoch_cache().last_epoch();
    if cfg.broker_role.is_master() {
        let epoch = last.saturating_add(1).max(FIRST_EPOCH);
        ha.become_master(epoch).await?;
    } else {
        let master = cfg.ha_master_address.as_deref().map(str::trim).filter(|a| !a.is_empty());
        ha.become_slave(master.map(str::to_owned), last.max(FIRST_EPOCH)).await?;
    }
    tracing::info!(
        role = cfg.broker_role.as_str(),
        ha_listen = %ha.local_addr(),
        role_state = ?ha.role(),
        "replication started"
    );
    Ok(ha)
}

/// The put path of a replicated broker: [`HaService::put`] under the
/// configured policy, its outcome in the broker's terms (spec/ha.md §10.4).
#[derive(Debug, Clone)]
pub struct HaPut {
    ha: Arc<HaService>,
}

impl HaPut {
    pub fn new(ha: Arc<HaService>) -> Self {
        Self { ha }
    }
}

impl MessagePut for HaPut {
    fn put<'a>(&'a self, msgs: &'a [MessageToStore], wait_store_msg_ok: bool) -> PutFuture<'a> {
        Box::pin(async move { outcome(self.ha.put(msgs, wait_store_msg_ok).await) })
    }
}

/// §10.4: FLUSH_SLAVE_TIMEOUT is stored; IN_SYNC_REPLICAS_NOT_ENOUGH and
/// "not the master" store nothing.
fn outcome(result: std::result::Result<booster_ha::HaPutResult, PutError>) -> PutOutcome {
    match result {
        Ok(r) => {
            let status = match r.status {
                HaPutStatus::PutOk => PutStatus::PutOk,
                HaPutStatus::FlushDiskTimeout => PutStatus::FlushDiskTimeout,
                HaPutStatus::FlushSlaveTimeout => PutStatus::FlushSlaveTimeout,
            };
            PutOutcome { status, append: Some(r.append), detail: None }
        }
        Err(e @ PutError::NotMaster) => PutOutcome::failed(PutStatus::ServiceNotAvailable, e.to_string()),
        Err(e @ PutError::InSyncReplicasNotEnough(_)) => {
            PutOutcome::failed(PutStatus::InSyncReplicasNotEnough, e.to_string())
        }
        Err(PutError::Store(e)) => PutOutcome::failed(status_of_error(&e), e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use booster_ha::put_waiter::InSyncReplicasNotEnough;
    use booster_store::StoreError;

    use super::*;

    #[test]
    fn refusals_store_nothing_and_map_to_their_status() {
        let o = outcome(Err(PutError::NotMaster));
        assert_eq!((o.status, o.append.is_none()), (PutStatus::ServiceNotAvailable, true));
        let o = outcome(Err(InSyncReplicasNotEnough { in_sync: 2, min: 3 }.into()));
        assert_eq!((o.status, o.append.is_none()), (PutStatus::InSyncReplicasNotEnough, true));
        let o = outcome(Err(StoreError::ShuttingDown.into()));
        assert_eq!(o.status, PutStatus::ServiceNotAvailable);
    }

    #[test]
    fn async_master_never_waits_and_an_unset_port_follows_listen_port() {
        let mut cfg = BrokerConfig {
            listen_port: 20911,
            all_ack_in_sync_state_set: true,
            min_in_sync_replicas: 3,
            ..BrokerConfig::default()
        };
        let c = ha_config(&cfg, false);
        assert_eq!(c.listen_addr, "0.0.0.0:20912");
        assert_eq!((c.policy.all_ack, c.policy.min_in_sync_replicas), (false, 1));
        cfg.broker_role = BrokerRole::SyncMaster;
        let c = ha_config(&cfg, true);
        assert_eq!(c.listen_addr, "0.0.0.0:0");
        assert_eq!((c.policy.all_ack, c.policy.min_in_sync_replicas), (true, 3));
        cfg.ha_listen_port = 30000;
        assert_eq!(ha_config(&cfg, true).listen_addr, "0.0.0.0:30000");
    }
}
