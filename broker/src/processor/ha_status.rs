//! GET_BROKER_HA_STATUS (907): the HA runtime view `mqadmin haStatus`
//! prints (RocketMQ's `HARuntimeInfo`). A slave describes its HA client; any
//! other role answers as a master, as Java does for every non-SLAVE broker.
//!
//! Booster's HA service exposes the acks of its live slave connections but
//! not their addresses or controller ids, so connection rows carry no
//! `addr`, and `inSync` means "has acked everything the master holds".

use std::sync::Arc;

use booster_ha::{Role, SyncStateView};
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
        Role::Master { .. } | Role::Idle => {
            master_info(max, ha.sync_state().as_ref(), &ha.put_waiter().quorum().acks)
        }
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
/// while no term runs) and the acks of its live slave connections.
pub fn master_info(max: i64, view: Option<&SyncStateView>, acks: &[i64]) -> HaRuntimeInfo {
    let members = view.map_or(1, |v| v.local.len().max(1));
    HaRuntimeInfo {
        master: true,
        master_commit_log_max_offset: max,
        in_sync_slave_nums: i32::try_from(members - 1).unwrap_or(i32::MAX),
        ha_connection_info: acks
            .iter()
            .map(|&ack| HaConnectionRuntimeInfo {
                slave_ack_offset: ack,
                diff: max - ack,
                in_sync: ack >= max,
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn master_counts_members_and_lists_acks() {
        let view = SyncStateView {
            local: BTreeSet::from([0, 1]),
            epoch: 3,
            effective: BTreeSet::from([0, 1]),
            in_sync_replicas: 2,
            confirm_offset: 900,
        };
        let info = master_info(1000, Some(&view), &[1000, 400]);
        assert!(info.master);
        assert_eq!((info.master_commit_log_max_offset, info.in_sync_slave_nums), (1000, 1));
        let rows: Vec<_> =
            info.ha_connection_info.iter().map(|c| (c.slave_ack_offset, c.diff, c.in_sync)).collect();
        assert_eq!(rows, [(1000, 0, true), (400, 600, false)]);
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
