//! A full disk makes appends fail with a clear error and leaves the files
//! consistent: every acknowledged message survives a restart.

mod common;

use std::process::Command;

use booster_store::StoreError;
use booster_store::mapped_file::file_name;
use common::*;

#[test]
fn failing_file_creation_fails_the_append_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let config = small_config(dir.path(), 4096);
    let store = open(&config);
    // Something the store cannot replace sits where the next file must go.
    let blocker = config.commit_log_dir().join(file_name(4096));
    std::fs::create_dir(&blocker).unwrap();
    let mut acked = Vec::new();
    let err = loop {
        match store.append(&[message("T", 0, &[7u8; 200], "", "")]) {
            Ok(r) => acked.push(r.wrote_offset),
            Err(e) => break e,
        }
    };
    assert!(matches!(err, StoreError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains(&file_name(4096)), "error names the file: {err}");
    assert!(store.message_at(acked[0]).is_some(), "reads keep working");
    std::fs::remove_dir(&blocker).unwrap();
    acked.push(store.append(&[message("T", 0, b"after", "", "")]).unwrap().wrote_offset);
    drop(store);
    mark_crashed(&config);
    let store = open(&config);
    assert_eq!(queue_records(&store, "T", 0).len(), acked.len());
    for offset in acked {
        assert!(store.message_at(offset).is_some());
    }
}

/// Unmounts the tmpfs when the test ends, however it ends.
struct Mount(std::path::PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn real_full_tmpfs() {
    let dir = tempfile::tempdir().unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=512k", "tmpfs"])
        .arg(dir.path())
        .output()
        .is_ok_and(|o| o.status.success());
    if !mounted {
        eprintln!(
            "real_full_tmpfs: cannot mount a tmpfs here (needs root); the injected-error test covers the path"
        );
        return;
    }
    let _mount = Mount(dir.path().to_owned());
    let config = small_config(dir.path(), 64 * 1024);
    let store = open(&config);
    let mut acked = 0;
    let err = loop {
        match store.append(&[message("Full", 0, &[1u8; 1000], "t", "")]) {
            Ok(_) => acked += 1,
            Err(e) => break e,
        }
        assert!(acked < 10_000, "a 512 KiB disk cannot take 10 MB");
    };
    assert!(err.to_string().contains("No space left"), "{err}");
    assert!(acked > 100, "most of the disk was used: {acked}");
    drop(store);
    mark_crashed(&config);
    let store = open(&config);
    assert_eq!(queue_records(&store, "Full", 0).len(), acked);
}
