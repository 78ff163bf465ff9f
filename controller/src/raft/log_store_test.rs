use openraft::testing::{blank_ent, log_id};
use openraft::{RaftLogReader, storage::RaftLogStorage};

use super::*;

/// `raft-log` bytes holding blank entries 1..=n of term 1.
fn log_with_entries(n: u64) -> Vec<u8> {
    let mut mem = LogMem::default();
    for i in 1..=n {
        mem.replay(LogRecord::Entry(blank_ent::<TypeConfig>(1, 0, i)));
    }
    mem.encode_all().unwrap()
}

async fn indexes(store: &mut LogStore) -> Vec<u64> {
    store.try_get_log_entries(..).await.unwrap().iter().map(|e| e.log_id.index).collect()
}

#[tokio::test]
async fn a_log_cut_at_any_byte_reopens_with_its_whole_records() {
    let full = log_with_entries(3);
    let one_record = full.len() / 3;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(LOG_FILE);
    for cut in 0..=full.len() {
        std::fs::write(&path, &full[..cut]).unwrap();
        let mut store = LogStore::open(dir.path()).unwrap();
        let whole = (cut / one_record) as u64;
        assert_eq!(indexes(&mut store).await, (1..=whole).collect::<Vec<_>>(), "cut at {cut}");
        assert_eq!(std::fs::metadata(&path).unwrap().len(), whole * one_record as u64, "torn tail removed");
        let state = store.get_log_state().await.unwrap();
        assert_eq!(state.last_log_id, (whole > 0).then(|| log_id(1, 0, whole)));
    }
}

#[tokio::test]
async fn garbage_after_the_last_record_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = log_with_entries(2);
    let valid = bytes.len() as u64;
    bytes.extend_from_slice(&[0xff; 37]);
    std::fs::write(dir.path().join(LOG_FILE), &bytes).unwrap();
    let mut store = LogStore::open(dir.path()).unwrap();
    assert_eq!(indexes(&mut store).await, vec![1, 2]);
    assert_eq!(std::fs::metadata(dir.path().join(LOG_FILE)).unwrap().len(), valid);
}

#[tokio::test]
async fn a_checksummed_but_undecodable_record_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = log_with_entries(1);
    record::encode(b"{\"NotARecord\":1}", &mut bytes);
    std::fs::write(dir.path().join(LOG_FILE), &bytes).unwrap();
    assert!(matches!(LogStore::open(dir.path()), Err(StoreError::Corrupt { .. })));
    std::fs::write(dir.path().join(VOTE_FILE), b"not json").unwrap();
    std::fs::write(dir.path().join(LOG_FILE), b"").unwrap();
    assert!(matches!(LogStore::open(dir.path()), Err(StoreError::Corrupt { .. })));
}

#[tokio::test]
async fn vote_purge_truncate_and_committed_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(LOG_FILE), log_with_entries(10)).unwrap();
    {
        let mut store = LogStore::open(dir.path()).unwrap();
        store.save_vote(&Vote::new(4, 2)).await.unwrap();
        store.purge(log_id(1, 0, 3)).await.unwrap();
        store.truncate(log_id(1, 0, 8)).await.unwrap();
        store.save_committed(Some(log_id(1, 0, 6))).await.unwrap();
    }
    let mut store = LogStore::open(dir.path()).unwrap();
    assert_eq!(store.read_vote().await.unwrap(), Some(Vote::new(4, 2)));
    assert_eq!(indexes(&mut store).await, vec![4, 5, 6, 7]);
    let state = store.get_log_state().await.unwrap();
    assert_eq!(state.last_purged_log_id, Some(log_id(1, 0, 3)));
    assert_eq!(state.last_log_id, Some(log_id(1, 0, 7)));
    assert_eq!(store.read_committed().await.unwrap(), Some(log_id(1, 0, 6)));
}

#[tokio::test]
async fn purging_everything_keeps_the_purge_point_as_last_log_id() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(LOG_FILE), log_with_entries(3)).unwrap();
    LogStore::open(dir.path()).unwrap().purge(log_id(1, 0, 3)).await.unwrap();
    let mut store = LogStore::open(dir.path()).unwrap();
    assert!(indexes(&mut store).await.is_empty());
    let state = store.get_log_state().await.unwrap();
    assert_eq!((state.last_purged_log_id, state.last_log_id), (Some(log_id(1, 0, 3)), Some(log_id(1, 0, 3))));
}
