//! UPDATE_AND_CREATE_TOPIC (17), GET_ALL_TOPIC_CONFIG (21),
//! DELETE_TOPIC_IN_BROKER (215): spec/remoting.md §4.8. Changes persist
//! `topics.json` and trigger a name-server registration.

use std::collections::BTreeMap;
use std::sync::Arc;

use booster_model::route::TopicConfigAndMappingSerializeWrapper;
use booster_model::{TopicConfig, TopicFilterType, to_rocketmq_json};
use booster_remoting::headers::broker::{
    CreateTopicRequestHeader, DeleteTopicRequestHeader, GetAllTopicConfigResponseHeader,
};
use booster_remoting::{Connection, RemotingCommand, ResponseCode, request};

use super::{ProcessorTable, Reply, decode_header, reply_error, response, with_header};
use crate::context::BrokerContext;
use crate::topic::validate;
use crate::util::now_ms;

pub fn register(table: &mut ProcessorTable) {
    table.register(request::UPDATE_AND_CREATE_TOPIC, create_topic);
    table.register(request::GET_ALL_TOPIC_CONFIG, all_topics);
    table.register(request::DELETE_TOPIC_IN_BROKER, delete_topic);
}

/// Applies `+k=v,+k2=v2,-k3` to `current` (`AttributeParser` +
/// `alterCurrentAttributes`): `+` sets, `-` removes.
pub fn alter_attributes(
    current: &BTreeMap<String, String>,
    spec: &str,
) -> Result<BTreeMap<String, String>, String> {
    let mut out = current.clone();
    for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if let Some(kv) = item.strip_prefix('+') {
            let (k, v) = kv.split_once('=').ok_or_else(|| format!("attribute {item:?} lacks a value"))?;
            if k.is_empty() {
                return Err(format!("attribute {item:?} has an empty key"));
            }
            out.insert(k.to_owned(), v.to_owned());
        } else if let Some(k) = item.strip_prefix('-') {
            if k.contains('=') || k.is_empty() {
                return Err(format!("attribute {item:?}: removal takes a bare key"));
            }
            out.remove(k);
        } else {
            return Err(format!("attribute {item:?} must start with + or -"));
        }
    }
    Ok(out)
}

async fn create_topic(ctx: Arc<BrokerContext>, _conn: Connection, req: RemotingCommand) -> Reply {
    let h: CreateTopicRequestHeader = match decode_header(&req) {
        Ok(h) => h,
        Err(resp) => return Some(*resp),
    };
    let invalid = |remark: String| Some(reply_error(&req, ResponseCode::InvalidParameter, remark));
    if let Err(e) = validate::validate_topic(&h.topic) {
        return invalid(e);
    }
    let c = &ctx.config;
    if c.validate_system_topic_when_update_topic
        && validate::is_system_topic(&h.topic, &c.broker_cluster_name, &c.broker_name)
    {
        return invalid(format!("The topic[{}] is conflict with system topic.", h.topic));
    }
    if h.read_queue_nums <= 0 || h.write_queue_nums <= 0 {
        return invalid(format!(
            "invalid queue nums: read {} write {}",
            h.read_queue_nums, h.write_queue_nums
        ));
    }
    let filter = match h.topic_filter_type.as_deref().map(str::trim) {
        None | Some("") | Some("SINGLE_TAG") => TopicFilterType::SingleTag,
        Some("MULTI_TAG") => TopicFilterType::MultiTag,
        Some(other) => return invalid(format!("unknown topicFilterType {other}")),
    };
    let current = ctx.topics.select(&h.topic).map(|t| t.attributes).unwrap_or_default();
    let attributes = match alter_attributes(&current, h.attributes.as_deref().unwrap_or("")) {
        Ok(a) => a,
        Err(e) => return invalid(e),
    };
    let config = TopicConfig {
        attributes,
        order: h.order.unwrap_or(false),
        perm: h.perm,
        read_queue_nums: h.read_queue_nums,
        topic_filter_type: filter,
        topic_name: h.topic.clone(),
        topic_sys_flag: h.topic_sys_flag.unwrap_or(0),
        write_queue_nums: h.write_queue_nums,
    };
    match ctx.topics.update(config, now_ms()) {
        Ok(changed) => {
            if changed {
                tracing::info!(topic = %h.topic, "topic created or updated");
                ctx.metadata_changed.notify_one();
            }
            Some(response(&req, ResponseCode::Success))
        }
        Err(e) => Some(reply_error(&req, ResponseCode::SystemError, e.to_string())),
    }
}

async fn all_topics(ctx: Arc<BrokerContext>, _conn: Connection, req: RemotingCommand) -> Reply {
    let wrapper = TopicConfigAndMappingSerializeWrapper::from(ctx.topics.snapshot());
    let header =
        GetAllTopicConfigResponseHeader { total_topic_num: Some(wrapper.topic_config_table.len() as i32) };
    let body = to_rocketmq_json(&wrapper, false);
    Some(with_header(response(&req, ResponseCode::Success), &header).with_body(body.into_bytes()))
}

async fn delete_topic(ctx: Arc<BrokerContext>, _conn: Connection, req: RemotingCommand) -> Reply {
    let h: DeleteTopicRequestHeader = match decode_header(&req) {
        Ok(h) => h,
        Err(resp) => return Some(*resp),
    };
    let c = &ctx.config;
    if h.topic.trim().is_empty() {
        return Some(reply_error(&req, ResponseCode::InvalidParameter, "The specified topic is blank."));
    }
    if c.validate_system_topic_when_update_topic
        && validate::is_system_topic(&h.topic, &c.broker_cluster_name, &c.broker_name)
    {
        let remark = format!("The topic[{}] is conflict with system topic.", h.topic);
        return Some(reply_error(&req, ResponseCode::InvalidParameter, remark));
    }
    match ctx.topics.delete(&h.topic, now_ms()) {
        Ok(existed) => {
            ctx.offsets.remove_topic(&h.topic);
            if existed {
                tracing::info!(topic = %h.topic, "topic deleted");
                ctx.metadata_changed.notify_one();
            }
            Some(response(&req, ResponseCode::Success))
        }
        Err(e) => Some(reply_error(&req, ResponseCode::SystemError, e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_changes() {
        let base: BTreeMap<String, String> = [("a".to_owned(), "1".to_owned())].into();
        let out = alter_attributes(&base, "+cleanup.policy=COMPACTION, -a").unwrap();
        assert_eq!(out.get("cleanup.policy").map(String::as_str), Some("COMPACTION"));
        assert!(!out.contains_key("a"));
        assert_eq!(alter_attributes(&base, "").unwrap(), base);
        assert!(alter_attributes(&base, "x=1").is_err());
        assert!(alter_attributes(&base, "+x").is_err());
        assert!(alter_attributes(&base, "-x=1").is_err());
    }
}
