//! Slave metadata sync (spec/controller.md §11.4, last row; RocketMQ's
//! SlaveSynchronize): a slave copies the master's metadata so that
//! consumers reading from it, and a slave that later becomes master, see
//! the same topics, groups and progress.
//!
//! While running, a task wakes 3 s after start and then every 3 s; a run
//! does a full pass when more than 10 s passed since the last one, the
//! first clock starting at broker boot as in RocketMQ (so a slave started
//! with the broker first syncs ~12 s in). A full pass fetches, from the
//! master's remoting address, and applies through the metadata managers:
//!
//! * GET_ALL_TOPIC_CONFIG (21): replaces the topic table when the master's
//!   DataVersion differs, then re-registers (the name-server routes list
//!   this slave for the new topics);
//! * GET_ALL_CONSUMER_OFFSET (43): merged key by key, persisted;
//! * GET_ALL_DELAY_OFFSET (45): replaces `delayOffset.json`;
//! * GET_ALL_SUBSCRIPTIONGROUP_CONFIG (201): replaced when the DataVersion
//!   differs.
//!
//! Each step fails alone (logged; the next pass retries). RocketMQ's
//! per-run timer-wheel checkpoint has nothing to copy here: Booster has no
//! timer wheel.
//!
//! Who runs it: a static `brokerRole=SLAVE` from the name server's
//! REGISTER_BROKER answer (`masterAddr`, `registration.rs`); in controller
//! mode the replicas manager, [`SlaveSync::start`] on becoming slave and
//! [`SlaveSync::stop`] on becoming master.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use booster_model::{
    ConsumerOffsetWrapper, DelayOffsetWrapper, SubscriptionGroupWrapper, TopicConfigSerializeWrapper,
    from_rocketmq_json,
};
use booster_remoting::{ConnectionError, RemotingClient, RemotingCommand, ResponseCode, request};
use parking_lot::Mutex;
use serde::de::DeserializeOwned;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::context::BrokerContext;
use crate::error::BrokerError;
use crate::processor::admin_group::NO_CONSUMER_OFFSET;
use crate::util::now_ms;

/// First run after start, then the period between runs.
pub const PERIOD: Duration = Duration::from_secs(3);
/// A run does a full pass only if the last one is older than this.
pub const FULL_PASS_INTERVAL_MS: i64 = 10_000;
/// Each request to the master (RocketMQ's BrokerOuterAPI uses 3 s).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(3);

/// Whether a run at `now_ms` does a full pass after one at `last_ms`.
pub fn full_pass_due(last_ms: i64, now_ms: i64) -> bool {
    now_ms.saturating_sub(last_ms) > FULL_PASS_INTERVAL_MS
}

/// Why one step of a pass failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("{what} from master {master}: {source}")]
    Remote {
        what: &'static str,
        master: String,
        #[source]
        source: ConnectionError,
    },
    #[error("{what} from master {master} refused: code {code}, {remark}")]
    Refused { what: &'static str, master: String, code: i32, remark: String },
    #[error("{what} from master {master}: unreadable body: {reason}")]
    Body { what: &'static str, master: String, reason: String },
    #[error(transparent)]
    Persist(#[from] BrokerError),
}

/// The slave metadata sync of one broker: stopped, or running against one
/// master address.
#[derive(Debug)]
pub struct SlaveSync {
    /// When the last full pass ran (boot time before the first).
    last_full_pass_ms: Arc<AtomicI64>,
    running: Mutex<Option<Running>>,
}

#[derive(Debug)]
struct Running {
    master: watch::Sender<String>,
    task: JoinHandle<()>,
}

impl SlaveSync {
    pub fn new(boot_ms: i64) -> Self {
        Self { last_full_pass_ms: Arc::new(AtomicI64::new(boot_ms)), running: Mutex::new(None) }
    }

    /// Starts syncing from `master_addr` (the master's remoting address);
    /// if already running, only follows the new address (RocketMQ's
    /// `setMasterAddr`). Must be called within a tokio runtime.
    pub fn start(&self, ctx: &Arc<BrokerContext>, master_addr: String) {
        let mut running = self.running.lock();
        if let Some(r) = running.as_ref().filter(|r| !r.task.is_finished()) {
            r.master.send_if_modified(|current| {
                let changed = *current != master_addr;
                if changed {
                    tracing::info!(from = %current, to = %master_addr, "slave metadata sync follows a new master");
                    current.clone_from(&master_addr);
                }
                changed
            });
            return;
        }
        tracing::info!(master = %master_addr, "slave metadata sync started");
        let (master, rx) = watch::channel(master_addr);
        let task = tokio::spawn(run(Arc::clone(ctx), rx, Arc::clone(&self.last_full_pass_ms)));
        *running = Some(Running { master, task });
    }

    /// Stops syncing and waits until the task is gone (a pass in flight is
    /// abandoned at its next request; writes are not cut in half).
    pub async fn stop(&self) {
        let Some(r) = self.running.lock().take() else { return };
        r.task.abort();
        let _ = r.task.await;
        tracing::info!("slave metadata sync stopped");
    }

    /// The master followed, while running.
    pub fn master_addr(&self) -> Option<String> {
        let running = self.running.lock();
        running.as_ref().filter(|r| !r.task.is_finished()).map(|r| r.master.borrow().clone())
    }
}

async fn run(ctx: Arc<BrokerContext>, master: watch::Receiver<String>, last_full_pass_ms: Arc<AtomicI64>) {
    let client = RemotingClient::default();
    let mut shutdown = ctx.shutdown_signal();
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + PERIOD, PERIOD);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = shutdown.changed() => break,
        }
        let now = now_ms();
        if !full_pass_due(last_full_pass_ms.load(Ordering::Acquire), now) {
            continue;
        }
        let addr = master.borrow().clone();
        // Never from itself (a master that learns it is the master).
        if addr.is_empty() || addr == ctx.broker_addr() {
            continue;
        }
        sync_all(&ctx, &client, &addr).await;
        last_full_pass_ms.store(now_ms(), Ordering::Release);
    }
    client.shutdown().await;
}

