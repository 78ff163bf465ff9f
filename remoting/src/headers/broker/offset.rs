//! Consumer offsets (spec/remoting.md §4.6) and offset/time/message queries
//! (§4.7).

use crate::command_header;

command_header! {
    /// QUERY_CONSUMER_OFFSET (14).
    pub struct QueryConsumerOffsetRequestHeader {
        "consumerGroup" => consumer_group: String,
        "topic" => topic: String,
        "queueId" => queue_id: i32,
        "setZeroIfNotFound" => set_zero_if_not_found: Option<bool>,
    }
}

command_header! {
    /// Response of QUERY_CONSUMER_OFFSET and the offset queries of §4.7.
    pub struct OffsetResponseHeader {
        "offset" => offset: i64,
    }
}

/// QUERY_CONSUMER_OFFSET response.
pub type QueryConsumerOffsetResponseHeader = OffsetResponseHeader;
/// GET_MAX_OFFSET response.
pub type GetMaxOffsetResponseHeader = OffsetResponseHeader;
/// GET_MIN_OFFSET response.
pub type GetMinOffsetResponseHeader = OffsetResponseHeader;
/// SEARCH_OFFSET_BY_TIMESTAMP response.
pub type SearchOffsetResponseHeader = OffsetResponseHeader;

command_header! {
    /// UPDATE_CONSUMER_OFFSET (15). `queueId`/`commitOffset` are optional
    /// here so that their absence gets the spec's INVALID_PARAMETER.
    pub struct UpdateConsumerOffsetRequestHeader {
        "consumerGroup" => consumer_group: String,
        "topic" => topic: String,
        "queueId" => queue_id: Option<i32>,
        "commitOffset" => commit_offset: Option<i64>,
    }
}

command_header! {
    /// GET_MAX_OFFSET (30); `committed` is accepted and ignored.
    pub struct GetMaxOffsetRequestHeader {
        "topic" => topic: String,
        "queueId" => queue_id: i32,
        "committed" => committed: Option<bool>,
    }
}

command_header! {
    /// GET_MIN_OFFSET (31) and GET_EARLIEST_MSG_STORETIME (32).
    pub struct TopicQueueRequestHeader {
        "topic" => topic: String,
        "queueId" => queue_id: i32,
    }
}

/// GET_MIN_OFFSET request.
pub type GetMinOffsetRequestHeader = TopicQueueRequestHeader;
/// GET_EARLIEST_MSG_STORETIME request.
pub type GetEarliestMsgStoretimeRequestHeader = TopicQueueRequestHeader;

command_header! {
    /// SEARCH_OFFSET_BY_TIMESTAMP (29). `boundaryType`: `upper` (any case)
    /// = UPPER, anything else or absent = LOWER.
    pub struct SearchOffsetRequestHeader {
        "topic" => topic: String,
        "queueId" => queue_id: i32,
        "timestamp" => timestamp: i64,
        "boundaryType" => boundary_type: Option<String>,
    }
}

impl SearchOffsetRequestHeader {
    pub fn is_upper_boundary(&self) -> bool {
        self.boundary_type.as_deref().is_some_and(|b| b.trim().eq_ignore_ascii_case("upper"))
    }
}

command_header! {
    /// GET_EARLIEST_MSG_STORETIME response.
    pub struct GetEarliestMsgStoretimeResponseHeader {
        "timestamp" => timestamp: i64,
    }
}

command_header! {
    /// VIEW_MESSAGE_BY_ID (33): `offset` is the commit-log offset.
    pub struct ViewMessageRequestHeader {
        "offset" => offset: i64,
        "topic" => topic: Option<String>,
    }
}

command_header! {
    /// QUERY_MESSAGE (12).
    pub struct QueryMessageRequestHeader {
        "topic" => topic: String,
        "key" => key: String,
        "maxNum" => max_num: i32,
        "beginTimestamp" => begin_timestamp: i64,
        "endTimestamp" => end_timestamp: i64,
    }
}

/// extField of QUERY_MESSAGE asking for an UNIQ_KEY lookup.
pub const UNIQUE_KEY_QUERY: &str = "_UNIQUE_KEY_QUERY";

command_header! {
    /// QUERY_MESSAGE response.
    pub struct QueryMessageResponseHeader {
        "indexLastUpdateTimestamp" => index_last_update_timestamp: i64,
        "indexLastUpdatePhyoffset" => index_last_update_phyoffset: i64,
    }
}
