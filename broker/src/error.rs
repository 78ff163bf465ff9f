//! The broker's typed errors. Request-level problems never become errors of
//! this type: processors answer them with a response code and remark.

use std::net::SocketAddr;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BrokerError {
    #[error(transparent)]
    Config(#[from] booster_conf::ConfigError),
    #[error(transparent)]
    Store(#[from] booster_store::StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    /// A setting that parsed but cannot work (e.g. `brokerIP1` not an IP).
    #[error("invalid setting `{key}`: {reason}")]
    Setting { key: &'static str, reason: String },
    /// A metadata table could not be written (the change stays in memory).
    #[error("cannot persist {what}: {source}")]
    Persist {
        what: &'static str,
        #[source]
        source: booster_store::StoreError,
    },
    /// The HA listener or the role change failed (spec/ha.md §2.1, §11).
    #[error("replication: {0}")]
    Ha(#[from] booster_ha::HaError),
    /// `metricsExporterType=PROM` but the endpoint cannot start.
    #[error(transparent)]
    Metrics(#[from] booster_remoting::prometheus::MetricsError),
    #[error("broker task failed: {0}")]
    Task(String),
}

pub type Result<T, E = BrokerError> = std::result::Result<T, E>;
