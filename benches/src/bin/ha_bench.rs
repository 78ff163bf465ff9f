//! `ha_bench`: CommitLog replication through `booster-ha` over loopback
//! (real TCP, real stores, one process), against the raw disk measured in
//! the same run.
//!
//! For each slave count in `--slaves` (default `1,2`), in this order:
//!
//! 1. `raw` — sequential `write(2)` of `--bytes` in record-sized chunks to a
//!    preallocated file plus one `fdatasync`: **the reference** (ratio 1.00),
//!    measured right before the runs it is compared with, because on a
//!    shared VM the disk moves by 2x from minute to minute.
//! 2. `stream` — fresh master and slave stores; once every slave is in the
//!    SyncStateSet, `--concurrency` tasks append `--bytes` to the master at
//!    full speed (`MessageStore::append`, no waiting) while the slaves
//!    replicate. Replication MB/s = bytes / time until the last slave holds
//!    the master's last byte (in its page cache: a slave acks written, not
//!    fsynced, bytes). Slave lag = master max − slave max, sampled every
//!    millisecond from the first append until caught up. `durable s` adds
//!    the shutdown of every store (final flush).
//! 3. `catchup` — replication alone: a fresh master is filled with
//!    `--bytes` first (untimed), then empty slaves start and the clock runs
//!    until the last one holds everything.
//! 4. `allack` — fresh stores again; `--concurrency` tasks each put one
//!    message at a time with `allAckInSyncStateSet=true` (every put waits
//!    until every slave acked it), `--ack-bytes` in all. Put latencies.
//!
//! ```text
//! cargo run --release -p booster-benches --bin ha_bench -- \
//!     [--dir BASE] [--bytes 512M] [--ack-bytes 64M] [--size 1024] [--concurrency 16] \
//!     [--slaves 1,2] [--file-size 256M] [--batch 32K] [--index] [--no-verify] [--repeat 1] [--keep]
//! ```
//!
//! MB/s is 10^6 CommitLog bytes per second. `--repeat N` runs everything N
//! times and adds medians (ratios taken within each repetition). Every run
//! prints one
//! `BENCH ha_bench key=value ...` line. Stores live under `--dir` (default
//! `./target/bench-tmp`, not `/tmp`, which may be tmpfs); the index is off
//! unless `--index` (three 420 MB index files would be measured, not HA).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use booster_benches::common::args::parse_size;
use booster_benches::common::raw_disk::raw_write;
use booster_benches::common::resources::{cpu_secs, online_cores};
use booster_benches::common::tmpdir::{bench_tmpdir, finish};
use booster_conf::MessageStoreConfig;
use booster_ha::{HaConfig, HaPutStatus, HaService, ReplicationPolicy, StaticProposer};
use booster_store::record::{self, EncodeLimits};
use booster_store::{MessageStore, MessageToStore};
use bytes::Bytes;

const MASTER_ID: i64 = 1;
const EPOCH: i32 = 1;
/// Appends never wait, so a task yields this often to let the others (and
/// the HA writers on the same worker) run.
const YIELD_EVERY: u64 = 32;
const LIMIT: Duration = Duration::from_secs(120);

#[derive(Debug, Clone)]
struct Args {
    dir: PathBuf,
    bytes: u64,
    ack_bytes: u64,
    size: usize,
    concurrency: usize,
    slaves: Vec<usize>,
    file_size: u64,
    batch: usize,
    index: bool,
    verify: bool,
    repeat: usize,
    keep: bool,
}

