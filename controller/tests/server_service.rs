//! Request processing through `ControllerService` with the in-process test
//! replicator: every controller-side code of spec §2 and its error codes
//! (spec §4), without sockets.

mod server_support;

use std::collections::BTreeSet;
use std::sync::Arc;

use booster_conf::{ControllerConfig, Properties};
use booster_controller::ResponseCode as Rc;
use booster_controller::{ChannelId, ElectionTrigger};
use booster_model::controller::{BrokerReplicasInfo, ElectMasterResponseBody, SyncStateSet};
use booster_remoting::headers::controller::*;
use booster_remoting::{RemotingCommand, request};
use server_support::*;

async fn call(svc: &Service, cmd: RemotingCommand) -> RemotingCommand {
    call_on(svc, None, cmd).await
}

/// As if `cmd` arrived on connection `channel`.
async fn call_on(svc: &Service, channel: Option<ChannelId>, cmd: RemotingCommand) -> RemotingCommand {
    let resp = svc.handle(channel, &cmd).await;
    assert!(resp.is_response());
    assert_eq!(resp.opaque, cmd.opaque);
    resp
}

async fn code(svc: &Service, cmd: RemotingCommand) -> i32 {
    call(svc, cmd).await.code
}

async fn ok(svc: &Service, cmd: RemotingCommand) -> RemotingCommand {
    let resp = call(svc, cmd).await;
    assert_eq!(resp.code, 0, "remark: {:?}", resp.remark);
    resp
}

/// The connection broker `id` heartbeats on in these tests.
fn channel(id: i64) -> ChannelId {
    id.unsigned_abs()
}

/// Ids 1 and 2 applied and registered, both heartbeating (on [`channel`]).
async fn two_replicas(svc: &Service) {
    for id in 1..=2 {
        let next: GetNextBrokerIdResponseHeader = header(&ok(svc, next_id()).await);
        assert_eq!(next.next_broker_id, Some(id));
        ok(svc, apply_id(id, &addr(id))).await;
        ok(svc, register(id, &addr(id))).await;
        let resp = call_on(svc, Some(channel(id)), heartbeat(Some(id), &addr(id))).await;
        assert_eq!(resp.code, 0);
    }
}

/// Broker `id`'s connection closed.
fn disconnect(svc: &Service, id: i64) -> Vec<ElectionTrigger> {
    svc.controller().lock().on_channel_closed(channel(id))
}

#[tokio::test]
async fn heartbeat_needs_a_broker_id() {
    let svc = service();
    let resp = ok(&svc, heartbeat(Some(1), &addr(1))).await;
    assert_eq!(resp.remark.as_deref(), Some("Heart beat success"));
    assert_eq!(code(&svc, heartbeat(None, &addr(1))).await, Rc::ControllerInvalidRequest.code());
    let no_cluster = RemotingCommand::request(request::BROKER_HEARTBEAT);
    assert_eq!(code(&svc, no_cluster).await, 1, "undecodable header is SYSTEM_ERROR");
    assert_eq!(svc.controller().lock().liveness().len(), 1);
}

#[tokio::test]
async fn ids_are_assigned_then_applied_once() {
    let svc = service();
    let resp = ok(&svc, next_id()).await;
    let h: GetNextBrokerIdResponseHeader = header(&resp);
    assert_eq!(
        (h.cluster_name.as_deref(), h.broker_name.as_deref(), h.next_broker_id),
        (Some(CLUSTER), Some(NAME), Some(1))
    );
    assert_eq!(
        code(&svc, apply_id(2, &addr(2))).await,
        Rc::ControllerBrokerIdInvalid.code(),
        "a new set starts at 1"
    );
    let h: ApplyBrokerIdResponseHeader = header(&ok(&svc, apply_id(1, &addr(1))).await);
    assert_eq!(h.broker_name.as_deref(), Some(NAME));
    ok(&svc, apply_id(1, &addr(1))).await;
    assert_eq!(code(&svc, apply_id(1, &addr(9))).await, Rc::ControllerBrokerIdInvalid.code());
    let h: GetNextBrokerIdResponseHeader = header(&ok(&svc, next_id()).await);
    assert_eq!(h.next_broker_id, Some(2));
}

#[tokio::test]
async fn concurrent_applies_are_serialized() {
    // Pitfall P-C3: without one validate→commit→apply path both would be
    // told they own id 1 (the test replicator yields inside write).
    let svc = service();
    let (a, b) = tokio::join!(call(&svc, apply_id(1, &addr(1))), call(&svc, apply_id(1, &addr(2))));
    let mut codes = [a.code, b.code];
    codes.sort();
    assert_eq!(codes, [0, Rc::ControllerBrokerIdInvalid.code()]);
}

