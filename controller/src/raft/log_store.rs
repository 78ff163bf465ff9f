//! The durable Raft log and vote, under `controllerStorePath`.
//!
//! `raft-log` is one append-only file of framed, checksummed records
//! ([`super::record`]) holding serde_json [`LogRecord`]s: entries, the purge
//! point and the (optional, unsynced) committed hint. Appends are fsync'ed
//! before openraft is told they are flushed. Truncation and purging rewrite
//! the file from memory (temp + fsync + rename), so the purge point and the
//! surviving entries change together. The vote lives in `raft-vote.json`,
//! replaced atomically. On open, a torn or corrupt tail is cut off.
//!
//! All entries since the last purge are also kept in memory (the snapshot
//! policy bounds them), which is what readers serve.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::ops::RangeBounds;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use openraft::storage::{LogFlushed, RaftLogStorage};
use openraft::{LogState, OptionalSend, RaftLogReader, StorageIOError};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use super::error::StoreError;
use super::record;
use super::types::{Entry, LogId, StorageError, TypeConfig, Vote};
use crate::fs::{read_if_exists, sync_parent, write_atomically};

pub const LOG_FILE: &str = "raft-log";
pub const VOTE_FILE: &str = "raft-vote.json";

/// One record of `raft-log`.
#[derive(Debug, Clone, Serialize, Deserialize)]
enum LogRecord {
    /// An entry; it replaces any entry at or after its index.
    Entry(Entry),
    /// Everything up to and including this id is gone.
    Purged(LogId),
    /// Hint: entries up to here are committed (lost on a crash is fine).
    Committed(Option<LogId>),
}

fn encode(rec: &LogRecord, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
    record::encode(&serde_json::to_vec(rec)?, out);
    Ok(())
}

/// The log as held in memory.
#[derive(Debug, Default)]
struct LogMem {
    entries: BTreeMap<u64, Entry>,
    last_purged: Option<LogId>,
    committed: Option<LogId>,
}

impl LogMem {
    fn replay(&mut self, rec: LogRecord) {
        match rec {
            LogRecord::Entry(entry) => {
                self.truncate(entry.log_id.index);
                self.entries.insert(entry.log_id.index, entry);
            }
            LogRecord::Purged(upto) => self.purge(upto),
            LogRecord::Committed(committed) => self.committed = committed,
        }
    }

    fn truncate(&mut self, since: u64) {
        self.entries.split_off(&since);
    }

    fn purge(&mut self, upto: LogId) {
        self.entries = self.entries.split_off(&(upto.index + 1));
        self.last_purged = Some(upto);
    }

    fn last_log_id(&self) -> Option<LogId> {
        self.entries.values().next_back().map(|e| e.log_id).or(self.last_purged)
    }

    /// The whole file content that represents this state.
    fn encode_all(&self) -> Result<Vec<u8>, serde_json::Error> {
        let mut out = Vec::new();
        if let Some(purged) = self.last_purged {
            encode(&LogRecord::Purged(purged), &mut out)?;
        }
        for entry in self.entries.values() {
            encode(&LogRecord::Entry(entry.clone()), &mut out)?;
        }
        if self.committed.is_some() {
            encode(&LogRecord::Committed(self.committed), &mut out)?;
        }
        Ok(out)
    }
}

/// The log store openraft drives (one per node).
pub struct LogStore {
    dir: PathBuf,
    mem: Arc<Mutex<LogMem>>,
    /// Append handle of `raft-log`; only touched on blocking threads.
    file: Arc<Mutex<File>>,
    vote: Option<Vote>,
}

/// Shared read access for replication tasks.
#[derive(Clone)]
pub struct LogReader {
    mem: Arc<Mutex<LogMem>>,
}

impl LogStore {
    /// Opens (or creates) the log in `dir`, dropping a torn tail.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(StoreError::io(dir))?;
        let path = dir.join(LOG_FILE);
        let bytes = read_if_exists(&path).map_err(StoreError::io(&path))?.unwrap_or_default();
        let decoded = record::decode_all(&bytes);
        let mut mem = LogMem::default();
        for payload in &decoded.payloads {
            mem.replay(serde_json::from_slice(payload).map_err(StoreError::corrupt(&path))?);
        }
        let file = open_append(&path).map_err(StoreError::io(&path))?;
        if decoded.valid_bytes < bytes.len() {
            tracing::warn!(
                path = %path.display(),
                kept = decoded.valid_bytes,
                dropped = bytes.len() - decoded.valid_bytes,
                "raft log has a torn tail; dropping it"
            );
            file.set_len(decoded.valid_bytes as u64)
                .and_then(|()| file.sync_all())
                .map_err(StoreError::io(&path))?;
        }
        let vote_path = dir.join(VOTE_FILE);
        let vote = match read_if_exists(&vote_path).map_err(StoreError::io(&vote_path))? {
            Some(bytes) => Some(serde_json::from_slice(&bytes).map_err(StoreError::corrupt(&vote_path))?),
            None => None,
        };
        Ok(Self {
            dir: dir.to_owned(),
            mem: Arc::new(Mutex::new(mem)),
            file: Arc::new(Mutex::new(file)),
            vote,
        })
    }

    /// Runs `write` on the log file on a blocking thread; awaiting it keeps
    /// all log I/O in call order, as openraft requires.
    async fn with_file(
        &self,
        write: impl FnOnce(&mut File) -> io::Result<()> + Send + 'static,
    ) -> io::Result<()> {
        let file = Arc::clone(&self.file);
        blocking(move || write(&mut file.lock())).await
    }

    /// Replaces `raft-log` with the in-memory state (after truncate/purge).
    async fn rewrite(&self) -> Result<(), StorageError> {
        let bytes = self.mem.lock().encode_all().map_err(|e| StorageIOError::write_logs(&e))?;
        let path = self.dir.join(LOG_FILE);
        self.with_file(move |file| {
            write_atomically(&path, &bytes)?;
            *file = open_append(&path)?;
            Ok(())
        })
        .await
        .map_err(|e| StorageIOError::write_logs(&e).into())
    }
}

