//! `MessageStoreConfig`: the store keys of RocketMQ's broker.conf
//! (spec/config.md §3.2, §3.3). Field names are the RocketMQ key names in
//! snake_case; defaults are RocketMQ's. Durations are milliseconds unless the
//! key says otherwise (`fileReservedTime` is hours), as in RocketMQ.

use std::path::PathBuf;

/// `flushDiskType`: when a put counts as durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FlushDiskType {
    /// Acknowledge after the in-memory append; a background thread flushes.
    #[default]
    AsyncFlush,
    /// Acknowledge after a group-commit flush covers the record.
    SyncFlush,
}

impl FlushDiskType {
    /// RocketMQ's spelling (`ASYNC_FLUSH` / `SYNC_FLUSH`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AsyncFlush => "ASYNC_FLUSH",
            Self::SyncFlush => "SYNC_FLUSH",
        }
    }

    /// Parses RocketMQ's exact upper-case spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ASYNC_FLUSH" => Some(Self::AsyncFlush),
            "SYNC_FLUSH" => Some(Self::SyncFlush),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct MessageStoreConfig {
    pub store_path_root_dir: PathBuf,
    /// `None` means `<storePathRootDir>/commitlog`.
    pub store_path_commit_log: Option<PathBuf>,
    /// `None` means `<storePathRootDir>/epochFileCheckpoint`.
    pub store_path_epoch_file: Option<PathBuf>,
    /// `None` means `<storePathRootDir>/brokerIdentity`.
    pub store_path_broker_identity: Option<PathBuf>,
    pub mapped_file_size_commit_log: u64,
    pub mapped_file_size_consume_queue: u64,
    pub max_message_size: u32,
    pub max_hash_slot_num: u32,
    pub max_index_num: u32,
    pub message_index_enable: bool,
    pub message_index_safe: bool,
    pub check_crc_on_recover: bool,
    pub auto_message_version_on_topic_len: bool,
    pub delete_when: String,
    pub file_reserved_time: u32,
    pub delete_file_batch_max: u32,
    pub disk_max_used_space_ratio: u32,
    pub disk_space_clean_forcibly_ratio: u32,
    pub disk_space_warning_level_ratio: u32,
    pub clean_file_forcibly_enable: bool,
    pub clean_resource_interval: u64,
    pub delete_commit_log_files_interval: u64,
    pub delete_consume_queue_files_interval: u64,
    pub destroy_maped_file_interval_forcibly: u64,
    pub message_delay_level: String,
    pub flush_disk_type: FlushDiskType,
    pub flush_interval_commit_log: u64,
    pub flush_commit_log_least_pages: u32,
    pub flush_commit_log_thorough_interval: u64,
    pub flush_commit_log_timed: bool,
    pub sync_flush_timeout: u64,
    pub flush_interval_consume_queue: u64,
    pub flush_consume_queue_least_pages: u32,
    pub flush_consume_queue_thorough_interval: u64,
    pub os_page_cache_busy_time_out_mills: u64,
    pub read_un_committed: bool,
}

impl Default for MessageStoreConfig {
    fn default() -> Self {
        let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
        Self {
            store_path_root_dir: home.join("store"),
            store_path_commit_log: None,
            store_path_epoch_file: None,
            store_path_broker_identity: None,
            mapped_file_size_commit_log: 1024 * 1024 * 1024,
            mapped_file_size_consume_queue: 300_000 * 20,
            max_message_size: 4 * 1024 * 1024,
            max_hash_slot_num: 5_000_000,
            max_index_num: 20_000_000,
            message_index_enable: true,
            message_index_safe: false,
            check_crc_on_recover: true,
            auto_message_version_on_topic_len: true,
            delete_when: "04".to_owned(),
            file_reserved_time: 72,
            delete_file_batch_max: 10,
            disk_max_used_space_ratio: 75,
            disk_space_clean_forcibly_ratio: 85,
            disk_space_warning_level_ratio: 90,
            clean_file_forcibly_enable: true,
            clean_resource_interval: 10_000,
            delete_commit_log_files_interval: 100,
            delete_consume_queue_files_interval: 100,
            destroy_maped_file_interval_forcibly: 120_000,
            message_delay_level: "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h".to_owned(),
            flush_disk_type: FlushDiskType::AsyncFlush,
            flush_interval_commit_log: 500,
            flush_commit_log_least_pages: 4,
            flush_commit_log_thorough_interval: 10_000,
            flush_commit_log_timed: true,
            sync_flush_timeout: 5_000,
            flush_interval_consume_queue: 1_000,
            flush_consume_queue_least_pages: 2,
            flush_consume_queue_thorough_interval: 60_000,
            os_page_cache_busy_time_out_mills: 1_000,
            read_un_committed: false,
        }
    }
}

impl MessageStoreConfig {
    /// A config rooted at `root` with every other setting at its default.
    pub fn with_root(root: impl Into<PathBuf>) -> Self {
        Self { store_path_root_dir: root.into(), ..Self::default() }
    }

    pub fn commit_log_dir(&self) -> PathBuf {
        self.store_path_commit_log.clone().unwrap_or_else(|| self.store_path_root_dir.join("commitlog"))
    }

    pub fn consume_queue_dir(&self) -> PathBuf {
        self.store_path_root_dir.join("consumequeue")
    }

    pub fn index_dir(&self) -> PathBuf {
        self.store_path_root_dir.join("index")
    }

    pub fn checkpoint_path(&self) -> PathBuf {
        self.store_path_root_dir.join("checkpoint")
    }

    pub fn abort_path(&self) -> PathBuf {
        self.store_path_root_dir.join("abort")
    }

    pub fn lock_path(&self) -> PathBuf {
        self.store_path_root_dir.join("lock")
    }

    pub fn config_dir(&self) -> PathBuf {
        self.store_path_root_dir.join("config")
    }

    pub fn epoch_file_path(&self) -> PathBuf {
        self.store_path_epoch_file.clone().unwrap_or_else(|| self.store_path_root_dir.join("epochFileCheckpoint"))
    }

    pub fn broker_identity_path(&self) -> PathBuf {
        self.store_path_broker_identity.clone().unwrap_or_else(|| self.store_path_root_dir.join("brokerIdentity"))
    }

    /// `mappedFileSizeConsumeQueue` rounded up to whole 20-byte entries.
    pub fn consume_queue_file_size(&self) -> u64 {
        self.mapped_file_size_consume_queue.div_ceil(20) * 20
    }
}
