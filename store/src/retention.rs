//! Retention (spec/store.md §10): delete CommitLog files by age at the
//! `deleteWhen` hours or under disk pressure, then the ConsumeQueue and index
//! files that only pointed into them. Refuses writes when the disk is nearly
//! full rather than letting appends fail half-way.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

use booster_conf::MessageStoreConfig;
use chrono::Timelike;

use crate::commit_log::{CommitLog, now_ms};
use crate::consume_queue::ConsumeQueueStore;
use crate::error::{Result, StoreError};
use crate::index::IndexService;

/// Rounds a manual trigger keeps deletion going (RocketMQ's 20).
const MANUAL_DELETE_ROUNDS: u32 = 20;

/// The pure decision of one cleanup round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CleanDecision {
    /// Delete expired files this round.
    pub delete: bool,
    /// Delete files regardless of age (space is critical).
    pub forcibly: bool,
    /// Refuse writes until usage drops.
    pub disk_full: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CleanPolicy {
    pub delete_when_hours: Vec<u32>,
    pub disk_max_used_space_ratio: u32,
    pub clean_forcibly_ratio: u32,
    pub warning_ratio: u32,
    pub clean_file_forcibly_enable: bool,
}

impl CleanPolicy {
    pub fn from_config(c: &MessageStoreConfig) -> Self {
        Self {
            delete_when_hours: c.delete_when.split(';').filter_map(|h| h.trim().parse().ok()).collect(),
            disk_max_used_space_ratio: c.disk_max_used_space_ratio,
            clean_forcibly_ratio: c.disk_space_clean_forcibly_ratio.clamp(30, 85),
            warning_ratio: c.disk_space_warning_level_ratio.clamp(35, 90),
            clean_file_forcibly_enable: c.clean_file_forcibly_enable,
        }
    }

    /// Decides a round from the local hour, the partition usage in percent and
    /// whether a manual trigger is active.
    pub fn decide(&self, local_hour: u32, used_percent: u32, manual: bool) -> CleanDecision {
        let time_up = self.delete_when_hours.contains(&local_hour);
        let space = used_percent > self.disk_max_used_space_ratio;
        let forcibly = used_percent > self.clean_forcibly_ratio && self.clean_file_forcibly_enable;
        CleanDecision {
            delete: time_up || space || manual || forcibly,
            forcibly,
            disk_full: used_percent > self.warning_ratio,
        }
    }

    /// Whether a file last modified at `modified_ms` may go at `now_ms`.
    pub fn file_expired(reserved_hours: u32, modified_ms: i64, now_ms: i64, forcibly: bool) -> bool {
        forcibly || modified_ms + i64::from(reserved_hours) * 3_600_000 <= now_ms
    }
}

/// Used share of the partition holding `path`, rounded up to whole percent
/// (used / (used + available), like RocketMQ).
pub fn used_percent(path: &Path) -> Option<u32> {
    let s = nix::sys::statvfs::statvfs(path).ok()?;
    let frsize = s.fragment_size() as u128;
    let total = s.blocks() as u128 * frsize;
    let free = s.blocks_free() as u128 * frsize;
    let avail = s.blocks_available() as u128 * frsize;
    let used = total.checked_sub(free)?;
    let denom = used + avail;
    if denom == 0 {
        return None;
    }
    Some(((used * 100).div_ceil(denom)) as u32)
}

#[derive(Debug)]
pub struct Retention {
    policy: CleanPolicy,
    commit_log_dir: PathBuf,
    consume_queue_dir: PathBuf,
    file_reserved_time: u32,
    delete_file_batch_max: usize,
    delete_interval: Duration,
    disk_full: AtomicBool,
    manual_rounds: AtomicU32,
}

impl Retention {
    pub fn new(c: &MessageStoreConfig) -> Self {
        Self {
            policy: CleanPolicy::from_config(c),
            commit_log_dir: c.commit_log_dir(),
            consume_queue_dir: c.consume_queue_dir(),
            file_reserved_time: c.file_reserved_time,
            delete_file_batch_max: c.delete_file_batch_max as usize,
            delete_interval: Duration::from_millis(c.delete_commit_log_files_interval),
            disk_full: AtomicBool::new(false),
            manual_rounds: AtomicU32::new(0),
        }
    }

