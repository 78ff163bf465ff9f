//! Shared by the `server_*` tests: a single-node, in-process test double of
//! the Raft log and request builders. The product always runs the openraft
//! replicator; this one exists only so the request processing can be tested
//! without a cluster.
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use booster_conf::{ControllerConfig, Properties};
use booster_controller::server::ControllerService;
use booster_controller::{Controller, Event, RaftMetadata, ReplicateError, Replicator, SharedController};
use booster_remoting::headers::controller::*;
use booster_remoting::{CommandHeader, RemotingCommand, request};

pub const CLUSTER: &str = "DefaultCluster";
pub const NAME: &str = "broker-a";

/// Applies every write at once, after a yield so that concurrent requests
/// interleave unless the service serializes them.
#[derive(Debug)]
pub struct TestReplicator {
    controller: SharedController,
    leader: AtomicBool,
    pub writes: parking_lot::Mutex<Vec<Vec<Event>>>,
    /// Holds the service's `configStorePath` for as long as the service lives.
    pub config_dir: tempfile::TempDir,
}

impl TestReplicator {
    pub fn set_leader(&self, leader: bool) {
        self.leader.store(leader, Ordering::SeqCst);
    }

    fn check(&self) -> Result<(), ReplicateError> {
        if self.leader.load(Ordering::SeqCst) { Ok(()) } else { Err(ReplicateError::NotLeader) }
    }
}

impl Replicator for TestReplicator {
    async fn write(&self, events: Vec<Event>) -> Result<(), ReplicateError> {
        self.check()?;
        tokio::time::sleep(Duration::from_millis(5)).await;
        self.controller.lock().apply(&events);
        self.writes.lock().push(events);
        Ok(())
    }

    async fn ensure_read(&self) -> Result<(), ReplicateError> {
        tokio::task::yield_now().await;
        self.check()
    }

    fn metadata(&self) -> RaftMetadata {
        let is_leader = self.leader.load(Ordering::SeqCst);
        RaftMetadata {
            group: "group1".into(),
            leader_id: is_leader.then(|| "n0".into()),
            leader_addr: is_leader.then(|| "127.0.0.1:9878".into()),
            is_leader,
            peers: "n0:127.0.0.1:9878;".into(),
        }
    }
}

/// A valid single-node config persisting to `dir`, plus `extra` properties.
pub fn config(dir: &std::path::Path, extra: &str) -> ControllerConfig {
    let text = format!(
        "controllerDLegerGroup=group1\ncontrollerDLegerPeers=n0-127.0.0.1:9878\ncontrollerDLegerSelfId=n0\n\
         configStorePath={}\n{extra}",
        dir.join("controller.properties").display()
    );
    ControllerConfig::load(Properties::parse_str(&text, "test.conf").unwrap()).unwrap().config
}

pub type Service = ControllerService<TestReplicator>;

/// A leader service with `config_extra` properties on top of a valid config.
pub fn service_with(config_extra: &str) -> Arc<Service> {
    let controller: SharedController = Arc::new(parking_lot::Mutex::new(Controller::default()));
    let replicator = Arc::new(TestReplicator {
        controller: Arc::clone(&controller),
        leader: AtomicBool::new(true),
        writes: parking_lot::Mutex::default(),
        config_dir: tempfile::tempdir().unwrap(),
    });
    let config = config(replicator.config_dir.path(), config_extra);
    Arc::new(ControllerService::new(controller, replicator, config))
}

pub fn service() -> Arc<Service> {
    service_with("notifyBrokerRoleChanged=false\n")
}

pub fn req(code: i32, header: &impl CommandHeader) -> RemotingCommand {
    RemotingCommand::request(code).with_ext(header.encode())
}

pub fn addr(id: i64) -> String {
    format!("10.0.0.{id}:10911")
}

pub fn next_id() -> RemotingCommand {
    req(
        request::CONTROLLER_GET_NEXT_BROKER_ID,
        &GetNextBrokerIdRequestHeader { cluster_name: CLUSTER.into(), broker_name: NAME.into() },
    )
}

