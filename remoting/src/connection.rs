//! One remoting connection, used the same way by servers and clients: frames
//! in both directions, requests matched to responses by `opaque`, inbound
//! requests handed to a `Router`. The only module that touches sockets.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use parking_lot::Mutex;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, watch};
use tokio_util::codec::{FramedRead, FramedWrite};

use crate::code::ResponseCode;
use crate::codec::RemotingCodec;
use crate::command::RemotingCommand;

pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// Handles inbound requests: returns the response, or `None` for none.
pub trait Router: Send + Sync + 'static {
    fn route(&self, conn: Connection, request: RemotingCommand) -> BoxFuture<Option<RemotingCommand>>;

    /// Called once when the connection closes (e.g. to drop client channels).
    fn on_close(&self, _conn: &Connection) {}
}

/// Answers every request with REQUEST_CODE_NOT_SUPPORTED (plain clients).
#[derive(Debug, Default)]
pub struct NoRequests;

impl Router for NoRequests {
    fn route(&self, _conn: Connection, request: RemotingCommand) -> BoxFuture<Option<RemotingCommand>> {
        Box::pin(async move { Some(not_supported(&request)) })
    }
}

/// RocketMQ's reply to a code nobody handles.
pub fn not_supported(request: &RemotingCommand) -> RemotingCommand {
    RemotingCommand::response_to(request, ResponseCode::RequestCodeNotSupported.code())
        .with_remark(format!(" request type {} not supported", request.code))
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectionError {
    #[error("connection to {0} is closed")]
    Closed(SocketAddr),
    #[error("no response from {0} within {1:?}")]
    Timeout(SocketAddr, Duration),
    #[error("connect to {addr}: {source}")]
    Connect {
        addr: String,
        #[source]
        source: std::io::Error,
    },
}

static NEXT_OPAQUE: AtomicI32 = AtomicI32::new(0);
static NEXT_CONNECTION_ID: AtomicU64 = AtomicU64::new(1);

/// Bound on frames queued for writing per connection; a slow reader gets
/// backpressure instead of unbounded memory.
const WRITE_QUEUE_FRAMES: usize = 4096;

struct Shared {
    id: u64,
    peer: SocketAddr,
    tx: mpsc::Sender<RemotingCommand>,
    pending: Mutex<HashMap<i32, oneshot::Sender<RemotingCommand>>>,
    closed: AtomicBool,
    /// Set to true by [`Connection::close`]; both I/O tasks watch it, so a
    /// close stops them even while handles to the connection still exist
    /// (the reader task itself holds one, so dropping handles alone never
    /// ends it).
    shutdown: watch::Sender<bool>,
}

/// A cheap, cloneable handle to a live connection.
#[derive(Clone)]
pub struct Connection(Arc<Shared>);

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Connection#{}({})", self.0.id, self.0.peer)
    }
}

impl PartialEq for Connection {
    fn eq(&self, other: &Self) -> bool {
        self.0.id == other.0.id
    }
}

impl Eq for Connection {}

impl std::hash::Hash for Connection {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.id.hash(state);
    }
}

/// RocketMQ's `rocketmq_rpc_latency` (ms, by request and response code;
/// `-1` when no response is sent). Its `_count` is the request count.
fn record_rpc(request_code: i32, response_code: Option<i32>, started: std::time::Instant) {
    if !crate::prometheus::enabled() {
        return;
    }
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    metrics::histogram!(
        "rocketmq_rpc_latency",
        "request_code" => request_code.to_string(),
        "response_code" => response_code.unwrap_or(-1).to_string(),
    )
    .record(elapsed_ms);
}

impl Connection {
    /// Starts the read and write tasks of `stream`; inbound requests go to `router`.
    pub fn start(stream: TcpStream, codec: RemotingCodec, router: Arc<dyn Router>) -> Connection {
        let peer = stream.peer_addr().unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
        let _ = stream.set_nodelay(true);
        let (read_half, write_half) = stream.into_split();
        let (tx, mut rx) = mpsc::channel::<RemotingCommand>(WRITE_QUEUE_FRAMES);
        let conn = Connection(Arc::new(Shared {
            id: NEXT_CONNECTION_ID.fetch_add(1, Ordering::Relaxed),
            peer,
            tx,
            pending: Mutex::new(HashMap::new()),
            closed: AtomicBool::new(false),
            shutdown: watch::channel(false).0,
        }));

        let mut writer = FramedWrite::new(write_half, codec);
        let mut writer_stop = conn.0.shutdown.subscribe();
        tokio::spawn(async move {
            loop {
                let cmd = tokio::select! {
                    cmd = rx.recv() => match cmd {
                        Some(cmd) => cmd,
                        None => break,
                    },
                    _ = writer_stop.wait_for(|stop| *stop) => break,
                };
                if let Err(e) = writer.feed(cmd).await {
                    tracing::debug!(%peer, error = %e, "write failed; closing");
                    break;
                }
                // Batch whatever is already queued into one flush.
                while let Ok(cmd) = rx.try_recv() {
                    if writer.feed(cmd).await.is_err() {
                        return;
                    }
                }
                if writer.flush().await.is_err() {
                    break;
                }
            }
        });

        let reader_conn = conn.clone();
        let mut reader = FramedRead::new(read_half, codec);
        let mut reader_stop = conn.0.shutdown.subscribe();
        tokio::spawn(async move {
            loop {
                let next = tokio::select! {
                    next = reader.next() => next,
                    _ = reader_stop.wait_for(|stop| *stop) => break,
                };
                match next {
                    Some(Ok(cmd)) if cmd.is_response() => reader_conn.complete(cmd),
                    Some(Ok(cmd)) => reader_conn.dispatch(Arc::clone(&router), cmd),
                    Some(Err(e)) => {
                        tracing::warn!(%peer, error = %e, "undecodable frame; closing the connection");
                        break;
                    }
                    None => break,
                }
            }
            reader_conn.close();
            router.on_close(&reader_conn);
        });
        conn
    }

