//! Client heartbeat shapes (spec/remoting.md §5.2, §4.4) and the small
//! client bodies around them: queue locks (§4.6) and consumer lists (§5.6).
//!
//! Clients are many and old, so every field reads leniently (numbers as
//! strings, missing fields, enums by name *or* ordinal, as fastjson does);
//! output uses Java's exact property names (`clientID`, `lockOKMQSet`).

use serde::{Deserialize, Deserializer, Serialize};

use crate::lenient::{self, lenient_struct};

/// Declares a Java enum read by name or ordinal (variants in Java's
/// ordinal order) and written by name.
macro_rules! java_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? } default $default:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl Default for $name {
            fn default() -> Self {
                $name::$default
            }
        }

        impl $name {
            /// Variants in Java ordinal order, with their names.
            pub const NAMES: &[(&str, $name)] = &[$(($text, $name::$variant)),+];

            /// Java's `name()`.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                lenient::enum_by_name(d, Self::NAMES)
            }
        }

        impl lenient::Lenient for $name {
            fn deserialize_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Self::deserialize(d)
            }
        }
    };
}

java_enum!(
    /// How a consumer gets messages (`ConsumeType.java`).
    ConsumeType {
        /// Pull consumer.
        ConsumeActively = "CONSUME_ACTIVELY",
        /// Push consumer.
        ConsumePassively = "CONSUME_PASSIVELY",
        ConsumePop = "CONSUME_POP",
    } default ConsumePassively
);

java_enum!(
    /// Clustering (one consumer per queue) or broadcasting (`MessageModel.java`).
    MessageModel {
        Broadcasting = "BROADCASTING",
        Clustering = "CLUSTERING",
    } default Clustering
);

java_enum!(
    /// Where a new consumer group starts (`ConsumeFromWhere.java`).
    ConsumeFromWhere {
        ConsumeFromLastOffset = "CONSUME_FROM_LAST_OFFSET",
        ConsumeFromLastOffsetAndFromMinWhenBootFirst = "CONSUME_FROM_LAST_OFFSET_AND_FROM_MIN_WHEN_BOOT_FIRST",
        ConsumeFromMinOffset = "CONSUME_FROM_MIN_OFFSET",
        ConsumeFromMaxOffset = "CONSUME_FROM_MAX_OFFSET",
        ConsumeFromFirstOffset = "CONSUME_FROM_FIRST_OFFSET",
        ConsumeFromTimestamp = "CONSUME_FROM_TIMESTAMP",
    } default ConsumeFromLastOffset
);

/// One subscription of a consumer group (`SubscriptionData.java`).
/// `filterClassSource` is never serialized by Java and is not kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SubscriptionData {
    #[serde(deserialize_with = "lenient::de")]
    pub class_filter_mode: bool,
    /// Java `String.hashCode` of each tag.
    #[serde(deserialize_with = "lenient::de")]
    pub code_set: Vec<i32>,
    /// `TAG` (default) or `SQL92`.
    #[serde(deserialize_with = "lenient::de")]
    pub expression_type: String,
    /// `*`, `tagA || tagB`, or an SQL92 expression.
    #[serde(deserialize_with = "lenient::de")]
    pub sub_string: String,
    #[serde(deserialize_with = "lenient::de")]
    pub sub_version: i64,
    #[serde(deserialize_with = "lenient::de")]
    pub tags_set: Vec<String>,
    #[serde(deserialize_with = "lenient::de")]
    pub topic: String,
}

impl SubscriptionData {
    /// Subscribe to every tag.
    pub const SUB_ALL: &str = "*";
    pub const EXPRESSION_TYPE_TAG: &str = "TAG";
    pub const EXPRESSION_TYPE_SQL92: &str = "SQL92";

    /// Whether the expression is a tag expression (empty counts as TAG).
    pub fn is_tag_type(&self) -> bool {
        self.expression_type.is_empty()
            || self.expression_type.eq_ignore_ascii_case(Self::EXPRESSION_TYPE_TAG)
    }
}