fn usage() -> ! {
    eprintln!(
        "usage: ha_bench [--dir BASE] [--bytes 512M] [--ack-bytes 64M] [--size 1024] [--concurrency 16]\n\
         \x20               [--slaves 1,2] [--file-size 256M] [--batch 32K] [--index] [--no-verify]\n\
         \x20               [--repeat 1] [--keep]"
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut a = Args {
        dir: PathBuf::from("target/bench-tmp"),
        bytes: 512 << 20,
        ack_bytes: 64 << 20,
        size: 1024,
        concurrency: 16,
        slaves: vec![1, 2],
        file_size: 256 << 20,
        batch: 32 << 10,
        index: false,
        verify: true,
        repeat: 1,
        keep: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| usage());
        let size = |v: String| parse_size(&v).unwrap_or_else(|| usage());
        match flag.as_str() {
            "--dir" => a.dir = PathBuf::from(value()),
            "--bytes" => a.bytes = size(value()),
            "--ack-bytes" => a.ack_bytes = size(value()),
            "--size" => a.size = size(value()) as usize,
            "--concurrency" => a.concurrency = value().parse().unwrap_or_else(|_| usage()),
            "--slaves" => {
                a.slaves = value().split(',').map(|v| v.trim().parse().unwrap_or_else(|_| usage())).collect();
            }
            "--file-size" => a.file_size = size(value()),
            "--batch" => a.batch = size(value()) as usize,
            "--index" => a.index = true,
            "--no-verify" => a.verify = false,
            "--repeat" => a.repeat = value().parse().unwrap_or_else(|_| usage()),
            "--keep" => a.keep = true,
            _ => usage(),
        }
    }
    let bad_slaves = a.slaves.is_empty() || a.slaves.iter().any(|&k| k == 0 || k > 8);
    if a.repeat == 0 || a.concurrency == 0 || a.bytes == 0 || a.ack_bytes == 0 || a.batch == 0 || bad_slaves {
        usage();
    }
    a
}

// ---------------------------------------------------------------- messages

fn message(body: &Bytes, i: u64) -> MessageToStore {
    let uniq = format!("{:016X}{:016X}", 0x7F00_0001_0000_BEEF_u64, i);
    MessageToStore {
        topic: "HaBenchTopic".to_owned(),
        queue_id: (i % 16) as i32,
        flag: 0,
        body: body.clone(),
        properties: record::encode_properties([("TAGS", "TagA"), ("UNIQ_KEY", uniq.as_str())]),
        sys_flag: 0,
        born_timestamp: 1_700_000_000_000,
        born_host: ([127, 0, 0, 1], 40000).into(),
        store_host: ([127, 0, 0, 1], 10911).into(),
        reconsume_times: 0,
        prepared_transaction_offset: 0,
    }
}

fn record_len(body: &Bytes) -> usize {
    let c = MessageStoreConfig::default();
    let limits = EncodeLimits {
        max_message_size: c.max_message_size as usize,
        auto_message_version_on_topic_len: c.auto_message_version_on_topic_len,
    };
    record::encode(&message(body, 0), limits).expect("bench message encodes").len()
}

// ---------------------------------------------------------------- raw disk

/// The reference: `n` record-sized writes to a preallocated file, one
/// `fdatasync`. Returns seconds.
fn raw_secs(dir: &Path, record_len: usize, n: u64) -> f64 {
    raw_write(&dir.join("raw"), record_len, n, None, Instant::now, |t0| t0.elapsed().as_secs_f64())
}

// ---------------------------------------------------------------- cluster

/// A master and its slaves, each a store and an HA service.
struct Cluster {
    nodes: Vec<(Arc<MessageStore>, HaService)>,
    root: PathBuf,
    config: HaConfig,
    store: MessageStoreConfig,
}

impl Cluster {
    /// A master and `slaves` slaves, every slave in the SyncStateSet.
    async fn start(root: &Path, args: &Args, slaves: usize, policy: ReplicationPolicy) -> Cluster {
        let mut cluster = Self::master(root, args, policy).await;
        cluster.add_slaves(slaves).await;
        cluster.wait_joined().await;
        cluster
    }

    async fn master(root: &Path, args: &Args, policy: ReplicationPolicy) -> Cluster {
        let config = HaConfig {
            listen_addr: "127.0.0.1:0".into(),
            transfer_batch_size: args.batch.min(booster_ha::frame::MAX_TRANSFER_BODY),
            policy,
            ..HaConfig::default()
        };
        let store = MessageStoreConfig {
            mapped_file_size_commit_log: args.file_size,
            message_index_enable: args.index,
            ..MessageStoreConfig::default()
        };
        let mut cluster = Cluster { nodes: Vec::new(), root: root.to_owned(), config, store };
        cluster.add_node().await.become_master(EPOCH).await.expect("becomes master");
        cluster
    }

