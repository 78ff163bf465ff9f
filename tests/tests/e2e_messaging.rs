//! End-to-end messaging through the real `mqnamesrv` + `mqbroker` processes,
//! driven by the published `rocketmq-client-rust` 1.0.0:
//!
//! - `produce_consume_10k`: 10 000 keyed, tagged messages sent sync, async,
//!   oneway and in batches; a push consumer and a lite-pull consumer each
//!   receive every stored message (bodies/keys/tags checked, every
//!   acknowledged message present, counts equal to the broker's offsets).
//! - `tag_filter`: `TagA || TagB` subscribers never see `TagC`.
//! - `orderly_per_queue_order`: MessageListenerOrderly sees each sharding
//!   key's messages in send order.
//!
//! Harness and binary lookup: see `support/mod.rs`.

#![recursion_limit = "256"]

mod support;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rocketmq_client_rust::{
    ConsumeConcurrentlyContext, ConsumeConcurrentlyStatus, ConsumeOrderlyContext, ConsumeOrderlyStatus,
    DefaultMQProducer, DefaultMQPushConsumer, MQPushConsumer, SendStatus,
};
use rocketmq_model::common::consumer::consume_from_where::ConsumeFromWhere;
use rocketmq_model::common::message::MessageTrait;
use rocketmq_model::common::message::message_ext::MessageExt;
use rocketmq_model::common::message::message_queue::MessageQueue;
use rocketmq_model::common::message::message_single::Message;
use support::{
    Cluster, client_config, client_runtime, create_topic, lite_builder, start_producer, unique, wait_until,
};

const TAGS: [&str; 3] = ["TagA", "TagB", "TagC"];

fn key_of(i: usize) -> String {
    format!("key-{i:05}")
}
fn body_of(topic: &str, i: usize) -> String {
    format!("body-{i:05}-{topic}")
}
fn tag_of(i: usize) -> &'static str {
    TAGS[i % TAGS.len()]
}
fn msg(topic: &str, i: usize) -> Message {
    Message::builder()
        .topic(topic)
        .tags(tag_of(i))
        .key(key_of(i))
        .body_slice(body_of(topic, i).as_bytes())
        .build_unchecked()
}

/// What a consumer saw, per key: (body, tag) of every delivery.
#[derive(Default)]
struct Seen {
    by_key: HashMap<String, Vec<(String, String)>>,
    deliveries: usize,
}

impl Seen {
    /// Records what one poll of `lite` returns within `timeout_ms`.
    async fn poll_once(&mut self, lite: &rocketmq_client_rust::DefaultLitePullConsumer, timeout_ms: u64) {
        for m in lite.poll_with_timeout(timeout_ms).await {
            self.record(&m);
        }
    }

    /// Polls `lite` until `want` distinct keys were seen or `deadline` passes.
    async fn poll_until(
        &mut self,
        lite: &rocketmq_client_rust::DefaultLitePullConsumer,
        want: usize,
        deadline: Instant,
    ) {
        while self.by_key.len() < want && Instant::now() < deadline {
            self.poll_once(lite, 1_000).await;
        }
    }

    fn record(&mut self, m: &MessageExt) {
        let key = m.get_keys().map(|k| k.to_string()).unwrap_or_default();
        let body = m.body().map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
        let tag = m.tags().map(|t| t.to_string()).unwrap_or_default();
        self.by_key.entry(key).or_default().push((body, tag));
        self.deliveries += 1;
    }

    /// Every delivery matches what was sent under its key.
    fn check_contents(&self, topic: &str, who: &str) {
        for (key, deliveries) in &self.by_key {
            let i: usize = key
                .strip_prefix("key-")
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("{who}: unexpected key {key:?}"));
            for (body, tag) in deliveries {
                assert_eq!(body, &body_of(topic, i), "{who}: body of {key}");
                assert_eq!(tag, tag_of(i), "{who}: tag of {key}");
            }
        }
    }
}

