use std::collections::BTreeSet;

use crate::testing::*;
use crate::*;

/// Replicas 1..=3, all alive at t=0, master 1, SyncStateSet {1,2}.
fn group(unclean: bool) -> Controller {
    let mut c = controller(unclean);
    with_replicas(&mut c, 3);
    for id in 1..=3 {
        beat(&mut c, id, 0);
    }
    elect_as(&mut c, 1, 0);
    alter(&mut c, &[1, 2], 0);
    c
}

fn keep_alive(c: &mut Controller, ids: &[i64], now_ms: i64) {
    for &id in ids {
        beat(c, id, now_ms);
    }
}

#[test]
fn unknown_set_needs_registration() {
    let c = controller(false);
    let err = c.handle_elect_master(&elect_req(Some(1), false), 0).unwrap_err();
    assert_eq!(err.code(), ResponseCode::ControllerBrokerNeedToBeRegistered);
}

#[test]
fn first_election_takes_requester_without_liveness() {
    let mut c = controller(false);
    with_replicas(&mut c, 2);
    let resp = elect_as(&mut c, 2, 0);
    assert_eq!(
        (resp.code, resp.master_broker_id, resp.master_epoch, resp.sync_state_set_epoch),
        (ResponseCode::Success, Some(2), 1, 1)
    );
    assert_eq!(resp.master_address, Some(addr(2)));
    assert_eq!(resp.sync_state_set, BTreeSet::from([2]));
    let group = resp.broker_member_group.unwrap();
    assert_eq!(group.broker_addrs.len(), 2);
    assert_eq!(
        sync(&c),
        &SyncStateInfo {
            master_broker_id: Some(2),
            master_epoch: 1,
            sync_state_set: BTreeSet::from([2]),
            sync_state_set_epoch: 1
        }
    );
}

#[test]
fn first_election_rejects_unregistered_requester() {
    let mut c = controller(false);
    with_replicas(&mut c, 1);
    let err = c.handle_elect_master(&elect_req(Some(5), false), 0).unwrap_err();
    assert_eq!(err.code(), ResponseCode::ControllerBrokerNeedToBeRegistered);
}

#[test]
fn alive_old_master_stays_with_2011() {
    let c = group(false);
    let (resp, events) = c.handle_elect_master(&elect_req(Some(2), false), 5_000).unwrap();
    assert!(events.is_empty());
    assert_eq!(
        (resp.code, resp.master_broker_id, resp.master_epoch),
        (ResponseCode::ControllerMasterStillExist, Some(1), 1)
    );
    assert_eq!(resp.broker_member_group, None);
    assert_eq!(resp.sync_state_set, BTreeSet::from([1, 2]));
}

#[test]
fn dead_master_replaced_by_alive_sync_state_set_member() {
    let mut c = group(false);
    keep_alive(&mut c, &[2, 3], 9_000);
    let resp = elect_as(&mut c, 3, 10_001);
    assert_eq!(
        (resp.code, resp.master_broker_id, resp.master_epoch, resp.sync_state_set_epoch),
        (ResponseCode::Success, Some(2), 2, 3)
    );
    assert_eq!(sync(&c).sync_state_set, BTreeSet::from([2]));
}

#[test]
fn no_alive_member_broker_triggered_fails_without_event() {
    let mut c = group(false);
    keep_alive(&mut c, &[3], 9_000);
    let before = c.state().clone();
    let err = c.handle_elect_master(&elect_req(Some(3), false), 10_001).unwrap_err();
    assert_eq!(err.code(), ResponseCode::ControllerElectMasterFailed);
    assert_eq!(c.state(), &before);
}

#[test]
fn no_alive_member_controller_triggered_clears_master() {
    let mut c = group(false);
    keep_alive(&mut c, &[3], 9_000);
    for wire_id in [None, Some(-1)] {
        let epoch = sync(&c).master_epoch;
        let req = ElectMasterRequest { broker_id: wire_id, ..ElectMasterRequest::controller_triggered(NAME) };
        let resp = commit!(&mut c, c.handle_elect_master(&req, 10_001));
        assert_eq!(
            (resp.code, resp.master_broker_id, resp.master_epoch),
            (ResponseCode::ControllerMasterNotAvailable, None, epoch + 1)
        );
        assert_eq!(sync(&c).master_broker_id, None);
        assert_eq!(sync(&c).master_epoch, epoch + 1, "P-C6: each failed trigger bumps masterEpoch");
        assert_eq!(
            (sync(&c).sync_state_set.clone(), sync(&c).sync_state_set_epoch),
            (BTreeSet::from([1, 2]), 2)
        );
    }
}

#[test]
fn unclean_election_off_vs_on() {
    for (unclean, expect) in [(false, None), (true, Some(3))] {
        let mut c = group(unclean);
        keep_alive(&mut c, &[3], 9_000);
        let result = c.handle_elect_master(&elect_req(Some(3), false), 10_001);
        assert_eq!(result.ok().map(|(r, _)| r.master_broker_id.unwrap()), expect, "unclean={unclean}");
    }
}

#[test]
fn unclean_prefers_sync_state_set_members_first() {
    let mut c = group(true);
    keep_alive(&mut c, &[2, 3], 9_000);
    c.handle_heartbeat(&hb(3, 9, 9_999), 9_000).unwrap();
    assert_eq!(elect_as(&mut c, 3, 10_001).master_broker_id, Some(2));
}

#[test]
fn designated_election_moves_master() {
    let mut c = group(false);
    keep_alive(&mut c, &[1, 2, 3], 1_000);
    let resp = commit!(&mut c, c.handle_elect_master(&elect_req(Some(2), true), 1_000));
    assert_eq!((resp.code, resp.master_broker_id), (ResponseCode::Success, Some(2)));
    // Designating the current master: still exist.
    let (resp, _) = c.handle_elect_master(&elect_req(Some(2), true), 1_000).unwrap();
    assert_eq!(resp.code, ResponseCode::ControllerMasterStillExist);
}

#[test]
fn designated_outside_set_needs_unclean() {
    for (unclean, ok) in [(false, false), (true, true)] {
        let mut c = group(unclean);
        keep_alive(&mut c, &[1, 2, 3], 1_000);
        let result = c.handle_elect_master(&elect_req(Some(3), true), 1_000);
        assert_eq!(result.is_ok(), ok, "unclean={unclean}");
        if let Err(e) = result {
            assert_eq!(e.code(), ResponseCode::ControllerElectMasterFailed);
        }
    }
}

#[test]
fn designated_dead_broker_fails() {
    let mut c = group(true);
    keep_alive(&mut c, &[1, 2], 9_000);
    let err = c.handle_elect_master(&elect_req(Some(3), true), 10_001).unwrap_err();
    assert_eq!(err.code(), ResponseCode::ControllerElectMasterFailed);
}

#[test]
fn ranking_by_epoch_then_offset_then_priority() {
    let mut c = group(false);
    alter(&mut c, &[1, 2, 3], 0);
    c.handle_heartbeat(&hb(2, 1, 500), 9_000).unwrap();
    c.handle_heartbeat(&hb(3, 1, 900), 9_000).unwrap();
    assert_eq!(elect_as(&mut c, 2, 10_001).master_broker_id, Some(3));
}
