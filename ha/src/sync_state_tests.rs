use super::*;
use Decision::*;

const LAG_MS: i64 = 15_000;

fn set(ids: &[i64]) -> BTreeSet<i64> {
    ids.iter().copied().collect()
}

fn tracker(all_ack: bool, local: &[i64], master_max: i64) -> SyncStateTracker {
    let cfg = TrackerConfig { own_id: 1, max_time_not_catchup_ms: LAG_MS, all_ack };
    SyncStateTracker::new(cfg, set(local), 0, master_max)
}

fn proposals(d: &[Decision]) -> Vec<BTreeSet<i64>> {
    d.iter().filter_map(|d| if let Propose(s) = d { Some(s.clone()) } else { None }).collect()
}

/// Tracker with members {1,2,3} accepted at epoch 1 and both slaves
/// connected (conn id = slave id) and acked up to `master_max`.
fn three_members(all_ack: bool, master_max: i64, now: i64) -> SyncStateTracker {
    let mut t = tracker(all_ack, &[1], master_max);
    t.apply_sync_state_set(set(&[1, 2, 3]), 1, master_max);
    for id in [2, 3] {
        t.on_handshake(id as ConnId, id, false);
        t.on_ack(id as ConnId, master_max, master_max, now);
    }
    t
}

#[test]
fn fresh_master_is_alone_and_confirms_everything() {
    let mut t = tracker(true, &[], 500);
    assert_eq!(t.local(), &set(&[1]), "own id always a member");
    assert_eq!(t.start(0), vec![ConfirmLive]);
    assert_eq!(t.confirm_offset(900), 900, "a set of one confirms the live max");
    let q = t.quorum();
    assert_eq!((q.in_sync_replicas, q.all_ack), (1, i64::MAX));
    assert!(q.reached(AckNeed::AllInSyncStateSet, i64::MAX));
    assert!(q.reached(AckNeed::Replicas(1), 1 << 40));
    assert!(!q.reached(AckNeed::Replicas(2), 0));
}

#[test]
fn start_shrinks_members_never_seen() {
    let mut t = tracker(true, &[1, 2, 3], 0);
    let d = t.start(0);
    assert_eq!(proposals(&d), vec![set(&[1])]);
    assert_eq!(t.effective(), set(&[1, 2, 3]), "members stay effective until accepted");
    assert_eq!(t.in_sync_replicas(), 3);
    t.on_proposal_result(Some((set(&[1]), 1)), 0);
    assert_eq!((t.local(), t.synchronizing(), t.in_sync_replicas()), (&set(&[1]), false, 1));
}

#[test]
fn expansion_needs_confirm_offset_and_last_epoch_start() {
    let mut t = tracker(false, &[1], 1000);
    t.set_last_epoch_start(800);
    t.on_handshake(7, 2, false);
    // Live confirm (allAck off) = master max: behind it, no expansion.
    assert!(proposals(&t.on_ack(7, 999, 1000, 10)).is_empty());
    let d = t.on_ack(7, 1000, 1000, 11);
    assert_eq!(proposals(&d), vec![set(&[1, 2])]);
    assert!(t.synchronizing());
    assert_eq!(t.effective(), set(&[1, 2]));
    assert_eq!(t.in_sync_replicas(), 2, "max(|local|, |remote|) while synchronizing");

    let mut t = tracker(false, &[1], 1000);
    t.set_last_epoch_start(2000);
    t.on_handshake(7, 2, false);
    assert!(proposals(&t.on_ack(7, 1000, 1000, 0)).is_empty(), "below the last epoch's start");
}

#[test]
fn learners_never_join_but_count_for_in_sync_replicas_acks() {
    let mut t = tracker(false, &[1], 100);
    t.on_handshake(1, 5, true);
    assert!(proposals(&t.on_ack(1, 100, 100, 0)).is_empty());
    assert_eq!(t.local(), &set(&[1]));
    let q = t.quorum();
    assert_eq!(q.offset_for(AckNeed::Replicas(2)), 100, "P-H3: any connection counts");
    assert_eq!(q.all_ack, i64::MAX);
}

