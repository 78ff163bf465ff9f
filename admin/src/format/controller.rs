//! The controller commands (getControllerMetaData, getSyncStateSet,
//! electMaster, getControllerConfig, ...) and the HA ones (getBrokerEpoch,
//! haStatus): Java's `#Key\tvalue` blocks, with Java's `null` for absent
//! values so scripts that grep these lines keep working.

use booster_model::controller::{
    BrokerReplicasInfo, ElectMasterResponseBody, EpochEntry, EpochEntryCache, ReplicaIdentity,
};
use booster_model::ha_runtime::HaRuntimeInfo;
use booster_remoting::headers::controller::{ElectMasterResponseHeader, GetMetaDataResponseHeader};

use super::TimeFmt;

/// Java's `String.valueOf` of a nullable value.
fn or_null<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "null".to_owned(), |v| v.to_string())
}

/// getControllerMetaData. Java prints no `#IsLeader` line; it is added
/// after the leader address because which node answered matters when
/// several are asked.
pub fn controller_metadata(m: &GetMetaDataResponseHeader) -> String {
    let mut out = format!(
        "\n#ControllerGroup\t{}\n#ControllerLeaderId\t{}\n#ControllerLeaderAddress\t{}\n#IsLeader\t{}",
        or_null(m.group.as_deref()),
        or_null(m.controller_leader_id.as_deref()),
        or_null(m.controller_leader_address.as_deref()),
        m.is_leader.unwrap_or(false),
    );
    for peer in m.peers.as_deref().unwrap_or("").split(';').filter(|p| !p.is_empty()) {
        out.push_str(&format!("\n#Peer:\t{peer}"));
    }
    out.push('\n');
    out
}

/// `ReplicaIdentity.toString()`.
fn replica(r: &ReplicaIdentity) -> String {
    format!(
        "ReplicaIdentity{{brokerName='{}', brokerId={}, brokerAddress='{}', alive={}}}",
        r.broker_name, r.broker_id, r.broker_address, r.alive
    )
}

/// getSyncStateSet: one block per broker set, by name.
pub fn sync_state_set(info: &BrokerReplicasInfo) -> String {
    let mut out = String::new();
    for (name, r) in &info.replicas_info_table {
        out.push_str(&format!(
            "\n#brokerName\t{name}\n#MasterBrokerId\t{}\n#MasterAddr\t{}\n#MasterEpoch\t{}\n#SyncStateSetEpoch\t{}\n#SyncStateSetNums\t{}\n",
            or_null(r.master_broker_id),
            or_null(r.master_address.as_deref()),
            r.master_epoch,
            r.sync_state_set_epoch,
            r.in_sync_replicas.len()
        ));
        for m in &r.in_sync_replicas {
            out.push_str(&format!("\nInSyncReplica:\t{}\n", replica(m)));
        }
        for m in &r.not_in_sync_replicas {
            out.push_str(&format!("\nNotInSyncReplica:\t{}\n", replica(m)));
        }
    }
    out
}

/// getBrokerEpoch for one replica: the last entry ends at the broker's
/// max offset instead of the open-ended `Long.MAX_VALUE`, as Java prints it.
pub fn broker_epoch(addr: &str, c: &EpochEntryCache) -> String {
    let mut out = format!(
        "\n#clusterName\t{}\n#brokerName\t{}\n#brokerAddr\t{addr}\n#brokerId\t{}",
        c.cluster_name, c.broker_name, c.broker_id
    );
    let last = c.epoch_list.len().saturating_sub(1);
    for (i, e) in c.epoch_list.iter().enumerate() {
        let end = if i == last { c.max_offset } else { e.end_offset };
        let EpochEntry { epoch, start_offset, .. } = e;
        out.push_str(&format!(
            "\n#Epoch: EpochEntry{{epoch={epoch}, startOffset={start_offset}, endOffset={end}}}"
        ));
    }
    out.push('\n');
    out
}

/// electMaster: the new master and epochs, then the broker set's members
/// (Java reads the body as the wrong type and never shows them).
pub fn elect_master(
    cluster: &str,
    broker_name: &str,
    h: &ElectMasterResponseHeader,
    body: &ElectMasterResponseBody,
) -> String {
    let mut out = format!(
        "\n#ClusterName\t{cluster}\n#BrokerName\t{broker_name}\n#BrokerMasterAddr\t{}\n#MasterEpoch\t{}\n#SyncStateSetEpoch\t{}\n",
        or_null(h.master_address.as_deref()),
        or_null(h.master_epoch),
        or_null(h.sync_state_set_epoch)
    );
    if let Some(group) = &body.broker_member_group {
        for (id, addr) in &group.broker_addrs {
            out.push_str(&format!("\t#Broker\t{id}\t{addr}\n"));
        }
    }
    out
}

