//! [`ControllerRouter`]: the remoting `Router` of a controller node.
//!
//! Besides handing requests to the [`ControllerService`], it tells the
//! service which connection a heartbeat came on (live entries remember it)
//! and keeps those connections, so that a closed connection drops its
//! brokers' live entries at once and, on the leader, triggers an election
//! for a vanished master (spec §8.2, pitfall P-C7), and so that the expiry
//! scan can close an expired broker's connection.
//! Codes an [`ExtraRoutes`] claims (the Raft RPCs) are served on the same
//! port, as DLedger serves its own protocol next to the controller's.

use std::collections::HashMap;
use std::sync::Arc;

use booster_remoting::{BoxFuture, Connection, RemotingCommand, Router, request};
use parking_lot::Mutex;

use super::service::ControllerService;
use crate::{ChannelId, Replicator};

/// Extra request codes served on the controller's port (Raft RPCs).
pub trait ExtraRoutes: Router {
    /// Whether this handler takes requests with `code`.
    fn serves(&self, code: i32) -> bool;
}

/// Routes controller requests to a [`ControllerService`].
pub struct ControllerRouter<R> {
    service: Arc<ControllerService<R>>,
    extra: Option<Arc<dyn ExtraRoutes>>,
    /// Connections brokers heartbeated on, until they close: live entries
    /// name their connection by id, the expiry scan closes it through here.
    channels: Mutex<HashMap<ChannelId, Connection>>,
}

impl<R: Replicator> ControllerRouter<R> {
    pub fn new(service: Arc<ControllerService<R>>, extra: Option<Arc<dyn ExtraRoutes>>) -> Self {
        Self { service, extra, channels: Mutex::default() }
    }

    pub fn service(&self) -> &Arc<ControllerService<R>> {
        &self.service
    }

    /// Closes these broker connections (expired live entries, spec §8.2);
    /// their `on_close` then drops whatever else lived on them.
    pub fn close_channels(&self, ids: &[ChannelId]) {
        let doomed: Vec<Connection> = {
            let channels = self.channels.lock();
            ids.iter().filter_map(|id| channels.get(id).cloned()).collect()
        };
        for conn in doomed {
            tracing::info!(peer = %conn.peer(), "closing the connection of an expired broker");
            conn.close();
        }
    }
}

impl<R: Replicator> Router for ControllerRouter<R> {
    fn route(&self, conn: Connection, request: RemotingCommand) -> BoxFuture<Option<RemotingCommand>> {
        if let Some(extra) = self.extra.as_ref().filter(|e| e.serves(request.code)) {
            return extra.route(conn, request);
        }
        let channel = (request.code == request::BROKER_HEARTBEAT).then(|| {
            self.channels.lock().entry(conn.id()).or_insert_with(|| conn.clone());
            conn.id()
        });
        let service = Arc::clone(&self.service);
        Box::pin(async move { Some(service.handle(channel, &request).await) })
    }

    fn on_close(&self, conn: &Connection) {
        if let Some(extra) = &self.extra {
            extra.on_close(conn);
        }
        if self.channels.lock().remove(&conn.id()).is_none() {
            return;
        }
        let triggers = self.service.controller().lock().on_channel_closed(conn.id());
        if !triggers.is_empty() {
            let service = Arc::clone(&self.service);
            tokio::spawn(async move { service.run_election_triggers(triggers).await });
        }
    }
}
