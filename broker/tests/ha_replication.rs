//! Static-role replication through whole brokers (spec/ha.md §10, §11):
//! a SYNC_MASTER with `allAckInSyncStateSet=true` and two SLAVEs, all
//! in-process on port 0 with 1 MiB CommitLog files, sends over
//! SEND_MESSAGE_V2, pulls from a slave, a slave stopped (shrink) and
//! restarted (catch-up, rejoin), and `minInSyncReplicas` refusing puts.
//! The topic is created on the master only: slaves that pull get it from
//! the slave metadata sync (master's address from the name server).
//! Every wait is bounded.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use booster_broker::BrokerHandle;
use booster_conf::BrokerStartupConfig;
use booster_model::TopicConfig;
use booster_remoting::{RemotingClient, RemotingCommand};
use common::*;

const TOPIC: &str = "HaTopic";
const QUEUES: i32 = 4;
/// Fast HA timings. A member that stops reading is closed after 4 s
/// (housekeeping).
const HA_TIMINGS: &str = "haSendHeartbeatInterval=100\nhaHousekeepingInterval=4000\n\
                          haMaxTimeSlaveNotCatchup=500\ncheckSyncStateSetPeriod=100\n";
const LIMIT: Duration = Duration::from_secs(30);

fn master_config(dir: &Path, min_in_sync: u32, namesrv: Option<&str>) -> BrokerStartupConfig {
    master_config_with(dir, min_in_sync, namesrv, 5000)
}

fn master_config_with(
    dir: &Path,
    min_in_sync: u32,
    namesrv: Option<&str>,
    slave_timeout_ms: u64,
) -> BrokerStartupConfig {
    let extra = format!(
        "brokerRole=SYNC_MASTER\nbrokerId=0\nallAckInSyncStateSet=true\nminInSyncReplicas={min_in_sync}\n\
         slaveTimeout={slave_timeout_ms}\n{HA_TIMINGS}"
    );
    let mut c = config(dir, &extra);
    c.broker.namesrv_addr = namesrv.map(str::to_owned);
    c
}

/// A slave; without `master_ha` it learns the address from `namesrv`.
fn slave_config(dir: &Path, id: i64, master_ha: Option<&str>, namesrv: Option<&str>) -> BrokerStartupConfig {
    let fixed = master_ha.map(|a| format!("haMasterAddress={a}\n")).unwrap_or_default();
    let mut c = config(dir, &format!("brokerRole=SLAVE\nbrokerId={id}\n{fixed}{HA_TIMINGS}"));
    c.broker.namesrv_addr = namesrv.map(str::to_owned);
    c
}

async fn start_broker(c: BrokerStartupConfig) -> BrokerHandle {
    let b = booster_broker::start(c).await.expect("broker starts");
    if !b.context().is_slave() {
        let topic =
            TopicConfig { read_queue_nums: QUEUES, write_queue_nums: QUEUES, ..TopicConfig::new(TOPIC) };
        b.context().topics.create_if_absent(topic, now_ms()).unwrap();
    }
    b
}

/// Waits until a slave copied the topic from the master (its first full
/// sync runs about 12 s after it started).
async fn wait_topic(slave: &BrokerHandle) {
    let ok = eventually_within(LIMIT, || async { slave.context().topics.contains(TOPIC) }).await;
    assert!(ok, "slave {} never got {TOPIC} from the master", slave.context().config.broker_id);
}

fn sync_state_set(master: &BrokerHandle) -> BTreeSet<i64> {
    master.context().ha.sync_state().map(|v| v.local).unwrap_or_default()
}

async fn wait_for_set(master: &BrokerHandle, ids: &[i64]) {
    let want: BTreeSet<i64> = ids.iter().copied().collect();
    let ok = eventually_within(LIMIT, || async { sync_state_set(master) == want }).await;
    assert!(ok, "SyncStateSet never became {want:?}, is {:?}", sync_state_set(master));
}

fn body(i: usize) -> Vec<u8> {
    format!("ha-message-{i:05}-{}", "x".repeat(1500 + i % 700)).into_bytes()
}

fn send(i: usize) -> RemotingCommand {
    let p = props(&[("WAIT", "true"), ("KEYS", &format!("k{i}"))]);
    send_v2(send_header(TOPIC, (i % QUEUES as usize) as i32, &p), &body(i))
}

