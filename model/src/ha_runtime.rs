//! The GET_BROKER_HA_STATUS (907) answer, RocketMQ's `body/HARuntimeInfo`:
//! a master lists its slave connections, a slave describes its HA client.
//! Keys are fastjson's (getter names, sorted); reading is lenient.

use serde::{Deserialize, Serialize};

use crate::lenient::{self, lenient_struct};

/// One slave connection as the master sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HaConnectionRuntimeInfo {
    /// The slave's `ip:port`; absent when the master does not know it.
    #[serde(deserialize_with = "lenient::de", skip_serializing_if = "Option::is_none")]
    pub addr: Option<String>,
    /// `masterCommitLogMaxOffset - slaveAckOffset`.
    #[serde(deserialize_with = "lenient::de")]
    pub diff: i64,
    #[serde(deserialize_with = "lenient::de")]
    pub in_sync: bool,
    #[serde(deserialize_with = "lenient::de")]
    pub slave_ack_offset: i64,
    #[serde(deserialize_with = "lenient::de")]
    pub transfer_from_where: i64,
    #[serde(deserialize_with = "lenient::de")]
    pub transferred_byte_in_second: i64,
}

/// A slave's HA client.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HaClientRuntimeInfo {
    #[serde(deserialize_with = "lenient::de")]
    pub last_read_timestamp: i64,
    #[serde(deserialize_with = "lenient::de")]
    pub last_write_timestamp: i64,
    #[serde(deserialize_with = "lenient::de", skip_serializing_if = "Option::is_none")]
    pub master_addr: Option<String>,
    #[serde(deserialize_with = "lenient::de")]
    pub master_flush_offset: i64,
    /// The slave's own CommitLog max offset.
    #[serde(deserialize_with = "lenient::de")]
    pub max_offset: i64,
    #[serde(deserialize_with = "lenient::de")]
    pub transferred_byte_in_second: i64,
}

/// The whole answer. Java always writes both parts; only the one matching
/// `master` is meaningful.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HaRuntimeInfo {
    #[serde(deserialize_with = "lenient::de")]
    pub ha_client_runtime_info: HaClientRuntimeInfo,
    #[serde(deserialize_with = "lenient::de")]
    pub ha_connection_info: Vec<HaConnectionRuntimeInfo>,
    /// Size of the master's SyncStateSet minus itself.
    #[serde(deserialize_with = "lenient::de")]
    pub in_sync_slave_nums: i32,
    #[serde(deserialize_with = "lenient::de")]
    pub master: bool,
    #[serde(deserialize_with = "lenient::de")]
    pub master_commit_log_max_offset: i64,
}

lenient_struct!(HaConnectionRuntimeInfo, HaClientRuntimeInfo, HaRuntimeInfo);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{from_rocketmq_json, to_rocketmq_json};

    #[test]
    fn master_answer_has_fastjson_keys_in_order() {
        let info = HaRuntimeInfo {
            master: true,
            master_commit_log_max_offset: 2048,
            in_sync_slave_nums: 1,
            ha_connection_info: vec![HaConnectionRuntimeInfo {
                addr: Some("127.0.0.1:50000".into()),
                diff: 48,
                in_sync: true,
                slave_ack_offset: 2000,
                ..Default::default()
            }],
            ..Default::default()
        };
        assert_eq!(
            to_rocketmq_json(&info, false),
            r#"{"haClientRuntimeInfo":{"lastReadTimestamp":0,"lastWriteTimestamp":0,"masterFlushOffset":0,"maxOffset":0,"transferredByteInSecond":0},"haConnectionInfo":[{"addr":"127.0.0.1:50000","diff":48,"inSync":true,"slaveAckOffset":2000,"transferFromWhere":0,"transferredByteInSecond":0}],"inSyncSlaveNums":1,"master":true,"masterCommitLogMaxOffset":2048}"#
        );
    }

    #[test]
    fn slave_answer_reads_leniently() {
        let text = r#"{"master":"false","haClientRuntimeInfo":{"masterAddr":"10.0.0.1:10912","maxOffset":"77","isActivated":true},"haConnectionInfo":null}"#;
        let info: HaRuntimeInfo = from_rocketmq_json(text).unwrap();
        assert!(!info.master);
        assert_eq!(info.ha_client_runtime_info.master_addr.as_deref(), Some("10.0.0.1:10912"));
        assert_eq!(info.ha_client_runtime_info.max_offset, 77);
        assert!(info.ha_connection_info.is_empty());
    }
}
