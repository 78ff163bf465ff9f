//! [`ControllerService`]: one request in, one response out, no sockets.
//!
//! Requests any node answers (904 heartbeat, 1005 metadata, 1009/1010
//! config) use local state only. Every leader-only request takes the
//! single serialized path of [`ControllerService::leader`]: leadership check
//! (2007 otherwise), a read barrier for reads (pitfall P-C4), validation by
//! the core handler, then `write(events)`, which resolves once the events are
//! committed and applied. Holding one lock across all of it is what keeps
//! the core's predicted responses true (pitfall P-C3).

use std::sync::Arc;
use std::time::Duration;

use booster_conf::ControllerConfig;
use booster_remoting::connection::not_supported;
use booster_remoting::{RemotingCommand, request as code};
use parking_lot::RwLock;

use super::notify::RoleChangeNotifier;
use super::now_ms;
use super::wire::{self, DecodeError};
use crate::codes::ResponseCode;
use crate::{
    ChannelId, Controller, ControllerError, ElectMasterRequest, ElectMasterResponse, HandlerResult,
    ReplicateError, Replicator, SharedController,
};

/// RocketMQ's processor waits this long for a request's future (spec §1).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a leader-only request got no handler result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Rejected {
    /// CONTROLLER_NOT_LEADER (2007).
    NotLeader,
    /// The core refused the request (its own code).
    Refused(ControllerError),
    /// Commit, barrier or timeout failure: SYSTEM_ERROR with this text.
    Failed(String),
}

impl From<ReplicateError> for Rejected {
    fn from(e: ReplicateError) -> Self {
        match e {
            ReplicateError::NotLeader => Rejected::NotLeader,
            ReplicateError::Failed(why) => Rejected::Failed(why),
        }
    }
}

impl Rejected {
    fn response(&self, request: &RemotingCommand) -> RemotingCommand {
        match self {
            Rejected::NotLeader => {
                RemotingCommand::response_to(request, ResponseCode::ControllerNotLeader.code())
                    .with_remark("The controller is not in leader state")
            }
            Rejected::Refused(e) => refused(request, e),
            Rejected::Failed(why) => system_error(request, why),
        }
    }
}

fn refused(request: &RemotingCommand, e: &ControllerError) -> RemotingCommand {
    RemotingCommand::response_to(request, e.code().code()).with_remark(e.to_string())
}

pub(crate) fn system_error(request: &RemotingCommand, why: impl ToString) -> RemotingCommand {
    RemotingCommand::response_to(request, booster_remoting::ResponseCode::SystemError.code())
        .with_remark(why.to_string())
}

/// Whether a leader-only request needs the read barrier first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    Read,
    Write,
}

/// The controller's request processing, generic over its Raft log.
pub struct ControllerService<R> {
    controller: SharedController,
    replicator: Arc<R>,
    /// Local, not replicated (UPDATE_CONTROLLER_CONFIG changes this node only).
    pub(super) config: RwLock<ControllerConfig>,
    /// One leader-only request at a time: validate → commit → apply.
    serial: tokio::sync::Mutex<()>,
    /// One `configStorePath` write at a time, so the last one wins.
    pub(super) persist_turn: tokio::sync::Mutex<()>,
    notifier: RoleChangeNotifier,
}

impl<R> std::fmt::Debug for ControllerService<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ControllerService").finish_non_exhaustive()
    }
}

impl<R: Replicator> ControllerService<R> {
    /// `controller` is the core the replicator's state machine applies to.
    pub fn new(controller: SharedController, replicator: Arc<R>, config: ControllerConfig) -> Self {
        controller.lock().config.enable_elect_unclean_master = config.enable_elect_unclean_master;
        Self {
            controller,
            replicator,
            config: RwLock::new(config),
            serial: tokio::sync::Mutex::new(()),
            persist_turn: tokio::sync::Mutex::new(()),
            notifier: RoleChangeNotifier::default(),
        }
    }

    pub fn controller(&self) -> &SharedController {
        &self.controller
    }

    pub fn replicator(&self) -> &Arc<R> {
        &self.replicator
    }