    pub fn check_writable(&self) -> Result<()> {
        if self.disk_full.load(Ordering::Acquire) {
            return Err(StoreError::NotWritable("disk usage above diskSpaceWarningLevelRatio".into()));
        }
        Ok(())
    }

    /// One cleanup round. Returns the number of CommitLog files deleted.
    pub fn run(
        &self,
        commit_log: &CommitLog,
        queues: &ConsumeQueueStore,
        index: Option<&IndexService>,
        manual: bool,
    ) -> Result<usize> {
        if manual {
            self.manual_rounds.store(MANUAL_DELETE_ROUNDS, Ordering::Release);
        }
        let manual_active = self
            .manual_rounds
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
            .is_ok();
        let used = [&self.commit_log_dir, &self.consume_queue_dir]
            .iter()
            .filter_map(|d| used_percent(d))
            .max()
            .unwrap_or(0);
        let decision = self.policy.decide(chrono::Local::now().hour(), used, manual_active);
        if decision.disk_full != self.disk_full.swap(decision.disk_full, Ordering::AcqRel) {
            tracing::warn!(used_percent = used, disk_full = decision.disk_full, "disk-full state changed");
        }
        if !decision.delete {
            return Ok(0);
        }
        let now = now_ms();
        let min_before = commit_log.min_offset();
        let mut first = true;
        let removed = commit_log.files().delete_oldest_while(self.delete_file_batch_max, |f| {
            let expired = CleanPolicy::file_expired(
                self.file_reserved_time,
                f.last_modified_ms(),
                now,
                decision.forcibly,
            );
            if expired && !std::mem::take(&mut first) {
                std::thread::sleep(self.delete_interval);
            }
            expired
        })?;
        for f in &removed {
            tracing::info!(file = %f.path().display(), forcibly = decision.forcibly, "deleted expired CommitLog file");
        }
        let min_after = commit_log.min_offset();
        if min_after > min_before {
            for q in queues.all() {
                q.delete_expired(min_after, usize::MAX)?;
            }
            if let Some(index) = index {
                index.delete_expired(min_after)?;
            }
        }
        Ok(removed.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> CleanPolicy {
        CleanPolicy::from_config(&MessageStoreConfig {
            delete_when: "03;04".into(),
            ..MessageStoreConfig::default()
        })
    }

    #[test]
    fn decides_by_hour_space_and_manual() {
        let p = policy();
        assert_eq!(p.delete_when_hours, vec![3, 4]);
        assert!(!p.decide(5, 10, false).delete);
        assert!(p.decide(4, 10, false).delete);
        assert!(p.decide(5, 76, false).delete, "above diskMaxUsedSpaceRatio");
        assert!(!p.decide(5, 76, false).forcibly);
        assert!(p.decide(5, 86, false).forcibly, "above diskSpaceCleanForciblyRatio");
        assert!(!p.decide(5, 90, false).disk_full);
        assert!(p.decide(5, 91, false).disk_full, "above diskSpaceWarningLevelRatio");
        assert!(p.decide(5, 10, true).delete);
    }

    #[test]
    fn ratios_are_clamped() {
        let c = MessageStoreConfig {
            disk_space_clean_forcibly_ratio: 99,
            disk_space_warning_level_ratio: 10,
            ..MessageStoreConfig::default()
        };
        let p = CleanPolicy::from_config(&c);
        assert_eq!((p.clean_forcibly_ratio, p.warning_ratio), (85, 35));
    }

    #[test]
    fn expiry_by_reserved_hours() {
        let hour = 3_600_000;
        assert!(!CleanPolicy::file_expired(72, 0, 71 * hour, false));
        assert!(CleanPolicy::file_expired(72, 0, 72 * hour, false));
        assert!(CleanPolicy::file_expired(72, 0, 1, true));
    }

    #[test]
    fn usage_of_a_real_partition() {
        let u = used_percent(Path::new("/")).unwrap();
        assert!(u <= 100);
    }
}
