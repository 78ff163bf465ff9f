//! What `mqadmin topicStatus`, `consumerProgress`, `consumerConnection`
//! and `producerConnection` ask a broker: GET_TOPIC_STATS_INFO (202),
//! GET_CONSUME_STATS (208), GET_CONSUMER_CONNECTION_LIST (203) and
//! GET_PRODUCER_CONNECTION_LIST (204), as RocketMQ's AdminBrokerProcessor
//! answers them. Stats bodies are maps keyed by MessageQueue objects,
//! written in fastjson's object-key form (spec §5.1 rule 4).

use std::collections::BTreeSet;
use std::sync::Arc;

use booster_model::admin::{ConsumeStats, OffsetWrapper, TopicOffset, TopicStatsTable};
use booster_model::connection::{ClientConnection, ConsumerConnection, ProducerConnection};
use booster_model::heartbeat::MessageQueue;
use booster_model::to_rocketmq_json;
use booster_remoting::headers::broker::{
    GetConsumeStatsRequestHeader, GetConsumerConnectionListRequestHeader,
    GetProducerConnectionListRequestHeader, GetTopicStatsInfoRequestHeader,
};
use booster_remoting::{Connection, RemotingCommand, ResponseCode, request};
use serde::Serialize;

use super::{ProcessorTable, Reply, decode_header, reply_error, response};
use crate::client::ClientChannel;
use crate::context::BrokerContext;
use crate::stored::StoredMessage;

pub fn register(table: &mut ProcessorTable) {
    table.register(request::GET_TOPIC_STATS_INFO, topic_stats);
    table.register(request::GET_CONSUME_STATS, consume_stats);
    table.register(request::GET_CONSUMER_CONNECTION_LIST, consumer_connections);
    table.register(request::GET_PRODUCER_CONNECTION_LIST, producer_connections);
}

fn success_with<T: Serialize>(req: &RemotingCommand, body: &T) -> RemotingCommand {
    response(req, ResponseCode::Success).with_body(to_rocketmq_json(body, false).into_bytes())
}

/// Store time of the message at `queue_offset` (0 if gone or absent).
fn store_time_at(ctx: &BrokerContext, topic: &str, queue_id: i32, queue_offset: i64) -> i64 {
    ctx.store
        .consume_queue(topic, queue_id)
        .and_then(|q| q.get(queue_offset))
        .and_then(|e| ctx.store.message_at(e.phys_offset))
        .and_then(|b| StoredMessage::decode(&b))
        .map_or(0, |m| m.store_timestamp)
}

fn queue(ctx: &BrokerContext, topic: &str, queue_id: i32) -> MessageQueue {
    MessageQueue { broker_name: ctx.config.broker_name.clone(), queue_id, topic: topic.to_owned() }
}

/// One queue's offsets as `topicStatus` shows them: min and max clamped to
/// be non-negative and ordered; the newest message's store time.
pub fn topic_offset(min: i64, max: i64, newest_store_time: impl Fn(i64) -> i64) -> TopicOffset {
    let min = min.max(0);
    let max = max.max(0).max(min);
    let last_update_timestamp = if max > 0 { newest_store_time(max - 1) } else { 0 };
    TopicOffset { last_update_timestamp, max_offset: max, min_offset: min }
}

async fn topic_stats(ctx: Arc<BrokerContext>, _conn: Connection, req: RemotingCommand) -> Reply {
    let h: GetTopicStatsInfoRequestHeader = match decode_header(&req) {
        Ok(h) => h,
        Err(resp) => return Some(*resp),
    };
    let Some(topic) = ctx.topics.select(&h.topic) else {
        return Some(reply_error(&req, ResponseCode::TopicNotExist, format!("topic[{}] not exist", h.topic)));
    };
    let mut table = TopicStatsTable::default();
    for queue_id in 0..topic.write_queue_nums.max(topic.read_queue_nums).max(0) {
        let offset = topic_offset(
            ctx.store.min_offset_in_queue(&h.topic, queue_id),
            ctx.store.max_offset_in_queue(&h.topic, queue_id),
            |at| store_time_at(&ctx, &h.topic, queue_id, at),
        );
        table.offset_table.insert(queue(&ctx, &h.topic, queue_id), offset);
    }
    Some(success_with(&req, &table))
}

