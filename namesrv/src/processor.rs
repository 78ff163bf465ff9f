//! Request handling without I/O: [`NamesrvState::process`] maps one request
//! to one response, given the connection it came on and the time.
//! (Java `DefaultRequestProcessor` + `ClientRequestProcessor`.)
//!
//! The only effect a request can need beyond the response is writing the
//! KV store file; it is returned as [`Processed::persist_kv`] for the shell
//! to perform before it answers (Java persists inside the handler too).
//!
//! Deliberate differences from Java, all invisible to well-behaved peers:
//! a header missing a required field is answered SYSTEM_ERROR naming the
//! field at once; UNREGISTER_BROKER is applied immediately rather than
//! queued (so it never fails with "queue full").

// Handlers return `Result<RemotingCommand, RemotingCommand>`: the error *is*
// the response (SYSTEM_ERROR, TOPIC_NOT_EXIST…), moved once to the caller,
// so its size is no reason to box it.
#![allow(clippy::result_large_err)]

mod admin;
mod broker;
#[cfg(test)]
mod tests;

use booster_conf::NamesrvConfig;
use booster_remoting::header::{CommandHeader, HeaderError};
use booster_remoting::{RemotingCommand, ResponseCode, request as code};

use crate::kv::KvConfigManager;
use crate::route_info::{ChannelId, RouteConfig, RouteInfoManager};

/// `FAQUrl.suggestTodo(FAQUrl.APPLY_TOPIC_URL)`, appended to TOPIC_NOT_EXIST.
pub const APPLY_TOPIC_TIP: &str =
    "\nSee https://rocketmq.apache.org/docs/bestPractice/06FAQ for further details.";

/// Everything a name server knows.
#[derive(Debug)]
pub struct NamesrvState {
    pub routes: RouteInfoManager,
    pub kv: KvConfigManager,
    pub config: NamesrvConfig,
    /// When the server started serving (for `needWaitForService`).
    pub boot_ms: i64,
}

/// The outcome of one request.
#[derive(Debug)]
pub struct Processed {
    /// `None` only for requests that never answer (none so far; oneway
    /// requests are filtered by the connection layer).
    pub response: Option<RemotingCommand>,
    /// New KV file content to persist before answering.
    pub persist_kv: Option<String>,
}

impl Processed {
    fn reply(response: RemotingCommand) -> Self {
        Processed { response: Some(response), persist_kv: None }
    }
}

/// A response with `code` and optional remark.
pub(crate) fn respond(req: &RemotingCommand, code: ResponseCode) -> RemotingCommand {
    RemotingCommand::response_to(req, code.code())
}

/// SYSTEM_ERROR for a header that does not decode.
fn bad_header(req: &RemotingCommand, e: &HeaderError) -> RemotingCommand {
    respond(req, ResponseCode::SystemError).with_remark(e.to_string())
}

/// Decodes the request's header or returns the SYSTEM_ERROR response.
pub(crate) fn header<H: CommandHeader>(req: &RemotingCommand) -> Result<H, RemotingCommand> {
    H::from_command(req).map_err(|e| bad_header(req, &e))
}

impl NamesrvState {
    pub fn new(config: NamesrvConfig, kv: KvConfigManager, boot_ms: i64) -> Self {
        NamesrvState { routes: RouteInfoManager::new(RouteConfig::from(&config)), kv, config, boot_ms }
    }

    /// Handles one request. `channel` identifies the connection (used to
    /// unregister brokers when it closes); `now_ms` is the current time.
    pub fn process(&mut self, req: &RemotingCommand, channel: Option<ChannelId>, now_ms: i64) -> Processed {
        let result = match req.code {
            code::PUT_KV_CONFIG => self.put_kv_config(req),
            code::GET_KV_CONFIG => self.get_kv_config(req).map(Processed::reply),
            code::DELETE_KV_CONFIG => self.delete_kv_config(req),
            code::GET_KVLIST_BY_NAMESPACE => self.get_kv_list_by_namespace(req).map(Processed::reply),
            code::REGISTER_BROKER => self.register_broker(req, channel, now_ms).map(Processed::reply),
            code::UNREGISTER_BROKER => self.unregister_broker(req).map(Processed::reply),
            code::BROKER_HEARTBEAT => self.broker_heartbeat(req, now_ms).map(Processed::reply),
            code::QUERY_DATA_VERSION => self.query_data_version(req, now_ms).map(Processed::reply),
            code::GET_ROUTEINFO_BY_TOPIC => self.get_route_info_by_topic(req, now_ms).map(Processed::reply),
            code::GET_BROKER_CLUSTER_INFO => {
                let body = booster_model::to_rocketmq_json(&self.routes.cluster_info(), false);
                Ok(Processed::reply(respond(req, ResponseCode::Success).with_body(body.into_bytes())))
            }
            code::GET_BROKER_MEMBER_GROUP => self.get_broker_member_group(req).map(Processed::reply),
            code::WIPE_WRITE_PERM_OF_BROKER | code::ADD_WRITE_PERM_OF_BROKER => {
                self.edit_write_perm(req).map(Processed::reply)
            }
            code::GET_ALL_TOPIC_LIST_FROM_NAMESERVER
            | code::GET_TOPICS_BY_CLUSTER
            | code::GET_SYSTEM_TOPIC_LIST_FROM_NS
            | code::GET_UNIT_TOPIC_LIST
            | code::GET_HAS_UNIT_SUB_TOPIC_LIST
            | code::GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST => self.topic_list(req).map(Processed::reply),
            code::DELETE_TOPIC_IN_NAMESRV => self.delete_topic(req).map(Processed::reply),
            code::REGISTER_TOPIC_IN_NAMESRV => self.register_topic(req).map(Processed::reply),
            code::GET_NAMESRV_CONFIG => Ok(Processed::reply(self.get_config(req))),
            _ => Ok(Processed::reply(booster_remoting::connection::not_supported(req))),
        };
        result.unwrap_or_else(Processed::reply)
    }
}
