//! Hostile input against the real processes:
//!
//! - `bad_frames_leave_servers_serving`: garbage, an invalid header length,
//!   an oversized frame (spec/remoting.md §1: > 16 MiB → close) and random
//!   bytes sent over raw TCP to the broker and to the name server each get
//!   their connection closed, a well-formed request with an unknown code is
//!   answered REQUEST_CODE_NOT_SUPPORTED on a connection that stays usable,
//!   and afterwards the client's existing and new connections still produce
//!   and consume.
//! - `bad_config_names_the_key`: `mqbroker -c` / `mqnamesrv -c` with a value
//!   that does not parse exit non-zero naming the key (and the file:line).

#![recursion_limit = "256"]

mod support;

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rocketmq_client_rust::SendStatus;
use support::{
    Cluster, bin, count_unique, create_topic, keyed, start_collector, start_producer, unique, wait_until,
};

/// Writes `bytes` (ignoring a reset caused by an early close) and reports
/// whether the peer closed the connection within `timeout` without sending
/// anything.
fn closed_after(addr: SocketAddr, bytes: &[u8], timeout: Duration) -> Result<(), String> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(5))).unwrap();
    if let Err(e) = s.write_all(bytes) {
        // Closed while we were still writing: that is a close.
        if matches!(e.kind(), ErrorKind::BrokenPipe | ErrorKind::ConnectionReset) {
            return Ok(());
        }
        return Err(format!("write: {e}"));
    }
    let deadline = Instant::now() + timeout;
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => return Err(format!("server answered {n} bytes instead of closing")),
            Err(e) if matches!(e.kind(), ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted) => {
                return Ok(());
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if Instant::now() >= deadline {
                    return Err(format!("connection still open after {timeout:?}"));
                }
            }
            Err(e) => return Err(format!("read: {e}")),
        }
    }
}

fn frame(header: &[u8], body: &[u8]) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&((4 + header.len() + body.len()) as i32).to_be_bytes());
    f.extend_from_slice(&(header.len() as i32).to_be_bytes()); // serialize type 0 = JSON
    f.extend_from_slice(header);
    f.extend_from_slice(body);
    f
}

/// The hostile inputs: (name, bytes).
fn bad_inputs() -> Vec<(&'static str, Vec<u8>)> {
    let mut oversized = Vec::new();
    oversized.extend_from_slice(&(16 * 1024 * 1024 + 1i32).to_be_bytes());
    oversized.extend_from_slice(&20i32.to_be_bytes());
    oversized.extend_from_slice(&[b'x'; 64 * 1024]);
    let mut huge_negative = Vec::new();
    huge_negative.extend_from_slice(&(-5i32).to_be_bytes());
    huge_negative.extend_from_slice(&[0u8; 16]);
    let mut bad_header_len = Vec::new();
    bad_header_len.extend_from_slice(&8i32.to_be_bytes());
    bad_header_len.extend_from_slice(&100i32.to_be_bytes());
    bad_header_len.extend_from_slice(&[0u8; 4]);
    // xorshift: deterministic noise.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let noise: Vec<u8> = (0..64 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    vec![
        ("http request", b"GET / HTTP/1.1\r\nHost: booster\r\n\r\n".to_vec()),
        ("json header that is not json", frame(b"{this is not json!", b"")),
        ("header length beyond the frame", bad_header_len),
        ("negative length", huge_negative),
        ("oversized frame (16 MiB + 1)", oversized),
        ("64 KiB of noise", noise),
    ]
}

