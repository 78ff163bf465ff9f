//! `producer_bench`: producer / consumer load against a broker over Booster's
//! own remoting client, next to the machine's loopback limit measured in the
//! same run (like RocketMQ's `benchmark/producer.sh` and `consumer.sh`).
//!
//! Runs, in this order:
//!
//! 1. `loopback` — **the reference**: a raw TCP echo on 127.0.0.1 of
//!    frames of exactly the send request's size, both ways, at the same
//!    concurrency (`--threads` tasks, one connection each, one frame in
//!    flight per task), for `--loopback` (default 5 s). Nothing is parsed:
//!    this is what the loopback device, the kernel and tokio cost for that
//!    traffic shape. In `--mode consume` the echo answers each request-sized
//!    frame with a frame of one full pull response instead (`--pull-batch`
//!    records). It runs again after the load (`loopback_after`); the better
//!    of the two is the limit (`vs loop` = 1.00), and their spread shows how
//!    much the machine itself moved during the run.
//! 2. `preload` — only `--mode consume` with `--standalone`: sends for
//!    `--preload` so there is a backlog to read.
//! 3. the run itself, after `--warmup` (not counted):
//!    * `produce`: `--threads` tokio tasks, each sending one sync
//!      SEND_MESSAGE_V2 (JSON header, properties `UNIQ_KEY` + `WAIT`, as the
//!      Java producer sends) and awaiting its response before the next;
//!      queues round-robin over the route's write queues. The tasks share
//!      `--connections` connections (default 1, as one Java producer
//!      instance multiplexes everything on one connection per broker).
//!    * `consume`: `--threads` pull loops (`--consumers` in `both`), the
//!      route's read queues split between them; PULL_MESSAGE with
//!      subscription `*`, `--pull-batch` messages per pull. A loop owning one
//!      queue long-polls (SUSPEND, 1 s); a loop owning several cycles them
//!      and sleeps 1–16 ms after a round that found nothing. Consume-only
//!      runs end early once every queue is drained.
//!    * `both`: the two at once; each message body starts with its send
//!      time (µs since the epoch), so pulls also report end-to-end latency.
//!
//! Target: `--namesrv host:port` (route by GET_ROUTEINFO_BY_TOPIC),
//! `--broker host:port` (direct; `--queues` queues assumed, created with
//! UPDATE_AND_CREATE_TOPIC when `--create-topic`), or `--standalone`: a name
//! server and a broker in this process on free loopback ports, files in a
//! fresh directory under `--dir` (default `./target/bench-tmp`, removed at
//! the end unless `--keep`), default store config (`--flush async|sync`,
//! 1 GiB CommitLog files, index on; `--set key=value` adds broker.conf
//! lines). The standalone servers and the echo server run on their own
//! tokio runtime ("srv-worker" threads) and the load on another
//! ("cli-worker"), as two processes would; both have one worker per core
//! unless `--server-workers` / `--client-workers`.
//!
//! Usage:
//!
//! ```text
//! cargo run --release -p booster-benches --bin producer_bench -- --standalone \
//!     [--mode produce|consume|both] [--threads 16] [--size 1024] [--duration 20s] [--warmup 3s] \
//!     [--flush async|sync] [--topic BenchTopic] [--queues 8] [--connections 1] [--consumers N] \
//!     [--pull-batch 32] [--loopback 5s] [--timeout 3s] [--preload D] [--dir BASE] [--keep] [--set k=v]...
//! cargo run --release -p booster-benches --bin producer_bench -- --namesrv 127.0.0.1:9876 --topic T ...
//! ```
//!
//! Output: a table (msgs/s; MB/s = 10^6 message-body bytes/s — for the echo
//! the frame bytes/s one way; `vs loop` = msgs/s over the echo's round
//! trips/s; latency percentiles of successful requests from a log-bucket
//! histogram with ≤ 1.6 % relative error, max exact), failures grouped by
//! response code (client-side timeouts as −1006 RPC_TIME_OUT, broken
//! connections as −1004 RPC_SEND_TO_CHANNEL_FAILED), the CPU this process
//! used per thread group, and one `BENCH producer_bench run=... key=value`
//! line per run.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use booster_broker::BrokerHandle;
use booster_conf::{BrokerStartupConfig, FlushDiskType, MessageStoreConfig, NamesrvConfig};
use booster_model::TopicRouteData;
use booster_namesrv::NamesrvHandle;
use booster_remoting::header::CommandHeader;
use booster_remoting::headers::broker::{
    CreateTopicRequestHeader, GetMaxOffsetRequestHeader, OffsetResponseHeader, PullMessageRequestHeader,
    PullMessageResponseHeader, SendMessageRequestHeaderV2, pull_sys_flag,
};
use booster_remoting::headers::namesrv::GetRouteInfoRequestHeader;
use booster_remoting::{
    Connection, ConnectionError, RemotingClient, RemotingCommand, ResponseCode, SerializeType, codec, request,
};
use booster_store::record::{self, EncodeLimits, MessageToStore, RecordCheck};
use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const PRODUCER_GROUP: &str = "benchmark_producer";
const CONSUMER_GROUP: &str = "benchmark_consumer";
const STANDALONE_CLUSTER: &str = "BenchCluster";
const STANDALONE_BROKER: &str = "broker-bench";
const PERM_READ: i32 = 4;
const PERM_WRITE: i32 = 2;
/// Client-local codes (RocketMQ's RemotingSysResponseCode / RPC codes).
const RPC_SEND_TO_CHANNEL_FAILED: i32 = -1004;
const RPC_TIME_OUT: i32 = -1006;
/// Long-poll hold of a pull loop that owns a single queue.
const SUSPEND_MS: i64 = 1000;

// ---------------------------------------------------------------- arguments

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Produce,
    Consume,
    Both,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Produce => "produce",
            Mode::Consume => "consume",
            Mode::Both => "both",
        }
    }
}

#[derive(Debug, Clone)]
struct Args {
    namesrv: Option<String>,
    broker: Option<String>,
    standalone: bool,
    topic: String,
    threads: usize,
    consumers: Option<usize>,
    connections: usize,
    size: usize,
    duration: Duration,
    warmup: Duration,
    mode: Mode,
    flush: FlushDiskType,
    queues: i32,
    create_topic: bool,
    pull_batch: i32,
    loopback: Duration,
    timeout: Duration,
    preload: Option<Duration>,
    dir: PathBuf,
    keep: bool,
    settings: Vec<String>,
    serialize: SerializeType,
    server_workers: Option<usize>,
    client_workers: Option<usize>,
}

fn usage() -> ! {
    eprintln!(
        "usage: producer_bench (--standalone [--flush async|sync] [--dir BASE] [--keep] [--set k=v]... \n\
         \x20                      | --namesrv host:port | --broker host:port [--create-topic])\n\
         \x20                     [--mode produce|consume|both] [--topic T] [--queues 8] [--threads 16]\n\
         \x20                     [--consumers N] [--connections 1] [--size 1024] [--duration 20s] [--warmup 3s]\n\
         \x20                     [--pull-batch 32] [--loopback 5s|0] [--timeout 3s] [--preload D]\n\
         \x20                     [--serialize json|rocketmq] [--server-workers N] [--client-workers N]"
    );
    std::process::exit(2)
}

fn parse_size(s: &str) -> Option<u64> {
    let lower = s.trim().to_ascii_lowercase();
    let digits = lower.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let mult = match &lower[digits.len()..] {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => return None,
    };
    digits.parse::<u64>().ok()?.checked_mul(mult)
}

/// `20s`, `1.5s`, `500ms`, `2m`; a bare number is seconds.
fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim().to_ascii_lowercase();
    let digits = s.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let value: f64 = digits.parse().ok()?;
    let secs = match &s[digits.len()..] {
        "" | "s" => value,
        "ms" => value / 1e3,
        "m" | "min" => value * 60.0,
        _ => return None,
    };
    (secs >= 0.0 && secs.is_finite()).then(|| Duration::from_secs_f64(secs))
}

