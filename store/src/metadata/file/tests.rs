//! Persistence protocol and load fallbacks, including the states a crash can
//! leave behind.

use std::fs;
use std::path::PathBuf;

use tempfile::TempDir;

use super::*;
use crate::metadata::{ConsumerOffsetWrapper, DataVersion, TopicConfig, TopicConfigSerializeWrapper};

fn setup() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config").join("topics.json");
    (dir, path)
}

fn json_parse(text: &str) -> std::result::Result<serde_json::Value, serde_json::Error> {
    from_rocketmq_json(text)
}

#[test]
fn paths() {
    assert_eq!(backup_path("/a/topics.json"), PathBuf::from("/a/topics.json.bak"));
    assert_eq!(temp_path("/a/topics.json"), PathBuf::from("/a/topics.json.tmp"));
    let f = ConfigFile::new("x/y.json");
    assert_eq!(f.path(), Path::new("x/y.json"));
    assert_eq!(f.backup_path(), PathBuf::from("x/y.json.bak"));
    assert_eq!(f.temp_path(), PathBuf::from("x/y.json.tmp"));
}

#[test]
fn persist_creates_dir_rotates_backup_and_leaves_no_tmp() {
    let (_dir, path) = setup();
    persist(&path, "{\"v\":1}").unwrap();
    assert_eq!(fs::read_to_string(&path).unwrap(), "{\"v\":1}");
    assert!(!backup_path(&path).exists());
    persist(&path, "{\"v\":2}").unwrap();
    assert_eq!(fs::read_to_string(&path).unwrap(), "{\"v\":2}");
    assert_eq!(fs::read_to_string(backup_path(&path)).unwrap(), "{\"v\":1}");
    persist(&path, "{\"v\":3}").unwrap();
    assert_eq!(fs::read_to_string(backup_path(&path)).unwrap(), "{\"v\":2}");
    assert!(!temp_path(&path).exists());
    assert_eq!(load(&path).unwrap().as_deref(), Some("{\"v\":3}"));
}

#[test]
fn both_missing_means_defaults() {
    let (_dir, path) = setup();
    assert_eq!(load(&path).unwrap(), None);
    assert!(load_with(&path, json_parse).unwrap().is_none());
}

#[test]
fn leftover_tmp_is_ignored() {
    // Crash after writing .tmp, before the renames: main is still the truth.
    let (_dir, path) = setup();
    persist(&path, "{\"v\":1}").unwrap();
    fs::write(temp_path(&path), "{\"v\":2, trunc").unwrap();
    let v = load_with(&path, json_parse).unwrap().unwrap();
    assert_eq!(v["v"], 1);
    // The next write simply replaces the stale .tmp.
    persist(&path, "{\"v\":3}").unwrap();
    assert!(!temp_path(&path).exists());
    assert_eq!(load_with(&path, json_parse).unwrap().unwrap()["v"], 3);
}

#[test]
fn missing_main_with_backup_uses_backup() {
    // Crash between "main → .bak" and ".tmp → main".
    let (_dir, path) = setup();
    persist(&path, "{\"v\":1}").unwrap();
    fs::write(temp_path(&path), "{\"v\":2}").unwrap();
    fs::rename(&path, backup_path(&path)).unwrap();
    assert_eq!(load_with(&path, json_parse).unwrap().unwrap()["v"], 1);
    assert_eq!(load(&path).unwrap().as_deref(), Some("{\"v\":1}"));
}

#[test]
fn truncated_main_falls_back_to_good_backup_and_is_removed() {
    let (_dir, path) = setup();
    persist(&path, "{\"v\":1}").unwrap();
    persist(&path, "{\"v\":2,\"more\":[1,2,3]}").unwrap();
    fs::write(&path, "{\"v\":2,\"mo").unwrap();
    assert_eq!(load_with(&path, json_parse).unwrap().unwrap()["v"], 1);
    // Removed, so the next persist cannot rotate the broken file over .bak.
    assert!(!path.exists());
    persist(&path, "{\"v\":3}").unwrap();
    assert_eq!(fs::read_to_string(backup_path(&path)).unwrap(), "{\"v\":1}");
}

#[test]
fn empty_main_falls_back_to_backup() {
    for empty in ["", "  \n\t", "\0\0\0\0"] {
        let (_dir, path) = setup();
        persist(&path, "{\"v\":1}").unwrap();
        persist(&path, "{\"v\":2}").unwrap();
        fs::write(&path, empty).unwrap();
        assert_eq!(load_with(&path, json_parse).unwrap().unwrap()["v"], 1, "{empty:?}");
        assert_eq!(load(&path).unwrap().as_deref(), Some("{\"v\":1}"));
    }
}

