//! The broker → controller requests (spec/controller.md §4), each a typed
//! call over one [`RemotingClient`]. Leader-only requests go to the leader
//! in [`LeaderCell`]; a 2007 answer or an unreachable leader makes it
//! forget that leader (P-C12). Heartbeats go oneway to every address.

use std::sync::Arc;
use std::time::Duration;

use booster_model::controller::{ElectMasterResponseBody, ResponseCode as ControllerCode, SyncStateSet};
use booster_model::{from_rocketmq_json, to_rocketmq_json};
use booster_remoting::header::CommandHeader;
use booster_remoting::headers::controller::{
    AlterSyncStateSetRequestHeader, ApplyBrokerIdRequestHeader, BrokerHeartbeatRequestHeader,
    ElectMasterRequestHeader, ElectMasterResponseHeader, GetMetaDataResponseHeader,
    GetNextBrokerIdRequestHeader, GetNextBrokerIdResponseHeader, GetReplicaInfoRequestHeader,
    GetReplicaInfoResponseHeader, RegisterBrokerToControllerRequestHeader,
    RegisterBrokerToControllerResponseHeader,
};
use booster_remoting::{RemotingClient, RemotingCommand, request};
use serde::de::DeserializeOwned;

use crate::error::{ControllerClientError, Result};
use crate::leader::{LeaderCell, leader_of};
use crate::role::ControllerView;

/// §1: synchronous controller calls time out after 3 s.
pub const CONTROLLER_TIMEOUT: Duration = Duration::from_secs(3);
/// `sendHeartbeatTimeoutMillis` (spec §1).
const HEARTBEAT_SEND_TIMEOUT: Duration = Duration::from_secs(1);

/// This broker's names, as every request carries them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerNames {
    pub cluster_name: String,
    pub broker_name: String,
    /// `ip:port` of the broker's remoting server.
    pub broker_addr: String,
}

/// See the module docs.
#[derive(Debug)]
pub struct ControllerApi {
    client: RemotingClient,
    addrs: Vec<String>,
    leader: LeaderCell,
    timeout: Duration,
}

impl ControllerApi {
    pub fn new(client: RemotingClient, addrs: Vec<String>) -> Arc<Self> {
        Arc::new(Self { client, addrs, leader: LeaderCell::default(), timeout: CONTROLLER_TIMEOUT })
    }

    pub fn addrs(&self) -> &[String] {
        &self.addrs
    }

    pub fn leader(&self) -> &LeaderCell {
        &self.leader
    }

    /// GET_METADATA_INFO to each address in turn; the first that names a
    /// leader wins. Returns the leader known afterwards.
    pub async fn discover_leader(&self) -> Option<String> {
        for addr in &self.addrs {
            let cmd = RemotingCommand::request(request::CONTROLLER_GET_METADATA_INFO);
            let found = match self.client.invoke(addr, cmd, self.timeout).await {
                Ok(resp) => GetMetaDataResponseHeader::from_command(&resp).ok().as_ref().and_then(leader_of),
                Err(e) => {
                    tracing::debug!(controller = %addr, error = %e, "controller metadata not fetched");
                    None
                }
            };
            if let Some(leader) = found {
                if self.leader.set(Some(leader.clone())) {
                    tracing::info!(%leader, "controller leader discovered");
                }
                return Some(leader);
            }
        }
        self.leader.get()
    }

    /// One leader-only request; any response code comes back, 2007 after
    /// forgetting the leader.
    async fn to_leader(&self, cmd: RemotingCommand) -> Result<(String, RemotingCommand)> {
        let leader = match self.leader.get() {
            Some(leader) => Some(leader),
            None => self.discover_leader().await,
        };
        let addr = leader.ok_or_else(|| ControllerClientError::NoLeader(self.addrs.join(";")))?;
        match self.client.invoke(&addr, cmd, self.timeout).await {
            Ok(resp) => {
                if resp.code == ControllerCode::ControllerNotLeader.code() {
                    self.leader.not_leader(&addr);
                }
                Ok((addr, resp))
            }
            Err(source) => {
                self.leader.not_leader(&addr);
                Err(ControllerClientError::Transport { addr, source })
            }
        }
    }

    /// A leader-only request that must succeed.
    async fn call(&self, cmd: RemotingCommand) -> Result<(String, RemotingCommand)> {
        let (addr, resp) = self.to_leader(cmd).await?;
        if resp.code != ControllerCode::Success.code() {
            let remark = resp.remark.clone().unwrap_or_default();
            return Err(ControllerClientError::Refused { addr, code: resp.code, remark });
        }
        Ok((addr, resp))
    }

