//! The Prometheus endpoint of an in-process broker (`metricsExporterType=PROM`
//! on port 0): after a send and a pull, a scrape shows the put, pull, store
//! and request metrics. The recorder is process-wide, so this file holds a
//! single test.

mod common;

use booster_remoting::RemotingClient;
use booster_remoting::prometheus::scrape;
use common::*;

/// The value of the first sample whose line starts with `prefix`.
fn sample(page: &str, prefix: &str) -> Option<f64> {
    page.lines().find(|l| l.starts_with(prefix))?.rsplit(' ').next()?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scrape_shows_put_pull_and_request_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let broker = start(
        dir.path(),
        "metricsExporterType=PROM\nmetricsPromExporterHost=127.0.0.1\nmetricsPromExporterPort=0\n",
    )
    .await;
    let metrics_addr = broker.metrics_addr().expect("PROM installs the endpoint");
    let client = RemotingClient::default();
    let a = addr(&broker);
    send_ok(&client, &a, send_v2(send_header("MetricsTopic", 0, &props(&[])), b"hello")).await;
    wait_max_offset(&client, &a, "MetricsTopic", 0, 1).await;
    let pulled = pull_records(&client, &a, "MetricsTopic", 0, 0).await;
    assert_eq!(pulled.len(), 1);

    let page = tokio::task::spawn_blocking(move || scrape(metrics_addr)).await.unwrap().unwrap();
    let put = sample(&page, "rocketmq_messages_in_total{topic=\"MetricsTopic\",result=\"PutOk\"}");
    assert_eq!(put, Some(1.0), "{page}");
    let bytes = sample(&page, "rocketmq_throughput_in_total{topic=\"MetricsTopic\",result=\"PutOk\"}");
    assert!(bytes.is_some_and(|b| b > 5.0), "a stored record is bigger than its body: {page}");
    assert!(page.contains("rocketmq_put_latency_bucket{topic=\"MetricsTopic\""), "{page}");
    let out =
        sample(&page, "rocketmq_messages_out_total{topic=\"MetricsTopic\",consumer_group=\"TEST_PULLER\"}");
    assert_eq!(out, Some(1.0), "{page}");
    // SEND_MESSAGE_V2 (310) answered SUCCESS (0), timed in the remoting dispatch.
    let sends = sample(&page, "rocketmq_rpc_latency_count{request_code=\"310\",response_code=\"0\"}");
    assert!(sends.is_some_and(|n| n >= 1.0), "{page}");
    // Store gauges are sampled once a second.
    let sampled = eventually_within(TIMEOUT, || async move {
        let page = tokio::task::spawn_blocking(move || scrape(metrics_addr)).await.unwrap().unwrap();
        sample(&page, "rocketmq_storage_commitlog_max_offset").is_some_and(|o| o > 0.0)
            && sample(&page, "rocketmq_broker_role") == Some(1.0)
    })
    .await;
    assert!(sampled, "the CommitLog max offset and the master role show up");
    broker.shutdown().await.unwrap();
}
