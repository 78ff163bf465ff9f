//! openraft's own conformance suite against the controller's log store and
//! state machine (each built in a fresh temp dir).

use std::sync::Arc;

use booster_controller::raft::{LogStore, StateMachine, TypeConfig};
use booster_controller::{Controller, ControllerConfig};
use openraft::StorageError;
use openraft::testing::{StoreBuilder, Suite};
use tempfile::TempDir;

struct TempStore;

impl StoreBuilder<TypeConfig, LogStore, StateMachine, TempDir> for TempStore {
    async fn build(&self) -> Result<(TempDir, LogStore, StateMachine), StorageError<u64>> {
        let dir = tempfile::tempdir().expect("temp dir");
        let log = LogStore::open(dir.path()).expect("open log");
        let controller = Arc::new(parking_lot::Mutex::new(Controller::new(ControllerConfig::default())));
        let sm = StateMachine::open(dir.path(), controller).expect("open state machine");
        Ok((dir, log, sm))
    }
}

#[test]
fn openraft_storage_suite() {
    Suite::test_all(TempStore).unwrap();
}
