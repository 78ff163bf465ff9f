//! A scripted fake controller for tests: real `RemotingServer`s on
//! 127.0.0.1 port 0 answering the controller codes of spec/controller.md
//! §4 from an in-test table (one per fake "raft group", shared by its
//! nodes). Liveness is not modelled (every registered replica is alive);
//! a node that is not the leader answers 2007 to leader-only requests.
//! Shared by the controller-client and broker integration tests.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use booster_model::controller::{ElectMasterResponseBody, ResponseCode as Code, SyncStateSet};
use booster_model::{from_rocketmq_json, to_rocketmq_json};
use booster_remoting::header::CommandHeader;
use booster_remoting::headers::controller::*;
use booster_remoting::{
    BoxFuture, Connection, ExtFields, RemotingClient, RemotingCodec, RemotingCommand, RemotingServer, Router,
    request,
};
use parking_lot::Mutex;

/// One broker set in the table.
#[derive(Debug, Clone, Default)]
pub struct BrokerSet {
    pub cluster: String,
    pub next_id: i64,
    /// id → (address, register check code).
    pub replicas: BTreeMap<i64, (String, String)>,
    pub master: Option<i64>,
    pub master_epoch: i32,
    pub sync_state_set: BTreeSet<i64>,
    pub sync_state_set_epoch: i32,
}

/// The replicated state of the fake group.
#[derive(Debug, Default)]
pub struct Table {
    pub sets: HashMap<String, BrokerSet>,
    /// What GET_METADATA_INFO names as leader.
    pub leader: String,
    /// Every request received: (node address, code, header fields).
    pub log: Vec<(String, i32, ExtFields)>,
    /// Scripted answer code for the next ALTER_SYNC_STATE_SET.
    pub alter_override: Option<i32>,
}

#[derive(Clone)]
pub struct FakeGroup {
    pub table: Arc<Mutex<Table>>,
}

pub struct FakeNode {
    pub addr: String,
    leader: Arc<AtomicBool>,
    _server: RemotingServer,
}

impl FakeNode {
    pub fn set_leader(&self, is_leader: bool) {
        self.leader.store(is_leader, Ordering::Release);
    }
}

impl FakeGroup {
    pub fn new() -> Self {
        Self { table: Arc::new(Mutex::new(Table::default())) }
    }

    pub async fn node(&self, is_leader: bool) -> FakeNode {
        let leader = Arc::new(AtomicBool::new(is_leader));
        let router =
            Arc::new(FakeRouter { group: self.clone(), leader: Arc::clone(&leader), addr: Mutex::default() });
        let server = RemotingServer::bind(
            "127.0.0.1:0".parse::<SocketAddr>().unwrap(),
            RemotingCodec::default(),
            Arc::clone(&router) as Arc<dyn Router>,
        )
        .await
        .unwrap();
        let addr = server.local_addr().to_string();
        *router.addr.lock() = addr.clone();
        if is_leader {
            self.table.lock().leader = addr.clone();
        }
        FakeNode { addr, leader, _server: server }
    }

    pub fn set(&self, name: &str) -> Option<BrokerSet> {
        self.table.lock().sets.get(name).cloned()
    }

    /// Codes received, in order (optionally only those sent to `node`).
    pub fn codes(&self, node: Option<&str>) -> Vec<i32> {
        self.table
            .lock()
            .log
            .iter()
            .filter(|(n, ..)| node.is_none_or(|a| a == n))
            .map(|(_, c, _)| *c)
            .collect()
    }

    pub fn requests(&self, code: i32) -> Vec<ExtFields> {
        self.table.lock().log.iter().filter(|(_, c, _)| *c == code).map(|(.., f)| f.clone()).collect()
    }

    /// Makes `id` the master with a new epoch (as an election would) and
    /// returns the NOTIFY_BROKER_ROLE_CHANGED request describing it.
    pub fn switch_master(&self, name: &str, id: i64) -> RemotingCommand {
        let mut t = self.table.lock();
        let set = t.sets.get_mut(name).expect("known set");
        set.master = Some(id);
        set.master_epoch += 1;
        set.sync_state_set = [id].into();
        set.sync_state_set_epoch += 1;
        notify_request(set)
    }

    /// Sends `req` to a broker and waits for its answer.
    pub async fn send(broker_addr: &str, req: RemotingCommand) -> RemotingCommand {
        RemotingClient::default().invoke(broker_addr, req, Duration::from_secs(10)).await.unwrap()
    }
}