#[tokio::test]
async fn register_reports_master_and_sync_state_set() {
    let svc = service();
    assert_eq!(code(&svc, register(1, &addr(1))).await, Rc::ControllerBrokerNeedToBeRegistered.code());
    two_replicas(&svc).await;
    let resp = ok(&svc, register(2, &addr(2))).await;
    let h: RegisterBrokerToControllerResponseHeader = header(&resp);
    assert_eq!((h.cluster_name.as_deref(), h.master_broker_id), (Some(CLUSTER), None));
    assert_eq!(body::<SyncStateSet>(&resp), SyncStateSet::default());
    ok(&svc, elect(1)).await;
    let resp = ok(&svc, register(2, "10.9.9.9:10911")).await;
    let h: RegisterBrokerToControllerResponseHeader = header(&resp);
    assert_eq!(h.master_broker_id, Some(1));
    assert_eq!(h.master_address, Some(addr(1)));
    assert_eq!((h.master_epoch, h.sync_state_set_epoch), (Some(1), Some(1)));
    assert_eq!(body::<SyncStateSet>(&resp).sync_state_set, BTreeSet::from([1]));
    let state = svc.controller().lock().state().get(NAME).unwrap().address(2).map(str::to_owned);
    assert_eq!(state.as_deref(), Some("10.9.9.9:10911"), "a changed address is committed");
}

#[tokio::test]
async fn elect_master_success_then_still_exist() {
    let svc = service();
    assert_eq!(code(&svc, elect(1)).await, Rc::ControllerBrokerNeedToBeRegistered.code());
    two_replicas(&svc).await;
    let resp = ok(&svc, elect(1)).await;
    let h: ElectMasterResponseHeader = header(&resp);
    assert_eq!((h.master_broker_id, h.master_address.clone()), (Some(1), Some(addr(1))));
    assert_eq!((h.master_epoch, h.sync_state_set_epoch), (Some(1), Some(1)));
    let b: ElectMasterResponseBody = body(&resp);
    let group = b.broker_member_group.expect("member group on SUCCESS");
    assert_eq!((group.cluster.as_str(), group.broker_addrs.len()), (CLUSTER, 2));
    assert_eq!(b.sync_state_set, BTreeSet::from([1]));

    let resp = call(&svc, elect(2)).await;
    assert_eq!(resp.code, Rc::ControllerMasterStillExist.code());
    let h: ElectMasterResponseHeader = header(&resp);
    assert_eq!((h.master_broker_id, h.master_epoch), (Some(1), Some(1)));
    let b: ElectMasterResponseBody = body(&resp);
    assert_eq!((b.broker_member_group, b.sync_state_set), (None, BTreeSet::from([1])));
}

#[tokio::test]
async fn elect_without_live_candidates() {
    let svc = service();
    two_replicas(&svc).await;
    ok(&svc, elect(1)).await;
    disconnect(&svc, 1);
    disconnect(&svc, 2);
    assert_eq!(code(&svc, elect(2)).await, Rc::ControllerElectMasterFailed.code(), "broker-triggered: 2012");
    let resp = call(&svc, elect(-1)).await;
    assert_eq!(resp.code, Rc::ControllerMasterNotAvailable.code(), "controller-triggered: 2004");
    assert!(resp.body.is_none());
    let h: GetReplicaInfoResponseHeader = header(&ok(&svc, replica_info(NAME)).await);
    assert_eq!((h.master_broker_id, h.master_epoch), (None, Some(2)), "2004 commits \"no master\"");
}

