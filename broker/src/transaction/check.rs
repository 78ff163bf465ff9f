//! Pure rules of the transaction check (RocketMQ's
//! `TransactionalMessageServiceImpl.check`): which half messages are
//! resolved, which to ask the producer about, which to give up on, and how
//! far the scan's two offsets may advance.

use std::collections::{BTreeMap, HashSet};

/// The half-queue offsets an op message marks done. Op bodies are the
/// offset as decimal text (`"12"`); RocketMQ 5's batched ops join several
/// with commas (`"12,13,"`). Unparsable pieces are ignored.
pub fn op_offsets(body: &[u8]) -> Vec<i64> {
    body.split(|b| *b == b',')
        .filter_map(|piece| std::str::from_utf8(piece).ok()?.trim().parse::<i64>().ok())
        .filter(|offset| *offset >= 0)
        .collect()
}

/// How long after its birth a half message is left alone: the
/// `CHECK_IMMUNITY_TIME_IN_SECONDS` property (in seconds) but never less
/// than `transactionTimeOut`; unparsable values count as absent.
pub fn immunity_ms(immunity_seconds: Option<&str>, timeout_ms: i64) -> i64 {
    immunity_seconds
        .and_then(|s| s.trim().parse::<i64>().ok())
        .map_or(timeout_ms, |s| s.saturating_mul(1000).max(timeout_ms))
}

/// `TRANSACTION_CHECK_TIMES` so far (0 when absent or unparsable).
pub fn check_times(property: Option<&str>) -> i32 {
    property.and_then(|s| s.trim().parse().ok()).unwrap_or(0).max(0)
}

/// What to do with one half message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HalfDecision {
    /// Committed or rolled back: nothing to do.
    Resolved,
    /// Checked `transactionCheckMax` times already: give up on it.
    Discard,
    /// Too young to check; later messages are younger still, so the scan
    /// stops here until the next round.
    NotYet,
    /// Ask the producer, for the `times`-th time.
    Check { times: i32 },
}

/// The facts about one half message the decision needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HalfFacts {
    /// An op message marks it done.
    pub resolved: bool,
    pub born_ms: i64,
    /// See [`immunity_ms`].
    pub immunity_ms: i64,
    /// See [`check_times`].
    pub checked_times: i32,
    /// When the broker stored it.
    pub stored_ms: i64,
}

/// The rule, in RocketMQ's order: resolved → skip; checked often enough,
/// or older than the CommitLog's retention (`reserved_ms`, it is about to
/// vanish anyway) → discard; younger than its immunity → stop; otherwise
/// check. A born time in the future (producer clock ahead) is checked
/// rather than waited for, as Java does, so a bad clock cannot park a
/// transaction forever.
pub fn decide(f: &HalfFacts, now_ms: i64, check_max: i32, reserved_ms: i64) -> HalfDecision {
    if f.resolved {
        return HalfDecision::Resolved;
    }
    if f.checked_times >= check_max || now_ms.saturating_sub(f.stored_ms) > reserved_ms {
        return HalfDecision::Discard;
    }
    let age = now_ms.saturating_sub(f.born_ms);
    if (0..f.immunity_ms).contains(&age) {
        return HalfDecision::NotYet;
    }
    HalfDecision::Check { times: f.checked_times + 1 }
}

/// Whether an END_TRANSACTION that is not the answer to a check comes too
/// late (RocketMQ's `rejectCommitOrRollback`): only half messages with a
/// `CHECK_IMMUNITY_TIME_IN_SECONDS` property have such a deadline, their
/// immunity time after birth.
pub fn rejects_late_end(
    from_check: bool,
    immunity_seconds: Option<&str>,
    born_ms: i64,
    now_ms: i64,
    timeout_ms: i64,
) -> bool {
    match immunity_seconds.filter(|s| !s.is_empty()) {
        Some(s) if !from_check => now_ms.saturating_sub(born_ms) > immunity_ms(Some(s), timeout_ms),
        _ => false,
    }
}

/// Op messages read this round: half offset → op offsets marking it done,
/// and each op's referenced half offsets.
#[derive(Debug, Default)]
pub struct OpIndex {
    removed: HashSet<i64>,
    /// op queue offset → the half offsets it marks.
    ops: BTreeMap<i64, Vec<i64>>,
}

