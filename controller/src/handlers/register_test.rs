use crate::testing::*;
use crate::*;

fn reg(id: i64, address: &str) -> RegisterBrokerRequest {
    RegisterBrokerRequest {
        cluster_name: CLUSTER.into(),
        broker_name: NAME.into(),
        broker_id: id,
        broker_address: address.into(),
    }
}

#[test]
fn unknown_set_or_id_needs_registration() {
    let mut c = controller(false);
    let code = |c: &Controller, id| c.handle_register_broker(&reg(id, "x"), 0).unwrap_err().code();
    assert_eq!(code(&c, 1), ResponseCode::ControllerBrokerNeedToBeRegistered);
    with_replicas(&mut c, 1);
    assert_eq!(code(&c, 2), ResponseCode::ControllerBrokerNeedToBeRegistered);
}

#[test]
fn same_address_emits_no_event_and_no_master_before_election() {
    let mut c = controller(false);
    with_replicas(&mut c, 2);
    let (resp, events) = c.handle_register_broker(&reg(2, &addr(2)), 0).unwrap();
    assert!(events.is_empty());
    assert_eq!(resp.master, None);
    assert_eq!(resp.sync_state_set, SyncStateSet::default());
}

#[test]
fn changed_address_is_updated_keeping_check_code() {
    let mut c = controller(false);
    with_replicas(&mut c, 2);
    let code = c.state().get(NAME).unwrap().replicas.broker_ids[&2].register_check_code.clone();
    commit!(&mut c, c.handle_register_broker(&reg(2, "10.9.9.9:10911"), 0));
    let info = &c.state().get(NAME).unwrap().replicas.broker_ids[&2];
    assert_eq!((info.address.as_str(), &info.register_check_code), ("10.9.9.9:10911", &code));
}

#[test]
fn master_reported_only_while_alive() {
    let mut c = controller(false);
    with_replicas(&mut c, 2);
    beat(&mut c, 1, 1_000);
    elect_as(&mut c, 1, 1_000);
    let (resp, _) = c.handle_register_broker(&reg(2, &addr(2)), 5_000).unwrap();
    let master = resp.master.expect("alive master reported");
    assert_eq!((master.master_broker_id, master.master_epoch, master.sync_state_set_epoch), (1, 1, 1));
    assert_eq!(master.master_address, addr(1));
    assert_eq!(resp.sync_state_set.sync_state_set_epoch, 1);
    // 1_000 + 10_000 is the last alive instant.
    assert!(c.handle_register_broker(&reg(2, &addr(2)), 11_000).unwrap().0.master.is_some());
    assert_eq!(c.handle_register_broker(&reg(2, &addr(2)), 11_001).unwrap().0.master, None);
}