#[tokio::test]
async fn replica_info_and_sync_state_data() {
    let svc = service();
    assert_eq!(code(&svc, replica_info(NAME)).await, Rc::ControllerBrokerMetadataNotExist.code());
    two_replicas(&svc).await;
    ok(&svc, elect(1)).await;
    let resp = ok(&svc, replica_info(NAME)).await;
    let h: GetReplicaInfoResponseHeader = header(&resp);
    assert_eq!((h.master_broker_id, h.master_address, h.master_epoch), (Some(1), Some(addr(1)), Some(1)));
    assert_eq!(
        body::<SyncStateSet>(&resp),
        SyncStateSet { sync_state_set: BTreeSet::from([1]), sync_state_set_epoch: 1 }
    );

    let info: BrokerReplicasInfo = body(&ok(&svc, sync_state_data(r#"["broker-a","nope"]"#)).await);
    let set = &info.replicas_info_table[NAME];
    assert_eq!(info.replicas_info_table.len(), 1);
    assert_eq!((set.in_sync_replicas.len(), set.not_in_sync_replicas.len()), (1, 1));
    assert!(set.in_sync_replicas[0].alive);
    for empty in ["[]", ""] {
        let resp = call(&svc, sync_state_data(empty)).await;
        assert_eq!((resp.code, resp.remark.as_deref()), (1, Some("not set any response code")), "{empty:?}");
    }
}

#[tokio::test]
async fn alter_sync_state_set_with_fencing() {
    let svc = service();
    two_replicas(&svc).await;
    ok(&svc, elect(1)).await;
    let resp = ok(&svc, alter(1, 1, &[1, 2], 1)).await;
    let h: AlterSyncStateSetResponseHeader = header(&resp);
    assert_eq!(h.new_sync_state_set_epoch, 2);
    assert_eq!(
        body::<SyncStateSet>(&resp),
        SyncStateSet { sync_state_set: BTreeSet::from([1, 2]), sync_state_set_epoch: 2 }
    );

    assert_eq!(code(&svc, alter(1, 0, &[1], 2)).await, Rc::ControllerFencedMasterEpoch.code());
    assert_eq!(code(&svc, alter(1, 1, &[1], 1)).await, Rc::ControllerFencedSyncStateSetEpoch.code());
    assert_eq!(code(&svc, alter(2, 1, &[2], 2)).await, Rc::ControllerInvalidMaster.code());
    assert_eq!(code(&svc, alter(1, 1, &[1, 2, 7], 2)).await, Rc::ControllerInvalidReplicas.code());
    assert_eq!(
        code(&svc, alter(1, 1, &[1, 2], 2)).await,
        Rc::ControllerAlterSyncStateSetFailed.code(),
        "unchanged"
    );
    disconnect(&svc, 2);
    assert_eq!(code(&svc, alter(1, 1, &[1], 2)).await, 0);
    assert_eq!(code(&svc, alter(1, 1, &[1, 2], 3)).await, Rc::ControllerBrokerNotAlive.code());
    let no_body = RemotingCommand { body: None, ..alter(1, 1, &[1], 3) };
    assert_eq!(code(&svc, no_body).await, 1);
}

#[tokio::test]
async fn clean_broker_data_protects_living_brokers() {
    let svc = service();
    assert_eq!(
        code(&svc, clean(None, false)).await,
        Rc::ControllerInvalidCleanBrokerMetadata.code(),
        "unknown set"
    );
    two_replicas(&svc).await;
    assert_eq!(
        code(&svc, clean(Some("2"), false)).await,
        Rc::ControllerInvalidCleanBrokerMetadata.code(),
        "alive"
    );
    assert_eq!(code(&svc, clean(Some("x"), true)).await, Rc::ControllerInvalidCleanBrokerMetadata.code());
    ok(&svc, clean(Some("2"), true)).await;
    assert_eq!(code(&svc, register(2, &addr(2))).await, Rc::ControllerBrokerNeedToBeRegistered.code());
    ok(&svc, clean(None, true)).await;
    assert_eq!(code(&svc, replica_info(NAME)).await, Rc::ControllerBrokerMetadataNotExist.code());
}

#[tokio::test]
async fn metadata_comes_from_the_replicator() {
    let svc = service();
    let h: GetMetaDataResponseHeader =
        header(&ok(&svc, RemotingCommand::request(request::CONTROLLER_GET_METADATA_INFO)).await);
    assert_eq!(h.group.as_deref(), Some("group1"));
    assert_eq!(h.controller_leader_id.as_deref(), Some("n0"));
    assert_eq!(h.controller_leader_address.as_deref(), Some("127.0.0.1:9878"));
    assert_eq!((h.is_leader, h.peers.as_deref()), (Some(true), Some("n0:127.0.0.1:9878;")));
}

#[tokio::test]
async fn config_get_and_update() {
    let svc = service();
    let get = || RemotingCommand::request(request::GET_CONTROLLER_CONFIG);
    let text = body_text(&ok(&svc, get()).await);
    assert!(
        text.contains("enableElectUncleanMaster=false\n") && text.contains("controllerDLegerGroup=group1\n"),
        "{text}"
    );

    for key in ["configBlackList", "configStorePath", "rocketmqHome"] {
        assert_eq!(code(&svc, update_config(&format!("{key}=x\n"))).await, 16, "{key}");
    }
    assert_eq!(code(&svc, update_config("electMasterMaxRetryCount=many\n")).await, 1);
    assert_eq!(code(&svc, update_config("controllerDLegerSelfId=n5\n")).await, 1, "checked like the file");
    ok(&svc, update_config("enableElectUncleanMaster=true\nscanInactiveMasterInterval=100\n")).await;
    assert!(svc.config().enable_elect_unclean_master);
    assert!(svc.controller().lock().config().enable_elect_unclean_master, "the core follows");
    assert!(body_text(&ok(&svc, get()).await).contains("scanInactiveMasterInterval=100\n"));

    let svc = service_with("configBlackList=enableElectUncleanMaster\n");
    assert_eq!(code(&svc, update_config("enableElectUncleanMaster=true\n")).await, 16);
}

#[tokio::test]
async fn config_updates_are_persisted_to_config_store_path() {
    let svc = service();
    let path = svc.config().config_store_path;
    assert_eq!(code(&svc, update_config("electMasterMaxRetryCount=many\n")).await, 1);
    assert!(!path.exists(), "a refused update writes nothing");
    ok(&svc, update_config("enableElectUncleanMaster=true\nscanInactiveMasterInterval=100\n")).await;
    ok(&svc, update_config("electMasterMaxRetryCount=7\n")).await;
    let saved = ControllerConfig::load(Properties::read_file(&path).unwrap()).unwrap().config;
    assert_eq!(saved, svc.config(), "the file holds every setting, the latest update included");
    assert_eq!(
        (
            saved.enable_elect_unclean_master,
            saved.scan_inactive_master_interval,
            saved.elect_master_max_retry_count
        ),
        (true, 100, 7)
    );
    ok(&svc, RemotingCommand::request(request::UPDATE_CONTROLLER_CONFIG)).await;
    assert_eq!(code(&svc, update_config("configStorePath=/elsewhere\n")).await, 16);
    assert_eq!(ControllerConfig::load(Properties::read_file(&path).unwrap()).unwrap().config, saved);
}

#[tokio::test]
async fn an_unwritable_config_store_path_does_not_fail_the_update() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, "").unwrap();
    let svc = service_with(&format!("configStorePath={}\n", blocker.join("controller.properties").display()));
    ok(&svc, update_config("enableElectUncleanMaster=true\n")).await;
    assert!(svc.config().enable_elect_unclean_master, "applied as in RocketMQ, the failure only logged");
}

#[tokio::test]
async fn unknown_code_is_not_supported() {
    let svc = service();
    assert_eq!(code(&svc, RemotingCommand::request(request::SEND_MESSAGE)).await, 3);
    assert_eq!(code(&svc, RemotingCommand::request(request::NOTIFY_BROKER_ROLE_CHANGED)).await, 3);
}

#[tokio::test]
async fn non_leader_answers_2007_for_leader_only_codes() {
    let svc = service();
    two_replicas(&svc).await;
    let writes = svc.replicator().writes.lock().len();
    svc.replicator().set_leader(false);
    let leader_only = [
        next_id(),
        apply_id(3, &addr(3)),
        register(1, &addr(1)),
        elect(1),
        replica_info(NAME),
        alter(1, 1, &[1, 2], 1),
        sync_state_data(r#"["broker-a"]"#),
        clean(Some("2"), true),
    ];
    for cmd in leader_only {
        let c = cmd.code;
        assert_eq!(code(&svc, cmd).await, Rc::ControllerNotLeader.code(), "code {c}");
    }
    // Every node answers these.
    ok(&svc, heartbeat(Some(1), &addr(1))).await;
    let h: GetMetaDataResponseHeader =
        header(&ok(&svc, RemotingCommand::request(request::CONTROLLER_GET_METADATA_INFO)).await);
    assert_eq!((h.is_leader, h.controller_leader_address), (Some(false), None));
    ok(&svc, RemotingCommand::request(request::GET_CONTROLLER_CONFIG)).await;
    assert_eq!(svc.replicator().writes.lock().len(), writes, "no write on a non-leader");
}

#[tokio::test]
async fn triggered_election_retries_then_gives_up() {
    let svc = service_with("notifyBrokerRoleChanged=false\nelectMasterMaxRetryCount=3\n");
    two_replicas(&svc).await;
    ok(&svc, elect(1)).await;
    disconnect(&svc, 2);
    let triggers = disconnect(&svc, 1);
    assert_eq!(triggers.len(), 1);
    Arc::clone(&svc).run_election_triggers(triggers).await;
    let h: GetReplicaInfoResponseHeader = header(&ok(&svc, replica_info(NAME)).await);
    // Three 2004 attempts, each committing "no master" (pitfall P-C6).
    assert_eq!((h.master_broker_id, h.master_epoch), (None, Some(4)));
}
