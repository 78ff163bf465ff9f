//! Leader/follower agreement: a leader that validates random requests and
//! applies what it commits ends in the same state as a follower that only
//! replays the committed events. This is the contract the Raft shell needs.

use proptest::prelude::*;

use crate::testing::*;
use crate::*;

#[derive(Debug, Clone)]
enum Op {
    Apply(i64, u8),
    Register(i64, u8),
    Beat(i64, i32, i64),
    Elect(Option<i64>, bool),
    Alter(Vec<i64>, i32),
    Clean(Option<i64>, bool),
    Tick(i64),
}

fn arb_op() -> impl Strategy<Value = Op> {
    let id = 1i64..5;
    prop_oneof![
        (id.clone(), 0u8..2).prop_map(|(i, c)| Op::Apply(i, c)),
        (id.clone(), 0u8..2).prop_map(|(i, a)| Op::Register(i, a)),
        (id.clone(), 0i32..3, 0i64..100).prop_map(|(i, e, o)| Op::Beat(i, e, o)),
        (prop::option::of(id.clone()), any::<bool>()).prop_map(|(i, d)| Op::Elect(i, d)),
        (prop::collection::vec(id.clone(), 1..4), -1i32..1).prop_map(|(v, d)| Op::Alter(v, d)),
        (prop::option::of(id), any::<bool>()).prop_map(|(i, l)| Op::Clean(i, l)),
        (0i64..8_000).prop_map(Op::Tick),
    ]
}

fn run(c: &mut Controller, op: &Op, now: i64) -> Vec<Event> {
    let s = c.state().get(NAME).map(|s| s.sync.clone()).unwrap_or_default();
    let events = match op {
        Op::Apply(id, code) => {
            let req = ApplyBrokerIdRequest {
                cluster_name: CLUSTER.into(),
                broker_name: NAME.into(),
                applied_broker_id: *id,
                register_check_code: format!("{};{code}", addr(*id)),
            };
            c.handle_apply_broker_id(&req, now).map(|r| r.1)
        }
        Op::Register(id, a) => {
            let req = RegisterBrokerRequest {
                cluster_name: CLUSTER.into(),
                broker_name: NAME.into(),
                broker_id: *id,
                broker_address: format!("{}-{a}", addr(*id)),
            };
            c.handle_register_broker(&req, now).map(|r| r.1)
        }
        Op::Beat(id, e, o) => {
            c.handle_heartbeat(&hb(*id, *e, *o), now).ok();
            Ok(Vec::new())
        }
        Op::Elect(id, d) => c.handle_elect_master(&elect_req(*id, *d), now).map(|r| r.1),
        Op::Alter(ids, delta) => {
            let req = AlterSyncStateSetRequest {
                broker_name: NAME.into(),
                master_broker_id: s.master_broker_id.unwrap_or(1),
                master_epoch: s.master_epoch + delta,
                new_sync_state_set: SyncStateSet {
                    sync_state_set: ids.iter().copied().collect(),
                    sync_state_set_epoch: s.sync_state_set_epoch,
                },
            };
            c.handle_alter_sync_state_set(&req, now).map(|r| r.1)
        }
        Op::Clean(id, living) => {
            let req = CleanBrokerDataRequest {
                cluster_name: Some(CLUSTER.into()),
                broker_name: NAME.into(),
                broker_controller_ids_to_clean: id.map(|i| i.to_string()),
                is_clean_living_broker: *living,
            };
            c.handle_clean_broker_data(&req, now).map(|r| r.1)
        }
        Op::Tick(_) => {
            // What the runtime does with a trigger: a controller-triggered election.
            let mut triggers = c.scan_inactive(now).elections;
            triggers.extend(c.scan_inactive_masters(now));
            let mut events = Vec::new();
            for t in triggers {
                if let Ok((_, mut e)) =
                    c.handle_elect_master(&ElectMasterRequest::controller_triggered(&t.broker_name), now)
                {
                    c.apply(&e);
                    events.append(&mut e);
                }
            }
            return events;
        }
    };
    let events = events.unwrap_or_default();
    c.apply(&events);
    events
}

proptest! {
    #[test]
    fn follower_replaying_committed_events_matches_leader(ops in prop::collection::vec(arb_op(), 0..80)) {
        let mut leader = controller(true);
        let mut log = Vec::new();
        let mut now = 0;
        for op in &ops {
            if let Op::Tick(dt) = op {
                now += dt;
            }
            log.extend(run(&mut leader, op, now));
        }
        let mut follower = ReplicasState::new();
        follower.apply_all(&log);
        prop_assert_eq!(leader.state(), &follower);
        if let Some(set) = leader.state().get(NAME) {
            // A master, when set, is always a registered replica and a member
            // of the SyncStateSet it was elected with or expanded from.
            if let Some(m) = set.sync.master_broker_id {
                prop_assert!(set.contains(m));
                prop_assert!(set.sync.sync_state_set.contains(&m));
            }
        }
    }
}
