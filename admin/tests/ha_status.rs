//! `mqadmin haStatus` against real in-process brokers: a SYNC_MASTER and a
//! SLAVE replicating from it (static roles, port 0), the master registered
//! in an in-process name server for `-c`. Exercises the broker's
//! GET_BROKER_HA_STATUS (907) processor end to end.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use booster_broker::BrokerHandle;
use booster_conf::{BrokerStartupConfig, NamesrvConfig};
use common::{CLUSTER, mqadmin};

const HA_TIMINGS: &str = "haSendHeartbeatInterval=100\nhaHousekeepingInterval=4000\n\
                          haMaxTimeSlaveNotCatchup=500\ncheckSyncStateSetPeriod=100\n";

fn config(dir: &Path, extra: &str, namesrv: Option<String>) -> BrokerStartupConfig {
    let text = format!(
        "brokerName=broker-a\nbrokerClusterName={CLUSTER}\nlistenPort=0\nbrokerIP1=127.0.0.1\nbindAddress=127.0.0.1\n\
         storePathRootDir={}\nmappedFileSizeCommitLog=1048576\nmappedFileSizeConsumeQueue=6000\n{HA_TIMINGS}{extra}",
        dir.display()
    );
    let mut c = BrokerStartupConfig::from_properties_str(&text, "test.conf").unwrap();
    c.broker.namesrv_addr = namesrv;
    c
}

fn sync_state_set(master: &BrokerHandle) -> BTreeSet<i64> {
    master.context().ha.sync_state().map(|v| v.local).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ha_status_of_a_master_and_its_slave() {
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let namesrv = booster_namesrv::start(NamesrvConfig {
        listen_port: 0,
        bind_address: "127.0.0.1".into(),
        kv_config_path: dirs[2].path().join("kvConfig.json"),
        config_store_path: dirs[2].path().join("namesrv.properties"),
        ..NamesrvConfig::default()
    })
    .await
    .unwrap();
    let ns = namesrv.local_addr().to_string();

    let master_conf = config(dirs[0].path(), "brokerRole=SYNC_MASTER\nbrokerId=0\n", Some(ns.clone()));
    let master = booster_broker::start(master_conf).await.unwrap();
    master.register_now().await;
    let ha = format!("127.0.0.1:{}", master.context().ha.local_addr().port());
    let slave_conf =
        config(dirs[1].path(), &format!("brokerRole=SLAVE\nbrokerId=1\nhaMasterAddress={ha}\n"), None);
    let slave = booster_broker::start(slave_conf).await.unwrap();
    let (m_addr, s_addr) = (master.local_addr().to_string(), slave.local_addr().to_string());

    let joined = BTreeSet::from([0, 1]);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while sync_state_set(&master) != joined {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the slave never joined: {:?}",
            sync_state_set(&master)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let run = mqadmin(&["haStatus", "-b", &m_addr], None).await;
    let out = run.ok();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        &lines[..5],
        [
            "",
            &format!("#MasterAddr\t{m_addr}")[..],
            "#MasterCommitLogMaxOffset\t0",
            "#SlaveNum\t1",
            "#InSyncSlaveNum\t1"
        ],
        "{out}"
    );
    assert!(lines[5].starts_with("#SlaveAddr"), "{out}");
    // The slave's HA client socket, its ack, in the SyncStateSet; an empty
    // master has no first byte to transfer from yet (-1).
    let row: Vec<&str> = lines[6].split_whitespace().collect();
    assert_eq!(row[1..], ["0", "0", "0.00", "OK", "-1"], "{out}");
    let slave_client: std::net::SocketAddr = row[0].parse().unwrap_or_else(|_| panic!("an address: {out}"));
    assert!(slave_client.ip().is_loopback(), "{out}");
    assert_ne!(slave_client.port(), slave.context().ha.local_addr().port(), "the client end, not a listener");
    assert_eq!(lines.len(), 7, "one connection: {out}");

    let run = mqadmin(&["haStatus", "-b", &s_addr], None).await;
    let out = run.ok();
    assert!(out.starts_with(&format!("\n#MasterAddr\t{ha}\n#CommitLogMaxOffset\t0\n")), "{out}");
    assert!(out.contains("\n#MasterFlushOffset\t0\n"), "{out}");

    // -c: the masters of the cluster, from the name server.
    let run = mqadmin(&["haStatus", "-c", CLUSTER, "-n", &ns], None).await;
    assert!(
        run.ok().starts_with(&format!("\n#MasterAddr\t{m_addr}\n#MasterCommitLogMaxOffset\t0\n")),
        "{}",
        run.stdout
    );
}
