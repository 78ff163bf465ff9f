//! Slave metadata sync (spec/controller.md §11.4): a static SLAVE learns
//! the master's remoting address from the name server and copies the
//! master's topics, subscription groups, consumer offsets and delay
//! offsets, persisted in its own `config/*.json`. Every wait is bounded.

mod common;

use std::time::Duration;

use booster_broker::BrokerHandle;
use booster_model::{SubscriptionGroupConfig, TopicConfig};
use booster_remoting::{RemotingClient, RemotingCommand};
use common::*;

/// The first full pass runs about 12 s after the slave boots.
const LIMIT: Duration = Duration::from_secs(30);

/// The slave's answer to an offset query, as a consumer reading from it
/// would ask.
async fn slave_offset(client: &RemotingClient, addr: &str) -> Option<i64> {
    offset_of(client, addr, query_consumer_offset("sync_cg", "SyncTopic", 1, Some(false))).await
}

async fn ok(client: &RemotingClient, addr: &str, cmd: RemotingCommand) {
    let resp = client.invoke(addr, cmd, TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 0, "{:?}", resp.remark);
}

fn config_file(b: &BrokerHandle, name: &str) -> String {
    std::fs::read_to_string(b.context().store_config.config_dir().join(name)).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slave_copies_topics_groups_and_offsets_from_its_master() {
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let (namesrv, ns) = start_namesrv(dirs[2].path()).await;
    let client = RemotingClient::default();

    let mut mc = config(dirs[0].path(), "brokerRole=SYNC_MASTER\nbrokerId=0\n");
    mc.broker.namesrv_addr = Some(ns.clone());
    let master = booster_broker::start(mc).await.unwrap();
    let m_addr = addr(&master);
    ok(&client, &m_addr, create_topic(create_topic_header("SyncTopic", 3))).await;
    let group = SubscriptionGroupConfig { retry_max_times: 5, ..SubscriptionGroupConfig::new("sync_cg") };
    ok(&client, &m_addr, create_subscription_group(&group)).await;
    ok(&client, &m_addr, update_consumer_offset("sync_cg", "SyncTopic", 1, 42)).await;
    // No request sets delay offsets: the schedule service's progress, set directly.
    master.context().delay_offsets.set(3, 9);
    master.register_now().await;

    let mut sc = config(dirs[1].path(), "brokerRole=SLAVE\nbrokerId=1\n");
    sc.broker.namesrv_addr = Some(ns.clone());
    let slave = booster_broker::start(sc).await.unwrap();
    let s = slave.context();
    // A topic only the slave has: the master's table replaces the slave's.
    let stale = TopicConfig::new("OnlyOnTheSlave");
    s.topics.create_if_absent(stale, now_ms()).unwrap();
    let s_addr = addr(&slave);
    assert_eq!(slave_offset(&client, &s_addr).await, None, "nothing before the sync");

    let synced = eventually_within(LIMIT, || async {
        s.topics.select("SyncTopic").is_some_and(|t| t.read_queue_nums == 3)
            && s.groups.find("sync_cg").is_some_and(|g| g.retry_max_times == 5)
            && s.offsets.query("sync_cg", "SyncTopic", 1) == Some(42)
            && s.delay_offsets.get(3) == 9
    })
    .await;
    assert!(synced, "the slave never copied the master's metadata");
    assert_eq!(s.slave_sync.master_addr().as_deref(), Some(m_addr.as_str()), "learned from the name server");
    assert!(!s.topics.contains("OnlyOnTheSlave"), "replaced wholesale");
    assert_eq!(s.topics.data_version(), master.context().topics.data_version());
    // Consumers reading from the slave see the master's progress.
    assert_eq!(slave_offset(&client, &s_addr).await, Some(42));
    // Persisted through the slave's own managers (each right after its
    // table changed in memory).
    let persisted = eventually_within(Duration::from_secs(5), || async {
        config_file(&slave, "topics.json").contains("\"SyncTopic\"")
            && config_file(&slave, "subscriptionGroup.json").contains("\"sync_cg\"")
            && config_file(&slave, "consumerOffset.json").contains("\"SyncTopic@sync_cg\"")
            && config_file(&slave, "delayOffset.json").contains("3:9")
    })
    .await;
    assert!(persisted, "the copied metadata was not written to the slave's config files");

    // Stopped (as a slave that becomes master is), it no longer follows.
    s.slave_sync.stop().await;
    assert_eq!(s.slave_sync.master_addr(), None);
    // The master never syncs from anyone.
    assert_eq!(master.context().slave_sync.master_addr(), None);

    slave.shutdown().await.unwrap();
    master.shutdown().await.unwrap();
    namesrv.shutdown();
}