/// Sends `range` from 8 concurrent tasks; returns each response's code and
/// remark in order.
async fn send_all(client: &RemotingClient, addr: &str, range: std::ops::Range<usize>) -> Vec<(i32, String)> {
    let ids: Vec<usize> = range.collect();
    let mut tasks = Vec::new();
    for chunk in ids.chunks(ids.len().div_ceil(8).max(1)) {
        let (client, addr, chunk) = (client.clone(), addr.to_owned(), chunk.to_vec());
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            for i in chunk {
                let resp = client.invoke(&addr, send(i), TIMEOUT).await.unwrap();
                out.push((resp.code, resp.remark.unwrap_or_default()));
            }
            out
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all
}

async fn send_all_ok(client: &RemotingClient, addr: &str, range: std::ops::Range<usize>) {
    for (i, (code, remark)) in send_all(client, addr, range.clone()).await.into_iter().enumerate() {
        assert_eq!(code, 0, "send {} failed: {remark}", range.start + i);
    }
}

/// The CommitLog bytes `[0, end)` read from the files on disk.
fn commit_log_bytes(b: &BrokerHandle, end: i64) -> Vec<u8> {
    let dir = b.context().store_config.commit_log_dir();
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let Ok(base) = path.file_name().unwrap().to_str().unwrap().parse::<i64>() else { continue };
        let data = std::fs::read(&path).unwrap();
        let (from, to) = (base.max(0), end.min(base + data.len() as i64));
        if from < to {
            out.extend_from_slice(&data[(from - base) as usize..(to - base) as usize]);
        }
    }
    out
}

/// Waits until the master's confirm offset covers everything it holds and
/// every slave holds that much; asserts the bytes are identical.
async fn assert_replicated(master: &BrokerHandle, slaves: &[&BrokerHandle]) -> i64 {
    let m = master.context();
    let ok = eventually_within(LIMIT, || async {
        m.ha.confirm_offset() == m.store.max_phy_offset()
            && slaves.iter().all(|s| s.context().store.max_phy_offset() >= m.ha.confirm_offset())
    })
    .await;
    assert!(ok, "replication did not settle");
    let confirm = m.ha.confirm_offset();
    assert!(confirm > 1 << 20, "the test crosses a CommitLog file boundary ({confirm})");
    let want = commit_log_bytes(master, confirm);
    assert_eq!(want.len() as i64, confirm);
    for s in slaves {
        let got = commit_log_bytes(s, confirm);
        assert_eq!(got.len(), want.len(), "slave {} holds [0, {confirm})", s.context().config.broker_id);
        let diff = want.iter().zip(&got).position(|(a, b)| a != b);
        assert_eq!(diff, None, "slave {} differs from the master", s.context().config.broker_id);
    }
    confirm
}

