//! RocketMQ's shared data shapes and its JSON dialect (spec/remoting.md §5,
//! store.md §11). No I/O: the store persists these, the remoting layer
//! sends them, the servers keep them in memory.
//!
//! * [`json`] — fastjson's dialect: alphabetical keys, nulls omitted,
//!   integer map keys written *unquoted* (`{0:250}`), tab-indented pretty
//!   form; the reader accepts quoted and bare keys alike.
//! * [`record`] — the CommitLog record format, which is also the wire
//!   format of pull, query and view-by-id bodies: encoder, strict and
//!   lenient decoders, property strings, offset message ids.
//! * [`types`] / [`subscription`] — serde shapes with RocketMQ's exact field
//!   names, read tolerantly through [`lenient`] (numbers as strings, missing
//!   fields, nulls), as fastjson would.

pub mod admin;
pub mod connection;
pub mod controller;
pub mod ha_runtime;
pub mod heartbeat;
pub mod json;
pub mod lenient;
pub mod record;
pub mod route;
pub mod subscription;
pub mod types;

pub use admin::{ConsumeStats, OffsetWrapper, TopicOffset, TopicStatsTable};
pub use json::{from_rocketmq_json, quote_bare_keys, to_rocketmq_json, try_to_rocketmq_json};
pub use json::{to_standard_json, try_to_standard_json};
pub use route::{
    BrokerData, ClusterInfo, KvTable, QueueData, RegisterBrokerBody, RegisterBrokerResult,
    TopicConfigAndMappingSerializeWrapper, TopicList, TopicQueueMappingInfo, TopicRouteData,
};
pub use subscription::{
    CustomizedRetryPolicy, ExponentialRetryPolicy, GroupRetryPolicy, GroupRetryPolicyType,
    SimpleSubscriptionData, SubscriptionGroupConfig, SubscriptionGroupWrapper,
};
pub use types::{
    ConsumerOffsetWrapper, DataVersion, DelayOffsetWrapper, TopicConfig, TopicConfigSerializeWrapper,
    TopicFilterType,
};
