//! PULL_MESSAGE (11) / LITE_PULL_MESSAGE (361) headers (spec/remoting.md §4.5).

use crate::command_header;

/// PullSysFlag bits of [`PullMessageRequestHeader::sys_flag`].
pub mod pull_sys_flag {
    /// Store `commitOffset` as the group's offset.
    pub const COMMIT_OFFSET: i32 = 0x1;
    /// The broker may hold the request (long polling).
    pub const SUSPEND: i32 = 0x2;
    /// Use the header's subscription expression.
    pub const SUBSCRIPTION: i32 = 0x4;
    pub const CLASS_FILTER: i32 = 0x8;
    pub const LITE_PULL: i32 = 0x10;
}

command_header! {
    /// Pull request header.
    pub struct PullMessageRequestHeader {
        "consumerGroup" => consumer_group: String,
        "topic" => topic: String,
        "queueId" => queue_id: i32,
        "queueOffset" => queue_offset: i64,
        "maxMsgNums" => max_msg_nums: i32,
        "sysFlag" => sys_flag: i32,
        "commitOffset" => commit_offset: i64,
        "suspendTimeoutMillis" => suspend_timeout_millis: i64,
        "subscription" => subscription: Option<String>,
        "subVersion" => sub_version: i64,
        "expressionType" => expression_type: Option<String>,
        "maxMsgBytes" => max_msg_bytes: Option<i32>,
        "requestSource" => request_source: Option<i32>,
        "proxyFrowardClientId" => proxy_froward_client_id: Option<String>,
    }
}

impl PullMessageRequestHeader {
    pub fn has_flag(&self, bit: i32) -> bool {
        self.sys_flag & bit != 0
    }
}

command_header! {
    /// Pull response header.
    pub struct PullMessageResponseHeader {
        "suggestWhichBrokerId" => suggest_which_broker_id: i64,
        "nextBeginOffset" => next_begin_offset: i64,
        "minOffset" => min_offset: i64,
        "maxOffset" => max_offset: i64,
        "offsetDelta" => offset_delta: Option<i64>,
        "topicSysFlag" => topic_sys_flag: Option<i32>,
        "groupSysFlag" => group_sys_flag: Option<i32>,
        "forbiddenType" => forbidden_type: Option<i32>,
    }
}
