//! Request processors, one module per request family, and the table that
//! routes request codes to them.
//!
//! A processor is an async function of (context, connection, request) that
//! returns the response (or `None` for none). Codes without a processor get
//! REQUEST_CODE_NOT_SUPPORTED, so features still to come are added by
//! registering a handler in the [`ProcessorTable`] — nothing else changes.

pub mod admin_group;
pub mod admin_stats;
pub mod admin_topic;
pub mod client_manage;
pub mod consumer_manage;
pub mod end_transaction;
pub mod ha_status;
pub mod lock;
pub mod offset_query;
pub mod pull;
pub mod query_message;
pub mod runtime_info;
pub mod send;
pub mod send_back;

mod router;

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use booster_remoting::header::CommandHeader;
use booster_remoting::{BoxFuture, Connection, RemotingCommand, ResponseCode};

use crate::context::BrokerContext;

pub use router::BrokerRouter;

/// The response to a request, or `None` to send nothing.
pub type Reply = Option<RemotingCommand>;

/// A registered processor.
pub type Handler =
    Arc<dyn Fn(Arc<BrokerContext>, Connection, RemotingCommand) -> BoxFuture<Reply> + Send + Sync>;

/// Request code → processor.
#[derive(Default)]
pub struct ProcessorTable {
    handlers: HashMap<i32, Handler>,
}

impl std::fmt::Debug for ProcessorTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut codes: Vec<_> = self.handlers.keys().collect();
        codes.sort();
        f.debug_struct("ProcessorTable").field("codes", &codes).finish()
    }
}

impl ProcessorTable {
    /// The processors of this crate (everything the broker serves today).
    pub fn with_defaults() -> Self {
        let mut table = Self::default();
        send::register(&mut table);
        pull::register(&mut table);
        consumer_manage::register(&mut table);
        offset_query::register(&mut table);
        client_manage::register(&mut table);
        query_message::register(&mut table);
        admin_topic::register(&mut table);
        admin_group::register(&mut table);
        runtime_info::register(&mut table);
        lock::register(&mut table);
        send_back::register(&mut table);
        end_transaction::register(&mut table);
        admin_stats::register(&mut table);
        ha_status::register(&mut table);
        crate::controller_mode::register(&mut table);
        table
    }

    /// Routes `code` to `f` (replacing any earlier processor for it).
    pub fn register<F, Fut>(&mut self, code: i32, f: F)
    where
        F: Fn(Arc<BrokerContext>, Connection, RemotingCommand) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Reply> + Send + 'static,
    {
        self.handlers.insert(code, Arc::new(move |ctx, conn, req| Box::pin(f(ctx, conn, req))));
    }

    pub fn get(&self, code: i32) -> Option<&Handler> {
        self.handlers.get(&code)
    }

    pub fn codes(&self) -> Vec<i32> {
        let mut codes: Vec<i32> = self.handlers.keys().copied().collect();
        codes.sort_unstable();
        codes
    }
}

/// A response with `code` and no remark.
pub fn response(req: &RemotingCommand, code: ResponseCode) -> RemotingCommand {
    RemotingCommand::response_to(req, code.code())
}

/// A response with `code` and `remark`.
pub fn reply_error(req: &RemotingCommand, code: ResponseCode, remark: impl Into<String>) -> RemotingCommand {
    response(req, code).with_remark(remark)
}

/// Decodes the request's typed header; a missing or malformed required
/// field becomes INVALID_PARAMETER naming the field (Java would fail later
/// with SYSTEM_ERROR; the spec allows either, and this one says why).
/// The error is boxed: a `RemotingCommand` is large and the happy path
/// should not pay for moving it around.
pub fn decode_header<H: CommandHeader>(req: &RemotingCommand) -> Result<H, Box<RemotingCommand>> {
    H::from_command(req)
        .map_err(|e| Box::new(reply_error(req, ResponseCode::InvalidParameter, e.to_string())))
}

/// A response carrying a typed header.
pub fn with_header<H: CommandHeader>(mut resp: RemotingCommand, header: &H) -> RemotingCommand {
    resp = resp.with_ext(header.encode());
    resp
}

/// Logs a metadata persistence failure; the in-memory change stands (as in
/// RocketMQ, whose ConfigManager only logs) and the next write retries.
pub fn log_persist_error(result: crate::Result<()>) {
    if let Err(e) = result {
        tracing::error!(error = %e, "metadata change kept in memory but not persisted");
    }
}
