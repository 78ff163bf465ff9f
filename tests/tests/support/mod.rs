//! Shared harness for the end-to-end tests (`tests/tests/e2e_*.rs`).
//!
//! Every test runs the REAL `mqnamesrv` and `mqbroker` binaries as child
//! processes on loopback and drives them with the published
//! `rocketmq-client-rust` 1.0.0 crate.
//!
//! # Where the binaries come from
//!
//! Cargo only exposes `CARGO_BIN_EXE_*` for binaries of the package under
//! test, and `booster-tests` has none, so [`bin_dir`] finds them in the
//! target directory this test executable was built into
//! (`<target>/<profile>/deps/e2e_x-hash` → `<target>/<profile>/`):
//!
//! 1. `BOOSTER_E2E_BIN_DIR`, if set, is used as is (prebuilt binaries; no
//!    freshness check).
//! 2. Otherwise, if the server binaries exist and are newer than every `*.rs`,
//!    `Cargo.toml` and `Cargo.lock` of the workspace (outside `target/`,
//!    `tests/` and hidden directories) they are used — this is the case
//!    after `cargo test --workspace`, which builds them for the broker's and
//!    name server's own integration tests.
//! 3. Otherwise the harness runs, once per test executable,
//!    `cargo build -p booster-namesrv -p booster-broker -p booster-controller
//!    --bins` (`mqcontroller` too) with the same
//!    target directory and profile (`$CARGO`, else `cargo` on `PATH`). After
//!    `cargo test -p booster-tests` alone this first build can take a minute:
//!    the feature set differs from the test build's, so Cargo compiles a
//!    second copy of the shared dependencies once.
//!
//! A stale binary is therefore never used silently.
//!
//! # Processes
//!
//! [`Proc`] owns a child: its stdout is read line by line on a thread (the
//! boot lines carry the bound ports, since everything listens on port 0), its
//! stderr (the logs, `RUST_LOG`=`BOOSTER_E2E_LOG` or `info`) goes to a file in
//! the test's temp dir, and dropping it SIGKILLs and reaps the child. When a
//! test panics, [`Cluster`]'s drop prints the tail of both logs. Every wait is
//! bounded.
//!
//! [`ha`] runs a broker group (a master and slaves) the same way;
//! [`controller`] runs one in controller mode with its controllers.

#![allow(dead_code)]

pub mod controller;
pub mod ha;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, LazyLock, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rocketmq_client_rust::{
    ClientConfig, ClientRuntime, ClientRuntimeConfig, DefaultMQProducer, TelemetryHandle,
};
use rocketmq_runtime::{RuntimeConfig, RuntimeOwner};
use tempfile::TempDir;

/// How long a process gets to print its boot line.
pub const BOOT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a graceful stop may take before SIGKILL.
pub const STOP_TIMEOUT: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------
// Binaries
// ---------------------------------------------------------------------------

static BIN_DIR: OnceLock<Result<PathBuf, String>> = OnceLock::new();

/// The server binaries the e2e tests run, with their packages.
const SERVER_BINS: [(&str, &str); 3] = [
    ("mqnamesrv", "booster-namesrv"),
    ("mqbroker", "booster-broker"),
    ("mqcontroller", "booster-controller"),
];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

/// `<target>/<profile>` of this test executable.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let deps = exe.parent().expect("test exe has a parent");
    deps.parent().expect("deps/ has a parent").to_path_buf()
}

fn newest_source_mtime(dir: &Path, newest: &mut SystemTime) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Ok(ft) = entry.file_type() else { continue };
        if ft.is_dir() {
            if name.starts_with('.') || name == "target" || (dir == workspace_root() && name == "tests") {
                continue;
            }
            newest_source_mtime(&path, newest);
        } else if (name.ends_with(".rs") || name == "Cargo.toml" || name == "Cargo.lock")
            && let Ok(modified) = entry.metadata().and_then(|m| m.modified())
            && modified > *newest
        {
            *newest = modified;
        }
    }
}

