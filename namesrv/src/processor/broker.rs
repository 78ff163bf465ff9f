//! Broker-facing requests (registration, liveness) and the route query.

use booster_model::route::{GetBrokerMemberGroupResponseBody, decode_body};
use booster_model::{
    DataVersion, RegisterBrokerBody, TopicConfigAndMappingSerializeWrapper, TopicConfigSerializeWrapper,
    TopicRouteData, to_rocketmq_json,
};
use booster_remoting::header::CommandHeader;
use booster_remoting::headers::namesrv::{
    BrokerHeartbeatRequestHeader, GetBrokerMemberGroupRequestHeader, GetRouteInfoRequestHeader,
    QueryDataVersionRequestHeader, QueryDataVersionResponseHeader, RegisterBrokerRequestHeader,
    RegisterBrokerResponseHeader, UnRegisterBrokerRequestHeader,
};
use booster_remoting::{RemotingCommand, ResponseCode};

use super::{APPLY_TOPIC_TIP, NamesrvState, header, respond};
use crate::compressed;
use crate::kv::NAMESPACE_ORDER_TOPIC_CONFIG;
use crate::route_info::{BrokerAddrInfo, ChannelId, RegisterBrokerRequest, Registration};

/// Brokers from this version on send a RegisterBrokerBody; older ones a
/// bare TopicConfigSerializeWrapper (`MQVersion.Version.V3_0_11`).
pub const REGISTER_BODY_MIN_VERSION: i32 = 37;

/// extField naming the broker's zone.
pub const ZONE_NAME_KEY: &str = "__ZONE_NAME";

type Reply = Result<RemotingCommand, RemotingCommand>;

/// Java `UtilAll.crc32`: CRC32 masked to a non-negative int; 0 for no body.
pub fn body_crc32(body: Option<&[u8]>) -> i32 {
    body.map_or(0, booster_model::record::crc32)
}

/// The topic table of a REGISTER_BROKER body, by broker version and the
/// `compressed` flag. No body is an empty table with a zero DataVersion.
pub fn decode_register_body(
    req: &RemotingCommand,
    compressed_body: bool,
) -> Result<(TopicConfigAndMappingSerializeWrapper, Option<Vec<String>>), String> {
    let Some(body) = req.body.as_deref() else {
        let filters = (req.version >= REGISTER_BODY_MIN_VERSION).then(Vec::new);
        return Ok((TopicConfigAndMappingSerializeWrapper::default(), filters));
    };
    if req.version < REGISTER_BODY_MIN_VERSION {
        let old: TopicConfigSerializeWrapper = decode_body(body).map_err(|e| e.to_string())?;
        return Ok((old.into(), None));
    }
    let parsed: RegisterBrokerBody = if compressed_body {
        compressed::decode(body, req.version).map_err(|e| e.to_string())?
    } else {
        decode_body(body).map_err(|e| format!("Failed to decode RegisterBrokerBody: {e}"))?
    };
    Ok((parsed.topic_config_serialize_wrapper, Some(parsed.filter_server_list)))
}

impl NamesrvState {
    pub(super) fn register_broker(
        &mut self,
        req: &RemotingCommand,
        channel: Option<ChannelId>,
        now_ms: i64,
    ) -> Reply {
        let h: RegisterBrokerRequestHeader = header(req)?;
        let expected_crc = h.body_crc32.unwrap_or(0);
        if expected_crc != 0 && expected_crc != body_crc32(req.body.as_deref()) {
            tracing::warn!(broker = %h.broker_addr, "register broker: crc32 not match");
            return Err(respond(req, ResponseCode::SystemError).with_remark("crc32 not match"));
        }
        let (topic_config, filter_server_list) = decode_register_body(req, h.is_compressed())
            .map_err(|e| respond(req, ResponseCode::SystemError).with_remark(e))?;
        let registration = RegisterBrokerRequest {
            cluster_name: h.cluster_name,
            broker_addr: h.broker_addr,
            broker_name: h.broker_name,
            broker_id: h.broker_id,
            ha_server_addr: h.ha_server_addr,
            zone_name: req.ext(ZONE_NAME_KEY).map(str::to_owned),
            heartbeat_timeout_ms: h.heartbeat_timeout_millis,
            enable_acting_master: h.enable_acting_master,
            topic_config,
            filter_server_list,
            channel,
        };
        let result = match self.routes.register_broker(&registration, now_ms) {
            Registration::Accepted(result) => result,
            Registration::Conflict => Default::default(),
            Registration::Refused => {
                return Err(respond(req, ResponseCode::SystemError).with_remark("register broker failed"));
            }
        };
        let response_header = RegisterBrokerResponseHeader {
            ha_server_addr: result.ha_server_addr,
            master_addr: result.master_addr,
        };
        let mut response = respond(req, ResponseCode::Success).with_ext(response_header.encode());
        if self.config.return_order_topic_config_to_broker
            && let Some(table) = self.kv.list_by_namespace(NAMESPACE_ORDER_TOPIC_CONFIG)
        {
            response = response.with_body(to_rocketmq_json(&table, false).into_bytes());
        }
        Ok(response)
    }

