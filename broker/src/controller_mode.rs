//! Controller mode (`enableControllerMode=true`, spec/controller.md §11):
//! the broker starts fenced and a [`ReplicasManager`] decides its role. This
//! module is the broker's side of that: the [`BrokerRoleHooks`] (name-server
//! id 0 while master and the controller id while slave, unfencing,
//! re-registration with the name servers, the master-only services, the
//! slave metadata sync), and
//! the two requests a broker serves for the controller and admin tools:
//! NOTIFY_BROKER_ROLE_CHANGED (1008) and GET_BROKER_EPOCH_CACHE (1007).

use std::sync::{Arc, Weak};

use booster_controller_client::{
    BrokerRoleHooks, ControllerLink, ReplicasManager, ReplicasManagerConfig, RoleChange,
};
use booster_model::controller::{EpochEntry, EpochEntryCache, SyncStateSet};
use booster_model::{from_rocketmq_json, to_rocketmq_json};
use booster_remoting::headers::controller::NotifyBrokerRoleChangedRequestHeader;
use booster_remoting::{Connection, RemotingClient, RemotingCommand, ResponseCode, request};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::context::BrokerContext;
use crate::processor::{ProcessorTable, Reply, decode_header, reply_error, response};

/// Builds the replicas manager, hands it to `ctx`, starts it, and returns
/// the broker tasks that follow the role (the master-only services).
pub fn start(
    ctx: &Arc<BrokerContext>,
    cfg: ReplicasManagerConfig,
    link: ControllerLink,
    client: RemotingClient,
) -> Vec<JoinHandle<()>> {
    let master = watch::channel(false).0;
    let hooks = Arc::new(BrokerHooks { ctx: Arc::downgrade(ctx), client, master: master.clone() });
    let manager = ReplicasManager::new(cfg, link, Arc::clone(&ctx.ha), hooks);
    let _ = ctx.replicas.set(Arc::clone(&manager));
    manager.start();
    vec![tokio::spawn(master_services(Arc::clone(ctx), master.subscribe()))]
}

struct BrokerHooks {
    /// Weak: the context owns the manager, which owns these hooks.
    ctx: Weak<BrokerContext>,
    client: RemotingClient,
    master: watch::Sender<bool>,
}

impl BrokerRoleHooks for BrokerHooks {
    /// §11.5 changeToMaster steps 4, 6, 8: stop copying from the old
    /// master, then the master-only services and a one-off registration
    /// (sent even while the periodic one is still held back).
    fn became_master(&self, change: &RoleChange) {
        let Some(ctx) = self.ctx.upgrade() else { return };
        ctx.role.set(false, 0, change.master_epoch);
        let (client, master) = (self.client.clone(), self.master.clone());
        tokio::spawn(async move {
            ctx.slave_sync.stop().await;
            master.send_replace(true);
            crate::registration::register_all(&ctx, &client).await;
        });
    }

    /// changeToSlave steps 3, 4, 6; the registration's answer gives the
    /// HA client the master's HA address.
    fn became_slave(&self, change: &RoleChange) {
        let Some(ctx) = self.ctx.upgrade() else { return };
        ctx.role.set(true, change.controller_id, change.master_epoch);
        self.master.send_replace(false);
        ctx.slave_sync.start(&ctx, change.master_address.clone());
        let (client, epoch) = (self.client.clone(), change.master_epoch);
        tokio::spawn(async move { crate::registration::register_as_slave(&ctx, &client, epoch).await });
    }
}

/// Runs the delay-level schedule and the transaction check while master:
/// they write to the CommitLog. Stopped (aborted) on demotion; a delayed
/// message caught mid-delivery is delivered again by the next master
/// (at least once, as with any failover).
async fn master_services(ctx: Arc<BrokerContext>, mut master: watch::Receiver<bool>) {
    let mut shutdown = ctx.shutdown_signal();
    let mut running: Vec<JoinHandle<()>> = Vec::new();
    loop {
        let is_master = *master.borrow_and_update();
        if is_master && running.is_empty() {
            running.extend(crate::schedule::spawn(&ctx));
            running.push(crate::transaction::service::spawn(&ctx));
        } else if !is_master {
            running.drain(..).for_each(|t| t.abort());
        }
        tokio::select! {
            changed = master.changed() => if changed.is_err() { break },
            _ = shutdown.changed() => break,
        }
    }
    // On shutdown the services see the signal themselves and finish.
    for task in running {
        let _ = task.await;
    }
}

pub fn register(table: &mut ProcessorTable) {
    table.register(request::NOTIFY_BROKER_ROLE_CHANGED, notify_broker_role_changed);
    table.register(request::GET_BROKER_EPOCH_CACHE, get_broker_epoch_cache);
}

/// NOTIFY_BROKER_ROLE_CHANGED (§4.8): changeBrokerRole, then SUCCESS.
async fn notify_broker_role_changed(
    ctx: Arc<BrokerContext>,
    _conn: Connection,
    req: RemotingCommand,
) -> Reply {
    let Some(manager) = ctx.replicas.get() else {
        return Some(reply_error(&req, ResponseCode::SystemError, "not in controller mode"));
    };
    let header = match decode_header::<NotifyBrokerRoleChangedRequestHeader>(&req) {
        Ok(h) => h,
        Err(resp) => return Some(*resp),
    };
    let body = req
        .body
        .as_ref()
        .and_then(|b| std::str::from_utf8(b).ok())
        .and_then(|text| from_rocketmq_json::<SyncStateSet>(text).ok());
    match manager.on_role_changed(&header, body).await {
        Ok(()) => Some(response(&req, ResponseCode::Success)),
        Err(e) => Some(reply_error(&req, ResponseCode::SystemError, e.to_string())),
    }
}

/// GET_BROKER_EPOCH_CACHE (§4.7).
async fn get_broker_epoch_cache(ctx: Arc<BrokerContext>, _conn: Connection, req: RemotingCommand) -> Reply {
    if !ctx.config.enable_controller_mode {
        return Some(reply_error(&req, ResponseCode::SystemError, "not in controller mode"));
    }
    let body = epoch_entry_cache(&ctx);
    Some(response(&req, ResponseCode::Success).with_body(to_rocketmq_json(&body, false).into_bytes()))
}

fn epoch_entry_cache(ctx: &BrokerContext) -> EpochEntryCache {
    let epoch_list = ctx
        .ha
        .epoch_cache()
        .entries()
        .iter()
        .map(|e| EpochEntry { end_offset: e.end_offset, epoch: e.epoch, start_offset: e.start_offset })
        .collect();
    EpochEntryCache {
        broker_id: ctx.role.name_server_id(),
        broker_name: ctx.config.broker_name.clone(),
        cluster_name: ctx.config.broker_cluster_name.clone(),
        epoch_list,
        max_offset: ctx.store.max_phy_offset(),
    }
}
