//! [`ReplicasManager`]: the shell of controller mode on a broker
//! (spec/controller.md §11). Start-up (`startBasicService`): find the
//! leader, get and persist a controller id, register, send one heartbeat,
//! take the role the controller names or ask for an election; retried every
//! `retry_period` until it succeeds. Then three loops: leader discovery
//! (every `syncControllerMetadataPeriod` and at once after a 2007),
//! heartbeats (every `brokerHeartbeatInterval`) and the replica-info poll
//! (every `syncBrokerMetadataPeriod`).
//!
//! Every role change — poll, NOTIFY_BROKER_ROLE_CHANGED, election — runs
//! under one lock: decide ([`RoleState`]), drive the HA engine, record,
//! then tell the broker ([`BrokerRoleHooks`]).

use std::sync::Arc;
use std::time::Duration;

use booster_conf::{BrokerConfig, MessageStoreConfig};
use booster_ha::HaService;
use booster_model::controller::{ResponseCode as ControllerCode, SyncStateSet};
use booster_remoting::RemotingClient;
use booster_remoting::headers::controller::{
    BrokerHeartbeatRequestHeader, NotifyBrokerRoleChangedRequestHeader,
};
use parking_lot::Mutex;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::api::{BrokerNames, ControllerApi};
use crate::clock::now_ms;
use crate::error::{ControllerClientError, Result};
use crate::hooks::{BrokerRoleHooks, RoleChange};
use crate::identity::IdentityFiles;
use crate::leader::parse_controller_addrs;
use crate::proposer::ControllerProposer;
use crate::registration::{ApplyFailure, RegisterState, RegisterStep};
use crate::role::{ControllerView, RoleAction, RoleState};

/// Leader discovery tries at start-up, 1 s apart (§11.2).
const DISCOVERY_TRIES: u32 = 3;
/// `register()` tries per start-up attempt (§11.2).
const REGISTER_TRIES: u32 = 5;

/// The settings the manager reads (spec/controller.md §11.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicasManagerConfig {
    pub names: BrokerNames,
    /// `controllerAddr`, split.
    pub controller_addrs: Vec<String>,
    /// `storePathBrokerIdentity`.
    pub identity_path: std::path::PathBuf,
    pub sync_broker_metadata_period: Duration,
    pub sync_controller_metadata_period: Duration,
    pub heartbeat_interval: Duration,
    pub heartbeat_timeout_ms: i64,
    pub election_priority: i32,
    /// Pause between failed start-up attempts (5 s in Java).
    pub retry_period: Duration,
}

impl ReplicasManagerConfig {
    pub fn from_broker(broker: &BrokerConfig, store: &MessageStoreConfig, broker_addr: String) -> Self {
        let ms = Duration::from_millis;
        Self {
            names: BrokerNames {
                cluster_name: broker.broker_cluster_name.clone(),
                broker_name: broker.broker_name.clone(),
                broker_addr,
            },
            controller_addrs: parse_controller_addrs(&broker.controller_addr),
            identity_path: store.broker_identity_path(),
            sync_broker_metadata_period: ms(broker.sync_broker_metadata_period.max(10)),
            sync_controller_metadata_period: ms(broker.sync_controller_metadata_period.max(10)),
            heartbeat_interval: ms(broker.broker_heartbeat_interval.max(10)),
            heartbeat_timeout_ms: i64::try_from(broker.controller_heart_beat_timeout_mills)
                .unwrap_or(i64::MAX),
            election_priority: broker.broker_election_priority,
            retry_period: Duration::from_secs(5),
        }
    }
}

/// The controller side of the broker before the HA engine exists: the
/// engine needs the proposer at start, the manager needs the engine.
#[derive(Debug, Clone)]
pub struct ControllerLink {
    pub api: Arc<ControllerApi>,
    pub proposer: Arc<ControllerProposer>,
}

impl ControllerLink {
    pub fn new(cfg: &ReplicasManagerConfig, client: RemotingClient) -> Self {
        let api = ControllerApi::new(client, cfg.controller_addrs.clone());
        let proposer = Arc::new(ControllerProposer::new(Arc::clone(&api), cfg.names.broker_name.clone()));
        Self { api, proposer }
    }
}

/// See the module docs.
pub struct ReplicasManager {
    cfg: ReplicasManagerConfig,
    api: Arc<ControllerApi>,
    proposer: Arc<ControllerProposer>,
    ha: Arc<HaService>,
    hooks: Arc<dyn BrokerRoleHooks>,
    files: IdentityFiles,
    registration: Mutex<Option<RegisterState>>,
    /// The one role lock.
    role: tokio::sync::Mutex<RoleState>,
    running: watch::Sender<bool>,
    shutdown: watch::Sender<bool>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl std::fmt::Debug for ReplicasManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplicasManager").field("names", &self.cfg.names).finish_non_exhaustive()
    }
}

