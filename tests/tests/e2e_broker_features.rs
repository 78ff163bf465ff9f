//! Broker services beyond plain send/pull, through the real processes:
//!
//! - `delayed_message_arrives_after_its_level`: delay level 3 (configured to
//!   3 s) is not delivered early, and is delivered within a bound.
//! - `retry_then_dlq_after_max_reconsume_times`: a message whose listener
//!   always answers RECONSUME_LATER is redelivered through the retry topic
//!   with growing reconsumeTimes, then lands in `%DLQ%<group>` after
//!   `maxReconsumeTimes`; other messages are unaffected.
//! - `transaction_commit_rollback_and_check`: COMMIT is delivered, ROLLBACK
//!   never is, UNKNOWN is delivered after the broker's check-back asks the
//!   producer (CHECK_TRANSACTION_STATE → END_TRANSACTION from check).
//!
//! These need CONSUMER_SEND_MSG_BACK, the schedule service and
//! END_TRANSACTION / the transaction check service in the broker.

#![recursion_limit = "256"]
// DefaultMQPullConsumer (classic pull) reads the DLQ at an explicit offset.
#![allow(deprecated)]

mod support;

use std::any::Any;
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rocketmq_client_rust::{
    ConsumeConcurrentlyContext, ConsumeConcurrentlyStatus, DefaultMQPullConsumer, DefaultMQPushConsumer,
    LocalTransactionState, MQPushConsumer, SendStatus, TransactionListener, TransactionMQProducer,
};
use rocketmq_model::common::consumer::consume_from_where::ConsumeFromWhere;
use rocketmq_model::common::message::MessageTrait;
use rocketmq_model::common::message::message_ext::MessageExt;
use rocketmq_model::common::message::message_queue::MessageQueue;
use rocketmq_model::common::message::message_single::Message;
use support::{
    BROKER_NAME, Cluster, client_config, client_runtime, count_unique, create_topic, keyed, start_collector,
    start_producer, unique, wait_until,
};

