//! Handshake truncation over real TCP: a deposed master's tail written
//! under an older epoch is cut at the consistent point, crash-safely, and
//! the replica ends byte-identical to the new master.

mod common;

use std::time::Duration;

use booster_ha::HaConfig;
use booster_ha::frame::HaState;
use booster_store::epoch::EpochFile;
use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_written_under_an_older_epoch_is_truncated() {
    let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    // Epoch 1: B is master, A follows.
    let b = Node::start(2, dirs[1].path(), ha_config()).await;
    b.ha.become_master(1).await.unwrap();
    let a = Node::start(1, dirs[0].path(), ha_config()).await;
    a.ha.become_slave(Some(b.addr()), 1).await.unwrap();
    b.put_many(0..500).await;
    let shared = b.store.max_phy_offset();
    wait_until("A caught up", Duration::from_secs(10), || a.store.max_phy_offset() == shared).await;

    // A dies; B keeps writing in epoch 1 (a tail nobody else has), then
    // dies. A is gone for sure once its store lock is free (a killed task
    // may still append what it had already read).
    a.kill();
    let a_store = open_store(dirs[0].path()).await;
    let shared = a_store.max_phy_offset();
    b.put_many(500..800).await;
    let b_tail_end = b.store.max_phy_offset();
    assert!(b_tail_end > shared);
    let b_root = b.root.clone();
    b.stop().await;

    // Epoch 2: A is master and writes different bytes after `shared`.
    let a = Node::on_store(1, dirs[0].path(), a_store, ha_config()).await;
    a.ha.become_master(2).await.unwrap();
    let epochs: Vec<_> = a.ha.epoch_cache().entries().iter().map(|e| (e.epoch, e.start_offset)).collect();
    assert_eq!(epochs, vec![(1, 0), (2, shared)]);
    a.put_many(10_000..10_400).await;

    // B comes back as a slave: its epoch-1 tail beyond `shared` goes.
    let b = Node::start(2, &b_root, ha_config()).await;
    assert_eq!(b.store.max_phy_offset(), b_tail_end);
    b.ha.become_slave(Some(a.addr()), 2).await.unwrap();
    let end = a.store.max_phy_offset();
    wait_until("B caught up", Duration::from_secs(10), || b.store.max_phy_offset() == end).await;
    wait_until("B confirmed", Duration::from_secs(10), || b.store.confirm_offset() == end).await;
    assert_same_bytes(&a, &b, 0, end);
    assert_eq!(b.ha.epoch_cache().entries(), a.ha.epoch_cache().entries());
    // The epoch file on disk agrees (crash-safe: persisted, not just cached).
    let on_disk = EpochFile::open(store_config(&b_root).epoch_file_path()).unwrap();
    assert_eq!(on_disk.entries(), a.ha.epoch_cache().entries());
    // B's queues hold A's messages, not its own stale tail.
    wait_until("B dispatched", Duration::from_secs(10), || b.store.dispatched_offset() >= end).await;
    let total: i64 = (0..QUEUES).map(|q| b.store.max_offset_in_queue(TOPIC, q)).sum();
    let on_a: i64 = (0..QUEUES).map(|q| a.store.max_offset_in_queue(TOPIC, q)).sum();
    assert_eq!(total, on_a);
    assert!((900..1_200).contains(&total), "A's 500 + 400, plus whatever A got before dying: {total}");
    b.stop().await;
    a.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slave_with_no_common_history_reports_divergence() {
    let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    // Two masters that never replicated to each other, different epochs.
    let a = Node::start(1, dirs[0].path(), ha_config()).await;
    a.ha.become_master(3).await.unwrap();
    a.put_many(0..50).await;
    let b = Node::start(2, dirs[1].path(), ha_config()).await;
    b.ha.become_master(1).await.unwrap();
    b.put_many(100..120).await;
    let b_max = b.store.max_phy_offset();
    b.ha.become_slave(Some(a.addr()), 3).await.unwrap();
    let mut status = b.ha.slave_status();
    bounded("divergence reported", Duration::from_secs(10), status.wait_for(|s| s.diverged)).await.unwrap();
    assert_eq!(b.store.max_phy_offset(), b_max, "nothing truncated or appended");
    b.stop().await;
    a.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_slave_with_sync_from_last_file_starts_at_the_masters_last_file() {
    let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    let master = Node::start(1, dirs[0].path(), ha_config()).await;
    master.ha.become_master(1).await.unwrap();
    master.put_many(0..2_000).await;
    let max = master.store.max_phy_offset();
    let last_file = max - max % FILE_SIZE as i64;
    assert!(last_file > 0);
    let slave = Node::start(2, dirs[1].path(), HaConfig { sync_from_last_file: true, ..ha_config() }).await;
    slave.ha.become_slave(Some(master.addr()), 1).await.unwrap();
    master.put_many(2_000..2_100).await;
    let end = master.store.max_phy_offset();
    wait_until("slave caught up", Duration::from_secs(10), || slave.store.max_phy_offset() == end).await;
    assert_eq!(slave.store.min_phy_offset(), last_file);
    assert_same_bytes(&master, &slave, last_file, end);
    assert_eq!(
        *slave.ha.slave_status().borrow(),
        booster_ha::SlaveStatus { state: HaState::Transfer, ..Default::default() }
    );
    slave.stop().await;
    master.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_epochs_and_a_switchover_keep_replicas_identical() {
    let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    let m = Node::start(1, dirs[0].path(), ha_config()).await;
    m.ha.become_master(1).await.unwrap();
    let s = Node::start(2, dirs[1].path(), ha_config()).await;
    s.ha.become_slave(Some(m.addr()), 1).await.unwrap();
    m.put_many(0..200).await;
    let e2 = m.store.max_phy_offset();
    // Re-elected with a new epoch (§11.2): the slave reconnects and learns
    // the new entry from the first frame labelled with it.
    m.ha.become_master(2).await.unwrap();
    assert!(m.ha.become_master(1).await.is_err(), "an older epoch is refused");
    m.put_many(200..400).await;
    let e3 = m.store.max_phy_offset();
    wait_until("slave caught up", Duration::from_secs(10), || s.store.max_phy_offset() == e3).await;

    // Switchover: the slave becomes master of epoch 3, the old master
    // follows it.
    s.ha.become_master(3).await.unwrap();
    m.ha.become_slave(Some(s.addr()), 3).await.unwrap();
    s.put_many(400..600).await;
    let end = s.store.max_phy_offset();
    wait_until("old master caught up", Duration::from_secs(10), || m.store.max_phy_offset() == end).await;
    let want = vec![(1, 0), (2, e2), (3, e3)];
    for n in [&m, &s] {
        let got: Vec<_> = n.ha.epoch_cache().entries().iter().map(|e| (e.epoch, e.start_offset)).collect();
        assert_eq!(got, want, "node {}", n.id);
    }
    wait_until("confirmed", Duration::from_secs(10), || m.store.confirm_offset() == end).await;
    assert_same_bytes(&m, &s, 0, end);
    m.stop().await;
    s.stop().await;
}
