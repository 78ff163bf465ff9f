//! Transactional messages: commit makes the message visible on its real
//! topic, rollback never does, and an unresolved half message makes the
//! broker ask a connected producer (CHECK_TRANSACTION_STATE), whose
//! END_TRANSACTION answer then resolves it.

mod common;

use std::sync::Arc;
use std::time::Duration;

use booster_broker::stored::StoredMessage;
use booster_model::heartbeat::{HeartbeatData, ProducerData};
use booster_model::to_rocketmq_json;
use booster_remoting::header::CommandHeader;
use booster_remoting::headers::broker::{
    CheckTransactionStateRequestHeader, EndTransactionRequestHeader, SendMessageResponseHeader,
    transaction_type,
};
use booster_remoting::{
    BoxFuture, Connection, RemotingClient, RemotingCommand, ResponseCode, Router, request,
};
use booster_store::record::{decode_offset_msg_id, sysflag};
use common::*;
use tokio::sync::mpsc;

/// Fast checks for tests: half messages older than 300 ms are checked
/// every 500 ms (time enough for the producer's answer to land before the
/// next round, which would otherwise check the copy again).
const FAST_CHECKS: &str = "transactionTimeOut=300\ntransactionCheckInterval=500\n";

async fn send_half(
    client: &RemotingClient,
    addr: &str,
    group: &str,
    topic: &str,
    body: &[u8],
) -> SendMessageResponseHeader {
    let p = props(&[("TRAN_MSG", "true"), ("PGROUP", group), ("TAGS", "tx")]);
    let mut h = send_header(topic, 1, &p);
    h.producer_group = group.into();
    h.sys_flag = sysflag::TRANSACTION_PREPARED;
    h.born_timestamp = now_ms();
    send_ok(client, addr, send_v2(h, body)).await
}

fn end_tx(group: &str, half: &SendMessageResponseHeader, decision: i32, from_check: bool) -> RemotingCommand {
    let (_, phys) = decode_offset_msg_id(&half.msg_id).unwrap();
    let h = EndTransactionRequestHeader {
        topic: None,
        producer_group: group.into(),
        tran_state_table_offset: half.queue_offset,
        commit_log_offset: phys,
        commit_or_rollback: decision,
        from_transaction_check: Some(from_check),
        msg_id: half.msg_id.clone(),
        transaction_id: half.transaction_id.clone(),
    };
    RemotingCommand::request(request::END_TRANSACTION).with_ext(h.encode())
}

