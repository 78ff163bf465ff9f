//! RocketMQ `DefaultElectPolicy` (spec §7.2), as a pure function.
//!
//! Liveness and live info are passed in as a lookup, so the policy can be
//! tested exhaustively without a heartbeat table or a clock.

use std::cmp::Ordering;
use std::collections::BTreeSet;

/// What the policy needs to rank a candidate: the latest heartbeat data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CandidateInfo {
    pub epoch: i32,
    pub max_offset: i64,
    pub election_priority: i32,
}

/// Inputs of one election.
#[derive(Debug, Clone)]
pub struct ElectInput<'a> {
    /// The current SyncStateSet: the only safe candidates.
    pub sync_state_set: &'a BTreeSet<i64>,
    /// All registered ids, only when `enableElectUncleanMaster` is on.
    pub all_replicas: Option<&'a BTreeSet<i64>>,
    pub old_master: Option<i64>,
    /// Admin-designated id (`designateElect=true`).
    pub preferred: Option<i64>,
}

/// Choose a new master, or `None` when nobody qualifies.
///
/// `live(id)` returns the candidate's live info if — and only if — it is alive.
pub fn elect(input: &ElectInput<'_>, live: impl Fn(i64) -> Option<CandidateInfo>) -> Option<i64> {
    try_elect(input.sync_state_set, input, &live)
        .or_else(|| input.all_replicas.and_then(|all| try_elect(all, input, &live)))
}

fn try_elect(
    candidates: &BTreeSet<i64>,
    input: &ElectInput<'_>,
    live: &impl Fn(i64) -> Option<CandidateInfo>,
) -> Option<i64> {
    let alive: Vec<(i64, CandidateInfo)> =
        candidates.iter().filter_map(|&id| live(id).map(|i| (id, i))).collect();
    if alive.is_empty() {
        return None;
    }
    let is_alive = |id: i64| alive.iter().any(|(c, _)| *c == id);
    if let Some(old) = input.old_master
        && is_alive(old)
        && input.preferred.is_none_or(|p| p == old)
    {
        return Some(old);
    }
    if let Some(preferred) = input.preferred {
        return is_alive(preferred).then_some(preferred);
    }
    alive.iter().min_by(|a, b| rank(a, b)).map(|(id, _)| *id)
}

/// Total order, best first: higher epoch, higher max offset, lower election
/// priority, then lower id (the reference leaves the last tie arbitrary and
/// overflows on large offset gaps — pitfall P-C9; we do neither).
fn rank(a: &(i64, CandidateInfo), b: &(i64, CandidateInfo)) -> Ordering {
    b.1.epoch
        .cmp(&a.1.epoch)
        .then(b.1.max_offset.cmp(&a.1.max_offset))
        .then(a.1.election_priority.cmp(&b.1.election_priority))
        .then(a.0.cmp(&b.0))
}

#[cfg(test)]
#[path = "elect_policy_test.rs"]
mod elect_policy_test;