    fn dispatch(&self, router: Arc<dyn Router>, request: RemotingCommand) {
        use futures_util::FutureExt;
        let conn = self.clone();
        // What an error response needs, kept instead of a copy of the request.
        let (oneway, code, opaque, serialize_type) =
            (request.is_oneway(), request.code, request.opaque, request.serialize_type);
        let started = std::time::Instant::now();
        tokio::spawn(async move {
            // `route` runs inside the guarded future, so a panic while
            // building the handler future is caught too.
            let handler_conn = conn.clone();
            let handled =
                std::panic::AssertUnwindSafe(async move { router.route(handler_conn, request).await })
                    .catch_unwind()
                    .await;
            let response = match handled {
                Ok(response) => response,
                Err(panic) => {
                    let what = panic
                        .downcast_ref::<&str>()
                        .map(|s| (*s).to_owned())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "panic".to_owned());
                    tracing::error!(code, error = %what, "request handler failed");
                    let mut error = RemotingCommand::response_to(
                        &RemotingCommand::default(),
                        ResponseCode::SystemError.code(),
                    )
                    .with_remark(format!("handler failed: {what}"));
                    error.opaque = opaque;
                    error.serialize_type = serialize_type;
                    Some(error)
                }
            };
            record_rpc(code, response.as_ref().filter(|_| !oneway).map(|r| r.code), started);
            if let Some(response) = response.filter(|_| !oneway) {
                conn.send(response).await;
            }
        });
    }

    fn complete(&self, response: RemotingCommand) {
        let waiter = self.0.pending.lock().remove(&response.opaque);
        match waiter {
            Some(w) => {
                let _ = w.send(response);
            }
            None => {
                tracing::debug!(peer = %self.0.peer, opaque = response.opaque, "response to an unknown request dropped")
            }
        }
    }

    /// Closes the connection: both I/O tasks stop (the socket is shut down
    /// once both halves are dropped), pending requests fail with
    /// [`ConnectionError::Closed`], later sends fail, and the router's
    /// `on_close` runs once. Idempotent. Frames still queued for writing
    /// may be lost, as with Netty's `channel.close()`.
    pub fn close(&self) {
        self.0.closed.store(true, Ordering::Release);
        self.0.pending.lock().clear();
        self.0.shutdown.send_replace(true);
    }

    pub fn id(&self) -> u64 {
        self.0.id
    }

    pub fn peer(&self) -> SocketAddr {
        self.0.peer
    }

    pub fn is_closed(&self) -> bool {
        self.0.closed.load(Ordering::Acquire) || self.0.tx.is_closed()
    }

    /// Queues a frame; false if the connection is gone.
    pub async fn send(&self, cmd: RemotingCommand) -> bool {
        self.0.tx.send(cmd).await.is_ok()
    }

    /// Sends a request and waits for its response.
    pub async fn request(
        &self,
        mut cmd: RemotingCommand,
        timeout: Duration,
    ) -> Result<RemotingCommand, ConnectionError> {
        cmd.opaque = NEXT_OPAQUE.fetch_add(1, Ordering::Relaxed);
        cmd.flag &= !crate::command::FLAG_RESPONSE;
        let (tx, rx) = oneshot::channel();
        self.0.pending.lock().insert(cmd.opaque, tx);
        let opaque = cmd.opaque;
        if self.is_closed() || !self.send(cmd).await {
            self.0.pending.lock().remove(&opaque);
            return Err(ConnectionError::Closed(self.0.peer));
        }
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(_)) => Err(ConnectionError::Closed(self.0.peer)),
            Err(_) => {
                self.0.pending.lock().remove(&opaque);
                Err(ConnectionError::Timeout(self.0.peer, timeout))
            }
        }
    }

    /// Sends a request that expects no response.
    pub async fn oneway(&self, cmd: RemotingCommand) -> Result<(), ConnectionError> {
        let mut cmd = cmd.oneway();
        cmd.opaque = NEXT_OPAQUE.fetch_add(1, Ordering::Relaxed);
        if self.send(cmd).await { Ok(()) } else { Err(ConnectionError::Closed(self.0.peer)) }
    }
}
