//! SEND_MESSAGE (10), SEND_MESSAGE_V2 (310), SEND_BATCH_MESSAGE (320)
//! headers (spec/remoting.md §4.2).

use crate::command_header;

command_header! {
    /// SEND_MESSAGE request header (long names). V2 requests are converted
    /// to this with `From`, so processors handle one shape.
    pub struct SendMessageRequestHeader {
        "producerGroup" => producer_group: String,
        "topic" => topic: String,
        "defaultTopic" => default_topic: String,
        "defaultTopicQueueNums" => default_topic_queue_nums: i32,
        "queueId" => queue_id: i32,
        "sysFlag" => sys_flag: i32,
        "bornTimestamp" => born_timestamp: i64,
        "flag" => flag: i32,
        "properties" => properties: Option<String>,
        "reconsumeTimes" => reconsume_times: Option<i32>,
        "unitMode" => unit_mode: Option<bool>,
        "batch" => batch: Option<bool>,
        "maxReconsumeTimes" => max_reconsume_times: Option<i32>,
        "bname" => broker_name: Option<String>,
    }
}

command_header! {
    /// SEND_MESSAGE_V2 / SEND_BATCH_MESSAGE request header: the same fields
    /// under one-letter names, to keep every send frame small.
    pub struct SendMessageRequestHeaderV2 {
        "a" => a: String,
        "b" => b: String,
        "c" => c: String,
        "d" => d: i32,
        "e" => e: i32,
        "f" => f: i32,
        "g" => g: i64,
        "h" => h: i32,
        "i" => i: Option<String>,
        "j" => j: Option<i32>,
        "k" => k: Option<bool>,
        "l" => l: Option<i32>,
        "m" => m: Option<bool>,
        "n" => n: Option<String>,
    }
}

impl From<SendMessageRequestHeaderV2> for SendMessageRequestHeader {
    fn from(v2: SendMessageRequestHeaderV2) -> Self {
        Self {
            producer_group: v2.a,
            topic: v2.b,
            default_topic: v2.c,
            default_topic_queue_nums: v2.d,
            queue_id: v2.e,
            sys_flag: v2.f,
            born_timestamp: v2.g,
            flag: v2.h,
            properties: v2.i,
            reconsume_times: v2.j,
            unit_mode: v2.k,
            max_reconsume_times: v2.l,
            batch: v2.m,
            broker_name: v2.n,
        }
    }
}

impl From<SendMessageRequestHeader> for SendMessageRequestHeaderV2 {
    fn from(v1: SendMessageRequestHeader) -> Self {
        Self {
            a: v1.producer_group,
            b: v1.topic,
            c: v1.default_topic,
            d: v1.default_topic_queue_nums,
            e: v1.queue_id,
            f: v1.sys_flag,
            g: v1.born_timestamp,
            h: v1.flag,
            i: v1.properties,
            j: v1.reconsume_times,
            k: v1.unit_mode,
            l: v1.max_reconsume_times,
            m: v1.batch,
            n: v1.broker_name,
        }
    }
}

impl SendMessageRequestHeader {
    /// Decodes the header of any send code: one-letter names for 310/320,
    /// long names for 10.
    pub fn decode_for_code(code: i32, fields: &crate::ExtFields) -> Result<Self, crate::HeaderError> {
        use crate::header::CommandHeader;
        match code {
            crate::request::SEND_MESSAGE_V2 | crate::request::SEND_BATCH_MESSAGE => {
                SendMessageRequestHeaderV2::decode(fields).map(Self::from)
            }
            _ => Self::decode(fields),
        }
    }
}

command_header! {
    /// Send response header. `MSG_REGION` and `TRACE_ON` travel beside it
    /// as plain extFields.
    pub struct SendMessageResponseHeader {
        "msgId" => msg_id: String,
        "queueId" => queue_id: i32,
        "queueOffset" => queue_offset: i64,
        "transactionId" => transaction_id: Option<String>,
        "batchUniqId" => batch_uniq_id: Option<String>,
        "recallHandle" => recall_handle: Option<String>,
    }
}

command_header! {
    /// CONSUMER_SEND_MSG_BACK (36) request header (spec §4.6).
    pub struct ConsumerSendMsgBackRequestHeader {
        "offset" => offset: i64,
        "group" => group: String,
        "delayLevel" => delay_level: i32,
        "originMsgId" => origin_msg_id: Option<String>,
        "originTopic" => origin_topic: Option<String>,
        "unitMode" => unit_mode: Option<bool>,
        "maxReconsumeTimes" => max_reconsume_times: Option<i32>,
    }
}
