//! Binding of every MessageStoreConfig key (spec/config.md §3.2, §3.3).

use std::path::PathBuf;

use super::*;
use crate::{ApplyProperties, ConfigError};

/// Every key with a non-default value, one per line (line = index + 1).
const ALL_KEYS: &str = "\
storePathRootDir=/data/rmq
storePathCommitLog=/data/cl
storePathEpochFile=/data/epoch
storePathBrokerIdentity=/data/identity
mappedFileSizeCommitLog=10485760
mappedFileSizeConsumeQueue=6000
maxMessageSize=1024
maxHashSlotNum=50
maxIndexNum=200
messageIndexEnable=false
messageIndexSafe=true
checkCRCOnRecover=false
autoMessageVersionOnTopicLen=false
deleteWhen=01;13
fileReservedTime=48
deleteFileBatchMax=3
diskMaxUsedSpaceRatio=70
diskSpaceCleanForciblyRatio=80
diskSpaceWarningLevelRatio=88
cleanFileForciblyEnable=false
cleanResourceInterval=5000
deleteCommitLogFilesInterval=50
deleteConsumeQueueFilesInterval=60
destroyMapedFileIntervalForcibly=30000
messageDelayLevel=1s 2s
flushDiskType=SYNC_FLUSH
flushIntervalCommitLog=250
flushCommitLogLeastPages=8
flushCommitLogThoroughInterval=20000
flushCommitLogTimed=false
syncFlushTimeout=3000
flushIntervalConsumeQueue=2000
flushConsumeQueueLeastPages=3
flushConsumeQueueThoroughInterval=30000
osPageCacheBusyTimeOutMills=2000
readUnCommitted=true
flushDelayOffsetInterval=3000
";

/// The config `ALL_KEYS` must produce. A full literal on purpose: a new
/// field breaks this test until it is bound and listed above.
fn expected_all() -> MessageStoreConfig {
    MessageStoreConfig {
        store_path_root_dir: PathBuf::from("/data/rmq"),
        store_path_commit_log: Some(PathBuf::from("/data/cl")),
        store_path_epoch_file: Some(PathBuf::from("/data/epoch")),
        store_path_broker_identity: Some(PathBuf::from("/data/identity")),
        mapped_file_size_commit_log: 10_485_760,
        mapped_file_size_consume_queue: 6_000,
        max_message_size: 1024,
        max_hash_slot_num: 50,
        max_index_num: 200,
        message_index_enable: false,
        message_index_safe: true,
        check_crc_on_recover: false,
        auto_message_version_on_topic_len: false,
        delete_when: "01;13".to_owned(),
        file_reserved_time: 48,
        delete_file_batch_max: 3,
        disk_max_used_space_ratio: 70,
        disk_space_clean_forcibly_ratio: 80,
        disk_space_warning_level_ratio: 88,
        clean_file_forcibly_enable: false,
        clean_resource_interval: 5_000,
        delete_commit_log_files_interval: 50,
        delete_consume_queue_files_interval: 60,
        destroy_maped_file_interval_forcibly: 30_000,
        message_delay_level: "1s 2s".to_owned(),
        flush_disk_type: FlushDiskType::SyncFlush,
        flush_interval_commit_log: 250,
        flush_commit_log_least_pages: 8,
        flush_commit_log_thorough_interval: 20_000,
        flush_commit_log_timed: false,
        sync_flush_timeout: 3_000,
        flush_interval_consume_queue: 2_000,
        flush_consume_queue_least_pages: 3,
        flush_consume_queue_thorough_interval: 30_000,
        os_page_cache_busy_time_out_mills: 2_000,
        read_un_committed: true,
        flush_delay_offset_interval: 3_000,
    }
}

#[test]
fn every_key_binds_its_field() {
    let loaded = MessageStoreConfig::from_properties_str(ALL_KEYS, "all.conf").unwrap();
    assert!(loaded.unknown_keys.is_empty(), "{:?}", loaded.unknown_keys);
    assert_eq!(loaded.config, expected_all());
}