impl Default for SubscriptionData {
    fn default() -> Self {
        Self {
            class_filter_mode: false,
            code_set: Vec::new(),
            expression_type: Self::EXPRESSION_TYPE_TAG.to_owned(),
            sub_string: Self::SUB_ALL.to_owned(),
            sub_version: 0,
            tags_set: Vec::new(),
            topic: String::new(),
        }
    }
}

/// A consumer group of one client (`ConsumerData.java`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConsumerData {
    #[serde(deserialize_with = "lenient::de")]
    pub consume_from_where: ConsumeFromWhere,
    #[serde(deserialize_with = "lenient::de")]
    pub consume_type: ConsumeType,
    #[serde(deserialize_with = "lenient::de")]
    pub group_name: String,
    #[serde(deserialize_with = "lenient::de")]
    pub message_model: MessageModel,
    #[serde(deserialize_with = "lenient::de")]
    pub subscription_data_set: Vec<SubscriptionData>,
    #[serde(deserialize_with = "lenient::de")]
    pub unit_mode: bool,
}

impl Default for ConsumerData {
    fn default() -> Self {
        Self {
            consume_from_where: ConsumeFromWhere::default(),
            consume_type: ConsumeType::default(),
            group_name: String::new(),
            message_model: MessageModel::Clustering,
            subscription_data_set: Vec::new(),
            unit_mode: false,
        }
    }
}

/// A producer group of one client (`ProducerData.java`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProducerData {
    #[serde(deserialize_with = "lenient::de")]
    pub group_name: String,
}

/// HEART_BEAT body (`HeartbeatData.java`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HeartbeatData {
    #[serde(rename = "clientID", deserialize_with = "lenient::de")]
    pub client_id: String,
    #[serde(deserialize_with = "lenient::de")]
    pub consumer_data_set: Vec<ConsumerData>,
    /// 0 = V1 heartbeat; otherwise a hash of the subscription content.
    #[serde(deserialize_with = "lenient::de")]
    pub heartbeat_fingerprint: i32,
    #[serde(deserialize_with = "lenient::de")]
    pub producer_data_set: Vec<ProducerData>,
    /// V2 only: subscriptions omitted because unchanged.
    #[serde(deserialize_with = "lenient::de")]
    pub without_sub: bool,
}

/// `{"brokerName","queueId","topic"}` (`MessageQueue.java`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MessageQueue {
    #[serde(deserialize_with = "lenient::de")]
    pub broker_name: String,
    #[serde(deserialize_with = "lenient::de")]
    pub queue_id: i32,
    #[serde(deserialize_with = "lenient::de")]
    pub topic: String,
}

/// LOCK_BATCH_MQ / UNLOCK_BATCH_MQ body (`LockBatchRequestBody.java`,
/// `UnlockBatchRequestBody.java` share this shape).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LockBatchRequestBody {
    #[serde(deserialize_with = "lenient::de")]
    pub client_id: String,
    #[serde(deserialize_with = "lenient::de")]
    pub consumer_group: String,
    #[serde(deserialize_with = "lenient::de")]
    pub mq_set: Vec<MessageQueue>,
    #[serde(deserialize_with = "lenient::de")]
    pub only_this_broker: bool,
}

/// UNLOCK_BATCH_MQ body; same shape as the lock request.
pub type UnlockBatchRequestBody = LockBatchRequestBody;

/// LOCK_BATCH_MQ response body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LockBatchResponseBody {
    #[serde(rename = "lockOKMQSet", deserialize_with = "lenient::de")]
    pub lock_ok_mq_set: Vec<MessageQueue>,
}

/// GET_CONSUMER_LIST_BY_GROUP response body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GetConsumerListByGroupResponseBody {
    #[serde(deserialize_with = "lenient::de")]
    pub consumer_id_list: Vec<String>,
}

lenient_struct!(
    SubscriptionData,
    ConsumerData,
    ProducerData,
    HeartbeatData,
    MessageQueue,
    LockBatchRequestBody,
    LockBatchResponseBody,
    GetConsumerListByGroupResponseBody,
);

#[cfg(test)]
mod tests;
