//! [`serve`]: a controller node's remoting server plus its scans, as a
//! [`ControllerHandle`]. The Raft log is whatever [`Replicator`] the caller
//! built; [`super::start`] wires the product's (openraft) and hands its node
//! to the handle so that shutting down stops it too.

use std::net::SocketAddr;
use std::sync::Arc;

use booster_remoting::codec::RemotingCodec;
use booster_remoting::{RemotingServer, Router};
use tokio::task::JoinHandle;

use super::router::{ControllerRouter, ExtraRoutes};
use super::scan::spawn_scans;
use super::service::ControllerService;
use crate::Replicator;
use crate::raft::ControllerRaft;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
}

/// A serving controller node. Dropping it stops accepting connections and
/// the scans, and asks its Raft node (if any) to stop in the background;
/// [`ControllerHandle::shutdown`] waits for that.
#[derive(Debug)]
pub struct ControllerHandle {
    local_addr: SocketAddr,
    server: Option<RemotingServer>,
    tasks: Vec<JoinHandle<()>>,
    pub(super) raft: Option<Arc<ControllerRaft>>,
    pub(super) metrics_addr: Option<SocketAddr>,
}

impl ControllerHandle {
    /// The bound address (the real port when asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The Prometheus endpoint, when [`super::start`] installed one
    /// (`metricsExporterType=PROM`; the process's first endpoint).
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_addr
    }

    /// The Raft node, when started by [`super::start`].
    pub fn raft(&self) -> Option<&Arc<ControllerRaft>> {
        self.raft.as_ref()
    }

    /// Stops accepting connections, the scans and the Raft node. Open
    /// connections are served until their peers close them.
    pub async fn shutdown(mut self) {
        self.stop();
        if let Some(raft) = self.raft.take()
            && let Err(e) = raft.shutdown().await
        {
            tracing::warn!(error = %e, "controller raft node did not stop cleanly");
        }
    }

    fn stop(&mut self) {
        self.server.take();
        for task in self.tasks.drain(..) {
            task.abort();
        }
    }
}

impl Drop for ControllerHandle {
    fn drop(&mut self) {
        self.stop();
        if let Some(raft) = self.raft.take()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            runtime.spawn(async move {
                let _ = raft.shutdown().await;
            });
        }
    }
}

/// Binds `addr` with a [`ControllerRouter`] over `service` (plus `extra`
/// codes) and starts the scans.
pub async fn serve<R: Replicator>(
    addr: SocketAddr,
    service: Arc<ControllerService<R>>,
    extra: Option<Arc<dyn ExtraRoutes>>,
) -> Result<ControllerHandle, ServeError> {
    let router = Arc::new(ControllerRouter::new(service, extra));
    let server = RemotingServer::bind(addr, RemotingCodec::default(), Arc::clone(&router) as Arc<dyn Router>)
        .await
        .map_err(|source| ServeError::Bind { addr, source })?;
    Ok(ControllerHandle {
        local_addr: server.local_addr(),
        server: Some(server),
        tasks: spawn_scans(&router),
        raft: None,
        metrics_addr: None,
    })
}
