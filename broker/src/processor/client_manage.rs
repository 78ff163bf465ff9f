//! HEART_BEAT (34) and UNREGISTER_CLIENT (35): spec/remoting.md §4.4.
//! Heartbeats register producer and consumer channels, create consumer
//! groups and their `%RETRY%` topics, and notify a group's members when
//! its membership or subscriptions change.

use std::sync::Arc;

use booster_model::TopicConfig;
use booster_model::heartbeat::{ConsumeType, HeartbeatData};
use booster_remoting::headers::broker::{
    IS_SUB_CHANGE, IS_SUPPORT_HEART_BEAT_V2, UnregisterClientRequestHeader,
};
use booster_remoting::{Connection, RemotingCommand, ResponseCode, request};

use super::{ProcessorTable, Reply, decode_header, log_persist_error, reply_error, response};
use crate::client::ClientChannel;
use crate::context::BrokerContext;
use crate::topic::validate;
use crate::util::now_ms;

pub fn register(table: &mut ProcessorTable) {
    table.register(request::HEART_BEAT, heartbeat);
    table.register(request::UNREGISTER_CLIENT, unregister);
}

fn channel(conn: &Connection, req: &RemotingCommand, client_id: &str, now: i64) -> ClientChannel<Connection> {
    ClientChannel {
        key: conn.id(),
        client_id: client_id.to_owned(),
        language: req.language.name().to_owned(),
        version: req.version,
        last_update_ms: now,
        handle: conn.clone(),
    }
}

async fn heartbeat(ctx: Arc<BrokerContext>, conn: Connection, req: RemotingCommand) -> Reply {
    let body = req.body.as_deref().unwrap_or(b"{}");
    let data: HeartbeatData = match std::str::from_utf8(body)
        .map_err(|e| e.to_string())
        .and_then(|text| booster_model::from_rocketmq_json(text).map_err(|e| e.to_string()))
    {
        Ok(d) => d,
        Err(e) => {
            return Some(reply_error(
                &req,
                ResponseCode::InvalidParameter,
                format!("bad heartbeat body: {e}"),
            ));
        }
    };
    let now = now_ms();
    let v2 = data.heartbeat_fingerprint != 0;
    let mut sub_changed = !v2;
    for consumer in &data.consumer_data_set {
        if ctx.config.reject_pull_consumer_enable && consumer.consume_type == ConsumeType::ConsumeActively {
            continue;
        }
        let group = consumer.group_name.as_str();
        match ctx.groups.find_or_create(group, now) {
            Ok(Some(config)) => {
                let retry = TopicConfig {
                    read_queue_nums: config.retry_queue_nums,
                    write_queue_nums: config.retry_queue_nums,
                    ..TopicConfig::new(validate::retry_topic(group))
                };
                if config.retry_queue_nums > 0 && validate::validate_topic(&retry.topic_name).is_ok() {
                    match ctx.topics.create_if_absent(retry, now) {
                        Ok((_, true)) => ctx.metadata_changed.notify_one(),
                        Ok((_, false)) => {}
                        Err(e) => log_persist_error(Err(e)),
                    }
                }
            }
            Ok(None) => {}
            Err(e) => log_persist_error(Err(e)),
        }
        let changed = {
            let mut consumers = ctx.consumers.lock();
            let known = consumers.group(group).map(|g| g.fingerprint);
            // V2 with `withoutSub` keeps the stored subscriptions, unless the
            // broker has none (restarted): then the client must resend them.
            let keep_subs = v2 && data.without_sub && known.is_some();
            sub_changed |= v2 && known != Some(data.heartbeat_fingerprint);
            consumers.register(
                consumer,
                channel(&conn, &req, &data.client_id, now),
                !keep_subs,
                data.heartbeat_fingerprint,
            )
        };
        if changed {
            ctx.notify_consumer_ids_changed(group);
        }
    }
    {
        let mut producers = ctx.producers.lock();
        for producer in &data.producer_data_set {
            producers.register(&producer.group_name, channel(&conn, &req, &data.client_id, now));
        }
    }
    let mut resp = response(&req, ResponseCode::Success);
    resp.set_ext(IS_SUPPORT_HEART_BEAT_V2, true);
    resp.set_ext(IS_SUB_CHANGE, sub_changed);
    Some(resp)
}

async fn unregister(ctx: Arc<BrokerContext>, conn: Connection, req: RemotingCommand) -> Reply {
    let h: UnregisterClientRequestHeader = match decode_header(&req) {
        Ok(h) => h,
        Err(resp) => return Some(*resp),
    };
    if let Some(group) = h.producer_group.as_deref().filter(|g| !g.is_empty()) {
        ctx.producers.lock().unregister(group, conn.id());
    }
    if let Some(group) = h.consumer_group.as_deref().filter(|g| !g.is_empty()) {
        let removed = ctx.consumers.lock().unregister(group, conn.id());
        if removed {
            tracing::info!(group, client = %h.client_id, "consumer unregistered");
            ctx.notify_consumer_ids_changed(group);
        }
    }
    Some(response(&req, ResponseCode::Success))
}