pub fn apply_id(id: i64, broker_addr: &str) -> RemotingCommand {
    req(
        request::CONTROLLER_APPLY_BROKER_ID,
        &ApplyBrokerIdRequestHeader {
            cluster_name: CLUSTER.into(),
            broker_name: NAME.into(),
            applied_broker_id: id,
            register_check_code: format!("{broker_addr};1700000000000"),
        },
    )
}

pub fn register(id: i64, broker_addr: &str) -> RemotingCommand {
    req(
        request::CONTROLLER_REGISTER_BROKER,
        &RegisterBrokerToControllerRequestHeader {
            cluster_name: CLUSTER.into(),
            broker_name: NAME.into(),
            broker_id: id,
            broker_address: broker_addr.into(),
            invoke_time: None,
        },
    )
}

pub fn heartbeat(id: Option<i64>, broker_addr: &str) -> RemotingCommand {
    heartbeat_expiring(id, broker_addr, 10_000)
}

/// A heartbeat whose live entry expires after `timeout_ms`.
pub fn heartbeat_expiring(id: Option<i64>, broker_addr: &str, timeout_ms: i64) -> RemotingCommand {
    req(
        request::BROKER_HEARTBEAT,
        &BrokerHeartbeatRequestHeader {
            cluster_name: CLUSTER.into(),
            broker_addr: broker_addr.into(),
            broker_name: NAME.into(),
            broker_id: id,
            epoch: Some(0),
            max_offset: Some(0),
            confirm_offset: None,
            heartbeat_timeout_mills: Some(timeout_ms),
            election_priority: None,
        },
    )
}

pub fn elect(id: i64) -> RemotingCommand {
    req(
        request::CONTROLLER_ELECT_MASTER,
        &ElectMasterRequestHeader {
            cluster_name: Some(CLUSTER.into()),
            broker_name: NAME.into(),
            broker_id: Some(id),
            designate_elect: Some(false),
            invoke_time: None,
        },
    )
}

pub fn replica_info(name: &str) -> RemotingCommand {
    req(request::CONTROLLER_GET_REPLICA_INFO, &GetReplicaInfoRequestHeader { broker_name: name.into() })
}

pub fn alter(master: i64, master_epoch: i32, ids: &[i64], sync_state_set_epoch: i32) -> RemotingCommand {
    let body = format!(
        "{{\"syncStateSet\":[{}],\"syncStateSetEpoch\":{sync_state_set_epoch}}}",
        ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
    );
    req(
        request::CONTROLLER_ALTER_SYNC_STATE_SET,
        &AlterSyncStateSetRequestHeader {
            broker_name: NAME.into(),
            master_broker_id: master,
            master_epoch,
            invoke_time: None,
        },
    )
    .with_body(body.into_bytes())
}

pub fn sync_state_data(names_json: &str) -> RemotingCommand {
    RemotingCommand::request(request::CONTROLLER_GET_SYNC_STATE_DATA)
        .with_body(names_json.as_bytes().to_vec())
}

pub fn clean(ids: Option<&str>, living: bool) -> RemotingCommand {
    req(
        request::CLEAN_BROKER_DATA,
        &CleanControllerBrokerDataRequestHeader {
            cluster_name: Some(CLUSTER.into()),
            broker_name: NAME.into(),
            broker_controller_ids_to_clean: ids.map(str::to_owned),
            is_clean_living_broker: Some(living),
            invoke_time: None,
        },
    )
}

pub fn update_config(text: &str) -> RemotingCommand {
    RemotingCommand::request(request::UPDATE_CONTROLLER_CONFIG).with_body(text.as_bytes().to_vec())
}

pub fn body_text(cmd: &RemotingCommand) -> String {
    String::from_utf8(cmd.body.as_deref().unwrap_or_default().to_vec()).unwrap()
}

/// The JSON body decoded as RocketMQ JSON.
pub fn body<T: serde::de::DeserializeOwned>(cmd: &RemotingCommand) -> T {
    booster_model::from_rocketmq_json(&body_text(cmd)).unwrap()
}

pub fn header<H: CommandHeader>(cmd: &RemotingCommand) -> H {
    H::from_command(cmd).unwrap()
}
