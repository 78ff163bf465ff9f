//! The pull loops.

#[allow(clippy::wildcard_imports)]
use super::*;

pub(crate) struct ConsumeCtx {
    pub(crate) args: Args,
    pub(crate) targets: Vec<BrokerTarget>,
    pub(crate) client: RemotingClient,
    pub(crate) phase: Arc<AtomicU8>,
    /// Whether e2e latency (body send stamps) means anything.
    pub(crate) e2e: bool,
}

pub(crate) async fn consumer_task(
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

pub(crate) async fn max_offset(
    client: &RemotingClient,
    target: &BrokerTarget,
    queue_id: i32,
    args: &Args,
) -> i64 {
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
pub(crate) async fn spawn_consumers(
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