async fn stored_total(producer: &mut DefaultMQProducer, queues: &[MessageQueue]) -> i64 {
    let mut total = 0;
    for q in queues {
        total +=
            producer.max_offset(q).await.expect("max offset") - producer.min_offset(q).await.expect("min");
    }
    total
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn produce_consume_10k() {
    const TOTAL: usize = 10_000;
    const SYNC_END: usize = 4_000; // [0, 4000) sync
    const ASYNC_END: usize = 7_000; // [4000, 7000) async (callback)
    const ONEWAY_END: usize = 8_000; // [7000, 8000) oneway
    const BATCH: usize = 50; // [8000, 10000) batches of 50

    let cluster = Cluster::start();
    let ns = cluster.namesrv_addr.clone();
    let topic = unique("E2E_PC");
    create_topic(&ns, &topic, 4).await;

    let started = Instant::now();
    let mut producer = start_producer(&ns, &unique("pc_producer")).await;
    let queues = producer.fetch_publish_message_queues(&topic).await.expect("queues");
    let producer = Arc::new(producer);
    let acked: Arc<Mutex<HashSet<String>>> = Arc::default();
    let failures: Arc<Mutex<Vec<String>>> = Arc::default();

    // Sync: 8 concurrent senders.
    let mut tasks = Vec::new();
    for stripe in 0..8 {
        let (p, t, acked, failures) = (producer.clone(), topic.clone(), acked.clone(), failures.clone());
        tasks.push(tokio::spawn(async move {
            for i in (stripe..SYNC_END).step_by(8) {
                match p.send(msg(&t, i)).await {
                    Ok(Some(r)) if r.send_status == SendStatus::SendOk => {
                        acked.lock().unwrap().insert(key_of(i));
                    }
                    other => failures.lock().unwrap().push(format!("sync {i}: {other:?}")),
                }
            }
        }));
    }
    // Async: callbacks record the outcome.
    let callbacks = Arc::new(AtomicUsize::new(0));
    {
        let (p, t) = (producer.clone(), topic.clone());
        let (acked, failures, callbacks) = (acked.clone(), failures.clone(), callbacks.clone());
        tasks.push(tokio::spawn(async move {
            // The client's transport admission queue is bounded
            // (transport.admission.queue_saturated): keep ≤ 64 in flight.
            let in_flight = Arc::new(tokio::sync::Semaphore::new(64));
            for i in SYNC_END..ASYNC_END {
                let (acked2, failures2, callbacks2) = (acked.clone(), failures.clone(), callbacks.clone());
                let permit = in_flight.clone().acquire_owned().await.expect("semaphore");
                let permit = std::sync::Mutex::new(Some(permit));
                let submitted = p
                    .send_with_callback(msg(&t, i), move |result, error| {
                        drop(permit.lock().unwrap().take());
                        match (result, error) {
                            (Some(r), None) if r.send_status == SendStatus::SendOk => {
                                acked2.lock().unwrap().insert(key_of(i));
                            }
                            other => failures2.lock().unwrap().push(format!("async {i}: {other:?}")),
                        }
                        callbacks2.fetch_add(1, Ordering::SeqCst);
                    })
                    .await;
                if let Err(e) = submitted {
                    failures.lock().unwrap().push(format!("async submit {i}: {e}"));
                    callbacks.fetch_add(1, Ordering::SeqCst);
                }
            }
        }));
    }
    // Oneway: no acknowledgement.
    {
        let (p, t, failures) = (producer.clone(), topic.clone(), failures.clone());
        tasks.push(tokio::spawn(async move {
            for i in ASYNC_END..ONEWAY_END {
                if let Err(e) = p.send_oneway(msg(&t, i)).await {
                    failures.lock().unwrap().push(format!("oneway {i}: {e}"));
                }
            }
        }));
    }
    // Batches.
    {
        let (p, t, acked, failures) = (producer.clone(), topic.clone(), acked.clone(), failures.clone());
        tasks.push(tokio::spawn(async move {
            for start in (ONEWAY_END..TOTAL).step_by(BATCH) {
                let batch: Vec<Message> = (start..start + BATCH).map(|i| msg(&t, i)).collect();
                match p.send_batch(batch).await {
                    Ok(r) if r.send_status == SendStatus::SendOk => {
                        let mut a = acked.lock().unwrap();
                        a.extend((start..start + BATCH).map(key_of));
                    }
                    other => failures.lock().unwrap().push(format!("batch {start}: {other:?}")),
                }
            }
        }));
    }
    for t in tasks {
        t.await.expect("sender task");
    }
    let all_callbacks = {
        let c = callbacks.clone();
        wait_until(Duration::from_secs(60), move || c.load(Ordering::SeqCst) == ASYNC_END - SYNC_END).await
    };
    assert!(all_callbacks, "only {} of 3000 async callbacks ran", callbacks.load(Ordering::SeqCst));
    let failures = failures.lock().unwrap().clone();
    assert!(
        failures.is_empty(),
        "{} sends failed, first: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    let acked = acked.lock().unwrap().clone();
    assert_eq!(acked.len(), TOTAL - (ONEWAY_END - ASYNC_END), "every non-oneway send acknowledged");
    eprintln!("produced {TOTAL} in {:?}", started.elapsed());

    // The broker's offsets: oneway messages may lag; wait (bounded) for all.
    let mut producer = Arc::try_unwrap(producer).unwrap_or_else(|_| panic!("producer still shared"));
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut stored = stored_total(&mut producer, &queues).await;
    while stored < TOTAL as i64 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
        stored = stored_total(&mut producer, &queues).await;
    }
    assert!(stored >= acked.len() as i64, "broker stores {stored} < {} acknowledged", acked.len());
    assert!(stored <= TOTAL as i64, "broker stores {stored} > {TOTAL} sent");
    if stored < TOTAL as i64 {
        eprintln!("note: {} oneway messages were not stored", TOTAL as i64 - stored);
    }
    let stored = stored as usize;

    // Push consumer and lite-pull consumer, concurrently.
    let push_seen: Arc<Mutex<Seen>> = Arc::default();
    let push_group = unique("pc_push");
    let mut push = DefaultMQPushConsumer::builder(client_runtime(&push_group))
        .client_config(client_config(&ns, &push_group))
        .consumer_group(push_group.clone())
        .consume_from_where(ConsumeFromWhere::ConsumeFromFirstOffset)
        .consume_message_batch_max_size(16)
        .pull_batch_size(32)
        .build();
    push.subscribe(topic.as_str(), "*").await.expect("subscribe");
    {
        let seen = push_seen.clone();
        push.register_message_listener_concurrently(
            move |msgs: &[&MessageExt], _ctx: &ConsumeConcurrentlyContext| {
                let mut s = seen.lock().unwrap();
                for m in msgs {
                    s.record(m);
                }
                Ok(ConsumeConcurrentlyStatus::ConsumeSuccess)
            },
        );
    }
    let consume_started = Instant::now();
    push.start().await.expect("push consumer start");

    let lite_group = unique("pc_lite");
    let lite = lite_builder(&ns, &lite_group)
        .pull_batch_size(64)
        .auto_commit(true)
        .build()
        .expect("lite pull consumer");
    lite.subscribe_with_expression(&topic, "*").await.expect("lite subscribe");
    lite.start().await.expect("lite start");

    let mut lite_seen = Seen::default();
    let deadline = Instant::now() + Duration::from_secs(90);
    lite_seen.poll_until(&lite, stored, deadline).await;
    let lite_done = consume_started.elapsed();
    let push_ok = {
        let s = push_seen.clone();
        wait_until(Duration::from_secs(60), move || s.lock().unwrap().by_key.len() >= stored).await
    };
    let push_done = consume_started.elapsed();
    // A little longer: nothing beyond the stored set may show up.
    tokio::time::sleep(Duration::from_millis(500)).await;
    lite_seen.poll_once(&lite, 200).await;
    push.shutdown().await;
    lite.shutdown().await;
    producer.shutdown().await;

    let push_seen = push_seen.lock().unwrap();
    eprintln!(
        "push: {} unique / {} deliveries in {push_done:?}; lite pull: {} unique / {} deliveries in {lite_done:?}",
        push_seen.by_key.len(),
        push_seen.deliveries,
        lite_seen.by_key.len(),
        lite_seen.deliveries
    );
    for (who, seen, ok) in [("push", &*push_seen, push_ok), ("lite-pull", &lite_seen, true)] {
        seen.check_contents(&topic, who);
        let missing: Vec<&String> = acked.iter().filter(|k| !seen.by_key.contains_key(*k)).collect();
        assert!(
            missing.is_empty(),
            "{who}: {} acknowledged messages never delivered (e.g. {:?})",
            missing.len(),
            &missing[..missing.len().min(5)]
        );
        assert!(ok, "{who}: timed out");
        assert_eq!(seen.by_key.len(), stored, "{who}: unique messages == broker offsets");
        let dups = seen.deliveries - seen.by_key.len();
        assert!(dups <= 100, "{who}: {dups} duplicate deliveries");
    }
}

/// Sends `n` messages (tags TagA/TagB/TagC round robin) and checks that a
/// push consumer subscribed with `push_expr`, and lite-pull consumers
/// subscribed with `lite_expr` and with `TagC`, get exactly their share.
async fn tag_filter_case(push_expr: &str, lite_expr: &str) {
    const N: usize = 300;
    let cluster = Cluster::start();
    let ns = cluster.namesrv_addr.clone();
    let topic = unique("E2E_TAG");
    create_topic(&ns, &topic, 4).await;

    let producer = start_producer(&ns, &unique("tag_producer")).await;
    for i in 0..N {
        let r = producer.send(msg(&topic, i)).await.expect("send").expect("sync result");
        assert_eq!(r.send_status, SendStatus::SendOk);
    }
    let a_or_b: HashSet<String> = (0..N).filter(|i| tag_of(*i) != "TagC").map(key_of).collect();
    let only_c: HashSet<String> = (0..N).filter(|i| tag_of(*i) == "TagC").map(key_of).collect();

    let seen: Arc<Mutex<Seen>> = Arc::default();
    let group = unique("tag_push");
    let mut push = DefaultMQPushConsumer::builder(client_runtime(&group))
        .client_config(client_config(&ns, &group))
        .consumer_group(group.clone())
        .consume_from_where(ConsumeFromWhere::ConsumeFromFirstOffset)
        .build();
    push.subscribe(topic.as_str(), push_expr).await.expect("subscribe");
    {
        let seen = seen.clone();
        push.register_message_listener_concurrently(
            move |msgs: &[&MessageExt], _ctx: &ConsumeConcurrentlyContext| {
                let mut s = seen.lock().unwrap();
                for m in msgs {
                    s.record(m);
                }
                Ok(ConsumeConcurrentlyStatus::ConsumeSuccess)
            },
        );
    }
    push.start().await.expect("start");

    // Lite-pull consumers send the expression in every PULL header (the
    // broker parses it); the push consumer's comes from its heartbeat.
    let mut lites = Vec::new();
    for expr in [lite_expr, "TagC"] {
        let lite_group = unique("tag_lite");
        let lite = lite_builder(&ns, &lite_group).build().expect("lite");
        lite.subscribe_with_expression(&topic, expr).await.expect("lite subscribe");
        lite.start().await.expect("lite start");
        lites.push((expr, lite, Seen::default()));
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    for (expr, lite, seen) in &mut lites {
        let want = if *expr == "TagC" { only_c.len() } else { a_or_b.len() };
        seen.poll_until(lite, want, deadline).await;
    }

    let n_expected = a_or_b.len();
    let ok = {
        let s = seen.clone();
        wait_until(Duration::from_secs(30), move || s.lock().unwrap().by_key.len() >= n_expected).await
    };
    // Give a stray message time to arrive.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    for (_, lite, seen) in &mut lites {
        seen.poll_once(lite, 200).await;
    }
    push.shutdown().await;
    for (_, lite, _) in &lites {
        lite.shutdown().await;
    }

    let s = seen.lock().unwrap();
    s.check_contents(&topic, "push");
    let got: HashSet<String> = s.by_key.keys().cloned().collect();
    assert!(ok, "push consumer ({push_expr:?}) got {} of {n_expected}", got.len());
    assert_eq!(got, a_or_b, "push consumer ({push_expr:?}): exactly the TagA/TagB messages");
    for (expr, _, seen) in &lites {
        seen.check_contents(&topic, expr);
        let got: HashSet<String> = seen.by_key.keys().cloned().collect();
        let expected = if *expr == "TagC" { &only_c } else { &a_or_b };
        assert_eq!(&got, expected, "lite-pull consumer ({expr:?}): exactly its tags");
    }
}

/// The push consumer subscribes `TagA||TagB` (no blanks): see
/// `tag_filter_push_with_blanks` for why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tag_filter() {
    tag_filter_case("TagA||TagB", "TagA || TagB").await;
}

