//! The periodic scans of spec §8.2: every node expires its own live table
//! every `scanNotActiveBrokerInterval`; only the leader turns an expired
//! master, or a set whose master is dead while a replica lives (every
//! `scanInactiveMasterInterval`), into an election.

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;

use super::now_ms;
use super::service::ControllerService;
use crate::Replicator;

/// Starts both scans; abort the handles to stop them.
pub fn spawn_scans<R: Replicator>(service: &Arc<ControllerService<R>>) -> Vec<JoinHandle<()>> {
    let config = service.config();
    let expiry = Duration::from_millis(config.scan_not_active_broker_interval.max(1));
    let masters = Duration::from_millis(config.scan_inactive_master_interval.max(1));
    let expiry_service = Arc::clone(service);
    let masters_service = Arc::clone(service);
    vec![
        tokio::spawn(every(expiry, move || {
            let service = Arc::clone(&expiry_service);
            async move {
                let triggers = service.controller().lock().scan_inactive(now_ms());
                service.run_election_triggers(triggers).await;
            }
        })),
        tokio::spawn(every(masters, move || {
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

/// Runs `tick` every `period` (first after one period); a slow tick delays
/// the next instead of bunching them up.
async fn every<F, Fut>(period: Duration, mut tick: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        tick().await;
    }
}