/// 18 levels; level n = n seconds (or all 1 s for the retry test).
fn delay_levels(all_one_second: bool) -> String {
    (1..=18)
        .map(|n| if all_one_second { "1s".to_owned() } else { format!("{n}s") })
        .collect::<Vec<_>>()
        .join(" ")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delayed_message_arrives_after_its_level() {
    let levels = delay_levels(false);
    let cluster = Cluster::start_with(&[("messageDelayLevel", levels.as_str())]);
    let ns = cluster.namesrv_addr.clone();
    let topic = unique("E2E_DELAY");
    create_topic(&ns, &topic, 2).await;

    let (mut consumer, seen) = start_collector(&ns, &unique("delay_c"), &topic, "*").await;
    let producer = start_producer(&ns, &unique("delay_p")).await;
    // Warm up: the consumer is pulling once a plain message arrives.
    producer.send(keyed(&topic, "Plain", "plain-0")).await.expect("send").expect("result");
    let warm = {
        let s = seen.clone();
        wait_until(Duration::from_secs(30), move || s.lock().unwrap().contains_key("plain-0")).await
    };
    assert!(warm, "the plain message never arrived");

    let delayed = Message::builder()
        .topic(topic.as_str())
        .tags("Delayed")
        .key("delayed-0")
        .body_slice(b"body:delayed-0")
        .delay_level(3)
        .build_unchecked();
    let sent_at = Instant::now();
    let r = producer.send(delayed).await.expect("send delayed").expect("result");
    assert_eq!(r.send_status, SendStatus::SendOk);
    producer.send(keyed(&topic, "Plain", "plain-1")).await.expect("send").expect("result");

    let arrived = {
        let s = seen.clone();
        wait_until(Duration::from_secs(3 + 12), move || s.lock().unwrap().contains_key("delayed-0")).await
    };
    let elapsed = sent_at.elapsed();
    consumer.shutdown().await;
    let seen = seen.lock().unwrap();
    assert!(seen.contains_key("plain-1"), "the plain message after the delayed one never arrived");
    assert!(arrived, "the level-3 (3 s) message was not delivered within 15 s");
    let m = &seen["delayed-0"][0];
    // Delivery time is observed by polling every 100 ms; the broker may fire
    // the level a little early only by its own timer granularity.
    assert!(elapsed >= Duration::from_millis(2_900), "delivered after {elapsed:?}, before its 3 s level");
    assert_eq!(m.topic().as_str(), topic, "delivered to the original topic");
    assert_eq!(m.tags().as_deref(), Some("Delayed"));
    assert_eq!(m.body().as_deref(), Some(&b"body:delayed-0"[..]));
    eprintln!("delayed message delivered after {elapsed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_then_dlq_after_max_reconsume_times() {
    const MAX_RECONSUME: i32 = 2;
    let levels = delay_levels(true);
    let cluster = Cluster::start_with(&[("messageDelayLevel", levels.as_str())]);
    let ns = cluster.namesrv_addr.clone();
    let topic = unique("E2E_RETRY");
    create_topic(&ns, &topic, 2).await;
    let group = unique("retry_c");

    // key -> reconsumeTimes of every delivery.
    let attempts: Arc<Mutex<std::collections::HashMap<String, Vec<i32>>>> = Arc::default();
    let mut consumer = DefaultMQPushConsumer::builder(client_runtime(&group))
        .client_config(client_config(&ns, &group))
        .consumer_group(group.clone())
        .consume_from_where(ConsumeFromWhere::ConsumeFromFirstOffset)
        .max_reconsume_times(MAX_RECONSUME)
        .build();
    consumer.subscribe(topic.as_str(), "*").await.expect("subscribe");
    {
        let attempts = attempts.clone();
        consumer.register_message_listener_concurrently(
            move |msgs: &[&MessageExt], _ctx: &ConsumeConcurrentlyContext| {
                let mut a = attempts.lock().unwrap();
                let mut fail = false;
                for m in msgs {
                    let key = m.get_keys().map(|k| k.to_string()).unwrap_or_default();
                    a.entry(key.clone()).or_default().push(m.reconsume_times());
                    fail |= key.starts_with("fail");
                }
                Ok(if fail {
                    ConsumeConcurrentlyStatus::ReconsumeLater
                } else {
                    ConsumeConcurrentlyStatus::ConsumeSuccess
                })
            },
        );
    }
    consumer.start().await.expect("start");

    let mut producer = start_producer(&ns, &unique("retry_p")).await;
    for key in ["fail-0", "ok-0"] {
        let r = producer.send(keyed(&topic, "T", key)).await.expect("send").expect("result");
        assert_eq!(r.send_status, SendStatus::SendOk);
    }

    // DLQ: %DLQ%<group>, one queue, on our broker.
    let dlq = MessageQueue::from_parts(format!("%DLQ%{group}"), BROKER_NAME, 0);
    let deadline = Instant::now() + Duration::from_secs(40);
    let mut dlq_max = 0;
    while Instant::now() < deadline {
        dlq_max = producer.max_offset(&dlq).await.unwrap_or(0);
        if dlq_max >= 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // A little longer: no further delivery may follow the DLQ.
    tokio::time::sleep(Duration::from_millis(2_000)).await;
    consumer.shutdown().await;
    let attempts = attempts.lock().unwrap().clone();
    let fail = attempts.get("fail-0").cloned().unwrap_or_default();
    assert_eq!(attempts.get("ok-0").map(Vec::len), Some(1), "the good message: one delivery ({attempts:?})");
    assert_eq!(
        fail,
        (0..=MAX_RECONSUME).collect::<Vec<_>>(),
        "the failing message: original + {MAX_RECONSUME} retries with reconsumeTimes 0..={MAX_RECONSUME}"
    );
    assert_eq!(dlq_max, 1, "exactly one message in {}", dlq.topic());

    // The DLQ message is the original one (classic pull at offset 0).
    let reader = DefaultMQPullConsumer::builder(client_runtime("dlq_reader"))
        .consumer_group(unique("dlq_reader"))
        .name_server_addr(ns.clone())
        .consumer_pull_timeout(Duration::from_secs(5))
        .build()
        .expect("reader");
    reader.start().await.expect("reader start");
    let pulled = reader.pull(&dlq, "*", 0, 32).await.expect("pull the DLQ");
    let got: Vec<MessageExt> = pulled.msg_found_list().map(<[MessageExt]>::to_vec).unwrap_or_default();
    reader.shutdown().await.expect("reader shutdown");
    producer.shutdown().await;
    assert_eq!(got.len(), 1, "one message read from the DLQ");
    assert_eq!(got[0].get_keys().as_deref(), Some("fail-0"));
    assert_eq!(got[0].body().as_deref(), Some(&b"body:fail-0"[..]));
}

/// Decides by key prefix; counts check-backs.
struct TxListener {
    checks: Arc<AtomicUsize>,
    checked_keys: Arc<Mutex<Vec<String>>>,
}

impl TransactionListener for TxListener {
    fn execute_local_transaction(
        &self,
        msg: &dyn MessageTrait,
        _arg: Option<&(dyn Any + Send + Sync)>,
    ) -> LocalTransactionState {
        let key = msg.get_keys().map(|k| k.to_string()).unwrap_or_default();
        if key.starts_with("commit") {
            LocalTransactionState::CommitMessage
        } else if key.starts_with("rollback") {
            LocalTransactionState::RollbackMessage
        } else {
            LocalTransactionState::Unknown
        }
    }

    fn check_local_transaction(&self, msg: &MessageExt) -> LocalTransactionState {
        self.checks.fetch_add(1, Ordering::SeqCst);
        let key = msg.get_keys().map(|k| k.to_string()).unwrap_or_default();
        self.checked_keys.lock().unwrap().push(key.clone());
        if key.starts_with("unknown") {
            LocalTransactionState::CommitMessage
        } else {
            LocalTransactionState::Unknown
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transaction_commit_rollback_and_check() {
    let cluster =
        Cluster::start_with(&[("transactionCheckInterval", "1000"), ("transactionTimeOut", "1000")]);
    let ns = cluster.namesrv_addr.clone();
    let topic = unique("E2E_TX");
    create_topic(&ns, &topic, 2).await;
    let (mut consumer, seen) = start_collector(&ns, &unique("tx_c"), &topic, "*").await;

    let checks = Arc::new(AtomicUsize::new(0));
    let checked_keys: Arc<Mutex<Vec<String>>> = Arc::default();
    let group = unique("tx_p");
    let mut producer = TransactionMQProducer::builder(client_runtime(&group))
        .client_config(client_config(&ns, &group))
        .producer_group(group.clone())
        .send_msg_timeout(10_000)
        .transaction_listener(TxListener { checks: checks.clone(), checked_keys: checked_keys.clone() })
        .build();
    producer.start().await.expect("tx producer start");

    let mut states = Vec::new();
    for key in ["commit-0", "rollback-0", "unknown-0"] {
        let r = producer
            .send_message_in_transaction::<(), _>(keyed(&topic, "Tx", key), None)
            .await
            .unwrap_or_else(|e| panic!("send {key} in transaction: {e}"));
        let status = r.send_result.as_ref().map(|s| s.send_status);
        assert_eq!(status, Some(SendStatus::SendOk), "half message {key}");
        states.push((key, r.local_transaction_state));
    }
    assert_eq!(
        states,
        vec![
            ("commit-0", Some(LocalTransactionState::CommitMessage)),
            ("rollback-0", Some(LocalTransactionState::RollbackMessage)),
            ("unknown-0", Some(LocalTransactionState::Unknown)),
        ]
    );

    let committed = {
        let s = seen.clone();
        wait_until(Duration::from_secs(15), move || s.lock().unwrap().contains_key("commit-0")).await
    };
    let checked = {
        let s = seen.clone();
        wait_until(Duration::from_secs(30), move || s.lock().unwrap().contains_key("unknown-0")).await
    };
    // Time for a wrongly delivered rollback to show up.
    tokio::time::sleep(Duration::from_millis(2_000)).await;
    consumer.shutdown().await;
    producer.shutdown().await;

    let seen_keys: HashSet<String> = seen.lock().unwrap().keys().cloned().collect();
    assert!(committed, "the committed message was not delivered within 15 s (seen {seen_keys:?})");
    assert!(!seen_keys.contains("rollback-0"), "the rolled-back message was delivered");
    assert!(
        checked,
        "the UNKNOWN message was not delivered within 30 s; the broker asked {} time(s) about {:?}",
        checks.load(Ordering::SeqCst),
        checked_keys.lock().unwrap()
    );
    assert!(checks.load(Ordering::SeqCst) >= 1, "delivered without a check-back");
    assert_eq!(count_unique(&seen), 2, "exactly commit-0 and unknown-0: {seen_keys:?}");
}
