//! The broker's Prometheus metrics, named as RocketMQ's broker metrics are
//! (`rocketmq_messages_in_total`, `rocketmq_throughput_in_total`, ...).
//! Labels stay low-cardinality: topic, consumer group and result only.
//! Without an installed recorder every call returns before building its
//! labels: the put and pull paths pay nothing while metrics are off.

use std::time::Instant;

use booster_ha::Role;

use crate::context::BrokerContext;
use crate::put::PutOutcome;

/// One SEND_MESSAGE(_V2) / SEND_BATCH_MESSAGE put of `messages` to `topic`
/// (the producer's topic): messages by topic and result, bytes written,
/// and the put latency (ms) by topic.
pub fn record_put(topic: &str, messages: usize, outcome: &PutOutcome, started: Instant) {
    if !booster_remoting::prometheus::enabled() {
        return;
    }
    let bytes = outcome.append.as_ref().map_or(0, |a| a.wrote_bytes as u64);
    let labels = [("topic", topic.to_owned()), ("result", format!("{:?}", outcome.status))];
    metrics::counter!("rocketmq_messages_in_total", &labels).increment(messages as u64);
    metrics::counter!("rocketmq_throughput_in_total", &labels).increment(bytes);
    metrics::histogram!("rocketmq_put_latency", "topic" => labels[0].1.clone())
        .record(started.elapsed().as_secs_f64() * 1000.0);
}

/// One PULL_MESSAGE answer: messages and bytes handed to `group`.
pub fn record_pull(topic: &str, group: &str, messages: usize, bytes: usize) {
    if messages == 0 || !booster_remoting::prometheus::enabled() {
        return;
    }
    let labels = [("topic", topic.to_owned()), ("consumer_group", group.to_owned())];
    metrics::counter!("rocketmq_messages_out_total", &labels).increment(messages as u64);
    metrics::counter!("rocketmq_throughput_out_total", &labels).increment(bytes as u64);
}

/// Store and replication gauges, sampled once a second by the broker's
/// statistics task (reads only; nothing on the put path):
/// CommitLog max offset, dispatch and flush lag in bytes, confirm offset,
/// role (master = 1), SyncStateSet size and each slave's ack lag.
pub fn sample_gauges(ctx: &BrokerContext) {
    let store = &ctx.store;
    let max = store.max_phy_offset();
    let flushed = *store.subscribe_flushed().borrow();
    metrics::gauge!("rocketmq_storage_commitlog_max_offset").set(max as f64);
    metrics::gauge!("rocketmq_storage_dispatch_behind_bytes")
        .set((max - store.dispatched_offset()).max(0) as f64);
    metrics::gauge!("rocketmq_storage_flush_behind_bytes").set((max - flushed).max(0) as f64);
    metrics::gauge!("rocketmq_ha_confirm_offset").set(ctx.ha.confirm_offset() as f64);
    let master = matches!(ctx.ha.role(), Role::Master { .. });
    metrics::gauge!("rocketmq_broker_role").set(if master { 1.0 } else { 0.0 });
    if let Some(view) = ctx.ha.sync_state() {
        metrics::gauge!("rocketmq_ha_sync_state_set_size").set(view.local.len() as f64);
    }
    for slave in ctx.ha.connections() {
        if let Some(id) = slave.slave_id {
            let lag = if slave.ack_offset < 0 { max } else { (max - slave.ack_offset).max(0) };
            metrics::gauge!("rocketmq_ha_slave_ack_behind_bytes", "slave_id" => id.to_string())
                .set(lag as f64);
        }
    }
}
