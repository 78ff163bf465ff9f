//! `booster quickstart`: a name server and one master broker in this
//! process, both bound to 127.0.0.1 (a try-it-out setup should not be
//! reachable from the network), files under one directory:
//!
//! ```text
//! DIR/namesrv/kvConfig.json    name-server KV store
//! DIR/store/                   the broker's commit log, queues, config/
//! ```
//!
//! The configs come from pure functions ([`namesrv_config`],
//! [`broker_properties`]) so they are testable; [`Quickstart::start`]
//! only starts the servers and waits for the broker's first registration,
//! so that `mqadmin clusterList` shows it as soon as the banner is out.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use booster_broker::{BrokerError, BrokerHandle};
use booster_conf::{BrokerStartupConfig, ConfigError, NamesrvConfig};
use booster_namesrv::{NamesrvError, NamesrvHandle};

use crate::args::QuickstartArgs;

pub const CLUSTER: &str = "DefaultCluster";
pub const BROKER_NAME: &str = "broker-a";
const LOOPBACK: &str = "127.0.0.1";

#[derive(Debug, thiserror::Error)]
pub enum QuickstartError {
    #[error("cannot create {path}: {source}")]
    Dir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("name server: {0} (is another name server or quickstart running? try --namesrv-port)")]
    Namesrv(#[source] NamesrvError),
    #[error("broker settings: {0}")]
    Config(#[from] ConfigError),
    #[error("--set {0}: not a broker setting")]
    UnknownSetting(String),
    #[error(
        "broker: {0} (is another broker or quickstart using this port or directory? try --broker-port / --dir)"
    )]
    Broker(#[source] BrokerError),
}

/// The name server's settings: loopback, the asked port, files under `dir`.
pub fn namesrv_config(args: &QuickstartArgs) -> NamesrvConfig {
    let dir = args.dir.join("namesrv");
    NamesrvConfig {
        listen_port: args.namesrv_port,
        bind_address: LOOPBACK.to_owned(),
        kv_config_path: dir.join("kvConfig.json"),
        config_store_path: dir.join("namesrv.properties"),
        ..NamesrvConfig::default()
    }
}

/// broker.conf text for the quickstart broker, then the `--set` lines
/// (later lines win, as in a properties file).
pub fn broker_properties(args: &QuickstartArgs, namesrv: SocketAddr, store_root: &Path) -> String {
    let mut text = format!(
        "brokerClusterName={CLUSTER}\nbrokerName={BROKER_NAME}\nbrokerId=0\nbrokerRole=ASYNC_MASTER\n\
         brokerIP1={LOOPBACK}\nbindAddress={LOOPBACK}\nlistenPort={}\nnamesrvAddr={namesrv}\n\
         storePathRootDir={}\nautoCreateTopicEnable=true\nautoCreateSubscriptionGroup=true\n",
        args.broker_port,
        store_root.display()
    );
    for (k, v) in &args.broker_settings {
        text.push_str(&format!("{k}={v}\n"));
    }
    text
}

/// The running pair.
#[derive(Debug)]
pub struct Quickstart {
    namesrv: NamesrvHandle,
    broker: BrokerHandle,
    dir: PathBuf,
}

impl Quickstart {
    pub async fn start(args: &QuickstartArgs) -> Result<Quickstart, QuickstartError> {
        let dir = std::path::absolute(&args.dir).unwrap_or_else(|_| args.dir.clone());
        let store_root = dir.join("store");
        for path in [dir.join("namesrv"), store_root.clone()] {
            std::fs::create_dir_all(&path).map_err(|source| QuickstartError::Dir { path, source })?;
        }
        let args = QuickstartArgs { dir: dir.clone(), ..args.clone() };
        let namesrv =
            booster_namesrv::start(namesrv_config(&args)).await.map_err(QuickstartError::Namesrv)?;
        let text = broker_properties(&args, namesrv.local_addr(), &store_root);
        let config = BrokerStartupConfig::from_properties_str(&text, "quickstart")?;
        if let Some(unknown) = config.unknown_keys.first() {
            return Err(QuickstartError::UnknownSetting(unknown.key.clone()));
        }
        let broker = booster_broker::start(config).await.map_err(QuickstartError::Broker)?;
        broker.register_now().await;
        Ok(Quickstart { namesrv, broker, dir })
    }