#[tokio::test]
async fn commit_is_visible_and_rollback_never() {
    let dir = tempfile::tempdir().unwrap();
    // Checks every 200 ms, but only of halves older than 1 s: the test ends
    // both transactions well within that, and then waits past it.
    let broker = start(dir.path(), "transactionTimeOut=1000\ntransactionCheckInterval=200\n").await;
    let (client, addr) = (RemotingClient::default(), addr(&broker));

    let committed = send_half(&client, &addr, "pg", "TxTopic", b"commit me").await;
    let rolled_back = send_half(&client, &addr, "pg", "TxTopic", b"roll me back").await;
    wait_max_offset(&client, &addr, "RMQ_SYS_TRANS_HALF_TOPIC", 0, 2).await;
    assert_eq!(max_offset(&client, &addr, "TxTopic", 1).await, 0, "half messages are invisible");

    // Wrong identity is refused with Java's remarks.
    let mut wrong = committed.clone();
    wrong.queue_offset += 1;
    let resp =
        client.invoke(&addr, end_tx("pg", &wrong, transaction_type::COMMIT, false), TIMEOUT).await.unwrap();
    assert_eq!((resp.code, resp.remark.as_deref()), (1, Some("The transaction state table offset wrong")));
    let resp = client
        .invoke(&addr, end_tx("other", &committed, transaction_type::COMMIT, false), TIMEOUT)
        .await
        .unwrap();
    assert_eq!(resp.remark.as_deref(), Some("The producer group wrong"));

    let resp = client
        .invoke(&addr, end_tx("pg", &committed, transaction_type::COMMIT, false), TIMEOUT)
        .await
        .unwrap();
    assert_eq!(resp.code, 0, "{:?}", resp.remark);
    let resp = client
        .invoke(&addr, end_tx("pg", &rolled_back, transaction_type::ROLLBACK, false), TIMEOUT)
        .await
        .unwrap();
    assert_eq!(resp.code, 0, "{:?}", resp.remark);
    // NOT_TYPE ("unknown") gets no response at all.
    let unknown = end_tx("pg", &rolled_back, transaction_type::NOT_TYPE, false);
    assert!(client.invoke(&addr, unknown, Duration::from_millis(300)).await.is_err());

    wait_max_offset(&client, &addr, "TxTopic", 1, 1).await;
    let recs = pull_records(&client, &addr, "TxTopic", 1, 0).await;
    assert_eq!(recs.len(), 1);
    let r = &recs[0];
    assert_eq!(r.body, b"commit me");
    assert_eq!(sysflag::transaction_type(r.sys_flag), sysflag::TRANSACTION_COMMIT);
    assert_eq!(r.prepared_transaction_offset, decode_offset_msg_id(&committed.msg_id).unwrap().1);
    assert_eq!(r.property("TRAN_MSG").as_deref(), Some("true"), "property string copied verbatim");
    assert_eq!(r.property("UNIQ_KEY"), committed.transaction_id);
    // Both halves are marked done on the op topic.
    wait_max_offset(&client, &addr, "RMQ_SYS_TRANS_OP_HALF_TOPIC", 0, 2).await;
    let ops = pull_records(&client, &addr, "RMQ_SYS_TRANS_OP_HALF_TOPIC", 0, 0).await;
    let marked: Vec<_> = ops.iter().map(|o| String::from_utf8(o.body.clone()).unwrap()).collect();
    assert_eq!(marked, [committed.queue_offset.to_string(), rolled_back.queue_offset.to_string()]);
    assert!(ops.iter().all(|o| o.property("TAGS").as_deref() == Some("d")));

    // Several check rounds after the halves became old enough to check,
    // still exactly one visible message and no check copies.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(max_offset(&client, &addr, "TxTopic", 1).await, 1, "the rollback never shows up");
    assert_eq!(
        max_offset(&client, &addr, "RMQ_SYS_TRANS_HALF_TOPIC", 0).await,
        2,
        "resolved halves are not checked"
    );
    broker.shutdown().await.unwrap();
}

/// Plays a transactional producer: records every CHECK_TRANSACTION_STATE
/// and answers it with END_TRANSACTION COMMIT (fromTransactionCheck=true)
/// on the same connection, as the Java client does.
struct Producer {
    group: String,
    checks: mpsc::UnboundedSender<(CheckTransactionStateRequestHeader, StoredMessage)>,
}

impl Router for Producer {
    fn route(&self, conn: Connection, req: RemotingCommand) -> BoxFuture<Option<RemotingCommand>> {
        let group = self.group.clone();
        let checks = self.checks.clone();
        Box::pin(async move {
            if req.code != request::CHECK_TRANSACTION_STATE {
                return Some(RemotingCommand::response_to(
                    &req,
                    ResponseCode::RequestCodeNotSupported.code(),
                ));
            }
            assert!(req.is_oneway(), "checks are oneway");
            let h = CheckTransactionStateRequestHeader::from_command(&req).unwrap();
            let msg = StoredMessage::decode(req.body.as_deref().unwrap()).unwrap();
            let end = EndTransactionRequestHeader {
                topic: Some(msg.topic.clone()),
                producer_group: group,
                tran_state_table_offset: h.tran_state_table_offset,
                commit_log_offset: h.commit_log_offset,
                commit_or_rollback: transaction_type::COMMIT,
                from_transaction_check: Some(true),
                msg_id: h.offset_msg_id.clone().unwrap_or_default(),
                transaction_id: h.transaction_id.clone(),
            };
            let _ = checks.send((h, msg));
            let cmd = RemotingCommand::request(request::END_TRANSACTION).with_ext(end.encode());
            conn.oneway(cmd).await.unwrap();
            None
        })
    }
}

