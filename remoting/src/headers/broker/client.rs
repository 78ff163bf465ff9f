//! Client management: heartbeats, unregistration, consumer lists and the
//! broker → consumer notification (spec/remoting.md §4.4, §4.6).

use crate::command_header;

/// extFields of a HEART_BEAT response.
pub const IS_SUPPORT_HEART_BEAT_V2: &str = "IS_SUPPORT_HEART_BEAT_V2";
pub const IS_SUB_CHANGE: &str = "IS_SUB_CHANGE";

command_header! {
    /// UNREGISTER_CLIENT (35).
    pub struct UnregisterClientRequestHeader {
        "clientID" => client_id: String,
        "producerGroup" => producer_group: Option<String>,
        "consumerGroup" => consumer_group: Option<String>,
    }
}

command_header! {
    /// GET_CONSUMER_LIST_BY_GROUP (38) and NOTIFY_CONSUMER_IDS_CHANGED (40).
    pub struct ConsumerGroupRequestHeader {
        "consumerGroup" => consumer_group: String,
    }
}

/// GET_CONSUMER_LIST_BY_GROUP request.
pub type GetConsumerListByGroupRequestHeader = ConsumerGroupRequestHeader;
/// NOTIFY_CONSUMER_IDS_CHANGED request (broker → consumer, oneway).
pub type NotifyConsumerIdsChangedRequestHeader = ConsumerGroupRequestHeader;
