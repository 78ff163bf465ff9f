//! Pure decisions about where replicas cut their logs and what each frame
//! may carry (spec/ha.md §6, §7.1–7.3). No I/O: the shells feed in epoch
//! caches and offsets and carry out the answer.
//!
//! * [`plan_handshake`]: the slave's reaction to a handshake response.
//! * [`first_transfer_offset`]: the master's first byte for a slave.
//! * [`bound_chunk`] / [`heartbeat_label`]: the epoch label of a frame and
//!   the cut that keeps a frame inside one epoch. The bound is recomputed
//!   from the current epoch cache for every frame, so a master re-elected
//!   with its connections kept stops at the new epoch's start at once
//!   (P-H8), and a chunk is labelled with its own epoch (§7.2 allows it).
//! * [`plan_transfer`]: the slave's checks on a received frame (§7.3).

use booster_store::epoch::{EpochCache, EpochEntry, find_consistent_point};

use crate::frame::HandshakeResponse;

/// What a slave does with a handshake response (§6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandshakePlan {
    /// Empty local epoch cache (new replica or deleted epoch file): keep
    /// the log as it is and report from 0 (§6.1 step 2).
    KeepAll,
    /// Truncate the CommitLog, then the epoch file, to this offset and
    /// report it (§6.1 step 6). A no-op when the log already ends there.
    TruncateTo(i64),
    /// No common history (T = −1). The slave cannot follow this master
    /// without manual repair (P-H11): fatal, surfaced to the operator.
    Diverged,
}

/// §6.1 steps 2–5, via [`find_consistent_point`].
pub fn plan_handshake(local: &EpochCache, local_max_offset: i64, resp: &HandshakeResponse) -> HandshakePlan {
    if local.is_empty() {
        return HandshakePlan::KeepAll;
    }
    // A replica that holds no bytes has nothing to lose; its epochs (a
    // first master killed before its first write) may exist nowhere else,
    // so looking for a common one would call an empty log diverged forever.
    // Cutting at 0 also drops those epochs, which the new master's entries
    // must replace.
    if local_max_offset == 0 {
        return HandshakePlan::TruncateTo(0);
    }
    let master: Vec<EpochEntry> =
        resp.entries.iter().map(|e| EpochEntry::new(e.epoch, e.start_offset)).collect();
    match find_consistent_point(local, local_max_offset, &master, resp.master_max_offset) {
        t if t < 0 => HandshakePlan::Diverged,
        t => HandshakePlan::TruncateTo(t),
    }
}

/// The master's first byte for a slave whose first ack was
/// `slave_request_offset` (§6.3); `None` while there is nothing to start
/// from (no ack yet, or an empty master) — heartbeat and retry.
pub fn first_transfer_offset(
    slave_request_offset: i64,
    sync_from_last_file: bool,
    master_min_offset: Option<i64>,
    master_max_offset: i64,
    file_size: i64,
) -> Option<i64> {
    match slave_request_offset {
        o if o > 0 => Some(o),
        0 if sync_from_last_file && file_size > 0 => {
            Some((master_max_offset - master_max_offset.rem_euclid(file_size)).max(0))
        }
        0 => master_min_offset,
        _ => None,
    }
}

/// The size and label of the next data frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunk {
    pub size: usize,
    pub epoch: i32,
    pub epoch_start_offset: i64,
}

/// Cuts `available` bytes at `next` to at most `max_batch` and to the end of
/// the epoch containing `next` (§7.1 step 5). `None` when no epoch entry
/// covers `next` (a slave behind the master's epoch history): the caller
/// sends heartbeats and retries, and never a body without a label (P-H9).
pub fn bound_chunk(epochs: &EpochCache, next: i64, available: usize, max_batch: usize) -> Option<Chunk> {
    let entry = epochs.find_by_offset(next)?;
    let mut size = available.min(max_batch);
    if entry.end_offset != i64::MAX {
        let room = usize::try_from(entry.end_offset - next).unwrap_or(usize::MAX);
        size = size.min(room);
    }
    Some(Chunk { size, epoch: entry.epoch, epoch_start_offset: entry.start_offset })
}

/// `(epoch, startOffset)` of a heartbeat: the entry containing `next`, or
/// the first entry when `next` is unknown or outside the history (§7.2);
/// `(-1, -1)` for an empty history, which a slave ignores.
pub fn heartbeat_label(epochs: &EpochCache, next: i64) -> (i32, i64) {
    epochs
        .find_by_offset(next)
        .or_else(|| epochs.first_entry())
        .map_or((-1, -1), |e| (e.epoch, e.start_offset))
}

/// What a slave does with a TRANSFER frame (§7.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferStep {
    /// Nothing to append (a heartbeat).
    Heartbeat,
    /// Append the body at the current end.
    Append,
    /// An empty store receiving its first bytes at a later file boundary
    /// (`syncFromLastFile`, or the master's first file after retention):
    /// restart the store there, then append.
    ResetThenAppend(i64),
}

/// Why a slave rejects a frame; the connection closes and the master
/// restarts from the slave's reported offset after the next handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransferReject {
    #[error("frame at offset {offset} does not continue the local log ending at {local_max}")]
    OffsetMismatch { offset: i64, local_max: i64 },
    #[error("first bytes of an empty store at offset {offset}, not a file boundary")]
    NotFileStart { offset: i64 },
    #[error(
        "frame of {len} bytes at offset {offset} crosses a local CommitLog file boundary: \
         the master's mappedFileSizeCommitLog differs from ours ({file_size}); \
         master and slaves must use the same value (P-H12)"
    )]
    CrossesFile { offset: i64, len: usize, file_size: i64 },
}

/// §7.3 step 1 plus the empty-store case. `local_max == 0` means an
/// empty store (a store restarted at a later file has a non-zero end).
///
/// P-H12: the slave appends the master's bytes blindly at the same offsets,
/// so both sides must cut files at the same places. The protocol carries no
/// file size, but a master frame never crosses one of the master's files:
/// a frame that crosses one of ours proves the sizes differ, and is refused
/// before a record is split across two local files. (A master whose files
/// are a whole fraction of ours never produces such a frame; its first
/// BLANK marker would then hide the rest of our file from dispatch. That
/// case is not detectable on the wire.)
pub fn plan_transfer(
    local_max: i64,
    offset: i64,
    body_len: usize,
    file_size: i64,
) -> Result<TransferStep, TransferReject> {
    let mismatch = TransferReject::OffsetMismatch { offset, local_max };
    if body_len == 0 {
        // A heartbeat before the master knows where to start carries −1.
        return match local_max != 0 && offset >= 0 && offset != local_max {
            true => Err(mismatch),
            false => Ok(TransferStep::Heartbeat),
        };
    }
    let step = if local_max != 0 || offset < 0 {
        if offset != local_max {
            return Err(mismatch);
        }
        TransferStep::Append
    } else {
        match offset {
            0 => TransferStep::Append,
            o if file_size > 0 && o % file_size == 0 => TransferStep::ResetThenAppend(o),
            o => return Err(TransferReject::NotFileStart { offset: o }),
        }
    };
    let last = offset.saturating_add(body_len as i64 - 1);
    if file_size > 0 && offset / file_size != last / file_size {
        return Err(TransferReject::CrossesFile { offset, len: body_len, file_size });
    }
    Ok(step)
}

#[cfg(test)]
#[path = "truncation_tests.rs"]
mod tests;