fn bins_fresh(dir: &Path) -> bool {
    let mut oldest_bin: Option<SystemTime> = None;
    for (name, _) in SERVER_BINS {
        let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
        match path.metadata().and_then(|m| m.modified()) {
            Ok(t) => oldest_bin = Some(oldest_bin.map_or(t, |o| o.min(t))),
            Err(_) => return false,
        }
    }
    let mut newest = UNIX_EPOCH;
    newest_source_mtime(&workspace_root(), &mut newest);
    oldest_bin.is_some_and(|b| b >= newest)
}

fn build_bins(profile_dir: &Path) -> Result<(), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target_dir = profile_dir.parent().ok_or("profile dir has no parent")?;
    let profile = profile_dir.file_name().and_then(|n| n.to_str()).unwrap_or("debug");
    let mut cmd = Command::new(cargo);
    cmd.arg("build")
        .arg("--manifest-path")
        .arg(workspace_root().join("Cargo.toml"))
        .args(SERVER_BINS.iter().flat_map(|(_, package)| ["-p", package]))
        .arg("--bins")
        .env("CARGO_TARGET_DIR", target_dir);
    match profile {
        "debug" => {}
        "release" => {
            cmd.arg("--release");
        }
        other => {
            cmd.args(["--profile", other]);
        }
    }
    eprintln!("e2e harness: building the server binaries: {cmd:?}");
    let status = cmd.status().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("cargo build of the server binaries failed: {status}"));
    }
    Ok(())
}

/// Directory holding fresh `mqnamesrv` and `mqbroker` (see the module docs).
pub fn bin_dir() -> PathBuf {
    BIN_DIR
        .get_or_init(|| {
            if let Some(dir) = std::env::var_os("BOOSTER_E2E_BIN_DIR") {
                return Ok(PathBuf::from(dir));
            }
            let dir = profile_dir();
            if !bins_fresh(&dir) {
                build_bins(&dir)?;
            }
            Ok(dir)
        })
        .clone()
        .unwrap_or_else(|e| panic!("e2e harness: {e}"))
}

pub fn bin(name: &str) -> PathBuf {
    let path = bin_dir().join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(path.exists(), "{} does not exist", path.display());
    path
}

// ---------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------

/// A child process that is SIGKILLed and reaped on drop.
pub struct Proc {
    pub name: String,
    child: Option<Child>,
    stdout: Receiver<String>,
    pub stdout_seen: Vec<String>,
    pub log_path: PathBuf,
}