#[test]
fn one_proposal_in_flight_then_the_rest() {
    let mut t = tracker(false, &[1], 100);
    t.on_handshake(2, 2, false);
    t.on_handshake(3, 3, false);
    assert_eq!(proposals(&t.on_ack(2, 100, 100, 0)), vec![set(&[1, 2])]);
    assert!(proposals(&t.on_ack(3, 100, 100, 0)).is_empty(), "second waits for the first");
    assert!(proposals(&t.on_ack(2, 100, 100, 1)).is_empty(), "no re-proposal while in flight");
    let d = t.on_proposal_result(Some((set(&[1, 2]), 1)), 100);
    assert_eq!(proposals(&d), vec![set(&[1, 2, 3])], "queued addition follows at once");
    t.on_proposal_result(Some((set(&[1, 2, 3]), 2)), 100);
    assert_eq!((t.local(), t.local_epoch(), t.synchronizing()), (&set(&[1, 2, 3]), 2, false));
}

#[test]
fn unanswered_proposals_stay_effective_p_h13() {
    // Proposal A (add 2) fails on our side (timeout), but the controller may
    // have accepted it: 2 must stay in the effective set until a
    // setSyncStateSet says otherwise, even across later proposals.
    let mut t = tracker(true, &[1], 100);
    t.on_handshake(2, 2, false);
    t.on_handshake(3, 3, false);
    assert_eq!(proposals(&t.on_ack(2, 100, 100, 0)), vec![set(&[1, 2])]);
    assert!(t.on_proposal_result(None, 100).is_empty());
    assert!(t.synchronizing());
    // Slave 2 vanishes; slave 3 qualifies: proposal B = {1,3}.
    t.on_disconnect(2);
    assert_eq!(proposals(&t.on_ack(3, 100, 100, 1)), vec![set(&[1, 3])]);
    assert_eq!(t.effective(), set(&[1, 2, 3]), "A's member kept alongside B's");
    assert_eq!(t.quorum().all_ack, -1, "allAck waits for 2 (no connection)");
    assert_eq!(t.in_sync_replicas(), 2);
    t.on_proposal_result(Some((set(&[1, 3]), 1)), 100);
    assert_eq!(t.effective(), set(&[1, 3]));
    assert_eq!(t.quorum().all_ack, 100);
}

#[test]
fn failed_proposal_is_retried_by_ack_and_by_shrink() {
    let mut t = tracker(false, &[1], 100);
    t.on_handshake(2, 2, false);
    assert_eq!(proposals(&t.on_ack(2, 100, 100, 0)).len(), 1);
    t.on_proposal_result(None, 100);
    assert_eq!(proposals(&t.on_ack(2, 100, 100, 1)), vec![set(&[1, 2])], "retried on the next ack");
    t.on_proposal_result(None, 100);
    assert_eq!(proposals(&t.shrink(2)), vec![set(&[1, 2])], "and by the shrink period");
}

#[test]
fn shrink_after_max_time_not_caught_up() {
    let mut t = three_members(true, 100, 1_000);
    assert!(t.shrink(1_000 + LAG_MS).is_empty(), "exactly at the limit is still in sync");
    t.on_ack(3, 100, 100, 1_000 + LAG_MS); // 3 keeps up; 2 stays silent
    let d = t.shrink(1_000 + LAG_MS + 1);
    assert_eq!(proposals(&d), vec![set(&[1, 3])]);
    assert_eq!(t.effective(), set(&[1, 2, 3]));
    t.on_proposal_result(Some((set(&[1, 3]), 2)), 100);
    assert_eq!(t.local(), &set(&[1, 3]));
    assert_eq!(t.quorum().in_sync_replicas, 2);
}