    /// The current local configuration.
    pub fn config(&self) -> ControllerConfig {
        self.config.read().clone()
    }

    /// Answers one controller request (unknown codes: REQUEST_CODE_NOT_SUPPORTED).
    /// `channel` is the connection it came on: a heartbeat's live entry
    /// remembers it, so that closing it (or expiry closing it) works.
    pub async fn handle(&self, channel: Option<ChannelId>, request: &RemotingCommand) -> RemotingCommand {
        use crate::Controller as C;
        use Access::{Read, Write};
        match request.code {
            code::BROKER_HEARTBEAT => self.heartbeat(channel, request),
            code::CONTROLLER_GET_METADATA_INFO => {
                self.record_gauges();
                wire::metadata_response(request, &self.replicator.metadata())
            }
            code::UPDATE_CONTROLLER_CONFIG => self.update_config(request).await,
            code::GET_CONTROLLER_CONFIG => self.get_config(request),
            code::CONTROLLER_ELECT_MASTER => match wire::elect_master(request) {
                Ok(req) => match self.elect(&req).await {
                    Ok(resp) => wire::elect_master_response(request, &resp),
                    Err(rejected) => rejected.response(request),
                },
                Err(e) => system_error(request, e),
            },
            code::CONTROLLER_ALTER_SYNC_STATE_SET => {
                let req = wire::alter_sync_state_set(request);
                self.leader_request(
                    request,
                    req,
                    Write,
                    C::handle_alter_sync_state_set,
                    wire::alter_sync_state_set_response,
                )
                .await
            }
            code::CONTROLLER_REGISTER_BROKER => {
                let req = wire::register_broker(request);
                self.leader_request(
                    request,
                    req,
                    Write,
                    C::handle_register_broker,
                    wire::register_broker_response,
                )
                .await
            }
            code::CONTROLLER_GET_REPLICA_INFO => {
                let req = wire::get_replica_info(request);
                let handler = |c: &C, name: &String, now| c.handle_get_replica_info(name, now);
                self.leader_request(request, req, Read, handler, wire::get_replica_info_response).await
            }
            code::CONTROLLER_GET_SYNC_STATE_DATA => {
                // RocketMQ's processor leaves the response unset for an empty list.
                let req = wire::sync_state_data_names(request).and_then(|names| match names.is_empty() {
                    true => Err(DecodeError::NoBody),
                    false => Ok(names),
                });
                if req.is_err() {
                    return system_error(request, "not set any response code");
                }
                let handler = |c: &C, names: &Vec<String>, now| c.handle_get_sync_state_data(names, now);
                let respond = |request: &RemotingCommand, info: &_| {
                    RemotingCommand::response_to(request, ResponseCode::Success.code())
                        .with_body(wire::json(info))
                };
                self.leader_request(request, req, Read, handler, respond).await
            }
            code::CLEAN_BROKER_DATA => {
                let req = wire::clean_broker_data(request);
                let respond = |request: &RemotingCommand, _: &()| {
                    RemotingCommand::response_to(request, ResponseCode::Success.code())
                };
                self.leader_request(request, req, Write, C::handle_clean_broker_data, respond).await
            }
            code::CONTROLLER_GET_NEXT_BROKER_ID => {
                let req = wire::next_broker_id(request);
                self.leader_request(
                    request,
                    req,
                    Read,
                    C::handle_get_next_broker_id,
                    wire::next_broker_id_response,
                )
                .await
            }
            code::CONTROLLER_APPLY_BROKER_ID => {
                let req = wire::apply_broker_id(request);
                self.leader_request(
                    request,
                    req,
                    Write,
                    C::handle_apply_broker_id,
                    wire::apply_broker_id_response,
                )
                .await
            }
            _ => not_supported(request),
        }
    }

