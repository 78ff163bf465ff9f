//! One whole run: warmup, measured window, loopback references.

#[allow(clippy::wildcard_imports)]
use super::*;

/// Runs warmup then the measured window; ends early (drained) when every
/// consumer loop reports an empty round, if `idles` is non-empty.
pub(crate) async fn timed_window(
    phase: &AtomicU8,
    args: &Args,
    idles: &[Arc<AtomicBool>],
) -> (Measured, bool) {
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

pub(crate) async fn join_all(tasks: Vec<tokio::task::JoinHandle<TaskStats>>) -> TaskStats {
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
pub(crate) async fn loopbacks(
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

pub(crate) async fn run(
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
