//! Raft RPCs over Booster's remoting protocol, server side.
//!
//! Each RPC is a `RemotingCommand` with a private request code and the
//! serde_json openraft request as body. The answer is SUCCESS with the
//! serde_json of `Result<response, openraft RaftError>` as body, so remote
//! Raft errors travel typed; an undecodable request gets SYSTEM_ERROR.
//! The controller's remoting router asks [`RaftRpc::handles`] and passes
//! matching requests to [`RaftRpc::handle`]; the peer port serves both the
//! Raft RPCs and the controller requests, as with DLedger.

use booster_remoting::{RemotingCommand, ResponseCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::types::Raft;

/// Request codes of the Raft RPCs. RocketMQ uses none of these numbers.
pub mod code {
    pub const APPEND_ENTRIES: i32 = 60001;
    pub const VOTE: i32 = 60002;
    pub const INSTALL_SNAPSHOT: i32 = 60003;
}

/// Serves this node's Raft RPCs.
#[derive(Clone)]
pub struct RaftRpc {
    raft: Raft,
}

impl std::fmt::Debug for RaftRpc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RaftRpc").finish_non_exhaustive()
    }
}

impl RaftRpc {
    pub(crate) fn new(raft: Raft) -> Self {
        Self { raft }
    }

    /// Whether `code` is one of the Raft RPCs.
    pub fn handles(code: i32) -> bool {
        matches!(code, code::APPEND_ENTRIES | code::VOTE | code::INSTALL_SNAPSHOT)
    }

    /// Answers one Raft RPC (never panics on bad input).
    pub async fn handle(&self, request: RemotingCommand) -> RemotingCommand {
        let outcome = match request.code {
            code::APPEND_ENTRIES => match decode(&request) {
                Ok(rpc) => encode(&self.raft.append_entries(rpc).await),
                Err(e) => Err(e),
            },
            code::VOTE => match decode(&request) {
                Ok(rpc) => encode(&self.raft.vote(rpc).await),
                Err(e) => Err(e),
            },
            code::INSTALL_SNAPSHOT => match decode(&request) {
                Ok(rpc) => encode(&self.raft.install_snapshot(rpc).await),
                Err(e) => Err(e),
            },
            other => Err(format!("request code {other} is not a raft rpc")),
        };
        match outcome {
            Ok(body) => RemotingCommand::response_to(&request, ResponseCode::Success.code()).with_body(body),
            Err(remark) => {
                RemotingCommand::response_to(&request, ResponseCode::SystemError.code()).with_remark(remark)
            }
        }
    }
}

fn decode<T: DeserializeOwned>(request: &RemotingCommand) -> Result<T, String> {
    let body = request.body.as_deref().unwrap_or_default();
    serde_json::from_slice(body).map_err(|e| format!("bad raft rpc body (code {}): {e}", request.code))
}

fn encode<T: Serialize>(outcome: &T) -> Result<Vec<u8>, String> {
    serde_json::to_vec(outcome).map_err(|e| format!("cannot encode raft rpc response: {e}"))
}
