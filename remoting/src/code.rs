//! Request and response codes with RocketMQ's numbers (spec/remoting.md §3,
//! §4.1). The numbers never change: other implementations map them.

/// Request codes a broker or name server serves (or sends).
pub mod request {
    use booster_model::controller::RequestCode as Controller;

    pub const SEND_MESSAGE: i32 = 10;
    pub const PULL_MESSAGE: i32 = 11;
    pub const QUERY_MESSAGE: i32 = 12;
    pub const QUERY_CONSUMER_OFFSET: i32 = 14;
    pub const UPDATE_CONSUMER_OFFSET: i32 = 15;
    pub const UPDATE_AND_CREATE_TOPIC: i32 = 17;
    pub const GET_ALL_TOPIC_CONFIG: i32 = 21;
    pub const UPDATE_BROKER_CONFIG: i32 = 25;
    pub const GET_BROKER_CONFIG: i32 = 26;
    pub const GET_BROKER_RUNTIME_INFO: i32 = 28;
    pub const SEARCH_OFFSET_BY_TIMESTAMP: i32 = 29;
    pub const GET_MAX_OFFSET: i32 = 30;
    pub const GET_MIN_OFFSET: i32 = 31;
    pub const GET_EARLIEST_MSG_STORETIME: i32 = 32;
    pub const VIEW_MESSAGE_BY_ID: i32 = 33;
    pub const HEART_BEAT: i32 = 34;
    pub const UNREGISTER_CLIENT: i32 = 35;
    pub const CONSUMER_SEND_MSG_BACK: i32 = 36;
    pub const END_TRANSACTION: i32 = 37;
    pub const GET_CONSUMER_LIST_BY_GROUP: i32 = 38;
    pub const CHECK_TRANSACTION_STATE: i32 = 39;
    pub const NOTIFY_CONSUMER_IDS_CHANGED: i32 = 40;
    pub const LOCK_BATCH_MQ: i32 = 41;
    pub const UNLOCK_BATCH_MQ: i32 = 42;
    pub const GET_ALL_CONSUMER_OFFSET: i32 = 43;
    pub const GET_ALL_DELAY_OFFSET: i32 = 45;
    pub const PUT_KV_CONFIG: i32 = 100;
    pub const GET_KV_CONFIG: i32 = 101;
    pub const DELETE_KV_CONFIG: i32 = 102;
    pub const REGISTER_BROKER: i32 = 103;
    pub const UNREGISTER_BROKER: i32 = 104;
    pub const GET_ROUTEINFO_BY_TOPIC: i32 = 105;
    pub const GET_BROKER_CLUSTER_INFO: i32 = 106;
    pub const UPDATE_AND_CREATE_SUBSCRIPTIONGROUP: i32 = 200;
    pub const GET_ALL_SUBSCRIPTIONGROUP_CONFIG: i32 = 201;
    pub const GET_TOPIC_STATS_INFO: i32 = 202;
    pub const GET_CONSUMER_CONNECTION_LIST: i32 = 203;
    pub const GET_PRODUCER_CONNECTION_LIST: i32 = 204;
    pub const GET_ALL_TOPIC_LIST_FROM_NAMESERVER: i32 = 206;
    pub const DELETE_SUBSCRIPTIONGROUP: i32 = 207;
    pub const GET_CONSUME_STATS: i32 = 208;
    pub const DELETE_TOPIC_IN_BROKER: i32 = 215;
    pub const DELETE_TOPIC_IN_NAMESRV: i32 = 216;
    pub const GET_KVLIST_BY_NAMESPACE: i32 = 219;
    pub const RESET_CONSUMER_CLIENT_OFFSET: i32 = 220;
    pub const GET_TOPICS_BY_CLUSTER: i32 = 224;
    pub const GET_CONSUMER_RUNNING_INFO: i32 = 307;
    pub const CONSUME_MESSAGE_DIRECTLY: i32 = 309;
    pub const SEND_MESSAGE_V2: i32 = 310;
    pub const SEND_BATCH_MESSAGE: i32 = 320;
    pub const QUERY_DATA_VERSION: i32 = 322;
    pub const QUERY_CONSUME_QUEUE: i32 = 321;
    pub const LITE_PULL_MESSAGE: i32 = 361;
    pub const BROKER_HEARTBEAT: i32 = 904;
    // Name server administration (namesrv/processor/DefaultRequestProcessor.java).
    pub const WIPE_WRITE_PERM_OF_BROKER: i32 = 205;
    pub const REGISTER_TOPIC_IN_NAMESRV: i32 = 217;
    pub const GET_SYSTEM_TOPIC_LIST_FROM_NS: i32 = 304;
    pub const GET_UNIT_TOPIC_LIST: i32 = 311;
    pub const GET_HAS_UNIT_SUB_TOPIC_LIST: i32 = 312;
    pub const GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST: i32 = 313;
    pub const UPDATE_NAMESRV_CONFIG: i32 = 318;
    pub const GET_NAMESRV_CONFIG: i32 = 319;
    pub const ADD_WRITE_PERM_OF_BROKER: i32 = 327;
    pub const GET_BROKER_MEMBER_GROUP: i32 = 901;
    pub const NOTIFY_MIN_BROKER_ID_CHANGE: i32 = 905;
    /// Served by brokers (`mqadmin haStatus`); body HARuntimeInfo.
    pub const GET_BROKER_HA_STATUS: i32 = 907;
    // Controller protocol (spec/controller.md §2), numbered in one place.
    pub const CONTROLLER_ALTER_SYNC_STATE_SET: i32 = Controller::ControllerAlterSyncStateSet as i32;
    pub const CONTROLLER_ELECT_MASTER: i32 = Controller::ControllerElectMaster as i32;
    pub const CONTROLLER_REGISTER_BROKER: i32 = Controller::ControllerRegisterBroker as i32;
    pub const CONTROLLER_GET_REPLICA_INFO: i32 = Controller::ControllerGetReplicaInfo as i32;
    pub const CONTROLLER_GET_METADATA_INFO: i32 = Controller::ControllerGetMetadataInfo as i32;
    pub const CONTROLLER_GET_SYNC_STATE_DATA: i32 = Controller::ControllerGetSyncStateData as i32;
    pub const GET_BROKER_EPOCH_CACHE: i32 = Controller::GetBrokerEpochCache as i32;
    pub const NOTIFY_BROKER_ROLE_CHANGED: i32 = Controller::NotifyBrokerRoleChanged as i32;
    pub const UPDATE_CONTROLLER_CONFIG: i32 = Controller::UpdateControllerConfig as i32;
    pub const GET_CONTROLLER_CONFIG: i32 = Controller::GetControllerConfig as i32;
    pub const CLEAN_BROKER_DATA: i32 = Controller::CleanBrokerData as i32;
    pub const CONTROLLER_GET_NEXT_BROKER_ID: i32 = Controller::ControllerGetNextBrokerId as i32;
    pub const CONTROLLER_APPLY_BROKER_ID: i32 = Controller::ControllerApplyBrokerId as i32;
}