#[test]
fn non_utf8_main_falls_back_to_backup() {
    let (_dir, path) = setup();
    persist(&path, "{\"v\":1}").unwrap();
    persist(&path, "{\"v\":2}").unwrap();
    fs::write(&path, b"{\"v\":\xff}").unwrap();
    assert_eq!(load_with(&path, json_parse).unwrap().unwrap()["v"], 1);
}

#[test]
fn unusable_main_and_missing_or_empty_backup_mean_defaults() {
    let (_dir, path) = setup();
    persist(&path, "").unwrap(); // empty main, no backup
    assert_eq!(load(&path).unwrap(), None);
    fs::write(&path, "garbage").unwrap(); // unparseable main, empty backup
    fs::write(backup_path(&path), "").unwrap();
    assert!(load_with(&path, json_parse).unwrap().is_none());
    fs::write(&path, "garbage").unwrap(); // unparseable main, no backup
    fs::remove_file(backup_path(&path)).unwrap();
    assert!(load_with(&path, json_parse).unwrap().is_none());
}

#[test]
fn unparseable_backup_is_an_error_naming_the_file() {
    let (_dir, path) = setup();
    persist(&path, "{\"v\":").unwrap();
    persist(&path, "").unwrap();
    let err = load_with(&path, json_parse).unwrap_err();
    match &err {
        StoreError::BadMetadata { path: p, reason } => {
            assert_eq!(*p, backup_path(&path));
            assert!(reason.contains("unparseable"), "{reason}");
        }
        other => panic!("unexpected error {other:?}"),
    }
    assert!(err.to_string().contains("topics.json.bak"), "{err}");
    // Nothing is deleted: the operator gets both files to repair.
    assert!(path.exists() && backup_path(&path).exists());
}

#[test]
fn good_main_wins_even_if_backup_is_garbage() {
    let (_dir, path) = setup();
    persist(&path, "garbage").unwrap();
    persist(&path, "{\"v\":2}").unwrap();
    assert_eq!(load_with(&path, json_parse).unwrap().unwrap()["v"], 2);
}

#[test]
fn unreadable_main_is_an_io_error_not_a_fallback() {
    let (_dir, path) = setup();
    fs::create_dir_all(&path).unwrap(); // a directory where the file should be
    persist(backup_path(&path), "{\"v\":1}").unwrap();
    let err = load_with(&path, json_parse).unwrap_err();
    assert!(matches!(err, StoreError::Io { op: "read", .. }), "{err:?}");
}

#[test]
fn config_file_typed_round_trip() {
    let (_dir, path) = setup();
    let file = ConfigFile::new(&path);
    assert_eq!(file.load_json::<TopicConfigSerializeWrapper>().unwrap(), None);

    let mut w = TopicConfigSerializeWrapper { data_version: DataVersion::new(1), ..Default::default() };
    w.topic_config_table.insert("T".into(), TopicConfig::new("T"));
    file.persist_json(&w).unwrap();
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("{\n\t\"dataVersion\":{\n\t\t\"counter\":0,"), "{text}");
    assert_eq!(file.load_json::<TopicConfigSerializeWrapper>().unwrap(), Some(w.clone()));

    w.data_version.next_version(2);
    file.persist_json(&w).unwrap();
    assert_eq!(file.load_json::<TopicConfigSerializeWrapper>().unwrap(), Some(w));
    // The backup is the previous version.
    let bak = fs::read_to_string(file.backup_path()).unwrap();
    assert_eq!(from_rocketmq_json::<TopicConfigSerializeWrapper>(&bak).unwrap().data_version.counter, 0);
}

#[test]
fn config_file_offsets_use_bare_keys_on_disk() {
    let (_dir, path) = setup();
    let file = ConfigFile::new(path.with_file_name("consumerOffset.json"));
    let mut w = ConsumerOffsetWrapper::default();
    w.offset_table.insert("t@g".into(), [(0, 250), (1, 248)].into_iter().collect());
    file.persist_json(&w).unwrap();
    let text = file.load().unwrap().unwrap();
    assert!(text.contains("\t\t\t0:250,\n\t\t\t1:248\n"), "{text}");
    assert!(text.contains("\"groupTopicMap\":{\n\t\t\"g\":[\n\t\t\t\"t\"\n\t\t]\n\t}"), "{text}");
    assert_eq!(file.load_json::<ConsumerOffsetWrapper>().unwrap(), Some(w));
}

#[test]
fn config_file_writers_are_serialized() {
    let (_dir, path) = setup();
    let file = std::sync::Arc::new(ConfigFile::new(&path));
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let file = file.clone();
            std::thread::spawn(move || {
                for i in 0..20 {
                    file.persist(&format!("{{\"t\":{t},\"i\":{i}}}")).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let v = file.load_with(json_parse).unwrap().unwrap();
    assert_eq!(v["i"], 19);
    assert!(json_parse(&fs::read_to_string(file.backup_path()).unwrap()).is_ok());
    assert!(!file.temp_path().exists());
}