    /// `rocketmq_controller_is_leader` (1 on the leader) and
    /// `rocketmq_controller_broker_sets` (sets in the replicated state).
    pub(crate) fn record_gauges(&self) {
        let leader = self.replicator.metadata().is_leader;
        metrics::gauge!("rocketmq_controller_is_leader").set(if leader { 1.0 } else { 0.0 });
        metrics::gauge!("rocketmq_controller_broker_sets")
            .set(self.controller.lock().state().sets().count() as f64);
    }

    /// 904: local liveness on every node (DLedger semantics).
    fn heartbeat(&self, channel: Option<ChannelId>, request: &RemotingCommand) -> RemotingCommand {
        metrics::counter!("rocketmq_controller_heartbeats_total").increment(1);
        let hb = match wire::heartbeat(request) {
            Ok(hb) => crate::Heartbeat { channel, ..hb },
            Err(e) => return system_error(request, e),
        };
        match self.controller.lock().handle_heartbeat(&hb, now_ms()) {
            Ok(()) => RemotingCommand::response_to(request, ResponseCode::Success.code())
                .with_remark("Heart beat success"),
            Err(e) => refused(request, &e),
        }
    }

    /// ELECT_MASTER through the serialized path; a SUCCESS is pushed to the
    /// set's live replicas (spec §8.5).
    pub(crate) async fn elect(&self, req: &ElectMasterRequest) -> Result<ElectMasterResponse, Rejected> {
        let resp = self.leader(Access::Write, |c, now| c.handle_elect_master(req, now)).await;
        let result = match &resp {
            Ok(resp) => format!("{:?}", resp.code),
            Err(_) => "Rejected".to_owned(),
        };
        metrics::counter!("rocketmq_controller_elections_total", "result" => result).increment(1);
        let resp = resp?;
        if resp.code == ResponseCode::Success && self.config.read().notify_broker_role_changed {
            self.notify_role_change(&resp);
        }
        Ok(resp)
    }

    fn notify_role_change(&self, resp: &ElectMasterResponse) {
        let Some(group) = &resp.broker_member_group else { return };
        let now = now_ms();
        let targets: Vec<String> = {
            let c = self.controller.lock();
            group
                .broker_addrs
                .iter()
                .filter(|(id, _)| c.liveness().is_alive(&group.cluster, &group.broker_name, **id, now))
                .map(|(_, addr)| addr.clone())
                .collect()
        };
        self.notifier.send(targets, resp.master_epoch, wire::notify_broker_role_changed(resp));
    }

    /// Decode, run through [`Self::leader`], encode: one leader-only request.
    async fn leader_request<Q, T>(
        &self,
        request: &RemotingCommand,
        decoded: Result<Q, DecodeError>,
        access: Access,
        handler: impl FnOnce(&Controller, &Q, i64) -> HandlerResult<T> + Send,
        respond: impl FnOnce(&RemotingCommand, &T) -> RemotingCommand,
    ) -> RemotingCommand
    where
        Q: Sync,
        T: Send,
    {
        let req = match decoded {
            Ok(req) => req,
            Err(e) => return system_error(request, e),
        };
        match self.leader(access, |c, now| handler(c, &req, now)).await {
            Ok(resp) => respond(request, &resp),
            Err(rejected) => rejected.response(request),
        }
    }

    /// The serialized leader path (see the module docs), bounded by
    /// RocketMQ's 5 s request timeout.
    async fn leader<T: Send>(
        &self,
        access: Access,
        handler: impl FnOnce(&Controller, i64) -> HandlerResult<T> + Send,
    ) -> Result<T, Rejected> {
        let run = async {
            let _turn = self.serial.lock().await;
            if !self.replicator.metadata().is_leader {
                return Err(Rejected::NotLeader);
            }
            if access == Access::Read {
                self.replicator.ensure_read().await?;
            }
            let (resp, events) = handler(&self.controller.lock(), now_ms()).map_err(Rejected::Refused)?;
            if !events.is_empty() {
                self.replicator.write(events).await?;
            }
            Ok(resp)
        };
        tokio::time::timeout(REQUEST_TIMEOUT, run).await.unwrap_or_else(|_| {
            Err(Rejected::Failed(format!("the request timed out after {REQUEST_TIMEOUT:?}")))
        })
    }
}