fn parse_args_from(argv: impl IntoIterator<Item = String>) -> Args {
    let mut a = Args {
        namesrv: None,
        broker: None,
        standalone: false,
        topic: "BenchTopic".into(),
        threads: 16,
        consumers: None,
        connections: 1,
        size: 1024,
        duration: Duration::from_secs(20),
        warmup: Duration::from_secs(3),
        mode: Mode::Produce,
        flush: FlushDiskType::AsyncFlush,
        queues: 8,
        create_topic: false,
        pull_batch: 32,
        loopback: Duration::from_secs(5),
        timeout: Duration::from_secs(3),
        preload: None,
        dir: PathBuf::from("target/bench-tmp"),
        keep: false,
        settings: Vec::new(),
        serialize: SerializeType::Json,
        server_workers: None,
        client_workers: None,
    };
    let mut it = argv.into_iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| usage());
        let dur = |v: String| parse_duration(&v).unwrap_or_else(|| usage());
        let num = |v: String| v.parse::<usize>().unwrap_or_else(|_| usage());
        match flag.as_str() {
            "--namesrv" | "-n" => a.namesrv = Some(value()),
            "--broker" | "-b" => a.broker = Some(value()),
            "--standalone" => a.standalone = true,
            "--topic" | "-t" => a.topic = value(),
            "--threads" | "-w" => a.threads = num(value()),
            "--consumers" => a.consumers = Some(num(value())),
            "--connections" => a.connections = num(value()),
            "--size" | "-s" => a.size = parse_size(&value()).unwrap_or_else(|| usage()) as usize,
            "--duration" | "-d" => a.duration = dur(value()),
            "--warmup" => a.warmup = dur(value()),
            "--mode" => {
                a.mode = match value().as_str() {
                    "produce" => Mode::Produce,
                    "consume" => Mode::Consume,
                    "both" => Mode::Both,
                    _ => usage(),
                }
            }
            "--flush" => {
                a.flush = match value().to_ascii_lowercase().as_str() {
                    "async" | "async_flush" => FlushDiskType::AsyncFlush,
                    "sync" | "sync_flush" => FlushDiskType::SyncFlush,
                    _ => usage(),
                }
            }
            "--queues" => a.queues = num(value()) as i32,
            "--create-topic" => a.create_topic = true,
            "--pull-batch" => a.pull_batch = num(value()) as i32,
            "--loopback" => a.loopback = dur(value()),
            "--timeout" => a.timeout = dur(value()),
            "--preload" => a.preload = Some(dur(value())),
            "--dir" => a.dir = PathBuf::from(value()),
            "--keep" => a.keep = true,
            "--set" => a.settings.push(value()),
            "--serialize" => {
                a.serialize = match value().to_ascii_lowercase().as_str() {
                    "json" => SerializeType::Json,
                    "rocketmq" | "binary" => SerializeType::RocketMq,
                    _ => usage(),
                }
            }
            "--server-workers" => a.server_workers = Some(num(value())),
            "--client-workers" => a.client_workers = Some(num(value())),
            _ => usage(),
        }
    }
    let targets =
        usize::from(a.standalone) + usize::from(a.namesrv.is_some()) + usize::from(a.broker.is_some());
    if targets != 1 {
        eprintln!("producer_bench: give exactly one of --standalone, --namesrv, --broker");
        usage();
    }
    if a.threads == 0 || a.connections == 0 || a.queues <= 0 || a.pull_batch <= 0 || a.consumers == Some(0) {
        usage();
    }
    a
}

// ---------------------------------------------------------------- histogram

/// A log-bucket latency histogram (HdrHistogram's layout with 2^6 linear
/// sub-buckets per power of two): values below 64 are exact, larger ones
/// land in buckets 1/64 of their magnitude wide, so a percentile is within
/// 1.6 % of the truth. Values are nanoseconds.
#[derive(Debug, Clone)]
struct Histogram {
    counts: Vec<u64>,
    total: u64,
    max: u64,
    sum: u128,
}

const SUB_BITS: u32 = 6;
const SUB: u64 = 1 << SUB_BITS;

impl Histogram {
    fn new() -> Self {
        Self { counts: vec![0; ((64 - SUB_BITS as usize) + 1) * SUB as usize], total: 0, max: 0, sum: 0 }
    }

    fn index(v: u64) -> usize {
        if v < SUB {
            return v as usize;
        }
        let e = 63 - v.leading_zeros(); // ≥ SUB_BITS
        let sub = (v >> (e - SUB_BITS)) & (SUB - 1);
        ((e - SUB_BITS + 1) as usize) * SUB as usize + sub as usize
    }

    /// The highest value that lands in bucket `i`.
    fn bucket_high(i: usize) -> u64 {
        if (i as u64) < SUB {
            return i as u64;
        }
        let e = (i as u64 / SUB) as u32 + SUB_BITS - 1;
        let sub = i as u64 % SUB;
        let width = 1u64 << (e - SUB_BITS);
        ((SUB + sub) << (e - SUB_BITS)).saturating_add(width - 1)
    }

    fn record(&mut self, v: u64) {
        self.counts[Self::index(v)] += 1;
        self.total += 1;
        self.max = self.max.max(v);
        self.sum += u128::from(v);
    }

    fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.total += other.total;
        self.max = self.max.max(other.max);
        self.sum += other.sum;
    }

    /// Value at quantile `q` (0..=1), as the bucket's highest value capped
    /// by the true maximum; `None` when empty.
    fn quantile(&self, q: f64) -> Option<u64> {
        if self.total == 0 {
            return None;
        }
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0;
        for (i, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Some(Self::bucket_high(i).min(self.max));
            }
        }
        Some(self.max)
    }

    fn quantile_us(&self, q: f64) -> Option<f64> {
        self.quantile(q).map(|ns| ns as f64 / 1e3)
    }

    fn mean_us(&self) -> Option<f64> {
        (self.total > 0).then(|| self.sum as f64 / self.total as f64 / 1e3)
    }
}

// ---------------------------------------------------------------- resources

/// Process-wide counters from getrusage(RUSAGE_SELF).
#[derive(Debug, Clone, Copy, Default)]
struct Usage {
    user: f64,
    sys: f64,
    nvcsw: i64,
    nivcsw: i64,
}

impl Usage {
    fn now() -> Self {
        // SAFETY: getrusage writes a plain struct we own.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
        let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
        Self { user: secs(ru.ru_utime), sys: secs(ru.ru_stime), nvcsw: ru.ru_nvcsw, nivcsw: ru.ru_nivcsw }
    }

    fn since(self, before: Self) -> Self {
        Self {
            user: self.user - before.user,
            sys: self.sys - before.sys,
            nvcsw: self.nvcsw - before.nvcsw,
            nivcsw: self.nivcsw - before.nivcsw,
        }
    }
}

/// Busy jiffies of the whole machine and the part of them spent in
/// (soft)interrupts (first line of /proc/stat). Loopback TCP does much of its
/// receive work in softirq context, which getrusage does not charge to the
/// process, so that part is reported apart from "others".
fn machine_busy_jiffies() -> (u64, u64) {
    let stat = fs::read_to_string("/proc/stat").unwrap_or_default();
    let f: Vec<u64> = stat
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    let at = |i: usize| f.get(i).copied().unwrap_or(0);
    // user nice system (idle iowait) irq softirq steal.
    (at(0) + at(1) + at(2) + at(5) + at(6) + at(7), at(5) + at(6))
}

fn clock_ticks() -> f64 {
    // SAFETY: sysconf has no preconditions.
    unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64
}

