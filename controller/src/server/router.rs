//! [`ControllerRouter`]: the remoting `Router` of a controller node.
//!
//! Besides handing requests to the [`ControllerService`], it remembers which
//! broker addresses heartbeated on which connection, so that a closed
//! connection drops those brokers' live entries at once and, on the leader,
//! triggers an election for a vanished master (spec §8.2, pitfall P-C7).
//! Codes an [`ExtraRoutes`] claims (the Raft RPCs) are served on the same
//! port, as DLedger serves its own protocol next to the controller's.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use booster_remoting::{BoxFuture, Connection, RemotingCommand, Router, request};
use parking_lot::Mutex;

use super::service::ControllerService;
use crate::Replicator;

/// Extra request codes served on the controller's port (Raft RPCs).
pub trait ExtraRoutes: Router {
    /// Whether this handler takes requests with `code`.
    fn serves(&self, code: i32) -> bool;
}

/// Routes controller requests to a [`ControllerService`].
pub struct ControllerRouter<R> {
    service: Arc<ControllerService<R>>,
    extra: Option<Arc<dyn ExtraRoutes>>,
    /// Connection id → broker addresses that heartbeated on it.
    channels: Mutex<HashMap<u64, BTreeSet<String>>>,
}

impl<R: Replicator> ControllerRouter<R> {
    pub fn new(service: Arc<ControllerService<R>>, extra: Option<Arc<dyn ExtraRoutes>>) -> Self {
        Self { service, extra, channels: Mutex::default() }
    }

    /// A broker address lives on its latest connection only, so closing an
    /// old connection after a reconnect does not expire the broker.
    fn remember(&self, conn_id: u64, broker_addr: &str) {
        let mut channels = self.channels.lock();
        if channels.get(&conn_id).is_some_and(|addrs| addrs.contains(broker_addr)) {
            return;
        }
        channels.retain(|_, addrs| {
            addrs.remove(broker_addr);
            !addrs.is_empty()
        });
        channels.entry(conn_id).or_default().insert(broker_addr.to_owned());
    }
}

impl<R: Replicator> Router for ControllerRouter<R> {
    fn route(&self, conn: Connection, request: RemotingCommand) -> BoxFuture<Option<RemotingCommand>> {
        if let Some(extra) = self.extra.as_ref().filter(|e| e.serves(request.code)) {
            return extra.route(conn, request);
        }
        if request.code == request::BROKER_HEARTBEAT
            && let Some(addr) = request.ext("brokerAddr")
        {
            self.remember(conn.id(), addr);
        }
        let service = Arc::clone(&self.service);
        Box::pin(async move { Some(service.handle(&request).await) })
    }

    fn on_close(&self, conn: &Connection) {
        if let Some(extra) = &self.extra {
            extra.on_close(conn);
        }
        let Some(addrs) = self.channels.lock().remove(&conn.id()) else { return };
        let triggers: Vec<_> = {
            let mut controller = self.service.controller().lock();
            addrs.iter().flat_map(|addr| controller.on_channel_closed(addr)).collect()
        };
        if !triggers.is_empty() {
            let service = Arc::clone(&self.service);
            tokio::spawn(async move { service.run_election_triggers(triggers).await });
        }
    }
}