impl OpIndex {
    pub fn add(&mut self, op_queue_offset: i64, half_offsets: Vec<i64>) {
        self.removed.extend(half_offsets.iter().copied());
        self.ops.insert(op_queue_offset, half_offsets);
    }

    pub fn is_resolved(&self, half_offset: i64) -> bool {
        self.removed.contains(&half_offset)
    }

    /// The op offset the next round may start from: past every op, from
    /// `op_offset` on without gaps, that only marks half offsets below
    /// `half_offset` (those halves will never be looked at again). Ops
    /// missing from the index (holes in the queue) are stepped over.
    pub fn next_op_offset(&self, op_offset: i64, op_end: i64, half_offset: i64) -> i64 {
        let mut next = op_offset;
        while next < op_end {
            match self.ops.get(&next) {
                Some(marks) if marks.iter().any(|h| *h >= half_offset) => break,
                _ => next += 1,
            }
        }
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn op_bodies() {
        assert_eq!(op_offsets(b"12"), [12]);
        assert_eq!(op_offsets(b"12,13,"), [12, 13]);
        assert_eq!(op_offsets(b"x,-1, 4 ,\xff"), [4]);
        assert!(op_offsets(b"").is_empty());
    }

    #[test]
    fn immunity_and_times() {
        assert_eq!(immunity_ms(None, 6_000), 6_000);
        assert_eq!(immunity_ms(Some("60"), 6_000), 60_000);
        assert_eq!(immunity_ms(Some("1"), 6_000), 6_000, "never below the timeout");
        assert_eq!(immunity_ms(Some("abc"), 6_000), 6_000);
        assert_eq!(immunity_ms(Some("9223372036854775807"), 6_000), i64::MAX);
        assert_eq!((check_times(None), check_times(Some("3")), check_times(Some("-2"))), (0, 3, 0));
    }

    #[test]
    fn decisions() {
        let f = HalfFacts {
            resolved: false,
            born_ms: 10_000,
            immunity_ms: 6_000,
            checked_times: 0,
            stored_ms: 10_001,
        };
        let day = 86_400_000;
        assert_eq!(decide(&HalfFacts { resolved: true, ..f }, 0, 15, day), HalfDecision::Resolved);
        assert_eq!(decide(&f, 15_999, 15, day), HalfDecision::NotYet);
        assert_eq!(decide(&f, 16_000, 15, day), HalfDecision::Check { times: 1 });
        let f14 = HalfFacts { checked_times: 14, ..f };
        assert_eq!(decide(&f14, 20_000, 15, day), HalfDecision::Check { times: 15 });
        assert_eq!(decide(&HalfFacts { checked_times: 15, ..f }, 20_000, 15, day), HalfDecision::Discard);
        assert_eq!(decide(&f, 5_000, 15, day), HalfDecision::Check { times: 1 }, "born in the future");
        assert_eq!(decide(&f, 10_001 + day + 1, 15, day), HalfDecision::Discard, "beyond retention");
    }

    #[test]
    fn late_ends() {
        assert!(!rejects_late_end(false, None, 0, 1_000_000, 6_000));
        assert!(!rejects_late_end(false, Some("10"), 0, 10_000, 6_000));
        assert!(rejects_late_end(false, Some("10"), 0, 10_001, 6_000));
        assert!(!rejects_late_end(true, Some("10"), 0, 10_001, 6_000), "answers to checks are never late");
        assert!(rejects_late_end(false, Some("x"), 0, 6_001, 6_000), "unparsable: the timeout");
    }

    #[test]
    fn op_offset_advances_over_finished_ops_only() {
        let mut idx = OpIndex::default();
        idx.add(0, vec![0]);
        idx.add(1, vec![2]);
        idx.add(3, vec![1, 5]);
        assert!(idx.is_resolved(5) && !idx.is_resolved(3));
        // Halves below 3 are done: ops 0, 1 and the hole at 2 pass; op 3 marks 5.
        assert_eq!(idx.next_op_offset(0, 4, 3), 3);
        assert_eq!(idx.next_op_offset(0, 4, 6), 4);
        assert_eq!(idx.next_op_offset(0, 4, 0), 0);
        assert_eq!(idx.next_op_offset(4, 4, 9), 4);
    }
}
