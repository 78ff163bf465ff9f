//! Client and server over loopback: multiplexing, oneway, bad frames.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use booster_remoting::codec::RemotingCodec;
use booster_remoting::{
    BoxFuture, Connection, RemotingClient, RemotingCommand, RemotingServer, ResponseCode, Router,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Echoes the body after a delay given in the `delayMs` header; counts oneways.
#[derive(Default)]
struct Echo {
    oneways: AtomicUsize,
}

impl Router for Echo {
    fn route(&self, _conn: Connection, req: RemotingCommand) -> BoxFuture<Option<RemotingCommand>> {
        if req.is_oneway() {
            self.oneways.fetch_add(1, Ordering::SeqCst);
        }
        Box::pin(async move {
            if req.code == 999 {
                panic!("handler bug");
            }
            let delay: u64 = req.ext("delayMs").and_then(|d| d.parse().ok()).unwrap_or(0);
            tokio::time::sleep(Duration::from_millis(delay)).await;
            let mut resp = RemotingCommand::response_to(&req, 0);
            resp.body = req.body.clone();
            Some(resp)
        })
    }
}

async fn server(router: Arc<Echo>) -> RemotingServer {
    RemotingServer::bind("127.0.0.1:0".parse().unwrap(), RemotingCodec { max_frame_bytes: 1 << 20 }, router)
        .await
        .unwrap()
}

#[tokio::test]
async fn responses_are_matched_by_opaque_out_of_order() {
    let echo = Arc::new(Echo::default());
    let srv = server(Arc::clone(&echo)).await;
    let client = RemotingClient::default();
    let addr = srv.local_addr().to_string();
    let mut tasks = Vec::new();
    for i in 0..50u64 {
        let (client, addr) = (client.clone(), addr.clone());
        tasks.push(tokio::spawn(async move {
            let mut req = RemotingCommand::request(10).with_body(format!("msg-{i}").into_bytes());
            req.set_ext("delayMs", (50 - i) % 7 * 5);
            let resp = client.invoke(&addr, req, Duration::from_secs(5)).await.unwrap();
            assert_eq!(resp.body.as_deref(), Some(format!("msg-{i}").as_bytes()));
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    client.invoke_oneway(&addr, RemotingCommand::request(10)).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while echo.oneways.load(Ordering::SeqCst) == 0 {
        assert!(tokio::time::Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn a_panicking_handler_answers_system_error() {
    let srv = server(Arc::default()).await;
    let client = RemotingClient::default();
    let resp = client
        .invoke(&srv.local_addr().to_string(), RemotingCommand::request(999), Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(resp.code, ResponseCode::SystemError.code());
}

#[tokio::test]
async fn garbage_and_oversized_frames_close_only_their_connection() {
    let srv = server(Arc::default()).await;
    let addr = srv.local_addr();
    for bad in [
        b"\x00\x00\x00\x10\x07\x00\x00\x02{}garbage-garbage".to_vec(), // unknown serialize type
        (64u32 << 20).to_be_bytes().to_vec(),                          // 64 MiB frame announced
        b"\x00\x00\x00\x08\x00\x00\x00\x04{no}".to_vec(),              // broken JSON header
    ] {
        let mut raw = TcpStream::connect(addr).await.unwrap();
        raw.write_all(&bad).await.unwrap();
        let mut buf = [0u8; 16];
        let n = tokio::time::timeout(Duration::from_secs(5), raw.read(&mut buf)).await.unwrap().unwrap_or(0);
        assert_eq!(n, 0, "the server closes a connection that sent a bad frame");
    }
    let client = RemotingClient::default();
    let resp = client
        .invoke(
            &addr.to_string(),
            RemotingCommand::request(10).with_body(&b"still serving"[..]),
            Duration::from_secs(5),
        )
        .await
        .unwrap();
    assert_eq!(resp.body.as_deref(), Some(&b"still serving"[..]));
}

#[tokio::test]
async fn requests_to_a_dead_peer_fail_fast_with_the_address() {
    let client = RemotingClient::default();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    drop(listener);
    let err = client.invoke(&addr, RemotingCommand::request(10), Duration::from_secs(1)).await.unwrap_err();
    assert!(err.to_string().contains(&addr), "{err}");
}

/// Counts connections the server saw close.
#[derive(Default)]
struct CloseCounter {
    closed: AtomicUsize,
}

impl Router for CloseCounter {
    fn route(&self, _conn: Connection, req: RemotingCommand) -> BoxFuture<Option<RemotingCommand>> {
        Box::pin(async move { Some(RemotingCommand::response_to(&req, 0)) })
    }

    fn on_close(&self, _conn: &Connection) {
        self.closed.fetch_add(1, Ordering::SeqCst);
    }
}

async fn wait_until(what: &str, f: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !f() {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn dropping_the_last_client_clone_closes_its_connections() {
    let counter = Arc::new(CloseCounter::default());
    let srv = RemotingServer::bind("127.0.0.1:0".parse().unwrap(), RemotingCodec::default(), counter.clone())
        .await
        .unwrap();
    let addr = srv.local_addr().to_string();
    let client = RemotingClient::default();
    let conn = client.connection(&addr).await.unwrap();
    client.invoke(&addr, RemotingCommand::request(10), Duration::from_secs(5)).await.unwrap();
    let clone = client.clone();
    drop(client);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(counter.closed.load(Ordering::SeqCst), 0, "a clone still holds the connection");
    drop(clone);
    wait_until("the server to see the close", || counter.closed.load(Ordering::SeqCst) == 1).await;
    assert!(conn.is_closed(), "handles taken from the client are closed too");
    let err = conn.request(RemotingCommand::request(10), Duration::from_secs(1)).await.unwrap_err();
    assert!(matches!(err, booster_remoting::ConnectionError::Closed(_)), "{err}");
}

#[tokio::test]
async fn close_fails_pending_requests_and_shutdown_allows_reconnecting() {
    let echo = Arc::new(Echo::default());
    let srv = server(Arc::clone(&echo)).await;
    let addr = srv.local_addr().to_string();
    let client = RemotingClient::default();
    let conn = client.connection(&addr).await.unwrap();
    let slow = {
        let conn = conn.clone();
        tokio::spawn(async move {
            let mut req = RemotingCommand::request(10);
            req.set_ext("delayMs", 2_000);
            conn.request(req, Duration::from_secs(10)).await
        })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    conn.close();
    conn.close(); // idempotent
    let result = tokio::time::timeout(Duration::from_secs(1), slow).await.expect("fails at once").unwrap();
    assert!(result.is_err(), "a pending request fails when its connection closes");
    assert!(conn.oneway(RemotingCommand::request(10)).await.is_err() || conn.is_closed());

    // The client notices the closed connection and dials again.
    let resp = client.invoke(&addr, RemotingCommand::request(10), Duration::from_secs(5)).await.unwrap();
    assert_eq!(resp.code, 0);
    let before = client.connection(&addr).await.unwrap();
    client.shutdown().await;
    assert!(before.is_closed());
    let resp = client.invoke(&addr, RemotingCommand::request(10), Duration::from_secs(5)).await.unwrap();
    assert_eq!(resp.code, 0);
}

/// A peer whose accept queue is full drops SYNs: connecting to it hangs
/// until the connect timeout. Calls to other addresses must not wait for it.
#[tokio::test]
async fn a_hanging_connect_holds_up_only_its_own_address() {
    let live = server(Arc::default()).await;
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let stuck = socket.listen(0).unwrap();
    let stuck_addr = stuck.local_addr().unwrap();
    // Fill the (never accepted) queue so the next SYN is dropped.
    let mut fillers = Vec::new();
    while let Ok(Ok(s)) =
        tokio::time::timeout(Duration::from_millis(300), TcpStream::connect(stuck_addr)).await
    {
        fillers.push(s);
    }
    let client = RemotingClient::default();
    let hanging = {
        let client = client.clone();
        tokio::spawn(async move { client.connection(&stuck_addr.to_string()).await.map(|_| ()) })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    let resp = client
        .invoke(&live.local_addr().to_string(), RemotingCommand::request(1), Duration::from_secs(2))
        .await
        .expect("the live address answers while the other one hangs");
    assert_eq!(resp.code, 0);
    assert!(!hanging.is_finished(), "the stuck connect is still pending");
    hanging.abort();
}
