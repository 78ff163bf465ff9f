//! Headers and JSON bodies of spec §4–§5 ⇄ the core's request and response
//! types. Decoding is tolerant (optional fields take RocketMQ's defaults);
//! anything undecodable is a [`DecodeError`], answered SYSTEM_ERROR.

use booster_model::{from_rocketmq_json, to_rocketmq_json};
use booster_remoting::headers::controller::{
    AlterSyncStateSetRequestHeader, AlterSyncStateSetResponseHeader, ApplyBrokerIdRequestHeader,
    ApplyBrokerIdResponseHeader, BrokerHeartbeatRequestHeader, CleanControllerBrokerDataRequestHeader,
    ElectMasterRequestHeader, ElectMasterResponseHeader, GetMetaDataResponseHeader,
    GetNextBrokerIdRequestHeader, GetNextBrokerIdResponseHeader, GetReplicaInfoRequestHeader,
    GetReplicaInfoResponseHeader, NotifyBrokerRoleChangedRequestHeader,
    RegisterBrokerToControllerRequestHeader, RegisterBrokerToControllerResponseHeader,
};
use booster_remoting::{CommandHeader, HeaderError, RemotingCommand, request};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::codes::ResponseCode;
use crate::{
    AlterSyncStateSetRequest, AlterSyncStateSetResponse, ApplyBrokerIdRequest, BrokerNames,
    CleanBrokerDataRequest, ElectMasterRequest, ElectMasterResponse, GetNextBrokerIdResponse,
    GetReplicaInfoResponse, Heartbeat, RaftMetadata, RegisterBrokerRequest, RegisterBrokerResponse,
    SyncStateSet,
};
use booster_model::controller::ElectMasterResponseBody;

