//! The HA engine's typed errors. Every variant says what went wrong and with
//! whom; none of them is ever a panic, whatever a peer sends.

use std::io;

use booster_store::StoreError;

use crate::frame::FrameError;
use crate::truncation::TransferReject;

#[derive(Debug, thiserror::Error)]
pub enum HaError {
    #[error("bind HA listener on {addr}: {source}")]
    Bind {
        addr: String,
        #[source]
        source: io::Error,
    },
    #[error("HA connection with {peer}: {source}")]
    Io {
        peer: String,
        #[source]
        source: io::Error,
    },
    #[error("HA connection with {peer} closed by the peer")]
    Closed { peer: String },
    #[error("HA connection with {peer}: nothing read for {idle_ms} ms")]
    Idle { peer: String, idle_ms: u64 },
    #[error("HA connection with {peer}: bad frame: {source}")]
    Frame {
        peer: String,
        #[source]
        source: FrameError,
    },
    #[error("HA connection with {peer}: {what}")]
    Protocol { peer: String, what: String },
    #[error("replicated frame rejected: {0}")]
    Transfer(#[from] TransferReject),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("epoch {epoch} is older than the epoch file's last epoch {last}")]
    StaleEpoch { epoch: i32, last: i32 },
    #[error(
        "no consistent point with master {master}: the histories diverged; \
         the slave's store must be deleted to follow this master (P-H11)"
    )]
    Diverged { master: String },
}

impl HaError {
    pub(crate) fn io(peer: impl std::fmt::Display, source: io::Error) -> Self {
        Self::Io { peer: peer.to_string(), source }
    }

    pub(crate) fn frame(peer: impl std::fmt::Display, source: FrameError) -> Self {
        Self::Frame { peer: peer.to_string(), source }
    }
}
