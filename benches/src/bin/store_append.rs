//! `store_append`: CommitLog append throughput against the raw disk, in one run
//! on one file system.
//!
//! Runs, in this order, each writing the same number of bytes (`--bytes`,
//! rounded down to whole records):
//!
//! 1. `raw_sync_end` — sequential `write(2)` of record-sized chunks into a
//!    preallocated (`fallocate`) file, one `fdatasync` at the end. **This is
//!    the reference** (ratio 1.00): the best the disk + page cache can do for
//!    a sequential append that ends durable.
//! 2. `raw_sync_4m` — the same with an `fdatasync` every 4 MiB (what a
//!    periodic flusher costs on this disk; informative only).
//! 3. `store_async` — `MessageStore::put(&[msg], true)` with `ASYNC_FLUSH`
//!    (returns after the append; a broker's wait flag changes nothing here);
//!    `--concurrency` tokio tasks on a multi-thread runtime (one worker per
//!    core), one message per put, spread over `--queues` queues of one topic.
//!    The clock stops after `shutdown()`, i.e. after the final flush, so the
//!    bytes are on disk as in the baseline.
//! 4. `store_sync` — the same with `SYNC_FLUSH`; every put awaits its group
//!    commit. Put latencies are reported.
//!
//! Usage:
//!
//! ```text
//! cargo run --release -p booster-benches --bin store_append -- \
//!     [--dir BASE] [--bytes 1G] [--sync-bytes N] [--size 1024] [--concurrency 16] \
//!     [--queues 16] [--file-size 1G] [--no-index] [--runs raw,async,sync] [--repeat 1] [--keep]
//! ```
//!
//! Sizes accept K/M/G suffixes (powers of 1024). MB/s is 10^6 bytes per
//! second of record bytes (the CommitLog bytes; the raw runs write the same
//! count). A fresh directory is made under `--dir` (default
//! `./target/bench-tmp`, not `/tmp`, which may be tmpfs) and removed at the end
//! unless `--keep`. `--repeat N` runs the whole sequence N times and adds
//! medians (ratios are taken within each repetition).
//!
//! Besides the table, every run prints one `BENCH store_append key=value ...`
//! line, plus its process CPU (getrusage), per-thread CPU of the store's
//! threads, the cores other processes used meanwhile (`others`: on a shared
//! machine, distrust runs where it is high) and the bytes the block device
//! wrote (write amplification shows up there).

use std::fs;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use booster_benches::common::args::parse_size;
use booster_benches::common::raw_disk::raw_write;
use booster_benches::common::resources::{
    Jiffies, Usage, clock_ticks, fs_type, loadavg, machine_jiffies, online_cores, thread_cpu,
    thread_cpu_delta,
};
use booster_benches::common::tmpdir::{bench_tmpdir, finish};
use booster_conf::{FlushDiskType, MessageStoreConfig};
use booster_store::record::{self, EncodeLimits};
use booster_store::{MessageStore, MessageToStore, PutMessageStatus};
use bytes::Bytes;

const TOPIC: &str = "BenchTopic";
const GIB: u64 = 1 << 30;
const RAW_SYNC_EVERY: u64 = 4 << 20;
/// ASYNC_FLUSH puts never await anything, so a task yields this often to let
/// the other tasks on its worker interleave.
const ASYNC_YIELD_EVERY: u64 = 32;

#[derive(Debug, Clone)]
struct Args {
    dir: PathBuf,
    bytes: u64,
    sync_bytes: Option<u64>,
    size: usize,
    concurrency: usize,
    queues: i32,
    file_size: u64,
    index: bool,
    runs: Vec<String>,
    repeat: usize,
    keep: bool,
}