fn open_append(path: &Path) -> io::Result<File> {
    let existed = path.exists();
    let file = OpenOptions::new().create(true).append(true).open(path)?;
    if !existed {
        sync_parent(path)?;
    }
    Ok(file)
}

async fn blocking(f: impl FnOnce() -> io::Result<()> + Send + 'static) -> io::Result<()> {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|e| Err(io::Error::other(e)))
}

fn read_range<RB: RangeBounds<u64>>(mem: &Mutex<LogMem>, range: RB) -> Vec<Entry> {
    mem.lock().entries.range(range).map(|(_, e)| e.clone()).collect()
}

impl RaftLogReader<TypeConfig> for LogReader {
    async fn try_get_log_entries<RB: RangeBounds<u64> + Clone + Debug + OptionalSend>(
        &mut self,
        range: RB,
    ) -> Result<Vec<Entry>, StorageError> {
        Ok(read_range(&self.mem, range))
    }
}

impl RaftLogReader<TypeConfig> for LogStore {
    async fn try_get_log_entries<RB: RangeBounds<u64> + Clone + Debug + OptionalSend>(
        &mut self,
        range: RB,
    ) -> Result<Vec<Entry>, StorageError> {
        Ok(read_range(&self.mem, range))
    }
}

impl RaftLogStorage<TypeConfig> for LogStore {
    type LogReader = LogReader;

    async fn get_log_state(&mut self) -> Result<LogState<TypeConfig>, StorageError> {
        let mem = self.mem.lock();
        Ok(LogState { last_purged_log_id: mem.last_purged, last_log_id: mem.last_log_id() })
    }

    async fn get_log_reader(&mut self) -> LogReader {
        LogReader { mem: Arc::clone(&self.mem) }
    }

    async fn save_vote(&mut self, vote: &Vote) -> Result<(), StorageError> {
        let bytes = serde_json::to_vec(vote).map_err(|e| StorageIOError::write_vote(&e))?;
        let path = self.dir.join(VOTE_FILE);
        blocking(move || write_atomically(&path, &bytes))
            .await
            .map_err(|e| StorageIOError::write_vote(&e))?;
        self.vote = Some(*vote);
        Ok(())
    }

    async fn read_vote(&mut self) -> Result<Option<Vote>, StorageError> {
        Ok(self.vote)
    }

    async fn save_committed(&mut self, committed: Option<LogId>) -> Result<(), StorageError> {
        let mut buf = Vec::new();
        encode(&LogRecord::Committed(committed), &mut buf).map_err(|e| StorageIOError::write_logs(&e))?;
        self.mem.lock().committed = committed;
        // A hint only: it rides along with the next fsync'ed append.
        self.with_file(move |file| file.write_all(&buf))
            .await
            .map_err(|e| StorageIOError::write_logs(&e).into())
    }

    async fn read_committed(&mut self) -> Result<Option<LogId>, StorageError> {
        Ok(self.mem.lock().committed)
    }

    async fn append<I>(&mut self, entries: I, callback: LogFlushed<TypeConfig>) -> Result<(), StorageError>
    where
        I: IntoIterator<Item = Entry> + OptionalSend,
        I::IntoIter: OptionalSend,
    {
        let mut buf = Vec::new();
        {
            let mut mem = self.mem.lock();
            for entry in entries {
                let rec = LogRecord::Entry(entry);
                encode(&rec, &mut buf).map_err(|e| StorageIOError::write_logs(&e))?;
                mem.replay(rec);
            }
        }
        let written = self
            .with_file(move |file| {
                file.write_all(&buf)?;
                file.sync_data()
            })
            .await;
        match written {
            Ok(()) => {
                callback.log_io_completed(Ok(()));
                Ok(())
            }
            Err(e) => {
                callback.log_io_completed(Err(io::Error::new(e.kind(), e.to_string())));
                Err(StorageIOError::write_logs(&e).into())
            }
        }
    }

    async fn truncate(&mut self, log_id: LogId) -> Result<(), StorageError> {
        self.mem.lock().truncate(log_id.index);
        self.rewrite().await
    }

    async fn purge(&mut self, log_id: LogId) -> Result<(), StorageError> {
        self.mem.lock().purge(log_id);
        self.rewrite().await
    }
}

#[cfg(test)]
#[path = "log_store_test.rs"]
mod log_store_test;
