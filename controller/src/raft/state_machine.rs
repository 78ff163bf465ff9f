//! The Raft state machine: committed entries applied to the shared
//! [`Controller`](crate::Controller), snapshots of its [`ReplicasState`].
//!
//! The state itself is in memory only; durability comes from the log plus
//! `raft-snapshot.json` (serde_json of the snapshot meta and the state,
//! replaced atomically). On open the snapshot is restored into the
//! controller and openraft replays the log after it. The snapshot data sent
//! to followers is the serde_json of the `ReplicasState` alone.

use std::io::{self, Cursor};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use openraft::storage::RaftStateMachine;
use openraft::{EntryPayload, OptionalSend, RaftSnapshotBuilder, Snapshot, StorageIOError};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use super::error::StoreError;
use super::types::{Entry, LogId, SnapshotMeta, StorageError, StoredMembership, TypeConfig};
use crate::fs::{read_if_exists, write_atomically};
use crate::{ReplicasState, SharedController};

pub const SNAPSHOT_FILE: &str = "raft-snapshot.json";

/// Content of `raft-snapshot.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredSnapshot {
    meta: SnapshotMeta,
    state: ReplicasState,
}

impl StoredSnapshot {
    fn to_snapshot(&self) -> Result<Snapshot<TypeConfig>, serde_json::Error> {
        let data = serde_json::to_vec(&self.state)?;
        Ok(Snapshot { meta: self.meta.clone(), snapshot: Box::new(Cursor::new(data)) })
    }
}

/// The newest snapshot and its file; shared by the state machine and the
/// builders openraft runs in their own tasks.
#[derive(Debug)]
struct SnapshotFile {
    path: PathBuf,
    current: Mutex<Option<StoredSnapshot>>,
}

impl SnapshotFile {
    /// Persists `snapshot` unless a newer one is already current.
    fn save(&self, snapshot: StoredSnapshot) -> io::Result<()> {
        let mut current = self.current.lock();
        if current.as_ref().is_some_and(|c| c.meta.last_log_id > snapshot.meta.last_log_id) {
            return Ok(());
        }
        write_atomically(&self.path, &serde_json::to_vec(&snapshot)?)?;
        *current = Some(snapshot);
        Ok(())
    }

    /// [`Self::save`] on a blocking thread.
    async fn save_blocking(self: &Arc<Self>, snapshot: StoredSnapshot) -> Result<(), StorageError> {
        let file = Arc::clone(self);
        let signature = Some(snapshot.meta.signature());
        tokio::task::spawn_blocking(move || file.save(snapshot))
            .await
            .unwrap_or_else(|e| Err(io::Error::other(e)))
            .map_err(|e| StorageIOError::write_snapshot(signature, &e).into())
    }
}

pub struct StateMachine {
    controller: SharedController,
    applied: Option<LogId>,
    membership: StoredMembership,
    snapshots: Arc<SnapshotFile>,
}

impl StateMachine {
    /// Loads the snapshot in `dir`, if any, into `controller` (replacing its
    /// replicated state either way, so the log replay starts from a known
    /// base).
    pub fn open(dir: &Path, controller: SharedController) -> Result<Self, StoreError> {
        let path = dir.join(SNAPSHOT_FILE);
        let stored: Option<StoredSnapshot> = match read_if_exists(&path).map_err(StoreError::io(&path))? {
            Some(bytes) => Some(serde_json::from_slice(&bytes).map_err(StoreError::corrupt(&path))?),
            None => None,
        };
        controller.lock().restore(stored.as_ref().map(|s| s.state.clone()).unwrap_or_default());
        let (applied, membership) = match &stored {
            Some(s) => (s.meta.last_log_id, s.meta.last_membership.clone()),
            None => (None, StoredMembership::default()),
        };
        let snapshots = Arc::new(SnapshotFile { path, current: Mutex::new(stored) });
        Ok(Self { controller, applied, membership, snapshots })
    }
}

/// A copy of the state at one applied log id, written out when built.
pub struct SnapshotBuilder {
    snapshot: StoredSnapshot,
    file: Arc<SnapshotFile>,
}

impl RaftSnapshotBuilder<TypeConfig> for SnapshotBuilder {
    async fn build_snapshot(&mut self) -> Result<Snapshot<TypeConfig>, StorageError> {
        self.file.save_blocking(self.snapshot.clone()).await?;
        let signature = Some(self.snapshot.meta.signature());
        self.snapshot.to_snapshot().map_err(|e| StorageIOError::read_snapshot(signature, &e).into())
    }
}

impl RaftStateMachine<TypeConfig> for StateMachine {
    type SnapshotBuilder = SnapshotBuilder;

    async fn applied_state(&mut self) -> Result<(Option<LogId>, StoredMembership), StorageError> {
        Ok((self.applied, self.membership.clone()))
    }

    async fn apply<I>(&mut self, entries: I) -> Result<Vec<()>, StorageError>
    where
        I: IntoIterator<Item = Entry> + OptionalSend,
        I::IntoIter: OptionalSend,
    {
        let mut replies = Vec::new();
        for entry in entries {
            match entry.payload {
                EntryPayload::Blank => {}
                EntryPayload::Normal(events) => self.controller.lock().apply(&events),
                EntryPayload::Membership(m) => self.membership = StoredMembership::new(Some(entry.log_id), m),
            }
            self.applied = Some(entry.log_id);
            replies.push(());
        }
        Ok(replies)
    }

    async fn get_snapshot_builder(&mut self) -> SnapshotBuilder {
        let meta = SnapshotMeta {
            last_log_id: self.applied,
            last_membership: self.membership.clone(),
            snapshot_id: self.applied.map(|id| id.to_string()).unwrap_or_default(),
        };
        let state = self.controller.lock().state().clone();
        SnapshotBuilder { snapshot: StoredSnapshot { meta, state }, file: Arc::clone(&self.snapshots) }
    }

    async fn begin_receiving_snapshot(&mut self) -> Result<Box<Cursor<Vec<u8>>>, StorageError> {
        Ok(Box::new(Cursor::new(Vec::new())))
    }

    async fn install_snapshot(
        &mut self,
        meta: &SnapshotMeta,
        snapshot: Box<Cursor<Vec<u8>>>,
    ) -> Result<(), StorageError> {
        let state: ReplicasState = serde_json::from_slice(snapshot.get_ref())
            .map_err(|e| StorageIOError::read_snapshot(Some(meta.signature()), &e))?;
        self.snapshots.save_blocking(StoredSnapshot { meta: meta.clone(), state: state.clone() }).await?;
        self.controller.lock().restore(state);
        self.applied = meta.last_log_id;
        self.membership = meta.last_membership.clone();
        Ok(())
    }

    async fn get_current_snapshot(&mut self) -> Result<Option<Snapshot<TypeConfig>>, StorageError> {
        let current = self.snapshots.current.lock();
        let Some(stored) = current.as_ref() else { return Ok(None) };
        let signature = Some(stored.meta.signature());
        stored.to_snapshot().map(Some).map_err(|e| StorageIOError::read_snapshot(signature, &e).into())
    }
}
