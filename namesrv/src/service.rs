//! The async shell around [`NamesrvState`]: binds the remoting port, routes
//! requests to the pure processor under one lock, unregisters brokers whose
//! connection closed, runs the periodic liveness scan, and persists the KV
//! store; with `enableControllerInNamesrv=true` it also owns the embedded
//! controller node. Nothing here decides anything; it only supplies time and
//! I/O.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use booster_controller::ControllerHandle;
use booster_remoting::codec::RemotingCodec;
use booster_remoting::{BoxFuture, Connection, RemotingCommand, RemotingServer, Router, request};
use parking_lot::Mutex;
use tokio::task::JoinHandle;

use crate::NamesrvConfig;
use crate::error::NamesrvError;
use crate::kv;
use crate::processor::NamesrvState;

/// Wall-clock milliseconds since the Unix epoch (the time the cores get).
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// A running name server. Dropping it stops accepting connections and the
/// scan; [`NamesrvHandle::shutdown`] does the same explicitly.
#[derive(Debug)]
pub struct NamesrvHandle {
    local_addr: SocketAddr,
    state: Arc<Mutex<NamesrvState>>,
    server: Option<RemotingServer>,
    scan_task: JoinHandle<()>,
    controller: Option<ControllerHandle>,
    metrics_addr: Option<SocketAddr>,
}

impl NamesrvHandle {
    /// The bound address (the real port when the config asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The shared state, for in-process inspection (tests, a future
    /// embedded controller).
    pub fn state(&self) -> Arc<Mutex<NamesrvState>> {
        Arc::clone(&self.state)
    }

    /// The Prometheus endpoint (`metricsExporterType=PROM`); the process's
    /// first endpoint when several servers share a process.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_addr
    }

    /// The embedded controller's address (its peer address), if one runs.
    pub fn controller_addr(&self) -> Option<SocketAddr> {
        self.controller.as_ref().map(ControllerHandle::local_addr)
    }

    /// Stops accepting connections and the liveness scan; the embedded
    /// controller, if any, stops serving and its Raft node shuts down in the
    /// background. Connections already open are served until their peers
    /// close them.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        self.server.take();
        self.scan_task.abort();
        self.controller.take();
    }
}

impl Drop for NamesrvHandle {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Starts a name server with `config` on the current tokio runtime: loads
/// the KV store, binds `bindAddress:listenPort` (port 0 picks a free one),
/// starts the liveness scan and, with `enableControllerInNamesrv=true`, the
/// embedded controller.
pub async fn start(config: NamesrvConfig) -> Result<NamesrvHandle, NamesrvError> {
    let controller_config = match (config.enable_controller_in_namesrv, &config.controller) {
        (false, _) => None,
        (true, None) => return Err(NamesrvError::NoControllerConfig),
        (true, Some(c)) => Some(c.clone()),
    };
    let ip: IpAddr =
        config.bind_address.parse().map_err(|_| NamesrvError::BindAddress(config.bind_address.clone()))?;
    let addr = SocketAddr::new(ip, config.listen_port);
    let metrics_addr = config
        .prometheus_listen_addr()
        .map(|listen| booster_remoting::prometheus::install_prometheus_exporter(&listen))
        .transpose()?;
    let kv_path = config.kv_config_path.clone();
    let kv_store = kv::load_file(&kv_path)?;
    let scan_interval = Duration::from_millis(config.scan_not_active_broker_interval.max(1));

    let state = Arc::new(Mutex::new(NamesrvState::new(config, kv_store, now_ms())));
    let router = Arc::new(NamesrvRouter {
        state: Arc::clone(&state),
        persister: Arc::new(KvPersister {
            path: kv_path,
            generation: AtomicU64::new(0),
            written: Mutex::new(0),
        }),
    });
    let server = RemotingServer::bind(addr, RemotingCodec::default(), router)
        .await
        .map_err(|source| NamesrvError::Bind { addr, source })?;
    let controller = match controller_config {
        Some(c) => Some(booster_controller::start(c).await?),
        None => None,
    };
    let scan_task = tokio::spawn(scan_loop(Arc::clone(&state), scan_interval));
    Ok(NamesrvHandle {
        local_addr: server.local_addr(),
        state,
        server: Some(server),
        scan_task,
        controller,
        metrics_addr,
    })
}

/// Every `interval`, unregisters brokers silent past their timeout.
async fn scan_loop(state: Arc<Mutex<NamesrvState>>, interval: Duration) {
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let removed = {
            let mut state = state.lock();
            let removed = state.routes.scan_not_active_brokers(now_ms());
            record_live_brokers(&state);
            removed
        };
        for r in removed {
            tracing::warn!(cluster = %r.cluster_name, broker = %r.broker_name, addr = %r.broker_addr, id = r.broker_id, "expired broker unregistered");
        }
    }
}

/// `rocketmq_namesrv_live_brokers`: brokers in the live table.
fn record_live_brokers(state: &NamesrvState) {
    metrics::gauge!("rocketmq_namesrv_live_brokers").set(state.routes.live_broker_count() as f64);
}