fn usage() -> ! {
    eprintln!(
        "usage: store_append [--dir BASE] [--bytes 1G] [--sync-bytes N] [--size 1024] [--concurrency 16]\n\
         \x20                   [--queues 16] [--file-size 1G] [--no-index] [--runs raw,async,sync] [--repeat 1] [--keep]"
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut a = Args {
        dir: PathBuf::from("target/bench-tmp"),
        bytes: GIB,
        sync_bytes: None,
        size: 1024,
        concurrency: 16,
        queues: 16,
        file_size: GIB,
        index: true,
        runs: vec!["raw".into(), "async".into(), "sync".into()],
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
            "--sync-bytes" => a.sync_bytes = Some(size(value())),
            "--size" => a.size = size(value()) as usize,
            "--concurrency" => a.concurrency = value().parse().unwrap_or_else(|_| usage()),
            "--queues" => a.queues = value().parse().unwrap_or_else(|_| usage()),
            "--file-size" => a.file_size = size(value()),
            "--no-index" => a.index = false,
            "--runs" => a.runs = value().split(',').map(str::to_owned).collect(),
            "--repeat" => a.repeat = value().parse().unwrap_or_else(|_| usage()),
            "--keep" => a.keep = true,
            "-h" | "--help" => usage(),
            _ => usage(),
        }
    }
    if a.concurrency == 0 || a.queues <= 0 || a.bytes == 0 || a.repeat == 0 {
        usage();
    }
    a
}

// ---------------------------------------------------------------- messages

fn store_host() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 10911))
}

fn born_host() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 40000))
}

/// Message `i`: a fixed body, TAGS and a 32-hex-digit UNIQ_KEY as a RocketMQ
/// producer sets it (so the index gets one entry per message, as in production).
fn message(body: &Bytes, i: u64, queues: i32) -> MessageToStore {
    let uniq = format!("{:016X}{:016X}", 0x7F00_0001_0000_BEEF_u64, i);
    MessageToStore {
        topic: TOPIC.to_owned(),
        queue_id: (i % queues as u64) as i32,
        flag: 0,
        body: body.clone(),
        properties: record::encode_properties([("TAGS", "TagA"), ("UNIQ_KEY", uniq.as_str())]),
        sys_flag: 0,
        born_timestamp: 1_700_000_000_000,
        born_host: born_host(),
        store_host: store_host(),
        reconsume_times: 0,
        prepared_transaction_offset: 0,
    }
}

fn record_len(body: &Bytes, config: &MessageStoreConfig) -> usize {
    let limits = EncodeLimits {
        max_message_size: config.max_message_size as usize,
        auto_message_version_on_topic_len: config.auto_message_version_on_topic_len,
    };
    record::encode(&message(body, 0, 1), limits).expect("bench message encodes").len()
}

// ---------------------------------------------------------------- resources

/// `/sys/dev/block/M:m/stat` of the device holding the bench directory.
static DISK_STAT: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();

fn disk_stat_path(dir: &Path) -> Option<PathBuf> {
    use std::os::unix::fs::MetadataExt;
    let dev = fs::metadata(dir).ok()?.dev();
    let path = PathBuf::from(format!("/sys/dev/block/{}:{}/stat", libc::major(dev), libc::minor(dev)));
    path.exists().then_some(path)
}

/// Bytes written to the bench directory's block device so far (all writers).
fn disk_bytes_written() -> Option<u64> {
    let path = DISK_STAT.get()?.as_ref()?;
    let stat = fs::read_to_string(path).ok()?;
    stat.split_whitespace().nth(6)?.parse::<u64>().ok().map(|sectors| sectors * 512)
}

/// What one timed section measured.
#[derive(Debug, Clone, Copy, Default)]
struct Measured {
    secs: f64,
    usage: Usage,
    /// Cores busy outside this process meanwhile.
    others_cores: f64,
    /// Bytes the device wrote meanwhile (any writer, including the journal).
    disk_bytes: Option<u64>,
}

/// Measures one timed section: wall time, own resources, how many cores
/// everything else on the machine kept busy meanwhile (other processes and
/// kernel threads such as writeback: a noisy neighbour shows up here) and the
/// bytes the device wrote.
struct Meter {
    t0: Instant,
    usage: Usage,
    jiffies: Jiffies,
    disk: Option<u64>,
}

impl Meter {
    fn start() -> Self {
        Self {
            disk: disk_bytes_written(),
            jiffies: machine_jiffies(),
            usage: Usage::now(),
            t0: Instant::now(),
        }
    }

