//! Crash recovery (spec/store.md §8): find where the CommitLog really ends,
//! cut everything after it (files, stale bytes, ConsumeQueue entries) and
//! rebuild the queue-offset table.

use std::collections::HashMap;

use crate::checkpoint::CheckpointData;
use crate::commit_log::{CommitLog, ScanEnd, topic_queue_key};
use crate::consume_queue::ConsumeQueueStore;
use crate::error::Result;
use crate::record::{self, RecordCheck};

/// What recovery found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovered {
    /// End of the last whole valid record.
    pub process_offset: i64,
    /// Where dispatch must resume so every ConsumeQueue is complete.
    pub reput_offset: i64,
}

/// The confirm offset a replica resumes with (spec/ha.md §9.3): the
/// checkpoint's value, raised to the CommitLog's min offset (older files
/// were deleted) or lowered to the end of the last whole record (a crash
/// lost the tail it confirmed).
pub fn resume_confirm_offset(stored: i64, min_offset: i64, process_offset: i64) -> i64 {
    if stored < min_offset {
        min_offset
    } else if stored > process_offset {
        process_offset
    } else {
        stored
    }
}

pub struct RecoveryInput<'a> {
    pub commit_log: &'a CommitLog,
    pub queues: &'a ConsumeQueueStore,
    pub checkpoint: CheckpointData,
    pub last_exit_ok: bool,
    pub check_crc: bool,
    pub index_safe: bool,
}

pub fn recover(input: RecoveryInput<'_>) -> Result<Recovered> {
    let RecoveryInput { commit_log, queues, checkpoint, last_exit_ok, check_crc, index_safe } = input;
    queues.recover()?;
    let dispatch_from = queues.max_physic_offset();
    let files = commit_log.files().files();
    if files.is_empty() {
        queues.destroy_all()?;
        commit_log.set_topic_queue_table(HashMap::new());
        return Ok(Recovered { process_offset: 0, reput_offset: 0 });
    }

    // Newest file whose first record is known to be dispatched/durable.
    let start = files
        .iter()
        .rev()
        .find(|f| match record::check_record(f.read_unpublished(0), check_crc) {
            RecordCheck::Record(v) if v.store_timestamp != 0 => {
                let base_ok = if last_exit_ok {
                    v.physical_offset <= dispatch_from
                } else {
                    v.store_timestamp <= checkpoint.min_timestamp()
                };
                base_ok && (!index_safe || v.store_timestamp <= checkpoint.index_msg_timestamp)
            }
            _ => false,
        })
        .unwrap_or(&files[0]);
    let start_offset = start.file_from_offset();

    let mut scanned: HashMap<String, i64> = HashMap::new();
    let end = commit_log.scan(start_offset, i64::MAX, check_crc, false, |_, view| {
        if record::is_consumable_sys_flag(view.sys_flag) {
            let next = scanned.entry(topic_queue_key(&view.topic(), view.queue_id)).or_insert(0);
            *next = (*next).max(view.queue_offset + 1);
        }
        true
    });
    let process_offset = end.offset();
    if let ScanEnd::Invalid(offset, reason) = end {
        let file =
            commit_log.files().find(offset).map(|f| f.path().display().to_string()).unwrap_or_default();
        let tail_is_zero = commit_log.files().find(offset).map(|f| {
            f.read_unpublished((offset - f.file_from_offset()) as usize).iter().take(8).all(|b| *b == 0)
        });
        if tail_is_zero != Some(true) {
            tracing::warn!(file, offset, %reason, "CommitLog ends in a torn or corrupt record; truncating it");
        }
    }
    tracing::info!(last_exit_ok, start_offset, process_offset, "CommitLog recovered");

    queues.truncate_by_phys(process_offset)?;
    commit_log.files().truncate(process_offset)?;
    // Next queue offsets: whatever the surviving entries and records imply.
    let mut table = queues.topic_queue_table();
    for (key, next) in scanned {
        let v = table.entry(key).or_insert(0);
        *v = (*v).max(next);
    }
    commit_log.set_topic_queue_table(table);
    for q in queues.all() {
        q.correct_min_offset(commit_log.min_offset());
    }
    Ok(Recovered { process_offset, reput_offset: start_offset.min(process_offset) })
}

#[cfg(test)]
mod tests {
    use super::resume_confirm_offset;

    #[test]
    fn resumed_confirm_offset_is_clamped_like_java() {
        assert_eq!(resume_confirm_offset(500, 100, 900), 500);
        assert_eq!(resume_confirm_offset(50, 100, 900), 100, "below the first file");
        assert_eq!(resume_confirm_offset(0, 0, 900), 0, "never confirmed: nothing");
        assert_eq!(resume_confirm_offset(1_000, 100, 900), 900, "past the recovered end");
        assert_eq!(resume_confirm_offset(900, 100, 900), 900);
        // Java tests the min first: an empty log past its first file.
        assert_eq!(resume_confirm_offset(10, 4096, 0), 4096);
    }
}
