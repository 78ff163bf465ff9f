use std::collections::{BTreeMap, BTreeSet};

use super::*;

fn info(epoch: i32, max_offset: i64, prio: i32) -> CandidateInfo {
    CandidateInfo { epoch, max_offset, election_priority: prio }
}

fn run(
    sss: &[i64],
    all: Option<&[i64]>,
    old: Option<i64>,
    preferred: Option<i64>,
    live: &[(i64, CandidateInfo)],
) -> Option<i64> {
    let sss: BTreeSet<i64> = sss.iter().copied().collect();
    let all: Option<BTreeSet<i64>> = all.map(|a| a.iter().copied().collect());
    let live: BTreeMap<i64, CandidateInfo> = live.iter().copied().collect();
    let input = ElectInput { sync_state_set: &sss, all_replicas: all.as_ref(), old_master: old, preferred };
    elect(&input, |id| live.get(&id).copied())
}

const Z: CandidateInfo = CandidateInfo { epoch: 0, max_offset: 0, election_priority: i32::MAX };

#[test]
fn nobody_alive_is_none() {
    assert_eq!(run(&[1, 2], None, Some(1), None, &[]), None);
    assert_eq!(run(&[], None, None, None, &[(1, Z)]), None);
}

#[test]
fn old_master_alive_wins_even_if_behind() {
    assert_eq!(run(&[1, 2], None, Some(1), None, &[(1, info(1, 0, 9)), (2, info(5, 99, 0))]), Some(1));
}

#[test]
fn old_master_kept_when_preferred_is_old() {
    assert_eq!(run(&[1, 2], None, Some(1), Some(1), &[(1, Z), (2, Z)]), Some(1));
}

#[test]
fn preferred_overrides_old_master() {
    assert_eq!(run(&[1, 2], None, Some(1), Some(2), &[(1, Z), (2, Z)]), Some(2));
}

#[test]
fn preferred_not_alive_or_not_candidate_is_none() {
    assert_eq!(run(&[1, 2], None, Some(1), Some(2), &[(1, Z)]), None);
    assert_eq!(run(&[1, 2], None, None, Some(3), &[(1, Z), (2, Z), (3, Z)]), None);
}

#[test]
fn preferred_found_among_all_replicas_when_unclean() {
    assert_eq!(run(&[1, 2], Some(&[1, 2, 3]), None, Some(3), &[(1, Z), (3, Z)]), Some(3));
}

#[test]
fn dead_old_master_replaced_by_best_ranked() {
    let live = [(2, info(3, 100, 5)), (3, info(4, 10, 5)), (4, info(4, 10, 1))];
    assert_eq!(
        run(&[1, 2, 3, 4], None, Some(1), None, &live),
        Some(4),
        "epoch, then offset, then lower priority"
    );
    let live = [(2, info(4, 100, 5)), (3, info(4, 10, 1))];
    assert_eq!(run(&[2, 3], None, None, None, &live), Some(2), "offset beats priority");
}

#[test]
fn ranking_has_no_overflow_on_large_offset_gaps() {
    let live = [(2, info(1, 0, 1)), (3, info(1, 1 << 40, 1))];
    assert_eq!(run(&[2, 3], None, None, None, &live), Some(3), "P-C9");
}

#[test]
fn full_tie_picks_lowest_id_deterministically() {
    assert_eq!(run(&[5, 3, 4], None, None, None, &[(5, Z), (4, Z), (3, Z)]), Some(3));
}

#[test]
fn sync_state_set_before_unclean_candidates() {
    let live = [(2, info(0, 0, 9)), (3, info(9, 999, 0))];
    assert_eq!(run(&[1, 2], Some(&[1, 2, 3]), Some(1), None, &live), Some(2));
}

#[test]
fn unclean_only_when_all_given() {
    assert_eq!(run(&[1, 2], None, Some(1), None, &[(3, Z)]), None);
    assert_eq!(run(&[1, 2], Some(&[1, 2, 3]), Some(1), None, &[(3, Z)]), Some(3));
}
