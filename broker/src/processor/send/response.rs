//! Store put status → send response (spec/remoting.md §3.1). Pure.

use booster_remoting::ResponseCode;

use crate::put::PutStatus;

/// Response code and remark for a put status. `max_message_size` goes
/// into the MESSAGE_ILLEGAL text, as in RocketMQ.
pub fn status_response(status: PutStatus, max_message_size: u32) -> (ResponseCode, Option<String>) {
    match status {
        PutStatus::PutOk => (ResponseCode::Success, None),
        PutStatus::FlushDiskTimeout => (ResponseCode::FlushDiskTimeout, None),
        PutStatus::FlushSlaveTimeout => (ResponseCode::FlushSlaveTimeout, None),
        PutStatus::SlaveNotAvailable => (ResponseCode::SlaveNotAvailable, None),
        PutStatus::InSyncReplicasNotEnough => (ResponseCode::SystemError, Some("in-sync replicas not enough".into())),
        PutStatus::CreateMappedFileFailed => {
            (ResponseCode::SystemError, Some("create mapped file failed, server is busy or broken.".into()))
        }
        PutStatus::MessageIllegal | PutStatus::PropertiesSizeExceeded => (
            ResponseCode::MessageIllegal,
            Some(format!(
                "the message is illegal, maybe msg body or properties length not matched. msg body length limit {max_message_size}B, msg properties length limit 32KB."
            )),
        ),
        PutStatus::ServiceNotAvailable => (
            ResponseCode::ServiceNotAvailable,
            Some(
                "service not available now. It may be caused by one of the following reasons: the broker's disk is full, messages are put to the slave, message store has been shut down, etc."
                    .into(),
            ),
        ),
        PutStatus::OsPageCacheBusy => {
            (ResponseCode::SystemBusy, Some("[PC_SYNCHRONIZED]broker busy, start flow control for a while".into()))
        }
        PutStatus::UnknownError => (ResponseCode::SystemError, Some("UNKNOWN_ERROR".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_table() {
        assert_eq!(status_response(PutStatus::PutOk, 1).0, ResponseCode::Success);
        assert_eq!(status_response(PutStatus::FlushDiskTimeout, 1), (ResponseCode::FlushDiskTimeout, None));
        assert_eq!(status_response(PutStatus::SlaveNotAvailable, 1).0.code(), 11);
        assert_eq!(status_response(PutStatus::FlushSlaveTimeout, 1).0.code(), 12);
        let (code, remark) = status_response(PutStatus::PropertiesSizeExceeded, 4_194_304);
        assert_eq!(code.code(), 13);
        assert!(remark.unwrap().contains("limit 4194304B"));
        assert_eq!(status_response(PutStatus::ServiceNotAvailable, 1).0.code(), 14);
        assert_eq!(status_response(PutStatus::OsPageCacheBusy, 1).0.code(), 2);
        assert_eq!(
            status_response(PutStatus::InSyncReplicasNotEnough, 1),
            (ResponseCode::SystemError, Some("in-sync replicas not enough".into()))
        );
        for s in [
            PutStatus::PutOk,
            PutStatus::FlushDiskTimeout,
            PutStatus::FlushSlaveTimeout,
            PutStatus::SlaveNotAvailable,
        ] {
            assert!(s.is_stored());
        }
        assert!(!PutStatus::MessageIllegal.is_stored());
    }
}
