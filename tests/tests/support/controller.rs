//! Controller-mode harness (spec/controller.md §9–§11): controllers — one
//! embedded in `mqnamesrv` (`enableControllerInNamesrv=true`) or N
//! standalone `mqcontroller` processes — and the `mqbroker` processes of one
//! broker set, all started the way the shipped sample configs do
//! (`enableControllerMode=true`, `brokerId=-1`, `brokerRole=SLAVE`,
//! `allAckInSyncStateSet=true`): the controllers pick the master.
//!
//! Every process keeps its directory and its ports across restarts: the
//! controllers' peer ports are in every config from the start, and a broker
//! restarted on another port would be a new address to the controller.
//!
//! The tests watch the group from outside with booster's own remoting
//! client: CONTROLLER_GET_METADATA_INFO (1005) for the Raft leader,
//! CONTROLLER_GET_SYNC_STATE_DATA (1006) for master, masterEpoch and
//! SyncStateSet, and the name server's cluster info for who is brokerId 0.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use booster_model::controller::{BrokerReplicasInfo, ReplicasInfo};
use booster_model::record::encode_properties;
use booster_model::{ClusterInfo, from_rocketmq_json};
use booster_remoting::headers::broker::{SendMessageRequestHeader, SendMessageRequestHeaderV2};
use booster_remoting::{CommandHeader, RemotingClient, RemotingCommand, request};
use tempfile::TempDir;

use super::{
    BOOT_TIMEOUT, BROKER_NAME, CLUSTER_NAME, Proc, base_broker_conf, bin, free_port, on_cluster_drop,
    spawn_broker, tail,
};

/// Timeout of one observer request.
const ASK_TIMEOUT: Duration = Duration::from_secs(2);

/// Where the controllers run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Controllers {
    /// One controller inside the name server.
    Embedded,
    /// This many `mqcontroller` processes (one Raft group) and a plain name
    /// server.
    Standalone(usize),
}

/// One restartable process: its directory and its logs (one per start).
pub struct Node {
    pub name: String,
    pub proc: Option<Proc>,
    pub dir: PathBuf,
    starts: usize,
}

impl Node {
    fn new(name: String, dir: PathBuf) -> Node {
        std::fs::create_dir_all(&dir).unwrap();
        Node { name, proc: None, dir, starts: 0 }
    }

    /// The log of the current (or last) start.
    pub fn log_path(&self) -> PathBuf {
        self.dir.join(format!("{}-{}.log", self.name, self.starts))
    }

    pub fn is_running(&self) -> bool {
        self.proc.is_some()
    }

    pub fn proc(&self) -> &Proc {
        self.proc.as_ref().unwrap_or_else(|| panic!("{} is not running", self.name))
    }

    fn next_log(&mut self) -> PathBuf {
        assert!(self.proc.is_none(), "{} already running", self.name);
        self.starts += 1;
        self.log_path()
    }

    /// Graceful stop (SIGTERM); asserts a clean exit in time.
    pub fn stop(&mut self) {
        let mut proc = self.proc.take().unwrap_or_else(|| panic!("{} is not running", self.name));
        let (status, graceful) = proc.terminate();
        assert!(graceful && status.success(), "{} stop: {status}; log:\n{}", self.name, proc.log_tail(40));
    }

    /// kill -9.
    pub fn kill(&mut self) {
        self.proc.take().unwrap_or_else(|| panic!("{} is not running", self.name)).kill9();
    }

    /// SIGSTOP: sockets stay open, nothing is read or answered.
    pub fn freeze(&self) {
        self.proc().signal(libc::SIGSTOP);
    }

    /// SIGCONT.
    pub fn thaw(&self) {
        self.proc().signal(libc::SIGCONT);
    }

    fn logs(&self, lines: usize) -> String {
        (1..=self.starts)
            .map(|start| {
                let path = self.dir.join(format!("{}-{start}.log", self.name));
                format!("--- {} start #{start} log tail ---\n{}\n", self.name, tail(&path, lines))
            })
            .collect()
    }
}

/// A controller node: `mqcontroller`, or the name server embedding it.
pub struct ControllerNode {
    pub node: Node,
    /// Its `controllerDLegerPeers` address: Raft and controller requests.
    pub addr: String,
}