/// Why a request could not be turned into a core request.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error(transparent)]
    Header(#[from] HeaderError),
    #[error("the request has no body")]
    NoBody,
    #[error("the body is not UTF-8")]
    NotUtf8,
    #[error("malformed JSON body: {0}")]
    Json(#[from] serde_json::Error),
}

fn json_body<T: DeserializeOwned>(cmd: &RemotingCommand) -> Result<T, DecodeError> {
    let body = cmd.body.as_deref().filter(|b| !b.is_empty()).ok_or(DecodeError::NoBody)?;
    let text = std::str::from_utf8(body).map_err(|_| DecodeError::NotUtf8)?;
    Ok(from_rocketmq_json(text)?)
}

/// Bodies go out as RocketMQ JSON (fastjson's shape).
pub fn json<T: Serialize>(value: &T) -> Vec<u8> {
    to_rocketmq_json(value, false).into_bytes()
}

fn success(request: &RemotingCommand, header: &impl CommandHeader) -> RemotingCommand {
    RemotingCommand::response_to(request, ResponseCode::Success.code()).with_ext(header.encode())
}

/// 904. `brokerId` stays optional here: its absence is the core's 2005.
pub fn heartbeat(cmd: &RemotingCommand) -> Result<Heartbeat, DecodeError> {
    let h = BrokerHeartbeatRequestHeader::from_command(cmd)?;
    Ok(Heartbeat {
        cluster_name: h.cluster_name,
        broker_name: h.broker_name,
        broker_addr: h.broker_addr,
        broker_id: h.broker_id,
        epoch: h.epoch,
        max_offset: h.max_offset,
        confirm_offset: h.confirm_offset,
        heartbeat_timeout_ms: h.heartbeat_timeout_mills,
        election_priority: h.election_priority,
        channel: None,
    })
}

/// 1001: header plus the proposed SyncStateSet body.
pub fn alter_sync_state_set(cmd: &RemotingCommand) -> Result<AlterSyncStateSetRequest, DecodeError> {
    let h = AlterSyncStateSetRequestHeader::from_command(cmd)?;
    Ok(AlterSyncStateSetRequest {
        broker_name: h.broker_name,
        master_broker_id: h.master_broker_id,
        master_epoch: h.master_epoch,
        new_sync_state_set: json_body(cmd)?,
    })
}

pub fn alter_sync_state_set_response(
    request: &RemotingCommand,
    r: &AlterSyncStateSetResponse,
) -> RemotingCommand {
    let header = AlterSyncStateSetResponseHeader { new_sync_state_set_epoch: r.new_sync_state_set_epoch };
    success(request, &header).with_body(json(&r.sync_state_set))
}

/// 1002. `clusterName` defaults to `""`, `designateElect` to false.
pub fn elect_master(cmd: &RemotingCommand) -> Result<ElectMasterRequest, DecodeError> {
    let h = ElectMasterRequestHeader::from_command(cmd)?;
    Ok(ElectMasterRequest {
        cluster_name: h.cluster_name.unwrap_or_default(),
        broker_name: h.broker_name,
        broker_id: h.broker_id,
        designate_elect: h.designate_elect.unwrap_or(false),
    })
}

/// 1002 outcomes that carry data. SUCCESS and 2011 fill header and body
/// (the member group only on SUCCESS); 2004 carries neither, as in RocketMQ.
pub fn elect_master_response(request: &RemotingCommand, r: &ElectMasterResponse) -> RemotingCommand {
    let response = RemotingCommand::response_to(request, r.code.code());
    if r.code == ResponseCode::ControllerMasterNotAvailable {
        return response.with_remark(format!(
            "no replica of the broker set can become master (epoch {})",
            r.master_epoch
        ));
    }
    let header = ElectMasterResponseHeader {
        master_broker_id: r.master_broker_id,
        master_address: r.master_address.clone(),
        master_epoch: Some(r.master_epoch),
        sync_state_set_epoch: Some(r.sync_state_set_epoch),
    };
    let body = ElectMasterResponseBody {
        broker_member_group: r.broker_member_group.clone(),
        sync_state_set: r.sync_state_set.clone(),
    };
    response.with_ext(header.encode()).with_body(json(&body))
}

/// 1008, sent by the controller to every alive replica after an election.
pub fn notify_broker_role_changed(r: &ElectMasterResponse) -> RemotingCommand {
    let header = NotifyBrokerRoleChangedRequestHeader {
        master_address: r.master_address.clone(),
        master_epoch: Some(r.master_epoch),
        sync_state_set_epoch: Some(r.sync_state_set_epoch),
        master_broker_id: r.master_broker_id,
    };
    let body = SyncStateSet {
        sync_state_set: r.sync_state_set.clone(),
        sync_state_set_epoch: r.sync_state_set_epoch,
    };
    RemotingCommand::request(request::NOTIFY_BROKER_ROLE_CHANGED)
        .with_ext(header.encode())
        .with_body(json(&body))
}

/// 1003.
pub fn register_broker(cmd: &RemotingCommand) -> Result<RegisterBrokerRequest, DecodeError> {
    let h = RegisterBrokerToControllerRequestHeader::from_command(cmd)?;
    Ok(RegisterBrokerRequest {
        cluster_name: h.cluster_name,
        broker_name: h.broker_name,
        broker_id: h.broker_id,
        broker_address: h.broker_address,
    })
}

pub fn register_broker_response(request: &RemotingCommand, r: &RegisterBrokerResponse) -> RemotingCommand {
    let master = r.master.as_ref();
    let header = RegisterBrokerToControllerResponseHeader {
        cluster_name: Some(r.cluster_name.clone()),
        broker_name: Some(r.broker_name.clone()),
        master_broker_id: master.map(|m| m.master_broker_id),
        master_address: master.map(|m| m.master_address.clone()),
        master_epoch: master.map(|m| m.master_epoch),
        sync_state_set_epoch: master.map(|m| m.sync_state_set_epoch),
    };
    success(request, &header).with_body(json(&r.sync_state_set))
}

/// 1004: the broker name.
pub fn get_replica_info(cmd: &RemotingCommand) -> Result<String, DecodeError> {
    Ok(GetReplicaInfoRequestHeader::from_command(cmd)?.broker_name)
}

pub fn get_replica_info_response(request: &RemotingCommand, r: &GetReplicaInfoResponse) -> RemotingCommand {
    let header = GetReplicaInfoResponseHeader {
        master_broker_id: r.master_broker_id,
        master_address: r.master_address.clone(),
        master_epoch: Some(r.master_epoch),
    };
    success(request, &header).with_body(json(&r.sync_state_set))
}

/// 1005, from this node's Raft view.
pub fn metadata_response(request: &RemotingCommand, m: &RaftMetadata) -> RemotingCommand {
    let header = GetMetaDataResponseHeader {
        group: Some(m.group.clone()),
        controller_leader_id: m.leader_id.clone(),
        controller_leader_address: m.leader_addr.clone(),
        is_leader: Some(m.is_leader),
        peers: Some(m.peers.clone()),
    };
    success(request, &header)
}

/// 1006: the JSON array of broker names.
pub fn sync_state_data_names(cmd: &RemotingCommand) -> Result<Vec<String>, DecodeError> {
    json_body(cmd)
}

/// 1011. `isCleanLivingBroker` defaults to false.
pub fn clean_broker_data(cmd: &RemotingCommand) -> Result<CleanBrokerDataRequest, DecodeError> {
    let h = CleanControllerBrokerDataRequestHeader::from_command(cmd)?;
    Ok(CleanBrokerDataRequest {
        cluster_name: h.cluster_name,
        broker_name: h.broker_name,
        broker_controller_ids_to_clean: h.broker_controller_ids_to_clean,
        is_clean_living_broker: h.is_clean_living_broker.unwrap_or(false),
    })
}

/// 1012.
pub fn next_broker_id(cmd: &RemotingCommand) -> Result<BrokerNames, DecodeError> {
    let h = GetNextBrokerIdRequestHeader::from_command(cmd)?;
    Ok(BrokerNames { cluster_name: h.cluster_name, broker_name: h.broker_name })
}

pub fn next_broker_id_response(request: &RemotingCommand, r: &GetNextBrokerIdResponse) -> RemotingCommand {
    let header = GetNextBrokerIdResponseHeader {
        cluster_name: Some(r.cluster_name.clone()),
        broker_name: Some(r.broker_name.clone()),
        next_broker_id: Some(r.next_broker_id),
    };
    success(request, &header)
}

/// 1013.
pub fn apply_broker_id(cmd: &RemotingCommand) -> Result<ApplyBrokerIdRequest, DecodeError> {
    let h = ApplyBrokerIdRequestHeader::from_command(cmd)?;
    Ok(ApplyBrokerIdRequest {
        cluster_name: h.cluster_name,
        broker_name: h.broker_name,
        applied_broker_id: h.applied_broker_id,
        register_check_code: h.register_check_code,
    })
}

pub fn apply_broker_id_response(request: &RemotingCommand, r: &BrokerNames) -> RemotingCommand {
    let header = ApplyBrokerIdResponseHeader {
        cluster_name: Some(r.cluster_name.clone()),
        broker_name: Some(r.broker_name.clone()),
    };
    success(request, &header)
}
