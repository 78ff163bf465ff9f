//! The periodic scans of spec §8.2: every node expires its own live table
//! every `scanNotActiveBrokerInterval` (first after 2 s) and closes the
//! expired brokers' connections; only the leader turns an expired master,
//! or a set whose master is dead while a replica lives (every
//! `scanInactiveMasterInterval`), into an election.

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;

use super::now_ms;
use super::router::ControllerRouter;
use crate::Replicator;

/// RocketMQ's delay before the first expiry scan.
const FIRST_EXPIRY_SCAN: Duration = Duration::from_secs(2);

/// Starts both scans; abort the handles to stop them.
pub fn spawn_scans<R: Replicator>(router: &Arc<ControllerRouter<R>>) -> Vec<JoinHandle<()>> {
    let config = router.service().config();
    let expiry = Duration::from_millis(config.scan_not_active_broker_interval.max(1));
    let masters = Duration::from_millis(config.scan_inactive_master_interval.max(1));
    let expiry_router = Arc::clone(router);
    let masters_service = Arc::clone(router.service());
    vec![
        tokio::spawn(every(FIRST_EXPIRY_SCAN, expiry, move || {
            let router = Arc::clone(&expiry_router);
            async move {
                router.service().record_gauges();
                let scan = router.service().controller().lock().scan_inactive(now_ms());
                router.close_channels(&scan.channels_to_close);
                router.service().run_election_triggers(scan.elections).await;
            }
        })),
        tokio::spawn(every(masters, masters, move || {
            let service = Arc::clone(&masters_service);
            async move {
                if service.replicator().metadata().is_leader {
                    let triggers = service.controller().lock().scan_inactive_masters(now_ms());
                    service.run_election_triggers(triggers).await;
                }
            }
        })),
    ]
}

/// Runs `tick` after `first`, then every `period`; a slow tick delays the
/// next instead of bunching them up.
async fn every<F, Fut>(first: Duration, period: Duration, mut tick: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + first, period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        tick().await;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn first_tick_after_the_first_delay_then_every_period() {
        let ticks = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&ticks);
        let task = tokio::spawn(every(FIRST_EXPIRY_SCAN, Duration::from_secs(5), move || {
            counter.fetch_add(1, Ordering::SeqCst);
            async {}
        }));
        let count_after = |ms| {
            let ticks = Arc::clone(&ticks);
            async move {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                ticks.load(Ordering::SeqCst)
            }
        };
        assert_eq!(count_after(1_999).await, 0, "not before 2 s");
        assert_eq!(count_after(2).await, 1, "at 2 s, not after a full 5 s period");
        assert_eq!(count_after(4_998).await, 1);
        assert_eq!(count_after(2).await, 2, "then every period");
        task.abort();
    }
}