pub fn notify_request(set: &BrokerSet) -> RemotingCommand {
    let master = set.master.expect("a master");
    let header = NotifyBrokerRoleChangedRequestHeader {
        master_address: Some(set.replicas[&master].0.clone()),
        master_epoch: Some(set.master_epoch),
        sync_state_set_epoch: Some(set.sync_state_set_epoch),
        master_broker_id: Some(master),
    };
    RemotingCommand::request(request::NOTIFY_BROKER_ROLE_CHANGED)
        .with_ext(header.encode())
        .with_body(set_body(set))
}

struct FakeRouter {
    group: FakeGroup,
    leader: Arc<AtomicBool>,
    addr: Mutex<String>,
}

impl Router for FakeRouter {
    fn route(&self, _conn: Connection, req: RemotingCommand) -> BoxFuture<Option<RemotingCommand>> {
        let fields = req.ext_fields.clone().unwrap_or_default();
        let mut table = self.group.table.lock();
        table.log.push((self.addr.lock().clone(), req.code, fields));
        let resp = answer(&mut table, self.leader.load(Ordering::Acquire), &req);
        Box::pin(async move { (!req.is_oneway()).then_some(resp) })
    }
}

fn reply(req: &RemotingCommand, code: Code) -> RemotingCommand {
    RemotingCommand::response_to(req, code.code())
}

fn answer(t: &mut Table, is_leader: bool, req: &RemotingCommand) -> RemotingCommand {
    match req.code {
        request::CONTROLLER_GET_METADATA_INFO => {
            let h = GetMetaDataResponseHeader {
                group: Some("fake".into()),
                controller_leader_id: Some("n0".into()),
                controller_leader_address: Some(t.leader.clone()),
                is_leader: Some(is_leader),
                peers: None,
            };
            reply(req, Code::Success).with_ext(h.encode())
        }
        request::BROKER_HEARTBEAT => reply(req, Code::Success),
        _ if !is_leader => reply(req, Code::ControllerNotLeader).with_remark("not leader"),
        code => leader_answer(t, code, req),
    }
}

fn body<T: serde::de::DeserializeOwned + Default>(req: &RemotingCommand) -> T {
    req.body.as_ref().and_then(|b| from_rocketmq_json(std::str::from_utf8(b).ok()?).ok()).unwrap_or_default()
}

fn set_body(set: &BrokerSet) -> Vec<u8> {
    let s = SyncStateSet {
        sync_state_set: set.sync_state_set.clone(),
        sync_state_set_epoch: set.sync_state_set_epoch,
    };
    to_rocketmq_json(&s, false).into_bytes()
}

/// An ELECT_MASTER answer (SUCCESS or 2011) describing `set`.
fn elect_reply(req: &RemotingCommand, code: Code, set: &BrokerSet) -> RemotingCommand {
    let header = ElectMasterResponseHeader {
        master_broker_id: set.master,
        master_address: set.master.map(|m| set.replicas[&m].0.clone()),
        master_epoch: Some(set.master_epoch),
        sync_state_set_epoch: Some(set.sync_state_set_epoch),
    };
    let body =
        ElectMasterResponseBody { broker_member_group: None, sync_state_set: set.sync_state_set.clone() };
    reply(req, code).with_ext(header.encode()).with_body(to_rocketmq_json(&body, false).into_bytes())
}

