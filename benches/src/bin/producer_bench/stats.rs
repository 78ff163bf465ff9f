//! What tasks count and what a run reports.

#[allow(clippy::wildcard_imports)]
use super::*;

pub(crate) const WARMUP: u8 = 0;
pub(crate) const MEASURE: u8 = 1;
pub(crate) const STOP: u8 = 2;

/// What one task counted while the phase was MEASURE.
#[derive(Debug, Clone)]
pub(crate) struct TaskStats {
    /// Successful operations (sends; found messages for pulls).
    pub(crate) msgs: u64,
    /// Message body bytes moved.
    pub(crate) bytes: u64,
    /// Requests answered (pulls: every pull).
    pub(crate) requests: u64,
    /// Request latency of successful requests.
    pub(crate) lat: Histogram,
    /// End-to-end latency (send → pulled), pulls only.
    pub(crate) e2e: Histogram,
    /// Failures by response code, with the first remark seen.
    pub(crate) failures: BTreeMap<i32, (u64, String)>,
    /// Pull responses by code (pulls only; informative).
    pub(crate) pull_codes: BTreeMap<i32, u64>,
}

impl TaskStats {
    pub(crate) fn new() -> Self {
        Self {
            msgs: 0,
            bytes: 0,
            requests: 0,
            lat: Histogram::new(),
            e2e: Histogram::new(),
            failures: BTreeMap::new(),
            pull_codes: BTreeMap::new(),
        }
    }

    pub(crate) fn fail(&mut self, code: i32, remark: impl FnOnce() -> String) {
        self.failures.entry(code).or_insert_with(|| (0, remark())).0 += 1;
    }

    pub(crate) fn merge(&mut self, o: &TaskStats) {
        self.msgs += o.msgs;
        self.bytes += o.bytes;
        self.requests += o.requests;
        self.lat.merge(&o.lat);
        self.e2e.merge(&o.e2e);
        for (code, (n, remark)) in &o.failures {
            self.failures.entry(*code).or_insert_with(|| (0, remark.clone())).0 += n;
        }
        for (code, n) in &o.pull_codes {
            *self.pull_codes.entry(*code).or_default() += n;
        }
    }

    pub(crate) fn failed(&self) -> u64 {
        self.failures.values().map(|(n, _)| n).sum()
    }
}

/// One row of the report.
#[derive(Debug, Clone)]
pub(crate) struct RunResult {
    pub(crate) name: &'static str,
    pub(crate) label: String,
    pub(crate) concurrency: usize,
    pub(crate) stats: TaskStats,
    pub(crate) measured: Measured,
    /// Consume-only: the backlog ran out before `--duration`.
    pub(crate) drained: bool,
}

impl RunResult {
    pub(crate) fn msgs_s(&self) -> f64 {
        self.stats.msgs as f64 / self.measured.secs
    }

    pub(crate) fn mb_s(&self) -> f64 {
        self.stats.bytes as f64 / self.measured.secs / 1e6
    }
}