#[test]
fn caught_up_time_follows_the_transfer_rules() {
    let mut t = tracker(false, &[1, 2], 0);
    t.apply_sync_state_set(set(&[1, 2]), 1, 0);
    t.on_handshake(9, 2, false);
    // Data sent at t=100 when the master had 500; an ack of 500 at t=5000
    // while the master already has 900: caught up as of the transfer (100).
    t.on_data_sent(9, 500, 100);
    t.on_ack(9, 500, 900, 5_000);
    assert!(proposals(&t.shrink(100 + LAG_MS)).is_empty());
    assert_eq!(proposals(&t.shrink(101 + LAG_MS)), vec![set(&[1])]);
    t.on_proposal_result(None, 900);

    // An ack equal to the master max counts as caught up now.
    let mut t = tracker(false, &[1, 2], 0);
    t.apply_sync_state_set(set(&[1, 2]), 1, 0);
    t.on_handshake(9, 2, false);
    t.on_data_sent(9, 500, 100);
    t.on_ack(9, 900, 900, 5_000);
    assert!(proposals(&t.shrink(5_000 + LAG_MS)).is_empty());
    // An ack below what the last frame carried says nothing.
    t.on_data_sent(9, 1_000, 6_000);
    t.on_ack(9, 950, 1_000, 30_000);
    assert_eq!(proposals(&t.shrink(5_001 + LAG_MS)), vec![set(&[1])]);
}

#[test]
fn tracked_connections_show_id_ack_and_caught_up_time() {
    let mut t = tracker(false, &[1], 0);
    assert_eq!(t.tracked(9), None, "no handshake yet");
    t.on_handshake(9, 2, true);
    assert_eq!(
        t.tracked(9),
        Some(TrackedConn { slave_id: 2, learner: true, ack: -1, last_caught_up_ms: None })
    );
    t.on_handshake(9, 2, false);
    t.on_data_sent(9, 500, 100);
    t.on_ack(9, 500, 500, 700);
    assert_eq!(
        t.tracked(9),
        Some(TrackedConn { slave_id: 2, learner: false, ack: 500, last_caught_up_ms: Some(700) })
    );
    t.on_disconnect(9);
    assert_eq!(t.tracked(9), None);
}

#[test]
fn writer_with_nothing_to_send_marks_caught_up_even_for_learners() {
    let mut t = tracker(false, &[1, 2], 0);
    t.apply_sync_state_set(set(&[1, 2]), 1, 0);
    t.on_handshake(4, 2, true);
    t.on_nothing_to_send(4, 10_000);
    assert!(t.shrink(10_000 + LAG_MS).is_empty());
}

#[test]
fn caught_up_member_cancels_its_pending_removal() {
    let mut t = three_members(false, 100, 0);
    // Slave 2 lags past the limit; a proposal for 3 is stuck in flight.
    t.on_ack(3, 100, 100, LAG_MS + 1);
    assert_eq!(proposals(&t.shrink(LAG_MS + 1)), vec![set(&[1, 3])]);
    t.on_proposal_result(None, 100);
    t.on_ack(2, 100, 100, LAG_MS + 2);
    assert!(proposals(&t.on_ack(3, 100, 100, LAG_MS + 3)).is_empty(), "nothing left to change");
}

#[test]
fn disconnect_proposes_removal_at_once() {
    let mut t = three_members(true, 100, 0);
    t.on_handshake(22, 2, false); // a duplicate connection of slave 2
    assert!(t.on_disconnect(2).is_empty(), "slave 2 still has a connection");
    let d = t.on_disconnect(22);
    assert_eq!(proposals(&d), vec![set(&[1, 3])]);
    assert_eq!(t.quorum().all_ack, -1, "allAck keeps waiting for 2 until accepted (§8.5)");
    t.on_proposal_result(Some((set(&[1, 3]), 2)), 100);
    assert_eq!(t.quorum().all_ack, 100);
    assert!(t.on_disconnect(12345).is_empty(), "unknown connection");
}

#[test]
fn confirm_offset_is_the_minimum_member_ack_and_never_goes_back() {
    let mut t = three_members(true, 100, 0);
    t.on_ack(2, 150, 200, 1);
    assert_eq!(t.on_ack(3, 180, 200, 1), vec![ConfirmOffset(150)]);
    assert_eq!(t.confirm_offset(200), 150);
    assert_eq!(t.on_ack(2, 200, 200, 2), vec![ConfirmOffset(180)]);
    // Slave 2 reconnects after a truncation and acks low: no step back.
    t.on_disconnect(2);
    t.on_proposal_result(None, 200);
    t.on_handshake(5, 2, false);
    assert!(t.on_ack(5, 120, 200, 3).iter().all(|d| !matches!(d, ConfirmOffset(_))));
    assert_eq!(t.stored_confirm_offset(), 180);
}