fn leader_answer(t: &mut Table, code: i32, req: &RemotingCommand) -> RemotingCommand {
    match code {
        request::CONTROLLER_GET_NEXT_BROKER_ID => {
            let h = GetNextBrokerIdRequestHeader::from_command(req).unwrap();
            let next = t.sets.get(&h.broker_name).map_or(1, |s| s.next_id);
            let out = GetNextBrokerIdResponseHeader {
                cluster_name: Some(h.cluster_name),
                broker_name: Some(h.broker_name),
                next_broker_id: Some(next),
            };
            reply(req, Code::Success).with_ext(out.encode())
        }
        request::CONTROLLER_APPLY_BROKER_ID => {
            let h = ApplyBrokerIdRequestHeader::from_command(req).unwrap();
            let addr = h.register_check_code.split(';').next().unwrap_or_default().to_owned();
            let entry = (addr, h.register_check_code.clone());
            match t.sets.get_mut(&h.broker_name) {
                None if h.applied_broker_id != 1 => return reply(req, Code::ControllerBrokerIdInvalid),
                None => {
                    let set = BrokerSet {
                        cluster: h.cluster_name.clone(),
                        next_id: 2,
                        replicas: [(1, entry)].into(),
                        ..BrokerSet::default()
                    };
                    t.sets.insert(h.broker_name.clone(), set);
                }
                Some(set) => match set.replicas.get(&h.applied_broker_id) {
                    Some((_, c)) if *c != h.register_check_code => {
                        return reply(req, Code::ControllerBrokerIdInvalid);
                    }
                    Some(_) => {}
                    None => {
                        set.replicas.insert(h.applied_broker_id, entry);
                        set.next_id += 1;
                    }
                },
            }
            let out = ApplyBrokerIdResponseHeader {
                cluster_name: Some(h.cluster_name),
                broker_name: Some(h.broker_name),
            };
            reply(req, Code::Success).with_ext(out.encode())
        }
        request::CONTROLLER_REGISTER_BROKER => {
            let h = RegisterBrokerToControllerRequestHeader::from_command(req).unwrap();
            let Some(set) = t.sets.get_mut(&h.broker_name).filter(|s| s.replicas.contains_key(&h.broker_id))
            else {
                return reply(req, Code::ControllerBrokerNeedToBeRegistered);
            };
            set.replicas.get_mut(&h.broker_id).unwrap().0 = h.broker_address.clone();
            let master = set.master;
            let out = RegisterBrokerToControllerResponseHeader {
                cluster_name: Some(h.cluster_name),
                broker_name: Some(h.broker_name),
                master_broker_id: master,
                master_address: master.map(|m| set.replicas[&m].0.clone()),
                master_epoch: master.map(|_| set.master_epoch),
                sync_state_set_epoch: master.map(|_| set.sync_state_set_epoch),
            };
            reply(req, Code::Success).with_ext(out.encode()).with_body(set_body(set))
        }
        request::CONTROLLER_ELECT_MASTER => {
            let h = ElectMasterRequestHeader::from_command(req).unwrap();
            let Some(set) = t.sets.get_mut(&h.broker_name) else {
                return reply(req, Code::ControllerBrokerNeedToBeRegistered);
            };
            let requester = h.broker_id.unwrap_or(-1);
            let new = if set.master_epoch == 0 {
                Some(requester)
            } else if set.master.is_some() {
                set.master
            } else {
                set.sync_state_set.contains(&requester).then_some(requester)
            };
            match new {
                Some(id) if set.master == Some(id) => elect_reply(req, Code::ControllerMasterStillExist, set),
                Some(id) => {
                    set.master = Some(id);
                    set.master_epoch += 1;
                    set.sync_state_set = [id].into();
                    set.sync_state_set_epoch += 1;
                    elect_reply(req, Code::Success, set)
                }
                None => reply(req, Code::ControllerElectMasterFailed),
            }
        }
        request::CONTROLLER_GET_REPLICA_INFO => {
            let h = GetReplicaInfoRequestHeader::from_command(req).unwrap();
            let Some(set) = t.sets.get(&h.broker_name) else {
                return reply(req, Code::ControllerBrokerMetadataNotExist);
            };
            let out = GetReplicaInfoResponseHeader {
                master_broker_id: set.master,
                master_address: set.master.map(|m| set.replicas[&m].0.clone()),
                master_epoch: Some(set.master_epoch),
            };
            reply(req, Code::Success).with_ext(out.encode()).with_body(set_body(set))
        }
        request::CONTROLLER_ALTER_SYNC_STATE_SET => {
            if let Some(code) = t.alter_override.take() {
                return RemotingCommand::response_to(req, code).with_remark("scripted");
            }
            let h = AlterSyncStateSetRequestHeader::from_command(req).unwrap();
            let proposal: SyncStateSet = body(req);
            let Some(set) = t.sets.get_mut(&h.broker_name) else {
                return reply(req, Code::ControllerAlterSyncStateSetFailed);
            };
            let code = if proposal.sync_state_set == set.sync_state_set {
                Code::ControllerAlterSyncStateSetFailed
            } else if set.master != Some(h.master_broker_id) {
                Code::ControllerInvalidMaster
            } else if h.master_epoch != set.master_epoch {
                Code::ControllerFencedMasterEpoch
            } else if proposal.sync_state_set_epoch != set.sync_state_set_epoch {
                Code::ControllerFencedSyncStateSetEpoch
            } else if proposal.sync_state_set.iter().any(|id| !set.replicas.contains_key(id)) {
                Code::ControllerInvalidReplicas
            } else if !proposal.sync_state_set.contains(&h.master_broker_id) {
                Code::ControllerAlterSyncStateSetFailed
            } else {
                Code::Success
            };
            if code != Code::Success {
                return reply(req, code);
            }
            set.sync_state_set = proposal.sync_state_set;
            set.sync_state_set_epoch += 1;
            let out = AlterSyncStateSetResponseHeader { new_sync_state_set_epoch: set.sync_state_set_epoch };
            reply(req, Code::Success).with_ext(out.encode()).with_body(set_body(set))
        }
        _ => reply(req, Code::RequestCodeNotSupported),
    }
}
