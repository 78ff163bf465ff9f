//! The raw TCP echo reference.

#[allow(clippy::wildcard_imports)]
use super::*;

/// An echo-like server: every frame `[len u32][reply_len u32][...]` is
/// answered with a frame of `reply_len` bytes in total. Nothing is parsed
/// beyond that, so this is the floor any request/response over loopback
/// pays at this size.
pub(crate) async fn echo_server() -> std::io::Result<SocketAddr> {
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

pub(crate) async fn loopback_task(
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
pub(crate) async fn loopback_run(
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