#[tokio::test]
async fn unresolved_half_is_checked_with_the_producer_and_committed() {
    let dir = tempfile::tempdir().unwrap();
    let broker = start(dir.path(), FAST_CHECKS).await;
    let addr = addr(&broker);
    let (tx, mut checks) = mpsc::unbounded_channel();
    let producer = RemotingClient::new(Arc::new(Producer { group: "pg_check".into(), checks: tx }));
    let hb = HeartbeatData {
        client_id: "127.0.0.1@producer".into(),
        producer_data_set: vec![ProducerData { group_name: "pg_check".into() }],
        ..Default::default()
    };
    let cmd =
        RemotingCommand::request(request::HEART_BEAT).with_body(to_rocketmq_json(&hb, false).into_bytes());
    assert_eq!(producer.invoke(&addr, cmd, TIMEOUT).await.unwrap().code, 0);

    // The producer never ends this transaction itself.
    let half = send_half(&producer, &addr, "pg_check", "CheckedTopic", b"decided later").await;
    let (h, msg) = tokio::time::timeout(Duration::from_secs(10), checks.recv())
        .await
        .expect("a check within 10 s")
        .expect("check recorded");
    assert_eq!(h.transaction_id, half.transaction_id);
    assert_eq!(h.msg_id, half.transaction_id, "msgId is the UNIQ_KEY");
    assert_eq!(h.topic.as_deref(), Some("CheckedTopic"));
    assert_eq!(h.broker_name.as_deref(), Some("broker-a"));
    assert_ne!(
        h.commit_log_offset,
        decode_offset_msg_id(&half.msg_id).unwrap().1,
        "the check is about the copy"
    );
    assert_eq!(
        (msg.topic.as_str(), msg.queue_id, msg.body.as_ref()),
        ("CheckedTopic", 1, &b"decided later"[..])
    );
    assert_eq!((msg.queue_offset, msg.physical_offset), (h.tran_state_table_offset, h.commit_log_offset));
    assert_eq!(msg.property("TRANSACTION_CHECK_TIMES").as_deref(), Some("1"));

    wait_max_offset(&producer, &addr, "CheckedTopic", 1, 1).await;
    let recs = pull_records(&producer, &addr, "CheckedTopic", 1, 0).await;
    assert_eq!(recs[0].body, b"decided later");
    assert_eq!(recs[0].property("UNIQ_KEY"), half.transaction_id);

    // Resolved: no further checks, no second copy.
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    assert!(checks.try_recv().is_err(), "checked once");
    assert_eq!(max_offset(&producer, &addr, "CheckedTopic", 1).await, 1);
    broker.shutdown().await.unwrap();
}

#[tokio::test]
async fn half_without_a_producer_is_discarded_after_check_max() {
    let dir = tempfile::tempdir().unwrap();
    let broker =
        start(dir.path(), "transactionTimeOut=300\ntransactionCheckInterval=100\ntransactionCheckMax=2\n")
            .await;
    let (client, addr) = (RemotingClient::default(), addr(&broker));
    send_half(&client, &addr, "nobody", "LostTopic", b"orphan").await;
    let discarded = eventually_within(Duration::from_secs(10), || async {
        max_offset(&client, &addr, "TRANS_CHECK_MAX_TIME_TOPIC", 0).await >= 1
    })
    .await;
    assert!(discarded, "moved to TRANS_CHECK_MAX_TIME_TOPIC");
    let recs = pull_records(&client, &addr, "TRANS_CHECK_MAX_TIME_TOPIC", 0, 0).await;
    assert_eq!(recs[0].body, b"orphan");
    assert_eq!(recs[0].property("TRANSACTION_CHECK_TIMES").as_deref(), Some("2"));
    assert_eq!(max_offset(&client, &addr, "LostTopic", 1).await, 0);
    // Original + two check copies; nothing after the discard.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(max_offset(&client, &addr, "RMQ_SYS_TRANS_HALF_TOPIC", 0).await, 3);
    broker.shutdown().await.unwrap();
}
