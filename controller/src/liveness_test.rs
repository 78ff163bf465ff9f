use super::*;
use crate::testing::{CLUSTER, NAME, hb};

#[test]
fn missing_broker_id_is_invalid_request() {
    let mut l = BrokerLiveness::new();
    let err = l.heartbeat(&Heartbeat { broker_id: None, ..hb(1, 0, 0) }, 0).unwrap_err();
    assert_eq!(err.code(), crate::ResponseCode::ControllerInvalidRequest);
    assert!(l.is_empty());
}

#[test]
fn defaults_apply_when_fields_absent() {
    let mut l = BrokerLiveness::new();
    let bare = Heartbeat {
        epoch: None,
        max_offset: None,
        confirm_offset: None,
        heartbeat_timeout_ms: None,
        election_priority: None,
        ..hb(1, 0, 0)
    };
    l.heartbeat(&bare, 7).unwrap();
    let info = l.get(CLUSTER, NAME, 1).unwrap();
    assert_eq!((info.epoch, info.max_offset, info.confirm_offset), (-1, -1, -1));
    assert_eq!((info.heartbeat_timeout_ms, info.election_priority), (10_000, i32::MAX));
    assert_eq!(info.last_update_ms, 7);
}

#[test]
fn alive_until_last_update_plus_timeout_inclusive() {
    let mut l = BrokerLiveness::new();
    l.heartbeat(&Heartbeat { heartbeat_timeout_ms: Some(3_000), ..hb(1, 0, 0) }, 1_000).unwrap();
    assert!(l.is_alive(CLUSTER, NAME, 1, 4_000));
    assert!(!l.is_alive(CLUSTER, NAME, 1, 4_001));
    assert!(!l.is_alive(CLUSTER, NAME, 2, 0), "unknown brokers are not alive");
    assert!(!l.is_alive("other", NAME, 1, 1_000), "keyed by cluster too");
}

#[test]
fn epoch_and_offsets_never_go_down() {
    let mut l = BrokerLiveness::new();
    l.heartbeat(&hb(1, 2, 500), 0).unwrap();
    l.heartbeat(&hb(1, 1, 900), 10).unwrap();
    l.heartbeat(&hb(1, 2, 400), 20).unwrap();
    let info = l.get(CLUSTER, NAME, 1).unwrap();
    assert_eq!((info.epoch, info.max_offset, info.last_update_ms), (2, 500, 20));
    l.heartbeat(&hb(1, 2, 600), 30).unwrap();
    assert_eq!(l.get(CLUSTER, NAME, 1).unwrap().max_offset, 600);
    l.heartbeat(&hb(1, 3, 0), 40).unwrap();
    assert_eq!(l.get(CLUSTER, NAME, 1).unwrap().epoch, 3);
}

#[test]
fn remove_expired_and_by_channel() {
    let mut l = BrokerLiveness::new();
    l.heartbeat(&hb(1, 0, 0), 0).unwrap();
    l.heartbeat(&hb(2, 0, 0), 5_000).unwrap();
    assert!(l.remove_expired(10_000).is_empty());
    let gone = l.remove_expired(10_001);
    assert_eq!(gone.iter().map(|(g, i)| (g.broker_id, i.channel)).collect::<Vec<_>>(), vec![(1, Some(1))]);
    assert_eq!(l.len(), 1);
    assert!(l.remove_by_channel(1).is_empty());
    assert_eq!(l.remove_by_channel(2).len(), 1);
    assert!(l.is_empty());
}

#[test]
fn a_broker_lives_on_its_latest_connection() {
    let mut l = BrokerLiveness::new();
    l.heartbeat(&hb(1, 0, 0), 0).unwrap();
    l.heartbeat(&Heartbeat { channel: Some(7), ..hb(1, 0, 0) }, 10).unwrap();
    assert!(l.remove_by_channel(1).is_empty(), "the old connection closing after a reconnect");
    assert_eq!(l.get(CLUSTER, NAME, 1).unwrap().channel, Some(7));
    let gone = l.remove_by_channel(7);
    assert_eq!(gone[0].0.broker_id, 1);
}

#[test]
fn one_connection_may_carry_several_brokers() {
    let mut l = BrokerLiveness::new();
    for id in [1, 2] {
        l.heartbeat(&Heartbeat { channel: Some(9), ..hb(id, 0, 0) }, 0).unwrap();
    }
    l.heartbeat(&hb(3, 0, 0), 0).unwrap();
    assert_eq!(l.remove_by_channel(9).len(), 2);
    assert_eq!(l.len(), 1);
}
