//! The name server over loopback: an in-process server on port 0 driven by
//! `booster_remoting::RemotingClient`, and the `mqnamesrv` binary itself.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use booster_model::route::decode_body;
use booster_model::{ClusterInfo, RegisterBrokerBody, TopicConfig, TopicRouteData, to_rocketmq_json};
use booster_namesrv::{NamesrvConfig, NamesrvHandle};
use booster_remoting::codec::RemotingCodec;
use booster_remoting::header::CommandHeader;
use booster_remoting::headers::namesrv::RegisterBrokerRequestHeader;
use booster_remoting::{RemotingClient, RemotingCommand, ResponseCode, request};
use bytes::BytesMut;
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;
use tokio_util::codec::{Encoder, FramedRead};

const TIMEOUT: Duration = Duration::from_secs(5);

async fn start(dir: &tempfile::TempDir) -> NamesrvHandle {
    let config = NamesrvConfig {
        listen_port: 0,
        bind_address: "127.0.0.1".into(),
        kv_config_path: dir.path().join("kvConfig.json"),
        ..NamesrvConfig::default()
    };
    booster_namesrv::start(config).await.expect("name server starts")
}

fn register_request(name: &str, addr: &str, id: i64) -> RemotingCommand {
    let mut body = RegisterBrokerBody::default();
    let w = &mut body.topic_config_serialize_wrapper;
    w.data_version.counter = 1;
    w.data_version.timestamp = 1_700_000_000_000;
    for (topic, queues) in [("TopicTest", 4), ("TBW102", 8)] {
        let mut tc = TopicConfig::new(topic);
        tc.read_queue_nums = queues;
        tc.write_queue_nums = queues;
        w.topic_config_table.insert(topic.into(), tc);
    }
    let header = RegisterBrokerRequestHeader {
        broker_name: name.into(),
        broker_addr: addr.into(),
        cluster_name: "DefaultCluster".into(),
        ha_server_addr: addr.replace(":10911", ":10912"),
        broker_id: id,
        enable_acting_master: Some(false),
        compressed: Some(false),
        ..Default::default()
    };
    RemotingCommand::request(request::REGISTER_BROKER)
        .with_ext(header.encode())
        .with_body(to_rocketmq_json(&body, false).into_bytes())
}

fn route_request(topic: &str) -> RemotingCommand {
    let mut r = RemotingCommand::request(request::GET_ROUTEINFO_BY_TOPIC);
    r.set_ext("topic", topic);
    r
}

