//! Client channels: which connections belong to which consumer and
//! producer groups (spec/remoting.md §4.4). Pure tables keyed by a channel
//! key (the connection id), generic over the handle used to reach the
//! client so they are tested without sockets; the broker instantiates them
//! with `booster_remoting::Connection`.

pub mod consumer;
pub mod producer;

pub use consumer::{ConsumerGroupInfo, ConsumerManager};
pub use producer::ProducerManager;

/// One client connection as a group member.
#[derive(Debug, Clone)]
pub struct ClientChannel<C> {
    /// Identifies the connection (its id); one client may hold several.
    pub key: u64,
    pub client_id: String,
    pub language: String,
    pub version: i32,
    pub last_update_ms: i64,
    /// How to reach the client (a `Connection` in the broker).
    pub handle: C,
}

/// A test member: connection `key`, client id `client-{key}`, last seen at `at`.
#[cfg(test)]
pub(crate) fn test_channel(key: u64, at: i64) -> ClientChannel<u64> {
    ClientChannel {
        key,
        client_id: format!("client-{key}"),
        language: "JAVA".into(),
        version: 479,
        last_update_ms: at,
        handle: key,
    }
}
