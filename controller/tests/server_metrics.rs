//! The Prometheus endpoint of a single controller node started as
//! `mqcontroller` starts it (`metricsExporterType=PROM` on port 0): after
//! a heartbeat, a registration, an election and a metadata call, a scrape
//! shows the controller metrics. The recorder is process-wide, so this
//! file holds a single test.

mod server_support;

use std::time::{Duration, Instant};

use booster_conf::{ControllerConfig, Properties};
use booster_remoting::headers::controller::GetMetaDataResponseHeader;
use booster_remoting::prometheus::scrape;
use booster_remoting::{RemotingClient, RemotingCommand, request};
use server_support::*;

const CALL_TIMEOUT: Duration = Duration::from_secs(6);
const LEADER_TIMEOUT: Duration = Duration::from_secs(30);

async fn ok(client: &RemotingClient, addr: &str, cmd: RemotingCommand) -> RemotingCommand {
    let resp = client.invoke(addr, cmd, CALL_TIMEOUT).await.expect("controller answers");
    assert_eq!(resp.code, 0, "remark: {:?}", resp.remark);
    resp
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scrape_shows_leader_heartbeats_elections_and_sets() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let peer = format!("127.0.0.1:{port}");
    let text = format!(
        "controllerDLegerGroup=group1\ncontrollerDLegerPeers=n0-{peer}\ncontrollerDLegerSelfId=n0\n\
         controllerStorePath={}\nmetricsExporterType=PROM\nmetricsPromExporterHost=127.0.0.1\n\
         metricsPromExporterPort=0\n",
        dir.path().display()
    );
    let config =
        ControllerConfig::load(Properties::parse_str(&text, "controller.conf").unwrap()).unwrap().config;
    let node = booster_controller::start(config).await.unwrap();
    let metrics_addr = node.metrics_addr().expect("PROM installs the endpoint");
    let client = RemotingClient::default();

    // A ready leader answers a leader-only read.
    let deadline = Instant::now() + LEADER_TIMEOUT;
    loop {
        let resp = client.invoke(&peer, next_id(), CALL_TIMEOUT).await;
        if resp.is_ok_and(|r| r.code == 0) {
            break;
        }
        assert!(Instant::now() < deadline, "the single node never became a ready leader");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    ok(&client, &peer, apply_id(1, &addr(1))).await;
    ok(&client, &peer, register(1, &addr(1))).await;
    ok(&client, &peer, heartbeat(Some(1), &addr(1))).await;
    ok(&client, &peer, elect(1)).await;
    let meta = ok(&client, &peer, RemotingCommand::request(request::CONTROLLER_GET_METADATA_INFO)).await;
    assert_eq!(header::<GetMetaDataResponseHeader>(&meta).is_leader, Some(true));

    let page = tokio::task::spawn_blocking(move || scrape(metrics_addr)).await.unwrap().unwrap();
    assert!(page.contains("\nrocketmq_controller_is_leader 1\n"), "{page}");
    assert!(page.contains("\nrocketmq_controller_broker_sets 1\n"), "{page}");
    assert!(page.contains("\nrocketmq_controller_heartbeats_total 1\n"), "{page}");
    assert!(page.contains("rocketmq_controller_elections_total{result=\"Success\"} 1\n"), "{page}");
    node.shutdown().await;
}
