//! Headers of the name server requests (spec/remoting.md §4.9), one typed
//! struct per Java header class in `protocol/header/namesrv/` (plus the two
//! name-server headers that live one package up). Field names are the wire
//! keys; `String`/`i64` fields are RocketMQ's `@CFNotNull` ones and fail to
//! decode when missing, `Option` fields are `@CFNullable` (or primitives
//! Java defaults when absent, such as `compressed`).

use crate::command_header;

command_header! {
    /// REGISTER_BROKER (103).
    pub struct RegisterBrokerRequestHeader {
        "brokerName" => broker_name: String,
        "brokerAddr" => broker_addr: String,
        "clusterName" => cluster_name: String,
        "haServerAddr" => ha_server_addr: String,
        "brokerId" => broker_id: i64,
        /// Liveness timeout; absent = 120 000 ms.
        "heartbeatTimeoutMillis" => heartbeat_timeout_millis: Option<i64>,
        /// Absent marks an "old version broker" (no acting-master support).
        "enableActingMaster" => enable_acting_master: Option<bool>,
        /// The body is the deflated format (Java brokers send `false`).
        "compressed" => compressed: Option<bool>,
        /// CRC32 of the body masked `& 0x7FFFFFFF`; 0 or absent = unchecked.
        "bodyCrc32" => body_crc32: Option<i32>,
    }
}

impl RegisterBrokerRequestHeader {
    /// Java's primitive `boolean compressed` (absent = false).
    pub fn is_compressed(&self) -> bool {
        self.compressed.unwrap_or(false)
    }
}

command_header! {
    /// REGISTER_BROKER response: the live master's addresses, for slaves.
    pub struct RegisterBrokerResponseHeader {
        "haServerAddr" => ha_server_addr: Option<String>,
        "masterAddr" => master_addr: Option<String>,
    }
}

command_header! {
    /// UNREGISTER_BROKER (104).
    pub struct UnRegisterBrokerRequestHeader {
        "brokerName" => broker_name: String,
        "brokerAddr" => broker_addr: String,
        "clusterName" => cluster_name: String,
        "brokerId" => broker_id: i64,
    }
}

command_header! {
    /// GET_ROUTEINFO_BY_TOPIC (105).
    pub struct GetRouteInfoRequestHeader {
        "topic" => topic: String,
        "acceptStandardJsonOnly" => accept_standard_json_only: Option<bool>,
    }
}

command_header! {
    /// BROKER_HEARTBEAT (904); the name server only uses the first two keys.
    pub struct BrokerHeartbeatRequestHeader {
        "clusterName" => cluster_name: String,
        "brokerAddr" => broker_addr: String,
        "brokerName" => broker_name: String,
        "brokerId" => broker_id: Option<i64>,
        "epoch" => epoch: Option<i32>,
        "maxOffset" => max_offset: Option<i64>,
        "confirmOffset" => confirm_offset: Option<i64>,
        "heartbeatTimeoutMills" => heartbeat_timeout_mills: Option<i64>,
        "electionPriority" => election_priority: Option<i32>,
    }
}

command_header! {
    /// QUERY_DATA_VERSION (322); the body is the broker's DataVersion JSON.
    pub struct QueryDataVersionRequestHeader {
        "brokerName" => broker_name: String,
        "brokerAddr" => broker_addr: String,
        "clusterName" => cluster_name: String,
        "brokerId" => broker_id: i64,
    }
}

command_header! {
    /// QUERY_DATA_VERSION response.
    pub struct QueryDataVersionResponseHeader {
        /// Whether the broker's DataVersion differs from the registered one.
        "changed" => changed: bool,
    }
}

command_header! {
    /// DELETE_TOPIC_IN_NAMESRV (216).
    pub struct DeleteTopicFromNamesrvRequestHeader {
        "topic" => topic: String,
        /// Restrict the deletion to this cluster's brokers.
        "clusterName" => cluster_name: Option<String>,
    }
}

command_header! {
    /// PUT_KV_CONFIG (100).
    pub struct PutKvConfigRequestHeader {
        "namespace" => namespace: String,
        "key" => key: String,
        "value" => value: String,
    }
}

command_header! {
    /// GET_KV_CONFIG (101).
    pub struct GetKvConfigRequestHeader {
        "namespace" => namespace: String,
        "key" => key: String,
    }
}

command_header! {
    /// GET_KV_CONFIG response.
    pub struct GetKvConfigResponseHeader {
        "value" => value: Option<String>,
    }
}

command_header! {
    /// DELETE_KV_CONFIG (102).
    pub struct DeleteKvConfigRequestHeader {
        "namespace" => namespace: String,
        "key" => key: String,
    }
}

command_header! {
    /// GET_KVLIST_BY_NAMESPACE (219).
    pub struct GetKvListByNamespaceRequestHeader {
        "namespace" => namespace: String,
    }
}

command_header! {
    /// GET_TOPICS_BY_CLUSTER (224); note the key is `cluster`.
    pub struct GetTopicsByClusterRequestHeader {
        "cluster" => cluster: String,
    }
}

command_header! {
    /// WIPE_WRITE_PERM_OF_BROKER (205).
    pub struct WipeWritePermOfBrokerRequestHeader {
        "brokerName" => broker_name: String,
    }
}

