//! §4.2.1 step 8: sends to `%RETRY%<group>` whose reconsume count is
//! exhausted, or whose group consumes orderly (holds a live queue lock),
//! are redirected to the group's dead-letter topic. CONSUMER_SEND_MSG_BACK
//! applies the same rules in `processor::send_back`.

use booster_model::TopicConfig;
use booster_remoting::headers::broker::SendMessageRequestHeader;
use booster_remoting::{RemotingCommand, ResponseCode};

use super::message::Properties;
use super::{Rejection, message};
use crate::context::BrokerContext;
use crate::topic::validate;
use crate::util::now_ms;

/// Remoting version V3_4_9: from here on the header's `maxReconsumeTimes` counts.
const MAX_RECONSUME_TIMES_MIN_VERSION: i32 = 121;

/// §4.2.1 step 8: a `%RETRY%` send whose reconsume count is exhausted goes
/// to the group's dead-letter topic instead. Returns the topic to use.
pub(super) fn retry_or_dlq(
    ctx: &BrokerContext,
    req: &RemotingCommand,
    h: &SendMessageRequestHeader,
    topic: TopicConfig,
    props: &mut Properties,
) -> Result<TopicConfig, Rejection> {
    let Some(group) = h.topic.strip_prefix(validate::RETRY_GROUP_TOPIC_PREFIX) else { return Ok(topic) };
    let now = now_ms();
    let Some(group_config) =
        ctx.groups.find_or_create(group, now).map_err(|e| (ResponseCode::SystemError, e.to_string()))?
    else {
        return Err((
            ResponseCode::SubscriptionGroupNotExist,
            format!("subscription group not exist, {group}"),
        ));
    };
    // Version ≥ V3_4_9 clients say how often they want redelivery.
    let max = match h.max_reconsume_times {
        Some(m) if req.version >= MAX_RECONSUME_TIMES_MIN_VERSION => m,
        _ => group_config.retry_max_times,
    };
    // An orderly group must not see a message again out of order: while it
    // holds any live queue lock, its retries go to the DLQ directly.
    let orderly = !ctx.locks.lock().is_lock_all_expired(group, now);
    if h.reconsume_times.unwrap_or(0) <= max && !orderly {
        return Ok(topic);
    }
    if orderly {
        tracing::info!(group, "group holds queue locks (orderly); retry message sent to the DLQ");
    }
    let dlq = TopicConfig {
        read_queue_nums: 1,
        write_queue_nums: 1,
        ..TopicConfig::new(validate::dlq_topic(group))
    };
    let (dlq, created) =
        ctx.topics.create_if_absent(dlq, now).map_err(|e| (ResponseCode::SystemError, e.to_string()))?;
    if created {
        ctx.metadata_changed.notify_one();
    }
    props.put(message::PROPERTY_DELAY_TIME_LEVEL, "-1");
    Ok(dlq)
}