/// IGNORED — client bug, not ours: rocketmq-client-rust 1.0.0 (its
/// rocketmq-protocol `FilterAPI::build_subscription_data`) puts the hash of
/// the UNTRIMMED tag into `codeSet` ("TagA || TagB" → hashes of "TagA " and
/// " TagB"), while `tagsSet` holds the trimmed tags. Java's FilterAPI hashes
/// the trimmed tag. A push consumer's PULL carries no subscription (sysFlag
/// without FLAG_SUBSCRIPTION), so the broker — Java's and ours alike — filters
/// with the heartbeat's codeSet and matches nothing. Run with
/// `cargo test -p booster-tests --test e2e_messaging -- --ignored`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "rocketmq-client-rust 1.0.0 bug: heartbeat codeSet hashes untrimmed tags"]
async fn tag_filter_push_with_blanks() {
    tag_filter_case("TagA || TagB", "TagA || TagB").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orderly_per_queue_order() {
    const ORDERS: usize = 8;
    const STEPS: usize = 50;
    let cluster = Cluster::start();
    let ns = cluster.namesrv_addr.clone();
    let topic = unique("E2E_ORDER");
    create_topic(&ns, &topic, 4).await;

    let producer = start_producer(&ns, &unique("order_producer")).await;
    // Interleave orders; each order always goes to queue (order % n).
    for step in 0..STEPS {
        for order in 0..ORDERS {
            let m = Message::builder()
                .topic(topic.as_str())
                .tags("Order")
                .key(format!("order-{order}-step-{step}"))
                .sharding_key(format!("order-{order}"))
                .body_slice(format!("{order}:{step}").as_bytes())
                .build_unchecked();
            let selector = |queues: &[MessageQueue], _m: &Message, order: &usize| {
                queues.get(order % queues.len()).cloned()
            };
            let r = producer.send_with_selector(m, selector, order).await.expect("send").expect("result");
            assert_eq!(r.send_status, SendStatus::SendOk);
            assert_eq!(
                r.message_queue.as_ref().map(|q| q.queue_id() as usize),
                Some(order % 4),
                "selector picked the queue"
            );
        }
    }

    // order -> steps in consumption order; (queue id) -> offsets in consumption order.
    type Log = (HashMap<usize, Vec<usize>>, HashMap<i32, Vec<i64>>);
    let log: Arc<Mutex<Log>> = Arc::default();
    let group = unique("order_push");
    let mut push = DefaultMQPushConsumer::builder(client_runtime(&group))
        .client_config(client_config(&ns, &group))
        .consumer_group(group.clone())
        .consume_from_where(ConsumeFromWhere::ConsumeFromFirstOffset)
        .consume_message_batch_max_size(4)
        .build();
    push.subscribe(topic.as_str(), "*").await.expect("subscribe");
    {
        let log = log.clone();
        push.register_message_listener_orderly(
            move |msgs: &[&MessageExt], _ctx: &mut ConsumeOrderlyContext| {
                let mut l = log.lock().unwrap();
                for m in msgs {
                    let body = String::from_utf8_lossy(&m.body().unwrap_or_default()).into_owned();
                    let (o, s) = body.split_once(':').expect("order:step body");
                    l.0.entry(o.parse().unwrap()).or_default().push(s.parse().unwrap());
                    l.1.entry(m.queue_id()).or_default().push(m.queue_offset());
                }
                Ok(ConsumeOrderlyStatus::Success)
            },
        );
    }
    push.start().await.expect("start");
    assert!(push.is_consume_orderly());
    let ok = {
        let l = log.clone();
        wait_until(Duration::from_secs(30), move || {
            let l = l.lock().unwrap();
            l.0.len() == ORDERS && l.0.values().all(|v| v.len() >= STEPS)
        })
        .await
    };
    push.shutdown().await;
    let l = log.lock().unwrap();
    let got: usize = l.0.values().map(Vec::len).sum();
    assert!(ok, "orderly consumer got {got} of {} messages", ORDERS * STEPS);
    for (order, steps) in &l.0 {
        assert_eq!(steps, &(0..STEPS).collect::<Vec<_>>(), "order {order} consumed out of order");
    }
    for (queue, offsets) in &l.1 {
        assert!(
            offsets.windows(2).all(|w| w[0] < w[1]),
            "queue {queue}: offsets not increasing: {offsets:?}"
        );
    }
}
