//! Administrative requests: the KV store, topic lists and topic edits, the
//! write-permission switches and the config dump.

use booster_model::route::decode_body;
use booster_model::{TopicRouteData, to_rocketmq_json};
use booster_remoting::header::CommandHeader;
use booster_remoting::headers::namesrv::{
    AddWritePermOfBrokerResponseHeader, DeleteKvConfigRequestHeader, DeleteTopicFromNamesrvRequestHeader,
    GetKvConfigRequestHeader, GetKvConfigResponseHeader, GetKvListByNamespaceRequestHeader,
    GetTopicsByClusterRequestHeader, PutKvConfigRequestHeader, RegisterTopicRequestHeader,
    WipeWritePermOfBrokerRequestHeader, WipeWritePermOfBrokerResponseHeader,
};
use booster_remoting::{RemotingCommand, ResponseCode, request as code};

use super::{NamesrvState, Processed, header, respond};

type Reply = Result<RemotingCommand, RemotingCommand>;

impl NamesrvState {
    pub(super) fn put_kv_config(&mut self, req: &RemotingCommand) -> Result<Processed, RemotingCommand> {
        let h: PutKvConfigRequestHeader = header(req)?;
        self.kv.put(&h.namespace, &h.key, &h.value);
        Ok(Processed {
            response: Some(respond(req, ResponseCode::Success)),
            persist_kv: Some(self.kv.to_json()),
        })
    }

    pub(super) fn get_kv_config(&mut self, req: &RemotingCommand) -> Reply {
        let h: GetKvConfigRequestHeader = header(req)?;
        match self.kv.get(&h.namespace, &h.key) {
            Some(value) => {
                let fields = GetKvConfigResponseHeader { value: Some(value.to_owned()) }.encode();
                Ok(respond(req, ResponseCode::Success).with_ext(fields))
            }
            None => Err(respond(req, ResponseCode::QueryNotFound)
                .with_remark(format!("No config item, Namespace: {} Key: {}", h.namespace, h.key))),
        }
    }

    pub(super) fn delete_kv_config(&mut self, req: &RemotingCommand) -> Result<Processed, RemotingCommand> {
        let h: DeleteKvConfigRequestHeader = header(req)?;
        self.kv.delete(&h.namespace, &h.key);
        Ok(Processed {
            response: Some(respond(req, ResponseCode::Success)),
            persist_kv: Some(self.kv.to_json()),
        })
    }

    pub(super) fn get_kv_list_by_namespace(&mut self, req: &RemotingCommand) -> Reply {
        let h: GetKvListByNamespaceRequestHeader = header(req)?;
        match self.kv.list_by_namespace(&h.namespace) {
            Some(table) => {
                Ok(respond(req, ResponseCode::Success)
                    .with_body(to_rocketmq_json(&table, false).into_bytes()))
            }
            None => Err(respond(req, ResponseCode::QueryNotFound)
                .with_remark(format!("No config item, Namespace: {}", h.namespace))),
        }
    }

    /// The six topic-list requests; all but the system list obey
    /// `enableAllTopicList` / `enableTopicList` (SYSTEM_ERROR `disable`).
    pub(super) fn topic_list(&mut self, req: &RemotingCommand) -> Reply {
        let disabled = || respond(req, ResponseCode::SystemError).with_remark("disable");
        let list = match req.code {
            code::GET_ALL_TOPIC_LIST_FROM_NAMESERVER => {
                if !self.config.enable_all_topic_list {
                    return Err(disabled());
                }
                self.routes.all_topic_list()
            }
            code::GET_SYSTEM_TOPIC_LIST_FROM_NS => self.routes.system_topic_list(),
            _ if !self.config.enable_topic_list => return Err(disabled()),
            code::GET_TOPICS_BY_CLUSTER => {
                let h: GetTopicsByClusterRequestHeader = header(req)?;
                self.routes.topics_by_cluster(&h.cluster)
            }
            code::GET_UNIT_TOPIC_LIST => self.routes.unit_topics(),
            code::GET_HAS_UNIT_SUB_TOPIC_LIST => self.routes.has_unit_sub_topics(),
            _ => self.routes.has_unit_sub_un_unit_topics(),
        };
        Ok(respond(req, ResponseCode::Success).with_body(to_rocketmq_json(&list, false).into_bytes()))
    }

    pub(super) fn delete_topic(&mut self, req: &RemotingCommand) -> Reply {
        let h: DeleteTopicFromNamesrvRequestHeader = header(req)?;
        self.routes.delete_topic(&h.topic, h.cluster_name.as_deref());
        Ok(respond(req, ResponseCode::Success))
    }

    /// REGISTER_TOPIC_IN_NAMESRV: registers the body's queue data; a body
    /// that is absent or unreadable registers nothing (Java: SUCCESS too).
    pub(super) fn register_topic(&mut self, req: &RemotingCommand) -> Reply {
        let h: RegisterTopicRequestHeader = header(req)?;
        let route: Option<TopicRouteData> = req.body.as_deref().and_then(|b| decode_body(b).ok());
        if let Some(route) = route {
            self.routes.register_topic(&h.topic, &route.queue_datas);
        }
        Ok(respond(req, ResponseCode::Success))
    }

    /// WIPE_ / ADD_WRITE_PERM_OF_BROKER (both headers are `brokerName`).
    pub(super) fn edit_write_perm(&mut self, req: &RemotingCommand) -> Reply {
        let h: WipeWritePermOfBrokerRequestHeader = header(req)?;
        let fields = if req.code == code::WIPE_WRITE_PERM_OF_BROKER {
            let wipe_topic_count = self.routes.wipe_write_perm_of_broker(&h.broker_name);
            tracing::info!(broker = %h.broker_name, wipe_topic_count, "wipe write perm of broker");
            WipeWritePermOfBrokerResponseHeader { wipe_topic_count }.encode()
        } else {
            let add_topic_count = self.routes.add_write_perm_of_broker(&h.broker_name);
            tracing::info!(broker = %h.broker_name, add_topic_count, "add write perm of broker");
            AddWritePermOfBrokerResponseHeader { add_topic_count }.encode()
        };
        Ok(respond(req, ResponseCode::Success).with_ext(fields))
    }

    /// GET_NAMESRV_CONFIG: the effective settings as `key=value` lines.
    pub(super) fn get_config(&self, req: &RemotingCommand) -> RemotingCommand {
        let text: String =
            self.config.to_properties().into_iter().map(|(k, v)| format!("{k}={v}\n")).collect();
        respond(req, ResponseCode::Success).with_body(text.into_bytes())
    }
}
