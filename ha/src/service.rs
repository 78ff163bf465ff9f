//! `HaService`: the role API the controller client drives (spec/ha.md §11)
//! and the put entry point of a replicated broker.
//!
//! The HA listener is bound for the service's whole life (§2.1); accepted
//! sockets are served only while this broker is master. Each role term owns
//! its tasks; a role change shuts them down (closing every connection)
//! before the next term starts, so two terms never write at once.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use booster_store::epoch::EpochCache;
use booster_store::{MessageStore, MessageToStore};
use parking_lot::{Mutex, RwLock};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::HaConfig;
use crate::epochs::Epochs;
use crate::error::HaError;
use crate::master::{HaConnectionInfo, MasterCore, MasterParts, SyncStateView};
use crate::proposer::SyncStateSetProposer;
use crate::put_waiter::{self, HaPutResult, PutError, PutWaiter, ReplicationPolicy};
use crate::runtime::{Clock, TaskGroup};
use crate::slave::{SlaveClient, SlaveStatus};
use crate::sync_state::QuorumOffsets;

/// The broker's replication role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Started, no role yet (or between roles).
    Idle,
    Master {
        epoch: i32,
    },
    Slave {
        epoch: i32,
    },
}

/// How long becoming master waits for dispatch to cover what it holds
/// (§11.1 step 7) before serving anyway, with a warning.
const DISPATCH_CATCH_UP_LIMIT: Duration = Duration::from_secs(30);

struct Inner {
    store: Arc<MessageStore>,
    config: HaConfig,
    /// The controller id; settable because controller mode learns it only
    /// after the listener is up (spec/controller.md §11.2 step 4).
    own_id: AtomicI64,
    epochs: Arc<Epochs>,
    proposer: Arc<dyn SyncStateSetProposer>,
    clock: Clock,
    quorum: Arc<watch::Sender<QuorumOffsets>>,
    slave_status: Arc<watch::Sender<SlaveStatus>>,
    slave_addr: watch::Sender<Option<String>>,
    master: RwLock<Option<Arc<MasterCore>>>,
    slave_tasks: TaskGroup,
    root: TaskGroup,
    role: Mutex<Role>,
    role_change: tokio::sync::Mutex<()>,
    local_addr: SocketAddr,
}

/// See the module docs. Dropping it aborts every task (a crash, as far as
/// peers can tell); [`HaService::shutdown`] also waits for them.
pub struct HaService {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for HaService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HaService").field("own_id", &self.own_id()).field("role", &self.role()).finish()
    }
}

impl HaService {
    /// Opens the epoch file, binds the HA listener and starts with no role.
    /// `own_id` is this broker's controller id (the slave id in handshakes).
    pub async fn start(
        store: Arc<MessageStore>,
        config: HaConfig,
        own_id: i64,
        proposer: Arc<dyn SyncStateSetProposer>,
    ) -> Result<Self, HaError> {
        let epochs = Arc::new(Epochs::open(store.config().epoch_file_path(), store.max_phy_offset())?);
        let bind_err = |source| HaError::Bind { addr: config.listen_addr.clone(), source };
        let listener = TcpListener::bind(&config.listen_addr).await.map_err(bind_err)?;
        let local_addr = listener.local_addr().map_err(bind_err)?;
        tracing::info!(%local_addr, own_id, "HA listener bound");
        let inner = Arc::new(Inner {
            store,
            config,
            own_id: AtomicI64::new(own_id),
            epochs,
            proposer,
            clock: Clock::new(),
            quorum: Arc::new(watch::channel(QuorumOffsets::default()).0),
            slave_status: Arc::new(watch::channel(SlaveStatus::default()).0),
            slave_addr: watch::channel(None).0,
            master: RwLock::new(None),
            slave_tasks: TaskGroup::default(),
            root: TaskGroup::default(),
            role: Mutex::new(Role::Idle),
            role_change: tokio::sync::Mutex::new(()),
            local_addr,
        });
        inner.root.spawn(accept_loop(listener, Arc::downgrade(&inner)));
        Ok(Self { inner })
    }

