//! `booster quickstart`: a name server and its brokers in this process,
//! all bound to 127.0.0.1 (a try-it-out setup should not be reachable from
//! the network), files under one directory.
//!
//! With one replica (the default) it is one standalone master:
//!
//! ```text
//! DIR/namesrv/kvConfig.json    name-server KV store
//! DIR/store/                   the broker's commit log, queues, config/
//! ```
//!
//! With `--replicas N` (2–9) it is one broker group in controller mode: the
//! controller runs embedded in the name server (`enableControllerInNamesrv`),
//! every replica starts as RocketMQ's sample configs do (`brokerId=-1`,
//! `brokerRole=SLAVE`, `allAckInSyncStateSet=true`) and gets its id and role
//! from the controller; [`crate::watch`] prints the master and the
//! SyncStateSet whenever they change.
//!
//! ```text
//! DIR/controller/              the controller's Raft log and snapshots
//! DIR/store-<i>/               replica i's store (and brokerIdentity file)
//! ```
//!
//! The configs come from pure functions ([`namesrv_properties`],
//! [`broker_properties`]) so they are testable; [`Quickstart::start`] only
//! starts the servers and, for a standalone broker, waits for its first
//! registration, so that `mqadmin clusterList` shows it once the banner is out.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use booster_broker::{BrokerError, BrokerHandle};
use booster_conf::{BrokerStartupConfig, ConfigError, NamesrvConfig, Properties};
use booster_namesrv::{NamesrvError, NamesrvHandle};

use crate::args::QuickstartArgs;

pub const CLUSTER: &str = "DefaultCluster";
pub const BROKER_NAME: &str = "broker-a";
const LOOPBACK: &str = "127.0.0.1";
const CONTROLLER_GROUP: &str = "booster-quickstart";

#[derive(Debug, thiserror::Error)]
pub enum QuickstartError {
    #[error("cannot create {path}: {source}")]
    Dir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot find a free port for the controller: {0}")]
    Port(#[source] std::io::Error),
    #[error("name server settings: {0}")]
    NamesrvConfig(#[source] ConfigError),
    #[error(
        "name server: {0} (is another name server or quickstart running? try --namesrv-port / --controller-port)"
    )]
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

/// The layout of one run: where each server listens and keeps its files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub dir: PathBuf,
    /// `None` for a standalone broker.
    pub controller_port: Option<u16>,
    /// Per replica: (listen port, store root).
    pub brokers: Vec<(u16, PathBuf)>,
}

impl Layout {
    /// `controller_port` is the port to use when in controller mode (an
    /// asked-for 0 already replaced by a free one).
    pub fn new(args: &QuickstartArgs, dir: &Path, controller_port: u16) -> Layout {
        let controlled = args.replicas > 1;
        let brokers = (0..u16::from(args.replicas))
            .map(|i| {
                let port = if args.broker_port == 0 { 0 } else { args.broker_port + 10 * i };
                let store = if controlled { dir.join(format!("store-{}", i + 1)) } else { dir.join("store") };
                (port, store)
            })
            .collect();
        Layout { dir: dir.to_owned(), controller_port: controlled.then_some(controller_port), brokers }
    }

    fn controller_addr(&self) -> Option<String> {
        self.controller_port.map(|p| format!("{LOOPBACK}:{p}"))
    }
}

/// namesrv.conf text: loopback, the asked port, files under the directory,
/// and in controller mode the embedded controller as a one-node Raft group.
pub fn namesrv_properties(args: &QuickstartArgs, layout: &Layout) -> String {
    let dir = layout.dir.join("namesrv");
    let mut text = format!(
        "listenPort={}\nbindAddress={LOOPBACK}\nkvConfigPath={}\nconfigStorePath={}\n",
        args.namesrv_port,
        dir.join("kvConfig.json").display(),
        dir.join("namesrv.properties").display()
    );
    if let Some(addr) = layout.controller_addr() {
        text.push_str(&format!(
            "enableControllerInNamesrv=true\ncontrollerDLegerGroup={CONTROLLER_GROUP}\n\
             controllerDLegerPeers=n0-{addr}\ncontrollerDLegerSelfId=n0\ncontrollerStorePath={}\n",
            layout.dir.join("controller").display()
        ));
    }
    text
}

