//! Controller mode end to end (spec/controller.md §8–§12): real controllers
//! (embedded in `mqnamesrv`, or three `mqcontroller` processes in one Raft
//! group) and `mqbroker` processes of one broker set that start as the
//! sample configs do (`brokerId=-1`, `brokerRole=SLAVE`,
//! `allAckInSyncStateSet=true`) and get id and role from the controller,
//! driven by the published `rocketmq-client-rust` 1.0.0. Only SEND_OK counts
//! as acknowledged (P-C16); every acknowledged key must be consumed at the
//! end.
//!
//! - `embedded_controller_failover_loses_no_acknowledged_message`: kill -9 of
//!   the master during sync sends; the slave is elected, sends resume
//!   through the client's route refresh; the old master comes back as slave,
//!   drops any unconfirmed tail and catches up (CommitLogs identical up to
//!   the confirm offset).
//! - `standalone_controllers_survive_leader_loss_and_double_failover`: kill
//!   -9 of the Raft leader during sends, then of the leader and the master
//!   broker together.
//! - `isolated_old_master_never_acknowledges_after_a_new_master`: SIGSTOP of
//!   the master past its heartbeat timeout, a new master, SIGCONT: the old
//!   master's puts are never SEND_OK (P-C1 with allAck).
//! - `controller_restart_keeps_ids_epochs_and_sync_state_sets`.
//! - `old_master_that_wrote_nothing_rejoins_as_slave`: a first master
//!   killed before its first write rejoins although its epoch exists
//!   nowhere else.
//! - `failover_time_default_and_tuned`: prints `FAILOVER default=…ms
//!   tuned=…ms` (kill -9 of the master → first SEND_OK of a send started
//!   after it); asserts only a generous bound.

#![recursion_limit = "256"]

mod support;

