//! `NamesrvError`: why a name server could not start.

use booster_conf::ConfigError;

use crate::kv::KvError;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NamesrvError {
    /// The config file is unreadable or has a bad value (names file, line
    /// and key).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The KV store file exists but cannot be read or parsed.
    #[error(transparent)]
    Kv(#[from] KvError),
    /// `bindAddress` is not an IP address.
    #[error("bindAddress {0:?} is not an IP address")]
    BindAddress(String),
    /// `enableControllerInNamesrv=true` without controller settings (the
    /// config was not loaded with `NamesrvConfig::load`).
    #[error("enableControllerInNamesrv=true but no controller settings were loaded")]
    NoControllerConfig,
    /// The embedded controller could not start.
    #[error("embedded controller: {0}")]
    Controller(#[from] booster_controller::StartError),
    /// `metricsExporterType=PROM` but the endpoint cannot start.
    #[error(transparent)]
    Metrics(#[from] booster_remoting::prometheus::MetricsError),
    /// The port is taken or not ours to use.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },
}