/// The name server's settings parsed from [`namesrv_properties`].
pub fn namesrv_config(args: &QuickstartArgs, layout: &Layout) -> Result<NamesrvConfig, QuickstartError> {
    let text = namesrv_properties(args, layout);
    let properties = Properties::parse_str(&text, "quickstart").map_err(QuickstartError::NamesrvConfig)?;
    Ok(NamesrvConfig::load(properties).map_err(QuickstartError::NamesrvConfig)?.config)
}

/// broker.conf text for replica `index` (0-based), then the `--set` lines
/// (later lines win, as in a properties file).
pub fn broker_properties(
    args: &QuickstartArgs,
    layout: &Layout,
    namesrv: SocketAddr,
    index: usize,
) -> String {
    let (port, store_root) = &layout.brokers[index];
    let role = match layout.controller_addr() {
        None => "brokerId=0\nbrokerRole=ASYNC_MASTER\n".to_owned(),
        Some(controller) => format!(
            "brokerId=-1\nbrokerRole=SLAVE\nenableControllerMode=true\ncontrollerAddr={controller}\n\
             allAckInSyncStateSet=true\n"
        ),
    };
    let mut text = format!(
        "brokerClusterName={CLUSTER}\nbrokerName={BROKER_NAME}\n{role}\
         brokerIP1={LOOPBACK}\nbindAddress={LOOPBACK}\nlistenPort={port}\nnamesrvAddr={namesrv}\n\
         storePathRootDir={}\nautoCreateTopicEnable=true\nautoCreateSubscriptionGroup=true\n",
        store_root.display()
    );
    for (k, v) in &args.broker_settings {
        text.push_str(&format!("{k}={v}\n"));
    }
    text
}

/// The running servers.
#[derive(Debug)]
pub struct Quickstart {
    namesrv: NamesrvHandle,
    brokers: Vec<BrokerHandle>,
    layout: Layout,
}

impl Quickstart {
    pub async fn start(args: &QuickstartArgs) -> Result<Quickstart, QuickstartError> {
        let dir = std::path::absolute(&args.dir).unwrap_or_else(|_| args.dir.clone());
        let controller_port = match args.controller_port {
            0 => free_port().map_err(QuickstartError::Port)?,
            p => p,
        };
        let layout = Layout::new(args, &dir, controller_port);
        let dirs = std::iter::once(dir.join("namesrv")).chain(layout.brokers.iter().map(|(_, s)| s.clone()));
        for path in dirs {
            std::fs::create_dir_all(&path).map_err(|source| QuickstartError::Dir { path, source })?;
        }
        let namesrv =
            booster_namesrv::start(namesrv_config(args, &layout)?).await.map_err(QuickstartError::Namesrv)?;
        let mut brokers = Vec::new();
        for index in 0..layout.brokers.len() {
            let text = broker_properties(args, &layout, namesrv.local_addr(), index);
            let config = BrokerStartupConfig::from_properties_str(&text, "quickstart")?;
            if let Some(unknown) = config.unknown_keys.first() {
                return Err(QuickstartError::UnknownSetting(unknown.key.clone()));
            }
            brokers.push(booster_broker::start(config).await.map_err(QuickstartError::Broker)?);
        }
        if layout.controller_port.is_none() {
            brokers[0].register_now().await;
        }
        Ok(Quickstart { namesrv, brokers, layout })
    }

    pub fn namesrv_addr(&self) -> SocketAddr {
        self.namesrv.local_addr()
    }

    pub fn broker_addrs(&self) -> Vec<SocketAddr> {
        self.brokers.iter().map(BrokerHandle::local_addr).collect()
    }