    /// CONTROLLER_GET_NEXT_BROKER_ID (§4.11).
    pub async fn get_next_broker_id(&self, names: &BrokerNames) -> Result<i64> {
        let header = GetNextBrokerIdRequestHeader {
            cluster_name: names.cluster_name.clone(),
            broker_name: names.broker_name.clone(),
        };
        let cmd = RemotingCommand::request(request::CONTROLLER_GET_NEXT_BROKER_ID).with_ext(header.encode());
        let (addr, resp) = self.call(cmd).await?;
        let h: GetNextBrokerIdResponseHeader = response_header(&addr, &resp)?;
        h.next_broker_id.filter(|id| *id > 0).ok_or_else(|| ControllerClientError::BadResponse {
            addr,
            what: format!("nextBrokerId {:?}", h.next_broker_id),
        })
    }

    /// CONTROLLER_APPLY_BROKER_ID (§4.12).
    pub async fn apply_broker_id(&self, names: &BrokerNames, broker_id: i64, check_code: &str) -> Result<()> {
        let header = ApplyBrokerIdRequestHeader {
            cluster_name: names.cluster_name.clone(),
            broker_name: names.broker_name.clone(),
            applied_broker_id: broker_id,
            register_check_code: check_code.to_owned(),
        };
        let cmd = RemotingCommand::request(request::CONTROLLER_APPLY_BROKER_ID).with_ext(header.encode());
        self.call(cmd).await.map(drop)
    }

    /// CONTROLLER_REGISTER_BROKER (§4.3): the set as the controller sees it
    /// (master fields only when a live master exists).
    pub async fn register_broker(
        &self,
        names: &BrokerNames,
        broker_id: i64,
        now_ms: i64,
    ) -> Result<ControllerView> {
        let header = RegisterBrokerToControllerRequestHeader {
            cluster_name: names.cluster_name.clone(),
            broker_name: names.broker_name.clone(),
            broker_id,
            broker_address: names.broker_addr.clone(),
            invoke_time: Some(now_ms),
        };
        let cmd = RemotingCommand::request(request::CONTROLLER_REGISTER_BROKER).with_ext(header.encode());
        let (addr, resp) = self.call(cmd).await?;
        let h: RegisterBrokerToControllerResponseHeader = response_header(&addr, &resp)?;
        let set: SyncStateSet = body(&addr, &resp)?.unwrap_or_default();
        Ok(controller_view(h.master_broker_id, h.master_address, h.master_epoch, h.sync_state_set_epoch, set))
    }

    /// CONTROLLER_ELECT_MASTER (§4.2) for this broker: the outcome on
    /// SUCCESS or MASTER_STILL_EXIST (2011), a refusal otherwise.
    pub async fn elect_master(
        &self,
        names: &BrokerNames,
        broker_id: i64,
        now_ms: i64,
    ) -> Result<ControllerView> {
        let header = ElectMasterRequestHeader {
            cluster_name: Some(names.cluster_name.clone()),
            broker_name: names.broker_name.clone(),
            broker_id: Some(broker_id),
            designate_elect: Some(false),
            invoke_time: Some(now_ms),
        };
        let cmd = RemotingCommand::request(request::CONTROLLER_ELECT_MASTER).with_ext(header.encode());
        let (addr, resp) = self.to_leader(cmd).await?;
        let still = ControllerCode::ControllerMasterStillExist.code();
        if resp.code != ControllerCode::Success.code() && resp.code != still {
            let remark = resp.remark.clone().unwrap_or_default();
            return Err(ControllerClientError::Refused { addr, code: resp.code, remark });
        }
        let h: ElectMasterResponseHeader = response_header(&addr, &resp)?;
        let b: ElectMasterResponseBody = body(&addr, &resp)?.unwrap_or_default();
        // This body carries no epoch: the header's, or 0.
        let set = SyncStateSet { sync_state_set: b.sync_state_set, sync_state_set_epoch: 0 };
        Ok(controller_view(h.master_broker_id, h.master_address, h.master_epoch, h.sync_state_set_epoch, set))
    }

    /// CONTROLLER_GET_REPLICA_INFO (§4.4).
    pub async fn get_replica_info(&self, broker_name: &str) -> Result<ControllerView> {
        let header = GetReplicaInfoRequestHeader { broker_name: broker_name.to_owned() };
        let cmd = RemotingCommand::request(request::CONTROLLER_GET_REPLICA_INFO).with_ext(header.encode());
        let (addr, resp) = self.call(cmd).await?;
        let h: GetReplicaInfoResponseHeader = response_header(&addr, &resp)?;
        let set: SyncStateSet = body(&addr, &resp)?.unwrap_or_default();
        // The header has no syncStateSetEpoch: the body's stands.
        Ok(controller_view(h.master_broker_id, h.master_address, h.master_epoch, None, set))
    }