/// CPU seconds (user + sys) of every live thread, as (tid, name, secs).
fn thread_cpu() -> Vec<(u32, String, f64)> {
    let tick = clock_ticks();
    let mut out = Vec::new();
    let Ok(dir) = fs::read_dir("/proc/self/task") else { return out };
    for e in dir.flatten() {
        let Some(tid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else { continue };
        let Ok(stat) = fs::read_to_string(e.path().join("stat")) else { continue };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else { continue };
        let name = stat[open + 1..close].to_owned();
        let f: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
        out.push((tid, name, (ticks(11) + ticks(12)) / tick));
    }
    out
}

/// CPU seconds per thread name between two `thread_cpu` snapshots.
fn thread_cpu_delta(before: &[(u32, String, f64)], after: &[(u32, String, f64)]) -> Vec<(String, f64)> {
    let mut by_name: Vec<(String, f64)> = Vec::new();
    for (tid, name, secs) in after {
        let base = before.iter().find(|(t, _, _)| t == tid).map_or(0.0, |b| b.2);
        match by_name.iter_mut().find(|(n, _)| n == name) {
            Some(entry) => entry.1 += secs - base,
            None => by_name.push((name.clone(), secs - base)),
        }
    }
    by_name.retain(|(_, s)| *s > 0.005);
    by_name.sort_by(|a, b| b.1.total_cmp(&a.1));
    by_name
}

/// Wall time, own CPU and the cores everything else kept busy, over one
/// measured window.
struct Meter {
    t0: Instant,
    usage: Usage,
    busy: (u64, u64),
    threads: Vec<(u32, String, f64)>,
}

#[derive(Debug, Clone, Default)]
struct Measured {
    secs: f64,
    usage: Usage,
    /// Cores busy outside this process meanwhile (softirq time excluded).
    others_cores: f64,
    /// Cores spent in (soft)interrupts, machine-wide.
    irq_cores: f64,
    threads: Vec<(String, f64)>,
}

impl Meter {
    fn start() -> Self {
        Self { threads: thread_cpu(), busy: machine_busy_jiffies(), usage: Usage::now(), t0: Instant::now() }
    }

    fn stop(&self) -> Measured {
        let secs = self.t0.elapsed().as_secs_f64();
        let usage = Usage::now().since(self.usage);
        let (busy, irq) = machine_busy_jiffies();
        let per_sec = |j: u64| j as f64 / clock_ticks() / secs;
        let irq_cores = per_sec(irq - self.busy.1);
        let busy_cores = per_sec(busy - self.busy.0);
        let others_cores = (busy_cores - irq_cores - (usage.user + usage.sys) / secs).max(0.0);
        let threads = thread_cpu_delta(&self.threads, &thread_cpu());
        Measured { secs, usage, others_cores, irq_cores, threads }
    }
}

// ---------------------------------------------------------------- stats

const WARMUP: u8 = 0;
const MEASURE: u8 = 1;
const STOP: u8 = 2;

/// What one task counted while the phase was MEASURE.
#[derive(Debug, Clone)]
struct TaskStats {
    /// Successful operations (sends; found messages for pulls).
    msgs: u64,
    /// Message body bytes moved.
    bytes: u64,
    /// Requests answered (pulls: every pull).
    requests: u64,
    /// Request latency of successful requests.
    lat: Histogram,
    /// End-to-end latency (send → pulled), pulls only.
    e2e: Histogram,
    /// Failures by response code, with the first remark seen.
    failures: BTreeMap<i32, (u64, String)>,
    /// Pull responses by code (pulls only; informative).
    pull_codes: BTreeMap<i32, u64>,
}

impl TaskStats {
    fn new() -> Self {
        Self {
            msgs: 0,
            bytes: 0,
            requests: 0,
            lat: Histogram::new(),
            e2e: Histogram::new(),
            failures: BTreeMap::new(),
            pull_codes: BTreeMap::new(),
        }
    }

    fn fail(&mut self, code: i32, remark: impl FnOnce() -> String) {
        self.failures.entry(code).or_insert_with(|| (0, remark())).0 += 1;
    }

    fn merge(&mut self, o: &TaskStats) {
        self.msgs += o.msgs;
        self.bytes += o.bytes;
        self.requests += o.requests;
        self.lat.merge(&o.lat);
        self.e2e.merge(&o.e2e);
        for (code, (n, remark)) in &o.failures {
            self.failures.entry(*code).or_insert_with(|| (0, remark.clone())).0 += n;
        }
        for (code, n) in &o.pull_codes {
            *self.pull_codes.entry(*code).or_default() += n;
        }
    }

    fn failed(&self) -> u64 {
        self.failures.values().map(|(n, _)| n).sum()
    }
}

/// One row of the report.
#[derive(Debug, Clone)]
struct RunResult {
    name: &'static str,
    label: String,
    concurrency: usize,
    stats: TaskStats,
    measured: Measured,
    /// Consume-only: the backlog ran out before `--duration`.
    drained: bool,
}

impl RunResult {
    fn msgs_s(&self) -> f64 {
        self.stats.msgs as f64 / self.measured.secs
    }

    fn mb_s(&self) -> f64 {
        self.stats.bytes as f64 / self.measured.secs / 1e6
    }
}

// ---------------------------------------------------------------- helpers

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

fn now_us() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros() as u64)
}

fn code_name(code: i32) -> &'static str {
    const NAMES: &[(ResponseCode, &str)] = &[
        (ResponseCode::Success, "SUCCESS"),
        (ResponseCode::SystemError, "SYSTEM_ERROR"),
        (ResponseCode::SystemBusy, "SYSTEM_BUSY"),
        (ResponseCode::RequestCodeNotSupported, "REQUEST_CODE_NOT_SUPPORTED"),
        (ResponseCode::FlushDiskTimeout, "FLUSH_DISK_TIMEOUT"),
        (ResponseCode::SlaveNotAvailable, "SLAVE_NOT_AVAILABLE"),
        (ResponseCode::FlushSlaveTimeout, "FLUSH_SLAVE_TIMEOUT"),
        (ResponseCode::MessageIllegal, "MESSAGE_ILLEGAL"),
        (ResponseCode::ServiceNotAvailable, "SERVICE_NOT_AVAILABLE"),
        (ResponseCode::NoPermission, "NO_PERMISSION"),
        (ResponseCode::TopicNotExist, "TOPIC_NOT_EXIST"),
        (ResponseCode::PullNotFound, "PULL_NOT_FOUND"),
        (ResponseCode::PullRetryImmediately, "PULL_RETRY_IMMEDIATELY"),
        (ResponseCode::PullOffsetMoved, "PULL_OFFSET_MOVED"),
        (ResponseCode::SubscriptionParseFailed, "SUBSCRIPTION_PARSE_FAILED"),
        (ResponseCode::SubscriptionNotExist, "SUBSCRIPTION_NOT_EXIST"),
        (ResponseCode::SubscriptionNotLatest, "SUBSCRIPTION_NOT_LATEST"),
        (ResponseCode::SubscriptionGroupNotExist, "SUBSCRIPTION_GROUP_NOT_EXIST"),
        (ResponseCode::InvalidParameter, "INVALID_PARAMETER"),
        (ResponseCode::GoAway, "GO_AWAY"),
    ];
    match code {
        RPC_SEND_TO_CHANNEL_FAILED => "RPC_SEND_TO_CHANNEL_FAILED",
        RPC_TIME_OUT => "RPC_TIME_OUT",
        _ => NAMES.iter().find(|(c, _)| c.code() == code).map_or("?", |(_, n)| n),
    }
}

fn error_code(e: &ConnectionError) -> i32 {
    match e {
        ConnectionError::Timeout(..) => RPC_TIME_OUT,
        ConnectionError::Closed(_) | ConnectionError::Connect { .. } => RPC_SEND_TO_CHANNEL_FAILED,
    }
}

/// A 32-hex-digit UNIQ_KEY in the Java client's layout: IPv4, pid, a
/// per-process hash, ms since the month began, counter.
fn uniq_key(counter: u64) -> String {
    static SALT: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    let salt = *SALT.get_or_init(|| (now_us() as u32).rotate_left(13) ^ 0x5BD1_E995);
    let ms = (now_ms() % (31 * 24 * 3600 * 1000)) as u32;
    format!("7F000001{:04X}{:08X}{:08X}{:04X}", std::process::id() as u16, salt, ms, counter as u16)
}

fn properties(uniq: &str) -> String {
    format!("UNIQ_KEY\u{1}{uniq}\u{2}WAIT\u{1}true\u{2}")
}

/// One broker's share of the topic.
#[derive(Debug, Clone)]
struct BrokerTarget {
    name: String,
    addr: String,
    write_queues: i32,
    read_queues: i32,
}

/// The (broker, queue) pairs to send to or pull from.
fn queue_list(targets: &[BrokerTarget], write: bool) -> Vec<(usize, i32)> {
    let mut out = Vec::new();
    for (i, t) in targets.iter().enumerate() {
        let n = if write { t.write_queues } else { t.read_queues };
        out.extend((0..n).map(|q| (i, q)));
    }
    out
}

fn send_request(
    args: &Args,
    target: &BrokerTarget,
    queue_id: i32,
    body: Bytes,
    counter: u64,
) -> RemotingCommand {
    let header = SendMessageRequestHeaderV2 {
        a: PRODUCER_GROUP.to_owned(),
        b: args.topic.clone(),
        c: "TBW102".to_owned(),
        d: args.queues,
        e: queue_id,
        f: 0,
        g: now_ms(),
        h: 0,
        i: Some(properties(&uniq_key(counter))),
        j: Some(0),
        k: Some(false),
        l: None,
        m: Some(false),
        n: (!target.name.is_empty()).then(|| target.name.clone()),
    };
    let mut cmd =
        RemotingCommand::request(request::SEND_MESSAGE_V2).with_ext(header.encode()).with_body(body);
    cmd.serialize_type = args.serialize;
    cmd
}

