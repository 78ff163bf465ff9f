//! Wiring: [`start`] opens the store, binds the remoting server, starts
//! replication with the configured role (`crate::ha`) or, in controller
//! mode, fenced under a replicas manager (`crate::controller_mode`), loads the metadata
//! managers and spawns the background tasks (name-server
//! registration, consumer-offset flush, client-channel expiry, statistics,
//! and on a master the delay-level schedule and transaction check services);
//! [`BrokerHandle::shutdown`] undoes it in order and persists everything.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use booster_conf::{BrokerRole, BrokerStartupConfig};
use booster_controller_client::{ControllerLink, ReplicasManagerConfig};
use booster_ha::SyncStateSetProposer;
use booster_remoting::{
    BoxFuture, Connection, RemotingClient, RemotingCodec, RemotingCommand, RemotingServer, ResponseCode,
    Router,
};
use booster_store::MessageStore;
use booster_store::metadata::ConfigFile;
use tokio::task::JoinHandle;

use crate::context::{BrokerContext, ContextParts};
use crate::error::{BrokerError, Result};
use crate::ha::HaPut;
use crate::offset::ConsumerOffsetManager;
use crate::processor::{BrokerRouter, ProcessorTable};
use crate::put::MessagePut;
use crate::subscription::SubscriptionGroupManager;
use crate::topic::TopicConfigManager;
use crate::util::{detect_local_ip, now_ms};

/// Builds the put path from the opened store (e.g. an HA wrapper).
pub type PutFactory = Box<dyn FnOnce(Arc<MessageStore>) -> Arc<dyn MessagePut> + Send>;

/// Extension points of [`start_with`].
#[derive(Default)]
pub struct StartOptions {
    /// Processors to serve; `None` = [`ProcessorTable::with_defaults`].
    pub processors: Option<ProcessorTable>,
    /// The put path; `None` = [`HaPut`] (replication under the configured
    /// role and policy). Replication runs either way.
    pub put: Option<PutFactory>,
}

impl std::fmt::Debug for StartOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StartOptions").field("processors", &self.processors).finish_non_exhaustive()
    }
}

/// A running broker.
#[derive(Debug)]
pub struct BrokerHandle {
    ctx: Arc<BrokerContext>,
    server: Option<RemotingServer>,
    tasks: Vec<JoinHandle<()>>,
    client: RemotingClient,
    local_addr: SocketAddr,
    metrics_addr: Option<SocketAddr>,
}

/// Starts a broker with the default processors and put path.
pub async fn start(config: BrokerStartupConfig) -> Result<BrokerHandle> {
    start_with(config, StartOptions::default()).await
}

