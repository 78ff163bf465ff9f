//! The send loops.

#[allow(clippy::wildcard_imports)]
use super::*;

pub(crate) struct ProduceCtx {
    pub(crate) args: Args,
    pub(crate) targets: Vec<BrokerTarget>,
    pub(crate) queues: Vec<(usize, i32)>,
    pub(crate) clients: Vec<RemotingClient>,
    pub(crate) body: Vec<u8>,
    pub(crate) phase: Arc<AtomicU8>,
    pub(crate) counter: AtomicU64,
}

pub(crate) async fn producer_task(id: usize, ctx: Arc<ProduceCtx>) -> TaskStats {
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

pub(crate) fn spawn_producers(ctx: &Arc<ProduceCtx>) -> Vec<tokio::task::JoinHandle<TaskStats>> {
    (0..ctx.args.threads).map(|id| tokio::spawn(producer_task(id, Arc::clone(ctx)))).collect()
}