fn pull_request(args: &Args, queue_id: i32, offset: i64, suspend: bool) -> RemotingCommand {
    let sys_flag = pull_sys_flag::SUBSCRIPTION | if suspend { pull_sys_flag::SUSPEND } else { 0 };
    let header = PullMessageRequestHeader {
        consumer_group: CONSUMER_GROUP.to_owned(),
        topic: args.topic.clone(),
        queue_id,
        queue_offset: offset,
        max_msg_nums: args.pull_batch,
        sys_flag,
        commit_offset: 0,
        suspend_timeout_millis: if suspend { SUSPEND_MS } else { 0 },
        subscription: Some("*".to_owned()),
        sub_version: 0,
        expression_type: Some("TAG".to_owned()),
        ..Default::default()
    };
    let mut cmd = RemotingCommand::request(request::PULL_MESSAGE).with_ext(header.encode());
    cmd.serialize_type = args.serialize;
    cmd
}

/// A message body of `size` bytes; the first 8 carry the send time (µs
/// since the epoch) when there is room.
fn stamped_body(template: &[u8]) -> Bytes {
    let mut b = BytesMut::from(template);
    if b.len() >= 8 {
        b[..8].copy_from_slice(&now_us().to_be_bytes());
    }
    b.freeze()
}

fn frame_len(cmd: &RemotingCommand) -> usize {
    let mut buf = BytesMut::new();
    codec::encode_frame(cmd, &mut buf);
    buf.len()
}

/// The stored record size of one bench message (what a pull transfers per
/// message), with the properties a broker adds.
fn record_len(args: &Args) -> usize {
    let props = format!(
        "{}MSG_REGION\u{1}DefaultRegion\u{2}TRACE_ON\u{1}true\u{2}CLUSTER\u{1}{STANDALONE_CLUSTER}\u{2}",
        properties(&uniq_key(0))
    );
    let host = SocketAddr::from(([127, 0, 0, 1], 10911));
    let msg = MessageToStore {
        topic: args.topic.clone(),
        queue_id: 0,
        flag: 0,
        body: Bytes::from(vec![0u8; args.size]),
        properties: props,
        sys_flag: 0,
        born_timestamp: 0,
        born_host: host,
        store_host: host,
        reconsume_times: 0,
        prepared_transaction_offset: 0,
    };
    let config = MessageStoreConfig::default();
    let limits = EncodeLimits {
        max_message_size: config.max_message_size as usize,
        auto_message_version_on_topic_len: config.auto_message_version_on_topic_len,
    };
    record::encode(&msg, limits).map_or(args.size + 200, |r| r.len())
}

// ---------------------------------------------------------------- standalone

struct Standalone {
    namesrv: NamesrvHandle,
    broker: BrokerHandle,
    dir: PathBuf,
}

impl Standalone {
    async fn start(args: &Args, dir: &Path) -> Result<Standalone, String> {
        let ns_dir = dir.join("namesrv");
        let store_root = dir.join("store");
        for d in [&ns_dir, &store_root] {
            fs::create_dir_all(d).map_err(|e| format!("create {}: {e}", d.display()))?;
        }
        let ns_config = NamesrvConfig {
            listen_port: 0,
            bind_address: "127.0.0.1".to_owned(),
            kv_config_path: ns_dir.join("kvConfig.json"),
            config_store_path: ns_dir.join("namesrv.properties"),
            ..NamesrvConfig::default()
        };
        let namesrv = booster_namesrv::start(ns_config).await.map_err(|e| format!("name server: {e}"))?;
        let flush = match args.flush {
            FlushDiskType::AsyncFlush => "ASYNC_FLUSH",
            FlushDiskType::SyncFlush => "SYNC_FLUSH",
        };
        let mut text = format!(
            "brokerClusterName={STANDALONE_CLUSTER}\nbrokerName={STANDALONE_BROKER}\nbrokerId=0\n\
             brokerRole=ASYNC_MASTER\nbrokerIP1=127.0.0.1\nbindAddress=127.0.0.1\nlistenPort=0\n\
             namesrvAddr={}\nstorePathRootDir={}\nautoCreateTopicEnable=true\n\
             autoCreateSubscriptionGroup=true\nflushDiskType={flush}\nmappedFileSizeCommitLog=1073741824\n",
            namesrv.local_addr(),
            store_root.display()
        );
        for s in &args.settings {
            text.push_str(s);
            text.push('\n');
        }
        let config = BrokerStartupConfig::from_properties_str(&text, "producer_bench")
            .map_err(|e| format!("broker settings: {e}"))?;
        if let Some(k) = config.unknown_keys.first() {
            return Err(format!("--set {}: not a broker setting", k.key));
        }
        let broker = booster_broker::start(config).await.map_err(|e| format!("broker: {e}"))?;
        Ok(Standalone { namesrv, broker, dir: dir.to_owned() })
    }

    async fn shutdown(self) -> Result<(), String> {
        let r = self.broker.shutdown().await.map_err(|e| format!("broker shutdown: {e}"));
        self.namesrv.shutdown();
        r
    }
}

// ---------------------------------------------------------------- route

async fn expect_success(
    client: &RemotingClient,
    addr: &str,
    cmd: RemotingCommand,
    what: &str,
    timeout: Duration,
) -> Result<RemotingCommand, String> {
    let resp = client.invoke(addr, cmd, timeout).await.map_err(|e| format!("{what} to {addr}: {e}"))?;
    if resp.code != ResponseCode::Success.code() {
        return Err(format!(
            "{what} to {addr}: {} {} {}",
            resp.code,
            code_name(resp.code),
            resp.remark.as_deref().unwrap_or("")
        ));
    }
    Ok(resp)
}

async fn create_topic(client: &RemotingClient, addr: &str, args: &Args) -> Result<(), String> {
    let header = CreateTopicRequestHeader {
        topic: args.topic.clone(),
        default_topic: Some("TBW102".to_owned()),
        read_queue_nums: args.queues,
        write_queue_nums: args.queues,
        perm: PERM_READ | PERM_WRITE,
        topic_filter_type: Some("SINGLE_TAG".to_owned()),
        topic_sys_flag: Some(0),
        order: Some(false),
        ..Default::default()
    };
    let cmd = RemotingCommand::request(request::UPDATE_AND_CREATE_TOPIC).with_ext(header.encode());
    expect_success(client, addr, cmd, "UPDATE_AND_CREATE_TOPIC", args.timeout).await.map(drop)
}

async fn lookup_route(
    client: &RemotingClient,
    namesrv: &str,
    args: &Args,
) -> Result<Vec<BrokerTarget>, String> {
    let header =
        GetRouteInfoRequestHeader { topic: args.topic.clone(), accept_standard_json_only: Some(true) };
    let cmd = RemotingCommand::request(request::GET_ROUTEINFO_BY_TOPIC).with_ext(header.encode());
    let resp = expect_success(client, namesrv, cmd, "GET_ROUTEINFO_BY_TOPIC", args.timeout).await?;
    let body = resp.body.unwrap_or_default();
    let route: TopicRouteData =
        booster_model::route::decode_body(&body).map_err(|e| format!("route body: {e}"))?;
    let mut targets = Vec::new();
    for qd in &route.queue_datas {
        let Some(addr) = route
            .broker_datas
            .iter()
            .find(|b| b.broker_name == qd.broker_name)
            .and_then(|b| b.broker_addrs.get(&booster_model::route::MASTER_ID))
        else {
            continue;
        };
        targets.push(BrokerTarget {
            name: qd.broker_name.clone(),
            addr: addr.clone(),
            write_queues: if qd.perm & PERM_WRITE != 0 { qd.write_queue_nums } else { 0 },
            read_queues: if qd.perm & PERM_READ != 0 { qd.read_queue_nums } else { 0 },
        });
    }
    if targets.is_empty() {
        return Err(format!("route of {} names no master broker", args.topic));
    }
    Ok(targets)
}

// ---------------------------------------------------------------- loopback

