//! Topic and subscription-group administration (spec/remoting.md §4.8).

use crate::command_header;

command_header! {
    /// UPDATE_AND_CREATE_TOPIC (17). `attributes` is `+k=v,+k2=v2,-k3`.
    pub struct CreateTopicRequestHeader {
        "topic" => topic: String,
        "defaultTopic" => default_topic: Option<String>,
        "readQueueNums" => read_queue_nums: i32,
        "writeQueueNums" => write_queue_nums: i32,
        "perm" => perm: i32,
        "topicFilterType" => topic_filter_type: Option<String>,
        "topicSysFlag" => topic_sys_flag: Option<i32>,
        "order" => order: Option<bool>,
        "attributes" => attributes: Option<String>,
        "force" => force: Option<bool>,
    }
}

command_header! {
    /// DELETE_TOPIC_IN_BROKER (215).
    pub struct DeleteTopicRequestHeader {
        "topic" => topic: String,
    }
}

command_header! {
    /// DELETE_SUBSCRIPTIONGROUP (207).
    pub struct DeleteSubscriptionGroupRequestHeader {
        "groupName" => group_name: String,
        "cleanOffset" => clean_offset: Option<bool>,
    }
}

command_header! {
    /// GET_ALL_TOPIC_CONFIG (21) paging fields (all optional).
    pub struct GetAllTopicConfigRequestHeader {
        "topicSeq" => topic_seq: Option<i32>,
        "dataVersion" => data_version: Option<String>,
        "maxTopicNum" => max_topic_num: Option<i32>,
    }
}

command_header! {
    /// GET_ALL_TOPIC_CONFIG response.
    pub struct GetAllTopicConfigResponseHeader {
        "totalTopicNum" => total_topic_num: Option<i32>,
    }
}

command_header! {
    /// GET_ALL_SUBSCRIPTIONGROUP_CONFIG (201) paging fields (all optional).
    pub struct GetAllSubscriptionGroupRequestHeader {
        "groupSeq" => group_seq: Option<i32>,
        "dataVersion" => data_version: Option<String>,
        "maxGroupNum" => max_group_num: Option<i32>,
    }
}

command_header! {
    /// GET_ALL_SUBSCRIPTIONGROUP_CONFIG response.
    pub struct GetAllSubscriptionGroupResponseHeader {
        "totalGroupNum" => total_group_num: Option<i32>,
    }
}