/// One full pass from `master`; each failed step is logged and skipped.
pub async fn sync_all(ctx: &BrokerContext, client: &RemotingClient, master: &str) {
    let steps = [
        ("topic configs", sync_topics(ctx, client, master).await),
        ("consumer offsets", sync_consumer_offsets(ctx, client, master).await),
        ("delay offsets", sync_delay_offsets(ctx, client, master).await),
        ("subscription groups", sync_groups(ctx, client, master).await),
    ];
    for (what, result) in steps {
        if let Err(e) = result {
            tracing::warn!(master, error = %e, "slave metadata sync of {what} failed");
        }
    }
}

async fn sync_topics(ctx: &BrokerContext, client: &RemotingClient, master: &str) -> Result<(), SyncError> {
    let topics: TopicConfigSerializeWrapper =
        fetch(client, master, request::GET_ALL_TOPIC_CONFIG, "topic configs").await?;
    let count = topics.topic_config_table.len();
    if ctx.topics.replace_from_master(topics)? {
        tracing::info!(master, topics = count, "topic configs taken from the master");
        ctx.metadata_changed.notify_one();
    }
    Ok(())
}

async fn sync_consumer_offsets(
    ctx: &BrokerContext,
    client: &RemotingClient,
    master: &str,
) -> Result<(), SyncError> {
    let offsets: ConsumerOffsetWrapper =
        match fetch(client, master, request::GET_ALL_CONSUMER_OFFSET, "consumer offsets").await {
            Err(SyncError::Refused { remark, .. }) if remark == NO_CONSUMER_OFFSET => return Ok(()),
            other => other?,
        };
    ctx.offsets.merge_from_master(offsets);
    Ok(ctx.offsets.persist(false, now_ms())?)
}

async fn sync_delay_offsets(
    ctx: &BrokerContext,
    client: &RemotingClient,
    master: &str,
) -> Result<(), SyncError> {
    let offsets: DelayOffsetWrapper =
        fetch(client, master, request::GET_ALL_DELAY_OFFSET, "delay offsets").await?;
    ctx.delay_offsets.replace_from_master(offsets);
    Ok(ctx.delay_offsets.persist(false, now_ms())?)
}

async fn sync_groups(ctx: &BrokerContext, client: &RemotingClient, master: &str) -> Result<(), SyncError> {
    let groups: SubscriptionGroupWrapper =
        fetch(client, master, request::GET_ALL_SUBSCRIPTIONGROUP_CONFIG, "subscription groups").await?;
    let count = groups.subscription_group_table.len();
    if ctx.groups.replace_from_master(groups)? {
        tracing::info!(master, groups = count, "subscription groups taken from the master");
    }
    Ok(())
}

