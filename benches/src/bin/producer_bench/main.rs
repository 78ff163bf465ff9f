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

use booster_benches::common::args::{parse_duration, parse_size};
use booster_benches::common::resources::{
    Jiffies, Usage, clock_ticks, fs_type, loadavg, machine_jiffies, online_cores, thread_cpu,
    thread_cpu_delta,
};
use booster_benches::common::tmpdir::bench_tmpdir;
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

pub(crate) const PRODUCER_GROUP: &str = "benchmark_producer";
pub(crate) const CONSUMER_GROUP: &str = "benchmark_consumer";
pub(crate) const STANDALONE_CLUSTER: &str = "BenchCluster";
pub(crate) const STANDALONE_BROKER: &str = "broker-bench";
pub(crate) const PERM_READ: i32 = 4;
pub(crate) const PERM_WRITE: i32 = 2;
/// Client-local codes (RocketMQ's RemotingSysResponseCode / RPC codes).
pub(crate) const RPC_SEND_TO_CHANNEL_FAILED: i32 = -1004;
pub(crate) const RPC_TIME_OUT: i32 = -1006;
/// Long-poll hold of a pull loop that owns a single queue.
pub(crate) const SUSPEND_MS: i64 = 1000;

mod args;
mod consume;
mod histogram;
mod loopback;
mod meter;
mod produce;
mod report;
mod requests;
mod run;
mod stats;
mod target;

use args::*;
use consume::*;
use histogram::*;
use loopback::*;
use meter::*;
use produce::*;
use report::*;
use requests::*;
use run::*;
use stats::*;
use target::*;

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
    let cores = online_cores();
    let server_rt = runtime("srv-worker", args.server_workers);
    let client_rt = runtime("cli-worker", args.client_workers);

    let mut tmp = None;
    let standalone = if args.standalone {
        let dir = bench_tmpdir(&args.dir, "producer_bench-");
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
        loadavg(),
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
