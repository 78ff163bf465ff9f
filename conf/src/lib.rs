//! Typed configuration for Booster's processes, with RocketMQ's key names and
//! defaults (spec/config.md).
//!
//! - [`Properties`]: Java `.properties` syntax (§1.1), raw entries kept.
//! - [`ApplyProperties`] / [`bind_properties!`]: binding of raw entries onto
//!   typed settings structs by RocketMQ key name (§1.2), also from TOML.
//! - [`MessageStoreConfig`]: the store keys (§3.2, §3.3).
//! - [`ControllerConfig`]: the controller keys (§5).

mod binding;
mod broker;
mod controller;
mod error;
mod metrics;
mod namesrv;
mod properties;
mod store;

pub use binding::{
    ApplyProperties, Binding, Loaded, PropertyValue, RawValue, UnknownKey, ValueKind, java_trim,
};
pub use broker::{BrokerConfig, BrokerRole, BrokerStartupConfig};
pub use controller::{ControllerConfig, ControllerType, DLedgerPeer, parse_dledger_peers};
pub use error::ConfigError;
pub use metrics::{DEFAULT_PROM_EXPORTER_PORT, MetricsExporterType, prometheus_listen_addr};
pub use namesrv::NamesrvConfig;
pub use properties::{Properties, PropertyEntry};
pub use store::{FlushDiskType, MessageStoreConfig};
