//! `BrokerConfig`: the broker keys of RocketMQ's broker.conf (spec/config.md
//! §3.1, §3.4–§3.7) with RocketMQ's defaults, and [`BrokerStartupConfig`],
//! which offers one file to both BrokerConfig and MessageStoreConfig as
//! `BrokerStartup` does (§1.2.1).
//!
//! A few keys that RocketMQ keeps in MessageStoreConfig (`brokerRole`,
//! `haListenPort`, `haMasterAddress`, the transfer limits and the §3.7
//! replication keys) are bound here because the store crate has no use for
//! them: the broker and the future HA layer do. Binding a key in both
//! structs would be harmless (every key is offered to every struct).

use std::path::PathBuf;

use crate::binding::{PropertyValue, ValueKind, java_trim};
use crate::metrics::{DEFAULT_PROM_EXPORTER_PORT, MetricsExporterType, prometheus_listen_addr};

mod startup;
#[cfg(test)]
mod tests;

pub use startup::BrokerStartupConfig;

/// `brokerRole`: classic master/slave role (controller mode: initial role).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BrokerRole {
    /// Acknowledge puts without waiting for slaves.
    #[default]
    AsyncMaster,
    /// Acknowledge puts once a slave has them.
    SyncMaster,
    Slave,
}

impl BrokerRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AsyncMaster => "ASYNC_MASTER",
            Self::SyncMaster => "SYNC_MASTER",
            Self::Slave => "SLAVE",
        }
    }

    pub fn is_master(self) -> bool {
        self != Self::Slave
    }
}

impl PropertyValue for BrokerRole {
    const KIND: ValueKind = ValueKind::String;

    /// Exact upper-case spelling, as RocketMQ's String setter requires.
    fn parse_property(raw: &str) -> Result<Self, String> {
        match java_trim(raw) {
            "ASYNC_MASTER" => Ok(Self::AsyncMaster),
            "SYNC_MASTER" => Ok(Self::SyncMaster),
            "SLAVE" => Ok(Self::Slave),
            _ => Err("ASYNC_MASTER, SYNC_MASTER or SLAVE".to_owned()),
        }
    }

    fn format_property(&self) -> Option<String> {
        Some(self.as_str().to_owned())
    }
}

