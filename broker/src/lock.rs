//! `RebalanceLockManager`: which client of a consumer group owns each queue
//! for ordered consumption (LOCK_BATCH_MQ / UNLOCK_BATCH_MQ, spec §4.6).
//!
//! An orderly consumer only processes a queue while it holds the queue's
//! lock here; it renews the lock every 20 s, so a lock not renewed for
//! `rebalanceLockMaxLiveTime` (60 s) means the owner is gone and another
//! client may take the queue. Pure: every call takes `now_ms`.
//!
//! The same table answers "does this group consume orderly?" for the retry
//! path (§4.2.1 step 8): a group with any unexpired lock sends its retries
//! straight to the DLQ, since redelivering out of order would break it.

use std::collections::HashMap;

use booster_model::heartbeat::MessageQueue;

/// RocketMQ's `rocketmq.broker.rebalance.lockMaxLiveTime` default.
pub const DEFAULT_LOCK_MAX_LIVE_MS: i64 = 60_000;

#[derive(Debug, Clone, PartialEq, Eq)]
struct LockEntry {
    client_id: String,
    last_update_ms: i64,
}

impl LockEntry {
    fn is_expired(&self, now_ms: i64, max_live_ms: i64) -> bool {
        now_ms - self.last_update_ms > max_live_ms
    }
}

#[derive(Debug)]
pub struct RebalanceLockManager {
    max_live_ms: i64,
    /// group → queue → owner.
    table: HashMap<String, HashMap<MessageQueue, LockEntry>>,
}

impl Default for RebalanceLockManager {
    fn default() -> Self {
        Self::new(DEFAULT_LOCK_MAX_LIVE_MS)
    }
}

impl RebalanceLockManager {
    pub fn new(max_live_ms: i64) -> Self {
        Self { max_live_ms, table: HashMap::new() }
    }

    /// Locks every queue of `mqs` that is free, expired or already held by
    /// `client_id` (renewing it); returns those, in request order. Queues
    /// held by a live other client are left out.
    pub fn try_lock_batch(
        &mut self,
        group: &str,
        mqs: &[MessageQueue],
        client_id: &str,
        now_ms: i64,
    ) -> Vec<MessageQueue> {
        let max_live = self.max_live_ms;
        let locks = self.table.entry(group.to_owned()).or_default();
        let mut locked = Vec::with_capacity(mqs.len());
        for mq in mqs {
            let granted = match locks.get_mut(mq) {
                Some(entry) if entry.client_id == client_id => {
                    entry.last_update_ms = now_ms;
                    true
                }
                Some(entry) if entry.is_expired(now_ms, max_live) => {
                    tracing::info!(group, queue = ?mq, old = %entry.client_id, new = client_id, "expired queue lock taken over");
                    *entry = LockEntry { client_id: client_id.to_owned(), last_update_ms: now_ms };
                    true
                }
                Some(entry) => {
                    tracing::debug!(group, queue = ?mq, owner = %entry.client_id, client_id, "queue locked by another client");
                    false
                }
                None => {
                    locks.insert(
                        mq.clone(),
                        LockEntry { client_id: client_id.to_owned(), last_update_ms: now_ms },
                    );
                    true
                }
            };
            if granted && !locked.contains(mq) {
                locked.push(mq.clone());
            }
        }
        locked
    }

    /// Releases the queues of `mqs` that `client_id` holds; others' locks
    /// stay. Returns how many were released.
    pub fn unlock_batch(&mut self, group: &str, mqs: &[MessageQueue], client_id: &str) -> usize {
        let Some(locks) = self.table.get_mut(group) else { return 0 };
        let mut released = 0;
        for mq in mqs {
            if locks.get(mq).is_some_and(|e| e.client_id == client_id) {
                locks.remove(mq);
                released += 1;
            }
        }
        if locks.is_empty() {
            self.table.remove(group);
        }
        released
    }

    /// The live owner of `mq`, if any.
    pub fn owner(&self, group: &str, mq: &MessageQueue, now_ms: i64) -> Option<&str> {
        let entry = self.table.get(group)?.get(mq)?;
        (!entry.is_expired(now_ms, self.max_live_ms)).then_some(entry.client_id.as_str())
    }

    /// Whether `group` holds no live lock (RocketMQ's `isLockAllExpired`).
    pub fn is_lock_all_expired(&self, group: &str, now_ms: i64) -> bool {
        self.table
            .get(group)
            .is_none_or(|locks| locks.values().all(|e| e.is_expired(now_ms, self.max_live_ms)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mq(q: i32) -> MessageQueue {
        MessageQueue { broker_name: "b".into(), queue_id: q, topic: "T".into() }
    }

    #[test]
    fn lock_renew_conflict_and_expiry() {
        let mut m = RebalanceLockManager::new(60_000);
        assert!(m.is_lock_all_expired("g", 0));
        assert_eq!(m.try_lock_batch("g", &[mq(0), mq(1)], "c1", 0), [mq(0), mq(1)]);
        assert!(!m.is_lock_all_expired("g", 1));
        // c2 gets only the free queue; c1 renews its own.
        assert_eq!(m.try_lock_batch("g", &[mq(1), mq(2)], "c2", 10_000), [mq(2)]);
        assert_eq!(m.try_lock_batch("g", &[mq(0)], "c1", 50_000), [mq(0)]);
        // At 60 001 ms queue 1 (last renewed at 0) has expired; queue 0 has not.
        assert_eq!(m.try_lock_batch("g", &[mq(0), mq(1)], "c2", 60_001), [mq(1)]);
        assert_eq!(m.owner("g", &mq(0), 60_001), Some("c1"));
        assert_eq!(m.owner("g", &mq(1), 60_001), Some("c2"));
        assert_eq!(m.owner("g", &mq(0), 110_001), None, "expired");
        assert!(m.is_lock_all_expired("g", 200_000));
        // Groups are independent.
        assert_eq!(m.try_lock_batch("other", &[mq(1)], "c9", 60_002), [mq(1)]);
    }

    #[test]
    fn unlock_only_own_queues_and_duplicates() {
        let mut m = RebalanceLockManager::default();
        assert_eq!(m.try_lock_batch("g", &[mq(0), mq(0), mq(1)], "c1", 0), [mq(0), mq(1)]);
        assert_eq!(m.unlock_batch("g", &[mq(0), mq(1)], "c2"), 0, "not c2's locks");
        assert_eq!(m.owner("g", &mq(0), 1), Some("c1"));
        assert_eq!(m.unlock_batch("g", &[mq(0)], "c1"), 1);
        assert_eq!(m.try_lock_batch("g", &[mq(0), mq(1)], "c2", 2), [mq(0)]);
        assert_eq!(m.unlock_batch("nope", &[mq(0)], "c1"), 0);
        assert_eq!(m.unlock_batch("g", &[mq(1)], "c1"), 1);
        assert_eq!(m.unlock_batch("g", &[mq(0)], "c2"), 1);
        assert!(m.table.is_empty(), "empty groups are dropped");
    }
}
