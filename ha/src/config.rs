//! `HaConfig`: the replication keys the HA engine reads (spec/ha.md §1,
//! spec/config.md §3.7), gathered from `BrokerConfig` where Booster binds
//! them, plus the few fixed timings of §2.4/§7.5 made adjustable for tests.

use std::time::Duration;

use booster_conf::BrokerConfig;

use crate::frame::MAX_TRANSFER_BODY;
use crate::put_waiter::ReplicationPolicy;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HaConfig {
    /// `0.0.0.0:haListenPort`; port 0 lets the OS pick (tests).
    pub listen_addr: String,
    /// `haSendHeartbeatInterval`.
    pub heartbeat_interval: Duration,
    /// `haHousekeepingInterval`.
    pub housekeeping_interval: Duration,
    /// `haTransferBatchSize`, capped at the slave buffer (4 MiB).
    pub transfer_batch_size: usize,
    /// `haFlowControlEnable` / `maxHaTransferByteInSecond`.
    pub flow_control: Option<u64>,
    /// `haMaxTimeSlaveNotCatchup`.
    pub max_time_slave_not_catchup: Duration,
    /// `checkSyncStateSetPeriod`; the first check runs after
    /// `first_sync_state_check`.
    pub check_sync_state_set_period: Duration,
    pub first_sync_state_check: Duration,
    /// `syncFromLastFile` (slave).
    pub sync_from_last_file: bool,
    /// `asyncLearner` (slave).
    pub async_learner: bool,
    /// `inSyncReplicas`, `minInSyncReplicas`, `allAckInSyncStateSet`,
    /// `slaveTimeout`.
    pub policy: ReplicationPolicy,
    /// Slave back-off after a failed connection (§7.5: 5 s).
    pub reconnect_backoff: Duration,
    /// Slave wait for a handshake response (§7.5: 5 s).
    pub handshake_timeout: Duration,
    /// Master retry when it cannot send yet (§6.3: 500 ms).
    pub transfer_retry: Duration,
}

impl Default for HaConfig {
    fn default() -> Self {
        Self::from_broker(&BrokerConfig::default())
    }
}

impl HaConfig {
    pub fn from_broker(b: &BrokerConfig) -> Self {
        let ms = Duration::from_millis;
        Self {
            listen_addr: format!("0.0.0.0:{}", b.effective_ha_listen_port()),
            heartbeat_interval: ms(b.ha_send_heartbeat_interval),
            housekeeping_interval: ms(b.ha_housekeeping_interval),
            transfer_batch_size: (b.ha_transfer_batch_size as usize).clamp(1, MAX_TRANSFER_BODY),
            flow_control: b.ha_flow_control_enable.then_some(b.max_ha_transfer_byte_in_second),
            max_time_slave_not_catchup: ms(b.ha_max_time_slave_not_catchup),
            check_sync_state_set_period: ms(b.check_sync_state_set_period.max(1)),
            first_sync_state_check: ms(3_000),
            sync_from_last_file: b.sync_from_last_file,
            async_learner: b.async_learner,
            policy: ReplicationPolicy {
                in_sync_replicas: b.in_sync_replicas,
                min_in_sync_replicas: b.min_in_sync_replicas,
                all_ack: b.all_ack_in_sync_state_set,
                slave_timeout: ms(b.slave_timeout),
            },
            reconnect_backoff: ms(5_000),
            handshake_timeout: ms(5_000),
            transfer_retry: ms(500),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_rocketmq() {
        let c = HaConfig::default();
        assert_eq!(c.listen_addr, "0.0.0.0:10912");
        assert_eq!(c.heartbeat_interval, Duration::from_secs(5));
        assert_eq!(c.housekeeping_interval, Duration::from_secs(20));
        assert_eq!(c.transfer_batch_size, 32 * 1024);
        assert_eq!(c.flow_control, None);
        assert_eq!(c.max_time_slave_not_catchup, Duration::from_secs(15));
        assert_eq!(c.policy, ReplicationPolicy::default());
    }

    #[test]
    fn batch_size_is_capped_at_the_slave_buffer() {
        let b = BrokerConfig { ha_transfer_batch_size: 64 << 20, ..BrokerConfig::default() };
        assert_eq!(HaConfig::from_broker(&b).transfer_batch_size, MAX_TRANSFER_BODY);
    }
}