/// Broker settings; field names are the RocketMQ keys in snake_case.
/// Durations are milliseconds unless the key says otherwise.
#[derive(Debug, Clone, PartialEq)]
pub struct BrokerConfig {
    // §3.1 identity, addresses, roles
    pub broker_cluster_name: String,
    pub broker_name: String,
    pub broker_id: i64,
    pub broker_role: BrokerRole,
    pub listen_port: u16,
    pub bind_address: String,
    /// ≤ 0 means `listenPort + 1` (see [`BrokerConfig::effective_ha_listen_port`]).
    pub ha_listen_port: i32,
    pub ha_master_address: Option<String>,
    /// `None`: detected at startup (first non-loopback IPv4 address).
    pub broker_ip1: Option<String>,
    /// `None`: same as brokerIP1.
    pub broker_ip2: Option<String>,
    pub namesrv_addr: Option<String>,
    pub fetch_name_srv_addr_by_dns_lookup: bool,
    pub fetch_namesrv_addr_by_address_server: bool,
    pub rocketmq_home: Option<String>,
    pub broker_permission: i32,
    pub broker_config_path: Option<PathBuf>,
    // §3.4 network, threads, flow control
    pub server_worker_threads: u32,
    pub server_selector_threads: u32,
    pub server_channel_max_idle_time_seconds: u32,
    pub server_socket_backlog: u32,
    pub send_message_thread_pool_nums: u32,
    pub pull_message_thread_pool_nums: u32,
    pub query_message_thread_pool_nums: u32,
    pub admin_broker_thread_pool_nums: u32,
    pub client_manage_thread_pool_nums: u32,
    pub consumer_manage_thread_pool_nums: u32,
    pub heartbeat_thread_pool_nums: u32,
    pub send_thread_pool_queue_capacity: u32,
    pub pull_thread_pool_queue_capacity: u32,
    pub broker_fast_failure_enable: bool,
    pub wait_time_mills_in_send_queue: u64,
    pub wait_time_mills_in_pull_queue: u64,
    pub long_polling_enable: bool,
    pub short_polling_time_mills: u64,
    pub transfer_msg_by_heap: bool,
    pub max_transfer_bytes_on_message_in_memory: u32,
    pub max_transfer_count_on_message_in_memory: u32,
    pub max_transfer_bytes_on_message_in_disk: u32,
    pub max_transfer_count_on_message_in_disk: u32,
    pub access_message_in_memory_max_ratio: u32,
    pub default_query_max_num: u32,
    pub start_accept_send_request_time_stamp: i64,
    pub region_id: String,
    pub trace_on: bool,
    // §3.5 topics, groups, clients, transactions
    pub auto_create_topic_enable: bool,
    pub default_topic_queue_nums: u32,
    pub cluster_topic_enable: bool,
    pub broker_topic_enable: bool,
    pub auto_create_subscription_group: bool,
    pub trace_topic_enable: bool,
    pub msg_trace_topic_name: String,
    pub validate_system_topic_when_update_topic: bool,
    pub revive_queue_num: u32,
    pub slave_read_enable: bool,
    pub offset_check_in_slave: bool,
    pub reject_pull_consumer_enable: bool,
    pub enable_property_filter: bool,
    pub lite_pull_message_enable: bool,
    pub notify_consumer_ids_changed_enable: bool,
    pub channel_expired_timeout: u64,
    pub flush_consumer_offset_interval: u64,
    pub use_server_side_reset_offset: bool,
    pub enable_broadcast_offset_store: bool,
    pub reject_transaction_message: bool,
    pub transaction_time_out: u64,
    pub transaction_check_max: u32,
    pub transaction_check_interval: u64,
    pub enable_split_metadata: bool,
    pub split_metadata_size: u32,
    // §3.6 name-server registration
    pub register_name_server_period: u64,
    pub register_broker_timeout_mills: u64,
    pub force_register: bool,
    pub compressed_register: bool,
    pub enable_split_registration: bool,
    pub split_registration_size: u32,
    pub broker_heartbeat_interval: u64,
    pub broker_not_active_timeout_millis: u64,
    pub send_heartbeat_timeout_millis: u64,
    pub compatible_with_old_name_srv: bool,
    // §3.7 replication
    pub ha_send_heartbeat_interval: u64,
    pub ha_housekeeping_interval: u64,
    pub ha_transfer_batch_size: u32,
    pub ha_max_gap_not_in_sync: u64,
    pub slave_timeout: u64,
    pub ha_flow_control_enable: bool,
    pub max_ha_transfer_byte_in_second: u64,
    pub total_replicas: u32,
    pub in_sync_replicas: u32,
    pub min_in_sync_replicas: u32,
    pub all_ack_in_sync_state_set: bool,
    pub enable_auto_in_sync_replicas: bool,
    pub ha_max_time_slave_not_catchup: u64,
    pub sync_from_last_file: bool,
    pub async_learner: bool,
    pub sync_master_flush_offset_when_startup: bool,
    pub enable_slave_acting_master: bool,
    pub enable_controller_mode: bool,
    pub controller_addr: String,
    pub fetch_controller_addr_by_dns_lookup: bool,
    pub sync_broker_metadata_period: u64,
    pub check_sync_state_set_period: u64,
    pub sync_controller_metadata_period: u64,
    pub controller_heart_beat_timeout_mills: u64,
    pub broker_election_priority: i32,
    /// `PROM` serves Prometheus scrapes on `metricsPromExporterHost:Port`.
    pub metrics_exporter_type: MetricsExporterType,
    /// Blank: every interface.
    pub metrics_prom_exporter_host: String,
    pub metrics_prom_exporter_port: u16,
}

fn cpu_cores() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| n.get() as u32)
}

/// The local host name, RocketMQ's default `brokerName`.
fn local_host_name() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "DEFAULT_BROKER".to_owned())
}