    async fn add_node(&mut self) -> &HaService {
        let i = self.nodes.len();
        let config = MessageStoreConfig {
            store_path_root_dir: self.root.join(format!("node{i}")),
            ..self.store.clone()
        };
        let store = MessageStore::open(config).expect("store opens");
        let id = MASTER_ID + i as i64;
        let ha = HaService::start(Arc::clone(&store), self.config.clone(), id, Arc::new(StaticProposer))
            .await
            .expect("HA starts");
        self.nodes.push((store, ha));
        &self.nodes[i].1
    }

    async fn add_slaves(&mut self, slaves: usize) {
        let master = self.nodes[0].1.local_addr().to_string();
        for _ in 0..slaves {
            let ha = self.add_node().await;
            ha.become_slave(Some(master.clone()), EPOCH).await.expect("becomes slave");
        }
    }

    /// Steady state: every slave connected, caught up and in the set.
    async fn wait_joined(&self) {
        let t0 = Instant::now();
        while self.nodes[0].1.sync_state().map_or(0, |v| v.local.len()) < self.nodes.len() {
            assert!(t0.elapsed() < LIMIT, "slaves never joined the SyncStateSet");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    fn master_node(&self) -> &(Arc<MessageStore>, HaService) {
        &self.nodes[0]
    }

    fn slave_maxes(&self) -> impl Iterator<Item = i64> + '_ {
        self.nodes[1..].iter().map(|(s, _)| s.max_phy_offset())
    }

    /// Every slave's CommitLog equals the master's, byte for byte.
    fn verify(&self) {
        let master = self.master_node().0.commit_log();
        let end = master.max_offset();
        for (i, (s, _)) in self.nodes[1..].iter().enumerate() {
            let (slave, mut at) = (s.commit_log(), master.min_offset());
            assert_eq!(slave.max_offset(), end, "slave {} holds everything", i + 1);
            while at < end {
                let want = master.read_chunk(at, 4 << 20).expect("master bytes");
                let got = slave.read_chunk(at, want.len()).expect("slave bytes");
                assert!(want == got, "slave {} differs from the master near offset {at}", i + 1);
                at += want.len() as i64;
            }
        }
    }

    /// Shuts every node down (final flushes included).
    async fn shutdown(self) {
        for (store, ha) in self.nodes {
            ha.shutdown().await;
            drop(ha);
            tokio::task::spawn_blocking(move || store.shutdown().expect("store shutdown"))
                .await
                .expect("shutdown task");
        }
    }
}

// ---------------------------------------------------------------- runs

#[derive(Debug, Default)]
struct Run {
    name: &'static str,
    rep: usize,
    slaves: usize,
    msgs: u64,
    bytes: u64,
    /// stream: until every slave caught up; allack: until the last put.
    secs: f64,
    append_secs: f64,
    durable_secs: f64,
    raw_secs: f64,
    lag_max: i64,
    lag_avg: f64,
    lat_ns: Vec<u64>,
    slave_timeouts: u64,
    cpu: f64,
}

impl Run {
    fn mb_s(&self) -> f64 {
        self.bytes as f64 / self.secs / 1e6
    }

    fn raw_mb_s(&self) -> f64 {
        self.bytes as f64 / self.raw_secs / 1e6
    }

    fn ratio(&self) -> f64 {
        self.mb_s() / self.raw_mb_s()
    }

    fn pct(&self, q: f64) -> Option<f64> {
        let len = self.lat_ns.len();
        let rank = ((q * len as f64).ceil() as usize).clamp(1, len.max(1));
        self.lat_ns.get(rank - 1).map(|ns| *ns as f64 / 1e3)
    }