/// A broker of the set, with ports fixed for its life.
pub struct BrokerNode {
    pub node: Node,
    pub port: u16,
    pub ha_port: u16,
}

impl BrokerNode {
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn store_dir(&self) -> PathBuf {
        self.node.dir.join("store")
    }

    pub fn commit_log_dir(&self) -> PathBuf {
        self.store_dir().join("commitlog")
    }

    /// Whether the broker's topic table on disk (`config/topics.json`)
    /// holds `topic` — for a slave: whether its metadata sync copied it.
    pub fn has_topic(&self, topic: &str) -> bool {
        let path = self.store_dir().join("config").join("topics.json");
        std::fs::read_to_string(path).is_ok_and(|t| t.contains(&format!("\"{topic}\"")))
    }

    /// `<cluster>#<name>#<controllerId>` (spec §11.3), once the broker has
    /// its id.
    pub fn identity(&self) -> Option<String> {
        std::fs::read_to_string(self.store_dir().join("brokerIdentity")).ok()
    }
}

/// Controllers, a name server and the brokers of one broker set
/// ([`BROKER_NAME`]), none of the brokers started.
/// Fields drop in order: the processes die before their temp dir goes.
pub struct ControllerCluster {
    pub brokers: Vec<BrokerNode>,
    pub controllers: Vec<ControllerNode>,
    /// The plain name server (standalone controllers only; embedded, the
    /// name server is `controllers[0]`).
    namesrv: Option<Proc>,
    pub namesrv_addr: String,
    namesrv_port: u16,
    mode: Controllers,
    controller_extra: BTreeMap<String, String>,
    broker_extra: BTreeMap<String, String>,
    client: RemotingClient,
    pub dir: TempDir,
}

fn to_map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn properties(map: &BTreeMap<String, String>) -> String {
    map.iter().map(|(k, v)| format!("{k}={v}\n")).collect()
}

impl ControllerCluster {
    /// Starts the controllers and the name server; `brokers` broker slots
    /// are prepared, not started. `controller_extra` goes into every
    /// controller config, `broker_extra` into every broker.conf.
    pub fn start(
        mode: Controllers,
        brokers: usize,
        controller_extra: &[(&str, &str)],
        broker_extra: &[(&str, &str)],
    ) -> ControllerCluster {
        let dir = tempfile::Builder::new().prefix("booster-e2e-ctl-").tempdir().expect("tempdir");
        let n = match mode {
            Controllers::Embedded => 1,
            Controllers::Standalone(n) => n,
        };
        let controllers = (0..n)
            .map(|i| {
                let name =
                    if mode == Controllers::Embedded { "mqnamesrv".to_owned() } else { format!("ctl{i}") };
                ControllerNode {
                    node: Node::new(name, dir.path().join(format!("controller{i}"))),
                    addr: format!("127.0.0.1:{}", free_port()),
                }
            })
            .collect();
        let brokers = (0..brokers)
            .map(|i| BrokerNode {
                node: Node::new(format!("broker{i}"), dir.path().join(format!("broker{i}"))),
                port: free_port(),
                ha_port: free_port(),
            })
            .collect();
        let namesrv_port = free_port();
        let mut c = ControllerCluster {
            brokers,
            controllers,
            namesrv: None,
            namesrv_addr: format!("127.0.0.1:{namesrv_port}"),
            namesrv_port,
            mode,
            controller_extra: to_map(controller_extra),
            broker_extra: to_map(broker_extra),
            client: RemotingClient::default(),
            dir,
        };
        if mode != Controllers::Embedded {
            let (proc, _) =
                super::spawn_namesrv(c.dir.path(), &c.namesrv_conf(), c.dir.path().join("namesrv.log"));
            c.namesrv = Some(proc);
        }
        for i in 0..n {
            c.start_controller(i);
        }
        c
    }

    fn namesrv_conf(&self) -> String {
        let kv = self.dir.path().join("namesrv").join("kvConfig.json");
        format!("listenPort={}\nkvConfigPath={}\n", self.namesrv_port, kv.display())
    }

    /// `controllerAddr` of the brokers: every controller, `;`-separated.
    pub fn controller_addrs(&self) -> String {
        self.controllers.iter().map(|c| c.addr.as_str()).collect::<Vec<_>>().join(";")
    }