#[tokio::test]
async fn register_route_cluster_info_and_unknown_codes() {
    let dir = tempfile::tempdir().unwrap();
    let ns = start(&dir).await;
    let addr = ns.local_addr().to_string();
    let client = RemotingClient::default();

    let resp =
        client.invoke(&addr, register_request("broker-a", "127.0.0.1:10911", 0), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, ResponseCode::Success.code(), "{:?}", resp.remark);
    let resp =
        client.invoke(&addr, register_request("broker-a", "127.0.0.2:10911", 1), TIMEOUT).await.unwrap();
    assert_eq!(resp.ext("masterAddr"), Some("127.0.0.1:10911"));
    assert_eq!(resp.ext("haServerAddr"), Some("127.0.0.1:10912"));

    let resp = client.invoke(&addr, route_request("TopicTest"), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 0);
    let text = String::from_utf8(resp.body.clone().unwrap().to_vec()).unwrap();
    assert!(text.contains(r#""brokerAddrs":{"0":"127.0.0.1:10911","1":"127.0.0.2:10911"}"#), "{text}");
    let route: TopicRouteData = serde_json::from_str(&text).expect("standard JSON for version 479");
    assert_eq!(route.queue_datas[0].write_queue_nums, 4);

    let resp = client.invoke(&addr, route_request("Nope"), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, ResponseCode::TopicNotExist.code());
    assert!(resp.remark.unwrap().starts_with("No topic route info in name server for the topic: Nope"));

    let resp = client
        .invoke(&addr, RemotingCommand::request(request::GET_BROKER_CLUSTER_INFO), TIMEOUT)
        .await
        .unwrap();
    let info: ClusterInfo = decode_body(resp.body.as_deref().unwrap()).unwrap();
    assert_eq!(info.cluster_addr_table["DefaultCluster"].len(), 1);
    assert_eq!(info.broker_addr_table["broker-a"].broker_addrs.len(), 2);

    let resp = client.invoke(&addr, RemotingCommand::request(4242), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, ResponseCode::RequestCodeNotSupported.code());
    assert_eq!(resp.remark.as_deref(), Some(" request type 4242 not supported"));
    ns.shutdown();
}

#[tokio::test]
async fn kv_config_is_persisted_as_rocketmq_json() {
    let dir = tempfile::tempdir().unwrap();
    let ns = start(&dir).await;
    let client = RemotingClient::default();
    let mut put = RemotingCommand::request(request::PUT_KV_CONFIG);
    put.set_ext("namespace", "ORDER_TOPIC_CONFIG");
    put.set_ext("key", "TopicOrder");
    put.set_ext("value", "broker-a:4");
    let resp = client.invoke(&ns.local_addr().to_string(), put, TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 0);
    let file = std::fs::read_to_string(dir.path().join("kvConfig.json")).unwrap();
    assert_eq!(file, r#"{"configTable":{"ORDER_TOPIC_CONFIG":{"TopicOrder":"broker-a:4"}}}"#);
    drop(ns);

    // A restarted server loads it back.
    let ns = start(&dir).await;
    let mut get = RemotingCommand::request(request::GET_KV_CONFIG);
    get.set_ext("namespace", "ORDER_TOPIC_CONFIG");
    get.set_ext("key", "TopicOrder");
    let resp = client.invoke(&ns.local_addr().to_string(), get, TIMEOUT).await.unwrap();
    assert_eq!(resp.ext("value"), Some("broker-a:4"));
}

#[tokio::test]
async fn closing_the_broker_connection_unregisters_it() {
    let dir = tempfile::tempdir().unwrap();
    let ns = start(&dir).await;
    // A raw socket, so that we decide when it closes.
    let mut stream = tokio::net::TcpStream::connect(ns.local_addr()).await.unwrap();
    let mut frame = BytesMut::new();
    RemotingCodec::default().encode(register_request("broker-a", "127.0.0.1:10911", 0), &mut frame).unwrap();
    stream.write_all(&frame).await.unwrap();
    let (read_half, write_half) = stream.into_split();
    let mut frames = FramedRead::new(read_half, RemotingCodec::default());
    let resp = tokio::time::timeout(TIMEOUT, frames.next()).await.unwrap().unwrap().unwrap();
    assert_eq!(resp.code, 0);
    assert_eq!(ns.state().lock().routes.live_broker_count(), 1);

    drop(frames);
    drop(write_half);
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    while ns.state().lock().routes.live_broker_count() != 0 {
        assert!(tokio::time::Instant::now() < deadline, "broker not unregistered on close");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(ns.state().lock().routes.pickup_topic_route_data("TopicTest").is_none());
}

#[test]
fn a_bad_config_value_names_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("namesrv.conf");
    std::fs::write(&conf, "# name server\nlistenPort = 9876\nscanNotActiveBrokerInterval = 5s\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mqnamesrv")).arg("-c").arg(&conf).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let expected =
        format!("{}:3: invalid value \"5s\" for key `scanNotActiveBrokerInterval`", conf.display());
    assert!(stderr.contains(&expected), "stderr: {stderr}");
}

#[test]
fn help_print_and_usage_errors() {
    let bin = env!("CARGO_BIN_EXE_mqnamesrv");
    let help = Command::new(bin).arg("-h").output().unwrap();
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).starts_with("usage: mqnamesrv"));

    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("namesrv.conf");
    std::fs::write(&conf, "listenPort=19876\norderMessageEnable=true\n").unwrap();
    let print = Command::new(bin).arg("-c").arg(&conf).arg("-p").output().unwrap();
    assert!(print.status.success());
    let stdout = String::from_utf8_lossy(&print.stdout);
    assert!(
        stdout.contains("listenPort=19876\n") && stdout.contains("orderMessageEnable=true\n"),
        "{stdout}"
    );

    let bad = Command::new(bin).arg("--bogus").output().unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("Unrecognized option: --bogus"));
}

#[test]
fn the_binary_boots_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("namesrv.conf");
    let kv = dir.path().join("kv.json");
    std::fs::write(&conf, format!("listenPort=0\nbindAddress=127.0.0.1\nkvConfigPath={}\n", kv.display()))
        .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_mqnamesrv"))
        .arg("-c")
        .arg(&conf)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let boot = loop {
        let line = rx.recv_timeout(Duration::from_secs(20)).expect("boot line");
        if line.starts_with("The Name Server boot success") {
            break line;
        }
    };
    assert!(
        boot.starts_with("The Name Server boot success. serializeType=JSON, address 127.0.0.1:"),
        "{boot}"
    );
    let port: u16 = boot.rsplit(':').next().unwrap().parse().unwrap();
    assert_ne!(port, 0);
    std::net::TcpStream::connect(("127.0.0.1", port)).expect("listening");

    let killed = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap();
    assert!(killed.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{status:?}");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
}