/// Starts a broker; `listenPort = 0` picks a free port (see
/// [`BrokerHandle::local_addr`]).
pub async fn start_with(mut config: BrokerStartupConfig, options: StartOptions) -> Result<BrokerHandle> {
    config.normalize();
    for k in &config.unknown_keys {
        tracing::warn!(key = %k.key, line = k.line, origin = config.properties.origin(), "unknown config key ignored");
    }
    let BrokerStartupConfig { broker: mut broker_config, store: store_config, .. } = config;
    let ip = match broker_config.broker_ip1.as_deref().map(str::trim) {
        None | Some("") => detect_local_ip(),
        Some(text) => text.parse::<IpAddr>().map_err(|_| BrokerError::Setting {
            key: "brokerIP1",
            reason: format!("{text:?} is not an IP address"),
        })?,
    };
    broker_config.broker_ip1 = Some(ip.to_string());
    crate::ha::check_role(&broker_config)?;
    let metrics_addr = broker_config
        .prometheus_listen_addr()
        .map(|listen| booster_remoting::prometheus::install_prometheus_exporter(&listen))
        .transpose()?;

    let store_cfg = store_config.clone();
    // A replica resumes dispatch at its confirm offset; a static master
    // exposes everything it holds anyway once it takes its role.
    let replica = broker_config.enable_controller_mode || broker_config.broker_role == BrokerRole::Slave;
    let open = if replica { MessageStore::open_replica } else { MessageStore::open };
    let store = tokio::task::spawn_blocking(move || open(store_cfg))
        .await
        .map_err(|e| BrokerError::Task(e.to_string()))??;

    let bind_ip: IpAddr = broker_config.bind_address.trim().parse().map_err(|_| BrokerError::Setting {
        key: "bindAddress",
        reason: format!("{:?} is not an IP address", broker_config.bind_address),
    })?;
    let ephemeral_port = broker_config.listen_port == 0;
    let bind = SocketAddr::new(bind_ip, broker_config.listen_port);
    let router = Arc::new(LateRouter::default());
    let server = RemotingServer::bind(bind, RemotingCodec::default(), Arc::clone(&router) as Arc<dyn Router>)
        .await
        .map_err(|source| BrokerError::Bind { addr: bind, source })?;
    let local_addr = server.local_addr();
    broker_config.listen_port = local_addr.port();
    let client = RemotingClient::default();
    let controller = broker_config.enable_controller_mode.then(|| {
        let broker_addr = SocketAddr::new(ip, local_addr.port()).to_string();
        let cfg = ReplicasManagerConfig::from_broker(&broker_config, &store_config, broker_addr);
        let link = ControllerLink::new(&cfg, client.clone());
        (cfg, link)
    });
    let proposer =
        controller.as_ref().map(|(_, link)| Arc::clone(&link.proposer) as Arc<dyn SyncStateSetProposer>);
    let ha = crate::ha::start(&mut broker_config, Arc::clone(&store), ephemeral_port, proposer).await?;

    let now = now_ms();
    let config_dir = store_config.config_dir();
    let topics =
        TopicConfigManager::new(&broker_config, Some(ConfigFile::new(config_dir.join("topics.json"))), now);
    topics.load()?;
    let groups = SubscriptionGroupManager::new(
        broker_config.auto_create_subscription_group,
        Some(ConfigFile::new(config_dir.join("subscriptionGroup.json"))),
        now,
    );
    groups.load()?;
    let offsets = ConsumerOffsetManager::new(Some(ConfigFile::new(config_dir.join("consumerOffset.json"))));
    offsets.load()?;
    let put = match options.put {
        Some(factory) => factory(Arc::clone(&store)),
        None => Arc::new(HaPut::new(Arc::clone(&ha))),
    };
    let ctx = Arc::new(BrokerContext::new(ContextParts {
        store_host: SocketAddr::new(ip, local_addr.port()),
        config: broker_config,
        store_config,
        store,
        topics,
        groups,
        offsets,
        put,
        ha,
        boot_ms: now,
    }));
    crate::schedule::load_offsets(&ctx)?;
    let table = options.processors.unwrap_or_else(ProcessorTable::with_defaults);
    let _ = router.inner.set(BrokerRouter::new(Arc::clone(&ctx), table));

    let mut tasks = vec![
        tokio::spawn(crate::registration::run(Arc::clone(&ctx), client.clone())),
        tokio::spawn(flush_offsets(Arc::clone(&ctx))),
        tokio::spawn(expire_channels(Arc::clone(&ctx))),
        tokio::spawn(sample_stats(Arc::clone(&ctx))),
    ];
    // Delivering delayed messages and checking transactions write to the
    // CommitLog: masters only, as in RocketMQ.
    if let Some((cfg, link)) = controller {
        tasks.extend(crate::controller_mode::start(&ctx, cfg, link, client.clone()));
    } else if !ctx.is_slave() {
        tasks.extend(crate::schedule::spawn(&ctx));
        tasks.push(crate::transaction::service::spawn(&ctx));
    }
    tracing::info!(
        broker = %ctx.config.broker_name,
        cluster = %ctx.config.broker_cluster_name,
        addr = %ctx.broker_addr(),
        listen = %local_addr,
        "broker started"
    );
    Ok(BrokerHandle { ctx, server: Some(server), tasks, client, local_addr, metrics_addr })
}

