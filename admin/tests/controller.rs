//! The controller commands of the real `mqadmin` binary against scripted
//! controllers (and a scripted name server / broker where a command needs
//! one): the request each sends (code, header fields, body), where it sends
//! it (leader-only requests go to the leader the metadata names), and what
//! it prints.

mod common;

use common::fake::{Answer, Fake, body, field};
use common::mqadmin;

const GET_METADATA_INFO: i32 = 1005;
const ELECT_MASTER: i32 = 1002;
const GET_SYNC_STATE_DATA: i32 = 1006;
const GET_BROKER_EPOCH_CACHE: i32 = 1007;
const UPDATE_CONTROLLER_CONFIG: i32 = 1009;
const GET_CONTROLLER_CONFIG: i32 = 1010;
const CLEAN_BROKER_DATA: i32 = 1011;
const GET_BROKER_CLUSTER_INFO: i32 = 106;

/// A follower that names `leader` as leader, and the leader itself.
async fn follower_and_leader() -> (Fake, Fake) {
    let (follower, leader) = (Fake::start().await, Fake::start().await);
    follower.answer_metadata(&leader.addr());
    leader.answer_metadata(&leader.addr());
    (follower, leader)
}

fn cluster_info(brokers: &[(&str, &[(i64, String)])]) -> String {
    let table: Vec<String> = brokers
        .iter()
        .map(|(name, addrs)| {
            let addrs: Vec<String> = addrs.iter().map(|(id, a)| format!("{id}:\"{a}\"")).collect();
            format!(
                "\"{name}\":{{\"brokerAddrs\":{{{}}},\"brokerName\":\"{name}\",\"cluster\":\"C\"}}",
                addrs.join(",")
            )
        })
        .collect();
    let names: Vec<String> = brokers.iter().map(|(n, _)| format!("\"{n}\"")).collect();
    format!(
        "{{\"brokerAddrTable\":{{{}}},\"clusterAddrTable\":{{\"C\":[{}]}}}}",
        table.join(","),
        names.join(",")
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_controller_meta_data_prints_the_header() {
    let (follower, leader) = follower_and_leader().await;
    let run = mqadmin(&["getControllerMetaData", "-a", &follower.addr()], None).await;
    assert_eq!(
        run.ok(),
        format!(
            "\n#ControllerGroup\tgroup1\n#ControllerLeaderId\tn1\n#ControllerLeaderAddress\t{l}\n#IsLeader\tfalse\n\
             #Peer:\tn0:{f}\n#Peer:\tn1:{l}\n",
            l = leader.addr(),
            f = follower.addr()
        )
    );
    assert_eq!(follower.codes(), [GET_METADATA_INFO]);
    assert!(leader.codes().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_sync_state_set_asks_the_leader_for_named_or_cluster_brokers() {
    let (follower, leader) = follower_and_leader().await;
    leader.answer(
        GET_SYNC_STATE_DATA,
        Answer::ok().body(
            r#"{"replicasInfoTable":{"broker-a":{"inSyncReplicas":[{"alive":true,"brokerAddress":"10.0.0.1:10911","brokerId":1,"brokerName":"broker-a"}],"masterAddress":"10.0.0.1:10911","masterBrokerId":1,"masterEpoch":3,"notInSyncReplicas":[{"alive":false,"brokerAddress":"10.0.0.2:10911","brokerId":2,"brokerName":"broker-a"}],"syncStateSetEpoch":5}}}"#,
        ),
    );
    let run = mqadmin(&["getSyncStateSet", "-a", &follower.addr(), "-b", "broker-a"], None).await;
    assert_eq!(
        run.ok(),
        "\n#brokerName\tbroker-a\n#MasterBrokerId\t1\n#MasterAddr\t10.0.0.1:10911\n#MasterEpoch\t3\n\
         #SyncStateSetEpoch\t5\n#SyncStateSetNums\t1\n\
         \nInSyncReplica:\tReplicaIdentity{brokerName='broker-a', brokerId=1, brokerAddress='10.0.0.1:10911', alive=true}\n\
         \nNotInSyncReplica:\tReplicaIdentity{brokerName='broker-a', brokerId=2, brokerAddress='10.0.0.2:10911', alive=false}\n"
    );
    let asked = leader.seen(GET_SYNC_STATE_DATA);
    assert_eq!(asked.len(), 1);
    assert_eq!(body(&asked[0]), r#"["broker-a"]"#);
    assert!(follower.seen(GET_SYNC_STATE_DATA).is_empty(), "only the leader is asked");

    // -c: the broker names come from the name server's cluster info.
    let namesrv = Fake::start().await;
    namesrv.answer(
        GET_BROKER_CLUSTER_INFO,
        Answer::ok().body(cluster_info(&[("broker-a", &[]), ("broker-b", &[])])),
    );
    let run =
        mqadmin(&["getSyncStateSet", "-a", &follower.addr(), "-c", "C", "-n", &namesrv.addr()], None).await;
    run.ok();
    assert_eq!(body(&leader.seen(GET_SYNC_STATE_DATA)[1]), r#"["broker-a","broker-b"]"#);

    let unknown =
        mqadmin(&["getSyncStateSet", "-a", &follower.addr(), "-c", "Nope", "-n", &namesrv.addr()], None)
            .await;
    assert_eq!(unknown.code, Some(1));
    assert!(unknown.stderr.contains("cluster \"Nope\" not found"), "{}", unknown.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_broker_epoch_asks_every_replica() {
    let (b0, b1, namesrv) = (Fake::start().await, Fake::start().await, Fake::start().await);
    namesrv.answer(
        GET_BROKER_CLUSTER_INFO,
        Answer::ok().body(cluster_info(&[("broker-a", &[(0, b0.addr()), (1, b1.addr())])])),
    );
    let cache = |id: i64| {
        Answer::ok().body(format!(
            r#"{{"brokerId":{id},"brokerName":"broker-a","clusterName":"C","epochList":[{{"endOffset":1024,"epoch":1,"startOffset":0}},{{"endOffset":9223372036854775807,"epoch":2,"startOffset":1024}}],"maxOffset":4096}}"#
        ))
    };
    b0.answer(GET_BROKER_EPOCH_CACHE, cache(0));
    b1.answer(GET_BROKER_EPOCH_CACHE, cache(1));
    let run = mqadmin(&["getBrokerEpoch", "-b", "broker-a", "-n", &namesrv.addr()], None).await;
    let block = |addr: &str, id: i64| {
        format!(
            "\n#clusterName\tC\n#brokerName\tbroker-a\n#brokerAddr\t{addr}\n#brokerId\t{id}\
             \n#Epoch: EpochEntry{{epoch=1, startOffset=0, endOffset=1024}}\
             \n#Epoch: EpochEntry{{epoch=2, startOffset=1024, endOffset=4096}}\n"
        )
    };
    assert_eq!(run.ok(), format!("{}{}", block(&b0.addr(), 0), block(&b1.addr(), 1)));
    assert_eq!((b0.codes(), b1.codes()), (vec![GET_BROKER_EPOCH_CACHE], vec![GET_BROKER_EPOCH_CACHE]));

    // A broker not in controller mode answers SYSTEM_ERROR.
    b1.answer(GET_BROKER_EPOCH_CACHE, Answer::error(1, "this request only for controllerMode"));
    let run = mqadmin(&["getBrokerEpoch", "-c", "C", "-n", &namesrv.addr()], None).await;
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains(&format!(
            "GET_BROKER_EPOCH_CACHE to {} failed: SYSTEM_ERROR (1): this request only for controllerMode",
            b1.addr()
        )),
        "{}",
        run.stderr
    );
    let unknown = mqadmin(&["getBrokerEpoch", "-b", "broker-z", "-n", &namesrv.addr()], None).await;
    assert_eq!(unknown.code, Some(1));
    assert!(unknown.stderr.contains("no broker of broker-z is registered"), "{}", unknown.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn elect_master_designates_a_broker_at_the_leader() {
    let (follower, leader) = follower_and_leader().await;
    leader.answer(
        ELECT_MASTER,
        Answer::ok()
            .field("masterBrokerId", "2")
            .field("masterAddress", "10.0.0.2:10911")
            .field("masterEpoch", "4")
            .field("syncStateSetEpoch", "6")
            .body(r#"{"brokerMemberGroup":{"brokerAddrs":{1:"10.0.0.1:10911",2:"10.0.0.2:10911"},"brokerName":"broker-a","cluster":"C"},"syncStateSet":[2]}"#),
    );
    let args = ["electMaster", "-a", &follower.addr(), "-c", "C", "-bn", "broker-a", "-b", "2"];
    let run = mqadmin(&args, None).await;
    assert_eq!(
        run.ok(),
        "\n#ClusterName\tC\n#BrokerName\tbroker-a\n#BrokerMasterAddr\t10.0.0.2:10911\n#MasterEpoch\t4\n\
         #SyncStateSetEpoch\t6\n\t#Broker\t1\t10.0.0.1:10911\n\t#Broker\t2\t10.0.0.2:10911\n"
    );
    let sent = &leader.seen(ELECT_MASTER)[0];
    assert_eq!(field(sent, "clusterName"), Some("C"));
    assert_eq!(field(sent, "brokerName"), Some("broker-a"));
    assert_eq!(field(sent, "brokerId"), Some("2"));
    assert_eq!(field(sent, "designateElect"), Some("true"));
    assert!(field(sent, "invokeTime").is_some_and(|t| t.parse::<i64>().is_ok()));
    assert!(follower.seen(ELECT_MASTER).is_empty());

    leader.answer(ELECT_MASTER, Answer::error(2012, "The broker broker-a has no available replicas"));
    let run = mqadmin(&args, None).await;
    assert_eq!(run.code, Some(1));
    assert_eq!(
        run.stderr,
        format!(
            "mqadmin electMaster: CONTROLLER_ELECT_MASTER to {} failed: CONTROLLER_ELECT_MASTER_FAILED (2012): \
             The broker broker-a has no available replicas\n",
            leader.addr()
        )
    );

    // No leader yet: nothing is sent beyond the metadata request.
    let lonely = Fake::start().await;
    lonely.answer(GET_METADATA_INFO, Answer::ok().field("group", "g").field("isLeader", "false"));
    let run =
        mqadmin(&["electMaster", "-a", &lonely.addr(), "-c", "C", "-bn", "broker-a", "-b", "2"], None).await;
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("knows no leader"), "{}", run.stderr);
    assert_eq!(lonely.codes(), [GET_METADATA_INFO]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clean_broker_metadata_sends_the_header() {
    let (follower, leader) = follower_and_leader().await;
    leader.answer(CLEAN_BROKER_DATA, Answer::ok());
    let run = mqadmin(
        &["cleanBrokerMetadata", "-a", &follower.addr(), "-bn", "broker-a", "-c", "C", "-b", "1;2"],
        None,
    )
    .await;
    assert_eq!(run.ok(), "clear broker broker-a metadata from controller success! \n");
    let sent = &leader.seen(CLEAN_BROKER_DATA)[0];
    assert_eq!(field(sent, "clusterName"), Some("C"));
    assert_eq!(field(sent, "brokerName"), Some("broker-a"));
    assert_eq!(field(sent, "brokerControllerIdsToClean"), Some("1;2"));
    assert_eq!(field(sent, "isCleanLivingBroker"), Some("false"));

    leader.answer(CLEAN_BROKER_DATA, Answer::error(2009, "Broker broker-a is still alive"));
    let run = mqadmin(&["cleanBrokerMetadata", "-a", &leader.addr(), "-bn", "broker-a", "-l"], None).await;
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("CONTROLLER_INVALID_CLEAN_BROKER_METADATA (2009)"), "{}", run.stderr);
    let sent = &leader.seen(CLEAN_BROKER_DATA)[1];
    assert_eq!((field(sent, "clusterName"), field(sent, "brokerControllerIdsToClean")), (None, None));
    assert_eq!(field(sent, "isCleanLivingBroker"), Some("true"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn controller_config_get_and_update() {
    let (c1, c2) = (Fake::start().await, Fake::start().await);
    c1.answer(
        GET_CONTROLLER_CONFIG,
        Answer::ok().body("controllerType=DLedger\nscanNotActiveBrokerInterval=5000\n"),
    );
    c2.answer(GET_CONTROLLER_CONFIG, Answer::ok().body("controllerType=jRaft\n"));
    let list = format!("{};{}", c1.addr(), c2.addr());
    let run = mqadmin(&["getControllerConfig", "-a", &list], None).await;
    assert_eq!(
        run.ok(),
        format!(
            "============{}============\n{:<50}=  DLedger\n{:<50}=  5000\n============{}============\n{:<50}=  jRaft\n",
            c1.addr(),
            "controllerType",
            "scanNotActiveBrokerInterval",
            c2.addr(),
            "controllerType"
        )
    );

    c1.answer(UPDATE_CONTROLLER_CONFIG, Answer::ok());
    c2.answer(UPDATE_CONTROLLER_CONFIG, Answer::ok());
    let run = mqadmin(
        &["updateControllerConfig", "-a", &list, "-k", "notifyBrokerRoleChanged", "-v", "false"],
        None,
    )
    .await;
    assert_eq!(
        run.ok(),
        format!(
            "update controller config success![{}, {}]\nnotifyBrokerRoleChanged : false\n",
            c1.addr(),
            c2.addr()
        )
    );
    for c in [&c1, &c2] {
        assert_eq!(body(&c.seen(UPDATE_CONTROLLER_CONFIG)[0]), "notifyBrokerRoleChanged=false\n");
    }

    // A black-listed key: every controller is still tried, the command fails.
    c1.answer(UPDATE_CONTROLLER_CONFIG, Answer::error(16, "Can not update config in black list."));
    let run =
        mqadmin(&["updateControllerConfig", "-a", &list, "-k", "configStorePath", "-v", "/x"], None).await;
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains("NO_PERMISSION (16): Can not update config in black list."),
        "{}",
        run.stderr
    );
    assert_eq!(c2.seen(UPDATE_CONTROLLER_CONFIG).len(), 2, "the second controller was still asked");
}