command_header! {
    /// WIPE_WRITE_PERM_OF_BROKER response.
    pub struct WipeWritePermOfBrokerResponseHeader {
        "wipeTopicCount" => wipe_topic_count: i32,
    }
}

command_header! {
    /// ADD_WRITE_PERM_OF_BROKER (327).
    pub struct AddWritePermOfBrokerRequestHeader {
        "brokerName" => broker_name: String,
    }
}

command_header! {
    /// ADD_WRITE_PERM_OF_BROKER response.
    pub struct AddWritePermOfBrokerResponseHeader {
        "addTopicCount" => add_topic_count: i32,
    }
}

command_header! {
    /// REGISTER_TOPIC_IN_NAMESRV (217); the body is a TopicRouteData whose
    /// `queueDatas` are registered.
    pub struct RegisterTopicRequestHeader {
        "topic" => topic: String,
    }
}

command_header! {
    /// GET_BROKER_MEMBER_GROUP (901).
    pub struct GetBrokerMemberGroupRequestHeader {
        "clusterName" => cluster_name: String,
        "brokerName" => broker_name: String,
    }
}

command_header! {
    /// NOTIFY_MIN_BROKER_ID_CHANGE (905), name server → broker (oneway).
    pub struct NotifyMinBrokerIdChangeRequestHeader {
        "minBrokerId" => min_broker_id: Option<i64>,
        "brokerName" => broker_name: Option<String>,
        "minBrokerAddr" => min_broker_addr: Option<String>,
        "offlineBrokerAddr" => offline_broker_addr: Option<String>,
        "haBrokerAddr" => ha_broker_addr: Option<String>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::{CommandHeader, HeaderError};
    use crate::{ExtFields, RemotingCommand};

    fn fields(pairs: &[(&str, &str)]) -> ExtFields {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn register_broker_from_a_java_broker() {
        let h = RegisterBrokerRequestHeader::decode(&fields(&[
            ("brokerName", "broker-a"),
            ("brokerAddr", "10.0.0.1:10911"),
            ("clusterName", "DefaultCluster"),
            ("haServerAddr", "10.0.0.1:10912"),
            ("brokerId", "0"),
            ("enableActingMaster", "false"),
            ("compressed", "false"),
            ("bodyCrc32", "12345"),
            ("__ZONE_NAME", "z"),
        ]))
        .unwrap();
        assert_eq!(h.broker_id, 0);
        assert_eq!(h.enable_acting_master, Some(false));
        assert_eq!(h.heartbeat_timeout_millis, None);
        assert!(!h.is_compressed());
        assert_eq!(h.body_crc32, Some(12345));
        assert_eq!(RegisterBrokerRequestHeader::decode(&h.encode()).unwrap(), h);
    }

    #[test]
    fn loose_shapes() {
        // Padded numbers, odd-case booleans, garbage in optional fields.
        let h = RegisterBrokerRequestHeader::decode(&fields(&[
            ("brokerName", "b"),
            ("brokerAddr", "a:1"),
            ("clusterName", "c"),
            ("haServerAddr", "a:2"),
            ("brokerId", " 2 "),
            ("heartbeatTimeoutMillis", "ten"),
            ("enableActingMaster", "TRUE"),
            ("compressed", "yes"),
        ]))
        .unwrap();
        assert_eq!(h.broker_id, 2);
        assert_eq!(h.heartbeat_timeout_millis, None);
        assert_eq!(h.enable_acting_master, Some(true));
        assert!(!h.is_compressed(), "only `true` is true, as in Java");

        let err = RegisterBrokerRequestHeader::decode(&fields(&[("brokerName", "b")])).unwrap_err();
        assert_eq!(err, HeaderError::Missing("brokerAddr"));
        let err = UnRegisterBrokerRequestHeader::decode(&fields(&[
            ("brokerName", "b"),
            ("brokerAddr", "a:1"),
            ("clusterName", "c"),
            ("brokerId", "x"),
        ]))
        .unwrap_err();
        assert_eq!(err, HeaderError::Invalid { field: "brokerId", value: "x".into() });
    }

    #[test]
    fn absent_ext_fields_decode_optional_only_headers() {
        let cmd = RemotingCommand::request(crate::request::GET_ROUTEINFO_BY_TOPIC);
        assert_eq!(GetRouteInfoRequestHeader::from_command(&cmd).unwrap_err(), HeaderError::Missing("topic"));
        assert_eq!(
            NotifyMinBrokerIdChangeRequestHeader::from_command(&cmd).unwrap(),
            NotifyMinBrokerIdChangeRequestHeader::default()
        );
    }

    #[test]
    fn response_headers_encode_only_what_is_set() {
        let h = RegisterBrokerResponseHeader { ha_server_addr: None, master_addr: Some("m:1".into()) };
        assert_eq!(h.encode(), fields(&[("masterAddr", "m:1")]));
        assert_eq!(QueryDataVersionResponseHeader { changed: true }.encode(), fields(&[("changed", "true")]));
        let route =
            GetRouteInfoRequestHeader::decode(&fields(&[("topic", "T"), ("acceptStandardJsonOnly", "true")]));
        assert_eq!(route.unwrap().accept_standard_json_only, Some(true));
        let topics = GetTopicsByClusterRequestHeader::decode(&fields(&[("cluster", "C")])).unwrap();
        assert_eq!(topics.cluster, "C");
    }
}