impl BrokerHandle {
    /// The address the server is bound to.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The Prometheus endpoint (`metricsExporterType=PROM`); the process's
    /// first endpoint when several brokers share a process.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_addr
    }

    /// `brokerIP1:port`, the address advertised to name servers.
    pub fn broker_addr(&self) -> String {
        self.ctx.broker_addr()
    }

    pub fn context(&self) -> &Arc<BrokerContext> {
        &self.ctx
    }

    /// Registers with the name servers now (normally periodic).
    pub async fn register_now(&self) {
        crate::registration::register_all(&self.ctx, &self.client).await;
    }

    /// Graceful shutdown: refuse new requests (GO_AWAY), release held pulls,
    /// unregister from name servers, stop accepting, end replication
    /// (slaves see the connection close), persist the metadata and shut the
    /// store down (flush, clean-shutdown marker).
    pub async fn shutdown(mut self) -> Result<()> {
        let ctx = Arc::clone(&self.ctx);
        ctx.begin_shutdown();
        ctx.slave_sync.stop().await;
        crate::registration::unregister_all(&ctx, &self.client).await;
        self.server.take();
        for task in self.tasks.drain(..) {
            if tokio::time::timeout(Duration::from_secs(5), task).await.is_err() {
                tracing::warn!("a background task did not stop in time");
            }
        }
        if let Some(replicas) = ctx.replicas.get() {
            replicas.shutdown().await;
        }
        ctx.ha.shutdown().await;
        let result = tokio::task::spawn_blocking(move || -> Result<()> {
            let offsets = ctx.offsets.persist(true, now_ms());
            let delay_offsets = ctx.delay_offsets.persist(true, now_ms());
            let topics = ctx.topics.persist();
            let groups = ctx.groups.persist();
            ctx.store.shutdown()?;
            offsets.and(delay_offsets).and(topics).and(groups)
        })
        .await
        .map_err(|e| BrokerError::Task(e.to_string()))?;
        tracing::info!("broker stopped");
        result
    }
}

impl Drop for BrokerHandle {
    fn drop(&mut self) {
        if !self.tasks.is_empty() {
            self.ctx.begin_shutdown();
            for task in &self.tasks {
                task.abort();
            }
        }
    }
}

/// Routes to the broker once it exists; the server must be bound before
/// the context (which needs the bound port) can be built.
#[derive(Default)]
struct LateRouter {
    inner: OnceLock<BrokerRouter>,
}

impl Router for LateRouter {
    fn route(&self, conn: Connection, request: RemotingCommand) -> BoxFuture<Option<RemotingCommand>> {
        match self.inner.get() {
            Some(router) => router.route(conn, request),
            None => Box::pin(async move {
                Some(
                    RemotingCommand::response_to(&request, ResponseCode::SystemBusy.code())
                        .with_remark("broker is starting"),
                )
            }),
        }
    }

    fn on_close(&self, conn: &Connection) {
        if let Some(router) = self.inner.get() {
            router.on_close(conn);
        }
    }
}

/// Persists consumer offsets every `flushConsumerOffsetInterval`.
async fn flush_offsets(ctx: Arc<BrokerContext>) {
    let period = Duration::from_millis(ctx.config.flush_consumer_offset_interval.max(100));
    every(&ctx, period, |ctx| async move {
        let result = tokio::task::spawn_blocking(move || ctx.offsets.persist(false, now_ms())).await;
        if let Ok(Err(e)) = result {
            tracing::error!(error = %e, "consumer offsets not persisted");
        }
    })
    .await;
}

/// Drops client channels silent for `channelExpiredTimeout` (every 10 s,
/// as RocketMQ's ClientHousekeepingService) and notifies affected groups.
async fn expire_channels(ctx: Arc<BrokerContext>) {
    every(&ctx, Duration::from_secs(10), |ctx| async move {
        let (now, timeout) = (now_ms(), ctx.config.channel_expired_timeout as i64);
        let groups = ctx.consumers.lock().scan_expired(now, timeout);
        ctx.producers.lock().scan_expired(now, timeout);
        for group in groups {
            ctx.notify_consumer_ids_changed(&group);
        }
    })
    .await;
}

/// Samples the statistics once a second.
async fn sample_stats(ctx: Arc<BrokerContext>) {
    every(&ctx, Duration::from_secs(1), |ctx| async move {
        let day = chrono::Datelike::num_days_from_ce(&chrono::Local::now().date_naive());
        ctx.stats.sample(now_ms(), i64::from(day));
        crate::metrics::sample_gauges(&ctx);
    })
    .await;
}

/// Runs `f` every `period` until shutdown.
async fn every<F, Fut>(ctx: &Arc<BrokerContext>, period: Duration, f: F)
where
    F: Fn(Arc<BrokerContext>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut shutdown = ctx.shutdown_signal();
    let mut ticker = tokio::time::interval(period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => f(Arc::clone(ctx)).await,
            _ = shutdown.changed() => return,
        }
        if *shutdown.borrow() {
            return;
        }
    }
}
