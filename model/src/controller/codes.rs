//! Request and response codes of the controller protocol.
//!
//! The numbers are part of the wire contract with Java brokers, controllers
//! and admin tools (spec controller.md §2, §3); they must never change.

/// Request codes of the controller protocol (spec §2).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestCode {
    BrokerHeartbeat = 904,
    ControllerAlterSyncStateSet = 1001,
    ControllerElectMaster = 1002,
    ControllerRegisterBroker = 1003,
    ControllerGetReplicaInfo = 1004,
    ControllerGetMetadataInfo = 1005,
    ControllerGetSyncStateData = 1006,
    GetBrokerEpochCache = 1007,
    NotifyBrokerRoleChanged = 1008,
    UpdateControllerConfig = 1009,
    GetControllerConfig = 1010,
    CleanBrokerData = 1011,
    ControllerGetNextBrokerId = 1012,
    ControllerApplyBrokerId = 1013,
}

impl RequestCode {
    /// The numeric code as it travels in a remoting frame.
    pub fn code(self) -> i32 {
        self as i32
    }
}

/// Response codes the controller produces (spec §3).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResponseCode {
    Success = 0,
    SystemError = 1,
    RequestCodeNotSupported = 3,
    NoPermission = 16,
    ControllerFencedMasterEpoch = 2000,
    ControllerFencedSyncStateSetEpoch = 2001,
    ControllerInvalidMaster = 2002,
    ControllerInvalidReplicas = 2003,
    ControllerMasterNotAvailable = 2004,
    ControllerInvalidRequest = 2005,
    ControllerBrokerNotAlive = 2006,
    ControllerNotLeader = 2007,
    ControllerBrokerMetadataNotExist = 2008,
    ControllerInvalidCleanBrokerMetadata = 2009,
    ControllerBrokerNeedToBeRegistered = 2010,
    ControllerMasterStillExist = 2011,
    ControllerElectMasterFailed = 2012,
    ControllerAlterSyncStateSetFailed = 2013,
    ControllerBrokerIdInvalid = 2014,
    ControllerJraftInternalError = 2015,
    ControllerBrokerLiveInfoNotExists = 2016,
}

impl ResponseCode {
    /// The numeric code as it travels in a remoting frame.
    pub fn code(self) -> i32 {
        self as i32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_match_rocketmq() {
        assert_eq!(RequestCode::BrokerHeartbeat.code(), 904);
        assert_eq!(RequestCode::ControllerApplyBrokerId.code(), 1013);
        assert_eq!(ResponseCode::ControllerFencedMasterEpoch.code(), 2000);
        assert_eq!(ResponseCode::ControllerMasterStillExist.code(), 2011);
        assert_eq!(ResponseCode::ControllerBrokerLiveInfoNotExists.code(), 2016);
    }
}
