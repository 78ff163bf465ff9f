//! The thin I/O layer: one method per request, each returning a decoded
//! body or a typed [`AdminError`] that names the request and the server.
//! No formatting and no decisions beyond "which name server answers".

use std::time::Duration;

use booster_model::connection::ConsumerConnection;
use booster_model::controller::{BrokerReplicasInfo, ElectMasterResponseBody, EpochEntryCache};
use booster_model::ha_runtime::HaRuntimeInfo;
use booster_model::route::{KvTable, decode_body};
use booster_model::{ClusterInfo, ConsumeStats, TopicList, TopicRouteData, TopicStatsTable};
use booster_remoting::header::CommandHeader;
use booster_remoting::headers::broker::{
    CreateTopicRequestHeader, DeleteTopicRequestHeader, GetConsumeStatsRequestHeader,
    GetConsumerConnectionListRequestHeader, GetTopicStatsInfoRequestHeader, ViewMessageRequestHeader,
};
use booster_remoting::headers::controller::{
    CleanControllerBrokerDataRequestHeader, ElectMasterRequestHeader, ElectMasterResponseHeader,
    GetMetaDataResponseHeader,
};
use booster_remoting::headers::namesrv::{
    DeleteTopicFromNamesrvRequestHeader, GetRouteInfoRequestHeader, GetTopicsByClusterRequestHeader,
    PutKvConfigRequestHeader,
};
use booster_remoting::{ExtFields, RemotingClient, RemotingCommand, ResponseCode, request};
use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::args::{CleanBrokerMetadata, UpdateTopic};
use crate::error::{AdminError, response_code_name};

/// Java's `MixAll.AUTO_CREATE_TOPIC_KEY_TOPIC`, sent as `defaultTopic`.
const DEFAULT_TOPIC: &str = "TBW102";
/// The name-server KV namespace of order-topic configs.
const ORDER_TOPIC_CONFIG: &str = "ORDER_TOPIC_CONFIG";

/// A connection pool plus the name-server list.
#[derive(Debug, Clone)]
pub struct AdminClient {
    client: RemotingClient,
    namesrv: Vec<String>,
    timeout: Duration,
}

impl AdminClient {
    pub fn new(namesrv: Vec<String>, timeout: Duration) -> Self {
        AdminClient { client: RemotingClient::default(), namesrv, timeout }
    }

    pub fn namesrv(&self) -> &[String] {
        &self.namesrv
    }

    /// Sends `cmd` to `addr`; anything but SUCCESS is an error.
    async fn call(
        &self,
        addr: &str,
        what: &'static str,
        cmd: RemotingCommand,
    ) -> Result<RemotingCommand, AdminError> {
        let code = cmd.code;
        let resp = self
            .client
            .invoke(addr, cmd, self.timeout)
            .await
            .map_err(|source| AdminError::Connect { addr: addr.to_owned(), source })?;
        if resp.code == ResponseCode::Success.code() {
            return Ok(resp);
        }
        if resp.code == ResponseCode::RequestCodeNotSupported.code() {
            return Err(AdminError::NotSupported { request: what, code, addr: addr.to_owned() });
        }
        Err(AdminError::Remote {
            request: what,
            addr: addr.to_owned(),
            code: resp.code,
            code_name: response_code_name(resp.code),
            remark: resp.remark,
        })
    }

    fn body(what: &'static str, addr: &str, resp: RemotingCommand) -> Result<Bytes, AdminError> {
        resp.body.ok_or_else(|| AdminError::NoBody { request: what, addr: addr.to_owned() })
    }

    async fn json<T: DeserializeOwned>(
        &self,
        addr: &str,
        what: &'static str,
        cmd: RemotingCommand,
    ) -> Result<T, AdminError> {
        let resp = self.call(addr, what, cmd).await?;
        let body = Self::body(what, addr, resp)?;
        decode_body(&body).map_err(|source| AdminError::Decode {
            request: what,
            addr: addr.to_owned(),
            source,
        })
    }