#[test]
fn confirm_offset_freezes_while_a_member_has_no_connection() {
    let mut t = three_members(true, 100, 0);
    t.on_disconnect(3);
    t.on_proposal_result(None, 100); // the removal was not accepted
    t.on_ack(2, 300, 300, 1);
    assert_eq!(t.stored_confirm_offset(), 100, "§9.1 step 2");
}

#[test]
fn confirm_ignores_members_that_have_not_acked_p_h4() {
    let mut t = tracker(true, &[1], 100);
    t.apply_sync_state_set(set(&[1, 2, 3]), 1, 100);
    t.on_handshake(2, 2, false);
    t.on_handshake(3, 3, false);
    t.on_ack(2, 350, 400, 0);
    assert_eq!(t.stored_confirm_offset(), 350, "slave 3 has not acked: ignored");
    t.on_ack(3, 0, 400, 0);
    assert_eq!(t.stored_confirm_offset(), 350, "an ack of 0 is ignored too, and nothing goes back");
    // So the confirm offset may run ahead of a member that just connected.
    t.on_ack(2, 400, 400, 0);
    assert_eq!(t.stored_confirm_offset(), 400);
}

#[test]
fn confirm_mode_follows_all_ack_and_set_size() {
    let mut t = tracker(true, &[1], 100);
    assert_eq!(t.start(0), vec![ConfirmLive]);
    t.on_handshake(2, 2, false);
    let d = t.on_ack(2, 100, 100, 0);
    assert_eq!(proposals(&d), vec![set(&[1, 2])]);
    assert!(!d.contains(&ConfirmOffset(100)), "still live until the set is accepted");
    let d = t.on_proposal_result(Some((set(&[1, 2]), 1)), 100);
    assert_eq!(d, vec![ConfirmOffset(100)]);
    assert_eq!(t.confirm_offset(500), 100, "allAck with two members: stored value");
    // Not allAck: always live, whatever the set.
    let t = three_members(false, 100, 0);
    assert_eq!(t.confirm_offset(500), 500);
}

#[test]
fn stale_sync_state_set_epochs_are_ignored() {
    let mut t = tracker(false, &[1], 0);
    t.apply_sync_state_set(set(&[1, 2]), 5, 0);
    assert!(t.apply_sync_state_set(set(&[1]), 5, 0).is_empty());
    assert!(t.apply_sync_state_set(set(&[1]), 4, 0).is_empty());
    assert_eq!((t.local(), t.local_epoch()), (&set(&[1, 2]), 5));
}

#[test]
fn set_applied_while_a_proposal_is_in_flight_keeps_it_effective() {
    let mut t = tracker(true, &[1], 100);
    t.on_handshake(2, 2, false);
    t.on_ack(2, 100, 100, 0); // proposes {1,2}
    // A metadata sync applies an unrelated newer set first.
    t.apply_sync_state_set(set(&[1]), 3, 100);
    assert!(t.synchronizing());
    assert_eq!(t.effective(), set(&[1, 2]));
    t.on_proposal_result(Some((set(&[1, 2]), 4)), 100);
    assert!(!t.synchronizing());
}

#[test]
fn quorum_offsets_per_replica_count() {
    let mut t = tracker(false, &[1], 0);
    for (conn, id, ack) in [(1, 2, 50), (2, 3, 70), (3, 4, 60), (4, 5, -1)] {
        t.on_handshake(conn, id, false);
        t.on_ack(conn, ack, 100, 0);
    }
    let q = t.quorum();
    assert_eq!(q.acks, vec![70, 60, 50]);
    assert_eq!(q.offset_for(AckNeed::Replicas(0)), i64::MAX);
    assert_eq!(q.offset_for(AckNeed::Replicas(2)), 70);
    assert_eq!(q.offset_for(AckNeed::Replicas(3)), 60);
    assert_eq!(q.offset_for(AckNeed::Replicas(4)), 50);
    assert_eq!(q.offset_for(AckNeed::Replicas(5)), -1);
    assert!(q.reached(AckNeed::Replicas(3), 60) && !q.reached(AckNeed::Replicas(3), 61));
}

