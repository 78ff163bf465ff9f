//! Test fixtures: build controllers and drive them with explicit time.

use crate::*;

pub const CLUSTER: &str = "DefaultCluster";
pub const NAME: &str = "broker-a";

pub fn addr(id: i64) -> String {
    format!("10.0.0.{id}:10911")
}

pub fn controller(unclean: bool) -> Controller {
    Controller::new(ControllerConfig { enable_elect_unclean_master: unclean })
}

/// Run a handler's events through `apply`, as the Raft runtime will:
/// `commit!(controller, controller.handle_xxx(..))` returns the response.
macro_rules! commit {
    ($c:expr, $result:expr) => {{
        let (resp, events) = $result.expect("request accepted");
        let c: &mut $crate::Controller = $c;
        c.apply(&events);
        resp
    }};
}
pub(crate) use commit;

/// Apply ids 1..=n to `NAME` the way brokers do (next id, then apply).
pub fn with_replicas(c: &mut Controller, n: i64) {
    for _ in 0..n {
        let names = BrokerNames { cluster_name: CLUSTER.into(), broker_name: NAME.into() };
        let id = commit!(c, c.handle_get_next_broker_id(&names, 0)).next_broker_id;
        let req = ApplyBrokerIdRequest {
            cluster_name: CLUSTER.into(),
            broker_name: NAME.into(),
            applied_broker_id: id,
            register_check_code: format!("{};{id}", addr(id)),
        };
        commit!(c, c.handle_apply_broker_id(&req, 0));
    }
}

pub fn hb(id: i64, epoch: i32, max_offset: i64) -> Heartbeat {
    Heartbeat {
        cluster_name: CLUSTER.into(),
        broker_name: NAME.into(),
        broker_addr: addr(id),
        broker_id: Some(id),
        epoch: Some(epoch),
        max_offset: Some(max_offset),
        confirm_offset: None,
        heartbeat_timeout_ms: Some(10_000),
        election_priority: None,
        channel: Some(channel(id)),
    }
}

/// The connection broker `id` heartbeats on in these tests.
pub fn channel(id: i64) -> crate::ChannelId {
    id.unsigned_abs()
}

pub fn beat(c: &mut Controller, id: i64, now_ms: i64) {
    c.handle_heartbeat(&hb(id, 0, 0), now_ms).unwrap();
}

pub fn elect_req(broker_id: Option<i64>, designate: bool) -> ElectMasterRequest {
    ElectMasterRequest {
        cluster_name: CLUSTER.into(),
        broker_name: NAME.into(),
        broker_id,
        designate_elect: designate,
    }
}

/// Broker-triggered election by `id`, committed.
/// Replicas 1..=3 of `NAME`, all heartbeating at t=0, 1 elected master
/// (epochs 1/1, SyncStateSet {1}).
pub fn group_with_master() -> Controller {
    let mut c = controller(false);
    with_replicas(&mut c, 3);
    for id in 1..=3 {
        beat(&mut c, id, 0);
    }
    elect_as(&mut c, 1, 0);
    c
}

pub fn elect_as(c: &mut Controller, id: i64, now_ms: i64) -> ElectMasterResponse {
    commit!(c, c.handle_elect_master(&elect_req(Some(id), false), now_ms))
}

pub fn sync(c: &Controller) -> &SyncStateInfo {
    &c.state().get(NAME).unwrap().sync
}

/// Master alters the set to `ids`, committed.
pub fn alter(c: &mut Controller, ids: &[i64], now_ms: i64) -> AlterSyncStateSetResponse {
    let s = sync(c).clone();
    let req = AlterSyncStateSetRequest {
        broker_name: NAME.into(),
        master_broker_id: s.master_broker_id.unwrap(),
        master_epoch: s.master_epoch,
        new_sync_state_set: SyncStateSet {
            sync_state_set: ids.iter().copied().collect(),
            sync_state_set_epoch: s.sync_state_set_epoch,
        },
    };
    commit!(c, c.handle_alter_sync_state_set(&req, now_ms))
}