    fn stop(&self) -> Measured {
        let secs = self.t0.elapsed().as_secs_f64();
        let usage = Usage::now().since(self.usage);
        let busy = machine_jiffies().busy;
        let disk_bytes = disk_bytes_written().zip(self.disk).map(|(b, a)| b.saturating_sub(a));
        let busy_cores = (busy - self.jiffies.busy) as f64 / clock_ticks() / secs;
        let others_cores = (busy_cores - (usage.user + usage.sys) / secs).max(0.0);
        Measured { secs, usage, others_cores, disk_bytes }
    }
}

// ---------------------------------------------------------------- results

#[derive(Debug, Default)]
struct RunResult {
    name: &'static str,
    rep: usize,
    /// Cores busy outside this process during the run.
    others_cores: f64,
    /// Bytes the device wrote during the run.
    disk_bytes: Option<u64>,
    label: String,
    msgs: u64,
    bytes: u64,
    secs: f64,
    /// Sorted per-put latencies, nanoseconds (store runs).
    lat_ns: Vec<u64>,
    timeouts: u64,
    /// Store runs: time until the last put returned, and the shutdown after it.
    append_secs: Option<f64>,
    shutdown_secs: Option<f64>,
    /// Bytes appended but not yet dispatched when the last put returned.
    dispatch_lag: Option<i64>,
    usage: Usage,
    threads: Vec<(String, f64)>,
}

impl RunResult {
    fn mb_s(&self) -> f64 {
        self.bytes as f64 / self.secs / 1e6
    }

    fn msgs_s(&self) -> f64 {
        self.msgs as f64 / self.secs
    }

    fn pct_us(&self, q: f64) -> Option<f64> {
        if self.lat_ns.is_empty() {
            return None;
        }
        let rank = ((q * self.lat_ns.len() as f64).ceil() as usize).clamp(1, self.lat_ns.len());
        Some(self.lat_ns[rank - 1] as f64 / 1e3)
    }
}

// ---------------------------------------------------------------- raw disk

fn raw_run(dir: &Path, name: &'static str, record_len: usize, n: u64, sync_every: Option<u64>) -> RunResult {
    let total = record_len as u64 * n;
    let Measured { secs, usage, others_cores, disk_bytes } =
        raw_write(&dir.join(name), record_len, n, sync_every, Meter::start, |m| m.stop());

    let label = match sync_every {
        None => "raw write + 1 fdatasync (REF)".to_owned(),
        Some(e) => format!("raw write + fdatasync/{}MiB", e >> 20),
    };
    RunResult {
        name,
        label,
        msgs: n,
        bytes: total,
        secs,
        usage,
        others_cores,
        disk_bytes,
        ..Default::default()
    }
}

// ---------------------------------------------------------------- store

