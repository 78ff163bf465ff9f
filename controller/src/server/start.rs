//! [`start`]: a controller node as `mqcontroller` and an embedding name
//! server run it — the openraft log on this node's `controllerDLegerPeers`
//! address, and the controller requests and the Raft RPCs served on that
//! same address (spec §9.1).

use std::net::SocketAddr;
use std::sync::Arc;

use booster_conf::ControllerConfig;
use booster_remoting::{BoxFuture, Connection, RemotingCommand, Router};

use super::router::ExtraRoutes;
use super::serve::{ControllerHandle, ServeError, serve};
use super::service::ControllerService;
use crate::raft::{ControllerRaft, RaftConfig, RaftError, RaftRpc};
use crate::{Controller, SharedController};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("controllerDLegerSelfId {0:?} names no entry of controllerDLegerPeers")]
    NoSelfPeer(Option<String>),
    #[error("cannot resolve the controller address {addr}: {reason}")]
    Resolve { addr: String, reason: String },
    #[error(transparent)]
    Raft(#[from] RaftError),
    #[error(transparent)]
    Serve(#[from] ServeError),
    /// `metricsExporterType=PROM` but the endpoint cannot start.
    #[error(transparent)]
    Metrics(#[from] booster_remoting::prometheus::MetricsError),
}

/// The Raft RPCs share the controller's port.
impl Router for RaftRpc {
    fn route(&self, _conn: Connection, request: RemotingCommand) -> BoxFuture<Option<RemotingCommand>> {
        let rpc = self.clone();
        Box::pin(async move { Some(rpc.handle(request).await) })
    }
}

impl ExtraRoutes for RaftRpc {
    fn serves(&self, code: i32) -> bool {
        RaftRpc::handles(code)
    }
}

/// Starts a controller node from a config that passed
/// [`ControllerConfig::check`]: opens the Raft store under
/// `controllerStorePath`, starts the Raft node and serves on this node's
/// peer address until the handle is shut down or dropped.
pub async fn start(config: ControllerConfig) -> Result<ControllerHandle, StartError> {
    let me = config
        .self_peer()
        .ok_or_else(|| StartError::NoSelfPeer(config.controller_d_leger_self_id.clone()))?;
    let addr = resolve(&me.addr).await?;
    let metrics_addr = config
        .prometheus_listen_addr()
        .map(|listen| booster_remoting::prometheus::install_prometheus_exporter(&listen))
        .transpose()?;
    let controller: SharedController = Arc::new(parking_lot::Mutex::new(Controller::default()));
    let raft_config = RaftConfig::new(
        config.controller_d_leger_group.clone().unwrap_or_default(),
        config.peers(),
        me.id,
        config.controller_store_path.clone(),
    );
    let raft = Arc::new(ControllerRaft::start(raft_config, Arc::clone(&controller)).await?);
    let rpc: Arc<dyn ExtraRoutes> = Arc::new(raft.rpc());
    let service = Arc::new(ControllerService::new(controller, Arc::clone(&raft), config));
    match serve(addr, service, Some(rpc)).await {
        Ok(mut handle) => {
            handle.raft = Some(raft);
            handle.metrics_addr = metrics_addr;
            Ok(handle)
        }
        Err(e) => {
            let _ = raft.shutdown().await;
            Err(e.into())
        }
    }
}

async fn resolve(addr: &str) -> Result<SocketAddr, StartError> {
    let failed = |reason: String| StartError::Resolve { addr: addr.to_owned(), reason };
    tokio::net::lookup_host(addr)
        .await
        .map_err(|e| failed(e.to_string()))?
        .next()
        .ok_or_else(|| failed("no address".to_owned()))
}
