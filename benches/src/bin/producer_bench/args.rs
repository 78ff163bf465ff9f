//! Command-line arguments.

#[allow(clippy::wildcard_imports)]
use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Produce,
    Consume,
    Both,
}

impl Mode {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Mode::Produce => "produce",
            Mode::Consume => "consume",
            Mode::Both => "both",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Args {
    pub(crate) namesrv: Option<String>,
    pub(crate) broker: Option<String>,
    pub(crate) standalone: bool,
    pub(crate) topic: String,
    pub(crate) threads: usize,
    pub(crate) consumers: Option<usize>,
    pub(crate) connections: usize,
    pub(crate) size: usize,
    pub(crate) duration: Duration,
    pub(crate) warmup: Duration,
    pub(crate) mode: Mode,
    pub(crate) flush: FlushDiskType,
    pub(crate) queues: i32,
    pub(crate) create_topic: bool,
    pub(crate) pull_batch: i32,
    pub(crate) loopback: Duration,
    pub(crate) timeout: Duration,
    pub(crate) preload: Option<Duration>,
    pub(crate) dir: PathBuf,
    pub(crate) keep: bool,
    pub(crate) settings: Vec<String>,
    pub(crate) serialize: SerializeType,
    pub(crate) server_workers: Option<usize>,
    pub(crate) client_workers: Option<usize>,
}

pub(crate) fn usage() -> ! {
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

pub(crate) fn parse_args_from(argv: impl IntoIterator<Item = String>) -> Args {
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
