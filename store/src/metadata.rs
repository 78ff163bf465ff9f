//! The broker's JSON metadata files in `<storePathRootDir>/config/`
//! (spec/store.md §11): `topics.json`, `consumerOffset.json`,
//! `subscriptionGroup.json`, `delayOffset.json`.
//!
//! Three layers, each in its own submodule:
//!
//! * [`json`] — RocketMQ's fastjson dialect (spec/remoting.md §5.1):
//!   alphabetical keys, nulls omitted, integer map keys written *unquoted*
//!   (`{0:250}`), tab-indented pretty form. Files written by a Java broker
//!   must load here and files written here must load in a Java broker, so the
//!   writer is byte-for-byte the fastjson shape and the reader accepts both
//!   quoted and bare keys.
//! * [`file`] — crash-safe persistence (`.tmp` → fsync → rotate to `.bak` →
//!   rename → fsync dir) and the load-with-fallback rule (main unusable → use
//!   `.bak`; no usable backup → defaults; corrupt backup → refuse to start).
//! * [`types`] / [`subscription`] — serde shapes with RocketMQ's exact field
//!   names. Reading is deliberately tolerant ([`lenient`]): hand-edited or
//!   older files with numbers as strings, missing fields or nulls still load,
//!   as they would in fastjson.

pub mod file;
pub mod json;
pub mod lenient;
pub mod subscription;
pub mod types;

pub use file::{ConfigFile, backup_path, load, load_with, persist, temp_path};
pub use json::{from_rocketmq_json, quote_bare_keys, to_rocketmq_json, try_to_rocketmq_json};
pub use subscription::{
    CustomizedRetryPolicy, ExponentialRetryPolicy, GroupRetryPolicy, GroupRetryPolicyType,
    SimpleSubscriptionData, SubscriptionGroupConfig, SubscriptionGroupWrapper,
};
pub use types::{
    ConsumerOffsetWrapper, DataVersion, DelayOffsetWrapper, TopicConfig, TopicConfigSerializeWrapper,
    TopicFilterType,
};