impl Default for BrokerConfig {
    fn default() -> Self {
        let cores = cpu_cores();
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        Self {
            broker_cluster_name: "DefaultCluster".to_owned(),
            broker_name: local_host_name(),
            broker_id: 0,
            broker_role: BrokerRole::AsyncMaster,
            listen_port: 10911,
            bind_address: "0.0.0.0".to_owned(),
            ha_listen_port: 0,
            ha_master_address: None,
            broker_ip1: None,
            broker_ip2: None,
            namesrv_addr: env("NAMESRV_ADDR"),
            fetch_name_srv_addr_by_dns_lookup: false,
            fetch_namesrv_addr_by_address_server: false,
            rocketmq_home: env("ROCKETMQ_HOME"),
            broker_permission: 6,
            broker_config_path: None,
            server_worker_threads: 8,
            server_selector_threads: 3,
            server_channel_max_idle_time_seconds: 120,
            server_socket_backlog: 1024,
            send_message_thread_pool_nums: cores.min(4),
            pull_message_thread_pool_nums: 16 + 2 * cores,
            query_message_thread_pool_nums: 8 + cores,
            admin_broker_thread_pool_nums: 16,
            client_manage_thread_pool_nums: 32,
            consumer_manage_thread_pool_nums: 32,
            heartbeat_thread_pool_nums: cores.min(32),
            send_thread_pool_queue_capacity: 10_000,
            pull_thread_pool_queue_capacity: 100_000,
            broker_fast_failure_enable: true,
            wait_time_mills_in_send_queue: 200,
            wait_time_mills_in_pull_queue: 5_000,
            long_polling_enable: true,
            short_polling_time_mills: 1_000,
            transfer_msg_by_heap: true,
            max_transfer_bytes_on_message_in_memory: 256 * 1024,
            max_transfer_count_on_message_in_memory: 32,
            max_transfer_bytes_on_message_in_disk: 64 * 1024,
            max_transfer_count_on_message_in_disk: 8,
            access_message_in_memory_max_ratio: 40,
            default_query_max_num: 32,
            start_accept_send_request_time_stamp: 0,
            region_id: "DefaultRegion".to_owned(),
            trace_on: true,
            auto_create_topic_enable: true,
            default_topic_queue_nums: 8,
            cluster_topic_enable: true,
            broker_topic_enable: true,
            auto_create_subscription_group: true,
            trace_topic_enable: false,
            msg_trace_topic_name: "RMQ_SYS_TRACE_TOPIC".to_owned(),
            validate_system_topic_when_update_topic: true,
            revive_queue_num: 8,
            slave_read_enable: false,
            offset_check_in_slave: false,
            reject_pull_consumer_enable: false,
            enable_property_filter: false,
            lite_pull_message_enable: true,
            notify_consumer_ids_changed_enable: true,
            channel_expired_timeout: 120_000,
            flush_consumer_offset_interval: 5_000,
            use_server_side_reset_offset: true,
            enable_broadcast_offset_store: true,
            reject_transaction_message: false,
            transaction_time_out: 6_000,
            transaction_check_max: 15,
            transaction_check_interval: 30_000,
            enable_split_metadata: true,
            split_metadata_size: 2_000,
            register_name_server_period: 30_000,
            register_broker_timeout_mills: 24_000,
            force_register: true,
            compressed_register: false,
            enable_split_registration: false,
            split_registration_size: 800,
            broker_heartbeat_interval: 1_000,
            broker_not_active_timeout_millis: 10_000,
            send_heartbeat_timeout_millis: 1_000,
            compatible_with_old_name_srv: true,
            ha_send_heartbeat_interval: 5_000,
            ha_housekeeping_interval: 20_000,
            ha_transfer_batch_size: 32 * 1024,
            ha_max_gap_not_in_sync: 256 * 1024 * 1024,
            slave_timeout: 3_000,
            ha_flow_control_enable: false,
            max_ha_transfer_byte_in_second: 100 * 1024 * 1024,
            total_replicas: 1,
            in_sync_replicas: 1,
            min_in_sync_replicas: 1,
            all_ack_in_sync_state_set: false,
            enable_auto_in_sync_replicas: false,
            ha_max_time_slave_not_catchup: 15_000,
            sync_from_last_file: false,
            async_learner: false,
            sync_master_flush_offset_when_startup: false,
            enable_slave_acting_master: false,
            enable_controller_mode: false,
            controller_addr: String::new(),
            fetch_controller_addr_by_dns_lookup: false,
            sync_broker_metadata_period: 5_000,
            check_sync_state_set_period: 5_000,
            sync_controller_metadata_period: 10_000,
            controller_heart_beat_timeout_mills: 10_000,
            broker_election_priority: i32::MAX,
            metrics_exporter_type: MetricsExporterType::Disable,
            metrics_prom_exporter_host: String::new(),
            metrics_prom_exporter_port: DEFAULT_PROM_EXPORTER_PORT,
        }
    }
}