    /// The embedded controller's address (controller mode only).
    pub fn controller_addr(&self) -> Option<SocketAddr> {
        self.namesrv.controller_addr()
    }

    pub fn banner(&self) -> String {
        banner(self.namesrv_addr(), self.controller_addr(), &self.broker_addrs(), &self.layout.dir)
    }

    /// Stops the brokers (unregister, persist, flush) and then the name server.
    pub async fn shutdown(self) -> Result<(), QuickstartError> {
        let mut result = Ok(());
        for broker in self.brokers {
            if let Err(e) = broker.shutdown().await {
                result = result.and(Err(QuickstartError::Broker(e)));
            }
        }
        self.namesrv.shutdown();
        result
    }
}

/// A port the OS just handed out: the controller's peer address must be in
/// its config before it binds.
fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind((LOOPBACK, 0))?.local_addr()?.port())
}

/// What the quickstart prints once the servers are up. The address lines
/// are stable (`name server: <addr>`, `controller: <addr>`, `broker:
/// <addr> ...`) for scripts.
pub fn banner(
    namesrv: SocketAddr,
    controller: Option<SocketAddr>,
    brokers: &[SocketAddr],
    dir: &Path,
) -> String {
    let mut out = match controller {
        None => "Booster quickstart is running.\n".to_owned(),
        Some(_) => format!(
            "Booster quickstart is running: one broker group of {} replicas in controller mode.\n",
            brokers.len()
        ),
    };
    out.push_str(&format!("name server: {namesrv}\n"));
    if let Some(c) = controller {
        out.push_str(&format!("controller: {c} (embedded in the name server)\n"));
    }
    for (i, b) in brokers.iter().enumerate() {
        match controller {
            None => out.push_str(&format!("broker: {b} ({BROKER_NAME}, cluster {CLUSTER}, brokerId 0)\n")),
            Some(_) => out.push_str(&format!(
                "broker: {b} ({BROKER_NAME} replica {}, cluster {CLUSTER}, id and role from the controller)\n",
                i + 1
            )),
        }
    }
    out.push_str(&format!("files: {}\n\nLook around:\n", dir.display()));
    out.push_str(&format!("\x20 mqadmin clusterList -n {namesrv}\n"));
    if let Some(c) = controller {
        out.push_str(&format!("\x20 mqadmin getSyncStateSet -a {c} -b {BROKER_NAME}\n"));
        out.push_str(&format!("\x20 mqadmin getControllerMetaData -a {c}\n"));
    }
    out.push_str(&format!(
        "\x20 mqadmin updateTopic -n {namesrv} -c {CLUSTER} -t TopicTest\n\
         \x20 mqadmin topicStatus -n {namesrv} -t TopicTest\n\
         Produce and consume with any RocketMQ client pointed at the name server:\n\
         \x20 export NAMESRV_ADDR={namesrv}\n\
         \x20 (e.g. RocketMQ's tools.sh org.apache.rocketmq.example.quickstart.Producer / Consumer)\n\n"
    ));
    if controller.is_some() {
        out.push_str("Master and SyncStateSet changes are printed below as they happen.\n");
    }
    out.push_str("Press Ctrl-C to stop.\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(replicas: u8) -> QuickstartArgs {
        QuickstartArgs {
            dir: "/data/qs".into(),
            replicas,
            broker_settings: vec![("mappedFileSizeCommitLog".into(), "1048576".into())],
            ..QuickstartArgs::default()
        }
    }

    fn layout(a: &QuickstartArgs) -> Layout {
        Layout::new(a, Path::new("/data/qs"), 9877)
    }

    #[test]
    fn namesrv_files_stay_under_the_directory() {
        let a = args(1);
        let c = namesrv_config(&a, &layout(&a)).unwrap();
        assert_eq!((c.listen_port, c.bind_address.as_str()), (9876, "127.0.0.1"));
        assert_eq!(c.kv_config_path, PathBuf::from("/data/qs/namesrv/kvConfig.json"));
        assert!(c.controller.is_none());
    }

    #[test]
    fn replicas_embed_a_one_node_controller() {
        let a = args(3);
        let l = layout(&a);
        let c = namesrv_config(&a, &l).unwrap();
        let controller = c.controller.expect("embedded controller");
        assert_eq!(controller.self_peer().unwrap().addr, "127.0.0.1:9877");
        assert_eq!(controller.controller_store_path, PathBuf::from("/data/qs/controller"));
        let ports: Vec<u16> = l.brokers.iter().map(|(p, _)| *p).collect();
        assert_eq!(ports, [10911, 10921, 10931]);
        assert_eq!(l.brokers[2].1, PathBuf::from("/data/qs/store-3"));
    }

    #[test]
    fn broker_settings_parse_and_overrides_win() {
        let ns: SocketAddr = "127.0.0.1:9876".parse().unwrap();
        let mut a = args(1);
        a.broker_settings.push(("brokerName".into(), "mine".into()));
        let text = broker_properties(&a, &layout(&a), ns, 0);
        let c = BrokerStartupConfig::from_properties_str(&text, "t").unwrap();
        assert!(c.unknown_keys.is_empty(), "{:?}", c.unknown_keys);
        assert_eq!(c.broker.broker_name, "mine");
        assert_eq!(c.broker.broker_cluster_name, CLUSTER);
        assert_eq!(c.broker.listen_port, 10911);
        assert_eq!(c.broker.namesrv_addr.as_deref(), Some("127.0.0.1:9876"));
        assert_eq!(c.store.store_path_root_dir, PathBuf::from("/data/qs/store"));
        assert_eq!(c.store.mapped_file_size_commit_log, 1_048_576);
        assert!(!c.broker.enable_controller_mode);
    }

    #[test]
    fn replicas_start_as_controlled_slaves() {
        let ns: SocketAddr = "127.0.0.1:9876".parse().unwrap();
        let a = args(2);
        let text = broker_properties(&a, &layout(&a), ns, 1);
        let c = BrokerStartupConfig::from_properties_str(&text, "t").unwrap();
        assert!(c.unknown_keys.is_empty(), "{:?}", c.unknown_keys);
        assert!(c.broker.enable_controller_mode);
        assert_eq!(c.broker.controller_addr, "127.0.0.1:9877");
        assert_eq!((c.broker.broker_id, c.broker.listen_port), (-1, 10921));
        assert!(c.broker.all_ack_in_sync_state_set);
        assert_eq!(c.store.store_path_root_dir, PathBuf::from("/data/qs/store-2"));
    }

    #[test]
    fn banner_names_every_address_and_the_next_step() {
        let ns = "127.0.0.1:9876".parse().unwrap();
        let b = banner(ns, None, &["127.0.0.1:10911".parse().unwrap()], Path::new("/d"));
        assert!(b.contains("\nname server: 127.0.0.1:9876\n"), "{b}");
        assert!(
            b.contains("\nbroker: 127.0.0.1:10911 (broker-a, cluster DefaultCluster, brokerId 0)\n"),
            "{b}"
        );
        assert!(b.contains("  mqadmin clusterList -n 127.0.0.1:9876\n"), "{b}");
        assert!(b.contains("export NAMESRV_ADDR=127.0.0.1:9876"), "{b}");
        assert!(!b.contains("controller"), "{b}");

        let brokers = ["127.0.0.1:10911".parse().unwrap(), "127.0.0.1:10921".parse().unwrap()];
        let b = banner(ns, Some("127.0.0.1:9877".parse().unwrap()), &brokers, Path::new("/d"));
        assert!(b.contains("\ncontroller: 127.0.0.1:9877 (embedded in the name server)\n"), "{b}");
        assert!(b.contains("\nbroker: 127.0.0.1:10921 (broker-a replica 2,"), "{b}");
        assert!(b.contains("  mqadmin getSyncStateSet -a 127.0.0.1:9877 -b broker-a\n"), "{b}");
    }
}
