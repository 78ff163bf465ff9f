//! The role-change push (spec §8.5): after an ELECT_MASTER SUCCESS,
//! NOTIFY_BROKER_ROLE_CHANGED (1008) oneway to every live member of the set,
//! each target on its own task. A push of a newer masterEpoch to the same
//! address cancels an older one still pending, so a broker that is slow to
//! accept never gets a stale role after a fresh one.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use booster_remoting::{RemotingClient, RemotingCommand};
use parking_lot::Mutex;
use tokio::task::AbortHandle;

/// Bound on one send (RocketMQ: 3000 ms oneway).
const NOTIFY_TIMEOUT: Duration = Duration::from_secs(3);

/// The pushes still running, per broker address; `H` is whatever cancels
/// one (a task's abort handle). Pure bookkeeping.
#[derive(Debug)]
pub(crate) struct PendingPushes<H> {
    by_addr: HashMap<String, Pending<H>>,
    next_token: u64,
}

#[derive(Debug)]
struct Pending<H> {
    master_epoch: i32,
    token: u64,
    handle: H,
}

impl<H> Default for PendingPushes<H> {
    fn default() -> Self {
        Self { by_addr: HashMap::new(), next_token: 0 }
    }
}

impl<H> PendingPushes<H> {
    /// Records a push of `master_epoch` to `addr`, started by `start` with
    /// the token its completion must pass to [`Self::finish`]. Returns the
    /// handle of an older-epoch push to `addr` that is to be cancelled.
    pub(crate) fn begin(&mut self, addr: &str, master_epoch: i32, start: impl FnOnce(u64) -> H) -> Option<H> {
        let token = self.next_token;
        self.next_token += 1;
        let handle = start(token);
        let previous = self.by_addr.insert(addr.to_owned(), Pending { master_epoch, token, handle })?;
        (previous.master_epoch < master_epoch).then_some(previous.handle)
    }

    /// The push with `token` to `addr` is done (a newer one may be pending).
    pub(crate) fn finish(&mut self, addr: &str, token: u64) {
        if self.by_addr.get(addr).is_some_and(|p| p.token == token) {
            self.by_addr.remove(addr);
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.by_addr.len()
    }
}

/// Sends NOTIFY_BROKER_ROLE_CHANGED oneway.
#[derive(Debug, Default)]
pub(crate) struct RoleChangeNotifier {
    client: RemotingClient,
    pending: Arc<Mutex<PendingPushes<AbortHandle>>>,
}

impl RoleChangeNotifier {
    /// Pushes `notify` (of `master_epoch`) to every address in `targets`.
    pub(crate) fn send(&self, targets: Vec<String>, master_epoch: i32, notify: RemotingCommand) {
        // Held across the spawns so that no push can finish before it is recorded.
        let mut pending = self.pending.lock();
        for addr in targets {
            let (client, notify, table) = (self.client.clone(), notify.clone(), Arc::clone(&self.pending));
            let key = addr.clone();
            let stale = pending.begin(&key, master_epoch, move |token| {
                tokio::spawn(async move {
                    match tokio::time::timeout(NOTIFY_TIMEOUT, client.invoke_oneway(&addr, notify)).await {
                        Ok(Ok(())) => tracing::debug!(%addr, master_epoch, "broker role change notified"),
                        Ok(Err(e)) => tracing::warn!(%addr, error = %e, "notify broker role changed failed"),
                        Err(_) => tracing::warn!(%addr, "notify broker role changed timed out"),
                    }
                    table.lock().finish(&addr, token);
                })
                .abort_handle()
            });
            if let Some(stale) = stale {
                tracing::info!(addr = %key, master_epoch, "a newer role change replaces a pending notification");
                stale.abort();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newer_epoch_cancels_the_pending_push_to_the_same_address() {
        let mut p = PendingPushes::default();
        assert_eq!(p.begin("a:1", 1, |t| ("a1", t)), None);
        assert_eq!(p.begin("b:1", 1, |t| ("b1", t)), None, "other addresses are independent");
        assert_eq!(p.begin("a:1", 2, |t| ("a2", t)), Some(("a1", 0)));
        assert_eq!(p.len(), 2);
    }

    #[test]
    fn an_equal_or_older_epoch_cancels_nothing() {
        let mut p = PendingPushes::default();
        p.begin("a:1", 5, |t| t);
        assert_eq!(p.begin("a:1", 5, |t| t), None);
        assert_eq!(p.begin("a:1", 4, |t| t), None);
    }

    #[test]
    fn only_the_recorded_push_is_finished() {
        let mut p = PendingPushes::default();
        p.begin("a:1", 1, |t| t);
        p.begin("a:1", 2, |t| t);
        p.finish("a:1", 0);
        assert_eq!(p.len(), 1, "the cancelled push finishing late leaves the newer one");
        p.finish("nowhere:1", 1);
        p.finish("a:1", 1);
        assert_eq!(p.len(), 0);
        assert_eq!(p.begin("a:1", 1, |t| t), None, "nothing pending any more");
    }

    #[tokio::test]
    async fn a_cancelled_push_task_stops() {
        let mut p = PendingPushes::default();
        let slow = tokio::spawn(std::future::pending::<()>());
        p.begin("a:1", 1, |_| slow.abort_handle());
        let stale = p.begin("a:1", 2, |_| tokio::spawn(async {}).abort_handle()).unwrap();
        stale.abort();
        let joined = tokio::time::timeout(Duration::from_secs(10), slow).await.expect("stops in time");
        assert!(joined.unwrap_err().is_cancelled());
    }
}