#[test]
fn each_key_alone_changes_exactly_its_field() {
    // Catches two keys bound to the same field or a key bound to the wrong one.
    let defaults = MessageStoreConfig::default();
    let all = expected_all();
    let all_dump = all.to_properties();
    for line in ALL_KEYS.lines() {
        let cfg = MessageStoreConfig::from_properties_str(line, "one.conf").unwrap().config;
        let changed: Vec<_> = cfg
            .to_properties()
            .into_iter()
            .filter(|kv| !defaults.to_properties().contains(kv))
            .map(|(k, v)| {
                assert!(all_dump.contains(&(k, v.clone())), "{line}: {k}={v}");
                k
            })
            .collect();
        assert_eq!(changed, [line.split('=').next().unwrap()], "{line}");
    }
}

#[test]
fn binding_table_matches_rocketmq_spellings() {
    let keys: Vec<_> = MessageStoreConfig::BINDINGS.iter().map(|b| b.key).collect();
    let listed: Vec<_> = ALL_KEYS.lines().map(|l| l.split('=').next().unwrap()).collect();
    assert_eq!(keys, listed);
    for odd in [
        "checkCRCOnRecover",
        "destroyMapedFileIntervalForcibly",
        "osPageCacheBusyTimeOutMills",
        "readUnCommitted",
    ] {
        assert!(MessageStoreConfig::is_known_key(odd), "{odd}");
    }
    for wrong in
        ["checkCrcOnRecover", "destroyMappedFileIntervalForcibly", "readUncommitted", "storePathConsumeQueue"]
    {
        assert!(!MessageStoreConfig::is_known_key(wrong), "{wrong}");
    }
}

#[test]
fn empty_file_keeps_defaults() {
    let loaded = MessageStoreConfig::from_properties_bytes(b"# nothing\n", "empty.conf").unwrap();
    assert_eq!(loaded.config, MessageStoreConfig::default());
}

#[test]
fn dump_round_trips() {
    let text: String = expected_all().to_properties().iter().map(|(k, v)| format!("{k}={v}\n")).collect();
    let again = MessageStoreConfig::from_properties_str(&text, "dump.conf").unwrap().config;
    assert_eq!(again, expected_all());
    // Unset optional paths are not dumped (RocketMQ dumps non-null settings).
    let dump = MessageStoreConfig::default().to_properties();
    assert!(!dump.iter().any(|(k, _)| *k == "storePathCommitLog"));
    assert_eq!(dump.len(), MessageStoreConfig::BINDINGS.len() - 3);
}

#[test]
fn sample_broker_conf_with_unknown_keys() {
    let text = "brokerClusterName = DefaultCluster\nbrokerName = broker-a\nbrokerId = 0\n\
deleteWhen = 04\nfileReservedTime = 48\nbrokerRole = ASYNC_MASTER\nflushDiskType = ASYNC_FLUSH\n";
    let loaded = MessageStoreConfig::from_properties_str(text, "broker.conf").unwrap();
    assert_eq!(loaded.config.file_reserved_time, 48);
    assert_eq!(loaded.config.delete_when, "04");
    let unknown: Vec<_> = loaded.unknown_keys.iter().map(|u| (u.key.as_str(), u.line)).collect();
    assert_eq!(unknown, [("brokerClusterName", 1), ("brokerName", 2), ("brokerId", 3), ("brokerRole", 6)]);
}

#[test]
fn values_are_trimmed() {
    let text =
        "flushIntervalCommitLog=100 \t\nmessageIndexEnable=False \nstorePathRootDir=/r \ndeleteWhen=04 ";
    let cfg = MessageStoreConfig::from_properties_str(text, "t.conf").unwrap().config;
    assert_eq!(cfg.flush_interval_commit_log, 100);
    assert!(!cfg.message_index_enable);
    assert_eq!(cfg.store_path_root_dir, PathBuf::from("/r"));
    assert_eq!(cfg.delete_when, "04");
}