    /// Asks the name servers in turn; the first answer wins, else the last
    /// error is returned (a "no such topic" answer is final).
    async fn namesrv_json<T: DeserializeOwned>(
        &self,
        what: &'static str,
        make: impl Fn() -> RemotingCommand,
    ) -> Result<T, AdminError> {
        let mut last = None;
        for addr in &self.namesrv {
            match self.json(addr, what, make()).await {
                Ok(v) => return Ok(v),
                Err(e @ AdminError::Remote { .. }) => return Err(e),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or(AdminError::Remote {
            request: what,
            addr: "(no name server)".to_owned(),
            code: -1002,
            code_name: "RPC_ADDR_IS_NULL",
            remark: None,
        }))
    }

    fn header<H: CommandHeader>(
        what: &'static str,
        addr: &str,
        resp: &RemotingCommand,
    ) -> Result<H, AdminError> {
        H::from_command(resp).map_err(|source| AdminError::BadHeader {
            request: what,
            addr: addr.to_owned(),
            source,
        })
    }

    fn request(code: i32, fields: ExtFields) -> RemotingCommand {
        RemotingCommand::request(code).with_ext(fields)
    }

    pub async fn cluster_info(&self) -> Result<ClusterInfo, AdminError> {
        self.namesrv_json("GET_BROKER_CLUSTER_INFO", || {
            RemotingCommand::request(request::GET_BROKER_CLUSTER_INFO)
        })
        .await
    }

    pub async fn topic_list(&self) -> Result<TopicList, AdminError> {
        self.namesrv_json("GET_ALL_TOPIC_LIST_FROM_NAMESERVER", || {
            RemotingCommand::request(request::GET_ALL_TOPIC_LIST_FROM_NAMESERVER)
        })
        .await
    }

    pub async fn topics_by_cluster(&self, cluster: &str) -> Result<TopicList, AdminError> {
        let fields = GetTopicsByClusterRequestHeader { cluster: cluster.to_owned() }.encode();
        self.namesrv_json("GET_TOPICS_BY_CLUSTER", || {
            Self::request(request::GET_TOPICS_BY_CLUSTER, fields.clone())
        })
        .await
    }

    pub async fn topic_route(&self, topic: &str) -> Result<TopicRouteData, AdminError> {
        let fields =
            GetRouteInfoRequestHeader { topic: topic.to_owned(), accept_standard_json_only: None }.encode();
        self.namesrv_json("GET_ROUTEINFO_BY_TOPIC", || {
            Self::request(request::GET_ROUTEINFO_BY_TOPIC, fields.clone())
        })
        .await
    }

    pub async fn runtime_info(&self, broker: &str) -> Result<KvTable, AdminError> {
        self.json(
            broker,
            "GET_BROKER_RUNTIME_INFO",
            RemotingCommand::request(request::GET_BROKER_RUNTIME_INFO),
        )
        .await
    }

    pub async fn create_topic(&self, broker: &str, u: &UpdateTopic) -> Result<(), AdminError> {
        let header = CreateTopicRequestHeader {
            topic: u.topic.clone(),
            default_topic: Some(DEFAULT_TOPIC.to_owned()),
            read_queue_nums: u.read_queue_nums,
            write_queue_nums: u.write_queue_nums,
            perm: u.perm,
            topic_filter_type: Some("SINGLE_TAG".to_owned()),
            topic_sys_flag: Some(u.topic_sys_flag),
            order: Some(u.order),
            attributes: u.attributes.clone(),
            force: None,
        };
        let cmd = Self::request(request::UPDATE_AND_CREATE_TOPIC, header.encode());
        self.call(broker, "UPDATE_AND_CREATE_TOPIC", cmd).await.map(drop)
    }

    pub async fn delete_topic_in_broker(&self, broker: &str, topic: &str) -> Result<(), AdminError> {
        let fields = DeleteTopicRequestHeader { topic: topic.to_owned() }.encode();
        let cmd = Self::request(request::DELETE_TOPIC_IN_BROKER, fields);
        self.call(broker, "DELETE_TOPIC_IN_BROKER", cmd).await.map(drop)
    }

    /// Deletes the topic's routes (of `cluster`'s brokers) in every name server.
    pub async fn delete_topic_in_namesrv(&self, topic: &str, cluster: &str) -> Result<(), AdminError> {
        let fields = DeleteTopicFromNamesrvRequestHeader {
            topic: topic.to_owned(),
            cluster_name: Some(cluster.to_owned()),
        }
        .encode();
        for addr in &self.namesrv {
            let cmd = Self::request(request::DELETE_TOPIC_IN_NAMESRV, fields.clone());
            self.call(addr, "DELETE_TOPIC_IN_NAMESRV", cmd).await?;
        }
        Ok(())
    }

    /// Stores `brokerName:queues;…` as the topic's order config in every
    /// name server (what `createOrUpdateOrderConf` does).
    pub async fn put_order_conf(&self, topic: &str, conf: &str) -> Result<(), AdminError> {
        let fields = PutKvConfigRequestHeader {
            namespace: ORDER_TOPIC_CONFIG.to_owned(),
            key: topic.to_owned(),
            value: conf.to_owned(),
        }
        .encode();
        for addr in &self.namesrv {
            let cmd = Self::request(request::PUT_KV_CONFIG, fields.clone());
            self.call(addr, "PUT_KV_CONFIG", cmd).await?;
        }
        Ok(())
    }

    pub async fn topic_stats(&self, broker: &str, topic: &str) -> Result<TopicStatsTable, AdminError> {
        let fields = GetTopicStatsInfoRequestHeader { topic: topic.to_owned() }.encode();
        self.json(broker, "GET_TOPIC_STATS_INFO", Self::request(request::GET_TOPIC_STATS_INFO, fields)).await
    }

    pub async fn consume_stats(
        &self,
        broker: &str,
        group: &str,
        topic: Option<&str>,
    ) -> Result<ConsumeStats, AdminError> {
        let fields = GetConsumeStatsRequestHeader {
            consumer_group: group.to_owned(),
            topic: topic.map(str::to_owned),
        }
        .encode();
        self.json(broker, "GET_CONSUME_STATS", Self::request(request::GET_CONSUME_STATS, fields)).await
    }

    /// The group's live consumers as `broker` knows them.
    pub async fn consumer_connection(
        &self,
        broker: &str,
        group: &str,
    ) -> Result<ConsumerConnection, AdminError> {
        let fields = GetConsumerConnectionListRequestHeader { consumer_group: group.to_owned() }.encode();
        let cmd = Self::request(request::GET_CONSUMER_CONNECTION_LIST, fields);
        self.json(broker, "GET_CONSUMER_CONNECTION_LIST", cmd).await
    }

    /// The raw record at `offset` on `broker`.
    pub async fn view_message(&self, broker: &str, offset: i64) -> Result<Bytes, AdminError> {
        let fields = ViewMessageRequestHeader { offset, topic: None }.encode();
        let resp = self
            .call(broker, "VIEW_MESSAGE_BY_ID", Self::request(request::VIEW_MESSAGE_BY_ID, fields))
            .await?;
        Self::body("VIEW_MESSAGE_BY_ID", broker, resp)
    }

    pub async fn controller_metadata(
        &self,
        controller: &str,
    ) -> Result<GetMetaDataResponseHeader, AdminError> {
        const WHAT: &str = "CONTROLLER_GET_METADATA_INFO";
        let resp = self
            .call(controller, WHAT, RemotingCommand::request(request::CONTROLLER_GET_METADATA_INFO))
            .await?;
        Self::header(WHAT, controller, &resp)
    }

    /// The controller leader's address, asked from any controller (what
    /// Java's admin does before every leader-only request).
    pub async fn controller_leader(&self, controller: &str) -> Result<String, AdminError> {
        self.controller_metadata(controller)
            .await?
            .controller_leader_address
            .filter(|a| !a.trim().is_empty())
            .ok_or_else(|| AdminError::NoControllerLeader { addr: controller.to_owned() })
    }

    /// The replicas of `broker_names` (a JSON array body).
    pub async fn sync_state_data(
        &self,
        leader: &str,
        broker_names: &[String],
    ) -> Result<BrokerReplicasInfo, AdminError> {
        let body = serde_json::to_vec(broker_names).unwrap_or_default();
        let cmd = RemotingCommand::request(request::CONTROLLER_GET_SYNC_STATE_DATA).with_body(body);
        self.json(leader, "CONTROLLER_GET_SYNC_STATE_DATA", cmd).await
    }

    pub async fn broker_epoch_cache(&self, broker: &str) -> Result<EpochEntryCache, AdminError> {
        let cmd = RemotingCommand::request(request::GET_BROKER_EPOCH_CACHE);
        self.json(broker, "GET_BROKER_EPOCH_CACHE", cmd).await
    }

    /// An admin-designated election (`designateElect=true`).
    pub async fn elect_master(
        &self,
        leader: &str,
        cluster: &str,
        broker_name: &str,
        broker_id: i64,
    ) -> Result<(ElectMasterResponseHeader, ElectMasterResponseBody), AdminError> {
        const WHAT: &str = "CONTROLLER_ELECT_MASTER";
        let header = ElectMasterRequestHeader {
            cluster_name: Some(cluster.to_owned()),
            broker_name: broker_name.to_owned(),
            broker_id: Some(broker_id),
            designate_elect: Some(true),
            invoke_time: Some(now_ms()),
        };
        let resp =
            self.call(leader, WHAT, Self::request(request::CONTROLLER_ELECT_MASTER, header.encode())).await?;
        let head = Self::header(WHAT, leader, &resp)?;
        let body = match &resp.body {
            Some(b) if !b.is_empty() => decode_body(b).map_err(|source| AdminError::Decode {
                request: WHAT,
                addr: leader.to_owned(),
                source,
            })?,
            _ => ElectMasterResponseBody::default(),
        };
        Ok((head, body))
    }

    pub async fn clean_broker_data(&self, leader: &str, c: &CleanBrokerMetadata) -> Result<(), AdminError> {
        let header = CleanControllerBrokerDataRequestHeader {
            cluster_name: c.cluster.clone(),
            broker_name: c.broker_name.clone(),
            broker_controller_ids_to_clean: c.broker_ids.clone(),
            is_clean_living_broker: Some(c.clean_living),
            invoke_time: Some(now_ms()),
        };
        let cmd = Self::request(request::CLEAN_BROKER_DATA, header.encode());
        self.call(leader, "CLEAN_BROKER_DATA", cmd).await.map(drop)
    }

    /// One controller's configuration, in the order it sent it.
    pub async fn controller_config(&self, controller: &str) -> Result<Vec<(String, String)>, AdminError> {
        const WHAT: &str = "GET_CONTROLLER_CONFIG";
        let resp =
            self.call(controller, WHAT, RemotingCommand::request(request::GET_CONTROLLER_CONFIG)).await?;
        let body = Self::body(WHAT, controller, resp)?;
        let text = String::from_utf8_lossy(&body);
        let props =
            booster_conf::Properties::parse_str(&text, format!("{WHAT} answer")).map_err(|source| {
                AdminError::BadProperties {
                    request: WHAT,
                    addr: controller.to_owned(),
                    source: Box::new(source),
                }
            })?;
        Ok(props.iter().map(|e| (e.key.clone(), e.value.clone())).collect())
    }

    /// Sets `key=value` on one controller (it applies it locally only).
    pub async fn update_controller_config(
        &self,
        controller: &str,
        key: &str,
        value: &str,
    ) -> Result<(), AdminError> {
        let cmd = RemotingCommand::request(request::UPDATE_CONTROLLER_CONFIG)
            .with_body(format!("{key}={value}\n").into_bytes());
        self.call(controller, "UPDATE_CONTROLLER_CONFIG", cmd).await.map(drop)
    }

    pub async fn ha_status(&self, broker: &str) -> Result<HaRuntimeInfo, AdminError> {
        self.json(broker, "GET_BROKER_HA_STATUS", RemotingCommand::request(request::GET_BROKER_HA_STATUS))
            .await
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
