//! `BrokerContext`: everything the processors share — settings, the store,
//! the metadata managers, the client tables, the put path, replication — plus the
//! signals the background tasks listen to (metadata changed, shutdown).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, OnceLock};

use booster_conf::{BrokerConfig, BrokerRole, MessageStoreConfig};
use booster_controller_client::ReplicasManager;
use booster_ha::HaService;
use booster_remoting::header::CommandHeader;
use booster_remoting::headers::broker::NotifyConsumerIdsChangedRequestHeader;
use booster_remoting::{Connection, RemotingCommand, request};
use booster_store::MessageStore;
use booster_store::dispatch::DelayLevels;
use booster_store::metadata::ConfigFile;
use parking_lot::Mutex;
use tokio::sync::{Notify, watch};

use crate::client::{ConsumerManager, ProducerManager};
use crate::lock::RebalanceLockManager;
use crate::offset::ConsumerOffsetManager;
use crate::put::MessagePut;
use crate::schedule::DelayOffsetManager;
use crate::slave_sync::SlaveSync;
use crate::stats::BrokerStats;
use crate::subscription::SubscriptionGroupManager;
use crate::topic::TopicConfigManager;
use crate::uniq_key::UniqKeyGenerator;

pub struct BrokerContext {
    /// Settings with derived values filled in (`brokerIP1`, the bound port).
    pub config: BrokerConfig,
    pub store_config: MessageStoreConfig,
    pub store: Arc<MessageStore>,
    pub topics: TopicConfigManager,
    pub groups: SubscriptionGroupManager,
    pub offsets: ConsumerOffsetManager,
    pub consumers: Mutex<ConsumerManager<Connection>>,
    pub producers: Mutex<ProducerManager<Connection>>,
    /// Where sends go; an HA layer replaces or wraps this.
    pub put: Arc<dyn MessagePut>,
    /// Replication (spec/ha.md): role, SyncStateSet, confirm offset; the
    /// registration loop feeds a slave the master's HA address.
    pub ha: Arc<HaService>,
    /// Copies the master's metadata while this broker is a slave.
    pub slave_sync: SlaveSync,
    /// Master or slave, the name-server id, fencing: fixed by the config
    /// with static roles, changed by the controller in controller mode.
    pub role: RoleState,
    /// Controller mode's replicas manager (set once it is built).
    pub replicas: OnceLock<Arc<ReplicasManager>>,
    pub stats: BrokerStats,
    pub uniq_keys: UniqKeyGenerator,
    /// `brokerIP1:listenPort`, written into every record as STOREHOST.
    pub store_host: SocketAddr,
    pub boot_ms: i64,
    /// Physical memory, for the "still in page cache" estimate.
    pub total_memory_bytes: u64,
    /// Highest delay level of `messageDelayLevel` (18 by default).
    pub max_delay_level: i32,
    /// `messageDelayLevel` parsed (`None` only if it does not parse, which
    /// the store already refuses at open).
    pub delay_levels: Option<DelayLevels>,
    /// The schedule service's progress (`delayOffset.json`).
    pub delay_offsets: DelayOffsetManager,
    /// Ordered-consumption queue locks.
    pub locks: Mutex<RebalanceLockManager>,
    /// Kicked when topics change, so the broker re-registers at once.
    pub metadata_changed: Notify,
    shutdown: watch::Sender<bool>,
    shutting_down: AtomicBool,
}

impl std::fmt::Debug for BrokerContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrokerContext")
            .field("broker", &self.config.broker_name)
            .field("store_host", &self.store_host)
            .finish_non_exhaustive()
    }
}

/// The parts [`BrokerContext::new`] needs.
pub struct ContextParts {
    pub config: BrokerConfig,
    pub store_config: MessageStoreConfig,
    pub store: Arc<MessageStore>,
    pub topics: TopicConfigManager,
    pub groups: SubscriptionGroupManager,
    pub offsets: ConsumerOffsetManager,
    pub put: Arc<dyn MessagePut>,
    pub ha: Arc<HaService>,
    pub store_host: SocketAddr,
    pub boot_ms: i64,
}

impl BrokerContext {
    pub fn new(p: ContextParts) -> Self {
        let hash = (p.boot_ms as i32) ^ (std::process::id() as i32).rotate_left(16);
        let delay_levels = DelayLevels::parse(&p.store_config.message_delay_level).ok();
        let max_delay_level = delay_levels.as_ref().map_or(0, DelayLevels::max_level);
        let delay_offset_file = ConfigFile::new(p.store_config.config_dir().join("delayOffset.json"));
        Self {
            uniq_keys: UniqKeyGenerator::new(p.store_host.ip(), std::process::id(), hash),
            role: RoleState::from_config(&p.config),
            replicas: OnceLock::new(),
            config: p.config,
            store_config: p.store_config,
            store: p.store,
            topics: p.topics,
            groups: p.groups,
            offsets: p.offsets,
            consumers: Mutex::new(ConsumerManager::default()),
            producers: Mutex::new(ProducerManager::default()),
            put: p.put,
            ha: p.ha,
            slave_sync: SlaveSync::new(p.boot_ms),
            stats: BrokerStats::default(),
            store_host: p.store_host,
            boot_ms: p.boot_ms,
            total_memory_bytes: crate::util::total_physical_memory(),
            max_delay_level,
            delay_levels,
            delay_offsets: DelayOffsetManager::new(Some(delay_offset_file)),
            locks: Mutex::new(RebalanceLockManager::default()),
            metadata_changed: Notify::new(),
            shutdown: watch::channel(false).0,
            shutting_down: AtomicBool::new(false),
        }
    }

