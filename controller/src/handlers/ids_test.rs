use crate::testing::*;
use crate::*;

fn apply_req(name: &str, id: i64, code: &str) -> ApplyBrokerIdRequest {
    ApplyBrokerIdRequest {
        cluster_name: CLUSTER.into(),
        broker_name: name.into(),
        applied_broker_id: id,
        register_check_code: code.into(),
    }
}

fn names() -> BrokerNames {
    BrokerNames { cluster_name: CLUSTER.into(), broker_name: NAME.into() }
}

#[test]
fn next_id_is_one_for_unknown_set_and_counts_adds() {
    let mut c = controller(false);
    assert_eq!(c.handle_get_next_broker_id(&names(), 0).unwrap().0.next_broker_id, 1);
    with_replicas(&mut c, 3);
    let (resp, events) = c.handle_get_next_broker_id(&names(), 0).unwrap();
    assert_eq!((resp.next_broker_id, events.len()), (4, 0));
    assert_eq!(c.state().get(NAME).unwrap().ids().into_iter().collect::<Vec<_>>(), vec![1, 2, 3]);
}

#[test]
fn first_id_of_unknown_set_must_be_one() {
    let c = controller(false);
    let err = c.handle_apply_broker_id(&apply_req(NAME, 2, "a:1;5"), 0).unwrap_err();
    assert_eq!(err.code(), ResponseCode::ControllerBrokerIdInvalid);
    let (resp, events) = c.handle_apply_broker_id(&apply_req(NAME, 1, "a:1;5"), 0).unwrap();
    assert_eq!(resp.broker_name, NAME);
    assert_eq!(
        events,
        vec![Event::ApplyBrokerId {
            cluster_name: CLUSTER.into(),
            broker_name: NAME.into(),
            broker_address: "a:1".into(),
            new_broker_id: 1,
            register_check_code: "a:1;5".into(),
        }]
    );
}

#[test]
fn reapply_with_same_check_code_is_idempotent() {
    let mut c = controller(false);
    commit!(&mut c, c.handle_apply_broker_id(&apply_req(NAME, 1, "a:1;5"), 0));
    let before = c.state().clone();
    let retry = commit!(&mut c, c.handle_apply_broker_id(&apply_req(NAME, 1, "a:1;5"), 0));
    assert_eq!(retry.cluster_name, CLUSTER);
    assert_eq!(c.state(), &before, "a duplicate apply changes nothing, not even nextAssignBrokerId");
}

#[test]
fn reapply_with_other_check_code_is_rejected() {
    let mut c = controller(false);
    commit!(&mut c, c.handle_apply_broker_id(&apply_req(NAME, 1, "a:1;5"), 0));
    let err = c.handle_apply_broker_id(&apply_req(NAME, 1, "b:1;6"), 0).unwrap_err();
    assert_eq!(err.code(), ResponseCode::ControllerBrokerIdInvalid);
}

#[test]
fn unused_id_in_known_set_is_accepted_and_address_taken_before_semicolon() {
    let mut c = controller(false);
    commit!(&mut c, c.handle_apply_broker_id(&apply_req(NAME, 1, "a:1;5"), 0));
    commit!(&mut c, c.handle_apply_broker_id(&apply_req(NAME, 7, "b:2;6;x"), 0));
    let set = c.state().get(NAME).unwrap();
    assert_eq!(set.address(7), Some("b:2"));
    assert_eq!(set.replicas.next_assign_broker_id, 3, "P-C10: next is 1 + number of adds");
}

#[test]
fn sets_are_independent() {
    let mut c = controller(false);
    commit!(&mut c, c.handle_apply_broker_id(&apply_req("a", 1, "a:1;5"), 0));
    commit!(&mut c, c.handle_apply_broker_id(&apply_req("b", 1, "b:1;5"), 0));
    assert_eq!(c.state().sets().count(), 2);
}
