//! The master as a Java slave sees it: frames written and parsed by hand
//! from the byte layouts of spec/ha.md §3, not by this crate's codec.

mod common;

use std::time::Duration;

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn be_i32(b: &[u8]) -> i32 {
    i32::from_be_bytes(b[..4].try_into().unwrap())
}

fn be_i64(b: &[u8]) -> i64 {
    i64::from_be_bytes(b[..8].try_into().unwrap())
}

async fn read_exact(s: &mut TcpStream, n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    bounded("read", Duration::from_secs(5), s.read_exact(&mut buf)).await.unwrap();
    buf
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hand_written_slave_handshakes_and_receives_the_commit_log() {
    let dir = tempfile::tempdir().unwrap();
    let master = Node::start(1, dir.path(), ha_config()).await;
    master.ha.become_master(4).await.unwrap();
    master.put_many(0..300).await;
    let max = master.store.max_phy_offset();

    let mut s = TcpStream::connect(master.addr()).await.unwrap();
    // HANDSHAKE: state 1, no flags, slave id 7 (§3.1).
    s.write_all(&[0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7]).await.unwrap();
    let head = read_exact(&mut s, 20).await;
    assert_eq!(be_i32(&head[0..]), 1, "HANDSHAKE state");
    assert_eq!(be_i32(&head[4..]), 12, "one epoch entry");
    assert_eq!(be_i64(&head[8..]), max);
    assert_eq!(be_i32(&head[16..]), 4, "last epoch");
    let entry = read_exact(&mut s, 12).await;
    assert_eq!((be_i32(&entry[0..]), be_i64(&entry[4..])), (4, 0));

    // First ack: offset 0, an empty slave (§3.4).
    s.write_all(&[0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0]).await.unwrap();
    let mut received = Vec::new();
    while (received.len() as i64) < max {
        let h = read_exact(&mut s, 36).await;
        assert_eq!(be_i32(&h[0..]), 2, "TRANSFER state");
        let size = be_i32(&h[4..]) as usize;
        assert!(size <= 32 * 1024, "haTransferBatchSize");
        if size == 0 {
            continue; // heartbeat
        }
        assert_eq!(be_i64(&h[8..]), received.len() as i64, "frames are contiguous");
        assert_eq!((be_i32(&h[16..]), be_i64(&h[20..])), (4, 0), "epoch label");
        assert_eq!(be_i64(&h[28..]), master.store.max_phy_offset(), "live confirm offset");
        let offset = be_i64(&h[8..]);
        assert_eq!(
            offset / FILE_SIZE as i64,
            (offset + size as i64 - 1) / FILE_SIZE as i64,
            "within one file"
        );
        received.extend(read_exact(&mut s, size).await);
    }
    assert_eq!(received, commit_log_bytes(dir.path(), 0, max));

    // Acking everything makes slave 7 a member.
    let mut ack = vec![0, 0, 0, 2];
    ack.extend_from_slice(&max.to_be_bytes());
    s.write_all(&ack).await.unwrap();
    wait_until("slave 7 joins", Duration::from_secs(5), || master.sync_state_set() == set(&[1, 7])).await;

    // A frame in a state a slave never sends kills the connection (§2.3).
    s.write_all(&[0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0]).await.unwrap();
    let mut rest = Vec::new();
    // EOF or reset: either way the read ends, and in bounded time.
    let _ = bounded("connection closed", Duration::from_secs(5), s.read_to_end(&mut rest)).await;
    wait_until("slave 7 removed", Duration::from_secs(5), || master.sync_state_set() == set(&[1])).await;
    master.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ack_before_handshake_and_garbage_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let master = Node::start(1, dir.path(), ha_config()).await;
    master.ha.become_master(1).await.unwrap();
    for bytes in [vec![0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 9], vec![0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4]] {
        let mut s = TcpStream::connect(master.addr()).await.unwrap();
        s.write_all(&bytes).await.unwrap();
        let mut rest = Vec::new();
        let _ = bounded("connection closed", Duration::from_secs(5), s.read_to_end(&mut rest)).await;
        assert!(rest.is_empty());
    }
    // The master is unharmed.
    master.put_many(0..3).await;
    master.stop().await;
}

async fn handshake(s: &mut TcpStream, slave_id: u8) -> i64 {
    s.write_all(&[0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, slave_id]).await.unwrap();
    let head = read_exact(s, 20).await;
    read_exact(s, be_i32(&head[4..]) as usize).await;
    be_i64(&head[8..])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_master_sends_heartbeats_and_drops_a_silent_slave() {
    let dir = tempfile::tempdir().unwrap();
    let config = booster_ha::HaConfig { housekeeping_interval: Duration::from_millis(600), ..ha_config() };
    let master = Node::start(1, dir.path(), config).await;
    master.ha.become_master(1).await.unwrap();
    master.put_many(0..10).await;
    let mut s = TcpStream::connect(master.addr()).await.unwrap();
    let max = handshake(&mut s, 9).await;
    let mut ack = vec![0, 0, 0, 2];
    ack.extend_from_slice(&max.to_be_bytes());
    s.write_all(&ack).await.unwrap();
    // Caught up and idle: empty TRANSFER frames every heartbeat interval
    // (100 ms), carrying the next offset.
    let start = tokio::time::Instant::now();
    for _ in 0..3 {
        let h = read_exact(&mut s, 36).await;
        assert_eq!((be_i32(&h[0..]), be_i32(&h[4..]), be_i64(&h[8..])), (2, 0, max));
    }
    assert!(start.elapsed() < Duration::from_millis(600));
    // The slave says nothing more: closed after haHousekeepingInterval.
    let mut rest = Vec::new();
    let _ = bounded("closed by housekeeping", Duration::from_secs(5), s.read_to_end(&mut rest)).await;
    assert!(start.elapsed() >= Duration::from_millis(500), "not before the housekeeping interval");
    master.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flow_control_limits_bytes_per_second() {
    let dir = tempfile::tempdir().unwrap();
    let config = booster_ha::HaConfig { flow_control: Some(100_000), ..ha_config() };
    let master = Node::start(1, dir.path(), config).await;
    master.ha.become_master(1).await.unwrap();
    master.put_many(0..800).await; // ~130 KB
    let max = master.store.max_phy_offset();
    assert!(max > 100_000 && max < 200_000, "{max}");
    let mut s = TcpStream::connect(master.addr()).await.unwrap();
    handshake(&mut s, 9).await;
    s.write_all(&[0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0]).await.unwrap();
    let start = tokio::time::Instant::now();
    let mut received = 0i64;
    while received < max {
        let h = read_exact(&mut s, 36).await;
        let size = be_i32(&h[4..]) as usize;
        received += read_exact(&mut s, size).await.len() as i64;
        if start.elapsed() < Duration::from_millis(900) {
            assert!(received <= 100_000, "more than the budget within the first second: {received}");
        }
    }
    assert!(start.elapsed() >= Duration::from_millis(900));
    master.stop().await;
}