/// getControllerConfig for one controller.
pub fn controller_config(addr: &str, entries: &[(String, String)]) -> String {
    let mut out = format!("============{addr}============\n");
    for (k, v) in entries {
        out.push_str(&format!("{k:<50}=  {v}\n"));
    }
    out
}

/// updateControllerConfig's confirmation (the list as Java's `List.toString`).
pub fn controller_config_updated(controllers: &[String], key: &str, value: &str) -> String {
    format!("update controller config success![{}]\n{key} : {value}\n", controllers.join(", "))
}

/// haStatus of one broker: a master's slave table, or a slave's client.
pub fn ha_status(addr: &str, info: &HaRuntimeInfo, tf: TimeFmt) -> String {
    if !info.master {
        let c = &info.ha_client_runtime_info;
        return format!(
            "\n#MasterAddr\t{}\n#CommitLogMaxOffset\t{}\n#TransferSpeed(KB/s)\t{:.2}\n#LastReadTime\t{}\n#LastWriteTime\t{}\n#MasterFlushOffset\t{}\n",
            or_null(c.master_addr.as_deref()),
            c.max_offset,
            c.transferred_byte_in_second as f64 / 1024.0,
            tf.millis(c.last_read_timestamp),
            tf.millis(c.last_write_timestamp),
            c.master_flush_offset
        );
    }
    let mut out = format!(
        "\n#MasterAddr\t{addr}\n#MasterCommitLogMaxOffset\t{}\n#SlaveNum\t{}\n#InSyncSlaveNum\t{}\n",
        info.master_commit_log_max_offset,
        info.ha_connection_info.len(),
        info.in_sync_slave_nums
    );
    out.push_str(&format!(
        "{:<32}  {:<16} {:>16} {:>16} {:>16} {:>16}\n",
        "#SlaveAddr", "#SlaveAckOffset", "#Diff", "#TransferSpeed(KB/s)", "#Status", "#TransferFromWhere"
    ));
    for c in &info.ha_connection_info {
        out.push_str(&format!(
            "{:<32}  {:<16} {:>16} {:>16.2} {:>16} {:>16}\n",
            or_null(c.addr.as_deref()),
            c.slave_ack_offset,
            c.diff,
            c.transferred_byte_in_second as f64 / 1024.0,
            if c.in_sync { "OK" } else { "Fall Behind" },
            c.transfer_from_where
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use booster_model::controller::{BrokerMemberGroup, ReplicasInfo};
    use booster_model::ha_runtime::{HaClientRuntimeInfo, HaConnectionRuntimeInfo};

    use super::*;

    #[test]
    fn metadata_lists_every_peer() {
        let m = GetMetaDataResponseHeader {
            group: Some("group1".into()),
            controller_leader_id: Some("n0".into()),
            controller_leader_address: Some("127.0.0.1:9877".into()),
            is_leader: Some(true),
            peers: Some("n0:127.0.0.1:9877;n1:127.0.0.1:9878;".into()),
        };
        assert_eq!(
            controller_metadata(&m),
            "\n#ControllerGroup\tgroup1\n#ControllerLeaderId\tn0\n#ControllerLeaderAddress\t127.0.0.1:9877\n\
             #IsLeader\ttrue\n#Peer:\tn0:127.0.0.1:9877\n#Peer:\tn1:127.0.0.1:9878\n"
        );
        let empty = GetMetaDataResponseHeader {
            group: None,
            controller_leader_id: None,
            controller_leader_address: None,
            is_leader: None,
            peers: None,
        };
        assert_eq!(
            controller_metadata(&empty),
            "\n#ControllerGroup\tnull\n#ControllerLeaderId\tnull\n#ControllerLeaderAddress\tnull\n#IsLeader\tfalse\n"
        );
    }

    fn identity(id: i64, alive: bool) -> ReplicaIdentity {
        ReplicaIdentity {
            alive,
            broker_address: format!("10.0.0.{id}:10911"),
            broker_id: id,
            broker_name: "broker-a".into(),
        }
    }

    #[test]
    fn sync_state_set_blocks() {
        let info = BrokerReplicasInfo {
            replicas_info_table: BTreeMap::from([(
                "broker-a".to_owned(),
                ReplicasInfo {
                    in_sync_replicas: vec![identity(1, true)],
                    master_address: Some("10.0.0.1:10911".into()),
                    master_broker_id: Some(1),
                    master_epoch: 3,
                    not_in_sync_replicas: vec![identity(2, false)],
                    sync_state_set_epoch: 5,
                },
            )]),
        };
        assert_eq!(
            sync_state_set(&info),
            "\n#brokerName\tbroker-a\n#MasterBrokerId\t1\n#MasterAddr\t10.0.0.1:10911\n#MasterEpoch\t3\n\
             #SyncStateSetEpoch\t5\n#SyncStateSetNums\t1\n\
             \nInSyncReplica:\tReplicaIdentity{brokerName='broker-a', brokerId=1, brokerAddress='10.0.0.1:10911', alive=true}\n\
             \nNotInSyncReplica:\tReplicaIdentity{brokerName='broker-a', brokerId=2, brokerAddress='10.0.0.2:10911', alive=false}\n"
        );
    }

    #[test]
    fn epoch_entries_end_at_max_offset() {
        let cache = EpochEntryCache {
            broker_id: 0,
            broker_name: "broker-a".into(),
            cluster_name: "DefaultCluster".into(),
            epoch_list: vec![
                EpochEntry { epoch: 1, start_offset: 0, end_offset: 1024 },
                EpochEntry { epoch: 2, start_offset: 1024, end_offset: i64::MAX },
            ],
            max_offset: 2048,
        };
        assert_eq!(
            broker_epoch("10.0.0.1:10911", &cache),
            "\n#clusterName\tDefaultCluster\n#brokerName\tbroker-a\n#brokerAddr\t10.0.0.1:10911\n#brokerId\t0\
             \n#Epoch: EpochEntry{epoch=1, startOffset=0, endOffset=1024}\
             \n#Epoch: EpochEntry{epoch=2, startOffset=1024, endOffset=2048}\n"
        );
    }

    #[test]
    fn elect_master_shows_members() {
        let h = ElectMasterResponseHeader {
            master_broker_id: Some(2),
            master_address: Some("10.0.0.2:10911".into()),
            master_epoch: Some(4),
            sync_state_set_epoch: Some(6),
        };
        let body = ElectMasterResponseBody {
            broker_member_group: Some(BrokerMemberGroup {
                broker_addrs: BTreeMap::from([(1, "10.0.0.1:10911".into()), (2, "10.0.0.2:10911".into())]),
                broker_name: "broker-a".into(),
                cluster: "C".into(),
            }),
            sync_state_set: [2].into(),
        };
        assert_eq!(
            elect_master("C", "broker-a", &h, &body),
            "\n#ClusterName\tC\n#BrokerName\tbroker-a\n#BrokerMasterAddr\t10.0.0.2:10911\n#MasterEpoch\t4\n\
             #SyncStateSetEpoch\t6\n\t#Broker\t1\t10.0.0.1:10911\n\t#Broker\t2\t10.0.0.2:10911\n"
        );
    }

    #[test]
    fn controller_config_lines() {
        let entries = vec![("controllerType".to_owned(), "DLedger".to_owned())];
        assert_eq!(
            controller_config("127.0.0.1:9878", &entries),
            format!("============127.0.0.1:9878============\n{:<50}=  DLedger\n", "controllerType")
        );
        assert_eq!(
            controller_config_updated(&["a:1".into(), "b:2".into()], "k", "v"),
            "update controller config success![a:1, b:2]\nk : v\n"
        );
    }

    #[test]
    fn ha_status_master_and_slave() {
        let master = HaRuntimeInfo {
            master: true,
            master_commit_log_max_offset: 5000,
            in_sync_slave_nums: 1,
            ha_connection_info: vec![HaConnectionRuntimeInfo {
                addr: Some("127.0.0.1:40000".into()),
                diff: 0,
                in_sync: true,
                slave_ack_offset: 5000,
                transfer_from_where: 5000,
                transferred_byte_in_second: 2048,
            }],
            ..Default::default()
        };
        let text = ha_status("127.0.0.1:10911", &master, TimeFmt::utc());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            &lines[..5],
            [
                "",
                "#MasterAddr\t127.0.0.1:10911",
                "#MasterCommitLogMaxOffset\t5000",
                "#SlaveNum\t1",
                "#InSyncSlaveNum\t1"
            ]
        );
        assert_eq!(
            lines[5],
            "#SlaveAddr                        #SlaveAckOffset             #Diff #TransferSpeed(KB/s)          #Status #TransferFromWhere"
        );
        assert_eq!(
            lines[6],
            format!(
                "{:<32}  {:<16} {:>16} {:>16} {:>16} {:>16}",
                "127.0.0.1:40000", 5000, 0, "2.00", "OK", 5000
            )
        );
        let slave = HaRuntimeInfo {
            ha_client_runtime_info: HaClientRuntimeInfo {
                master_addr: Some("127.0.0.1:10912".into()),
                max_offset: 77,
                last_read_timestamp: 1_700_000_000_000,
                ..Default::default()
            },
            ..Default::default()
        };
        assert_eq!(
            ha_status("127.0.0.1:10921", &slave, TimeFmt::utc()),
            "\n#MasterAddr\t127.0.0.1:10912\n#CommitLogMaxOffset\t77\n#TransferSpeed(KB/s)\t0.00\n\
             #LastReadTime\t2023-11-14 22:13:20,000\n#LastWriteTime\t1970-01-01 00:00:00,000\n#MasterFlushOffset\t0\n"
        );
    }
}
