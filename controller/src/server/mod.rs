//! The controller's remoting shell (spec/controller.md §2–§4, §7.4, §8):
//! decodes requests, runs them through the pure core and the
//! [`Replicator`](crate::Replicator), answers with RocketMQ's codes.
//!
//! * [`service`] — [`ControllerService`]: request → response without
//!   sockets; every leader-only request goes through one serialized path
//!   (leadership check → read barrier → validate → commit → answer).
//! * [`wire`] — headers and JSON bodies ⇄ the core's request/response types.
//! * [`election`] — controller-triggered elections.
//! * `notify` — the role-change push (newer epoch cancels an older pending one).
//! * `config_requests` — 1009/1010, updates persisted to `configStorePath`.
//! * [`router`] — [`ControllerRouter`]: the remoting `Router`, connection →
//!   broker-address bookkeeping for channel close, the [`ExtraRoutes`] hook.
//! * [`scan`] — the periodic liveness and inactive-master scans.
//! * [`mod@serve`] — binds a server and starts the scans: [`ControllerHandle`].
//! * [`mod@start`] — the product wiring: openraft log + server on the peer port.
//!
//! The clock is read here and nowhere in the core: `now_ms` is the local wall
//! clock, as in DLedger (JRaft's `invokeTime` is not used).

mod config_requests;
pub mod election;
mod notify;
pub mod router;
pub mod scan;
pub mod serve;
pub mod service;
pub mod start;
pub mod wire;

pub use router::{ControllerRouter, ExtraRoutes};
pub use serve::{ControllerHandle, ServeError, serve};
pub use service::ControllerService;
pub use start::{StartError, start};

use std::time::{SystemTime, UNIX_EPOCH};

/// Wall-clock milliseconds since the Unix epoch (the time the core gets).
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
