//! How the master asks for a new SyncStateSet (spec/ha.md §8.6). The
//! controller client implements [`SyncStateSetProposer`] with
//! CONTROLLER_ALTER_SYNC_STATE_SET; [`StaticProposer`] accepts everything,
//! for static roles and tests.

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One alterSyncStateSet request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    /// The master's epoch (fences proposals from deposed masters).
    pub master_epoch: i32,
    pub sync_state_set: BTreeSet<i64>,
    /// The last confirmed syncStateSetEpoch.
    pub sync_state_set_epoch: i32,
}

/// The controller's answer on success.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedSyncStateSet {
    pub sync_state_set: BTreeSet<i64>,
    pub epoch: i32,
}

/// Any refusal or failure; only logged, the tracker retries (§8.6).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("SyncStateSet proposal not accepted: {0}")]
pub struct ProposeError(pub String);

pub trait SyncStateSetProposer: Send + Sync + 'static {
    fn propose(&self, proposal: Proposal) -> BoxFuture<'_, Result<AcceptedSyncStateSet, ProposeError>>;
}

/// Accepts every proposal with the next epoch.
#[derive(Debug, Clone, Copy, Default)]
pub struct StaticProposer;

impl SyncStateSetProposer for StaticProposer {
    fn propose(&self, p: Proposal) -> BoxFuture<'_, Result<AcceptedSyncStateSet, ProposeError>> {
        Box::pin(async move {
            Ok(AcceptedSyncStateSet { sync_state_set: p.sync_state_set, epoch: p.sync_state_set_epoch + 1 })
        })
    }
}