    /// CONTROLLER_ALTER_SYNC_STATE_SET (§4.1): the accepted set and epoch.
    pub async fn alter_sync_state_set(
        &self,
        broker_name: &str,
        master_broker_id: i64,
        master_epoch: i32,
        proposal: &SyncStateSet,
        now_ms: i64,
    ) -> Result<SyncStateSet> {
        let header = AlterSyncStateSetRequestHeader {
            broker_name: broker_name.to_owned(),
            master_broker_id,
            master_epoch,
            invoke_time: Some(now_ms),
        };
        let cmd = RemotingCommand::request(request::CONTROLLER_ALTER_SYNC_STATE_SET)
            .with_ext(header.encode())
            .with_body(to_rocketmq_json(proposal, false).into_bytes());
        let (addr, resp) = self.call(cmd).await?;
        let accepted: Option<SyncStateSet> = body(&addr, &resp)?;
        accepted.filter(|s| !s.sync_state_set.is_empty()).ok_or_else(|| ControllerClientError::BadResponse {
            addr,
            what: "no SyncStateSet in the answer".to_owned(),
        })
    }

    /// BROKER_HEARTBEAT (§4.13), oneway to every controller address at
    /// once, each bounded by `sendHeartbeatTimeoutMillis`: an address that
    /// hangs must not delay the heartbeat the leader is waiting for.
    pub async fn heartbeat(&self, header: &BrokerHeartbeatRequestHeader) {
        let mut sends = tokio::task::JoinSet::new();
        for addr in &self.addrs {
            let (client, addr) = (self.client.clone(), addr.clone());
            let cmd = RemotingCommand::request(request::BROKER_HEARTBEAT).with_ext(header.encode());
            sends.spawn(async move {
                match tokio::time::timeout(HEARTBEAT_SEND_TIMEOUT, client.invoke_oneway(&addr, cmd)).await {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => tracing::debug!(controller = %addr, error = %e, "heartbeat not sent"),
                    Err(_) => {
                        tracing::debug!(controller = %addr, "heartbeat not sent within the send timeout")
                    }
                }
            });
        }
        while sends.join_next().await.is_some() {}
    }
}

/// A controller's view of a broker set from an answer's master fields and
/// SyncStateSet: the answer's own syncStateSetEpoch, when it carries one,
/// wins over the set's; a missing masterEpoch reads as 0. Also fits the
/// NOTIFY_BROKER_ROLE_CHANGED request, which carries the same fields.
pub(crate) fn controller_view(
    master_broker_id: Option<i64>,
    master_address: Option<String>,
    master_epoch: Option<i32>,
    sync_state_set_epoch: Option<i32>,
    set: SyncStateSet,
) -> ControllerView {
    ControllerView {
        master_broker_id,
        master_address,
        master_epoch: master_epoch.unwrap_or(0),
        sync_state_set_epoch: sync_state_set_epoch.unwrap_or(set.sync_state_set_epoch),
        sync_state_set: set.sync_state_set,
    }
}

/// The response header, or a typed error naming the controller.
fn response_header<H: CommandHeader>(addr: &str, resp: &RemotingCommand) -> Result<H> {
    H::from_command(resp).map_err(|e| ControllerClientError::bad_header(addr, e))
}

/// The response body as JSON, `None` when absent or empty.
fn body<T: DeserializeOwned>(addr: &str, resp: &RemotingCommand) -> Result<Option<T>> {
    let Some(bytes) = resp.body.as_ref().filter(|b| !b.is_empty()) else { return Ok(None) };
    let text = std::str::from_utf8(bytes).map_err(|_| ControllerClientError::BadResponse {
        addr: addr.to_owned(),
        what: "body is not UTF-8".into(),
    })?;
    from_rocketmq_json(text)
        .map(Some)
        .map_err(|e| ControllerClientError::BadResponse { addr: addr.to_owned(), what: e.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ids: &[i64], epoch: i32) -> SyncStateSet {
        SyncStateSet { sync_state_set: ids.iter().copied().collect(), sync_state_set_epoch: epoch }
    }

    #[test]
    fn the_answers_sync_state_set_epoch_wins_over_the_sets() {
        let v = controller_view(Some(1), Some("10.0.0.1:10911".into()), Some(3), Some(7), set(&[1, 2], 5));
        assert_eq!(
            v,
            ControllerView {
                master_broker_id: Some(1),
                master_address: Some("10.0.0.1:10911".into()),
                master_epoch: 3,
                sync_state_set: [1, 2].into(),
                sync_state_set_epoch: 7,
            }
        );
    }

    #[test]
    fn missing_fields_fall_back_to_the_set_and_zero() {
        let v = controller_view(None, None, None, None, set(&[2], 5));
        assert_eq!((v.master_broker_id, v.master_address.as_deref()), (None, None));
        assert_eq!((v.master_epoch, v.sync_state_set_epoch), (0, 5));
        assert_eq!(v.sync_state_set, [2].into());
        assert_eq!(
            controller_view(None, None, None, None, SyncStateSet::default()),
            ControllerView::default()
        );
    }
}