/// An echo-like server: every frame `[len u32][reply_len u32][...]` is
/// answered with a frame of `reply_len` bytes in total. Nothing is parsed
/// beyond that, so this is the floor any request/response over loopback
/// pays at this size.
async fn echo_server() -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 << 10];
                let mut reply = Vec::new();
                loop {
                    let mut len = [0u8; 4];
                    if stream.read_exact(&mut len).await.is_err() {
                        break;
                    }
                    let len = u32::from_be_bytes(len) as usize;
                    if buf.len() < len {
                        buf.resize(len, 0);
                    }
                    if len < 4 || stream.read_exact(&mut buf[..len]).await.is_err() {
                        break;
                    }
                    let reply_len = u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
                    if reply.len() != reply_len {
                        reply = vec![0u8; reply_len.max(4)];
                        let inner = (reply.len() - 4) as u32;
                        reply[..4].copy_from_slice(&inner.to_be_bytes());
                    }
                    if stream.write_all(&reply).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    Ok(addr)
}

async fn loopback_task(
    addr: SocketAddr,
    request_len: usize,
    reply_len: usize,
    phase: Arc<AtomicU8>,
) -> TaskStats {
    let mut st = TaskStats::new();
    let mut stream = match TcpStream::connect(addr).await {
        Ok(s) => s,
        Err(e) => {
            st.fail(RPC_SEND_TO_CHANNEL_FAILED, || e.to_string());
            return st;
        }
    };
    let _ = stream.set_nodelay(true);
    let mut req = vec![0u8; request_len.max(8)];
    let req_len = req.len();
    req[..4].copy_from_slice(&((req_len - 4) as u32).to_be_bytes());
    req[4..8].copy_from_slice(&(reply_len as u32).to_be_bytes());
    let mut buf = vec![0u8; reply_len.max(4)];
    loop {
        if phase.load(Ordering::Relaxed) == STOP {
            break;
        }
        let t0 = Instant::now();
        let ok = async {
            stream.write_all(&req).await?;
            let mut len = [0u8; 4];
            stream.read_exact(&mut len).await?;
            let len = u32::from_be_bytes(len) as usize;
            if buf.len() < len {
                buf.resize(len, 0);
            }
            stream.read_exact(&mut buf[..len]).await
        }
        .await;
        let ns = t0.elapsed().as_nanos() as u64;
        if let Err(e) = ok {
            st.fail(RPC_SEND_TO_CHANNEL_FAILED, || e.to_string());
            break;
        }
        if phase.load(Ordering::Relaxed) == MEASURE {
            st.requests += 1;
            st.msgs += 1;
            st.bytes += reply_len as u64;
            st.lat.record(ns);
        }
    }
    st
}

/// Echo round trips of `request_len` → `reply_len` bytes at `concurrency`.
/// `msgs_per_trip` scales msgs/s (a pull-sized reply stands for a batch).
async fn loopback_run(
    server: &tokio::runtime::Handle,
    request_len: usize,
    reply_len: usize,
    concurrency: usize,
    msgs_per_trip: u64,
    args: &Args,
    after: bool,
) -> Result<RunResult, String> {
    let (warmup, duration) = (args.warmup.min(Duration::from_secs(1)), args.loopback);
    let addr = server.spawn(echo_server()).await.map_err(|e| e.to_string())?.map_err(|e| e.to_string())?;
    let phase = Arc::new(AtomicU8::new(WARMUP));
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| tokio::spawn(loopback_task(addr, request_len, reply_len, Arc::clone(&phase))))
        .collect();
    tokio::time::sleep(warmup).await;
    phase.store(MEASURE, Ordering::Relaxed);
    let meter = Meter::start();
    tokio::time::sleep(duration).await;
    phase.store(STOP, Ordering::Relaxed);
    let measured = meter.stop();
    let mut stats = TaskStats::new();
    for t in tasks {
        stats.merge(&t.await.map_err(|e| e.to_string())?);
    }
    // Round trips stand for messages; bytes are the reply bytes one way.
    stats.msgs *= msgs_per_trip;
    let when = if after { "after" } else { "before" };
    let (name, label) = match (request_len == reply_len, after) {
        (true, false) => ("loopback", format!("raw TCP echo {request_len} B both ways, {when}")),
        (true, true) => ("loopback_after", format!("raw TCP echo {request_len} B both ways, {when}")),
        (false, false) => ("loopback_pull", format!("raw TCP {request_len} B -> {reply_len} B, {when}")),
        (false, true) => ("loopback_pull_after", format!("raw TCP {request_len} B -> {reply_len} B, {when}")),
    };
    Ok(RunResult { name, label, concurrency, stats, measured, drained: false })
}

// ---------------------------------------------------------------- produce

struct ProduceCtx {
    args: Args,
    targets: Vec<BrokerTarget>,
    queues: Vec<(usize, i32)>,
    clients: Vec<RemotingClient>,
    body: Vec<u8>,
    phase: Arc<AtomicU8>,
    counter: AtomicU64,
}

