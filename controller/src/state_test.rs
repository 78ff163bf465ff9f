use std::collections::BTreeSet;

use proptest::prelude::*;

use super::*;

fn apply_id(name: &str, id: i64, code: &str) -> Event {
    Event::ApplyBrokerId {
        cluster_name: "c".into(),
        broker_name: name.into(),
        broker_address: format!("addr-{id}"),
        new_broker_id: id,
        register_check_code: code.into(),
    }
}

fn elect(name: &str, id: Option<i64>) -> Event {
    Event::ElectMaster { broker_name: name.into(), new_master_broker_id: id }
}

#[test]
fn apply_broker_id_creates_then_adds_and_ignores_duplicates() {
    let mut s = ReplicasState::new();
    s.apply(&apply_id("a", 1, "x"));
    let set = s.get("a").unwrap();
    assert_eq!((set.replicas.next_assign_broker_id, set.sync.clone()), (2, SyncStateInfo::default()));
    s.apply(&apply_id("a", 2, "y"));
    s.apply(&apply_id("a", 2, "z"));
    let set = s.get("a").unwrap();
    assert_eq!(set.replicas.next_assign_broker_id, 3);
    assert_eq!(set.replicas.broker_ids[&2].register_check_code, "y");
}

#[test]
fn elect_master_true_and_false() {
    let mut s = ReplicasState::new();
    s.apply(&apply_id("a", 1, "x"));
    s.apply(&elect("a", Some(1)));
    s.apply(&Event::AlterSyncStateSet {
        broker_name: "a".into(),
        new_sync_state_set: BTreeSet::from([1, 2]),
    });
    let expect = SyncStateInfo {
        master_broker_id: Some(1),
        master_epoch: 1,
        sync_state_set: BTreeSet::from([1, 2]),
        sync_state_set_epoch: 2,
    };
    assert_eq!(s.get("a").unwrap().sync, expect);
    s.apply(&elect("a", None));
    let expect = SyncStateInfo { master_broker_id: None, master_epoch: 2, ..expect };
    assert_eq!(s.get("a").unwrap().sync, expect, "no master: set and its epoch unchanged");
}

#[test]
fn events_for_unknown_sets_are_ignored() {
    let mut s = ReplicasState::new();
    s.apply(&elect("a", Some(1)));
    s.apply(&Event::AlterSyncStateSet { broker_name: "a".into(), new_sync_state_set: BTreeSet::new() });
    s.apply(&Event::CleanBrokerData {
        broker_name: "a".into(),
        broker_id_set_to_clean: Some(BTreeSet::from([1])),
    });
    assert_eq!(s, ReplicasState::new());
}

#[test]
fn clean_whole_set_or_some_ids() {
    let mut s = ReplicasState::new();
    for id in 1..=3 {
        s.apply(&apply_id("a", id, "x"));
    }
    s.apply(&elect("a", Some(1)));
    s.apply(&Event::AlterSyncStateSet {
        broker_name: "a".into(),
        new_sync_state_set: BTreeSet::from([1, 2]),
    });
    s.apply(&Event::CleanBrokerData {
        broker_name: "a".into(),
        broker_id_set_to_clean: Some(BTreeSet::from([1])),
    });
    let set = s.get("a").unwrap();
    assert_eq!(set.ids(), BTreeSet::from([2, 3]));
    assert_eq!((set.sync.master_broker_id, set.sync.sync_state_set.clone()), (None, BTreeSet::from([2])));
    s.apply(&Event::CleanBrokerData {
        broker_name: "a".into(),
        broker_id_set_to_clean: Some(BTreeSet::from([2, 3])),
    });
    assert!(s.get("a").is_none(), "a set without ids is gone");
    s.apply(&apply_id("b", 1, "x"));
    s.apply(&Event::CleanBrokerData {
        broker_name: "b".into(),
        broker_id_set_to_clean: Some(BTreeSet::new()),
    });
    assert!(s.get("b").is_none());
}

#[test]
fn events_round_trip_through_serde() {
    let events = vec![
        apply_id("a", 1, "x;1"),
        elect("a", None),
        Event::CleanBrokerData { broker_name: "a".into(), broker_id_set_to_clean: None },
    ];
    let json = serde_json::to_string(&events).unwrap();
    assert_eq!(serde_json::from_str::<Vec<Event>>(&json).unwrap(), events);
    assert_eq!(events.iter().map(Event::type_id).collect::<Vec<_>>(), vec![2, 3, 5]);
}

fn arb_ids() -> impl Strategy<Value = BTreeSet<i64>> {
    prop::collection::btree_set(1i64..5, 0..4)
}

fn arb_event() -> impl Strategy<Value = Event> {
    let name = prop::sample::select(vec!["a", "b"]).prop_map(String::from);
    prop_oneof![
        (name.clone(), 1i64..5, 0u8..3).prop_map(|(n, id, code)| apply_id(&n, id, &code.to_string())),
        (name.clone(), prop::option::of(1i64..5)).prop_map(|(n, id)| elect(&n, id)),
        (name.clone(), arb_ids())
            .prop_map(|(n, ids)| Event::AlterSyncStateSet { broker_name: n, new_sync_state_set: ids }),
        (name.clone(), prop::option::of(arb_ids()))
            .prop_map(|(n, ids)| Event::CleanBrokerData { broker_name: n, broker_id_set_to_clean: ids }),
        (name, 1i64..5, 0u8..3).prop_map(|(n, id, a)| Event::UpdateBrokerAddress {
            cluster_name: "c".into(),
            broker_name: n,
            broker_address: format!("moved-{a}"),
            broker_id: id,
        }),
    ]
}

proptest! {
    /// The property Raft relies on: replaying the same log from empty, on any
    /// node and any number of times, yields the same state.
    #[test]
    fn replaying_a_log_is_deterministic(log in prop::collection::vec(arb_event(), 0..60)) {
        let mut first = ReplicasState::new();
        first.apply_all(&log);
        let mut second = ReplicasState::new();
        second.apply_all(&log);
        prop_assert_eq!(&first, &second);
        // Replaying a serialized copy (what a Raft log stores) agrees too.
        let stored: Vec<Event> = serde_json::from_str(&serde_json::to_string(&log).unwrap()).unwrap();
        let mut third = ReplicasState::new();
        third.apply_all(&stored);
        prop_assert_eq!(&first, &third);
    }

    /// Epochs only grow, whatever the log.
    #[test]
    fn epochs_are_monotonic(log in prop::collection::vec(arb_event(), 0..60)) {
        let mut s = ReplicasState::new();
        for event in &log {
            let before: Vec<(String, i32, i32)> =
                s.sets().map(|(n, b)| (n.clone(), b.sync.master_epoch, b.sync.sync_state_set_epoch)).collect();
            s.apply(event);
            for (name, me, se) in before {
                if let Some(b) = s.get(&name) {
                    prop_assert!(b.sync.master_epoch >= me && b.sync.sync_state_set_epoch >= se);
                }
            }
        }
    }
}