/// A well-formed request with an unknown code: answered
/// REQUEST_CODE_NOT_SUPPORTED (3) with the same opaque; the connection
/// stays open for a second request.
fn unknown_code_answered(addr: SocketAddr) {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    for opaque in [7, 8] {
        let header = format!(
            r#"{{"code":9999,"language":"JAVA","version":479,"opaque":{opaque},"flag":0,"extFields":{{}}}}"#
        );
        s.write_all(&frame(header.as_bytes(), b"")).unwrap();
        let mut len = [0u8; 4];
        s.read_exact(&mut len).unwrap_or_else(|e| panic!("{addr}: no answer to an unknown code: {e}"));
        let len = i32::from_be_bytes(len) as usize;
        let mut rest = vec![0u8; len];
        s.read_exact(&mut rest).unwrap();
        let header_len = (u32::from_be_bytes(rest[..4].try_into().unwrap()) & 0x00FF_FFFF) as usize;
        let header = String::from_utf8_lossy(&rest[4..4 + header_len]).into_owned();
        let compact: String = header.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(compact.contains(r#""code":3,"#) || compact.contains(r#""code":3}"#), "{addr}: {header}");
        assert!(compact.contains(&format!(r#""opaque":{opaque}"#)), "{addr}: {header}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_frames_leave_servers_serving() {
    let mut cluster = Cluster::start();
    let ns = cluster.namesrv_addr.clone();
    let topic = unique("E2E_ROBUST");
    create_topic(&ns, &topic, 2).await;

    // A producer with live connections to both servers before the abuse.
    let producer = Arc::new(start_producer(&ns, &unique("robust_p")).await);
    let r = producer.send(keyed(&topic, "T", "before")).await.expect("send").expect("result");
    assert_eq!(r.send_status, SendStatus::SendOk);

    let broker = cluster.broker_addr();
    let namesrv: SocketAddr = ns.parse().unwrap();
    for (who, addr) in [("broker", broker), ("namesrv", namesrv)] {
        for (name, bytes) in bad_inputs() {
            let outcome =
                tokio::task::spawn_blocking(move || closed_after(addr, &bytes, Duration::from_secs(5)))
                    .await
                    .unwrap();
            assert!(outcome.is_ok(), "{who}: {name}: {}", outcome.unwrap_err());
        }
        tokio::task::spawn_blocking(move || unknown_code_answered(addr)).await.unwrap();
    }
    assert!(cluster.broker_mut().try_wait().is_none(), "broker died");
    assert!(cluster.namesrv.try_wait().is_none(), "name server died");

    // The old connection still works …
    let r = producer.send(keyed(&topic, "T", "after-old")).await.expect("send").expect("result");
    assert_eq!(r.send_status, SendStatus::SendOk);
    // … and so do new clients.
    let mut fresh = start_producer(&ns, &unique("robust_p2")).await;
    let r = fresh.send(keyed(&topic, "T", "after-new")).await.expect("send").expect("result");
    assert_eq!(r.send_status, SendStatus::SendOk);
    let (mut consumer, seen) = start_collector(&ns, &unique("robust_c"), &topic, "*").await;
    let ok = {
        let s = seen.clone();
        wait_until(Duration::from_secs(30), move || count_unique(&s) >= 3).await
    };
    consumer.shutdown().await;
    fresh.shutdown().await;
    let keys: std::collections::BTreeSet<String> = seen.lock().unwrap().keys().cloned().collect();
    assert!(ok, "consumer got {keys:?}");
    assert_eq!(keys, ["after-new", "after-old", "before"].iter().map(|s| s.to_string()).collect());
}

/// Runs `cmd` with a bounded wait; returns (exit code, stdout + stderr).
fn run_bounded(mut cmd: Command, timeout: Duration) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("out");
    let out = std::fs::File::create(&out_path).unwrap();
    let err = out.try_clone().unwrap();
    let mut child = cmd.stdin(Stdio::null()).stdout(out).stderr(err).spawn().unwrap();
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{cmd:?} did not exit within {timeout:?}: {}",
                std::fs::read_to_string(&out_path).unwrap()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (status.code(), std::fs::read_to_string(&out_path).unwrap())
}

#[test]
fn bad_config_names_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");

    // A value that does not parse: exit 1, "file:line" and the key.
    let conf = dir.path().join("broker.conf");
    std::fs::write(
        &conf,
        format!(
            "brokerName=broker-bad\nstorePathRootDir={}\n# comment\nlistenPort=not-a-port\n",
            store.display()
        ),
    )
    .unwrap();
    let mut cmd = Command::new(bin("mqbroker"));
    cmd.arg("-c").arg(&conf).args(["-n", "127.0.0.1:9"]);
    let (code, out) = run_bounded(cmd, Duration::from_secs(20));
    assert_eq!(code, Some(1), "mqbroker: {out}");
    assert!(
        out.contains("listenPort") && out.contains("not-a-port"),
        "mqbroker output lacks the key/value: {out}"
    );
    assert!(out.contains(&format!("{}:4", conf.display())), "mqbroker output lacks file:line: {out}");

    // A boolean that is not one.
    std::fs::write(&conf, format!("storePathRootDir={}\nautoCreateTopicEnable=maybe\n", store.display()))
        .unwrap();
    let mut cmd = Command::new(bin("mqbroker"));
    cmd.arg("-c").arg(&conf);
    let (code, out) = run_bounded(cmd, Duration::from_secs(20));
    assert_eq!(code, Some(1), "mqbroker: {out}");
    assert!(out.contains("autoCreateTopicEnable"), "mqbroker output lacks the key: {out}");

    // Parses, but cannot start: brokerIP1 is not an address (startup failure, exit 3).
    std::fs::write(
        &conf,
        format!("listenPort=0\nstorePathRootDir={}\nbrokerIP1=not-an-ip\n", store.display()),
    )
    .unwrap();
    let mut cmd = Command::new(bin("mqbroker"));
    cmd.arg("-c").arg(&conf);
    let (code, out) = run_bounded(cmd, Duration::from_secs(20));
    assert_ne!(code, Some(0), "mqbroker started with brokerIP1=not-an-ip: {out}");
    assert!(out.contains("brokerIP1"), "mqbroker output lacks the key: {out}");

    // A missing file.
    let mut cmd = Command::new(bin("mqbroker"));
    cmd.args(["-c", "/nonexistent/booster/broker.conf"]);
    let (code, out) = run_bounded(cmd, Duration::from_secs(20));
    assert_eq!(code, Some(1), "mqbroker: {out}");
    assert!(out.contains("/nonexistent/booster/broker.conf"), "{out}");

    // The name server: same contract (its exit code for config errors is 255).
    let ns_conf = dir.path().join("namesrv.conf");
    std::fs::write(&ns_conf, "listenPort=0\nscanNotActiveBrokerInterval=soon\n").unwrap();
    let mut cmd = Command::new(bin("mqnamesrv"));
    cmd.arg("-c").arg(&ns_conf);
    let (code, out) = run_bounded(cmd, Duration::from_secs(20));
    assert!(code.is_some_and(|c| c != 0), "mqnamesrv exited {code:?}: {out}");
    assert!(out.contains("scanNotActiveBrokerInterval") && out.contains("soon"), "mqnamesrv output: {out}");
}
