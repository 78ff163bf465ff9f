//! A slave dies: the SyncStateSet shrinks, allAck puts continue,
//! minInSyncReplicas puts are refused before the append; the slave comes
//! back, catches up and rejoins.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use booster_ha::proposer::BoxFuture;
use booster_ha::{
    AcceptedSyncStateSet, HaPutStatus, Proposal, ProposeError, PutError, ReplicationPolicy,
    SyncStateSetProposer,
};
use common::*;

fn min_three() -> ReplicationPolicy {
    ReplicationPolicy { min_in_sync_replicas: 3, ..all_ack() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_slave_leaves_the_set_and_rejoins_after_restart() {
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let master = Node::start(1, dirs[0].path(), ha_config()).await;
    master.ha.become_master(1).await.unwrap();
    let s2 = Node::start(2, dirs[1].path(), ha_config()).await;
    s2.ha.become_slave(Some(master.addr()), 1).await.unwrap();
    let s3 = Node::start(3, dirs[2].path(), ha_config()).await;
    s3.ha.become_slave(Some(master.addr()), 1).await.unwrap();
    wait_until("SyncStateSet {1,2,3}", Duration::from_secs(10), || {
        master.sync_state_set() == set(&[1, 2, 3])
    })
    .await;

    for i in 0..200 {
        let r = master.ha.put_with(&min_three(), &[message(i)], true).await.unwrap();
        assert_eq!(r.status, HaPutStatus::PutOk);
    }

    // Kill slave 3. Its connection ends (§8.5) or it stops catching up
    // (§8.4): either way it is gone within haMaxTimeSlaveNotCatchup.
    s3.kill();
    let limit = ha_config().max_time_slave_not_catchup + Duration::from_secs(2);
    wait_until("SyncStateSet {1,2}", limit, || master.sync_state_set() == set(&[1, 2])).await;
    assert_eq!(master.ha.put_waiter().quorum().in_sync_replicas, 2);

    // allAck puts continue with the remaining member.
    for i in 200..300 {
        let r = master.ha.put_with(&all_ack(), &[message(i)], true).await.unwrap();
        assert_eq!(r.status, HaPutStatus::PutOk);
        assert!(s2.store.max_phy_offset() >= r.append.end_offset());
    }
    // minInSyncReplicas=3 is refused before anything is stored.
    let before = master.store.max_phy_offset();
    for i in 0..5 {
        match master.ha.put_with(&min_three(), &[message(i)], true).await {
            Err(PutError::InSyncReplicasNotEnough(e)) => assert_eq!((e.in_sync, e.min), (2, 3)),
            other => panic!("expected IN_SYNC_REPLICAS_NOT_ENOUGH, got {other:?}"),
        }
    }
    assert_eq!(master.store.max_phy_offset(), before, "nothing was appended");

    // Restart slave 3 on its old store: it catches up and rejoins.
    let s3 = Node::start(3, dirs[2].path(), ha_config()).await;
    s3.ha.become_slave(Some(master.addr()), 1).await.unwrap();
    wait_until("slave 3 rejoined", Duration::from_secs(10), || master.sync_state_set() == set(&[1, 2, 3]))
        .await;
    let end = master.store.max_phy_offset();
    assert!(s3.store.max_phy_offset() >= end);
    let r = master.ha.put_with(&min_three(), &[message(300)], true).await.unwrap();
    assert_eq!(r.status, HaPutStatus::PutOk);
    assert!(s3.store.max_phy_offset() >= r.append.end_offset());

    let end = master.store.max_phy_offset();
    wait_until("confirmed everywhere", Duration::from_secs(10), || {
        [&s2, &s3].iter().all(|s| s.store.confirm_offset() == end)
    })
    .await;
    assert_same_bytes(&master, &s2, 0, end);
    assert_same_bytes(&master, &s3, 0, end);
    s3.stop().await;
    s2.stop().await;
    master.stop().await;
}

/// A controller that can be cut off: while `down`, every proposal fails.
#[derive(Default)]
struct FlakyController {
    down: AtomicBool,
}

impl SyncStateSetProposer for FlakyController {
    fn propose(&self, p: Proposal) -> BoxFuture<'_, Result<AcceptedSyncStateSet, ProposeError>> {
        let down = self.down.load(Ordering::SeqCst);
        Box::pin(async move {
            if down {
                return Err(ProposeError("controller unreachable".into()));
            }
            Ok(AcceptedSyncStateSet { sync_state_set: p.sync_state_set, epoch: p.sync_state_set_epoch + 1 })
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_ack_put_times_out_while_a_dead_member_is_still_in_the_set() {
    // The dead member's removal cannot be accepted while the controller is
    // unreachable, so it stays in the effective set (§8.5) and allAck puts
    // end with FLUSH_SLAVE_TIMEOUT — stored on the master all the same.
    let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    let controller = Arc::new(FlakyController::default());
    let master = Node::start_with(1, dirs[0].path(), ha_config(), controller.clone()).await;
    master.ha.become_master(1).await.unwrap();
    let slave = Node::start(2, dirs[1].path(), ha_config()).await;
    slave.ha.become_slave(Some(master.addr()), 1).await.unwrap();
    wait_until("SyncStateSet {1,2}", Duration::from_secs(10), || master.sync_state_set() == set(&[1, 2]))
        .await;

    controller.down.store(true, Ordering::SeqCst);
    slave.kill();
    let policy = ReplicationPolicy { slave_timeout: Duration::from_millis(300), ..all_ack() };
    let r = master.ha.put_with(&policy, &[message(1)], true).await.unwrap();
    assert_eq!(r.status, HaPutStatus::FlushSlaveTimeout);
    assert!(master.store.max_phy_offset() >= r.append.end_offset(), "stored on the master");
    let view = master.ha.sync_state().unwrap();
    assert_eq!((view.local, view.effective), (set(&[1, 2]), set(&[1, 2])));

    // The controller comes back: the retried removal is accepted and puts
    // succeed on the master alone (a set of one, §10.5).
    controller.down.store(false, Ordering::SeqCst);
    wait_until("SyncStateSet {1}", Duration::from_secs(5), || master.sync_state_set() == set(&[1])).await;
    let r = master.ha.put_with(&policy, &[message(2)], true).await.unwrap();
    assert_eq!(r.status, HaPutStatus::PutOk);
    master.stop().await;
}