async fn consume_stats(ctx: Arc<BrokerContext>, _conn: Connection, req: RemotingCommand) -> Reply {
    let h: GetConsumeStatsRequestHeader = match decode_header(&req) {
        Ok(h) => h,
        Err(resp) => return Some(*resp),
    };
    let group = h.consumer_group.as_str();
    let topics: BTreeSet<String> = match h.topic.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(topic) => [topic.to_owned()].into(),
        None => ctx.offsets.topics_of(group).into_iter().collect(),
    };
    let mut stats = ConsumeStats::default();
    for topic_name in topics {
        let Some(topic) = ctx.topics.select(&topic_name) else {
            tracing::debug!(group, topic = %topic_name, "consume stats: topic does not exist");
            continue;
        };
        {
            // A group that subscribes to something, but not to this topic,
            // is not consuming it (leftover offsets).
            let consumers = ctx.consumers.lock();
            let subscribed = consumers.subscription(group, &topic_name).is_some();
            let any = consumers.group(group).is_some_and(|g| !g.subscriptions.is_empty());
            if !subscribed && any {
                continue;
            }
        }
        for queue_id in 0..topic.read_queue_nums.max(0) {
            let broker_offset = ctx.store.max_offset_in_queue(&topic_name, queue_id).max(0);
            let consumer_offset = ctx.offsets.query(group, &topic_name, queue_id).unwrap_or(0).max(0);
            let last_timestamp = if consumer_offset > 0 {
                store_time_at(&ctx, &topic_name, queue_id, consumer_offset - 1)
            } else {
                0
            };
            let wrapper = OffsetWrapper {
                broker_offset,
                consumer_offset,
                pull_offset: consumer_offset,
                last_timestamp,
            };
            stats.offset_table.insert(queue(&ctx, &topic_name, queue_id), wrapper);
        }
    }
    Some(success_with(&req, &stats))
}

fn connection(c: &ClientChannel<Connection>) -> ClientConnection {
    ClientConnection {
        client_addr: c.handle.peer().to_string(),
        client_id: c.client_id.clone(),
        language: c.language.clone(),
        version: c.version,
    }
}

async fn consumer_connections(ctx: Arc<BrokerContext>, _conn: Connection, req: RemotingCommand) -> Reply {
    let h: GetConsumerConnectionListRequestHeader = match decode_header(&req) {
        Ok(h) => h,
        Err(resp) => return Some(*resp),
    };
    let body = {
        let consumers = ctx.consumers.lock();
        consumers.group(&h.consumer_group).map(|info| {
            let mut connection_set: Vec<_> = info.channels.values().map(connection).collect();
            connection_set
                .sort_by(|a, b| (&a.client_id, &a.client_addr).cmp(&(&b.client_id, &b.client_addr)));
            ConsumerConnection {
                connection_set,
                consume_from_where: info.consume_from_where,
                consume_type: info.consume_type,
                message_model: info.message_model,
                subscription_table: info.subscriptions.clone().into_iter().collect(),
            }
        })
    };
    Some(match body {
        Some(body) => success_with(&req, &body),
        None => reply_error(
            &req,
            ResponseCode::ConsumerNotOnline,
            format!("the consumer group[{}] not online", h.consumer_group),
        ),
    })
}

async fn producer_connections(ctx: Arc<BrokerContext>, _conn: Connection, req: RemotingCommand) -> Reply {
    let h: GetProducerConnectionListRequestHeader = match decode_header(&req) {
        Ok(h) => h,
        Err(resp) => return Some(*resp),
    };
    let channels = ctx.producers.lock().group_channels(&h.producer_group);
    Some(match channels {
        Some(list) => {
            let body = ProducerConnection { connection_set: list.iter().map(connection).collect() };
            success_with(&req, &body)
        }
        None => reply_error(
            &req,
            ResponseCode::SystemError,
            format!("the producer group[{}] not exist", h.producer_group),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_offsets_are_clamped() {
        assert_eq!(topic_offset(0, 0, |_| panic!("empty queue")), TopicOffset::default());
        let o = topic_offset(2, 5, |at| at * 10);
        assert_eq!((o.min_offset, o.max_offset, o.last_update_timestamp), (2, 5, 40));
        let o = topic_offset(-1, -3, |_| 9);
        assert_eq!((o.min_offset, o.max_offset), (0, 0));
        let o = topic_offset(7, 3, |_| 1);
        assert_eq!((o.min_offset, o.max_offset), (7, 7), "max never below min");
    }
}