    /// Starts (or restarts) controller `i` on its peer address and store.
    pub fn start_controller(&mut self, i: usize) {
        let peers: Vec<String> =
            self.controllers.iter().enumerate().map(|(j, c)| format!("n{j}-{}", c.addr)).collect();
        let mut conf: BTreeMap<String, String> = to_map(&[
            ("controllerDLegerGroup", "booster-e2e"),
            ("controllerDLegerSelfId", &format!("n{i}")),
            ("controllerDLegerPeers", &peers.join(";")),
        ]);
        let node = &self.controllers[i].node;
        conf.insert("controllerStorePath".into(), node.dir.join("store").display().to_string());
        conf.extend(self.controller_extra.clone());
        let embedded = self.mode == Controllers::Embedded;
        let (text, binary) = if embedded {
            (
                format!("{}enableControllerInNamesrv=true\n{}", self.namesrv_conf(), properties(&conf)),
                "mqnamesrv",
            )
        } else {
            (properties(&conf), "mqcontroller")
        };
        let node = &mut self.controllers[i].node;
        let log = node.next_log();
        let conf_path = node.dir.join(format!("{binary}.conf"));
        std::fs::write(&conf_path, text).unwrap();
        let mut cmd = Command::new(bin(binary));
        cmd.arg("-c").arg(&conf_path).current_dir(&node.dir);
        let mut proc = Proc::spawn(&node.name, cmd, log);
        proc.wait_for_line(BOOT_TIMEOUT, |line| line.contains("boot success").then_some(()));
        node.proc = Some(proc);
    }

    /// Starts (or restarts) broker `i` in controller mode.
    pub fn start_broker(&mut self, i: usize) {
        let controller_addrs = self.controller_addrs();
        let b = &mut self.brokers[i];
        let mut conf = base_broker_conf(&b.store_dir(), b.port, b.ha_port);
        conf.extend(to_map(&[
            ("enableControllerMode", "true"),
            ("controllerAddr", &controller_addrs),
            ("brokerId", "-1"),
            ("brokerRole", "SLAVE"),
            ("allAckInSyncStateSet", "true"),
        ]));
        conf.extend(self.broker_extra.clone());
        let log = b.node.next_log();
        let (proc, port) = spawn_broker(&b.node.name, &b.node.dir, &conf, &self.namesrv_addr, log);
        assert_eq!(port, b.port, "{} bound another port", b.node.name);
        b.node.proc = Some(proc);
    }

    /// Index of the broker listening on `addr`.
    pub fn broker_at(&self, addr: &str) -> usize {
        self.brokers.iter().position(|b| b.addr() == addr).unwrap_or_else(|| panic!("no broker at {addr}"))
    }

    // -----------------------------------------------------------------------
    // The controllers' and the name server's view
    // -----------------------------------------------------------------------

    /// Index of the controller that says it is the Raft leader, if one
    /// answers so.
    pub async fn leader(&self) -> Option<usize> {
        for (i, c) in self.controllers.iter().enumerate().filter(|(_, c)| c.node.is_running()) {
            let req = RemotingCommand::request(request::CONTROLLER_GET_METADATA_INFO);
            if let Ok(resp) = self.client.invoke(&c.addr, req, ASK_TIMEOUT).await
                && resp.code == 0
                && resp.ext("isLeader") == Some("true")
            {
                return Some(i);
            }
        }
        None
    }

    /// The leader's CONTROLLER_GET_SYNC_STATE_DATA answer for the broker
    /// set, if there is a leader and it knows the set.
    pub async fn sync_state(&self) -> Option<ReplicasInfo> {
        let leader = &self.controllers[self.leader().await?].addr;
        let body = format!("[\"{BROKER_NAME}\"]");
        let req =
            RemotingCommand::request(request::CONTROLLER_GET_SYNC_STATE_DATA).with_body(body.into_bytes());
        let resp = self.client.invoke(leader, req, ASK_TIMEOUT).await.ok().filter(|r| r.code == 0)?;
        let text = std::str::from_utf8(resp.body.as_deref()?).ok()?;
        from_rocketmq_json::<BrokerReplicasInfo>(text).ok()?.replicas_info_table.remove(BROKER_NAME)
    }