fn store_run(
    dir: &Path,
    args: &Args,
    mode: FlushDiskType,
    body: &Bytes,
    n: u64,
    record_len: usize,
) -> RunResult {
    let (name, label) = match mode {
        FlushDiskType::AsyncFlush => ("store_async", "store ASYNC_FLUSH put"),
        FlushDiskType::SyncFlush => ("store_sync", "store SYNC_FLUSH put (group commit)"),
    };
    static RUN: AtomicU64 = AtomicU64::new(0);
    // A fresh store every time (a reused one would recover and append after old data).
    let root = dir.join(format!("{name}-{}", RUN.fetch_add(1, Ordering::Relaxed)));
    let config = MessageStoreConfig {
        mapped_file_size_commit_log: args.file_size,
        message_index_enable: args.index,
        flush_disk_type: mode,
        ..MessageStoreConfig::with_root(&root)
    };
    let store = MessageStore::open(config).expect("store opens");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("bench-worker")
        .build()
        .expect("tokio runtime");
    // Let the workers start before the first snapshot.
    rt.block_on(tokio::task::yield_now());

    let next = Arc::new(AtomicU64::new(0));
    let threads0 = thread_cpu();
    let meter = Meter::start();
    let per_task: Vec<(Vec<u64>, u64)> = rt.block_on(async {
        let tasks: Vec<_> = (0..args.concurrency)
            .map(|_| {
                let (store, next, body) = (Arc::clone(&store), Arc::clone(&next), body.clone());
                let (queues, concurrency) = (args.queues, args.concurrency);
                tokio::spawn(async move {
                    let mut lat = Vec::with_capacity((n as usize / concurrency) + 1);
                    let mut timeouts = 0u64;
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= n {
                            break;
                        }
                        let msg = message(&body, i, queues);
                        let start = Instant::now();
                        let r = store.put(std::slice::from_ref(&msg), true).await.expect("put");
                        lat.push(start.elapsed().as_nanos() as u64);
                        if r.status == PutMessageStatus::FlushDiskTimeout {
                            timeouts += 1;
                        }
                        debug_assert_eq!(r.append.wrote_bytes, record_len);
                        if mode == FlushDiskType::AsyncFlush && i % ASYNC_YIELD_EVERY == 0 {
                            tokio::task::yield_now().await;
                        }
                    }
                    (lat, timeouts)
                })
            })
            .collect();
        let mut out = Vec::with_capacity(tasks.len());
        for t in tasks {
            out.push(t.await.expect("appender task"));
        }
        out
    });
    let append_secs = meter.t0.elapsed().as_secs_f64();
    let dispatch_lag = store.max_phy_offset() - store.dispatched_offset();
    let threads1 = thread_cpu();
    let t_shutdown = Instant::now();
    store.shutdown().expect("store shutdown");
    let shutdown_secs = t_shutdown.elapsed().as_secs_f64();
    let Measured { secs, usage, others_cores, disk_bytes } = meter.stop();
    // Sanity (untimed): every message is in the CommitLog and in a ConsumeQueue.
    let queued: i64 = (0..args.queues).map(|q| store.max_offset_in_queue(TOPIC, q)).sum();
    assert_eq!(queued, n as i64, "ConsumeQueues hold every message");
    assert!(store.max_phy_offset() >= (n * record_len as u64) as i64, "CommitLog holds every record");
    drop(store);
    drop(rt);
    let mut threads = thread_cpu_delta(&threads0, &threads1, 0.0);
    threads.push(("(shutdown, main)".into(), shutdown_secs));

    let mut lat_ns = Vec::with_capacity(n as usize);
    let mut timeouts = 0;
    for (l, t) in per_task {
        lat_ns.extend(l);
        timeouts += t;
    }
    lat_ns.sort_unstable();
    if !args.keep {
        fs::remove_dir_all(&root).expect("remove store dir");
    }
    RunResult {
        name,
        label: label.to_owned(),
        msgs: n,
        bytes: n * record_len as u64,
        secs,
        lat_ns,
        timeouts,
        append_secs: Some(append_secs),
        shutdown_secs: Some(shutdown_secs),
        dispatch_lag: Some(dispatch_lag),
        usage,
        others_cores,
        disk_bytes,
        threads,
        ..Default::default()
    }
}

// ---------------------------------------------------------------- output

fn opt(v: Option<f64>, prec: usize) -> String {
    v.map_or_else(|| "-".to_owned(), |v| format!("{v:.prec$}"))
}

fn mib(bytes: f64) -> f64 {
    bytes / (1u64 << 20) as f64
}

/// MB/s of the raw run `name` of the same repetition as `r`.
fn raw_mb_s(results: &[RunResult], r: &RunResult, name: &str) -> Option<f64> {
    results.iter().find(|x| x.name == name && x.rep == r.rep).map(RunResult::mb_s)
}

fn run_label(r: &RunResult, args: &Args) -> String {
    if args.repeat > 1 { format!("{} #{}", r.label, r.rep + 1) } else { r.label.clone() }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 { v[m] } else { (v[m - 1] + v[m]) / 2.0 }
}

