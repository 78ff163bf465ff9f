use std::collections::BTreeSet;

use crate::testing::*;
use crate::*;

/// [`group_with_master`] with SyncStateSet {1,2,3}.
fn group() -> Controller {
    let mut c = group_with_master();
    alter(&mut c, &[1, 2, 3], 0);
    c
}

#[test]
fn expired_master_triggers_election_others_do_not() {
    let mut c = group();
    beat(&mut c, 1, 5_000);
    let scan = c.scan_inactive(10_001);
    assert!(scan.elections.is_empty(), "slaves 2 and 3 expired: no election");
    assert_eq!(scan.channels_to_close, vec![channel(2), channel(3)], "their connections are closed");
    assert_eq!(c.liveness().len(), 1);
    let scan = c.scan_inactive(15_001);
    let expect =
        ElectionTrigger { broker_name: NAME.into(), reason: TriggerReason::MasterExpired { broker_id: 1 } };
    assert_eq!(scan, InactiveScan { elections: vec![expect], channels_to_close: vec![channel(1)] });
    assert_eq!(c.scan_inactive(15_001), InactiveScan::default());
}

#[test]
fn inactivity_to_new_master_end_to_end() {
    let mut c = group();
    // Slaves keep heartbeating every 3 s; master 1 went silent after t=0.
    for now in [3_000, 6_000, 9_000] {
        beat(&mut c, 2, now);
        c.handle_heartbeat(&hb(3, 0, 100), now).unwrap();
        assert!(c.scan_inactive(now).elections.is_empty());
    }
    let triggers = c.scan_inactive(12_000).elections;
    let expect =
        ElectionTrigger { broker_name: NAME.into(), reason: TriggerReason::MasterExpired { broker_id: 1 } };
    assert_eq!(triggers, vec![expect]);
    let req = ElectMasterRequest::controller_triggered(&triggers[0].broker_name);
    let resp = commit!(&mut c, c.handle_elect_master(&req, 12_000));
    assert_eq!(
        (resp.code, resp.master_broker_id),
        (ResponseCode::Success, Some(3)),
        "3 has the higher offset"
    );
    assert_eq!((sync(&c).master_epoch, sync(&c).sync_state_set.clone()), (2, BTreeSet::from([3])));
    assert!(c.scan_inactive(12_000).elections.is_empty());
    assert!(c.scan_inactive_masters(12_000).is_empty());
}

#[test]
fn inactive_master_scan_catches_dead_master_before_expiry_scan() {
    let mut c = group();
    beat(&mut c, 2, 9_000);
    // No scan_inactive ran, the master's stale entry is still in the table.
    let triggers = c.scan_inactive_masters(10_001);
    assert_eq!(
        triggers,
        vec![ElectionTrigger { broker_name: NAME.into(), reason: TriggerReason::InactiveMaster }]
    );
    let resp =
        commit!(&mut c, c.handle_elect_master(&ElectMasterRequest::controller_triggered(NAME), 10_001));
    assert_eq!(resp.master_broker_id, Some(2));
}

#[test]
fn channel_close_of_master_triggers_at_once() {
    let mut c = group();
    assert!(c.on_channel_closed(channel(2)).is_empty());
    assert!(c.on_channel_closed(99).is_empty(), "a connection no broker heartbeated on");
    let triggers = c.on_channel_closed(channel(1));
    assert_eq!(triggers[0].reason, TriggerReason::MasterChannelClosed { broker_id: 1 });
    assert!(!c.liveness().is_alive(CLUSTER, NAME, 1, 0));
}

#[test]
fn inactive_master_scan_needs_an_alive_replica() {
    let c = group();
    assert!(c.scan_inactive_masters(5_000).is_empty(), "master alive");
    assert!(c.scan_inactive_masters(10_001).is_empty(), "nobody alive: electing is pointless");
}

#[test]
fn get_replica_info_and_sync_state_data() {
    let mut c = group();
    let err = c.handle_get_replica_info("nope", 0).unwrap_err();
    assert_eq!(err.code(), ResponseCode::ControllerBrokerMetadataNotExist);
    alter(&mut c, &[1, 2], 0);
    let (info, events) = c.handle_get_replica_info(NAME, 0).unwrap();
    assert!(events.is_empty());
    assert_eq!(
        (info.master_broker_id, info.master_address.clone(), info.master_epoch),
        (Some(1), Some(addr(1)), 1)
    );
    assert_eq!(info.sync_state_set.sync_state_set, BTreeSet::from([1, 2]));
    beat(&mut c, 1, 5_000);
    let names = [NAME.to_owned(), "unknown".to_owned()];
    let (data, _) = c.handle_get_sync_state_data(&names, 10_001).unwrap();
    assert_eq!(data.replicas_info_table.len(), 1);
    let entry = &data.replicas_info_table[NAME];
    let view = |r: &Vec<ReplicaIdentity>| r.iter().map(|r| (r.broker_id, r.alive)).collect::<Vec<_>>();
    assert_eq!(view(&entry.in_sync_replicas), vec![(1, true), (2, false)]);
    assert_eq!(view(&entry.not_in_sync_replicas), vec![(3, false)]);
    assert_eq!((entry.master_epoch, entry.sync_state_set_epoch), (1, 3));
}

fn clean(ids: Option<&str>, living: bool) -> CleanBrokerDataRequest {
    CleanBrokerDataRequest {
        cluster_name: Some(CLUSTER.into()),
        broker_name: NAME.into(),
        broker_controller_ids_to_clean: ids.map(str::to_owned),
        is_clean_living_broker: living,
    }
}

#[test]
fn clean_broker_data_validation() {
    let c = group();
    let code = |r: &CleanBrokerDataRequest, now| c.handle_clean_broker_data(r, now).unwrap_err().code();
    let invalid = ResponseCode::ControllerInvalidCleanBrokerMetadata;
    assert_eq!(code(&clean(None, false), 0), invalid, "whole set while a master exists");
    assert_eq!(code(&clean(Some("  "), false), 0), invalid, "blank is whole set");
    assert_eq!(code(&clean(Some("2;x"), false), 20_000), invalid, "non-numeric id");
    assert_eq!(code(&clean(Some("2"), false), 0), invalid, "living broker");
    let unknown = CleanBrokerDataRequest { broker_name: "nope".into(), ..clean(Some("2"), true) };
    assert_eq!(code(&unknown, 0), invalid, "unknown set");
}

#[test]
fn clean_broker_data_success() {
    let mut c = group();
    commit!(&mut c, c.handle_clean_broker_data(&clean(Some("2;3"), false), 10_001));
    assert_eq!(c.state().get(NAME).unwrap().ids(), BTreeSet::from([1]));
    assert_eq!(sync(&c).sync_state_set, BTreeSet::from([1]));
    commit!(&mut c, c.handle_clean_broker_data(&clean(None, true), 0));
    assert!(c.state().get(NAME).is_none());
    let names = BrokerNames { cluster_name: CLUSTER.into(), broker_name: NAME.into() };
    assert_eq!(c.handle_get_next_broker_id(&names, 0).unwrap().0.next_broker_id, 1, "ids start over");
}