    /// `brokerIP1:listenPort`, the address registered to name servers.
    pub fn broker_addr(&self) -> String {
        self.store_host.to_string()
    }

    pub fn is_slave(&self) -> bool {
        self.role.is_slave()
    }

    pub fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::Acquire)
    }

    /// Starts the shutdown: requests get GO_AWAY, waiters and tasks end.
    pub fn begin_shutdown(&self) {
        self.shutting_down.store(true, Ordering::Release);
        self.shutdown.send_replace(true);
    }

    /// Resolves once shutdown has begun (for `select!` in tasks and waiters).
    /// A receiver made after shutdown began reports it at once: `changed()`
    /// only sees values sent after subscribing, and a task that first runs
    /// after a quick start-then-stop would otherwise sleep a whole period
    /// while `shutdown` waits for it.
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        let mut rx = self.shutdown.subscribe();
        if *rx.borrow() {
            rx.mark_changed();
        }
        rx
    }

    /// Whether a message at physical `offset` is within the hot part of the
    /// CommitLog RocketMQ assumes is in page cache
    /// (`accessMessageInMemoryMaxRatio` of RAM from the tail).
    pub fn is_in_memory(&self, phys_offset: i64) -> bool {
        let hot = self.total_memory_bytes as f64 * f64::from(self.config.access_message_in_memory_max_ratio)
            / 100.0;
        (self.store.max_phy_offset() - phys_offset) as f64 <= hot
    }

    /// Sends NOTIFY_CONSUMER_IDS_CHANGED (oneway) to every member of `group`,
    /// if the group allows it.
    pub fn notify_consumer_ids_changed(&self, group: &str) {
        if !self.config.notify_consumer_ids_changed_enable {
            return;
        }
        if self.groups.find(group).is_some_and(|g| !g.notify_consumer_ids_changed_enable) {
            return;
        }
        let channels = self.consumers.lock().channels(group);
        let fields = NotifyConsumerIdsChangedRequestHeader { consumer_group: group.to_owned() }.encode();
        for conn in channels {
            let cmd = RemotingCommand::request(request::NOTIFY_CONSUMER_IDS_CHANGED).with_ext(fields.clone());
            tokio::spawn(async move {
                if let Err(e) = conn.oneway(cmd).await {
                    tracing::debug!(error = %e, "consumer ids changed notification not sent");
                }
            });
        }
    }
}

/// The role as the broker's processors and tasks see it (spec/controller.md
/// §11.5, §11.7). In controller mode the broker starts fenced: neither
/// master nor slave (puts fail with SERVICE_NOT_AVAILABLE, the HA engine
/// has no role), not registered with the name servers.
#[derive(Debug)]
pub struct RoleState {
    slave: AtomicBool,
    /// The id registered with the name servers: 0 while master, the
    /// controller id while slave (the configured `brokerId` in static mode).
    name_server_id: AtomicI64,
    isolated: AtomicBool,
    /// The masterEpoch of the last role change, sent as the topic data
    /// version's `stateVersion` so name servers can refuse a stale master.
    state_version: AtomicI64,
}

impl RoleState {
    pub fn from_config(c: &BrokerConfig) -> Self {
        let controlled = c.enable_controller_mode;
        Self {
            slave: AtomicBool::new(!controlled && c.broker_role == BrokerRole::Slave),
            name_server_id: AtomicI64::new(c.broker_id),
            isolated: AtomicBool::new(controlled),
            state_version: AtomicI64::new(0),
        }
    }

    pub fn is_slave(&self) -> bool {
        self.slave.load(Ordering::Acquire)
    }

    pub fn name_server_id(&self) -> i64 {
        self.name_server_id.load(Ordering::Acquire)
    }

    /// Fenced: no periodic name-server registration.
    pub fn is_isolated(&self) -> bool {
        self.isolated.load(Ordering::Acquire)
    }

    pub fn state_version(&self) -> i64 {
        self.state_version.load(Ordering::Acquire)
    }

    /// A role the controller decided: unfences the broker.
    pub fn set(&self, slave: bool, name_server_id: i64, master_epoch: i32) {
        self.slave.store(slave, Ordering::Release);
        self.name_server_id.store(name_server_id, Ordering::Release);
        self.state_version.store(i64::from(master_epoch), Ordering::Release);
        self.isolated.store(false, Ordering::Release);
    }
}
