//! `BrokerRouter`: the remoting `Router` of the broker. Looks the code up in
//! the [`ProcessorTable`], answers GO_AWAY while shutting down, and drops a
//! closed connection's client channels.

use std::sync::Arc;

use booster_remoting::connection::not_supported;
use booster_remoting::{BoxFuture, Connection, RemotingCommand, ResponseCode, Router};

use super::{ProcessorTable, reply_error};
use crate::context::BrokerContext;

/// Requesters newer than this understand GO_AWAY (spec §2.4, §2.6).
const GO_AWAY_MIN_VERSION: i32 = 475;

pub struct BrokerRouter {
    ctx: Arc<BrokerContext>,
    table: ProcessorTable,
}

impl std::fmt::Debug for BrokerRouter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrokerRouter").field("table", &self.table).finish()
    }
}

impl BrokerRouter {
    pub fn new(ctx: Arc<BrokerContext>, table: ProcessorTable) -> Self {
        Self { ctx, table }
    }
}

impl Router for BrokerRouter {
    fn route(&self, conn: Connection, request: RemotingCommand) -> BoxFuture<Option<RemotingCommand>> {
        if self.ctx.is_shutting_down() {
            let resp = if request.version > GO_AWAY_MIN_VERSION {
                reply_error(&request, ResponseCode::GoAway, "please go away")
            } else {
                reply_error(&request, ResponseCode::SystemBusy, "broker is shutting down")
            };
            return Box::pin(async move { Some(resp) });
        }
        match self.table.get(request.code) {
            Some(handler) => handler(Arc::clone(&self.ctx), conn, request),
            None => {
                tracing::debug!(code = request.code, peer = %conn.peer(), "request code not supported");
                Box::pin(async move { Some(not_supported(&request)) })
            }
        }
    }

    fn on_close(&self, conn: &Connection) {
        let left = self.ctx.consumers.lock().remove_channel(conn.id());
        self.ctx.producers.lock().remove_channel(conn.id());
        for group in left {
            self.ctx.notify_consumer_ids_changed(&group);
        }
    }
}
