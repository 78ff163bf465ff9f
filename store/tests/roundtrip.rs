//! Property tests: any message or batch appended reads back byte-identical,
//! across CommitLog file boundaries and after a restart (clean or crashed).

mod common;

use booster_store::MessageToStore;
use booster_store::record::{self, RecordCheck};
use common::*;
use proptest::prelude::*;

fn arb_batch() -> impl Strategy<Value = Vec<(Vec<u8>, String)>> {
    proptest::collection::vec((proptest::collection::vec(any::<u8>(), 0..600), "[a-z]{0,8}"), 1..5)
}

fn check_identical(
    store: &booster_store::MessageStore,
    appended: &[(i64, Vec<u8>)],
) -> Result<(), TestCaseError> {
    for (offset, bytes) in appended {
        let got = store.message_at(*offset);
        prop_assert_eq!(got.as_deref(), Some(&bytes[..]), "record at {}", offset);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn appended_records_read_back_identically(batches in proptest::collection::vec(arb_batch(), 1..40), crash in any::<bool>()) {
        let dir = tempfile::tempdir().unwrap();
        let config = small_config(dir.path(), 4096);
        let store = open(&config);
        let mut appended = Vec::new();
        let mut per_queue = [0i64; 3];
        for (i, batch) in batches.iter().enumerate() {
            let queue_id = (i % 3) as i32;
            let msgs: Vec<MessageToStore> = batch
                .iter()
                .map(|(body, tags)| message("PropTopic", queue_id, body, tags, ""))
                .collect();
            let r = store.append(&msgs).unwrap();
            prop_assert_eq!(r.queue_offset, per_queue[queue_id as usize]);
            per_queue[queue_id as usize] += msgs.len() as i64;
            // Every record of the batch lies in one file.
            prop_assert_eq!(r.wrote_offset / 4096, (r.end_offset() - 1) / 4096);
            let mut offset = r.wrote_offset;
            for m in &msgs {
                let bytes = store.message_at(offset).unwrap();
                let RecordCheck::Record(v) = record::check_record(&bytes, true) else { panic!("undecodable") };
                prop_assert_eq!(v.body, &m.body[..]);
                prop_assert_eq!(v.physical_offset, offset);
                appended.push((offset, bytes.to_vec()));
                offset += bytes.len() as i64;
            }
        }
        check_identical(&store, &appended)?;
        store.shutdown().unwrap();
        drop(store);
        if crash {
            mark_crashed(&config);
        }
        let store = open(&config);
        check_identical(&store, &appended)?;
        for (queue_id, count) in per_queue.iter().enumerate() {
            prop_assert_eq!(store.max_offset_in_queue("PropTopic", queue_id as i32), *count);
            prop_assert_eq!(queue_records(&store, "PropTopic", queue_id as i32).len() as i64, *count);
        }
    }
}
