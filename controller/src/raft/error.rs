//! Typed errors of the Raft shell.

use std::path::PathBuf;

/// The on-disk Raft store could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Intact (checksummed) but undecodable content: not a torn write, so
    /// it is reported instead of silently dropped.
    #[error("{path}: corrupt raft store: {detail}")]
    Corrupt { path: PathBuf, detail: String },
}

impl StoreError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> StoreError {
        let path = path.into();
        move |source| StoreError::Io { path, source }
    }

    pub(crate) fn corrupt(path: impl Into<PathBuf>) -> impl FnOnce(serde_json::Error) -> StoreError {
        let path = path.into();
        move |e| StoreError::Corrupt { path, detail: e.to_string() }
    }
}

/// Why [`super::ControllerRaft`] could not start or stop cleanly.
#[derive(Debug, thiserror::Error)]
pub enum RaftError {
    #[error("controllerDLegerSelfId `{0}` is not in controllerDLegerPeers")]
    SelfNotInPeers(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("invalid raft timing: {0}")]
    Config(Box<openraft::ConfigError>),
    /// The Raft core stopped or failed (storage error, shutdown).
    #[error("raft core: {0}")]
    Core(String),
}
