//! Put enforcement (spec/ha.md §10): the rule that decides, before the
//! append, whether a put may proceed and what it must wait for, and the
//! waiter that awaits replication afterwards.
//!
//! Waiting is a `tokio::sync::watch` of [`QuorumOffsets`] that the master
//! publishes after every ack: a put holds no lock and no thread while it
//! waits, and thousands of concurrent puts cost one receiver each.

use std::time::Duration;

use booster_store::{AppendResult, MessageStore, MessageToStore, StoreError};
use tokio::sync::watch;

use crate::sync_state::{AckNeed, QuorumOffsets};

/// The replication keys that govern puts (spec/config.md §3.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplicationPolicy {
    /// `inSyncReplicas` (the master counts as one).
    pub in_sync_replicas: u32,
    /// `minInSyncReplicas`: refuse the put below this, before appending.
    pub min_in_sync_replicas: u32,
    /// `allAckInSyncStateSet`.
    pub all_ack: bool,
    /// `slaveTimeout`.
    pub slave_timeout: Duration,
}

impl Default for ReplicationPolicy {
    fn default() -> Self {
        Self {
            in_sync_replicas: 1,
            min_in_sync_replicas: 1,
            all_ack: false,
            slave_timeout: Duration::from_secs(3),
        }
    }
}

/// IN_SYNC_REPLICAS_NOT_ENOUGH: refused before the append, nothing stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("in-sync replicas not enough: {in_sync} in sync, minInSyncReplicas is {min}")]
pub struct InSyncReplicasNotEnough {
    pub in_sync: usize,
    pub min: u32,
}

/// What a put must wait for after its append (§10.2 step 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplicaWait {
    /// PUT_OK as far as replication goes.
    Nothing,
    Acks(AckNeed),
}

/// §10.1 steps 2–4. `need_handle_ha` = the message waits for the store
/// (`WAIT`, default true) and this broker is the master.
pub fn before_append(
    policy: &ReplicationPolicy,
    need_handle_ha: bool,
    in_sync_replicas: usize,
) -> Result<ReplicaWait, InSyncReplicasNotEnough> {
    if !need_handle_ha {
        return Ok(ReplicaWait::Nothing);
    }
    if in_sync_replicas < policy.min_in_sync_replicas as usize {
        return Err(InSyncReplicasNotEnough { in_sync: in_sync_replicas, min: policy.min_in_sync_replicas });
    }
    Ok(match (policy.all_ack, policy.in_sync_replicas) {
        (true, _) => ReplicaWait::Acks(AckNeed::AllInSyncStateSet),
        (false, 0 | 1) => ReplicaWait::Nothing,
        (false, n) => ReplicaWait::Acks(AckNeed::Replicas(n)),
    })
}

/// How the replica wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplicaStatus {
    PutOk,
    /// Stored on the master, replication unconfirmed (§10.4).
    FlushSlaveTimeout,
}

/// A cheap, cloneable handle on the published quorum offsets.
#[derive(Debug, Clone)]
pub struct PutWaiter {
    quorum: watch::Receiver<QuorumOffsets>,
}

impl PutWaiter {
    pub fn new(quorum: watch::Receiver<QuorumOffsets>) -> Self {
        Self { quorum }
    }

    pub fn quorum(&self) -> QuorumOffsets {
        self.quorum.borrow().clone()
    }

    /// [`before_append`] against the current `inSyncReplicasNums`.
    pub fn check(
        &self,
        policy: &ReplicationPolicy,
        need_handle_ha: bool,
    ) -> Result<ReplicaWait, InSyncReplicasNotEnough> {
        before_append(policy, need_handle_ha, self.quorum.borrow().in_sync_replicas)
    }

    /// Waits until the replicas `wait` asks for hold `end_offset`, or until
    /// `timeout` (→ FLUSH_SLAVE_TIMEOUT). A tracker that went away (role
    /// change, shutdown) also ends the wait with FLUSH_SLAVE_TIMEOUT.
    pub async fn wait(&self, wait: ReplicaWait, end_offset: i64, timeout: Duration) -> ReplicaStatus {
        let ReplicaWait::Acks(need) = wait else { return ReplicaStatus::PutOk };
        let mut rx = self.quorum.clone();
        match tokio::time::timeout(timeout, rx.wait_for(|q| q.reached(need, end_offset))).await {
            Ok(Ok(_)) => ReplicaStatus::PutOk,
            _ => ReplicaStatus::FlushSlaveTimeout,
        }
    }
}

/// Final status of a replicated put (§10.2 step 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HaPutStatus {
    PutOk,
    FlushDiskTimeout,
    FlushSlaveTimeout,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HaPutResult {
    pub status: HaPutStatus,
    pub append: AppendResult,
}