impl BrokerConfig {
    /// `haListenPort`, or `listenPort + 1` when it is ≤ 0 (spec §2).
    pub fn effective_ha_listen_port(&self) -> u16 {
        match u16::try_from(self.ha_listen_port) {
            Ok(port) if port > 0 => port,
            _ => self.listen_port.wrapping_add(1),
        }
    }

    /// `registerNameServerPeriod` clamped to 10–60 s as RocketMQ does.
    pub fn register_period_ms(&self) -> u64 {
        self.register_name_server_period.clamp(10_000, 60_000)
    }

    /// Where the Prometheus endpoint listens; `None` unless `metricsExporterType=PROM`.
    pub fn prometheus_listen_addr(&self) -> Option<String> {
        prometheus_listen_addr(
            self.metrics_exporter_type,
            &self.metrics_prom_exporter_host,
            self.metrics_prom_exporter_port,
        )
    }

    /// The `;`-separated name server list, blanks dropped.
    pub fn namesrv_addrs(&self) -> Vec<String> {
        self.namesrv_addr
            .as_deref()
            .unwrap_or("")
            .split(';')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

// RocketMQ key of every field, spelled as in BrokerConfig.java's setters.
crate::bind_properties!(BrokerConfig {
    "brokerClusterName" => broker_cluster_name,
    "brokerName" => broker_name,
    "brokerId" => broker_id,
    "brokerRole" => broker_role,
    "listenPort" => listen_port,
    "bindAddress" => bind_address,
    "haListenPort" => ha_listen_port,
    "haMasterAddress" => ha_master_address,
    "brokerIP1" => broker_ip1,
    "brokerIP2" => broker_ip2,
    "namesrvAddr" => namesrv_addr,
    "fetchNameSrvAddrByDnsLookup" => fetch_name_srv_addr_by_dns_lookup,
    "fetchNamesrvAddrByAddressServer" => fetch_namesrv_addr_by_address_server,
    "rocketmqHome" => rocketmq_home,
    "brokerPermission" => broker_permission,
    "brokerConfigPath" => broker_config_path,
    "serverWorkerThreads" => server_worker_threads,
    "serverSelectorThreads" => server_selector_threads,
    "serverChannelMaxIdleTimeSeconds" => server_channel_max_idle_time_seconds,
    "serverSocketBacklog" => server_socket_backlog,
    "sendMessageThreadPoolNums" => send_message_thread_pool_nums,
    "pullMessageThreadPoolNums" => pull_message_thread_pool_nums,
    "queryMessageThreadPoolNums" => query_message_thread_pool_nums,
    "adminBrokerThreadPoolNums" => admin_broker_thread_pool_nums,
    "clientManageThreadPoolNums" => client_manage_thread_pool_nums,
    "consumerManageThreadPoolNums" => consumer_manage_thread_pool_nums,
    "heartbeatThreadPoolNums" => heartbeat_thread_pool_nums,
    "sendThreadPoolQueueCapacity" => send_thread_pool_queue_capacity,
    "pullThreadPoolQueueCapacity" => pull_thread_pool_queue_capacity,
    "brokerFastFailureEnable" => broker_fast_failure_enable,
    "waitTimeMillsInSendQueue" => wait_time_mills_in_send_queue,
    "waitTimeMillsInPullQueue" => wait_time_mills_in_pull_queue,
    "longPollingEnable" => long_polling_enable,
    "shortPollingTimeMills" => short_polling_time_mills,
    "transferMsgByHeap" => transfer_msg_by_heap,
    "maxTransferBytesOnMessageInMemory" => max_transfer_bytes_on_message_in_memory,
    "maxTransferCountOnMessageInMemory" => max_transfer_count_on_message_in_memory,
    "maxTransferBytesOnMessageInDisk" => max_transfer_bytes_on_message_in_disk,
    "maxTransferCountOnMessageInDisk" => max_transfer_count_on_message_in_disk,
    "accessMessageInMemoryMaxRatio" => access_message_in_memory_max_ratio,
    "defaultQueryMaxNum" => default_query_max_num,
    "startAcceptSendRequestTimeStamp" => start_accept_send_request_time_stamp,
    "regionId" => region_id,
    "traceOn" => trace_on,
    "autoCreateTopicEnable" => auto_create_topic_enable,
    "defaultTopicQueueNums" => default_topic_queue_nums,
    "clusterTopicEnable" => cluster_topic_enable,
    "brokerTopicEnable" => broker_topic_enable,
    "autoCreateSubscriptionGroup" => auto_create_subscription_group,
    "traceTopicEnable" => trace_topic_enable,
    "msgTraceTopicName" => msg_trace_topic_name,
    "validateSystemTopicWhenUpdateTopic" => validate_system_topic_when_update_topic,
    "reviveQueueNum" => revive_queue_num,
    "slaveReadEnable" => slave_read_enable,
    "offsetCheckInSlave" => offset_check_in_slave,
    "rejectPullConsumerEnable" => reject_pull_consumer_enable,
    "enablePropertyFilter" => enable_property_filter,
    "litePullMessageEnable" => lite_pull_message_enable,
    "notifyConsumerIdsChangedEnable" => notify_consumer_ids_changed_enable,
    "channelExpiredTimeout" => channel_expired_timeout,
    "flushConsumerOffsetInterval" => flush_consumer_offset_interval,
    "useServerSideResetOffset" => use_server_side_reset_offset,
    "enableBroadcastOffsetStore" => enable_broadcast_offset_store,
    "rejectTransactionMessage" => reject_transaction_message,
    "transactionTimeOut" => transaction_time_out,
    "transactionCheckMax" => transaction_check_max,
    "transactionCheckInterval" => transaction_check_interval,
    "enableSplitMetadata" => enable_split_metadata,
    "splitMetadataSize" => split_metadata_size,
    "registerNameServerPeriod" => register_name_server_period,
    "registerBrokerTimeoutMills" => register_broker_timeout_mills,
    "forceRegister" => force_register,
    "compressedRegister" => compressed_register,
    "enableSplitRegistration" => enable_split_registration,
    "splitRegistrationSize" => split_registration_size,
    "brokerHeartbeatInterval" => broker_heartbeat_interval,
    "brokerNotActiveTimeoutMillis" => broker_not_active_timeout_millis,
    "sendHeartbeatTimeoutMillis" => send_heartbeat_timeout_millis,
    "compatibleWithOldNameSrv" => compatible_with_old_name_srv,
    "haSendHeartbeatInterval" => ha_send_heartbeat_interval,
    "haHousekeepingInterval" => ha_housekeeping_interval,
    "haTransferBatchSize" => ha_transfer_batch_size,
    "haMaxGapNotInSync" => ha_max_gap_not_in_sync,
    "slaveTimeout" => slave_timeout,
    "haFlowControlEnable" => ha_flow_control_enable,
    "maxHaTransferByteInSecond" => max_ha_transfer_byte_in_second,
    "totalReplicas" => total_replicas,
    "inSyncReplicas" => in_sync_replicas,
    "minInSyncReplicas" => min_in_sync_replicas,
    "allAckInSyncStateSet" => all_ack_in_sync_state_set,
    "enableAutoInSyncReplicas" => enable_auto_in_sync_replicas,
    "haMaxTimeSlaveNotCatchup" => ha_max_time_slave_not_catchup,
    "syncFromLastFile" => sync_from_last_file,
    "asyncLearner" => async_learner,
    "syncMasterFlushOffsetWhenStartup" => sync_master_flush_offset_when_startup,
    "enableSlaveActingMaster" => enable_slave_acting_master,
    "enableControllerMode" => enable_controller_mode,
    "controllerAddr" => controller_addr,
    "fetchControllerAddrByDnsLookup" => fetch_controller_addr_by_dns_lookup,
    "syncBrokerMetadataPeriod" => sync_broker_metadata_period,
    "checkSyncStateSetPeriod" => check_sync_state_set_period,
    "syncControllerMetadataPeriod" => sync_controller_metadata_period,
    "controllerHeartBeatTimeoutMills" => controller_heart_beat_timeout_mills,
    "brokerElectionPriority" => broker_election_priority,
    "metricsExporterType" => metrics_exporter_type,
    "metricsPromExporterHost" => metrics_prom_exporter_host,
    "metricsPromExporterPort" => metrics_prom_exporter_port,
});