impl ReplicasManager {
    pub fn new(
        cfg: ReplicasManagerConfig,
        link: ControllerLink,
        ha: Arc<HaService>,
        hooks: Arc<dyn BrokerRoleHooks>,
    ) -> Arc<Self> {
        Arc::new(Self {
            files: IdentityFiles::new(cfg.identity_path.clone()),
            cfg,
            api: link.api,
            proposer: link.proposer,
            ha,
            hooks,
            registration: Mutex::new(None),
            role: tokio::sync::Mutex::new(RoleState::new(-1)),
            running: watch::channel(false).0,
            shutdown: watch::channel(false).0,
            tasks: Mutex::new(Vec::new()),
        })
    }

    /// Starts the background work; returns at once.
    pub fn start(self: &Arc<Self>) {
        let me = Arc::clone(self);
        self.tasks.lock().push(tokio::spawn(async move { me.run().await }));
    }

    /// Stops every loop (the HA engine is the broker's to stop).
    pub async fn shutdown(&self) {
        self.shutdown.send_replace(true);
        let tasks: Vec<_> = self.tasks.lock().drain(..).collect();
        for task in tasks {
            task.abort();
            let _ = task.await;
        }
    }

    /// Resolves true once start-up finished (role known, unfenced).
    pub fn running(&self) -> watch::Receiver<bool> {
        self.running.subscribe()
    }

    /// This broker's controller id, once known.
    pub fn controller_id(&self) -> Option<i64> {
        self.registration.lock().as_ref().and_then(RegisterState::broker_id)
    }

    /// A copy of what the role logic last acted on.
    pub async fn role_state(&self) -> RoleState {
        self.role.lock().await.clone()
    }

    pub fn api(&self) -> &Arc<ControllerApi> {
        &self.api
    }

    async fn run(self: Arc<Self>) {
        let mut shutdown = self.shutdown.subscribe();
        loop {
            match self.start_basic_service().await {
                Ok(()) => break,
                Err(e) => tracing::warn!(error = %e, "controller mode not started yet; retrying"),
            }
            tokio::select! {
                () = tokio::time::sleep(self.cfg.retry_period) => {}
                _ = shutdown.changed() => return,
            }
        }
        self.running.send_replace(true);
        // Under the task lock: a shutdown that already drained the list
        // must not miss loops started after it.
        let mut tasks = self.tasks.lock();
        if *self.shutdown.borrow() {
            return;
        }
        tasks.push(tokio::spawn(Arc::clone(&self).discovery_loop()));
        tasks.push(tokio::spawn(Arc::clone(&self).heartbeat_loop()));
        tasks.push(tokio::spawn(Arc::clone(&self).poll_loop()));
    }