fn print_results(results: &[RunResult], args: &Args) {
    let ratio =
        |r: &RunResult, name: &str, prec: usize| opt(raw_mb_s(results, r, name).map(|x| r.mb_s() / x), prec);
    println!();
    println!(
        "{:<40} {:>6} {:>9} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>8} {:>7}",
        "run", "MiB", "msgs/s", "MB/s", "vs REF", "vs 4MiB", "secs", "p50 us", "p99 us", "p999 us", "others"
    );
    println!("{}", "-".repeat(126));
    for r in results {
        println!(
            "{:<40} {:>6.0} {:>9.0} {:>7.1} {:>7} {:>7} {:>7.2} {:>7} {:>7} {:>8} {:>7.2}",
            run_label(r, args),
            mib(r.bytes as f64),
            r.msgs_s(),
            r.mb_s(),
            ratio(r, "raw_sync_end", 2),
            ratio(r, "raw_sync_4m", 2),
            r.secs,
            opt(r.pct_us(0.5), 0),
            opt(r.pct_us(0.99), 0),
            opt(r.pct_us(0.999), 0),
            r.others_cores,
        );
    }
    println!("  MB/s = 10^6 record bytes/s. REF = raw write + one fdatasync at the end. p* = put latency.");
    println!(
        "  others = cores kept busy by everything outside this process during the run (neighbours, kworkers)."
    );
    if args.repeat > 1 {
        println!();
        println!("median of {} repetitions (ratios taken within each repetition):", args.repeat);
        println!("{:<40} {:>9} {:>7} {:>7} {:>7}", "run", "msgs/s", "MB/s", "vs REF", "vs 4MiB");
        let mut names: Vec<&str> = Vec::new();
        for r in results {
            if !names.contains(&r.name) {
                names.push(r.name);
            }
        }
        for name in names {
            let runs: Vec<&RunResult> = results.iter().filter(|r| r.name == name).collect();
            let med_ratio = |raw: &str| {
                let v: Vec<f64> =
                    runs.iter().filter_map(|r| raw_mb_s(results, r, raw).map(|x| r.mb_s() / x)).collect();
                if v.is_empty() { "-".to_owned() } else { format!("{:.2}", median(v)) }
            };
            println!(
                "{:<40} {:>9.0} {:>7.1} {:>7} {:>7}",
                runs[0].label,
                median(runs.iter().map(|r| r.msgs_s()).collect()),
                median(runs.iter().map(|r| r.mb_s()).collect()),
                med_ratio("raw_sync_end"),
                med_ratio("raw_sync_4m"),
            );
        }
    }
    println!();
    println!("resources per run (getrusage of this process over the timed part; cpu% of one core;");
    println!("  disk wrote = bytes the block device wrote meanwhile, any writer, journal included):");
    println!(
        "{:<40} {:>6} {:>6} {:>5} {:>8} {:>8} {:>8} {:>8} {:>8} {:>9} {:>10}",
        "run",
        "user",
        "sys",
        "cpu%",
        "minflt",
        "vol-cs",
        "invol-cs",
        "append s",
        "shutdn s",
        "disp. lag",
        "disk wrote"
    );
    for r in results {
        let u = r.usage;
        println!(
            "{:<40} {:>6.2} {:>6.2} {:>4.0}% {:>8} {:>8} {:>8} {:>8} {:>8} {:>9} {:>10}",
            run_label(r, args),
            u.user,
            u.sys,
            (u.user + u.sys) / r.secs * 100.0,
            u.minflt,
            u.nvcsw,
            u.nivcsw,
            opt(r.append_secs, 2),
            opt(r.shutdown_secs, 2),
            r.dispatch_lag.map_or_else(|| "-".to_owned(), |l| format!("{:.1}MiB", mib(l as f64))),
            r.disk_bytes.map_or_else(|| "-".to_owned(), |b| format!("{:.0}MiB", mib(b as f64))),
        );
    }
    for r in results.iter().filter(|r| !r.threads.is_empty()) {
        let list: Vec<String> = r.threads.iter().map(|(n, s)| format!("{n}={s:.2}s")).collect();
        println!("  {} #{} thread cpu: {}", r.name, r.rep + 1, list.join(" "));
    }
    for r in results.iter().filter(|r| r.timeouts > 0) {
        println!("  WARNING {} #{}: {} puts ended FLUSH_DISK_TIMEOUT", r.name, r.rep + 1, r.timeouts);
    }
    println!();
    for r in results {
        let u = r.usage;
        println!(
            "BENCH store_append run={} rep={} bytes={} msgs={} secs={:.4} msgs_s={:.0} mb_s={:.2} ratio_ref={} \
             ratio_4m={} p50_us={} p99_us={} p999_us={} append_s={} shutdown_s={} user_s={:.3} sys_s={:.3} \
             minflt={} nvcsw={} nivcsw={} others_cores={:.2} disk_bytes={} timeouts={} concurrency={} size={} \
             queues={} file_size={} index={}",
            r.name,
            r.rep,
            r.bytes,
            r.msgs,
            r.secs,
            r.msgs_s(),
            r.mb_s(),
            ratio(r, "raw_sync_end", 3),
            ratio(r, "raw_sync_4m", 3),
            opt(r.pct_us(0.5), 1),
            opt(r.pct_us(0.99), 1),
            opt(r.pct_us(0.999), 1),
            opt(r.append_secs, 4),
            opt(r.shutdown_secs, 4),
            u.user,
            u.sys,
            u.minflt,
            u.nvcsw,
            u.nivcsw,
            r.others_cores,
            r.disk_bytes.map_or_else(|| "-".to_owned(), |b| b.to_string()),
            r.timeouts,
            args.concurrency,
            args.size,
            args.queues,
            args.file_size,
            args.index,
        );
    }
}