impl Proc {
    pub fn spawn(name: &str, mut cmd: Command, log_path: PathBuf) -> Proc {
        let log = File::create(&log_path).expect("create log file");
        let log_level = std::env::var("BOOSTER_E2E_LOG").unwrap_or_else(|_| "info".into());
        // NO_COLOR: the logs are files that tests search (`LogWatch`).
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .env("RUST_LOG", log_level)
            .env("NO_COLOR", "1");
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {name}: {e}"));
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    // Nobody listens any more; keep draining so the child never blocks.
                    continue;
                }
            }
        });
        Proc { name: name.to_owned(), child: Some(child), stdout: rx, stdout_seen: Vec::new(), log_path }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(Child::id).unwrap_or(0)
    }

    /// Waits (bounded) for a stdout line for which `pick` returns `Some`.
    pub fn wait_for_line<T>(&mut self, timeout: Duration, pick: impl Fn(&str) -> Option<T>) -> T {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.try_wait() {
                panic!(
                    "{} exited with {status} before printing the expected line; stdout: {:?}\nlog tail:\n{}",
                    self.name,
                    self.stdout_seen,
                    self.log_tail(40)
                );
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                panic!(
                    "{} did not print the expected line within {timeout:?}; stdout: {:?}\nlog tail:\n{}",
                    self.name,
                    self.stdout_seen,
                    self.log_tail(40)
                );
            }
            match self.stdout.recv_timeout(left.min(Duration::from_millis(200))) {
                Ok(line) => {
                    let found = pick(&line);
                    self.stdout_seen.push(line);
                    if let Some(v) = found {
                        return v;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        }
    }

    pub fn try_wait(&mut self) -> Option<ExitStatus> {
        self.child.as_mut().and_then(|c| c.try_wait().ok().flatten())
    }

    /// Bounded wait for exit.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(s) = self.try_wait() {
                return Some(s);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// SIGTERM, then a bounded wait; SIGKILL if it does not stop in time.
    /// Returns the exit status and whether the stop was graceful.
    pub fn terminate(&mut self) -> (ExitStatus, bool) {
        if self.try_wait().is_none() {
            self.signal(libc::SIGTERM);
        }
        if let Some(status) = self.wait_exit(STOP_TIMEOUT) {
            self.child = None;
            return (status, true);
        }
        (self.kill9(), false)
    }

    /// Sends `signal` (SIGTERM, SIGSTOP, SIGCONT…) to the running child.
    pub fn signal(&self, signal: libc::c_int) {
        let child = self.child.as_ref().expect("process already gone");
        // SAFETY: plain kill(2) on our own child's pid; the child is not
        // reaped yet (we still hold it), so the pid is still ours.
        let rc = unsafe { libc::kill(child.id() as libc::pid_t, signal) };
        assert_eq!(rc, 0, "kill({}, {signal}): {}", child.id(), std::io::Error::last_os_error());
    }

    /// SIGKILL and reap.
    pub fn kill9(&mut self) -> ExitStatus {
        let mut child = self.child.take().expect("process already gone");
        let _ = child.kill();
        child.wait().expect("reap child")
    }

    pub fn log_tail(&self, lines: usize) -> String {
        tail(&self.log_path, lines)
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn tail(path: &Path, lines: usize) -> String {
    let Ok(mut f) = File::open(path) else { return String::new() };
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let _ = f.seek(SeekFrom::Start(len.saturating_sub(64 * 1024)));
    let mut text = String::new();
    let _ = f.read_to_string(&mut text);
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

// ---------------------------------------------------------------------------
// Starting the servers
// ---------------------------------------------------------------------------

/// An `mqnamesrv` on port 0 with its files under `dir`; returns it and its
/// address.
pub fn start_namesrv(dir: &Path) -> (Proc, String) {
    let conf =
        format!("listenPort=0\nkvConfigPath={}\n", dir.join("namesrv").join("kvConfig.json").display());
    let (namesrv, port) = spawn_namesrv(dir, &conf, dir.join("namesrv.log"));
    (namesrv, format!("127.0.0.1:{port}"))
}

/// Writes `conf` to `<dir>/namesrv.conf`, runs `mqnamesrv` there and waits
/// for its boot line; returns it and its bound port.
pub fn spawn_namesrv(dir: &Path, conf: &str, log: PathBuf) -> (Proc, u16) {
    let ns_conf = dir.join("namesrv.conf");
    std::fs::write(&ns_conf, conf).unwrap();
    let mut cmd = Command::new(bin("mqnamesrv"));
    cmd.arg("-c").arg(&ns_conf).current_dir(dir);
    let mut namesrv = Proc::spawn("mqnamesrv", cmd, log);
    let port = namesrv.wait_for_line(BOOT_TIMEOUT, |line| {
        line.strip_prefix("The Name Server boot success.")
            .and_then(|rest| rest.rsplit(':').next())
            .and_then(|p| p.trim().parse().ok())
    });
    (namesrv, port)
}

/// The `broker.conf` every e2e broker starts from (`listen_port` 0: the OS
/// picks).
pub fn base_broker_conf(store: &Path, listen_port: u16, ha_port: u16) -> BTreeMap<String, String> {
    [
        ("brokerClusterName", CLUSTER_NAME.to_owned()),
        ("brokerName", BROKER_NAME.to_owned()),
        ("brokerId", "0".to_owned()),
        ("brokerIP1", "127.0.0.1".to_owned()),
        ("listenPort", listen_port.to_string()),
        ("haListenPort", ha_port.to_string()),
        ("storePathRootDir", store.display().to_string()),
        ("storePathCommitLog", store.join("commitlog").display().to_string()),
        // Small files: fast to map and to preallocate in a temp dir.
        ("mappedFileSizeCommitLog", (64 * 1024 * 1024).to_string()),
        ("mappedFileSizeConsumeQueue", (30_000 * 20).to_string()),
        ("autoCreateTopicEnable", "true".to_owned()),
        ("autoCreateSubscriptionGroup", "true".to_owned()),
        ("flushConsumerOffsetInterval", "1000".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// Writes `conf` to `<dir>/broker.conf`, runs `mqbroker` there and waits
/// for its boot line; returns it and its bound port.
pub fn spawn_broker(
    name: &str,
    dir: &Path,
    conf: &BTreeMap<String, String>,
    namesrv_addr: &str,
    log: PathBuf,
) -> (Proc, u16) {
    let path = dir.join("broker.conf");
    std::fs::write(&path, conf.iter().map(|(k, v)| format!("{k}={v}\n")).collect::<String>()).unwrap();
    let mut cmd = Command::new(bin("mqbroker"));
    cmd.arg("-c").arg(&path).arg("-n").arg(namesrv_addr).current_dir(dir);
    let mut broker = Proc::spawn(name, cmd, log);
    // "The broker[broker-e2e, 127.0.0.1:10911] boot success."
    let port: u16 = broker.wait_for_line(BOOT_TIMEOUT, |line| {
        if !line.contains("boot success") {
            return None;
        }
        let inner = line.split('[').nth(1)?.split(']').next()?;
        inner.rsplit(':').next()?.trim().parse().ok()
    });
    (broker, port)
}

// ---------------------------------------------------------------------------
// A name server + one broker
// ---------------------------------------------------------------------------

pub const BROKER_NAME: &str = "broker-e2e";
pub const CLUSTER_NAME: &str = "DefaultCluster";

/// One `mqnamesrv` and one `mqbroker` in a fresh temp dir.
/// Fields drop in order: the processes die before their temp dir goes.
pub struct Cluster {
    pub broker: Option<Proc>,
    pub namesrv: Proc,
    pub namesrv_addr: String,
    /// Bound broker port (0 before the first start); restarts reuse it.
    pub broker_port: u16,
    /// HA port, fixed for the cluster's life: a restart on `broker_port`
    /// would otherwise bind HA on `broker_port + 1`, which may be taken.
    ha_port: u16,
    broker_extra: BTreeMap<String, String>,
    broker_starts: usize,
    pub dir: TempDir,
}

impl Cluster {
    pub fn start() -> Cluster {
        Cluster::start_with(&[])
    }

    /// `extra` are additional (or overriding) `broker.conf` lines.
    pub fn start_with(extra: &[(&str, &str)]) -> Cluster {
        let dir = tempfile::Builder::new().prefix("booster-e2e-").tempdir().expect("tempdir");
        let (namesrv, namesrv_addr) = start_namesrv(dir.path());
        let mut cluster = Cluster {
            namesrv_addr,
            namesrv,
            broker: None,
            broker_port: 0,
            ha_port: free_port(),
            broker_extra: extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
            broker_starts: 0,
            dir,
        };
        cluster.start_broker();
        cluster
    }

    pub fn broker_addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.broker_port))
    }

    /// Starts (or restarts) the broker; the first start binds port 0, later
    /// ones reuse the port so clients find it at the same address.
    pub fn start_broker(&mut self) {
        assert!(self.broker.is_none(), "broker already running");
        let mut conf = base_broker_conf(&self.dir.path().join("store"), self.broker_port, self.ha_port);
        conf.extend(self.broker_extra.clone());
        self.broker_starts += 1;
        let log = self.dir.path().join(format!("broker-{}.log", self.broker_starts));
        let (broker, port) = spawn_broker("mqbroker", self.dir.path(), &conf, &self.namesrv_addr, log);
        assert!(self.broker_port == 0 || self.broker_port == port, "broker moved to port {port}");
        self.broker_port = port;
        self.broker = Some(broker);
    }

    /// Graceful stop (SIGTERM); asserts it exited cleanly in time.
    pub fn stop_broker(&mut self) {
        let mut broker = self.broker.take().expect("broker running");
        let (status, graceful) = broker.terminate();
        assert!(graceful, "broker did not stop within {STOP_TIMEOUT:?}; log:\n{}", broker.log_tail(40));
        assert!(status.success(), "broker exited with {status}; log:\n{}", broker.log_tail(40));
    }

    /// kill -9.
    pub fn kill_broker(&mut self) {
        let mut broker = self.broker.take().expect("broker running");
        broker.kill9();
    }

    pub fn broker_mut(&mut self) -> &mut Proc {
        self.broker.as_mut().expect("broker running")
    }

    pub fn logs(&self) -> String {
        let mut out = format!("--- namesrv log tail ---\n{}\n", self.namesrv.log_tail(30));
        for i in 1..=self.broker_starts {
            let path = self.dir.path().join(format!("broker-{i}.log"));
            out.push_str(&format!("--- broker start #{i} log tail ---\n{}\n", tail(&path, 60)));
        }
        out
    }
}

/// What every cluster does when dropped: on a failing test (`logs` given
/// while panicking), print where its files are and the tail of its logs;
/// with `BOOSTER_E2E_KEEP`, keep the temp dir.
pub fn on_cluster_drop(dir: &mut TempDir, logs: Option<&str>) {
    if let Some(logs) = logs {
        eprintln!("e2e harness: test failed; temp dir {}\n{logs}", dir.path().display());
    }
    if std::env::var_os("BOOSTER_E2E_KEEP").is_some() {
        let path = std::mem::replace(dir, tempfile::tempdir().unwrap()).keep();
        eprintln!("e2e harness: kept {}", path.display());
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let logs = std::thread::panicking().then(|| self.logs());
        on_cluster_drop(&mut self.dir, logs.as_deref());
    }
}

// ---------------------------------------------------------------------------
// Client helpers
// ---------------------------------------------------------------------------

/// The client's runtime. Its default profile on a 2-CPU machine gives the
/// `metadata_io` blocking lane — where rocketmq-client-rust 1.0.0 runs every
/// MessageListener call — 4 threads and a queue of 16. A push consumer with
/// `consumeMessageBatchMaxSize = 1` submits one call per message (32 per
/// pull), the lane refuses the surplus (`runtime.capacity.exhausted`), and
/// the client treats each refusal as a failed consumption: ReconsumeLater →
/// CONSUMER_SEND_MSG_BACK (or, if that fails, a plain send to `%RETRY%group`
/// with delay level 3), so the message comes back only after ≥ 10 s through
/// the schedule service, with reconsumeTimes bumped although the listener
/// never saw it. A client-side capacity quirk, not a broker behaviour, so
/// the tests give the lane room: 16 threads, a queue of 4096.
static RUNTIME_OWNER: LazyLock<RuntimeOwner> = LazyLock::new(|| {
    let mut config = RuntimeConfig::for_parallelism("e2e-client", 2)
        .with_max_blocking_threads(48)
        .expect("blocking threads");
    config.blocking_lane_policies.metadata_io.max_concurrency = 16;
    config.blocking_lane_policies.metadata_io.max_queue_depth = 4096;
    RuntimeOwner::plan(config).expect("client runtime configuration").build().expect("client runtime owner")
});

/// A fresh client runtime (its own client-instance pool). Give producers and
/// consumers that must not share a client instance different runtimes.
pub fn client_runtime(scope: &str) -> Arc<ClientRuntime> {
    init_client_logging();
    ClientRuntime::try_new(
        RUNTIME_OWNER
            .root_context()
            .component(rocketmq_runtime::ScopeId::try_new(scope.to_owned()).expect("scope name")),
        ClientRuntimeConfig::default(),
        TelemetryHandle::noop(),
    )
    .expect("client runtime")
}

/// `BOOSTER_E2E_CLIENT_LOG=<filter>` prints the client crate's tracing
/// output (to the test's captured stderr).
pub fn init_client_logging() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        if let Ok(filter) = std::env::var("BOOSTER_E2E_CLIENT_LOG") {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
                .with_test_writer()
                .try_init();
        }
    });
}

static UNIQUE: AtomicUsize = AtomicUsize::new(0);

/// A unique resource name (topic / group) for this process.
pub fn unique(prefix: &str) -> String {
    let n = UNIQUE.fetch_add(1, Ordering::Relaxed);
    let ms = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() % 1_000_000;
    format!("{prefix}_{ms}_{n}")
}

/// Client config pointing at the cluster: 1 s offset persistence.
pub fn client_config(namesrv_addr: &str, instance: &str) -> ClientConfig {
    ClientConfig::builder()
        .namesrv_addr(namesrv_addr.to_owned())
        .instance_name(instance.to_owned())
        .persist_consumer_offset_interval(1_000)
        .build()
        .expect("client config")
}

pub async fn start_producer(namesrv_addr: &str, group: &str) -> DefaultMQProducer {
    let mut producer = DefaultMQProducer::builder(client_runtime(group))
        .client_config(client_config(namesrv_addr, group))
        .producer_group(group.to_owned())
        .send_msg_timeout(10_000)
        .build();
    producer.start().await.expect("producer start");
    producer
}

/// Creates `topic` with `queues` read/write queues through the client's
/// createTopic (UPDATE_AND_CREATE_TOPIC to every broker in TBW102's route)
/// and waits, bounded, until the name server routes it.
pub async fn create_topic(namesrv_addr: &str, topic: &str, queues: i32) {
    let mut producer = start_producer(namesrv_addr, &unique("create_topic")).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut last;
    loop {
        match producer.create_topic("TBW102", topic, queues, Default::default()).await {
            Ok(()) => match producer.fetch_publish_message_queues(topic).await {
                Ok(q) if q.len() == queues as usize => break,
                Ok(q) => last = format!("route has {} queues", q.len()),
                Err(e) => last = format!("route: {e}"),
            },
            Err(e) => last = format!("createTopic: {e}"),
        }
        assert!(Instant::now() < deadline, "topic {topic} not routable in 30 s: {last}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    producer.shutdown().await;
}

/// Polls `cond` every 100 ms until it holds or `timeout` passes.
pub async fn wait_until(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

// ---------------------------------------------------------------------------
// Keyed messages and a collecting push consumer
// ---------------------------------------------------------------------------

use std::collections::HashMap;
use std::sync::Mutex;

use rocketmq_client_rust::{
    ConsumeConcurrentlyContext, ConsumeConcurrentlyStatus, DefaultMQPushConsumer, MQPushConsumer, SendStatus,
};
use rocketmq_model::common::consumer::consume_from_where::ConsumeFromWhere;
use rocketmq_model::common::message::MessageTrait;
use rocketmq_model::common::message::message_ext::MessageExt;
use rocketmq_model::common::message::message_single::Message;

/// A message whose key is `key` and whose body is `body:<key>`.
pub fn keyed(topic: &str, tag: &str, key: &str) -> Message {
    Message::builder()
        .topic(topic)
        .tags(tag)
        .key(key)
        .body_slice(format!("body:{key}").as_bytes())
        .build_unchecked()
}

/// Sends `keys` (sync, `concurrency` senders), asserting SEND_OK for each.
pub async fn send_keys(producer: &Arc<DefaultMQProducer>, topic: &str, tag: &str, keys: Vec<String>) {
    let keys = Arc::new(keys);
    let mut tasks = Vec::new();
    for stripe in 0..8 {
        let (p, t, tag, keys) = (producer.clone(), topic.to_owned(), tag.to_owned(), keys.clone());
        tasks.push(tokio::spawn(async move {
            for key in keys.iter().skip(stripe).step_by(8) {
                let r = p.send(keyed(&t, &tag, key)).await;
                match r {
                    Ok(Some(r)) if r.send_status == SendStatus::SendOk => {}
                    other => panic!("send {key}: {other:?}"),
                }
            }
        }));
    }
    for t in tasks {
        t.await.expect("sender");
    }
}

/// Deliveries per key, as seen by a listener.
pub type Deliveries = Arc<Mutex<HashMap<String, Vec<MessageExt>>>>;

pub fn count_unique(d: &Deliveries) -> usize {
    d.lock().unwrap().len()
}

/// A started push consumer (CONSUME_FROM_FIRST_OFFSET) that records every
/// delivery by key and acknowledges it.
pub async fn start_collector(
    ns: &str,
    group: &str,
    topic: &str,
    expr: &str,
) -> (DefaultMQPushConsumer, Deliveries) {
    let deliveries: Deliveries = Arc::default();
    let mut consumer = DefaultMQPushConsumer::builder(client_runtime(group))
        .client_config(client_config(ns, group))
        .consumer_group(group.to_owned())
        .consume_from_where(ConsumeFromWhere::ConsumeFromFirstOffset)
        .consume_message_batch_max_size(8)
        .build();
    consumer.subscribe(topic, expr).await.expect("subscribe");
    let d = deliveries.clone();
    consumer.register_message_listener_concurrently(
        move |msgs: &[&MessageExt], _ctx: &ConsumeConcurrentlyContext| {
            let mut d = d.lock().unwrap();
            for m in msgs {
                let key = m.get_keys().map(|k| k.to_string()).unwrap_or_default();
                d.entry(key).or_default().push((*m).clone());
            }
            Ok(ConsumeConcurrentlyStatus::ConsumeSuccess)
        },
    );
    consumer.start().await.expect("consumer start");
    (consumer, deliveries)
}

/// Waits (bounded) until the name server routes `topic` with `queues` queues.
pub async fn wait_routable(ns: &str, topic: &str, queues: usize, timeout: Duration) {
    let mut producer = start_producer(ns, &unique("route_probe")).await;
    let deadline = Instant::now() + timeout;
    loop {
        match producer.fetch_publish_message_queues(topic).await {
            Ok(q) if q.len() == queues => break,
            other => assert!(Instant::now() < deadline, "{topic} not routable within {timeout:?}: {other:?}"),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    producer.shutdown().await;
}

/// A lite-pull consumer builder: CONSUME_FROM_FIRST_OFFSET, 1 s poll timeout
/// and 2 s broker-side long polling. The client's shutdown waits for its held
/// PULL to come back, which with the default suspend time (20 s) would make
/// every shutdown take that long.
pub fn lite_builder(ns: &str, group: &str) -> rocketmq_client_rust::DefaultLitePullConsumerBuilder {
    rocketmq_client_rust::DefaultLitePullConsumer::builder(client_runtime(group))
        .name_server_addr(ns.to_owned())
        .consumer_group(group.to_owned())
        .consume_from_where(ConsumeFromWhere::ConsumeFromFirstOffset)
        .poll_timeout_millis(1_000)
        .broker_suspend_max_time_millis(2_000)
}

/// A port the OS just handed out and released; reused quickly it is
/// practically never taken in between.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}
