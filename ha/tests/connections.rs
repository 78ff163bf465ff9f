//! The master's per-connection view (`HaService::connections`, the rows of
//! GET_BROKER_HA_STATUS) with a real slave and a hand-written learner-less
//! connection that never shakes hands.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::*;
use tokio::net::TcpStream;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn master_lists_each_slave_connection_with_id_ack_and_rate() {
    let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    let master = Node::start(1, dirs[0].path(), ha_config()).await;
    assert!(master.ha.connections().is_empty(), "no role, no connections");
    master.ha.become_master(1).await.unwrap();
    master.put_many(0..300).await;
    let max = master.store.max_phy_offset();

    let before = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64;
    let slave = Node::start(2, dirs[1].path(), ha_config()).await;
    slave.ha.become_slave(Some(master.addr()), 1).await.unwrap();
    wait_until("SyncStateSet {1,2}", Duration::from_secs(10), || master.sync_state_set() == set(&[1, 2]))
        .await;
    // A socket that never sends a handshake is listed too, without an id.
    let silent = TcpStream::connect(master.addr()).await.unwrap();
    let silent_addr = silent.local_addr().unwrap();
    wait_until("two connections", Duration::from_secs(10), || master.ha.connections().len() == 2).await;

    let conns = master.ha.connections();
    let real = conns.iter().find(|c| c.slave_id == Some(2)).expect("the slave's connection");
    assert!(real.addr.ip().is_loopback());
    assert_ne!(real.addr, silent_addr);
    assert_eq!((real.ack_offset, real.transfer_from_where, real.in_sync), (max, max, true));
    assert!(!real.async_learner);
    assert!(real.last_caught_up_ms.is_some_and(|t| t >= before - 1000), "{real:?}");

    let idle = conns.iter().find(|c| c.addr == silent_addr).expect("the silent connection");
    assert_eq!(
        (idle.slave_id, idle.ack_offset, idle.transfer_from_where, idle.in_sync, idle.last_caught_up_ms),
        (None, -1, -1, false, None)
    );
    assert_eq!(idle.transferred_bytes_per_second, 0);

    // The whole CommitLog went out in one burst: the window after it
    // reports those bytes, and a second later the rate reads 0 again.
    wait_until("the rate shows the burst", Duration::from_secs(10), || {
        master.ha.connections().iter().any(|c| c.transferred_bytes_per_second == max as u64)
    })
    .await;
    wait_until("the rate falls to 0 once idle", Duration::from_secs(10), || {
        master.ha.connections().iter().all(|c| c.transferred_bytes_per_second == 0)
    })
    .await;

    slave.stop().await;
    wait_until("the slave's row goes", Duration::from_secs(10), || {
        master.ha.connections().iter().all(|c| c.slave_id.is_none())
    })
    .await;
    drop(silent);
    master.stop().await;
}