fn main() {
    let args = parse_args();
    let tmp = bench_tmpdir(&args.dir, "store_append-");
    let dir = tmp.path().to_owned();
    let fs_name = fs_type(&dir);
    DISK_STAT.get_or_init(|| disk_stat_path(&dir));

    let body = Bytes::from((0..args.size).map(|i| b'a' + (i % 26) as u8).collect::<Vec<u8>>());
    let record_len = record_len(&body, &MessageStoreConfig::default());
    let n = (args.bytes / record_len as u64).max(1);
    let n_sync = args.sync_bytes.map_or(n, |b| (b / record_len as u64).max(1));
    let cores = online_cores();

    println!(
        "store_append: dir={} fs={} cores={} loadavg={} record={} B (body {} B) msgs={} ({:.1} MiB){} \
         concurrency={} queues={} file_size={} MiB index={}",
        dir.display(),
        fs_name,
        cores,
        loadavg(),
        record_len,
        args.size,
        n,
        mib((n * record_len as u64) as f64),
        if n_sync != n { format!(" sync_msgs={n_sync}") } else { String::new() },
        args.concurrency,
        args.queues,
        args.file_size >> 20,
        if args.index { "on (one 420 MB fallocated index file)" } else { "off" },
    );
    if fs_name == "tmpfs" || fs_name == "ramfs" {
        println!(
            "WARNING: {} is {fs_name}: nothing here reaches a disk; pass --dir on a real file system",
            dir.display()
        );
    }

    let wants = |r: &str| args.runs.iter().any(|x| x == r);
    let mut results: Vec<RunResult> = Vec::new();
    let mut record = |rep: usize, name: &str, run: &dyn Fn() -> RunResult| {
        eprint!("[{}/{}] {name} ... ", rep + 1, args.repeat);
        let _ = std::io::stderr().flush();
        let mut r = run();
        r.rep = rep;
        eprintln!("{:.2}s {:.1} MB/s", r.secs, r.mb_s());
        results.push(r);
    };
    for rep in 0..args.repeat {
        if wants("raw") {
            record(rep, "raw_sync_end", &|| raw_run(&dir, "raw_sync_end", record_len, n, None));
            record(rep, "raw_sync_4m", &|| raw_run(&dir, "raw_sync_4m", record_len, n, Some(RAW_SYNC_EVERY)));
        }
        if wants("async") {
            record(rep, "store_async", &|| {
                store_run(&dir, &args, FlushDiskType::AsyncFlush, &body, n, record_len)
            });
        }
        if wants("sync") {
            record(rep, "store_sync", &|| {
                store_run(&dir, &args, FlushDiskType::SyncFlush, &body, n_sync, record_len)
            });
        }
    }
    print_results(&results, &args);

    finish(tmp, args.keep);
}