    /// The name server's brokerId → address table of the broker set.
    pub async fn namesrv_brokers(&self) -> BTreeMap<i64, String> {
        let req = RemotingCommand::request(request::GET_BROKER_CLUSTER_INFO);
        let Ok(resp) = self.client.invoke(&self.namesrv_addr, req, ASK_TIMEOUT).await else {
            return BTreeMap::new();
        };
        let info = resp
            .body
            .as_deref()
            .and_then(|b| std::str::from_utf8(b).ok())
            .and_then(|text| from_rocketmq_json::<ClusterInfo>(text).ok());
        info.and_then(|mut i| i.broker_addr_table.remove(BROKER_NAME))
            .map(|d| d.broker_addrs)
            .unwrap_or_default()
    }

    /// Waits (bounded) until the leader's sync-state answer satisfies
    /// `want`; returns it.
    pub async fn wait_sync_state(
        &self,
        what: &str,
        timeout: Duration,
        want: impl Fn(&ReplicasInfo) -> bool,
    ) -> ReplicasInfo {
        let deadline = Instant::now() + timeout;
        let mut last = None;
        loop {
            if let Some(info) = self.sync_state().await {
                if want(&info) {
                    return info;
                }
                last = Some(info);
            }
            assert!(Instant::now() < deadline, "{what}: not within {timeout:?}; last sync state {last:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits (bounded) for a settled group: a live master (other than
    /// `not`, if given), `in_sync` members in its SyncStateSet, all alive,
    /// and the master registered as brokerId 0 on the name server. Returns
    /// the sync state and the master's broker index.
    pub async fn wait_settled(
        &self,
        in_sync: usize,
        not: Option<usize>,
        timeout: Duration,
    ) -> (ReplicasInfo, usize) {
        let deadline = Instant::now() + timeout;
        let mut last = (None, BTreeMap::new());
        loop {
            if let Some(info) = self.sync_state().await {
                let routes = self.namesrv_brokers().await;
                let master = info.master_address.as_deref().map(|a| self.broker_at(a));
                let settled = master.is_some()
                    && master != not
                    && info.in_sync_replicas.len() == in_sync
                    && info.in_sync_replicas.iter().all(|r| r.alive)
                    && routes.get(&0) == info.master_address.as_ref();
                if settled {
                    return (info, master.unwrap());
                }
                last = (Some(info), routes);
            }
            assert!(
                Instant::now() < deadline,
                "no settled group of {in_sync} in sync (master not {not:?}) within {timeout:?}; \
                 last sync state {:?}, name server {:?}",
                last.0,
                last.1
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// One SEND_MESSAGE_V2 (WAIT=true) straight to `broker`, bypassing any
    /// client routing; resolves to the response code (`None`: no answer).
    pub fn put_directly(
        &self,
        broker: usize,
        topic: &str,
        key: &str,
    ) -> impl Future<Output = Option<i32>> + Send + 'static {
        let header = SendMessageRequestHeader {
            producer_group: "e2e_direct".into(),
            topic: topic.into(),
            default_topic: "TBW102".into(),
            default_topic_queue_nums: 4,
            queue_id: 0,
            born_timestamp: 1_700_000_000_000,
            properties: Some(encode_properties([("WAIT", "true"), ("KEYS", key)])),
            ..Default::default()
        };
        let req = RemotingCommand::request(request::SEND_MESSAGE_V2)
            .with_ext(SendMessageRequestHeaderV2::from(header).encode())
            .with_body(format!("body:{key}").into_bytes());
        let (client, addr) = (self.client.clone(), self.brokers[broker].addr());
        async move { client.invoke(&addr, req, Duration::from_secs(15)).await.ok().map(|r| r.code) }
    }

    pub fn logs(&self) -> String {
        let mut out = self
            .namesrv
            .as_ref()
            .map(|n| format!("--- namesrv ---\n{}\n", n.log_tail(20)))
            .unwrap_or_default();
        for c in &self.controllers {
            out.push_str(&c.node.logs(30));
        }
        for b in &self.brokers {
            out.push_str(&b.node.logs(40));
        }
        out
    }
}

impl Drop for ControllerCluster {
    fn drop(&mut self) {
        let logs = std::thread::panicking().then(|| self.logs());
        on_cluster_drop(&mut self.dir, logs.as_deref());
    }
}

/// `CLUSTER#BROKER#id`: the identity file a broker of this set writes.
pub fn identity_of(id: i64) -> String {
    format!("{CLUSTER_NAME}#{BROKER_NAME}#{id}")
}
