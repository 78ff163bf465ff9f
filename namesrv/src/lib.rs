//! Booster's name server: a RocketMQ-compatible route registry
//! (spec/remoting.md §4.9, §5.3; spec/config.md §4).
//!
//! Brokers register their topics and liveness here; clients ask for the
//! route of a topic and the cluster layout. The crate is split the usual
//! way: pure cores with explicit time, a thin async shell.
//!
//! * [`route_info`] — [`RouteInfoManager`], the route tables and every rule
//!   that changes them (registration, expiry, deletion). No I/O, no clock.
//! * [`kv`] — the namespaced KV config store and its file.
//! * [`compressed`] — the deflated REGISTER_BROKER body.
//! * [`processor`] — request → response, still without I/O.
//! * [`service`] — the shell: [`start`] binds the port, runs the liveness
//!   scan, persists the KV store and returns a [`NamesrvHandle`].
//! * [`cli`] — the `mqnamesrv` command line.
//!
//! With `enableControllerInNamesrv=true` (and the controller keys in the
//! same file, bound by [`NamesrvConfig::load`]) [`service::start`] also
//! starts a controller node in-process with [`booster_controller::start`]:
//! it serves on its own `controllerDLegerPeers` address while the name
//! server keeps its port. The two share nothing; the name server stays
//! stateless.

pub mod cli;
pub mod compressed;
pub mod error;
pub mod kv;
pub mod processor;
pub mod route_info;
pub mod service;

pub use booster_conf::NamesrvConfig;
pub use error::NamesrvError;
pub use kv::KvConfigManager;
pub use processor::{NamesrvState, Processed};
pub use route_info::{BrokerAddrInfo, BrokerLiveInfo, RegisterBrokerRequest, Registration, RouteInfoManager};
pub use service::{NamesrvHandle, start};