#[test]
fn all_ack_counts_each_member_once() {
    let mut t = three_members(true, 100, 0);
    t.on_handshake(9, 2, false); // duplicate of slave 2 with a higher ack
    t.on_ack(9, 200, 300, 0);
    t.on_ack(2, 150, 300, 0);
    t.on_ack(3, 120, 300, 0);
    assert_eq!(t.quorum().all_ack, 120);
    t.on_ack(3, 300, 300, 0);
    assert_eq!(t.quorum().all_ack, 200);
    assert_eq!(QuorumOffsets::default().offset_for(AckNeed::AllInSyncStateSet), -1);
}

// ---- random event sequences ----

use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Event {
    Handshake { conn: u64, id: i64, learner: bool },
    Ack { conn: u64, offset: i64 },
    Sent { conn: u64 },
    Idle { conn: u64 },
    Disconnect { conn: u64 },
    Shrink,
    Answer { accept: bool },
    Write { bytes: i64 },
    Tick { ms: i64 },
}

fn arb_event() -> impl Strategy<Value = Event> {
    prop_oneof![
        (0..5u64, 2..5i64, prop::bool::weighted(0.2)).prop_map(|(conn, id, learner)| Event::Handshake {
            conn,
            id,
            learner
        }),
        (0..5u64, 0..2_000i64).prop_map(|(conn, offset)| Event::Ack { conn, offset }),
        (0..5u64).prop_map(|conn| Event::Sent { conn }),
        (0..5u64).prop_map(|conn| Event::Idle { conn }),
        (0..5u64).prop_map(|conn| Event::Disconnect { conn }),
        Just(Event::Shrink),
        any::<bool>().prop_map(|accept| Event::Answer { accept }),
        (0..300i64).prop_map(|bytes| Event::Write { bytes }),
        (0..10_000i64).prop_map(|ms| Event::Tick { ms }),
    ]
}

proptest! {
    #[test]
    fn invariants_hold_under_any_event_sequence(all_ack in any::<bool>(), events in prop::collection::vec(arb_event(), 1..80)) {
        let mut t = tracker(all_ack, &[1], 0);
        let (mut now, mut max, mut confirm) = (0i64, 0i64, 0i64);
        let mut in_flight: Option<BTreeSet<i64>> = None;
        let mut unanswered: BTreeSet<i64> = BTreeSet::new();
        let mut epoch = 0;
        let mut out = t.start(now);
        for e in events {
            for d in &out {
                match d {
                    Propose(set) => {
                        prop_assert!(in_flight.is_none(), "two proposals in flight");
                        prop_assert!(set.contains(&1), "own id always proposed");
                        in_flight = Some(set.clone());
                        unanswered.extend(set.iter().copied());
                    }
                    ConfirmOffset(c) => {
                        prop_assert!(*c >= confirm, "confirm offset went back");
                        confirm = *c;
                    }
                    ConfirmLive => {}
                }
            }
            let effective = t.effective();
            prop_assert!(t.local().contains(&1));
            prop_assert!(effective.is_superset(t.local()));
            // P-H13: nothing the controller may have accepted leaves the
            // effective set before a setSyncStateSet.
            prop_assert!(effective.is_superset(&unanswered));
            prop_assert_eq!(t.synchronizing(), !unanswered.is_empty());
            prop_assert!(t.stored_confirm_offset() <= max, "confirmed bytes nobody wrote");
            out = match e {
                Event::Handshake { conn, id, learner } => { t.on_handshake(conn, id, learner); vec![] }
                Event::Ack { conn, offset } => t.on_ack(conn, offset.min(max), max, now),
                Event::Sent { conn } => { t.on_data_sent(conn, max, now); vec![] }
                Event::Idle { conn } => { t.on_nothing_to_send(conn, now); vec![] }
                Event::Disconnect { conn } => t.on_disconnect(conn),
                Event::Shrink => t.shrink(now),
                Event::Answer { accept } => match in_flight.take() {
                    None => vec![],
                    Some(set) if accept => {
                        epoch += 1;
                        unanswered.clear();
                        t.on_proposal_result(Some((set, epoch)), max)
                    }
                    Some(_) => t.on_proposal_result(None, max),
                },
                Event::Write { bytes } => { max += bytes; vec![] }
                Event::Tick { ms } => { now += ms; vec![] }
            };
        }
    }
}