    /// §11.2 `startBasicService`.
    async fn start_basic_service(&self) -> Result<()> {
        let mut tries = 0;
        while self.api.leader().get().is_none() && self.api.discover_leader().await.is_none() {
            tries += 1;
            if tries >= DISCOVERY_TRIES {
                return Err(ControllerClientError::NoLeader(self.api.addrs().join(";")));
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        let view = self.register_with_retries().await?;
        self.heartbeat_once().await;
        let mut role = self.role.lock().await;
        let action = role.decide_change(&view);
        if action == RoleAction::Nothing {
            self.elect(&mut role).await?;
        } else {
            self.apply(&mut role, action).await?;
        }
        Ok(())
    }

    async fn register_with_retries(&self) -> Result<ControllerView> {
        let mut tries = 0;
        loop {
            match self.register().await {
                Ok(view) => return Ok(view),
                Err(e @ ControllerClientError::IdentityInvalid { .. }) => return Err(e),
                Err(e) if tries + 1 >= REGISTER_TRIES => return Err(e),
                Err(e) => tracing::info!(error = %e, "registration with the controller failed; retrying"),
            }
            tries += 1;
            // Java sleeps a random 0–999 ms so replicas do not collide.
            tokio::time::sleep(Duration::from_millis(now_ms().unsigned_abs() % 1000)).await;
        }
    }

    /// §11.2 `register()`: walks the registration state machine to the
    /// end; the answer of REGISTER_BROKER is the controller's view.
    async fn register(&self) -> Result<ControllerView> {
        let mut state = self.load_registration()?;
        let result = loop {
            let step = state.next_step();
            match self.register_step(&mut state, step).await {
                Ok(Some(view)) => break Ok(view),
                Ok(None) => {}
                Err(e) => break Err(e),
            }
        };
        *self.registration.lock() = Some(state);
        result
    }

    /// The state so far, or else what the files on disk say.
    fn load_registration(&self) -> Result<RegisterState> {
        if let Some(state) = self.registration.lock().clone() {
            return Ok(state);
        }
        let names = &self.cfg.names;
        let owner = |found: &crate::identity::BrokerIdentity, path: &std::path::Path| {
            found
                .check_owner(&names.cluster_name, &names.broker_name)
                .map_err(|reason| ControllerClientError::IdentityInvalid { path: path.to_owned(), reason })
        };
        let identity = self.files.load()?;
        if let Some(id) = &identity {
            owner(id, self.files.path())?;
        }
        let temp = self.files.load_temp()?;
        if let Some(t) = &temp {
            owner(&t.identity, self.files.temp_path())?;
        }
        Ok(RegisterState::from_files(identity.as_ref(), temp))
    }

    async fn register_step(
        &self,
        state: &mut RegisterState,
        step: RegisterStep,
    ) -> Result<Option<ControllerView>> {
        let names = &self.cfg.names;
        match step {
            RegisterStep::GetNextBrokerId => {
                let next = self.api.get_next_broker_id(names).await?;
                let temp = RegisterState::temp_for(
                    &names.cluster_name,
                    &names.broker_name,
                    next,
                    &names.broker_addr,
                    now_ms(),
                );
                self.files.store_temp(&temp)?;
                state.temp_written(temp);
                Ok(None)
            }
            RegisterStep::ApplyBrokerId { broker_id, register_check_code } => {
                if let Err(e) = self.api.apply_broker_id(names, broker_id, &register_check_code).await {
                    let definite = e.code() == Some(ControllerCode::ControllerBrokerIdInvalid.code());
                    if state.apply_failed(definite) == ApplyFailure::Discard {
                        self.files.remove_temp()?;
                    }
                    return Err(e);
                }
                let identity = crate::identity::BrokerIdentity {
                    cluster_name: names.cluster_name.clone(),
                    broker_name: names.broker_name.clone(),
                    broker_id,
                };
                self.files.store(&identity)?;
                if let Err(e) = self.files.remove_temp() {
                    tracing::warn!(error = %e, "temp identity file left behind");
                }
                tracing::info!(broker_id, "controller id applied");
                state.identity_written(broker_id);
                Ok(None)
            }
            RegisterStep::RegisterBroker { broker_id } | RegisterStep::Done { broker_id } => {
                self.take_own_id(broker_id).await;
                let view = self.api.register_broker(names, broker_id, now_ms()).await?;
                state.registered();
                tracing::info!(broker_id, master = ?view.master_broker_id, "registered to the controller");
                Ok(Some(view))
            }
        }
    }

    /// The controller id is this broker's HA id and `masterBrokerId`.
    async fn take_own_id(&self, id: i64) {
        self.ha.set_own_id(id);
        self.proposer.set_own_id(id);
        self.role.lock().await.own_id = id;
    }

    /// `brokerElect()` (§11.5), under the role lock.
    async fn elect(&self, role: &mut RoleState) -> Result<()> {
        let view = self.api.elect_master(&self.cfg.names, role.own_id, now_ms()).await?;
        let action = role.decide_change(&view);
        if action == RoleAction::Nothing {
            return Err(ControllerClientError::BadResponse {
                addr: self.api.leader().get().unwrap_or_default(),
                what: format!("election named no usable master: {view:?}"),
            });
        }
        self.apply(role, action).await
    }

    /// Carries `action` out under the role lock: the HA engine first, then
    /// the record, then the broker. A refused HA change (stale epoch,
    /// P-C13) is not recorded: the next poll tries again.
    async fn apply(&self, role: &mut RoleState, action: RoleAction) -> Result<()> {
        let controller_id = role.own_id;
        match &action {
            RoleAction::Nothing => return Ok(()),
            RoleAction::Elect => return Box::pin(self.elect(role)).await,
            RoleAction::ApplySyncStateSet { sync_state_set, sync_state_set_epoch } => {
                self.ha.apply_sync_state_set(sync_state_set.clone(), *sync_state_set_epoch);
                return Ok(());
            }
            // A re-elected master starts a new term as well: the new
            // epoch's entry is appended and its proposals carry it; the
            // slaves reconnect (ha.md §11.2 keeps them, P-H8).
            RoleAction::BecomeMaster { master_epoch, sync_state_set, sync_state_set_epoch }
            | RoleAction::StayMaster { master_epoch, sync_state_set, sync_state_set_epoch } => {
                self.ha.become_master(*master_epoch).await?;
                self.ha.apply_sync_state_set(sync_state_set.clone(), *sync_state_set_epoch);
            }
            RoleAction::BecomeSlave { master_epoch, .. } => self.ha.become_slave(None, *master_epoch).await?,
            RoleAction::FollowSameMaster { .. } => {}
        }
        role.commit(&action);
        let change = RoleChange {
            controller_id,
            master_epoch: role.master_epoch,
            master_broker_id: role.master_broker_id.unwrap_or(controller_id),
            master_address: role.master_address.clone().unwrap_or_else(|| self.cfg.names.broker_addr.clone()),
        };
        tracing::info!(?change, master = role.is_master, "broker role changed");
        if role.is_master {
            self.hooks.became_master(&change);
        } else {
            self.hooks.became_slave(&change);
        }
        Ok(())
    }

    /// NOTIFY_BROKER_ROLE_CHANGED (§4.8): changeBrokerRole.
    pub async fn on_role_changed(
        &self,
        header: &NotifyBrokerRoleChangedRequestHeader,
        body: Option<SyncStateSet>,
    ) -> Result<()> {
        let set = body.unwrap_or_default();
        let view = ControllerView {
            master_broker_id: header.master_broker_id,
            master_address: header.master_address.clone(),
            master_epoch: header.master_epoch.unwrap_or(0),
            sync_state_set_epoch: header.sync_state_set_epoch.unwrap_or(set.sync_state_set_epoch),
            sync_state_set: set.sync_state_set,
        };
        let mut role = self.role.lock().await;
        let action = role.decide_change(&view);
        self.apply(&mut role, action).await
    }

    /// One replica-info poll (§11.6).
    pub async fn sync_broker_metadata(&self) -> Result<()> {
        match self.api.get_replica_info(&self.cfg.names.broker_name).await {
            Ok(view) => {
                let mut role = self.role.lock().await;
                let local_sse = self.ha.sync_state().map_or(0, |v| v.epoch);
                let action = role.decide_poll(&view, local_sse);
                self.apply(&mut role, action).await
            }
            Err(e) if e.code() == Some(ControllerCode::ControllerBrokerMetadataNotExist.code()) => {
                tracing::warn!("the controller lost this broker set; registering again");
                if let Some(state) = self.registration.lock().as_mut() {
                    state.unregistered();
                }
                self.register().await.map(drop)
            }
            Err(e) => Err(e),
        }
    }

    fn heartbeat_header(&self, broker_id: i64) -> BrokerHeartbeatRequestHeader {
        let names = &self.cfg.names;
        BrokerHeartbeatRequestHeader {
            cluster_name: names.cluster_name.clone(),
            broker_addr: names.broker_addr.clone(),
            broker_name: names.broker_name.clone(),
            broker_id: Some(broker_id),
            epoch: Some(self.ha.epoch_cache().last_epoch()),
            max_offset: Some(self.ha.store().max_phy_offset()),
            confirm_offset: Some(self.ha.confirm_offset()),
            heartbeat_timeout_mills: Some(self.cfg.heartbeat_timeout_ms),
            election_priority: Some(self.cfg.election_priority),
        }
    }

    async fn heartbeat_once(&self) {
        if let Some(id) = self.controller_id() {
            self.api.heartbeat(&self.heartbeat_header(id)).await;
        }
    }

    async fn discovery_loop(self: Arc<Self>) {
        let mut shutdown = self.shutdown.subscribe();
        loop {
            tokio::select! {
                () = tokio::time::sleep(self.cfg.sync_controller_metadata_period) => {}
                () = self.api.leader().rediscovery_wanted() => {}
                _ = shutdown.changed() => return,
            }
            if self.api.discover_leader().await.is_none() {
                tracing::warn!(controllers = ?self.api.addrs(), "no controller leader found");
            }
        }
    }

    async fn heartbeat_loop(self: Arc<Self>) {
        self.every(self.cfg.heartbeat_interval, |me| async move { me.heartbeat_once().await }).await;
    }

    async fn poll_loop(self: Arc<Self>) {
        self.every(self.cfg.sync_broker_metadata_period, |me| async move {
            if let Err(e) = me.sync_broker_metadata().await {
                tracing::warn!(error = %e, "replica info not synced from the controller");
            }
        })
        .await;
    }

    async fn every<F, Fut>(self: &Arc<Self>, period: Duration, f: F)
    where
        F: Fn(Arc<Self>) -> Fut,
        Fut: std::future::Future<Output = ()>,
    {
        let mut shutdown = self.shutdown.subscribe();
        loop {
            tokio::select! {
                () = tokio::time::sleep(period) => f(Arc::clone(self)).await,
                _ = shutdown.changed() => return,
            }
        }
    }
}
