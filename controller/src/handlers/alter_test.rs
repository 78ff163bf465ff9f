use std::collections::BTreeSet;

use crate::testing::*;
use crate::*;

fn req(c: &Controller, master: i64, ids: &[i64]) -> AlterSyncStateSetRequest {
    let s = sync(c);
    AlterSyncStateSetRequest {
        broker_name: NAME.into(),
        master_broker_id: master,
        master_epoch: s.master_epoch,
        new_sync_state_set: SyncStateSet {
            sync_state_set: ids.iter().copied().collect(),
            sync_state_set_epoch: s.sync_state_set_epoch,
        },
    }
}

fn code(c: &Controller, r: &AlterSyncStateSetRequest, now_ms: i64) -> ResponseCode {
    c.handle_alter_sync_state_set(r, now_ms).unwrap_err().code()
}

#[test]
fn expand_then_shrink() {
    let mut c = group_with_master();
    let resp = alter(&mut c, &[1, 2, 3], 0);
    assert_eq!(resp.new_sync_state_set_epoch, 2);
    assert_eq!(resp.sync_state_set.sync_state_set, BTreeSet::from([1, 2, 3]));
    assert_eq!(sync(&c).sync_state_set, BTreeSet::from([1, 2, 3]));
    alter(&mut c, &[1, 3], 0);
    assert_eq!((sync(&c).sync_state_set.clone(), sync(&c).sync_state_set_epoch), (BTreeSet::from([1, 3]), 3));
    assert_eq!(sync(&c).master_epoch, 1, "altering never touches the master epoch");
}

#[test]
fn unknown_set_and_unchanged_set_fail() {
    let c = group_with_master();
    let mut r = req(&c, 1, &[1, 2]);
    r.broker_name = "nope".into();
    assert_eq!(code(&c, &r, 0), ResponseCode::ControllerAlterSyncStateSetFailed);
    assert_eq!(code(&c, &req(&c, 1, &[1]), 0), ResponseCode::ControllerAlterSyncStateSetFailed);
}

#[test]
fn only_the_master_may_alter() {
    let c = group_with_master();
    assert_eq!(code(&c, &req(&c, 2, &[1, 2]), 0), ResponseCode::ControllerInvalidMaster);
    let mut no_master = controller(false);
    with_replicas(&mut no_master, 2);
    let r = req(&no_master, 1, &[1, 2]);
    assert_eq!(code(&no_master, &r, 0), ResponseCode::ControllerInvalidMaster);
}

#[test]
fn stale_master_epoch_is_fenced() {
    let c = group_with_master();
    let mut r = req(&c, 1, &[1, 2]);
    r.master_epoch -= 1;
    assert_eq!(code(&c, &r, 0), ResponseCode::ControllerFencedMasterEpoch);
    r.master_epoch += 2;
    assert_eq!(code(&c, &r, 0), ResponseCode::ControllerFencedMasterEpoch, "future epochs are fenced too");
}

#[test]
fn stale_sync_state_set_epoch_is_fenced() {
    let mut c = group_with_master();
    let stale = req(&c, 1, &[1, 2]);
    alter(&mut c, &[1, 3], 0);
    assert_eq!(code(&c, &stale, 0), ResponseCode::ControllerFencedSyncStateSetEpoch);
}

#[test]
fn deposed_master_is_fenced_after_reelection() {
    let mut c = group_with_master();
    alter(&mut c, &[1, 2], 0);
    let old = req(&c, 1, &[1, 2, 3]);
    // 1 stops heartbeating; 2 takes over.
    beat(&mut c, 2, 9_000);
    beat(&mut c, 3, 9_000);
    commit!(&mut c, c.handle_elect_master(&ElectMasterRequest::controller_triggered(NAME), 10_001));
    assert_eq!(sync(&c).master_broker_id, Some(2));
    assert_eq!(code(&c, &old, 10_001), ResponseCode::ControllerInvalidMaster);
}

#[test]
fn replicas_must_be_registered_and_alive() {
    let c = group_with_master();
    assert_eq!(code(&c, &req(&c, 1, &[1, 9]), 0), ResponseCode::ControllerInvalidReplicas);
    assert_eq!(code(&c, &req(&c, 1, &[1, 2]), 10_001), ResponseCode::ControllerBrokerNotAlive);
}

#[test]
fn new_set_must_contain_master() {
    let c = group_with_master();
    assert_eq!(code(&c, &req(&c, 1, &[2, 3]), 0), ResponseCode::ControllerAlterSyncStateSetFailed);
}
