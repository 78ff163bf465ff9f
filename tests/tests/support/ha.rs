//! Replication harness: one `mqnamesrv` and several `mqbroker` processes of
//! one broker group with static roles (`brokerRole`, `brokerId`,
//! `haMasterAddress`), plus what the HA tests read from outside the
//! processes: the SyncStateSet from the master's log, CommitLog bytes and
//! the confirm offset from the store files.
//!
//! Each node keeps its store dir, broker port (bound on the first start,
//! reused afterwards) and HA port (fixed up front, so a slave's
//! `haMasterAddress` can name it before the master runs) across restarts,
//! and may change role between starts.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use booster_store::checkpoint::StoreCheckpoint;
use booster_store::record::{self, RecordCheck};
use tempfile::TempDir;

use super::{Proc, base_broker_conf, free_port, on_cluster_drop, spawn_broker, start_namesrv, tail};

/// One broker of the group.
pub struct HaNode {
    pub proc: Option<Proc>,
    /// `<cluster>/node<i>`: broker.conf, logs and `store/`.
    pub dir: PathBuf,
    /// 0 before the first start.
    pub port: u16,
    pub ha_port: u16,
    starts: usize,
}

impl HaNode {
    pub fn store_dir(&self) -> PathBuf {
        self.dir.join("store")
    }

    pub fn commit_log_dir(&self) -> PathBuf {
        self.store_dir().join("commitlog")
    }

    pub fn ha_addr(&self) -> String {
        format!("127.0.0.1:{}", self.ha_port)
    }

    /// The log of the current (or last) start.
    pub fn log_path(&self) -> PathBuf {
        self.dir.join(format!("broker-{}.log", self.starts))
    }

    pub fn proc(&self) -> &Proc {
        self.proc.as_ref().expect("node running")
    }
}

/// A name server and `n` broker nodes, none started.
/// Fields drop in order: the processes die before their temp dir goes.
pub struct HaCluster {
    pub nodes: Vec<HaNode>,
    pub namesrv: Proc,
    pub namesrv_addr: String,
    /// `broker.conf` lines every node gets (timings, file sizes).
    common: BTreeMap<String, String>,
    pub dir: TempDir,
}

impl HaCluster {
    pub fn new(n: usize, common: &[(&str, &str)]) -> HaCluster {
        let dir = tempfile::Builder::new().prefix("booster-e2e-ha-").tempdir().expect("tempdir");
        let (namesrv, namesrv_addr) = start_namesrv(dir.path());
        let nodes = (0..n)
            .map(|i| {
                let node_dir = dir.path().join(format!("node{i}"));
                std::fs::create_dir_all(&node_dir).unwrap();
                HaNode { proc: None, dir: node_dir, port: 0, ha_port: free_port(), starts: 0 }
            })
            .collect();
        let common = common.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        HaCluster { nodes, namesrv, namesrv_addr, common, dir }
    }

    /// Starts node `i` as the SYNC_MASTER (brokerId 0).
    pub fn start_master(&mut self, i: usize, extra: &[(&str, &str)]) {
        let mut conf: Vec<(&str, &str)> = vec![("brokerRole", "SYNC_MASTER"), ("brokerId", "0")];
        conf.extend_from_slice(extra);
        self.start_node(i, &conf);
    }

    /// Starts node `i` as a SLAVE with `broker_id`, replicating from node
    /// `master`'s HA port.
    pub fn start_slave(&mut self, i: usize, broker_id: i64, master: usize) {
        let (id, master) = (broker_id.to_string(), self.nodes[master].ha_addr());
        self.start_node(i, &[("brokerRole", "SLAVE"), ("brokerId", &id), ("haMasterAddress", &master)]);
    }