/// Why a put stored nothing.
#[derive(Debug, thiserror::Error)]
pub enum PutError {
    /// SERVICE_NOT_AVAILABLE: this broker is not the master.
    #[error("broker is not the master")]
    NotMaster,
    #[error(transparent)]
    InSyncReplicasNotEnough(#[from] InSyncReplicasNotEnough),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A whole master put: the `minInSyncReplicas` check, the append, then the
/// flush wait (SYNC_FLUSH) and the replica wait side by side; a replica
/// failure wins over a flush failure (§10.2).
pub async fn put(
    store: &MessageStore,
    waiter: &PutWaiter,
    policy: &ReplicationPolicy,
    msgs: &[MessageToStore],
    wait_store_msg_ok: bool,
) -> Result<HaPutResult, PutError> {
    let wait = waiter.check(policy, wait_store_msg_ok)?;
    let append = store.append(msgs)?;
    let end = append.end_offset();
    let (flushed, replicated) = tokio::join!(
        store.wait_put_flushed(end, wait_store_msg_ok),
        waiter.wait(wait, end, policy.slave_timeout)
    );
    let status = match (flushed, replicated) {
        (_, ReplicaStatus::FlushSlaveTimeout) => HaPutStatus::FlushSlaveTimeout,
        (false, ReplicaStatus::PutOk) => HaPutStatus::FlushDiskTimeout,
        (true, ReplicaStatus::PutOk) => HaPutStatus::PutOk,
    };
    Ok(HaPutResult { status, append })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(isr: u32, min: u32, all_ack: bool) -> ReplicationPolicy {
        ReplicationPolicy {
            in_sync_replicas: isr,
            min_in_sync_replicas: min,
            all_ack,
            slave_timeout: Duration::from_millis(3000),
        }
    }

    #[test]
    fn rules_before_the_append() {
        use ReplicaWait::*;
        assert_eq!(before_append(&policy(1, 1, false), true, 1), Ok(Nothing));
        assert_eq!(before_append(&policy(0, 1, false), true, 1), Ok(Nothing));
        assert_eq!(before_append(&policy(2, 1, false), true, 1), Ok(Acks(AckNeed::Replicas(2))));
        assert_eq!(before_append(&policy(2, 1, true), true, 1), Ok(Acks(AckNeed::AllInSyncStateSet)));
        assert_eq!(
            before_append(&policy(1, 3, true), true, 2),
            Err(InSyncReplicasNotEnough { in_sync: 2, min: 3 })
        );
        assert_eq!(before_append(&policy(1, 3, true), true, 3), Ok(Acks(AckNeed::AllInSyncStateSet)));
        // Without WAIT (or not master) nothing is checked or awaited.
        assert_eq!(before_append(&policy(3, 3, true), false, 0), Ok(Nothing));
    }

    fn quorum(acks: Vec<i64>, all_ack: i64, in_sync: usize) -> QuorumOffsets {
        QuorumOffsets { acks, all_ack, in_sync_replicas: in_sync }
    }

    #[tokio::test(start_paused = true)]
    async fn waits_for_the_quorum_to_cover_the_record() {
        let (tx, rx) = watch::channel(quorum(vec![], 0, 2));
        let waiter = PutWaiter::new(rx);
        let need = ReplicaWait::Acks(AckNeed::AllInSyncStateSet);
        let wait = tokio::spawn({
            let waiter = waiter.clone();
            async move { waiter.wait(need, 500, Duration::from_secs(3)).await }
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        tx.send_replace(quorum(vec![499], 499, 2));
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert!(!wait.is_finished(), "499 does not cover a record ending at 500");
        tx.send_replace(quorum(vec![500], 500, 2));
        assert_eq!(wait.await.unwrap(), ReplicaStatus::PutOk);
        assert_eq!(waiter.wait(ReplicaWait::Nothing, i64::MAX, Duration::ZERO).await, ReplicaStatus::PutOk);
    }

    #[tokio::test(start_paused = true)]
    async fn times_out_with_flush_slave_timeout() {
        let (tx, rx) = watch::channel(quorum(vec![100], 100, 2));
        let waiter = PutWaiter::new(rx);
        let start = tokio::time::Instant::now();
        let need = ReplicaWait::Acks(AckNeed::Replicas(2));
        assert_eq!(
            waiter.wait(need, 101, Duration::from_millis(3000)).await,
            ReplicaStatus::FlushSlaveTimeout
        );
        assert_eq!(start.elapsed(), Duration::from_millis(3000));
        assert_eq!(waiter.wait(need, 100, Duration::from_millis(1)).await, ReplicaStatus::PutOk);
        drop(tx);
        assert_eq!(waiter.wait(need, 101, Duration::from_secs(60)).await, ReplicaStatus::FlushSlaveTimeout);
        assert_eq!(start.elapsed(), Duration::from_millis(3000), "a closed channel ends the wait at once");
    }

    #[test]
    fn check_reads_the_published_in_sync_count() {
        let (tx, rx) = watch::channel(quorum(vec![], -1, 3));
        let waiter = PutWaiter::new(rx);
        assert!(waiter.check(&policy(1, 3, true), true).is_ok());
        tx.send_replace(quorum(vec![], -1, 2));
        assert!(waiter.check(&policy(1, 3, true), true).is_err());
    }
}