#[test]
fn flush_disk_type_is_exact_upper_case() {
    let cfg = MessageStoreConfig::from_properties_str("flushDiskType=SYNC_FLUSH ", "f.conf").unwrap().config;
    assert_eq!(cfg.flush_disk_type, FlushDiskType::SyncFlush);
    let err = MessageStoreConfig::from_properties_str("flushDiskType=sync_flush", "f.conf").unwrap_err();
    assert_eq!(
        err.to_string(),
        "f.conf:1: invalid value \"sync_flush\" for key `flushDiskType`: expected ASYNC_FLUSH or SYNC_FLUSH"
    );
}

#[test]
fn bad_values_are_errors_naming_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broker.conf");
    for (line, expected) in [
        ("mappedFileSizeCommitLog=1g", "an integer in 0..=18446744073709551615"),
        ("maxMessageSize=-1", "an integer in 0..=4294967295"),
        ("checkCRCOnRecover=yes", "true or false"),
        ("readUnCommitted=1", "true or false"),
        ("storePathRootDir=~/store", "a path without `~` (it is not expanded)"),
        ("storePathCommitLog=", "a non-empty path"),
    ] {
        std::fs::write(&path, format!("# store\nbrokerName=a\n\n{line}\n")).unwrap();
        let err = MessageStoreConfig::from_properties_file(&path).unwrap_err();
        let (key, value) = line.split_once('=').unwrap();
        let want =
            format!("{}:4: invalid value {value:?} for key `{key}`: expected {expected}", path.display());
        assert_eq!(err.to_string(), want);
        assert!(matches!(&err, ConfigError::InvalidValue { line: 4, key: k, .. } if k == key));
    }
}

#[test]
fn properties_file_is_read_as_iso_8859_1() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.conf");
    std::fs::write(&path, b"storePathRootDir=/data/caf\xe9\\u00e9\nmaxMessageSize=\\u0031\\u0030").unwrap();
    let loaded = MessageStoreConfig::from_properties_file(&path).unwrap();
    assert_eq!(loaded.config.store_path_root_dir, PathBuf::from("/data/caf\u{e9}\u{e9}"));
    assert_eq!(loaded.config.max_message_size, 10);
    assert_eq!(loaded.properties.origin(), path.display().to_string());
}

/// `ALL_KEYS` as TOML: the test values that are not numbers/bools are strings.
fn all_keys_toml() -> String {
    let mut out = String::new();
    for (key, value) in ALL_KEYS.lines().filter_map(|l| l.split_once('=')) {
        if value.parse::<i64>().is_ok() || value == "true" || value == "false" {
            out += &format!("{key} = {value}\n");
        } else {
            out += &format!("{key} = {value:?}\n");
        }
    }
    out
}

#[test]
fn toml_binds_every_key() {
    let loaded = MessageStoreConfig::from_toml_str(&all_keys_toml(), "store.toml").unwrap();
    assert!(loaded.unknown_keys.is_empty());
    assert_eq!(loaded.config, expected_all());
    assert_eq!(loaded.properties.get("flushDiskType"), Some("SYNC_FLUSH"));
    assert_eq!(loaded.properties.entry("readUnCommitted").map(|e| e.line), Some(36));
}

#[test]
fn toml_file_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.toml");
    std::fs::write(&path, "# store\nstorePathRootDir = \"/t\"\nbrokerName = \"x\"\n").unwrap();
    let loaded = MessageStoreConfig::from_toml_file(&path).unwrap();
    assert_eq!(loaded.config.store_path_root_dir, PathBuf::from("/t"));
    assert_eq!(loaded.unknown_keys.len(), 1);

    std::fs::write(&path, "fileReservedTime = 48\nflushDiskType = \"FAST\"\n").unwrap();
    let err = MessageStoreConfig::from_toml_file(&path).unwrap_err();
    let want = format!(
        "{}:2: invalid value \"\\\"FAST\\\"\" for key `flushDiskType`: expected ASYNC_FLUSH or SYNC_FLUSH",
        path.display()
    );
    assert_eq!(err.to_string(), want);
}
