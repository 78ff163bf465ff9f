use super::*;
use crate::frame::WireEpoch;

fn cache(pairs: &[(i32, i64)]) -> EpochCache {
    EpochCache::from_entries(pairs.iter().copied()).unwrap()
}

fn response(max: i64, pairs: &[(i32, i64)]) -> HandshakeResponse {
    HandshakeResponse {
        master_max_offset: max,
        last_epoch: pairs.last().map_or(-1, |p| p.0),
        entries: pairs.iter().map(|&(epoch, start_offset)| WireEpoch { epoch, start_offset }).collect(),
    }
}

// ---- §6.1 ----

#[test]
fn empty_local_cache_keeps_everything() {
    let plan = plan_handshake(&EpochCache::new(), 5000, &response(100, &[(1, 0)]));
    assert_eq!(plan, HandshakePlan::KeepAll);
}

#[test]
fn same_history_slave_behind_or_equal() {
    let local = cache(&[(1, 0), (2, 1000)]);
    assert_eq!(
        plan_handshake(&local, 1500, &response(3000, &[(1, 0), (2, 1000)])),
        HandshakePlan::TruncateTo(1500)
    );
    assert_eq!(
        plan_handshake(&local, 3000, &response(3000, &[(1, 0), (2, 1000)])),
        HandshakePlan::TruncateTo(3000)
    );
}

#[test]
fn tail_written_under_an_older_epoch_is_cut_where_the_master_moved_on() {
    // The slave was master of epoch 1 and wrote up to 2600; the new master
    // (epoch 2) started at 2000, so everything after 2000 goes.
    let local = cache(&[(1, 0)]);
    let plan = plan_handshake(&local, 2600, &response(5000, &[(1, 0), (2, 2000)]));
    assert_eq!(plan, HandshakePlan::TruncateTo(2000));
}

#[test]
fn slave_with_an_epoch_the_master_never_saw() {
    let local = cache(&[(1, 0), (2, 1000), (3, 2000)]);
    let plan = plan_handshake(&local, 2500, &response(4000, &[(1, 0), (2, 1000), (4, 1800)]));
    assert_eq!(plan, HandshakePlan::TruncateTo(1800));
}

#[test]
fn no_common_epoch_is_fatal() {
    let local = cache(&[(3, 500)]);
    assert_eq!(plan_handshake(&local, 900, &response(4000, &[(1, 0), (4, 700)])), HandshakePlan::Diverged);
    assert_eq!(plan_handshake(&local, 900, &response(0, &[])), HandshakePlan::Diverged);
}

#[test]
fn an_empty_log_drops_epochs_no_master_knows() {
    // Master under epoch 1, killed before writing; the new master took
    // epoch 2 from offset 0.
    let local = cache(&[(1, 0)]);
    assert_eq!(plan_handshake(&local, 0, &response(0, &[(2, 0)])), HandshakePlan::TruncateTo(0));
    assert_eq!(plan_handshake(&local, 0, &response(4096, &[(2, 0)])), HandshakePlan::TruncateTo(0));
}

// ---- §6.3 ----

#[test]
fn first_byte_choice() {
    const FILE: i64 = 1024;
    // A slave that already has data continues exactly where it is.
    assert_eq!(first_transfer_offset(777, true, Some(0), 5000, FILE), Some(777));
    // An empty slave: from the master's first file, or its last file.
    assert_eq!(first_transfer_offset(0, false, Some(2048), 5000, FILE), Some(2048));
    assert_eq!(first_transfer_offset(0, true, Some(0), 5000, FILE), Some(4096));
    assert_eq!(first_transfer_offset(0, true, Some(0), 4096, FILE), Some(4096));
    assert_eq!(first_transfer_offset(0, true, None, 0, FILE), Some(0));
    // Empty master, or no ack yet: nothing to start from.
    assert_eq!(first_transfer_offset(0, false, None, 0, FILE), None);
    assert_eq!(first_transfer_offset(-1, false, Some(0), 5000, FILE), None);
}