    fn start_node(&mut self, i: usize, role: &[(&str, &str)]) {
        let node = &mut self.nodes[i];
        assert!(node.proc.is_none(), "node {i} already running");
        let mut conf = base_broker_conf(&node.store_dir(), node.port, node.ha_port);
        conf.extend(self.common.clone());
        conf.extend(role.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        node.starts += 1;
        let (proc, port) =
            spawn_broker(&format!("mqbroker-node{i}"), &node.dir, &conf, &self.namesrv_addr, node.log_path());
        assert!(node.port == 0 || node.port == port, "node {i} moved to port {port}");
        node.port = port;
        node.proc = Some(proc);
    }

    /// Graceful stop (SIGTERM: files flushed, checkpoint written); asserts a
    /// clean exit in time.
    pub fn stop(&mut self, i: usize) {
        let mut proc = self.nodes[i].proc.take().expect("node running");
        let (status, graceful) = proc.terminate();
        assert!(graceful && status.success(), "node {i} stop: {status}; log:\n{}", proc.log_tail(40));
    }

    /// kill -9.
    pub fn kill(&mut self, i: usize) {
        self.nodes[i].proc.take().expect("node running").kill9();
    }

    /// Stops every running node, in index order.
    pub fn stop_all(&mut self) {
        for i in 0..self.nodes.len() {
            if self.nodes[i].proc.is_some() {
                self.stop(i);
            }
        }
    }

    pub fn logs(&self) -> String {
        let mut out = format!("--- namesrv log tail ---\n{}\n", self.namesrv.log_tail(20));
        for (i, node) in self.nodes.iter().enumerate() {
            for start in 1..=node.starts {
                let path = node.dir.join(format!("broker-{start}.log"));
                out.push_str(&format!("--- node {i} start #{start} log tail ---\n{}\n", tail(&path, 40)));
            }
        }
        out
    }
}

impl Drop for HaCluster {
    fn drop(&mut self) {
        let logs = std::thread::panicking().then(|| self.logs());
        on_cluster_drop(&mut self.dir, logs.as_deref());
    }
}

// ---------------------------------------------------------------------------
// The SyncStateSet, from the master's log
// ---------------------------------------------------------------------------

/// Reads a log file incrementally from where the last read stopped.
pub struct LogWatch {
    path: PathBuf,
    pos: u64,
    partial: String,
}

impl LogWatch {
    /// Watches `path` from its current end (earlier lines are ignored).
    pub fn from_end(path: &Path) -> LogWatch {
        let pos = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        LogWatch { path: path.to_owned(), pos, partial: String::new() }
    }

