//! The store's typed errors. Every variant names what was wrong and where.

use std::io;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{op} {path}: {source}")]
    Io {
        op: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{path}: corrupt at offset {offset}: {reason}")]
    Corrupt { path: PathBuf, offset: i64, reason: String },
    #[error("{path}: size {actual} bytes, expected {expected}")]
    BadFileSize { path: PathBuf, actual: u64, expected: u64 },
    #[error("message illegal: {0}")]
    MessageIllegal(String),
    #[error("properties too long: {0} bytes (max 32767)")]
    PropertiesSizeExceeded(usize),
    #[error("offset {offset} is not where the CommitLog ends ({expected})")]
    OffsetMismatch { offset: i64, expected: i64 },
    #[error("offset {0} is not on a record boundary")]
    NotOnRecordBoundary(i64),
    #[error("store is shutting down")]
    ShuttingDown,
    #[error("store is not writable: {0}")]
    NotWritable(String),
    #[error("another process holds {0}")]
    Locked(PathBuf),
    #[error("{path}: {reason}")]
    BadMetadata { path: PathBuf, reason: String },
}

impl From<booster_model::record::EncodeError> for StoreError {
    fn from(e: booster_model::record::EncodeError) -> Self {
        use booster_model::record::EncodeError;
        match e {
            EncodeError::MessageIllegal(reason) => Self::MessageIllegal(reason),
            EncodeError::PropertiesSizeExceeded(len) => Self::PropertiesSizeExceeded(len),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Attaches the operation and path to an `io::Error`.
pub(crate) trait IoContext<T> {
    fn ctx(self, op: &'static str, path: impl Into<PathBuf>) -> Result<T>;
}

impl<T> IoContext<T> for io::Result<T> {
    fn ctx(self, op: &'static str, path: impl Into<PathBuf>) -> Result<T> {
        self.map_err(|source| StoreError::Io { op, path: path.into(), source })
    }
}
