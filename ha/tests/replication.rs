//! A master and two slaves over real TCP replicate a CommitLog and end
//! byte-identical; consume queues follow on the slaves.

mod common;

use std::time::{Duration, Instant};

use booster_ha::{HaConfig, Role};
use common::*;

/// An empty master has no first byte to offer a slave (§6.3); its first
/// append must still reach the slave at once, not after a retry period.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_masters_first_put_is_replicated_at_once() {
    let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    // Long retry and heartbeat periods: neither may be what wakes the writer.
    let config = HaConfig {
        transfer_retry: Duration::from_secs(60),
        heartbeat_interval: Duration::from_secs(20),
        housekeeping_interval: Duration::from_secs(60),
        ..ha_config()
    };
    let master = Node::start(1, dirs[0].path(), config.clone()).await;
    master.ha.become_master(1).await.unwrap();
    let slave = Node::start(2, dirs[1].path(), config).await;
    slave.ha.become_slave(Some(master.addr()), 1).await.unwrap();
    wait_until("SyncStateSet {1,2}", Duration::from_secs(10), || master.sync_state_set() == set(&[1, 2]))
        .await;
    let r =
        bounded("allAck put", Duration::from_secs(5), master.ha.put_with(&all_ack(), &[message(0)], true))
            .await
            .unwrap();
    assert_eq!(r.status, booster_ha::HaPutStatus::PutOk);
    // Acked by the slave, not by dropping it from the set (§10.5) after
    // haMaxTimeSlaveNotCatchup.
    assert_eq!(master.sync_state_set(), set(&[1, 2]));
    assert_eq!(slave.store.max_phy_offset(), master.store.max_phy_offset());
    slave.stop().await;
    master.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_slaves_replicate_10_000_messages_byte_identically() {
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let master = Node::start(1, dirs[0].path(), ha_config()).await;
    master.ha.become_master(1).await.unwrap();
    assert_eq!(master.ha.role(), Role::Master { epoch: 1 });
    let mut slaves = Vec::new();
    for (id, dir) in [(2, &dirs[1]), (3, &dirs[2])] {
        let s = Node::start(id, dir.path(), ha_config()).await;
        s.ha.become_slave(Some(master.addr()), 1).await.unwrap();
        slaves.push(s);
    }

    // Default policy (inSyncReplicas=1): puts do not wait; replication is
    // measured from the first append to the last slave ack.
    let start = Instant::now();
    master.put_many(0..10_000).await;
    let appended = start.elapsed();
    let end = master.store.max_phy_offset();
    wait_until("slaves caught up", Duration::from_secs(30), || {
        slaves.iter().all(|s| s.store.max_phy_offset() == end)
    })
    .await;
    let replicated = start.elapsed();
    eprintln!(
        "replicated {} bytes ({} files) to 2 slaves: appends {:?}, all acked {:?} = {:.1} MB/s per slave",
        end,
        end / FILE_SIZE as i64 + 1,
        appended,
        replicated,
        end as f64 / replicated.as_secs_f64() / 1e6
    );

    // Caught-up slaves join the SyncStateSet.
    wait_until("SyncStateSet {1,2,3}", Duration::from_secs(10), || {
        master.sync_state_set() == set(&[1, 2, 3])
    })
    .await;
    assert_eq!(master.ha.put_waiter().quorum().in_sync_replicas, 3);

    // The master's confirm offset reaches the slaves in heartbeats; bytes
    // up to it are identical, including BLANK padding at file ends.
    wait_until("slaves confirmed everything", Duration::from_secs(10), || {
        slaves.iter().all(|s| s.store.confirm_offset() == end)
    })
    .await;
    for s in &slaves {
        assert_same_bytes(&master, s, 0, end);
        assert_eq!(s.ha.epoch_cache().entries(), master.ha.epoch_cache().entries());
        // The dispatcher built the same queues from the replicated bytes.
        wait_until("slave dispatched", Duration::from_secs(10), || s.store.dispatched_offset() >= end).await;
        for q in 0..QUEUES {
            assert_eq!(s.store.max_offset_in_queue(TOPIC, q), master.store.max_offset_in_queue(TOPIC, q));
        }
        assert_eq!(s.store.max_offset_in_queue(TOPIC, 0), 2_500);
    }

    // Puts on a slave are refused.
    let err = slaves[0].ha.put(&[message(0)], true).await.unwrap_err();
    assert!(matches!(err, booster_ha::PutError::NotMaster), "{err}");
    for s in slaves {
        s.stop().await;
    }
    master.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_ack_puts_wait_for_every_member() {
    let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    let master = Node::start(1, dirs[0].path(), ha_config()).await;
    master.ha.become_master(1).await.unwrap();
    let slave = Node::start(2, dirs[1].path(), ha_config()).await;
    slave.ha.become_slave(Some(master.addr()), 1).await.unwrap();
    wait_until("SyncStateSet {1,2}", Duration::from_secs(10), || master.sync_state_set() == set(&[1, 2]))
        .await;

    let start = Instant::now();
    const N: usize = 500;
    for i in 0..N {
        let r = master.ha.put_with(&all_ack(), &[message(i)], true).await.unwrap();
        assert_eq!(r.status, booster_ha::HaPutStatus::PutOk);
        // PUT_OK under allAck: the slave holds the record already.
        assert!(slave.store.max_phy_offset() >= r.append.end_offset());
    }
    let elapsed = start.elapsed();
    eprintln!(
        "{N} sequential allAck puts: {:?} ({:.0} µs each)",
        elapsed,
        elapsed.as_micros() as f64 / N as f64
    );
    slave.stop().await;
    master.stop().await;
}

/// Catch-up throughput: the master holds ~32 MB before the slaves start;
/// measures the time until both acked everything (debug builds are far
/// slower; run with `--release -- --nocapture` for a figure).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catch_up_throughput() {
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    // Production-like file sizes and no index, so that the figure is about
    // replication rather than the creation of thousands of tiny files.
    let config = |root: &std::path::Path| booster_conf::MessageStoreConfig {
        mapped_file_size_commit_log: 8 << 20,
        mapped_file_size_consume_queue: 300_000 * 20,
        message_index_enable: false,
        ..booster_conf::MessageStoreConfig::with_root(root)
    };
    let open = |i: usize| booster_store::MessageStore::open(config(dirs[i].path())).unwrap();
    let master = Node::on_store(1, dirs[0].path(), open(0), ha_config()).await;
    master.ha.become_master(1).await.unwrap();
    let body = bytes::Bytes::from(vec![b'x'; 1024]);
    for i in 0..32_000 {
        let msg = booster_store::MessageToStore { body: body.clone(), ..message(i) };
        master.store.append(&[msg]).unwrap();
    }
    let end = master.store.max_phy_offset();
    let start = Instant::now();
    let mut slaves = Vec::new();
    for (id, i) in [(2, 1), (3, 2)] {
        let s = Node::on_store(id, dirs[i].path(), open(i), ha_config()).await;
        s.ha.become_slave(Some(master.addr()), 1).await.unwrap();
        slaves.push(s);
    }
    wait_until("slaves caught up", Duration::from_secs(120), || {
        slaves.iter().all(|s| s.store.max_phy_offset() == end)
    })
    .await;
    let secs = start.elapsed().as_secs_f64();
    let raw = loopback_copy_secs(end as usize).await;
    eprintln!(
        "catch-up: {:.1} MB to 2 slaves in {:.3} s = {:.0} MB/s per slave; \
         raw loopback copy of the same bytes to 2 readers {:.3} s (ratio {:.2})",
        end as f64 / 1e6,
        secs,
        end as f64 / secs / 1e6,
        raw,
        raw / secs
    );
    for s in &slaves {
        assert_same_bytes(&master, s, 0, end);
    }
    for s in slaves {
        s.stop().await;
    }
    master.stop().await;
}

/// The machine's limit for comparison: `len` bytes written in 32 KiB
/// chunks to each of two loopback readers, in the same runtime.
async fn loopback_copy_secs(len: usize) -> f64 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let start = Instant::now();
    let readers: Vec<_> = (0..2)
        .map(|_| {
            tokio::spawn(async move {
                let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
                let mut buf = vec![0u8; 256 * 1024];
                let mut got = 0;
                while got < len {
                    got += s.read(&mut buf).await.unwrap();
                }
            })
        })
        .collect();
    let chunk = vec![7u8; 32 * 1024];
    let mut writers = Vec::new();
    for _ in 0..2 {
        let (mut s, _) = listener.accept().await.unwrap();
        let chunk = chunk.clone();
        writers.push(tokio::spawn(async move {
            let mut sent = 0;
            while sent < len {
                let n = chunk.len().min(len - sent);
                s.write_all(&chunk[..n]).await.unwrap();
                sent += n;
            }
        }));
    }
    for t in readers.into_iter().chain(writers) {
        t.await.unwrap();
    }
    start.elapsed().as_secs_f64()
}