// ---- §7.1–7.2 ----

#[test]
fn chunks_never_cross_an_epoch_boundary() {
    let epochs = cache(&[(1, 0), (2, 1000), (5, 1500)]);
    let c = |next, avail| bound_chunk(&epochs, next, avail, 32 * 1024);
    assert_eq!(c(0, 4000), Some(Chunk { size: 1000, epoch: 1, epoch_start_offset: 0 }));
    assert_eq!(c(900, 50), Some(Chunk { size: 50, epoch: 1, epoch_start_offset: 0 }));
    assert_eq!(c(999, 4000), Some(Chunk { size: 1, epoch: 1, epoch_start_offset: 0 }));
    assert_eq!(c(1000, 4000), Some(Chunk { size: 500, epoch: 2, epoch_start_offset: 1000 }));
    // The last epoch is unbounded; the batch size still applies.
    assert_eq!(c(1500, 100_000), Some(Chunk { size: 32 * 1024, epoch: 5, epoch_start_offset: 1500 }));
    assert_eq!(
        bound_chunk(&epochs, 1500, 100_000, 10),
        Some(Chunk { size: 10, epoch: 5, epoch_start_offset: 1500 })
    );
}

#[test]
fn chunk_without_an_epoch_is_refused() {
    let epochs = cache(&[(3, 1000)]);
    assert_eq!(bound_chunk(&epochs, 999, 10, 10), None);
    assert_eq!(bound_chunk(&EpochCache::new(), 0, 10, 10), None);
}

#[test]
fn reelected_master_bounds_old_epoch_data_at_once_p_h8() {
    let mut epochs = cache(&[(1, 0)]);
    assert_eq!(bound_chunk(&epochs, 100, 900, 4096).unwrap().size, 900);
    // Re-elected at epoch 2 from offset 600: the next frame stops there.
    epochs.append(2, 600);
    assert_eq!(
        bound_chunk(&epochs, 100, 900, 4096),
        Some(Chunk { size: 500, epoch: 1, epoch_start_offset: 0 })
    );
}

#[test]
fn heartbeat_labels() {
    let epochs = cache(&[(1, 0), (2, 1000)]);
    assert_eq!(heartbeat_label(&epochs, 1200), (2, 1000));
    assert_eq!(heartbeat_label(&epochs, 10), (1, 0));
    assert_eq!(heartbeat_label(&epochs, -1), (1, 0), "unknown next: the first entry");
    assert_eq!(heartbeat_label(&EpochCache::new(), 5), (-1, -1));
}

// ---- §7.3 ----

#[test]
fn transfer_frame_checks() {
    use TransferStep::*;
    const FILE: i64 = 1024;
    assert_eq!(plan_transfer(500, 500, 10, FILE), Ok(Append));
    assert_eq!(plan_transfer(500, 500, 0, FILE), Ok(Heartbeat));
    assert_eq!(plan_transfer(500, -1, 0, FILE), Ok(Heartbeat), "master does not know the start yet");
    assert_eq!(plan_transfer(0, 0, 10, FILE), Ok(Append));
    assert_eq!(plan_transfer(0, 3072, 10, FILE), Ok(ResetThenAppend(3072)));
    assert_eq!(plan_transfer(0, 777, 0, FILE), Ok(Heartbeat));
    assert_eq!(
        plan_transfer(500, 400, 10, FILE),
        Err(TransferReject::OffsetMismatch { offset: 400, local_max: 500 })
    );
    assert_eq!(
        plan_transfer(500, 600, 0, FILE),
        Err(TransferReject::OffsetMismatch { offset: 600, local_max: 500 })
    );
    assert_eq!(
        plan_transfer(500, -1, 10, FILE),
        Err(TransferReject::OffsetMismatch { offset: -1, local_max: 500 })
    );
    assert_eq!(
        plan_transfer(0, -1, 10, FILE),
        Err(TransferReject::OffsetMismatch { offset: -1, local_max: 0 })
    );
    assert_eq!(plan_transfer(0, 1000, 10, FILE), Err(TransferReject::NotFileStart { offset: 1000 }));
}