/// Response codes (spec §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum ResponseCode {
    Success = 0,
    SystemError = 1,
    SystemBusy = 2,
    RequestCodeNotSupported = 3,
    TransactionFailed = 4,
    FlushDiskTimeout = 10,
    SlaveNotAvailable = 11,
    FlushSlaveTimeout = 12,
    MessageIllegal = 13,
    ServiceNotAvailable = 14,
    VersionNotSupported = 15,
    NoPermission = 16,
    TopicNotExist = 17,
    TopicExistAlready = 18,
    PullNotFound = 19,
    PullRetryImmediately = 20,
    PullOffsetMoved = 21,
    QueryNotFound = 22,
    SubscriptionParseFailed = 23,
    SubscriptionNotExist = 24,
    SubscriptionNotLatest = 25,
    SubscriptionGroupNotExist = 26,
    FilterDataNotExist = 27,
    FilterDataNotLatest = 28,
    InvalidParameter = 29,
    TransactionShouldCommit = 200,
    TransactionShouldRollback = 201,
    TransactionStateUnknow = 202,
    TransactionStateGroupWrong = 203,
    NoBuyerId = 204,
    NotInCurrentUnit = 205,
    ConsumerNotOnline = 206,
    ConsumeMsgTimeout = 207,
    NoMessage = 208,
    PollingFull = 209,
    PollingTimeout = 210,
    BrokerNotExist = 211,
    BrokerDispatchNotComplete = 212,
    BroadcastConsumption = 213,
    FlowControl = 215,
    NotLeaderForQueue = 501,
    IllegalOperation = 604,
    GoAway = 1500,
}

impl ResponseCode {
    pub fn code(self) -> i32 {
        self as i32
    }
}

impl From<ResponseCode> for i32 {
    fn from(c: ResponseCode) -> i32 {
        c as i32
    }
}
