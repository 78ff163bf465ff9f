//! The Prometheus endpoint of an in-process name server
//! (`metricsExporterType=PROM` on port 0): after a broker registration and
//! a route lookup, a scrape shows the live-broker gauge and both counters.
//! The recorder is process-wide, so this file holds a single test.

use std::time::Duration;

use booster_model::{RegisterBrokerBody, to_rocketmq_json};
use booster_namesrv::NamesrvConfig;
use booster_remoting::header::CommandHeader;
use booster_remoting::headers::namesrv::RegisterBrokerRequestHeader;
use booster_remoting::prometheus::scrape;
use booster_remoting::{RemotingClient, RemotingCommand, ResponseCode, request};

const TIMEOUT: Duration = Duration::from_secs(5);

#[tokio::test]
async fn scrape_shows_registrations_and_route_requests() {
    let dir = tempfile::tempdir().unwrap();
    let config = NamesrvConfig {
        listen_port: 0,
        bind_address: "127.0.0.1".into(),
        kv_config_path: dir.path().join("kvConfig.json"),
        ..NamesrvConfig::load(
            booster_conf::Properties::parse_str(
                "metricsExporterType=PROM\nmetricsPromExporterHost=127.0.0.1\nmetricsPromExporterPort=0\n",
                "namesrv.conf",
            )
            .unwrap(),
        )
        .unwrap()
        .config
    };
    let ns = booster_namesrv::start(config).await.unwrap();
    let metrics_addr = ns.metrics_addr().expect("PROM installs the endpoint");
    let (addr, client) = (ns.local_addr().to_string(), RemotingClient::default());

    let header = RegisterBrokerRequestHeader {
        broker_name: "broker-a".into(),
        broker_addr: "127.0.0.1:10911".into(),
        cluster_name: "DefaultCluster".into(),
        ha_server_addr: "127.0.0.1:10912".into(),
        broker_id: 0,
        ..Default::default()
    };
    let register = RemotingCommand::request(request::REGISTER_BROKER)
        .with_ext(header.encode())
        .with_body(to_rocketmq_json(&RegisterBrokerBody::default(), false).into_bytes());
    let resp = client.invoke(&addr, register, TIMEOUT).await.unwrap();
    assert_eq!(resp.code, ResponseCode::Success.code(), "{:?}", resp.remark);
    let mut route = RemotingCommand::request(request::GET_ROUTEINFO_BY_TOPIC);
    route.set_ext("topic", "NoSuchTopic");
    let resp = client.invoke(&addr, route, TIMEOUT).await.unwrap();
    assert_eq!(resp.code, ResponseCode::TopicNotExist.code());

    let page = tokio::task::spawn_blocking(move || scrape(metrics_addr)).await.unwrap().unwrap();
    assert!(page.contains("\nrocketmq_namesrv_live_brokers 1\n"), "{page}");
    assert!(
        page.contains(
            "rocketmq_namesrv_broker_registrations_total{kind=\"register\",response_code=\"0\"} 1\n"
        ),
        "{page}"
    );
    assert!(page.contains("rocketmq_namesrv_route_requests_total{response_code=\"17\"} 1\n"), "{page}");
    assert!(
        page.contains("rocketmq_rpc_latency_count{request_code=\"105\",response_code=\"17\"} 1\n"),
        "{page}"
    );
}
