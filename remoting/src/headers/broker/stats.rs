//! Admin statistics and connection lists (`mqadmin topicStatus`,
//! `consumerProgress`, `consumerConnection`, `producerConnection`):
//! GET_TOPIC_STATS_INFO (202), GET_CONSUMER_CONNECTION_LIST (203),
//! GET_PRODUCER_CONNECTION_LIST (204), GET_CONSUME_STATS (208).

use crate::command_header;

command_header! {
    /// GET_TOPIC_STATS_INFO request.
    pub struct GetTopicStatsInfoRequestHeader {
        "topic" => topic: String,
    }
}

command_header! {
    /// GET_CONSUME_STATS request; no (or a blank) topic means every topic
    /// the group has offsets for.
    pub struct GetConsumeStatsRequestHeader {
        "consumerGroup" => consumer_group: String,
        "topic" => topic: Option<String>,
    }
}

command_header! {
    /// GET_CONSUMER_CONNECTION_LIST request.
    pub struct GetConsumerConnectionListRequestHeader {
        "consumerGroup" => consumer_group: String,
    }
}

command_header! {
    /// GET_PRODUCER_CONNECTION_LIST request.
    pub struct GetProducerConnectionListRequestHeader {
        "producerGroup" => producer_group: String,
    }
}