    /// The bound HA address (the real port when configured with 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.inner.local_addr
    }

    /// This broker's id in handshakes and the SyncStateSet.
    pub fn own_id(&self) -> i64 {
        self.inner.own_id.load(Ordering::Acquire)
    }

    /// Sets the id the next role term uses (the current term keeps its id:
    /// call it before the role change that should carry it).
    pub fn set_own_id(&self, id: i64) {
        self.inner.own_id.store(id, Ordering::Release);
    }

    pub fn role(&self) -> Role {
        *self.inner.role.lock()
    }

    pub fn store(&self) -> &Arc<MessageStore> {
        &self.inner.store
    }

    /// changeToMaster(E) (§11.1): end the current term, trim the tail
    /// (§6.4), record `<E, maxPhyOffset>` in the epoch file, confirm
    /// everything held, wait for dispatch, then serve slaves and puts.
    ///
    /// Two deliberate departures from the reference: the same epoch again
    /// (a static master restarting) keeps its entry instead of relabelling
    /// that epoch's bytes, and an epoch entry whose term wrote nothing gives
    /// way to the new one instead of the new one being dropped — otherwise
    /// the new term's bytes would carry the old label, and a deposed master
    /// that wrote under that label would later keep its divergent tail.
    pub async fn become_master(&self, epoch: i32) -> Result<(), HaError> {
        let inner = &self.inner;
        let _serial = inner.role_change.lock().await;
        let last = inner.epochs.last_epoch();
        if epoch < last {
            return Err(HaError::StaleEpoch { epoch, last });
        }
        inner.stop_term().await;
        let store = &inner.store;
        if let Some(point) = store.trim_tail()? {
            tracing::info!(point, "trimmed an incomplete CommitLog tail");
            inner.epochs.truncate_suffix_by_offset(point)?;
        }
        let max = store.max_phy_offset();
        if epoch > inner.epochs.last_epoch() {
            inner.epochs.truncate_suffix_by_offset(max)?;
            inner.epochs.append(epoch, max)?;
        }
        let core = MasterCore::start(MasterParts {
            store: Arc::clone(store),
            config: inner.config.clone(),
            epochs: Arc::clone(&inner.epochs),
            clock: inner.clock,
            quorum: Arc::clone(&inner.quorum),
            proposer: Arc::clone(&inner.proposer),
            own_id: inner.own_id.load(Ordering::Acquire),
            master_epoch: epoch,
        });
        let deadline = tokio::time::Instant::now() + DISPATCH_CATCH_UP_LIMIT;
        while store.dispatched_offset() < max && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        if store.dispatched_offset() < max {
            tracing::warn!(dispatched = store.dispatched_offset(), max, "serving before dispatch caught up");
        }
        store.rebuild_topic_queue_table();
        *inner.master.write() = Some(core);
        *inner.role.lock() = Role::Master { epoch };
        tracing::info!(epoch, max, "became master");
        Ok(())
    }

    /// changeToSlave (§11.3): end the current term and follow the master at
    /// `master_ha_addr` (`None`: wait for [`HaService::set_master_ha_addr`]).
    pub async fn become_slave(&self, master_ha_addr: Option<String>, epoch: i32) -> Result<(), HaError> {
        let inner = &self.inner;
        let _serial = inner.role_change.lock().await;
        let last = inner.epochs.last_epoch();
        if epoch < last {
            return Err(HaError::StaleEpoch { epoch, last });
        }
        inner.stop_term().await;
        // A slave exposes only what the master confirmed (§9.4).
        let store = &inner.store;
        store.set_confirm_offset(store.confirm_offset().min(store.max_phy_offset()));
        inner.slave_addr.send_replace(master_ha_addr);
        inner.slave_status.send_replace(SlaveStatus::default());
        let client = SlaveClient {
            store: Arc::clone(store),
            config: inner.config.clone(),
            own_id: inner.own_id.load(Ordering::Acquire),
            epochs: Arc::clone(&inner.epochs),
            master_addr: inner.slave_addr.subscribe(),
            status: Arc::clone(&inner.slave_status),
        };
        inner.slave_tasks.spawn(client.run());
        *inner.role.lock() = Role::Slave { epoch };
        tracing::info!(epoch, "became slave");
        Ok(())
    }

    /// The master's HA address as learned later (e.g. from the name
    /// server). Wakes the client; an open connection is kept (§2.4).
    /// The same address again changes nothing (the name server repeats it
    /// on every registration, and each wake-up would cut a back-off
    /// short); returns whether it was new.
    pub fn set_master_ha_addr(&self, addr: String) -> bool {
        self.inner.slave_addr.send_if_modified(|current| {
            let changed = current.as_deref() != Some(addr.as_str());
            if changed {
                *current = Some(addr);
            }
            changed
        })
    }

    /// A SyncStateSet the controller decided (election, metadata sync);
    /// applied if its epoch is newer. False when not master.
    pub fn apply_sync_state_set(&self, set: BTreeSet<i64>, epoch: i32) -> bool {
        let core = self.inner.master.read().clone();
        core.map(|c| c.apply_sync_state_set(set, epoch)).is_some()
    }

    /// The SyncStateSet views, when master.
    pub fn sync_state(&self) -> Option<SyncStateView> {
        self.inner.master.read().as_ref().map(|c| c.view())
    }

    /// The slave connections of the current master term (empty when not
    /// master), for the HA status.
    pub fn connections(&self) -> Vec<HaConnectionInfo> {
        self.inner.master.read().as_ref().map(|c| c.connections()).unwrap_or_default()
    }

    /// Confirm offset as the rest of the broker sees it (§9.2).
    pub fn confirm_offset(&self) -> i64 {
        match self.inner.master.read().as_ref() {
            Some(core) => core.confirm_offset(),
            None => self.inner.store.confirm_offset(),
        }
    }

    pub fn epoch_cache(&self) -> Arc<EpochCache> {
        self.inner.epochs.snapshot()
    }

    /// The master's HA address this slave follows, if known.
    pub fn master_ha_addr(&self) -> Option<String> {
        self.inner.slave_addr.borrow().clone()
    }

    pub fn slave_status(&self) -> watch::Receiver<SlaveStatus> {
        self.inner.slave_status.subscribe()
    }

    pub fn put_waiter(&self) -> PutWaiter {
        PutWaiter::new(self.inner.quorum.subscribe())
    }

    /// The configured replication policy.
    pub fn policy(&self) -> ReplicationPolicy {
        self.inner.config.policy
    }

    /// A master put under the configured policy (§10).
    pub async fn put(
        &self,
        msgs: &[MessageToStore],
        wait_store_msg_ok: bool,
    ) -> Result<HaPutResult, PutError> {
        self.put_with(&self.inner.config.policy, msgs, wait_store_msg_ok).await
    }

    /// A master put under `policy`.
    pub async fn put_with(
        &self,
        policy: &ReplicationPolicy,
        msgs: &[MessageToStore],
        wait_store_msg_ok: bool,
    ) -> Result<HaPutResult, PutError> {
        if self.inner.master.read().is_none() {
            return Err(PutError::NotMaster);
        }
        put_waiter::put(&self.inner.store, &self.put_waiter(), policy, msgs, wait_store_msg_ok).await
    }

    /// Ends the current term and the listener, waiting for every task.
    pub async fn shutdown(&self) {
        let _serial = self.inner.role_change.lock().await;
        self.inner.stop_term().await;
        self.inner.root.shutdown().await;
    }
}

impl Drop for HaService {
    fn drop(&mut self) {
        if let Some(core) = self.inner.master.write().take() {
            core.tasks.abort_all();
        }
        self.inner.slave_tasks.abort_all();
        self.inner.root.abort_all();
    }
}

impl Inner {
    /// Destroys the current term's connections and client (§11.1 step 2).
    async fn stop_term(&self) {
        let core = self.master.write().take();
        if let Some(core) = core {
            core.tasks.shutdown().await;
        }
        self.slave_tasks.shutdown().await;
        *self.role.lock() = Role::Idle;
        self.quorum.send_replace(QuorumOffsets::default());
    }
}

async fn accept_loop(listener: TcpListener, inner: Weak<Inner>) {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                tracing::warn!(error = %e, "HA accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Some(inner) = inner.upgrade() else { return };
        let core = inner.master.read().clone();
        match core {
            Some(core) => core.accept(stream, peer),
            None => tracing::debug!(%peer, "HA connection refused: not master"),
        }
    }
}