use std::collections::{BTreeSet, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use booster_model::controller::ReplicasInfo;
use rocketmq_client_rust::{ClientConfig, DefaultMQProducer, SendStatus};
use rocketmq_model::common::message::message_single::Message;
use support::controller::{ControllerCluster, Controllers, identity_of};
use support::ha::assert_replicated_to_confirm_offset;
use support::{client_runtime, create_topic, start_collector, unique, wait_until};
use tokio::task::JoinHandle;

/// Faster liveness than RocketMQ's defaults on both sides (the brief's
/// "tuned" settings); a closed connection triggers an election at once
/// either way (spec §8.2).
const TUNED_CONTROLLER: &[(&str, &str)] =
    &[("scanNotActiveBrokerInterval", "1000"), ("scanInactiveMasterInterval", "1000")];
const TUNED_BROKER: &[(&str, &str)] = &[
    ("mappedFileSizeCommitLog", FILE_SIZE),
    ("controllerHeartBeatTimeoutMills", "3000"),
    ("brokerHeartbeatInterval", "500"),
    ("syncBrokerMetadataPeriod", "1000"),
    ("syncControllerMetadataPeriod", "2000"),
    ("checkSyncStateSetPeriod", "500"),
    ("haSendHeartbeatInterval", "500"),
];
const DEFAULT_BROKER: &[(&str, &str)] = &[("mappedFileSizeCommitLog", FILE_SIZE)];
const FILE_SIZE: &str = "16777216";
/// Bound of every wait for a role change, an election or sends to resume:
/// generous, it only proves that things happened.
const LIMIT: Duration = Duration::from_secs(90);
const QUEUES: i32 = 4;
/// Concurrent sync senders of a [`Load`].
const SENDERS: usize = 4;
/// Acknowledged sends that prove "the group works" after each step.
const PROGRESS: usize = 200;

fn key_of(i: usize) -> String {
    format!("ctl-{i:06}")
}

fn msg(topic: &str, i: usize) -> Message {
    let body = format!("{}:{}", key_of(i), "x".repeat(500 + i % 24));
    Message::builder().topic(topic).tags("CTL").key(key_of(i)).body_slice(body.as_bytes()).build_unchecked()
}

/// A producer whose route refresh — the only way the client learns of a
/// new master — runs at the client's floor of 10 s instead of 30 s.
async fn producer(ns: &str, group: &str) -> DefaultMQProducer {
    let config = ClientConfig::builder()
        .namesrv_addr(ns.to_owned())
        .instance_name(group.to_owned())
        .poll_name_server_interval(10_000)
        .build()
        .expect("client config");
    let mut p = DefaultMQProducer::builder(client_runtime(group))
        .client_config(config)
        .producer_group(group.to_owned())
        .send_msg_timeout(5_000)
        .build();
    p.start().await.expect("producer start");
    p
}

/// What the client answered.
#[derive(Default)]
struct Outcomes {
    /// Each SEND_OK's index and when its send started.
    acked: Vec<(usize, Instant)>,
    /// Other statuses and errors, as text.
    other: Vec<(usize, String)>,
}

impl Outcomes {
    fn acked_keys(&self) -> HashSet<String> {
        self.acked.iter().map(|(i, _)| key_of(*i)).collect()
    }
}

/// Sync sends without pause from [`SENDERS`] tasks until finished.
struct Load {
    producer: Arc<DefaultMQProducer>,
    topic: String,
    stop: Arc<AtomicBool>,
    next: Arc<AtomicUsize>,
    outcomes: Arc<Mutex<Outcomes>>,
    tasks: Vec<JoinHandle<()>>,
}

impl Load {
    async fn start(ns: &str, topic: &str) -> Load {
        let producer = Arc::new(producer(ns, &unique("ctl_p")).await);
        let stop: Arc<AtomicBool> = Arc::default();
        let next: Arc<AtomicUsize> = Arc::default();
        let outcomes: Arc<Mutex<Outcomes>> = Arc::default();
        let tasks = (0..SENDERS)
            .map(|_| {
                let (p, t) = (Arc::clone(&producer), topic.to_owned());
                let (stop, next, outcomes) = (Arc::clone(&stop), Arc::clone(&next), Arc::clone(&outcomes));
                tokio::spawn(async move {
                    while !stop.load(Ordering::SeqCst) {
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        let started = Instant::now();
                        let r = p.send(msg(&t, i)).await;
                        let failed = {
                            let mut o = outcomes.lock().unwrap();
                            match r {
                                Ok(Some(r)) if r.send_status == SendStatus::SendOk => {
                                    o.acked.push((i, started));
                                    false
                                }
                                Ok(r) => {
                                    o.other.push((i, format!("{:?}", r.map(|r| r.send_status))));
                                    false
                                }
                                Err(e) => {
                                    o.other.push((i, format!("error: {e}")));
                                    true
                                }
                            }
                        };
                        if failed {
                            // A dead broker refuses at once; do not spin.
                            tokio::time::sleep(Duration::from_millis(100)).await;
                        }
                    }
                })
            })
            .collect();
        Load { producer, topic: topic.to_owned(), stop, next, outcomes, tasks }
    }

    fn acked(&self) -> usize {
        self.outcomes.lock().unwrap().acked.len()
    }

    /// Waits (bounded) for `more` SEND_OKs from now on.
    async fn wait_progress(&self, more: usize, what: &str) {
        let want = self.acked() + more;
        let o = Arc::clone(&self.outcomes);
        let ok = wait_until(LIMIT, move || o.lock().unwrap().acked.len() >= want).await;
        let o = self.outcomes.lock().unwrap();
        assert!(
            ok,
            "{what}: {} of {want} sends acknowledged within {LIMIT:?}; last failures: {:?}",
            o.acked.len(),
            &o.other[o.other.len().saturating_sub(5)..]
        );
    }

    /// From `t` to the first SEND_OK of a send started after `t`.
    fn first_ok_after(&self, t: Instant) -> Option<Duration> {
        let o = self.outcomes.lock().unwrap();
        o.acked.iter().filter(|(_, s)| *s >= t).map(|(_, s)| *s).min().map(|s| s - t)
    }

    /// Stops the senders, then sends `tail` more that must all be SEND_OK
    /// (with allAck through a full set they move the confirm offset to the
    /// end of the log); shuts the producer down.
    async fn finish(mut self, tail: usize) -> Outcomes {
        self.stop.store(true, Ordering::SeqCst);
        for t in self.tasks.drain(..) {
            t.await.expect("sender");
        }
        for _ in 0..tail {
            let i = self.next.fetch_add(1, Ordering::SeqCst);
            let started = Instant::now();
            match self.producer.send(msg(&self.topic, i)).await {
                Ok(Some(r)) if r.send_status == SendStatus::SendOk => {
                    self.outcomes.lock().unwrap().acked.push((i, started))
                }
                other => panic!("final send {i} through the full set: {other:?}"),
            }
        }
        let mut p = Arc::try_unwrap(self.producer).unwrap_or_else(|_| panic!("producer still shared"));
        p.shutdown().await;
        std::mem::take(&mut *self.outcomes.lock().unwrap())
    }
}

/// Asserts that a fresh push consumer receives every key of `acked`.
async fn assert_all_consumed(ns: &str, topic: &str, acked: &HashSet<String>) {
    let (mut consumer, seen) = start_collector(ns, &unique("ctl_c"), topic, "*").await;
    let got_all = {
        let (s, want) = (seen.clone(), acked.clone());
        wait_until(LIMIT, move || {
            let s = s.lock().unwrap();
            want.iter().all(|k| s.contains_key(k))
        })
        .await
    };
    consumer.shutdown().await;
    let seen = seen.lock().unwrap();
    let missing: Vec<&String> = acked.iter().filter(|k| !seen.contains_key(*k)).collect();
    assert!(
        got_all,
        "{} of {} acknowledged messages never consumed, e.g. {:?}",
        missing.len(),
        acked.len(),
        &missing[..missing.len().min(10)]
    );
}

/// Stops every broker (slaves first, then `master`) and asserts that the
/// master's persisted confirm offset covers its whole CommitLog and that
/// every CommitLog holds the same bytes up to it.
fn stop_and_assert_replicated(c: &mut ControllerCluster, master: usize) {
    for i in (0..c.brokers.len()).filter(|i| *i != master) {
        if c.brokers[i].node.is_running() {
            c.brokers[i].node.stop();
        }
    }
    c.brokers[master].node.stop();
    let dirs = c.brokers.iter().map(|b| (b.node.name.clone(), b.commit_log_dir())).collect();
    assert_replicated_to_confirm_offset(&c.brokers[master].store_dir(), dirs, master);
}

/// Starts the brokers one after the other — the first becomes master — and
/// waits until all are in the SyncStateSet; creates a topic and waits until
/// every slave's metadata sync copied it (a slave elected later must know
/// it). Returns the topic.
async fn bring_up(c: &mut ControllerCluster) -> String {
    for i in 0..c.brokers.len() {
        c.start_broker(i);
        let (info, master) = c.wait_settled(i + 1, None, LIMIT).await;
        assert_eq!(master, 0, "the first broker up is elected: {info:?}");
    }
    for (i, b) in c.brokers.iter().enumerate() {
        assert_eq!(b.identity(), Some(identity_of(i as i64 + 1)), "{} got id {}", b.node.name, i + 1);
    }
    let topic = unique("E2E_CTL");
    create_topic(&c.namesrv_addr, &topic, QUEUES).await;
    let synced = wait_until(LIMIT, || c.brokers[1..].iter().all(|b| b.has_topic(&topic))).await;
    assert!(synced, "the slaves' metadata sync never copied {topic}");
    topic
}

fn in_sync_ids(info: &ReplicasInfo) -> BTreeSet<i64> {
    info.in_sync_replicas.iter().map(|r| r.broker_id).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_controller_failover_loses_no_acknowledged_message() {
    let mut c = ControllerCluster::start(Controllers::Embedded, 2, TUNED_CONTROLLER, TUNED_BROKER);
    let topic = bring_up(&mut c).await;
    let ns = c.namesrv_addr.clone();
    let before = c.sync_state().await.expect("sync state");

    let load = Load::start(&ns, &topic).await;
    load.wait_progress(PROGRESS, "sends before the kill").await;
    c.brokers[0].node.kill();
    let (info, master) = c.wait_settled(1, Some(0), LIMIT).await;
    assert_eq!((master, info.master_broker_id), (1, Some(2)), "the slave is elected: {info:?}");
    assert!(info.master_epoch > before.master_epoch, "a new masterEpoch: {before:?} → {info:?}");
    load.wait_progress(PROGRESS, "sends after the failover").await;

    // The old master comes back as a slave of the new one, cuts whatever it
    // wrote that was never confirmed, catches up and rejoins the set.
    c.start_broker(0);
    let (info, master) = c.wait_settled(2, Some(0), LIMIT).await;
    assert_eq!(master, 1, "the new master stays: {info:?}");
    assert_eq!(c.brokers[0].identity(), Some(identity_of(1)), "the old master keeps its id");
    load.wait_progress(PROGRESS, "sends after the rejoin").await;
    let o = load.finish(32).await;
    eprintln!("{} SEND_OK, {} other outcomes around the failover", o.acked.len(), o.other.len());

    assert_all_consumed(&ns, &topic, &o.acked_keys()).await;
    let truncated = std::fs::read_to_string(c.brokers[0].node.log_path()).unwrap_or_default();
    eprintln!("old master truncated a tail: {}", truncated.contains("truncating to the consistent point"));
    stop_and_assert_replicated(&mut c, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standalone_controllers_survive_leader_loss_and_double_failover() {
    let mut c = ControllerCluster::start(Controllers::Standalone(3), 2, TUNED_CONTROLLER, TUNED_BROKER);
    let topic = bring_up(&mut c).await;
    let ns = c.namesrv_addr.clone();
    let load = Load::start(&ns, &topic).await;
    load.wait_progress(PROGRESS, "sends before the leader's death").await;

    // The Raft leader dies: the data path does not need the controller.
    let leader = c.leader().await.expect("a controller leader");
    c.controllers[leader].node.kill();
    load.wait_progress(PROGRESS, "sends after the leader's death").await;
    let info = c.wait_sync_state("a new controller leader answers", LIMIT, |_| true).await;
    assert_eq!(info.master_broker_id, Some(1), "the master stays: {info:?}");
    c.start_controller(leader);

    // Leader and master die together: the new leader sees the master's
    // heartbeats stop (its connection to the dead leader tells nobody) and
    // elects the slave.
    let (_, master) = c.wait_settled(2, None, LIMIT).await;
    let leader = c.leader().await.expect("a controller leader");
    c.controllers[leader].node.kill();
    c.brokers[master].node.kill();
    let killed = Instant::now();
    let (info, new_master) = c.wait_settled(1, Some(master), LIMIT).await;
    load.wait_progress(PROGRESS, "sends after the double failure").await;
    eprintln!(
        "double failure: new master {:?} after {:?}, first SEND_OK after {:?}",
        info.master_broker_id,
        killed.elapsed(),
        load.first_ok_after(killed)
    );

    c.start_controller(leader);
    c.start_broker(master);
    c.wait_settled(2, Some(master), LIMIT).await;
    load.wait_progress(PROGRESS, "sends after the rejoin").await;
    let o = load.finish(32).await;
    assert_all_consumed(&ns, &topic, &o.acked_keys()).await;
    stop_and_assert_replicated(&mut c, new_master);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn isolated_old_master_never_acknowledges_after_a_new_master() {
    let mut c = ControllerCluster::start(Controllers::Embedded, 2, TUNED_CONTROLLER, TUNED_BROKER);
    let topic = bring_up(&mut c).await;
    let ns = c.namesrv_addr.clone();
    let load = Load::start(&ns, &topic).await;
    load.wait_progress(PROGRESS, "sends before the freeze").await;

    // Frozen past controllerHeartBeatTimeoutMills: the controller expires it
    // and elects the slave, while the old master's sockets stay open.
    c.brokers[0].node.freeze();
    let (info, _) = c.wait_settled(1, Some(0), LIMIT).await;
    assert_eq!(info.master_broker_id, Some(2), "the slave is elected: {info:?}");

    // Back from the freeze the old master still believes it is master until
    // it hears of the new epoch; its slave now follows someone else, so no
    // allAck put of it may be acknowledged.
    c.brokers[0].node.thaw();
    let probes: Vec<_> =
        (0..8).map(|k| tokio::spawn(c.put_directly(0, &topic, &format!("probe-{k}")))).collect();
    let mut codes = Vec::new();
    for p in probes {
        codes.push(p.await.expect("probe"));
    }
    eprintln!("direct puts to the old master after SIGCONT answered {codes:?}");
    assert!(codes.iter().all(|c| *c != Some(0)), "the old master acknowledged a put: {codes:?}");

    let (info, master) = c.wait_settled(2, Some(0), LIMIT).await;
    assert_eq!(master, 1, "the new master stays: {info:?}");
    load.wait_progress(PROGRESS, "sends after the old master rejoined").await;
    let o = load.finish(32).await;
    eprintln!("{} SEND_OK, {} other outcomes around the isolation", o.acked.len(), o.other.len());
    assert_all_consumed(&ns, &topic, &o.acked_keys()).await;
    stop_and_assert_replicated(&mut c, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn controller_restart_keeps_ids_epochs_and_sync_state_sets() {
    let mut c = ControllerCluster::start(Controllers::Standalone(3), 2, TUNED_CONTROLLER, TUNED_BROKER);
    let topic = bring_up(&mut c).await;
    let load = Load::start(&c.namesrv_addr, &topic).await;
    load.wait_progress(PROGRESS, "sends before the failover").await;
    load.finish(0).await;
    // One failover first, so that the epochs are not all 1.
    c.brokers[0].node.kill();
    c.wait_settled(1, Some(0), LIMIT).await;
    c.start_broker(0);
    let (before, master) = c.wait_settled(2, Some(0), LIMIT).await;
    assert_eq!(master, 1);
    let identities: Vec<_> = c.brokers.iter().map(|b| b.identity()).collect();

    for i in 0..c.controllers.len() {
        c.controllers[i].node.stop();
    }
    for i in 0..c.controllers.len() {
        c.start_controller(i);
    }
    let (after, master) = c.wait_settled(2, Some(0), LIMIT).await;
    assert_eq!(master, 1, "the master is kept: {after:?}");
    let view = |i: &ReplicasInfo| {
        (i.master_broker_id, i.master_address.clone(), i.master_epoch, i.sync_state_set_epoch)
    };
    assert_eq!(view(&after), view(&before), "masterEpoch and SyncStateSet epoch survive the restart");
    assert_eq!(in_sync_ids(&after), in_sync_ids(&before), "the SyncStateSet survives the restart");

    // A broker restarted now keeps its id: the controller still has it.
    c.brokers[0].node.stop();
    c.start_broker(0);
    let (again, _) = c.wait_settled(2, Some(0), LIMIT).await;
    assert_eq!(in_sync_ids(&again), BTreeSet::from([1, 2]));
    let now: Vec<_> = c.brokers.iter().map(|b| b.identity()).collect();
    assert_eq!(now, identities, "identity files unchanged");
    assert_eq!(identities, vec![Some(identity_of(1)), Some(identity_of(2))]);
}

/// An old master that wrote nothing in its epoch: its epoch file holds
/// `(1, 0)`, the new master's `(2, 0)` only (nothing was replicated, so
/// epoch 1 never reached it). A common-epoch search finds none (T = −1,
/// "histories diverged", P-H11) although both logs are empty — RocketMQ's
/// `findConsistentPoint` has this gap; an empty slave log is cut at 0
/// instead, dropping the orphan epoch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_master_that_wrote_nothing_rejoins_as_slave() {
    let mut c = ControllerCluster::start(Controllers::Embedded, 2, TUNED_CONTROLLER, TUNED_BROKER);
    for i in 0..2 {
        c.start_broker(i);
        c.wait_settled(i + 1, None, LIMIT).await;
    }
    c.brokers[0].node.kill();
    c.wait_settled(1, Some(0), LIMIT).await;
    c.start_broker(0);
    c.wait_settled(2, Some(0), LIMIT).await;
}

/// Kill -9 of the master of a settled group of two under load → (the new
/// master registered as brokerId 0 on the name server, the first SEND_OK
/// of a send started after the kill). The client learns of the new master
/// only through its route refresh (10 s at the least), which dominates the
/// second figure.
async fn failover_time(controller: &[(&str, &str)], broker: &[(&str, &str)]) -> (Duration, Duration) {
    let mut c = ControllerCluster::start(Controllers::Embedded, 2, controller, broker);
    let topic = bring_up(&mut c).await;
    let load = Load::start(&c.namesrv_addr, &topic).await;
    load.wait_progress(PROGRESS, "sends before the kill").await;
    c.brokers[0].node.kill();
    let killed = Instant::now();
    c.wait_settled(1, Some(0), LIMIT).await;
    let elected = killed.elapsed();
    load.wait_progress(PROGRESS, "sends after the kill").await;
    let took = load.first_ok_after(killed).expect("a send after the kill succeeded");
    load.finish(0).await;
    (elected, took)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failover_time_default_and_tuned() {
    let (default, tuned) =
        tokio::join!(failover_time(&[], DEFAULT_BROKER), failover_time(TUNED_CONTROLLER, TUNED_BROKER));
    eprintln!("FAILOVER default={}ms tuned={}ms", default.1.as_millis(), tuned.1.as_millis());
    eprintln!("NEW MASTER ROUTED default={}ms tuned={}ms", default.0.as_millis(), tuned.0.as_millis());
    assert!(default.1 < LIMIT && tuned.1 < LIMIT, "failover happened within {LIMIT:?}");
}
