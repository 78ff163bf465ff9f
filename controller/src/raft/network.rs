//! Raft RPCs over Booster's remoting protocol, client side (see
//! [`super::rpc`] for the format). One [`RemotingClient`] is shared by all
//! peers; it keeps one connection per address and reconnects on demand.

use std::error::Error;
use std::time::Duration;

use booster_remoting::{ConnectionError, RemotingClient, RemotingCommand, ResponseCode};
use openraft::error::{InstallSnapshotError, NetworkError, RPCError, RaftError, RemoteError, Unreachable};
use openraft::network::{RPCOption, RaftNetwork, RaftNetworkFactory};
use openraft::raft::{
    AppendEntriesRequest, AppendEntriesResponse, InstallSnapshotRequest, InstallSnapshotResponse,
    VoteRequest, VoteResponse,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::rpc::code;
use super::types::{Node, NodeId, TypeConfig};

/// Creates one [`PeerClient`] per target node.
#[derive(Debug, Clone)]
pub struct Network {
    client: RemotingClient,
}

impl Network {
    pub fn new(client: RemotingClient) -> Self {
        Self { client }
    }
}

impl RaftNetworkFactory<TypeConfig> for Network {
    type Network = PeerClient;

    async fn new_client(&mut self, target: NodeId, node: &Node) -> PeerClient {
        PeerClient { client: self.client.clone(), target, addr: node.addr.clone() }
    }
}

/// Sends Raft RPCs to one peer.
#[derive(Debug)]
pub struct PeerClient {
    client: RemotingClient,
    target: NodeId,
    addr: String,
}

#[derive(Debug, thiserror::Error)]
#[error("raft rpc {code} to {addr} failed: {reason}")]
struct RpcFailed {
    code: i32,
    addr: String,
    reason: String,
}

impl PeerClient {
    async fn call<Req, Resp, E>(
        &self,
        code: i32,
        request: &Req,
        timeout: Duration,
    ) -> Result<Resp, RPCError<NodeId, Node, E>>
    where
        Req: Serialize,
        Resp: DeserializeOwned,
        E: Error + DeserializeOwned,
    {
        let failed = |reason: String| RpcFailed { code, addr: self.addr.clone(), reason };
        let body = serde_json::to_vec(request)
            .map_err(|e| RPCError::Network(NetworkError::new(&failed(e.to_string()))))?;
        let command = RemotingCommand::request(code).with_body(body);
        let response = match self.client.invoke(&self.addr, command, timeout).await {
            Ok(response) => response,
            Err(e @ ConnectionError::Connect { .. }) => {
                return Err(RPCError::Unreachable(Unreachable::new(&e)));
            }
            Err(e) => return Err(RPCError::Network(NetworkError::new(&e))),
        };
        if response.code != ResponseCode::Success.code() {
            let reason = format!("code {} {}", response.code, response.remark.unwrap_or_default());
            return Err(RPCError::Network(NetworkError::new(&failed(reason))));
        }
        let body = response.body.as_deref().unwrap_or_default();
        match serde_json::from_slice::<Result<Resp, E>>(body) {
            Ok(Ok(resp)) => Ok(resp),
            Ok(Err(remote)) => Err(RPCError::RemoteError(RemoteError::new(self.target, remote))),
            Err(e) => Err(RPCError::Network(NetworkError::new(&failed(format!("bad response body: {e}"))))),
        }
    }
}

impl RaftNetwork<TypeConfig> for PeerClient {
    async fn append_entries(
        &mut self,
        rpc: AppendEntriesRequest<TypeConfig>,
        option: RPCOption,
    ) -> Result<AppendEntriesResponse<NodeId>, RPCError<NodeId, Node, RaftError<NodeId>>> {
        self.call(code::APPEND_ENTRIES, &rpc, option.hard_ttl()).await
    }

    async fn install_snapshot(
        &mut self,
        rpc: InstallSnapshotRequest<TypeConfig>,
        option: RPCOption,
    ) -> Result<
        InstallSnapshotResponse<NodeId>,
        RPCError<NodeId, Node, RaftError<NodeId, InstallSnapshotError>>,
    > {
        self.call(code::INSTALL_SNAPSHOT, &rpc, option.hard_ttl()).await
    }

    async fn vote(
        &mut self,
        rpc: VoteRequest<NodeId>,
        option: RPCOption,
    ) -> Result<VoteResponse<NodeId>, RPCError<NodeId, Node, RaftError<NodeId>>> {
        self.call(code::VOTE, &rpc, option.hard_ttl()).await
    }
}
