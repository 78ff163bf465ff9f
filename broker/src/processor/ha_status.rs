//! GET_BROKER_HA_STATUS (907): the HA runtime view `mqadmin haStatus`
//! prints (RocketMQ's `HARuntimeInfo`). A slave describes its HA client; any
//! other role answers as a master, as Java does for every non-SLAVE broker:
//! one row per accepted HA connection (the slave's socket address, its ack,
//! `inSync` = its id is in the SyncStateSet, where the transfer stands and
//! the bytes sent in the last second).

use std::sync::Arc;

use booster_ha::{HaConnectionInfo, Role, SyncStateView};
use booster_model::ha_runtime::{HaClientRuntimeInfo, HaConnectionRuntimeInfo, HaRuntimeInfo};
use booster_model::to_rocketmq_json;
use booster_remoting::{Connection, RemotingCommand, ResponseCode, request};

use super::{ProcessorTable, Reply, response};
use crate::context::BrokerContext;

pub fn register(table: &mut ProcessorTable) {
    table.register(request::GET_BROKER_HA_STATUS, ha_status);
}

async fn ha_status(ctx: Arc<BrokerContext>, _conn: Connection, req: RemotingCommand) -> Reply {
    let ha = &ctx.ha;
    let max = ctx.store.max_phy_offset();
    let info = match ha.role() {
        Role::Slave { .. } => slave_info(ha.master_ha_addr(), max),
        Role::Master { .. } | Role::Idle => master_info(max, ha.sync_state().as_ref(), &ha.connections()),
    };
    Some(response(&req, ResponseCode::Success).with_body(to_rocketmq_json(&info, false).into_bytes()))
}

/// A slave's answer: whom it follows and how much it holds.
pub fn slave_info(master_addr: Option<String>, max_offset: i64) -> HaRuntimeInfo {
    HaRuntimeInfo {
        master: false,
        ha_client_runtime_info: HaClientRuntimeInfo { master_addr, max_offset, ..Default::default() },
        ..Default::default()
    }
}

/// A master's answer from its CommitLog max offset, SyncStateSet view (none
/// while no term runs) and its slave connections.
pub fn master_info(max: i64, view: Option<&SyncStateView>, conns: &[HaConnectionInfo]) -> HaRuntimeInfo {
    let members = view.map_or(1, |v| v.local.len().max(1));
    HaRuntimeInfo {
        master: true,
        master_commit_log_max_offset: max,
        in_sync_slave_nums: i32::try_from(members - 1).unwrap_or(i32::MAX),
        ha_connection_info: conns
            .iter()
            .map(|c| HaConnectionRuntimeInfo {
                addr: Some(c.addr.to_string()),
                slave_ack_offset: c.ack_offset,
                diff: max - c.ack_offset,
                in_sync: c.in_sync,
                transfer_from_where: c.transfer_from_where,
                transferred_byte_in_second: i64::try_from(c.transferred_bytes_per_second).unwrap_or(i64::MAX),
            })
            .collect(),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn conn(port: u16, slave_id: Option<i64>, ack: i64, in_sync: bool) -> HaConnectionInfo {
        HaConnectionInfo {
            addr: std::net::SocketAddr::from(([10, 0, 0, 2], port)),
            slave_id,
            async_learner: false,
            ack_offset: ack,
            last_caught_up_ms: None,
            in_sync,
            transfer_from_where: ack.max(-1),
            transferred_bytes_per_second: 2048,
        }
    }

    #[test]
    fn master_counts_members_and_lists_each_connection() {
        let view = SyncStateView {
            local: BTreeSet::from([1, 2]),
            epoch: 3,
            effective: BTreeSet::from([1, 2]),
            in_sync_replicas: 2,
            confirm_offset: 900,
        };
        let conns = [
            conn(40_000, Some(2), 1000, true),
            conn(40_001, Some(3), 400, false),
            conn(40_002, None, -1, false),
        ];
        let info = master_info(1000, Some(&view), &conns);
        assert!(info.master);
        assert_eq!((info.master_commit_log_max_offset, info.in_sync_slave_nums), (1000, 1));
        let rows: Vec<_> = info
            .ha_connection_info
            .iter()
            .map(|c| {
                (c.addr.as_deref().unwrap(), c.slave_ack_offset, c.diff, c.in_sync, c.transfer_from_where)
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("10.0.0.2:40000", 1000, 0, true, 1000),
                ("10.0.0.2:40001", 400, 600, false, 400),
                ("10.0.0.2:40002", -1, 1001, false, -1)
            ]
        );
        assert!(info.ha_connection_info.iter().all(|c| c.transferred_byte_in_second == 2048));
    }

    #[test]
    fn idle_master_has_no_slaves() {
        let info = master_info(0, None, &[]);
        assert!(info.master);
        assert_eq!(info.in_sync_slave_nums, 0);
        assert!(info.ha_connection_info.is_empty());
    }

    #[test]
    fn slave_reports_its_master_and_offset() {
        let info = slave_info(Some("127.0.0.1:10912".into()), 77);
        assert!(!info.master);
        assert_eq!(info.ha_client_runtime_info.master_addr.as_deref(), Some("127.0.0.1:10912"));
        assert_eq!(info.ha_client_runtime_info.max_offset, 77);
    }
}