    pub fn namesrv_addr(&self) -> SocketAddr {
        self.namesrv.local_addr()
    }

    pub fn broker_addr(&self) -> SocketAddr {
        self.broker.local_addr()
    }

    pub fn banner(&self) -> String {
        banner(self.namesrv_addr(), self.broker_addr(), &self.dir)
    }

    /// Stops the broker (unregisters, persists, flushes the store) and then
    /// the name server.
    pub async fn shutdown(self) -> Result<(), QuickstartError> {
        let result = self.broker.shutdown().await.map_err(QuickstartError::Broker);
        self.namesrv.shutdown();
        result
    }
}

/// What the quickstart prints once both servers are up. The first lines
/// are stable (`name server: <addr>`, `broker: <addr>`) for scripts.
pub fn banner(namesrv: SocketAddr, broker: SocketAddr, dir: &Path) -> String {
    format!(
        "Booster quickstart is running.\n\
         name server: {namesrv}\n\
         broker: {broker} ({BROKER_NAME}, cluster {CLUSTER}, brokerId 0)\n\
         store: {}\n\
         \n\
         Look around:\n\
         \x20 mqadmin clusterList -n {namesrv}\n\
         \x20 mqadmin updateTopic -n {namesrv} -c {CLUSTER} -t TopicTest\n\
         \x20 mqadmin topicStatus -n {namesrv} -t TopicTest\n\
         Produce and consume with any RocketMQ client pointed at the name server:\n\
         \x20 export NAMESRV_ADDR={namesrv}\n\
         \x20 (e.g. RocketMQ's tools.sh org.apache.rocketmq.example.quickstart.Producer / Consumer)\n\
         \n\
         Press Ctrl-C to stop.\n",
        dir.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> QuickstartArgs {
        QuickstartArgs {
            dir: "/data/qs".into(),
            namesrv_port: 9876,
            broker_port: 10911,
            broker_settings: vec![("mappedFileSizeCommitLog".into(), "1048576".into())],
        }
    }

    #[test]
    fn namesrv_files_stay_under_the_directory() {
        let c = namesrv_config(&args());
        assert_eq!((c.listen_port, c.bind_address.as_str()), (9876, "127.0.0.1"));
        assert_eq!(c.kv_config_path, PathBuf::from("/data/qs/namesrv/kvConfig.json"));
    }

    #[test]
    fn broker_settings_parse_and_overrides_win() {
        let ns: SocketAddr = "127.0.0.1:9876".parse().unwrap();
        let mut a = args();
        a.broker_settings.push(("brokerName".into(), "mine".into()));
        let text = broker_properties(&a, ns, Path::new("/data/qs/store"));
        let c = BrokerStartupConfig::from_properties_str(&text, "t").unwrap();
        assert!(c.unknown_keys.is_empty(), "{:?}", c.unknown_keys);
        assert_eq!(c.broker.broker_name, "mine");
        assert_eq!(c.broker.broker_cluster_name, CLUSTER);
        assert_eq!(c.broker.listen_port, 10911);
        assert_eq!(c.broker.namesrv_addr.as_deref(), Some("127.0.0.1:9876"));
        assert_eq!(c.store.store_path_root_dir, PathBuf::from("/data/qs/store"));
        assert_eq!(c.store.mapped_file_size_commit_log, 1_048_576);
    }

    #[test]
    fn banner_names_both_addresses_and_the_next_step() {
        let b =
            banner("127.0.0.1:9876".parse().unwrap(), "127.0.0.1:10911".parse().unwrap(), Path::new("/d"));
        assert!(b.contains("\nname server: 127.0.0.1:9876\n"), "{b}");
        assert!(
            b.contains("\nbroker: 127.0.0.1:10911 (broker-a, cluster DefaultCluster, brokerId 0)\n"),
            "{b}"
        );
        assert!(b.contains("  mqadmin clusterList -n 127.0.0.1:9876\n"), "{b}");
        assert!(b.contains("export NAMESRV_ADDR=127.0.0.1:9876"), "{b}");
    }
}