/// Route lookups by response code (SUCCESS or TOPIC_NOT_EXIST), broker
/// registrations, and the live-broker gauge after either.
fn record_metrics(state: &NamesrvState, request: &RemotingCommand, response: Option<&RemotingCommand>) {
    let code = response.map_or(-1, |r| r.code).to_string();
    match request.code {
        request::GET_ROUTEINFO_BY_TOPIC => {
            metrics::counter!("rocketmq_namesrv_route_requests_total", "response_code" => code).increment(1);
        }
        request::REGISTER_BROKER | request::UNREGISTER_BROKER => {
            let name = if request.code == request::REGISTER_BROKER { "register" } else { "unregister" };
            metrics::counter!("rocketmq_namesrv_broker_registrations_total", "kind" => name, "response_code" => code)
                .increment(1);
            record_live_brokers(state);
        }
        _ => {}
    }
}

struct NamesrvRouter {
    state: Arc<Mutex<NamesrvState>>,
    persister: Arc<KvPersister>,
}

impl Router for NamesrvRouter {
    fn route(&self, conn: Connection, request: RemotingCommand) -> BoxFuture<Option<RemotingCommand>> {
        let (processed, generation) = {
            let mut state = self.state.lock();
            let processed = state.process(&request, Some(conn.id()), now_ms());
            record_metrics(&state, &request, processed.response.as_ref());
            // Numbered under the state lock, so numbers follow table order.
            let generation = processed.persist_kv.as_ref().map(|_| self.persister.next_generation());
            (processed, generation)
        };
        let persister = Arc::clone(&self.persister);
        Box::pin(async move {
            if let (Some(content), Some(generation)) = (processed.persist_kv, generation) {
                persister.persist(generation, content).await;
            }
            processed.response
        })
    }

    fn on_close(&self, conn: &Connection) {
        let removed = {
            let mut state = self.state.lock();
            let removed = state.routes.on_channel_destroy(conn.id());
            record_live_brokers(&state);
            removed
        };
        for r in removed {
            tracing::info!(cluster = %r.cluster_name, broker = %r.broker_name, addr = %r.broker_addr, "broker connection closed; unregistered");
        }
    }
}

/// Writes KV snapshots in order: each snapshot carries the generation it was
/// taken at, and an older one never overwrites a newer one.
struct KvPersister {
    path: PathBuf,
    generation: AtomicU64,
    written: Mutex<u64>,
}

impl KvPersister {
    fn next_generation(&self) -> u64 {
        self.generation.fetch_add(1, Ordering::Relaxed) + 1
    }

    async fn persist(self: Arc<Self>, generation: u64, content: String) {
        let this = Arc::clone(&self);
        let done = tokio::task::spawn_blocking(move || {
            let mut written = this.written.lock();
            if generation <= *written {
                return Ok(());
            }
            kv::persist_file(&this.path, &content)?;
            *written = generation;
            Ok::<(), kv::KvError>(())
        })
        .await;
        match done {
            Ok(Ok(())) => {}
            // Java logs and still answers SUCCESS; the table in memory is right.
            Ok(Err(e)) => tracing::error!(error = %e, "persist KV config failed"),
            Err(e) => tracing::error!(error = %e, "persist KV config task failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use booster_conf::Properties;
    use booster_remoting::headers::controller::GetMetaDataResponseHeader;
    use booster_remoting::{CommandHeader, RemotingClient, request};

    use super::*;

    fn config(dir: &tempfile::TempDir, peer: &str) -> NamesrvConfig {
        let text = format!(
            "listenPort=0\nbindAddress=127.0.0.1\nkvConfigPath={}\nenableControllerInNamesrv=true\n\
             controllerDLegerGroup=group1\ncontrollerDLegerPeers=n0-{peer}\ncontrollerDLegerSelfId=n0\n\
             controllerStorePath={}\n",
            dir.path().join("kvConfig.json").display(),
            dir.path().join("controller").display()
        );
        NamesrvConfig::load(Properties::parse_str(&text, "namesrv.conf").unwrap()).unwrap().config
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn embedded_controller_serves_on_its_peer_port() {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let peer = format!("127.0.0.1:{port}");
        let ns = start(config(&dir, &peer)).await.unwrap();
        assert_eq!(ns.controller_addr().map(|a| a.to_string()), Some(peer.clone()));
        assert_ne!(ns.local_addr().port(), port);

        let client = RemotingClient::default();
        let timeout = Duration::from_secs(5);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let resp = client
                .invoke(&peer, RemotingCommand::request(request::CONTROLLER_GET_METADATA_INFO), timeout)
                .await
                .unwrap();
            if GetMetaDataResponseHeader::from_command(&resp).unwrap().is_leader == Some(true) {
                break;
            }
            assert!(Instant::now() < deadline, "the embedded controller never leads");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let ns_addr = ns.local_addr().to_string();
        let cluster = RemotingCommand::request(request::GET_BROKER_CLUSTER_INFO);
        assert_eq!(
            client.invoke(&ns_addr, cluster, timeout).await.unwrap().code,
            0,
            "the name server still serves"
        );
        ns.shutdown();
    }

    #[tokio::test]
    async fn enabled_controller_needs_its_settings() {
        let dir = tempfile::tempdir().unwrap();
        let config = NamesrvConfig { controller: None, ..config(&dir, "127.0.0.1:1") };
        assert!(matches!(start(config).await, Err(NamesrvError::NoControllerConfig)));
    }
}
