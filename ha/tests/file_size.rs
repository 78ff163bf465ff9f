//! P-H12 (spec/ha.md pitfalls): master and slave must share
//! `mappedFileSizeCommitLog`. A slave with smaller files refuses the
//! master's first frame that would span one of its files, names the
//! setting, and keeps nothing torn.

mod common;

use std::time::Duration;

use booster_conf::MessageStoreConfig;
use booster_store::MessageStore;
use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slave_with_another_file_size_refuses_to_replicate() {
    let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    let master = Node::start(1, dirs[0].path(), ha_config()).await;
    master.ha.become_master(1).await.unwrap();
    master.put_many(0..400).await;
    assert!(master.store.max_phy_offset() > FILE_SIZE as i64, "the master fills more than one file");

    let small = FILE_SIZE / 4;
    let config = MessageStoreConfig { mapped_file_size_commit_log: small, ..store_config(dirs[1].path()) };
    let store = MessageStore::open(config).unwrap();
    let slave = Node::on_store(2, dirs[1].path(), store, ha_config()).await;
    slave.ha.become_slave(Some(master.addr()), 1).await.unwrap();

    let mut status = slave.ha.slave_status();
    let refused = bounded(
        "the slave refuses the master's frames",
        Duration::from_secs(10),
        status.wait_for(|s| s.last_error.as_deref().is_some_and(|e| e.contains("mappedFileSizeCommitLog"))),
    )
    .await;
    assert!(refused.is_ok(), "the HA client stopped");
    drop(refused);
    // Whatever the slave kept lies inside its first file and is the
    // master's bytes, never a record split across two files.
    let kept = slave.store.max_phy_offset();
    assert!(kept <= small as i64, "kept {kept} bytes");
    assert_eq!(commit_log_bytes(&slave.root, 0, kept), commit_log_bytes(&master.root, 0, kept));
    assert!(!master.sync_state_set().contains(&2), "a refusing slave never joins the SyncStateSet");
    slave.stop().await;
    master.stop().await;
}
