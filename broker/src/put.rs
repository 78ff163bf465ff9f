//! The put path's seam: processors hand messages to a [`MessagePut`], never
//! to the store directly, so that a replication layer can wrap the local
//! append (wait for slave acks, report FLUSH_SLAVE_TIMEOUT or
//! IN_SYNC_REPLICAS_NOT_ENOUGH) without touching the processors.
//! [`StorePut`] is the standalone implementation: the store's own put.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use booster_store::{AppendResult, MessageStore, MessageToStore, PutMessageStatus, StoreError};

/// RocketMQ's PutMessageStatus values the send path maps (remoting.md §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutStatus {
    PutOk,
    FlushDiskTimeout,
    FlushSlaveTimeout,
    SlaveNotAvailable,
    InSyncReplicasNotEnough,
    CreateMappedFileFailed,
    MessageIllegal,
    PropertiesSizeExceeded,
    ServiceNotAvailable,
    OsPageCacheBusy,
    UnknownError,
}

impl PutStatus {
    /// Whether the message is stored (the response header is filled).
    pub fn is_stored(self) -> bool {
        matches!(
            self,
            Self::PutOk | Self::FlushDiskTimeout | Self::FlushSlaveTimeout | Self::SlaveNotAvailable
        )
    }

    /// Java's enum name (`PutMessageStatus.name()`), used as a remark by
    /// the paths that report a failed put that way (send-back).
    pub fn java_name(self) -> &'static str {
        match self {
            Self::PutOk => "PUT_OK",
            Self::FlushDiskTimeout => "FLUSH_DISK_TIMEOUT",
            Self::FlushSlaveTimeout => "FLUSH_SLAVE_TIMEOUT",
            Self::SlaveNotAvailable => "SLAVE_NOT_AVAILABLE",
            Self::InSyncReplicasNotEnough => "IN_SYNC_REPLICAS_NOT_ENOUGH",
            Self::CreateMappedFileFailed => "CREATE_MAPPED_FILE_FAILED",
            Self::MessageIllegal => "MESSAGE_ILLEGAL",
            Self::PropertiesSizeExceeded => "PROPERTIES_SIZE_EXCEEDED",
            Self::ServiceNotAvailable => "SERVICE_NOT_AVAILABLE",
            Self::OsPageCacheBusy => "OS_PAGE_CACHE_BUSY",
            Self::UnknownError => "UNKNOWN_ERROR",
        }
    }
}

/// The result of one put: a status and, when stored, where.
#[derive(Debug, Clone)]
pub struct PutOutcome {
    pub status: PutStatus,
    pub append: Option<AppendResult>,
    /// Why it failed, for logs.
    pub detail: Option<String>,
}

impl PutOutcome {
    pub fn failed(status: PutStatus, detail: impl Into<String>) -> Self {
        Self { status, append: None, detail: Some(detail.into()) }
    }
}

pub type PutFuture<'a> = Pin<Box<dyn Future<Output = PutOutcome> + Send + 'a>>;

/// Stores one message or one batch (all of one topic-queue).
/// `wait_store_msg_ok` is the message's `WAIT` property: whether the
/// producer waits for flush/replication.
pub trait MessagePut: Send + Sync + 'static {
    fn put<'a>(&'a self, msgs: &'a [MessageToStore], wait_store_msg_ok: bool) -> PutFuture<'a>;
}

/// The local store, nothing more.
#[derive(Debug, Clone)]
pub struct StorePut {
    store: Arc<MessageStore>,
}

impl StorePut {
    pub fn new(store: Arc<MessageStore>) -> Self {
        Self { store }
    }
}

impl MessagePut for StorePut {
    fn put<'a>(&'a self, msgs: &'a [MessageToStore], wait_store_msg_ok: bool) -> PutFuture<'a> {
        Box::pin(async move {
            match self.store.put(msgs, wait_store_msg_ok).await {
                Ok(result) => {
                    let status = match result.status {
                        PutMessageStatus::PutOk => PutStatus::PutOk,
                        PutMessageStatus::FlushDiskTimeout => PutStatus::FlushDiskTimeout,
                    };
                    PutOutcome { status, append: Some(result.append), detail: None }
                }
                Err(e) => PutOutcome::failed(status_of_error(&e), e.to_string()),
            }
        })
    }
}

/// The PutMessageStatus RocketMQ would report for a store error.
pub fn status_of_error(e: &StoreError) -> PutStatus {
    match e {
        StoreError::MessageIllegal(_) => PutStatus::MessageIllegal,
        StoreError::PropertiesSizeExceeded(_) => PutStatus::PropertiesSizeExceeded,
        StoreError::ShuttingDown | StoreError::NotWritable(_) => PutStatus::ServiceNotAvailable,
        StoreError::Io { .. } | StoreError::BadFileSize { .. } => PutStatus::CreateMappedFileFailed,
        _ => PutStatus::UnknownError,
    }
}