/// P-H12: a frame may end exactly at a file boundary or start at one, but
/// never span one; with the master's larger files it would.
#[test]
fn transfer_frames_never_span_a_local_file_boundary() {
    use TransferStep::*;
    const FILE: i64 = 1024;
    assert_eq!(plan_transfer(1000, 1000, 24, FILE), Ok(Append), "ends at the boundary");
    assert_eq!(plan_transfer(1024, 1024, 1024, FILE), Ok(Append), "one whole file");
    assert_eq!(plan_transfer(0, 2048, 1024, FILE), Ok(ResetThenAppend(2048)));
    let crossing = TransferReject::CrossesFile { offset: 1000, len: 25, file_size: FILE };
    assert_eq!(plan_transfer(1000, 1000, 25, FILE), Err(crossing));
    assert!(crossing.to_string().contains("mappedFileSizeCommitLog"), "{crossing}");
    assert_eq!(
        plan_transfer(0, 0, 1025, FILE),
        Err(TransferReject::CrossesFile { offset: 0, len: 1025, file_size: FILE })
    );
    assert_eq!(
        plan_transfer(0, 2048, 2048, FILE),
        Err(TransferReject::CrossesFile { offset: 2048, len: 2048, file_size: FILE })
    );
    assert_eq!(plan_transfer(1000, 1000, 0, FILE), Ok(Heartbeat), "heartbeats carry no bytes");
}

// ---- properties ----

use proptest::prelude::*;

fn arb_history() -> impl Strategy<Value = Vec<(i32, i64)>> {
    prop::collection::vec((1..5i32, 1..5_000i64), 1..8).prop_map(|steps| {
        let (mut epoch, mut start) = (0, 0);
        steps
            .into_iter()
            .enumerate()
            .map(|(i, (de, ds))| {
                epoch += de;
                if i > 0 {
                    start += ds;
                }
                (epoch, start)
            })
            .collect()
    })
}

proptest! {
    /// Walking the log chunk by chunk covers every byte once, each chunk
    /// inside one epoch and labelled with it.
    #[test]
    fn chunks_tile_the_log_within_epochs(pairs in arb_history(), extra in 0..10_000i64, batch in 1..3_000usize) {
        let epochs = cache(&pairs);
        let end = pairs.last().unwrap().1 + extra;
        let mut next = 0;
        while next < end {
            let c = bound_chunk(&epochs, next, (end - next) as usize, batch).unwrap();
            prop_assert!(c.size >= 1 && c.size <= batch);
            let first = epochs.find_by_offset(next).unwrap();
            let last = epochs.find_by_offset(next + c.size as i64 - 1).unwrap();
            prop_assert_eq!(first, last, "chunk crosses an epoch boundary");
            prop_assert_eq!((c.epoch, c.epoch_start_offset), (first.epoch, first.start_offset));
            next += c.size as i64;
        }
        prop_assert_eq!(next, end);
    }

    /// A consistent point never exceeds either log, and histories that
    /// share their first entry always have one.
    #[test]
    fn consistent_point_is_within_both_logs(
        local in arb_history(),
        master in arb_history(),
        local_extra in 0..5_000i64,
        master_extra in 0..5_000i64,
    ) {
        let local_max = local.last().unwrap().1 + local_extra;
        let master_max = master.last().unwrap().1 + master_extra;
        match plan_handshake(&cache(&local), local_max, &response(master_max, &master)) {
            HandshakePlan::TruncateTo(t) => prop_assert!(t >= 0 && t <= local_max && t <= master_max),
            HandshakePlan::Diverged => prop_assert_ne!(local[0], master[0]),
            HandshakePlan::KeepAll => prop_assert!(false, "local history is not empty"),
        }
    }
}