    /// Complete lines appended since the last call.
    pub fn new_lines(&mut self) -> Vec<String> {
        let Ok(mut f) = std::fs::File::open(&self.path) else { return Vec::new() };
        let mut text = String::new();
        if f.seek(SeekFrom::Start(self.pos)).is_err() || f.read_to_string(&mut text).is_err() {
            return Vec::new();
        }
        self.pos += text.len() as u64;
        self.partial.push_str(&text);
        let Some(cut) = self.partial.rfind('\n') else { return Vec::new() };
        let rest = self.partial.split_off(cut + 1);
        let done = std::mem::replace(&mut self.partial, rest);
        done.lines().map(str::to_owned).collect()
    }
}

/// The set of a `proposing a new SyncStateSet set={0, 1}` log line
/// (ha/src/master.rs). With static roles every proposal is accepted at once
/// (`StaticProposer`), so the last proposal is the master's SyncStateSet.
pub fn proposed_sync_state_set(line: &str) -> Option<BTreeSet<i64>> {
    if !line.contains("proposing a new SyncStateSet") {
        return None;
    }
    let inner = line.split("set={").nth(1)?.split('}').next()?;
    inner.split(',').filter(|s| !s.trim().is_empty()).map(|s| s.trim().parse().ok()).collect()
}

/// Waits (bounded, polling the log) until the master's last proposed
/// SyncStateSet since `watch` started is `want`; returns the log lines seen.
pub async fn wait_sync_state_set(watch: &mut LogWatch, want: &[i64], timeout: Duration) -> Vec<String> {
    let want: BTreeSet<i64> = want.iter().copied().collect();
    let deadline = Instant::now() + timeout;
    let mut seen = Vec::new();
    let mut last = None;
    loop {
        for line in watch.new_lines() {
            if let Some(set) = proposed_sync_state_set(&line) {
                last = Some(set);
            }
            seen.push(line);
        }
        if last.as_ref() == Some(&want) {
            return seen;
        }
        assert!(
            Instant::now() < deadline,
            "SyncStateSet never became {want:?} within {timeout:?} (last proposal {last:?}); log since:\n{}",
            seen.join("\n")
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

// ---------------------------------------------------------------------------
// CommitLog files and the checkpoint, read from outside the broker
// ---------------------------------------------------------------------------

/// The CommitLog files of `dir` with their start offsets, in order.
fn commit_log_files(dir: &Path) -> Vec<(i64, PathBuf)> {
    let mut files: Vec<(i64, PathBuf)> = std::fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| e.path()).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| Some((p.file_name()?.to_str()?.parse().ok()?, p)))
        .collect();
    files.sort();
    files
}

/// Where the valid records of the CommitLog in `dir` end: walks record by
/// record (CRC checked), a blank end-of-file marker moves to the next file,
/// the first non-record stops. Works on a running broker's files too (its
/// appends are in the page cache `read` sees).
pub fn commit_log_end(dir: &Path) -> i64 {
    let mut end = 0;
    for (base, path) in commit_log_files(dir) {
        if base != end && end != 0 {
            break;
        }
        end = base;
        let data = std::fs::read(&path).unwrap();
        let mut pos = 0usize;
        loop {
            match record::check_record(&data[pos..], true) {
                RecordCheck::Record(_) => {
                    pos += i32::from_be_bytes(data[pos..pos + 4].try_into().unwrap()) as usize;
                    end = base + pos as i64;
                    if pos == data.len() {
                        break;
                    }
                }
                RecordCheck::Blank => {
                    end = base + data.len() as i64;
                    break;
                }
                RecordCheck::Invalid(_) => return end,
            }
        }
    }
    end
}

/// CommitLog bytes `[0, end)` of `dir`, concatenated from its files.
pub fn commit_log_bytes(dir: &Path, end: i64) -> Vec<u8> {
    let mut out = Vec::new();
    for (base, path) in commit_log_files(dir) {
        let data = std::fs::read(&path).unwrap();
        let (from, to) = (base.max(0), end.min(base + data.len() as i64));
        if from < to {
            out.extend_from_slice(&data[(from - base) as usize..(to - base) as usize]);
        }
    }
    out
}

/// `confirmPhyOffset` of `<store>/checkpoint` (spec/store.md §7, ha.md
/// §9.3): the confirm offset the broker last persisted.
pub fn checkpoint_confirm_offset(store: &Path) -> i64 {
    StoreCheckpoint::open(&store.join("checkpoint")).expect("read checkpoint").get().confirm_phy_offset
}

/// The `(epoch, startOffset)` entries of `<store>/epochFileCheckpoint`
/// (spec/ha.md §5.2: count, CRC, then one `epoch-startOffset` line each).
pub fn epoch_entries(store: &Path) -> Vec<(i32, i64)> {
    let text = std::fs::read_to_string(store.join("epochFileCheckpoint")).unwrap_or_default();
    text.lines()
        .skip(2)
        .filter_map(|l| {
            let (epoch, start) = l.split_once('-')?;
            Some((epoch.parse().ok()?, start.parse().ok()?))
        })
        .collect()
}

/// Asserts that `[0, end)` is the same in every CommitLog dir of `dirs`
/// (the first is the reference) and that each holds at least that much.
pub fn assert_commit_logs_identical(dirs: &[(String, PathBuf)], end: i64) {
    let (ref_name, ref_dir) = &dirs[0];
    let want = commit_log_bytes(ref_dir, end);
    assert_eq!(want.len() as i64, end, "{ref_name} holds [0, {end})");
    for (name, dir) in &dirs[1..] {
        let got = commit_log_bytes(dir, end);
        assert_eq!(got.len(), want.len(), "{name} holds [0, {end}) like {ref_name}");
        let diff = want.iter().zip(&got).position(|(a, b)| a != b);
        assert_eq!(diff, None, "{name}'s CommitLog differs from {ref_name}'s at this offset");
    }
}

/// After a SIGTERM stop of every node, with the last sends SEND_OK under
/// allAck from a full set: the master's persisted confirm offset is its
/// whole log (every put waited for every member's ack, and the confirm offset
/// is the smallest member ack, spec/ha.md §9.1), and every CommitLog of
/// `dirs` (the master's at `master`) holds the same bytes up to it and ends
/// there. The checkpoint is the honest source: it is what the master itself
/// decided was replicated, not an assumption of the test. Returns it.
pub fn assert_replicated_to_confirm_offset(
    master_store: &Path,
    mut dirs: Vec<(String, PathBuf)>,
    master: usize,
) -> i64 {
    let confirm = checkpoint_confirm_offset(master_store);
    let end = commit_log_end(&dirs[master].1);
    assert_eq!(confirm, end, "the master's confirm offset covers its whole CommitLog");
    dirs.swap(0, master);
    assert_commit_logs_identical(&dirs, confirm);
    for (name, dir) in &dirs {
        assert_eq!(commit_log_end(dir), end, "{name}'s records end where the master's do");
    }
    confirm
}