async fn producer_task(id: usize, ctx: Arc<ProduceCtx>) -> TaskStats {
    let mut st = TaskStats::new();
    let client = &ctx.clients[id % ctx.clients.len()];
    let mut conns: Vec<Option<Connection>> = vec![None; ctx.targets.len()];
    let mut next = id;
    loop {
        if ctx.phase.load(Ordering::Relaxed) == STOP {
            break;
        }
        let (t, queue_id) = ctx.queues[next % ctx.queues.len()];
        next += 1;
        let target = &ctx.targets[t];
        let conn = match &conns[t] {
            Some(c) if !c.is_closed() => c.clone(),
            _ => match client.connection(&target.addr).await {
                Ok(c) => {
                    conns[t] = Some(c.clone());
                    c
                }
                Err(e) => {
                    if ctx.phase.load(Ordering::Relaxed) == MEASURE {
                        st.fail(error_code(&e), || e.to_string());
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let counter = ctx.counter.fetch_add(1, Ordering::Relaxed);
        let cmd = send_request(&ctx.args, target, queue_id, stamped_body(&ctx.body), counter);
        let t0 = Instant::now();
        let result = conn.request(cmd, ctx.args.timeout).await;
        let ns = t0.elapsed().as_nanos() as u64;
        if ctx.phase.load(Ordering::Relaxed) != MEASURE {
            continue;
        }
        st.requests += 1;
        match result {
            Ok(resp) if resp.code == ResponseCode::Success.code() => {
                st.msgs += 1;
                st.bytes += ctx.body.len() as u64;
                st.lat.record(ns);
            }
            Ok(resp) => st.fail(resp.code, || resp.remark.clone().unwrap_or_default()),
            Err(e) => {
                st.fail(error_code(&e), || e.to_string());
                if !matches!(e, ConnectionError::Timeout(..)) {
                    conns[t] = None;
                }
            }
        }
    }
    st
}

fn spawn_producers(ctx: &Arc<ProduceCtx>) -> Vec<tokio::task::JoinHandle<TaskStats>> {
    (0..ctx.args.threads).map(|id| tokio::spawn(producer_task(id, Arc::clone(ctx)))).collect()
}

// ---------------------------------------------------------------- consume

struct ConsumeCtx {
    args: Args,
    targets: Vec<BrokerTarget>,
    client: RemotingClient,
    phase: Arc<AtomicU8>,
    /// Whether e2e latency (body send stamps) means anything.
    e2e: bool,
}

async fn consumer_task(
    ctx: Arc<ConsumeCtx>,
    queues: Vec<(usize, i32)>,
    mut offsets: Vec<i64>,
    idle: Arc<AtomicBool>,
) -> TaskStats {
    let mut st = TaskStats::new();
    let suspend = queues.len() == 1;
    let mut conns: Vec<Option<Connection>> = vec![None; ctx.targets.len()];
    let mut backoff_ms = 1u64;
    let mut round_found = false;
    let mut i = 0usize;
    loop {
        if ctx.phase.load(Ordering::Relaxed) == STOP {
            break;
        }
        if i == queues.len() {
            i = 0;
            idle.store(!round_found, Ordering::Relaxed);
            if !round_found && !suspend {
                tokio::time::sleep(Duration::from_millis(backoff_ms)).await;
                backoff_ms = (backoff_ms * 2).min(16);
            } else {
                backoff_ms = 1;
            }
            round_found = false;
        }
        let (t, queue_id) = queues[i];
        let target = &ctx.targets[t];
        let conn = match &conns[t] {
            Some(c) if !c.is_closed() => c.clone(),
            _ => match ctx.client.connection(&target.addr).await {
                Ok(c) => {
                    conns[t] = Some(c.clone());
                    c
                }
                Err(e) => {
                    if ctx.phase.load(Ordering::Relaxed) == MEASURE {
                        st.fail(error_code(&e), || e.to_string());
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let cmd = pull_request(&ctx.args, queue_id, offsets[i], suspend);
        let timeout = ctx.args.timeout
            + if suspend { Duration::from_millis(SUSPEND_MS as u64) } else { Duration::ZERO };
        let t0 = Instant::now();
        let result = conn.request(cmd, timeout).await;
        let ns = t0.elapsed().as_nanos() as u64;
        let measuring = ctx.phase.load(Ordering::Relaxed) == MEASURE;
        let resp = match result {
            Ok(r) => r,
            Err(e) => {
                if measuring {
                    st.fail(error_code(&e), || e.to_string());
                }
                if !matches!(e, ConnectionError::Timeout(..)) {
                    conns[t] = None;
                }
                i += 1;
                continue;
            }
        };
        if measuring {
            st.requests += 1;
            *st.pull_codes.entry(resp.code).or_default() += 1;
        }
        let next = PullMessageResponseHeader::from_command(&resp).ok().map(|h| h.next_begin_offset);
        let moved =
            [ResponseCode::PullNotFound, ResponseCode::PullRetryImmediately, ResponseCode::PullOffsetMoved];
        if resp.code == ResponseCode::Success.code() {
            let body = resp.body.as_deref().unwrap_or_default();
            let now = now_us();
            let mut pos = 0;
            let (mut n, mut bytes) = (0u64, 0u64);
            while pos < body.len() {
                let RecordCheck::Record(view) = record::check_record(&body[pos..], false) else { break };
                n += 1;
                bytes += view.body.len() as u64;
                if measuring && ctx.e2e && view.body.len() >= 8 {
                    let sent = u64::from_be_bytes(view.body[..8].try_into().expect("8 bytes"));
                    st.e2e.record(now.saturating_sub(sent) * 1000);
                }
                pos += view.total_size as usize;
            }
            if n > 0 {
                round_found = true;
                idle.store(false, Ordering::Relaxed);
            }
            if measuring {
                st.msgs += n;
                st.bytes += bytes;
                st.lat.record(ns);
            }
            if let Some(next) = next {
                offsets[i] = next;
            }
        } else if moved.iter().any(|c| c.code() == resp.code) {
            if let Some(next) = next {
                offsets[i] = next;
            }
        } else {
            if measuring {
                st.fail(resp.code, || resp.remark.clone().unwrap_or_default());
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        i += 1;
    }
    st
}

async fn max_offset(client: &RemotingClient, target: &BrokerTarget, queue_id: i32, args: &Args) -> i64 {
    let header = GetMaxOffsetRequestHeader { topic: args.topic.clone(), queue_id, committed: None };
    let cmd = RemotingCommand::request(request::GET_MAX_OFFSET).with_ext(header.encode());
    match expect_success(client, &target.addr, cmd, "GET_MAX_OFFSET", args.timeout).await {
        Ok(resp) => OffsetResponseHeader::from_command(&resp).map_or(0, |h| h.offset),
        Err(_) => 0,
    }
}

/// Spawns the pull loops; `from_last` starts each queue at its max offset
/// (only new messages), else at 0 (the whole backlog; the broker corrects
/// an offset below the minimum).
async fn spawn_consumers(
    ctx: &Arc<ConsumeCtx>,
    loops: usize,
    from_last: bool,
) -> (Vec<tokio::task::JoinHandle<TaskStats>>, Vec<Arc<AtomicBool>>, usize) {
    let all = queue_list(&ctx.targets, false);
    let loops = loops.min(all.len()).max(1);
    let mut tasks = Vec::new();
    let mut idles = Vec::new();
    for l in 0..loops {
        let mine: Vec<(usize, i32)> = all.iter().copied().skip(l).step_by(loops).collect();
        let mut offsets = Vec::with_capacity(mine.len());
        for &(t, q) in &mine {
            offsets.push(if from_last {
                max_offset(&ctx.client, &ctx.targets[t], q, &ctx.args).await
            } else {
                0
            });
        }
        let idle = Arc::new(AtomicBool::new(false));
        idles.push(Arc::clone(&idle));
        tasks.push(tokio::spawn(consumer_task(Arc::clone(ctx), mine, offsets, idle)));
    }
    (tasks, idles, loops)
}

// ---------------------------------------------------------------- output

fn opt(v: Option<f64>, prec: usize) -> String {
    v.map_or_else(|| "-".to_owned(), |v| format!("{v:.prec$}"))
}

fn print_results(results: &[RunResult], args: &Args, target_desc: &str, send_frame: usize) {
    // The reference is the better of the echo runs before and after the
    // load (the machine's limit; the two bracket how much it moved): the
    // echo of the send frame for sends, the pull-sized one for pulls.
    let best = |prefix: &str| {
        results
            .iter()
            .filter(|r| r.name == prefix || r.name.strip_suffix("_after") == Some(prefix))
            .map(RunResult::msgs_s)
            .reduce(f64::max)
    };
    let reference = |r: &RunResult| -> Option<f64> {
        match r.name {
            "loopback_pull" | "loopback_pull_after" | "consume" => best("loopback_pull"),
            _ => best("loopback"),
        }
    };
    println!();
    println!(
        "{:<44} {:>5} {:>9} {:>7} {:>7} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7}",
        "run",
        "conc",
        "msgs/s",
        "MB/s",
        "vs loop",
        "p50 us",
        "p99 us",
        "p999 us",
        "max us",
        "mean us",
        "failed"
    );
    println!("{}", "-".repeat(133));
    for r in results {
        let ratio = reference(r).map(|x| r.msgs_s() / x);
        println!(
            "{:<44} {:>5} {:>9.0} {:>7.1} {:>7} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7}",
            r.label,
            r.concurrency,
            r.msgs_s(),
            r.mb_s(),
            opt(ratio, 2),
            opt(r.stats.lat.quantile_us(0.5), 0),
            opt(r.stats.lat.quantile_us(0.99), 0),
            opt(r.stats.lat.quantile_us(0.999), 0),
            opt(r.stats.lat.quantile_us(1.0), 0),
            opt(r.stats.lat.mean_us(), 0),
            r.stats.failed(),
        );
        if r.stats.e2e.total > 0 {
            let e = &r.stats.e2e;
            println!(
                "{:<44} {:>5} {:>9} {:>7} {:>7} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7}",
                "  end-to-end (send -> pulled)",
                "",
                "",
                "",
                "",
                opt(e.quantile_us(0.5), 0),
                opt(e.quantile_us(0.99), 0),
                opt(e.quantile_us(0.999), 0),
                opt(e.quantile_us(1.0), 0),
                opt(e.mean_us(), 0),
                "",
            );
        }
    }
    println!(
        "  msgs/s: sends answered SUCCESS / messages pulled (raw echo: round trips, x pull batch for the pull-sized echo)."
    );
    println!(
        "  MB/s = 10^6 message-body bytes/s (raw echo: reply bytes/s). vs loop = msgs/s / raw echo msgs/s."
    );
    println!(
        "  latency: per request, successful ones (pulls: those that found messages); send frame = {send_frame} B."
    );
    for r in results.iter().filter(|r| r.drained) {
        println!(
            "  {}: the backlog ran out after {:.2} s (measured window ended there)",
            r.label, r.measured.secs
        );
    }

    println!();
    println!("failures by response code:");
    for r in results {
        if r.stats.failures.is_empty() {
            println!("  {:<12} none ({} requests)", r.name, r.stats.requests);
        }
        for (code, (n, remark)) in &r.stats.failures {
            println!("  {:<12} {code} {}: {n} (first: {remark})", r.name, code_name(*code));
        }
        if !r.stats.pull_codes.is_empty() {
            let codes: Vec<String> =
                r.stats.pull_codes.iter().map(|(c, n)| format!("{}={n}", code_name(*c))).collect();
            println!("  {:<12} pull responses: {}", "", codes.join(" "));
        }
    }

    println!();
    println!("resources over each measured window (this process; cores = CPU-seconds per second;");
    println!(
        "  irq = machine-wide (soft)interrupt cores, mostly loopback TCP receive work done for this process;"
    );
    println!("  others = cores busy outside this process and irq, e.g. neighbours, kworkers):");
    for r in results {
        let m = &r.measured;
        let threads: Vec<String> = m.threads.iter().map(|(n, s)| format!("{n}={:.2}", s / m.secs)).collect();
        println!(
            "  {:<10} {:.2} s user {:.2} s sys = {:.2} cores, irq {:.2}, others {:.2}, vol-cs/s {:.0}, invol-cs/s {:.0}; per thread (cores): {}",
            r.name,
            m.usage.user,
            m.usage.sys,
            (m.usage.user + m.usage.sys) / m.secs,
            m.irq_cores,
            m.others_cores,
            m.usage.nvcsw as f64 / m.secs,
            m.usage.nivcsw as f64 / m.secs,
            threads.join(" "),
        );
    }

    println!();
    for r in results {
        let m = &r.measured;
        let ratio = reference(r).map(|x| r.msgs_s() / x);
        let failures: Vec<String> = r.stats.failures.iter().map(|(c, (n, _))| format!("{c}:{n}")).collect();
        println!(
            "BENCH producer_bench run={} mode={} target={} flush={} concurrency={} size={} secs={:.3} msgs={} \
             tps={:.0} mb_s={:.2} ratio_loopback={} p50_us={} p99_us={} p999_us={} max_us={} mean_us={} \
             e2e_p50_us={} e2e_p99_us={} failures={} failure_codes={} requests={} cpu_cores={:.2} irq_cores={:.2} \
             others_cores={:.2} send_frame={} drained={}",
            r.name,
            args.mode.name(),
            target_desc,
            if args.standalone {
                match args.flush {
                    FlushDiskType::AsyncFlush => "ASYNC_FLUSH",
                    FlushDiskType::SyncFlush => "SYNC_FLUSH",
                }
            } else {
                "-"
            },
            r.concurrency,
            args.size,
            m.secs,
            r.stats.msgs,
            r.msgs_s(),
            r.mb_s(),
            opt(ratio, 3),
            opt(r.stats.lat.quantile_us(0.5), 1),
            opt(r.stats.lat.quantile_us(0.99), 1),
            opt(r.stats.lat.quantile_us(0.999), 1),
            opt(r.stats.lat.quantile_us(1.0), 1),
            opt(r.stats.lat.mean_us(), 1),
            opt(r.stats.e2e.quantile_us(0.5), 1),
            opt(r.stats.e2e.quantile_us(0.99), 1),
            r.stats.failed(),
            if failures.is_empty() { "-".to_owned() } else { failures.join(",") },
            r.stats.requests,
            (m.usage.user + m.usage.sys) / m.secs,
            m.irq_cores,
            m.others_cores,
            send_frame,
            r.drained,
        );
    }
}

// ---------------------------------------------------------------- main

/// Runs warmup then the measured window; ends early (drained) when every
/// consumer loop reports an empty round, if `idles` is non-empty.
async fn timed_window(phase: &AtomicU8, args: &Args, idles: &[Arc<AtomicBool>]) -> (Measured, bool) {
    tokio::time::sleep(args.warmup).await;
    phase.store(MEASURE, Ordering::Relaxed);
    let meter = Meter::start();
    let mut drained = false;
    if idles.is_empty() {
        tokio::time::sleep(args.duration).await;
    } else {
        let end = Instant::now() + args.duration;
        while Instant::now() < end {
            tokio::time::sleep(Duration::from_millis(20)).await;
            if idles.iter().all(|i| i.load(Ordering::Relaxed)) {
                drained = true;
                break;
            }
        }
    }
    phase.store(STOP, Ordering::Relaxed);
    (meter.stop(), drained)
}

async fn join_all(tasks: Vec<tokio::task::JoinHandle<TaskStats>>) -> TaskStats {
    let mut stats = TaskStats::new();
    for t in tasks {
        match t.await {
            Ok(s) => stats.merge(&s),
            Err(e) => stats.fail(-1, || format!("task failed: {e}")),
        }
    }
    stats
}

/// The raw echo reference(s) for this mode; none with `--loopback 0`.
async fn loopbacks(
    args: &Args,
    server: &tokio::runtime::Handle,
    targets: &[BrokerTarget],
    send_frame: usize,
    record: usize,
    after: bool,
) -> Result<Vec<RunResult>, String> {
    let mut results = Vec::new();
    if !args.loopback.is_zero() {
        if args.mode != Mode::Consume {
            eprint!("loopback echo {send_frame} B x {} ... ", args.threads);
            let r = loopback_run(server, send_frame, send_frame, args.threads, 1, args, after).await?;
            eprintln!("{:.0} round trips/s", r.msgs_s());
            results.push(r);
        }
        if args.mode == Mode::Consume {
            let pull_frame = frame_len(&pull_request(args, 0, 0, false));
            let reply = {
                let mut resp = RemotingCommand::request(0);
                let h = PullMessageResponseHeader {
                    next_begin_offset: 1_000_000,
                    min_offset: 0,
                    max_offset: 1_000_000,
                    topic_sys_flag: Some(0),
                    group_sys_flag: Some(0),
                    ..Default::default()
                };
                resp = resp.with_ext(h.encode()).with_body(vec![0u8; record * args.pull_batch as usize]);
                frame_len(&resp)
            };
            let loops = args.threads.min(queue_list(targets, false).len()).max(1);
            eprint!("loopback {pull_frame} B -> {reply} B x {loops} ... ");
            let r =
                loopback_run(server, pull_frame, reply, loops, args.pull_batch as u64, args, after).await?;
            eprintln!("{:.0} round trips/s", r.msgs_s() / args.pull_batch as f64);
            results.push(r);
        }
    }

    Ok(results)
}

async fn run(
    args: Args,
    server: tokio::runtime::Handle,
    standalone: Option<&Standalone>,
) -> Result<(), String> {
    let client = RemotingClient::default();
    // Targets.
    let (targets, target_desc) = if let Some(s) = standalone {
        let broker = s.broker.local_addr().to_string();
        create_topic(&client, &broker, &args).await?;
        // Topic creation re-registers asynchronously; make sure the name
        // server has it before the lookup.
        let ns = s.namesrv.local_addr().to_string();
        let deadline = Instant::now() + Duration::from_secs(10);
        let targets = loop {
            match lookup_route(&client, &ns, &args).await {
                Ok(t) => break t,
                Err(e) if Instant::now() > deadline => return Err(e),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        (targets, "standalone".to_owned())
    } else if let Some(ns) = &args.namesrv {
        let targets = lookup_route(&client, ns, &args).await.map_err(|e| {
            format!(
                "{e}\n(create the topic first, e.g. mqadmin updateTopic -n {ns} -c <cluster> -t {})",
                args.topic
            )
        })?;
        (targets, format!("namesrv:{ns}"))
    } else {
        let addr = args.broker.clone().expect("one target");
        if args.create_topic {
            create_topic(&client, &addr, &args).await?;
        }
        let t = BrokerTarget {
            name: String::new(),
            addr: addr.clone(),
            write_queues: args.queues,
            read_queues: args.queues,
        };
        (vec![t], format!("broker:{addr}"))
    };
    let route: Vec<String> = targets
        .iter()
        .map(|t| format!("{}@{} w{}/r{}", t.name, t.addr, t.write_queues, t.read_queues))
        .collect();
    let queues = queue_list(&targets, true);
    if args.mode != Mode::Consume && queues.is_empty() {
        return Err("the route has no writable queue".into());
    }

    let body: Vec<u8> = (0..args.size).map(|i| b'a' + (i % 26) as u8).collect();
    let sample = send_request(&args, &targets[0], 0, Bytes::from(body.clone()), 0);
    let send_frame = frame_len(&sample);
    let record = record_len(&args);
    println!(
        "route: {} | topic {} | {} B bodies, send frame {send_frame} B, stored record {record} B | serialize {}",
        route.join(", "),
        args.topic,
        args.size,
        args.serialize.name()
    );

    let mut results = Vec::new();
    // Loopback reference(s), before the broker is loaded (and again at the end).
    results.extend(loopbacks(&args, &server, &targets, send_frame, record, false).await?);

    let clients: Vec<RemotingClient> = (0..args.connections).map(|_| RemotingClient::default()).collect();
    let produce_ctx = |phase: &Arc<AtomicU8>| {
        Arc::new(ProduceCtx {
            args: args.clone(),
            targets: targets.clone(),
            queues: queues.clone(),
            clients: clients.clone(),
            body: body.clone(),
            phase: Arc::clone(phase),
            counter: AtomicU64::new(0),
        })
    };
    let consume_ctx = |phase: &Arc<AtomicU8>, e2e: bool| {
        Arc::new(ConsumeCtx {
            args: args.clone(),
            targets: targets.clone(),
            client: RemotingClient::default(),
            phase: Arc::clone(phase),
            e2e,
        })
    };
    let send_label = format!("send SEND_MESSAGE_V2 sync, {} conn", args.connections);

    match args.mode {
        Mode::Produce => {
            eprint!("produce {} x {:?} after {:?} warmup ... ", args.threads, args.duration, args.warmup);
            let phase = Arc::new(AtomicU8::new(WARMUP));
            let tasks = spawn_producers(&produce_ctx(&phase));
            let (measured, _) = timed_window(&phase, &args, &[]).await;
            let stats = join_all(tasks).await;
            let r = RunResult {
                name: "produce",
                label: send_label,
                concurrency: args.threads,
                stats,
                measured,
                drained: false,
            };
            eprintln!("{:.0} msgs/s", r.msgs_s());
            results.push(r);
        }
        Mode::Consume => {
            let preload = args.preload.or(standalone.map(|_| args.warmup + args.duration));
            if let Some(d) = preload.filter(|d| !d.is_zero()) {
                eprint!("preload: produce {} x {d:?} ... ", args.threads);
                let phase = Arc::new(AtomicU8::new(WARMUP));
                let tasks = spawn_producers(&produce_ctx(&phase));
                let pre_args = Args { warmup: Duration::ZERO, duration: d, ..args.clone() };
                let (measured, _) = timed_window(&phase, &pre_args, &[]).await;
                let stats = join_all(tasks).await;
                let r = RunResult {
                    name: "preload",
                    label: format!("preload: {send_label}"),
                    concurrency: args.threads,
                    stats,
                    measured,
                    drained: false,
                };
                eprintln!("{} msgs", r.stats.msgs);
                results.push(r);
            }
            eprint!(
                "consume {} loops x {:?} after {:?} warmup ... ",
                args.threads, args.duration, args.warmup
            );
            let phase = Arc::new(AtomicU8::new(WARMUP));
            let (tasks, idles, loops) =
                spawn_consumers(&consume_ctx(&phase, false), args.threads, false).await;
            let (measured, drained) = timed_window(&phase, &args, &idles).await;
            let stats = join_all(tasks).await;
            let r = RunResult {
                name: "consume",
                label: format!("pull PULL_MESSAGE x{} over all queues", args.pull_batch),
                concurrency: loops,
                stats,
                measured,
                drained,
            };
            eprintln!("{:.0} msgs/s", r.msgs_s());
            results.push(r);
        }
        Mode::Both => {
            eprint!(
                "produce {} + consume x {:?} after {:?} warmup ... ",
                args.threads, args.duration, args.warmup
            );
            let phase = Arc::new(AtomicU8::new(WARMUP));
            let consumers = args.consumers.unwrap_or(args.threads);
            let (ctasks, _, loops) = spawn_consumers(&consume_ctx(&phase, true), consumers, true).await;
            let ptasks = spawn_producers(&produce_ctx(&phase));
            let (measured, _) = timed_window(&phase, &args, &[]).await;
            let pstats = join_all(ptasks).await;
            let cstats = join_all(ctasks).await;
            let p = RunResult {
                name: "produce",
                label: send_label,
                concurrency: args.threads,
                stats: pstats,
                measured: measured.clone(),
                drained: false,
            };
            let c = RunResult {
                name: "consume",
                label: format!("pull PULL_MESSAGE x{} (concurrently)", args.pull_batch),
                concurrency: loops,
                stats: cstats,
                measured,
                drained: false,
            };
            eprintln!("{:.0} sent/s, {:.0} pulled/s", p.msgs_s(), c.msgs_s());
            results.push(p);
            results.push(c);
        }
    }
    client.shutdown().await;
    for c in &clients {
        c.shutdown().await;
    }
    results.extend(loopbacks(&args, &server, &targets, send_frame, record, true).await?);
    print_results(&results, &args, &target_desc, send_frame);
    Ok(())
}

fn fs_type(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else { return "?".into() };
    // SAFETY: statfs fills a plain struct from a NUL-terminated path.
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statfs(c.as_ptr(), &mut st) } != 0 {
        return "?".into();
    }
    match st.f_type as i64 {
        0xEF53 => "ext2/3/4".into(),
        0x5846_5342 => "xfs".into(),
        0x9123_683E => "btrfs".into(),
        0x0102_1994 => "tmpfs".into(),
        0x794C_7630 => "overlayfs".into(),
        other => format!("0x{other:X}"),
    }
}

fn runtime(name: &str, workers: Option<usize>) -> tokio::runtime::Runtime {
    let mut b = tokio::runtime::Builder::new_multi_thread();
    b.enable_all().thread_name(name);
    if let Some(n) = workers {
        b.worker_threads(n.max(1));
    }
    b.build().expect("tokio runtime")
}

fn main() {
    let args = parse_args_from(std::env::args().skip(1));
    // SAFETY: sysconf has no preconditions.
    let cores = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) };
    let loadavg = fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let server_rt = runtime("srv-worker", args.server_workers);
    let client_rt = runtime("cli-worker", args.client_workers);

    let mut tmp = None;
    let standalone = if args.standalone {
        fs::create_dir_all(&args.dir).expect("create --dir");
        let dir = tempfile::Builder::new().prefix("producer_bench-").tempdir_in(&args.dir).expect("temp dir");
        let s = server_rt.block_on(Standalone::start(&args, dir.path()));
        tmp = Some(dir);
        match s {
            Ok(s) => Some(s),
            Err(e) => {
                eprintln!("producer_bench: {e}");
                std::process::exit(3);
            }
        }
    } else {
        None
    };
    println!(
        "producer_bench: mode={} threads={} size={} warmup={:?} duration={:?} cores={} loadavg={} {}",
        args.mode.name(),
        args.threads,
        args.size,
        args.warmup,
        args.duration,
        cores,
        loadavg.split_whitespace().take(3).collect::<Vec<_>>().join(","),
        match &standalone {
            Some(s) => format!(
                "standalone: namesrv {} broker {} ({}, 1 GiB CommitLog files) dir {} fs {}",
                s.namesrv.local_addr(),
                s.broker.local_addr(),
                match args.flush {
                    FlushDiskType::AsyncFlush => "ASYNC_FLUSH",
                    FlushDiskType::SyncFlush => "SYNC_FLUSH",
                },
                s.dir.display(),
                fs_type(&s.dir)
            ),
            None => format!("target {}", args.namesrv.as_deref().or(args.broker.as_deref()).unwrap_or("?")),
        }
    );
    let _ = std::io::stdout().flush();

    let result = client_rt.block_on(run(args.clone(), server_rt.handle().clone(), standalone.as_ref()));
    drop(client_rt);
    if let Some(s) = standalone
        && let Err(e) = server_rt.block_on(s.shutdown())
    {
        eprintln!("producer_bench: {e}");
    }
    drop(server_rt);
    if let Some(dir) = tmp
        && args.keep
    {
        println!("kept {}", dir.keep().display());
    }
    if let Err(e) = result {
        eprintln!("producer_bench: {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_tight_and_ordered() {
        let mut prev = 0;
        for v in (0..200_000u64).chain([1 << 20, 123_456_789, u64::MAX / 3]) {
            let i = Histogram::index(v);
            let hi = Histogram::bucket_high(i);
            assert!(hi >= v, "v={v} hi={hi}");
            assert!((hi - v) as f64 <= v as f64 / 64.0 + 1.0, "v={v} hi={hi}");
            if v < 200_000 {
                assert!(i >= prev);
                prev = i;
            }
        }
        let mut h = Histogram::new();
        for v in 1..=1000u64 {
            h.record(v * 1000);
        }
        let p50 = h.quantile(0.5).unwrap() as f64;
        assert!((p50 - 500_000.0).abs() / 500_000.0 < 0.02, "{p50}");
        assert_eq!(h.quantile(1.0), Some(1_000_000));
    }

    #[test]
    fn durations_and_sizes_parse() {
        assert_eq!(parse_duration("20s"), Some(Duration::from_secs(20)));
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("2"), Some(Duration::from_secs(2)));
        assert_eq!(parse_duration("1m"), Some(Duration::from_secs(60)));
        assert_eq!(parse_size("1k"), Some(1024));
        assert_eq!(parse_duration("x"), None);
    }
}
