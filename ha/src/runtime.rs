//! Small runtime helpers for the async shells: a monotonic millisecond
//! clock for the pure cores, and a group of tasks that dies together.

use std::future::Future;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;
use tokio::task::JoinSet;

/// Monotonic milliseconds since the service started: the `now_ms` the pure
/// cores take. Wall-clock jumps never shrink or grow the SyncStateSet.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    start: Instant,
    /// Wall-clock milliseconds at `start`, to report instants to humans.
    start_wall_ms: i64,
}

impl Clock {
    pub(crate) fn new() -> Self {
        let wall = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        Self { start: Instant::now(), start_wall_ms: i64::try_from(wall.as_millis()).unwrap_or(i64::MAX) }
    }

    pub(crate) fn now_ms(&self) -> i64 {
        i64::try_from(self.start.elapsed().as_millis()).unwrap_or(i64::MAX)
    }

    /// The wall-clock time of a `now_ms` reading (epoch milliseconds).
    pub(crate) fn wall_ms(&self, now_ms: i64) -> i64 {
        self.start_wall_ms.saturating_add(now_ms)
    }
}

/// Tasks that belong to one role term (or to the service). Dropping or
/// shutting the group down aborts every task, which closes their sockets.
#[derive(Debug, Default)]
pub(crate) struct TaskGroup {
    set: Mutex<JoinSet<()>>,
}

impl TaskGroup {
    pub(crate) fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        let mut set = self.set.lock();
        // Reap finished tasks so a long-lived group does not accumulate them.
        while set.try_join_next().is_some() {}
        set.spawn(task);
    }

    /// Aborts every task without waiting (usable from `Drop`).
    pub(crate) fn abort_all(&self) {
        self.set.lock().abort_all();
    }

    /// Aborts every task and waits until all of them are gone, so whatever
    /// they held (sockets, the store) is released when this returns.
    pub(crate) async fn shutdown(&self) {
        let mut set = std::mem::take(&mut *self.set.lock());
        set.shutdown().await;
    }
}
