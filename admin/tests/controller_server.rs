//! The controller commands against Booster's own controller: one
//! `mqcontroller` node in-process (openraft log, port picked free), a
//! broker set registered over remoting the way brokers do it, then
//! mqadmin reads the metadata, designates a master and reads the result.

mod common;

use std::time::{Duration, Instant};

use booster_conf::{ControllerConfig, Properties};
use booster_remoting::header::CommandHeader;
use booster_remoting::headers::controller::{
    ApplyBrokerIdRequestHeader, RegisterBrokerToControllerRequestHeader,
};
use booster_remoting::headers::namesrv::BrokerHeartbeatRequestHeader;
use booster_remoting::{RemotingClient, RemotingCommand, request};
use common::{TIMEOUT, mqadmin};

const CLUSTER: &str = "C";
const NAME: &str = "broker-a";

fn broker_addr(id: i64) -> String {
    format!("127.0.0.1:{}", 30_000 + id)
}

async fn ok(client: &RemotingClient, addr: &str, code: i32, header: impl CommandHeader) {
    let cmd = RemotingCommand::request(code).with_ext(header.encode());
    let resp = client.invoke(addr, cmd, TIMEOUT).await.expect("controller answers");
    assert_eq!(resp.code, 0, "request {code}: {:?}", resp.remark);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn against_a_booster_controller() {
    let store = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr = format!("127.0.0.1:{port}");
    let text = format!(
        "controllerDLegerGroup=group1\ncontrollerDLegerPeers=n0-{addr}\ncontrollerDLegerSelfId=n0\n\
         controllerStorePath={}\n",
        store.path().display()
    );
    let config =
        ControllerConfig::load(Properties::parse_str(&text, "controller.conf").unwrap()).unwrap().config;
    let controller = booster_controller::start(config).await.expect("controller starts");

    // Ready once a leader-only request succeeds through mqadmin.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let run = mqadmin(&["getSyncStateSet", "-a", &addr, "-b", NAME], None).await;
        if run.code == Some(0) {
            break;
        }
        assert!(Instant::now() < deadline, "the controller never became a ready leader: {}", run.stderr);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let meta = mqadmin(&["getControllerMetaData", "-a", &addr], None).await;
    let meta = meta.ok();
    assert!(meta.contains(&format!("\n#ControllerLeaderAddress\t{addr}\n#IsLeader\ttrue\n")), "{meta}");

    let client = RemotingClient::default();
    for id in 1..=2 {
        let apply = ApplyBrokerIdRequestHeader {
            cluster_name: CLUSTER.into(),
            broker_name: NAME.into(),
            applied_broker_id: id,
            register_check_code: format!("{};1700000000000", broker_addr(id)),
        };
        ok(&client, &addr, request::CONTROLLER_APPLY_BROKER_ID, apply).await;
        let register = RegisterBrokerToControllerRequestHeader {
            cluster_name: CLUSTER.into(),
            broker_name: NAME.into(),
            broker_id: id,
            broker_address: broker_addr(id),
            invoke_time: None,
        };
        ok(&client, &addr, request::CONTROLLER_REGISTER_BROKER, register).await;
        let heartbeat = BrokerHeartbeatRequestHeader {
            cluster_name: CLUSTER.into(),
            broker_addr: broker_addr(id),
            broker_name: NAME.into(),
            broker_id: Some(id),
            epoch: Some(0),
            max_offset: Some(0),
            confirm_offset: None,
            heartbeat_timeout_mills: Some(60_000),
            election_priority: None,
        };
        ok(&client, &addr, request::BROKER_HEARTBEAT, heartbeat).await;
    }

    let elect = mqadmin(&["electMaster", "-a", &addr, "-c", CLUSTER, "-bn", NAME, "-b", "2"], None).await;
    let elect = elect.ok();
    assert!(
        elect.contains(&format!("\n#BrokerMasterAddr\t{}\n#MasterEpoch\t1\n", broker_addr(2))),
        "{elect}"
    );
    assert!(elect.contains(&format!("\t#Broker\t1\t{}\n", broker_addr(1))), "{elect}");

    let set = mqadmin(&["getSyncStateSet", "-a", &addr, "-b", NAME], None).await;
    let set = set.ok();
    assert!(
        set.contains(&format!("\n#MasterBrokerId\t2\n#MasterAddr\t{}\n#MasterEpoch\t1\n", broker_addr(2))),
        "{set}"
    );
    assert!(set.contains("brokerId=2") && set.contains("alive=true"), "{set}");

    let config = mqadmin(&["getControllerConfig", "-a", &addr], None).await;
    assert!(config.ok().starts_with(&format!("============{addr}============\n")), "{}", config.stdout);
    controller.shutdown().await;
}