    pub(super) fn unregister_broker(&mut self, req: &RemotingCommand) -> Reply {
        let h: UnRegisterBrokerRequestHeader = header(req)?;
        self.routes.unregister_brokers(std::slice::from_ref(&h));
        Ok(respond(req, ResponseCode::Success))
    }

    pub(super) fn broker_heartbeat(&mut self, req: &RemotingCommand, now_ms: i64) -> Reply {
        let h: BrokerHeartbeatRequestHeader = header(req)?;
        self.routes.update_broker_info_update_timestamp(
            &BrokerAddrInfo::new(&h.cluster_name, &h.broker_addr),
            now_ms,
        );
        Ok(respond(req, ResponseCode::Success))
    }

    pub(super) fn query_data_version(&mut self, req: &RemotingCommand, now_ms: i64) -> Reply {
        let h: QueryDataVersionRequestHeader = header(req)?;
        let theirs: Option<DataVersion> = match req.body.as_deref() {
            Some(body) => Some(decode_body(body).map_err(|e| {
                respond(req, ResponseCode::SystemError).with_remark(format!("bad DataVersion: {e}"))
            })?),
            None => None,
        };
        let addr = BrokerAddrInfo::new(&h.cluster_name, &h.broker_addr);
        let changed = self.routes.is_broker_topic_config_changed(&addr, theirs.as_ref());
        self.routes.update_broker_info_update_timestamp(&addr, now_ms);
        let mut response =
            respond(req, ResponseCode::Success).with_ext(QueryDataVersionResponseHeader { changed }.encode());
        if let Some(ours) = self.routes.query_broker_topic_config(&addr) {
            response = response.with_body(to_rocketmq_json(&ours, false).into_bytes());
        }
        Ok(response)
    }

    pub(super) fn get_route_info_by_topic(&mut self, req: &RemotingCommand, now_ms: i64) -> Reply {
        let h: GetRouteInfoRequestHeader = header(req)?;
        let wait_ms = i64::from(self.config.wait_seconds_for_service).saturating_mul(1000);
        if self.config.need_wait_for_service && now_ms.saturating_sub(self.boot_ms) < wait_ms {
            return Err(respond(req, ResponseCode::SystemError).with_remark("name server not ready"));
        }
        let Some(mut route) = self.routes.pickup_topic_route_data(&h.topic) else {
            let remark =
                format!("No topic route info in name server for the topic: {}{APPLY_TOPIC_TIP}", h.topic);
            return Err(respond(req, ResponseCode::TopicNotExist).with_remark(remark));
        };
        if self.config.order_message_enable {
            route.order_topic_conf = self.kv.get(NAMESPACE_ORDER_TOPIC_CONFIG, &h.topic).map(str::to_owned);
        }
        let standard =
            TopicRouteData::wants_standard_json(req.version, h.accept_standard_json_only.unwrap_or(false));
        Ok(respond(req, ResponseCode::Success).with_body(route.encode(standard)))
    }

    pub(super) fn get_broker_member_group(&mut self, req: &RemotingCommand) -> Reply {
        let h: GetBrokerMemberGroupRequestHeader = header(req)?;
        let body = GetBrokerMemberGroupResponseBody {
            broker_member_group: self.routes.broker_member_group(&h.cluster_name, &h.broker_name),
        };
        Ok(respond(req, ResponseCode::Success).with_body(to_rocketmq_json(&body, false).into_bytes()))
    }
}