    fn pct_us(&self, q: f64) -> String {
        opt(self.pct(q))
    }
}

async fn stream_run(root: &Path, args: &Args, slaves: usize, body: &Bytes, n: u64, rec: usize) -> Run {
    let cluster = Cluster::start(root, args, slaves, ReplicationPolicy::default()).await;
    let store = Arc::clone(&cluster.master_node().0);
    let cluster = Arc::new(cluster);
    // The lag sampler: its own thread, so it samples while the workers are busy.
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (cluster, stop) = (Arc::clone(&cluster), Arc::clone(&stop));
        std::thread::spawn(move || {
            let (mut max, mut sum, mut samples) = (0i64, 0f64, 0u64);
            while !stop.load(Ordering::Relaxed) {
                let m = cluster.master_node().0.max_phy_offset();
                for lag in cluster.slave_maxes().map(|s| (m - s).max(0)) {
                    max = max.max(lag);
                    sum += lag as f64;
                    samples += 1;
                }
                std::thread::sleep(Duration::from_millis(1));
            }
            (max, sum / samples.max(1) as f64)
        })
    };
    let (cpu0, t0, next) = (cpu_secs(), Instant::now(), Arc::new(AtomicU64::new(0)));
    let tasks: Vec<_> = (0..args.concurrency)
        .map(|_| {
            let (store, next, body) = (Arc::clone(&store), Arc::clone(&next), body.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    store.append(&[message(&body, i)]).expect("append");
                    if i % YIELD_EVERY == 0 {
                        tokio::task::yield_now().await;
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("appender");
    }
    let append_secs = t0.elapsed().as_secs_f64();
    let end = store.max_phy_offset();
    while cluster.slave_maxes().any(|s| s < end) {
        assert!(t0.elapsed() < LIMIT, "slaves did not catch up");
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
    let secs = t0.elapsed().as_secs_f64();
    let cpu = cpu_secs() - cpu0;
    stop.store(true, Ordering::Relaxed);
    let (lag_max, lag_avg) = sampler.join().expect("sampler");
    let cluster = Arc::into_inner(cluster).expect("sampler gone");
    if args.verify {
        cluster.verify();
    }
    let t_shutdown = Instant::now();
    cluster.shutdown().await;
    let durable_secs = secs + t_shutdown.elapsed().as_secs_f64();
    let bytes = n * rec as u64;
    Run {
        name: "stream",
        slaves,
        msgs: n,
        bytes,
        secs,
        append_secs,
        durable_secs,
        lag_max,
        lag_avg,
        cpu,
        ..Run::default()
    }
}

/// Replication alone: the master is filled first (untimed), then the
/// slaves start empty and the clock runs until the last one holds it all.
async fn catchup_run(root: &Path, args: &Args, slaves: usize, body: &Bytes, n: u64, rec: usize) -> Run {
    let mut cluster = Cluster::master(root, args, ReplicationPolicy::default()).await;
    let store = Arc::clone(&cluster.master_node().0);
    for i in 0..n {
        store.append(&[message(body, i)]).expect("append");
    }
    let end = store.max_phy_offset();
    let (cpu0, t0) = (cpu_secs(), Instant::now());
    cluster.add_slaves(slaves).await;
    while cluster.slave_maxes().any(|s| s < end) {
        assert!(t0.elapsed() < LIMIT, "slaves did not catch up");
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
    let secs = t0.elapsed().as_secs_f64();
    let cpu = cpu_secs() - cpu0;
    if args.verify {
        cluster.verify();
    }
    let t_shutdown = Instant::now();
    cluster.shutdown().await;
    let durable_secs = secs + t_shutdown.elapsed().as_secs_f64();
    Run { name: "catchup", slaves, msgs: n, bytes: n * rec as u64, secs, durable_secs, cpu, ..Run::default() }
}

async fn allack_run(root: &Path, args: &Args, slaves: usize, body: &Bytes, n: u64, rec: usize) -> Run {
    let policy = ReplicationPolicy { all_ack: true, ..ReplicationPolicy::default() };
    let cluster = Arc::new(Cluster::start(root, args, slaves, policy).await);
    let (cpu0, t0, next) = (cpu_secs(), Instant::now(), Arc::new(AtomicU64::new(0)));
    let tasks: Vec<_> = (0..args.concurrency)
        .map(|_| {
            let (cluster, next, body) = (Arc::clone(&cluster), Arc::clone(&next), body.clone());
            tokio::spawn(async move {
                let (mut lat, mut timeouts) = (Vec::new(), 0u64);
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    let start = Instant::now();
                    let r = cluster.master_node().1.put(&[message(&body, i)], true).await.expect("put");
                    lat.push(start.elapsed().as_nanos() as u64);
                    timeouts += u64::from(r.status == HaPutStatus::FlushSlaveTimeout);
                }
                (lat, timeouts)
            })
        })
        .collect();
    let mut run = Run { name: "allack", slaves, msgs: n, bytes: n * rec as u64, ..Run::default() };
    for t in tasks {
        let (lat, timeouts) = t.await.expect("putter");
        run.lat_ns.extend(lat);
        run.slave_timeouts += timeouts;
    }
    run.secs = t0.elapsed().as_secs_f64();
    run.append_secs = run.secs;
    run.cpu = cpu_secs() - cpu0;
    run.lat_ns.sort_unstable();
    let cluster = Arc::into_inner(cluster).expect("putters gone");
    if args.verify {
        cluster.verify();
    }
    let t_shutdown = Instant::now();
    cluster.shutdown().await;
    run.durable_secs = run.secs + t_shutdown.elapsed().as_secs_f64();
    run
}

// ---------------------------------------------------------------- output

fn mib(bytes: f64) -> f64 {
    bytes / (1u64 << 20) as f64
}

fn opt(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_owned(), |v| format!("{v:.0}"))
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    match v.len() {
        0 => None,
        n if n % 2 == 1 => Some(v[m]),
        _ => Some((v[m - 1] + v[m]) / 2.0),
    }
}

/// Stream lag in MiB; "-" for the other runs.
fn lag(name: &str, bytes: Option<f64>) -> String {
    match (name, bytes) {
        ("stream", Some(b)) => format!("{:.1}MiB", mib(b)),
        _ => "-".into(),
    }
}

fn print(runs: &[Run], args: &Args) {
    println!();
    println!(
        "{:<8} {:>2} {:>6} {:>5} {:>8} {:>7} {:>8} {:>6} {:>8} {:>9} {:>9} {:>7} {:>7} {:>7} {:>5}",
        "run",
        "#",
        "slaves",
        "MiB",
        "msgs/s",
        "MB/s",
        "raw MB/s",
        "vs REF",
        "durable",
        "lag max",
        "lag avg",
        "p50 us",
        "p99 us",
        "p999 us",
        "cpu%"
    );
    println!("{}", "-".repeat(124));
    for r in runs {
        println!(
            "{:<8} {:>2} {:>6} {:>5.0} {:>8.0} {:>7.1} {:>8.1} {:>6.2} {:>7.2}s {:>9} {:>9} {:>7} {:>7} {:>7} {:>4.0}%",
            r.name,
            r.rep + 1,
            r.slaves,
            mib(r.bytes as f64),
            r.msgs as f64 / r.secs,
            r.mb_s(),
            r.raw_mb_s(),
            r.ratio(),
            r.durable_secs,
            lag(r.name, Some(r.lag_max as f64)),
            lag(r.name, Some(r.lag_avg)),
            r.pct_us(0.5),
            r.pct_us(0.99),
            r.pct_us(0.999),
            r.cpu / r.secs * 100.0,
        );
    }
    println!("  stream/catchup MB/s = bytes / time until every slave held the last byte (per slave;");
    println!("  the machine moved slaves x that). REF = raw write + fdatasync of the same bytes, measured");
    println!("  just before. durable = until every store was shut down (final flush). lag = master");
    println!("  max - slave max, sampled each ms. p* = allAck put latency. cpu% of one core.");
    for r in runs.iter().filter(|r| r.slave_timeouts > 0) {
        println!("  WARNING allack slaves={}: {} puts ended FLUSH_SLAVE_TIMEOUT", r.slaves, r.slave_timeouts);
    }
    if args.repeat > 1 {
        print_medians(runs, args.repeat);
    }
    println!();
    for r in runs {
        println!(
            "BENCH ha_bench run={} rep={} slaves={} bytes={} msgs={} secs={:.4} mb_s={:.2} raw_mb_s={:.2} \
             ratio_ref={:.3} append_s={:.4} durable_s={:.4} lag_max_bytes={} lag_avg_bytes={:.0} p50_us={} \
             p99_us={} p999_us={} slave_timeouts={} cpu_s={:.3} concurrency={} size={} batch={} file_size={} \
             index={}",
            r.name,
            r.rep,
            r.slaves,
            r.bytes,
            r.msgs,
            r.secs,
            r.mb_s(),
            r.raw_mb_s(),
            r.ratio(),
            r.append_secs,
            r.durable_secs,
            r.lag_max,
            r.lag_avg,
            r.pct_us(0.5),
            r.pct_us(0.99),
            r.pct_us(0.999),
            r.slave_timeouts,
            r.cpu,
            args.concurrency,
            args.size,
            args.batch,
            args.file_size,
            args.index,
        );
    }
}

fn print_medians(runs: &[Run], repeat: usize) {
    println!();
    println!("median of {repeat} repetitions (ratios taken within each repetition):");
    println!(
        "{:<8} {:>6} {:>7} {:>6} {:>9} {:>9} {:>7} {:>7}",
        "run", "slaves", "MB/s", "vs REF", "lag max", "lag avg", "p50 us", "p99 us"
    );
    let mut keys: Vec<(&str, usize)> = Vec::new();
    for r in runs {
        if !keys.contains(&(r.name, r.slaves)) {
            keys.push((r.name, r.slaves));
        }
    }
    for (name, slaves) in keys {
        let group: Vec<&Run> = runs.iter().filter(|r| r.name == name && r.slaves == slaves).collect();
        let med = |f: &dyn Fn(&Run) -> Option<f64>| median(group.iter().filter_map(|r| f(r)).collect());
        println!(
            "{:<8} {:>6} {:>7.1} {:>6.2} {:>9} {:>9} {:>7} {:>7}",
            name,
            slaves,
            med(&|r| Some(r.mb_s())).unwrap_or(0.0),
            med(&|r| Some(r.ratio())).unwrap_or(0.0),
            lag(name, med(&|r| Some(r.lag_max as f64))),
            lag(name, med(&|r| Some(r.lag_avg))),
            opt(med(&|r| r.pct(0.5))),
            opt(med(&|r| r.pct(0.99))),
        );
    }
}

fn main() {
    let args = parse_args();
    let tmp = bench_tmpdir(&args.dir, "ha_bench-");
    let dir = tmp.path().to_owned();
    let body = Bytes::from((0..args.size).map(|i| b'a' + (i % 26) as u8).collect::<Vec<u8>>());
    let rec = record_len(&body);
    let (n, n_ack) = ((args.bytes / rec as u64).max(1), (args.ack_bytes / rec as u64).max(1));
    let cores = online_cores();
    println!(
        "ha_bench: dir={} cores={cores} record={rec} B (body {} B) stream={n} msgs ({:.0} MiB) allack={n_ack} msgs \
         ({:.0} MiB) concurrency={} batch={} file_size={} MiB index={}",
        dir.display(),
        args.size,
        mib((n * rec as u64) as f64),
        mib((n_ack * rec as u64) as f64),
        args.concurrency,
        args.batch,
        args.file_size >> 20,
        args.index,
    );
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let mut runs = Vec::new();
    for rep in 0..args.repeat {
        for (k, &slaves) in args.slaves.iter().enumerate() {
            let root = |name: &str| dir.join(format!("{name}-{rep}-{k}"));
            eprint!("[{}/{}, slaves={slaves}] raw ... ", rep + 1, args.repeat);
            let raw = raw_secs(&dir, rec, n);
            eprint!("{:.2}s; stream ... ", raw);
            let mut s = rt.block_on(stream_run(&root("stream"), &args, slaves, &body, n, rec));
            eprint!("{:.2}s; catchup ... ", s.secs);
            let mut c = rt.block_on(catchup_run(&root("catchup"), &args, slaves, &body, n, rec));
            eprint!("{:.2}s; allack ... ", c.secs);
            let mut a = rt.block_on(allack_run(&root("allack"), &args, slaves, &body, n_ack, rec));
            eprintln!("{:.2}s", a.secs);
            let _ = std::io::stderr().flush();
            (s.raw_secs, c.raw_secs, a.raw_secs) = (raw, raw, raw * n_ack as f64 / n as f64);
            (s.rep, c.rep, a.rep) = (rep, rep, rep);
            runs.extend([s, c, a]);
            if !args.keep {
                for name in ["stream", "catchup", "allack"] {
                    fs::remove_dir_all(root(name)).expect("remove stores");
                }
            }
        }
    }
    print(&runs, &args);
    finish(tmp, args.keep);
}