/// Sends `code` (no header: the whole table, unpaged) and reads the JSON body.
async fn fetch<T: DeserializeOwned>(
    client: &RemotingClient,
    master: &str,
    code: i32,
    what: &'static str,
) -> Result<T, SyncError> {
    let resp = client
        .invoke(master, RemotingCommand::request(code), REQUEST_TIMEOUT)
        .await
        .map_err(|source| SyncError::Remote { what, master: master.to_owned(), source })?;
    parse_response(&resp).map_err(|e| e.named(what, master))
}

/// The failure of [`parse_response`], before it is named.
#[derive(Debug, PartialEq, Eq)]
enum ResponseFault {
    Refused { code: i32, remark: String },
    Body(String),
}

impl ResponseFault {
    fn named(self, what: &'static str, master: &str) -> SyncError {
        let master = master.to_owned();
        match self {
            Self::Refused { code, remark } => SyncError::Refused { what, master, code, remark },
            Self::Body(reason) => SyncError::Body { what, master, reason },
        }
    }
}

/// A SUCCESS response's body as `T` (RocketMQ's JSON dialect).
fn parse_response<T: DeserializeOwned>(resp: &RemotingCommand) -> Result<T, ResponseFault> {
    if resp.code != ResponseCode::Success.code() {
        return Err(ResponseFault::Refused {
            code: resp.code,
            remark: resp.remark.clone().unwrap_or_default(),
        });
    }
    let body = resp.body.as_deref().ok_or_else(|| ResponseFault::Body("no body".to_owned()))?;
    let text = std::str::from_utf8(body).map_err(|e| ResponseFault::Body(e.to_string()))?;
    from_rocketmq_json(text).map_err(|e| ResponseFault::Body(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(code: i32) -> RemotingCommand {
        RemotingCommand::response_to(&RemotingCommand::request(request::GET_ALL_CONSUMER_OFFSET), code)
    }

    #[test]
    fn full_passes_are_at_least_ten_seconds_apart() {
        assert!(!full_pass_due(1_000, 4_000), "the first run after boot");
        assert!(!full_pass_due(1_000, 11_000), "exactly 10 s is not more than 10 s");
        assert!(full_pass_due(1_000, 11_001));
        assert!(!full_pass_due(1_000, -5), "a clock that went back waits");
        assert!(full_pass_due(i64::MIN, i64::MAX), "no overflow");
    }

    #[test]
    fn responses_are_read_tolerantly_and_refusals_named() {
        let ok = answer(0).with_body(
            br#"{"offsetTable":{"T@g":{0:250,"1":"7"}},"dataVersion":{"counter":"3","timestamp":1}}"#
                .to_vec(),
        );
        let w: ConsumerOffsetWrapper = parse_response(&ok).unwrap();
        assert_eq!(w.offset_table["T@g"].get(&1), Some(&7));
        assert_eq!(w.data_version.counter, 3);
        // The master's topic body carries mapping fields we do not keep.
        let topics = answer(0).with_body(
            br#"{"dataVersion":{"counter":1},"mappingDataVersion":{},"topicConfigTable":{"T":{"topicName":"T","readQueueNums":2}},"topicQueueMappingInfoMap":{}}"#
                .to_vec(),
        );
        let t: TopicConfigSerializeWrapper = parse_response(&topics).unwrap();
        assert_eq!(t.topic_config_table["T"].read_queue_nums, 2);

        let refused = answer(1).with_remark(NO_CONSUMER_OFFSET);
        let fault = parse_response::<ConsumerOffsetWrapper>(&refused).unwrap_err();
        assert_eq!(fault, ResponseFault::Refused { code: 1, remark: NO_CONSUMER_OFFSET.to_owned() });
        let e = fault.named("consumer offsets", "m:1");
        assert!(e.to_string().contains("consumer offsets from master m:1 refused"), "{e}");
        let empty = parse_response::<DelayOffsetWrapper>(&answer(0)).unwrap_err();
        assert_eq!(empty, ResponseFault::Body("no body".to_owned()));
        let garbage = answer(0).with_body(b"\xff{".to_vec());
        assert!(matches!(parse_response::<DelayOffsetWrapper>(&garbage), Err(ResponseFault::Body(_))));
        let not_json = answer(0).with_body(b"[1,".to_vec());
        assert!(matches!(parse_response::<SubscriptionGroupWrapper>(&not_json), Err(ResponseFault::Body(_))));
    }
}