/// Every message of `queue` from `addr`, pulling 32 at a time.
async fn pull_queue(client: &RemotingClient, addr: &str, queue: i32, expect: i64) -> Vec<Record> {
    wait_max_offset(client, addr, TOPIC, queue, expect).await;
    let mut out = Vec::new();
    while (out.len() as i64) < expect {
        let got = pull_records(client, addr, TOPIC, queue, out.len() as i64).await;
        assert!(!got.is_empty(), "pull of queue {queue} at {} found nothing", out.len());
        out.extend(got);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_ack_master_and_two_slaves_replicate_shrink_and_rejoin() {
    let dirs: Vec<_> = (0..4).map(|_| tempfile::tempdir().unwrap()).collect();
    let (namesrv, ns) = start_namesrv(dirs[3].path()).await;
    let client = RemotingClient::default();

    let master = start_broker(master_config(dirs[0].path(), 1, Some(&ns))).await;
    // The master registers its haServerAddr; slaves started after it learn
    // the address from their own registration's answer.
    master.register_now().await;
    let s1 = start_broker(slave_config(dirs[1].path(), 1, None, Some(&ns))).await;
    let mut s2 = start_broker(slave_config(dirs[2].path(), 2, None, Some(&ns))).await;
    wait_for_set(&master, &[0, 1, 2]).await;
    let (m_addr, s1_addr) = (addr(&master), addr(&s1));

    // Sends: every one acknowledged by all three (allAck).
    const FIRST: usize = 600;
    send_all_ok(&client, &m_addr, 0..FIRST).await;
    assert_replicated(&master, &[&s1, &s2]).await;

    // A slave refuses sends and serves the replicated messages.
    let refused = client.invoke(&s1_addr, send(0), TIMEOUT).await.unwrap();
    assert_eq!(refused.code, 2, "SYSTEM_BUSY on a slave: {:?}", refused.remark);
    // (Sends ran concurrently, so queue order is not send order.)
    wait_topic(&s1).await;
    let mut bodies = BTreeSet::new();
    for q in 0..QUEUES {
        let n = (FIRST as i64 + QUEUES as i64 - 1 - q as i64) / QUEUES as i64;
        let from_slave = pull_queue(&client, &s1_addr, q, n).await;
        let from_master = pull_queue(&client, &m_addr, q, n).await;
        for (k, (s, m)) in from_slave.iter().zip(&from_master).enumerate() {
            assert!(s.bytes == m.bytes, "queue {q} message {k}: slave and master records differ");
            bodies.insert(s.body.clone());
        }
    }
    assert!(bodies == (0..FIRST).map(body).collect::<BTreeSet<_>>(), "the slave serves every message once");

    // Stop slave 2: its connection closes, the master drops it from the
    // SyncStateSet at once (§8.5; a slave that stays connected but falls
    // behind goes after haMaxTimeSlaveNotCatchup, §8.4), and allAck puts
    // go on with the two left.
    s2.shutdown().await.unwrap();
    wait_for_set(&master, &[0, 1]).await;
    const SECOND: usize = 1200;
    send_all_ok(&client, &m_addr, FIRST..SECOND).await;
    assert_replicated(&master, &[&s1]).await;

    // Restarted, slave 2 catches up and rejoins; all three agree again.
    s2 = start_broker(slave_config(dirs[2].path(), 2, None, Some(&ns))).await;
    wait_for_set(&master, &[0, 1, 2]).await;
    send_all_ok(&client, &m_addr, SECOND..SECOND + 100).await;
    assert_replicated(&master, &[&s1, &s2]).await;
    let s2_addr = addr(&s2);
    wait_topic(&s2).await;
    let q_last = ((SECOND + 99) % QUEUES as usize) as i32;
    let n_last = (SECOND + 100) as i64 / QUEUES as i64;
    let pulled = pull_queue(&client, &s2_addr, q_last, n_last).await;
    assert!(pulled.iter().any(|r| r.body == body(SECOND + 99)), "the restarted slave serves new messages");

    for b in [s2, s1, master] {
        b.shutdown().await.unwrap();
    }
    namesrv.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn min_in_sync_replicas_refuses_puts_and_stores_nothing() {
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let client = RemotingClient::default();
    let master = start_broker(master_config(dirs[0].path(), 3, None)).await;
    let ha = format!("127.0.0.1:{}", master.context().ha.local_addr().port());
    assert_eq!(master.context().config.ha_listen_port, i32::from(master.context().ha.local_addr().port()));
    let m_addr = addr(&master);

    // Alone, the master is below minInSyncReplicas: refused before the append.
    let before = master.context().store.max_phy_offset();
    let resp = client.invoke(&m_addr, send(0), TIMEOUT).await.unwrap();
    assert_eq!((resp.code, resp.remark.as_deref()), (1, Some("in-sync replicas not enough")));
    assert_eq!(master.context().store.max_phy_offset(), before, "a refused put stores nothing");

    let s1 = start_broker(slave_config(dirs[1].path(), 1, Some(&ha), None)).await;
    let mut s2 = start_broker(slave_config(dirs[2].path(), 2, Some(&ha), None)).await;
    wait_for_set(&master, &[0, 1, 2]).await;
    send_all_ok(&client, &m_addr, 0..800).await;
    assert_replicated(&master, &[&s1, &s2]).await;

    s2.shutdown().await.unwrap();
    wait_for_set(&master, &[0, 1]).await;
    let before = master.context().store.max_phy_offset();
    for (code, remark) in send_all(&client, &m_addr, 800..816).await {
        assert_eq!((code, remark.as_str()), (1, "in-sync replicas not enough"));
    }
    assert_eq!(master.context().store.max_phy_offset(), before, "refused puts store nothing");

    s2 = start_broker(slave_config(dirs[2].path(), 2, Some(&ha), None)).await;
    wait_for_set(&master, &[0, 1, 2]).await;
    send_all_ok(&client, &m_addr, 800..900).await;
    assert_replicated(&master, &[&s1, &s2]).await;
    for b in [s2, s1, master] {
        b.shutdown().await.unwrap();
    }
}

/// A member that joins and then stops reading and acking (a frozen
/// process: its socket stays open). allAck puts give up after slaveTimeout
/// with FLUSH_SLAVE_TIMEOUT, stored on the master but past the confirm
/// offset, so no consumer sees them — on the master or on the real slave —
/// until the master drops the member (housekeeping closes the silent
/// connection) and the confirm offset moves on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_member_holds_back_visibility_until_it_is_dropped() {
    use booster_ha::frame::{MAX_TRANSFER_BODY, MasterFrame, SlaveFrame, SlaveHandshake};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let client = RemotingClient::default();
    let (namesrv, ns) = start_namesrv(dirs[2].path()).await;
    let master = start_broker(master_config_with(dirs[0].path(), 1, Some(&ns), 1000)).await;
    master.register_now().await;
    let ha = format!("127.0.0.1:{}", master.context().ha.local_addr().port());
    let s1 = start_broker(slave_config(dirs[1].path(), 1, Some(&ha), Some(&ns))).await;
    wait_for_set(&master, &[0, 1]).await;
    let (m_addr, s1_addr) = (addr(&master), addr(&s1));
    send_all_ok(&client, &m_addr, 0..8).await;

    // The fake member: handshake as id 7, claim to hold everything, freeze.
    let mut fake = tokio::net::TcpStream::connect(&ha).await.unwrap();
    let hello = SlaveHandshake { sync_from_last_file: false, async_learner: false, slave_id: 7 };
    fake.write_all(&SlaveFrame::Handshake(hello).to_bytes()).await.unwrap();
    let mut buf = bytes::BytesMut::new();
    let master_max = loop {
        assert!(fake.read_buf(&mut buf).await.unwrap() > 0, "master closed the fake member");
        if let Some(MasterFrame::Handshake(r)) =
            MasterFrame::decode_from(&mut buf, MAX_TRANSFER_BODY).unwrap()
        {
            break r.master_max_offset;
        }
    };
    fake.write_all(&SlaveFrame::Ack { max_offset: master_max }.to_bytes()).await.unwrap();
    wait_for_set(&master, &[0, 1, 7]).await;

    // Messages 0..8 are confirmed; wait until both brokers dispatched them
    // (dispatch trails the put acknowledgement).
    let q = 8 % QUEUES;
    let visible = 8 / i64::from(QUEUES);
    wait_max_offset(&client, &m_addr, TOPIC, q, visible).await;
    wait_max_offset(&client, &s1_addr, TOPIC, q, visible).await;
    let resp = client.invoke(&m_addr, send(8), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 12, "FLUSH_SLAVE_TIMEOUT: {:?}", resp.remark);
    let m = master.context();
    assert!(m.store.max_phy_offset() > m.ha.confirm_offset(), "stored on the master, not confirmed");
    let on_master = max_offset(&client, &m_addr, TOPIC, q).await;
    // Slave 1 has the bytes (it acked them) but not the confirmation.
    let s1_ok = eventually_within(LIMIT, || async {
        s1.context().store.max_phy_offset() == m.store.max_phy_offset()
    })
    .await;
    assert!(s1_ok, "slave 1 received the message");
    let on_slave = max_offset(&client, &s1_addr, TOPIC, q).await;
    assert!(sync_state_set(&master).contains(&7), "checked while the frozen member was still in the set");
    assert_eq!((on_master, on_slave), (visible, visible), "nobody serves past the confirm offset");

    // Housekeeping closes the silent connection; the member leaves the set
    // and the message becomes visible everywhere.
    wait_for_set(&master, &[0, 1]).await;
    wait_max_offset(&client, &m_addr, TOPIC, q, visible + 1).await;
    wait_max_offset(&client, &s1_addr, TOPIC, q, visible + 1).await;
    wait_topic(&s1).await;
    let pulled = pull_records(&client, &s1_addr, TOPIC, q, visible).await;
    assert_eq!(pulled.first().map(|r| r.body.clone()), Some(body(8)));
    send_all_ok(&client, &m_addr, 9..20).await;
    drop(fake);
    for b in [s1, master] {
        b.shutdown().await.unwrap();
    }
    namesrv.shutdown();
}

/// The role wiring refuses what cannot work, without panicking.
#[tokio::test]
async fn a_slave_needs_a_positive_broker_id() {
    let dir = tempfile::tempdir().unwrap();
    // The properties parser refuses this already; a config built in code
    // reaches the broker's own check.
    let mut c = config(dir.path(), "");
    c.broker.broker_role = booster_conf::BrokerRole::Slave;
    c.broker.broker_id = 0;
    let err = booster_broker::start(c).await.unwrap_err();
    assert!(err.to_string().contains("brokerId"), "{err}");
    // A plain (ASYNC_MASTER) broker replicates too, as master of its own term.
    let b = start(dir.path(), "").await;
    assert!(matches!(b.context().ha.role(), booster_ha::Role::Master { epoch } if epoch >= 1));
    // Stopped before its background tasks first ran: still prompt.
    let t = std::time::Instant::now();
    b.shutdown().await.unwrap();
    assert!(t.elapsed() < Duration::from_secs(3), "shutdown took {:?}", t.elapsed());
}
