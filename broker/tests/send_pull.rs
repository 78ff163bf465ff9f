//! Send (V1, V2, batch) and pull back the same bytes; queries by id and key;
//! offset queries; unknown codes.

mod common;

use booster_broker::processor::send::{BatchEntry, encode_batch};
use booster_remoting::header::CommandHeader;
use booster_remoting::headers::broker::{
    OffsetResponseHeader, PullMessageResponseHeader, QueryMessageRequestHeader, TopicQueueRequestHeader,
    ViewMessageRequestHeader,
};
use booster_remoting::{RemotingClient, RemotingCommand, request};
use booster_store::record::decode_offset_msg_id;
use bytes::Bytes;
use common::*;

#[tokio::test]
async fn v1_v2_and_batch_sends_pull_back_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let broker = start(dir.path(), "").await;
    let (client, addr) = (RemotingClient::default(), addr(&broker));

    // Auto-created from TBW102 with 4 queues; everything goes to queue 1.
    let p1 = props(&[("UNIQ_KEY", "AAAA0001"), ("TAGS", "TagA"), ("KEYS", "k1 k2"), ("WAIT", "true")]);
    let r1 = send_ok(&client, &addr, send_v1(send_header("TopicTest", 1, &p1), b"hello v1")).await;
    assert_eq!((r1.queue_id, r1.queue_offset), (1, 0));
    assert_eq!(r1.transaction_id.as_deref(), Some("AAAA0001"));
    let (host, phys) = decode_offset_msg_id(&r1.msg_id).unwrap();
    assert_eq!((host.to_string(), phys), (broker.broker_addr(), 0));

    let p2 = props(&[("TAGS", "TagB")]);
    let r2 = send_ok(&client, &addr, send_v2(send_header("TopicTest", 1, &p2), b"hello v2")).await;
    assert_eq!(r2.queue_offset, 1);
    let generated = r2.transaction_id.clone().expect("broker generates an UNIQ_KEY");
    assert_eq!(generated.len(), 32);

    let entries = vec![
        BatchEntry {
            flag: 3,
            body: Bytes::from_static(b"batch-0"),
            properties: props(&[("UNIQ_KEY", "B0")]),
        },
        BatchEntry {
            flag: 4,
            body: Bytes::from_static(b"batch-1"),
            properties: props(&[("UNIQ_KEY", "B1"), ("TAGS", "T")]),
        },
    ];
    let mut bh = send_header("TopicTest", 1, "");
    bh.batch = Some(true);
    let rb = send_ok(&client, &addr, send_v2(bh, &encode_batch(&entries))).await;
    assert_eq!(rb.queue_offset, 2);
    assert_eq!(rb.msg_id.split(',').count(), 2);
    assert!(rb.transaction_id.is_none());

    wait_max_offset(&client, &addr, "TopicTest", 1, 4).await;
    let resp = client.invoke(&addr, pull(pull_header("cg", "TopicTest", 1, 0)), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 0, "{:?}", resp.remark);
    assert_eq!(resp.remark.as_deref(), Some("FOUND"));
    let h = PullMessageResponseHeader::from_command(&resp).unwrap();
    assert_eq!((h.next_begin_offset, h.min_offset, h.max_offset), (4, 0, 4));
    let recs = records(resp.body.as_deref().unwrap());
    assert_eq!(
        recs.iter().map(|r| r.body.as_slice()).collect::<Vec<_>>(),
        [&b"hello v1"[..], b"hello v2", b"batch-0", b"batch-1"]
    );
    assert_eq!(recs.iter().map(|r| r.queue_offset).collect::<Vec<_>>(), [0, 1, 2, 3]);
    assert_eq!(recs[0].property("TAGS").as_deref(), Some("TagA"));
    assert_eq!(recs[0].property("CLUSTER").as_deref(), Some("TestCluster"));
    assert_eq!(recs[1].property("UNIQ_KEY"), Some(generated));
    assert_eq!((recs[2].flag, recs[3].flag), (3, 4));
    assert_eq!(recs[2].properties, entries[0].properties, "batch messages keep only their own properties");
    let batch_ids: Vec<_> = rb.msg_id.split(',').map(|id| decode_offset_msg_id(id).unwrap().1).collect();
    assert_eq!(batch_ids, [recs[2].physical_offset, recs[3].physical_offset]);

    // VIEW_MESSAGE_BY_ID returns the very same record.
    let view = RemotingCommand::request(request::VIEW_MESSAGE_BY_ID)
        .with_ext(ViewMessageRequestHeader { offset: recs[1].physical_offset, topic: None }.encode());
    let resp = client.invoke(&addr, view, TIMEOUT).await.unwrap();
    assert_eq!(resp.body.as_deref(), Some(recs[1].bytes.as_slice()));
    let view = RemotingCommand::request(request::VIEW_MESSAGE_BY_ID)
        .with_ext(ViewMessageRequestHeader { offset: 1 << 40, topic: None }.encode());
    assert_eq!(client.invoke(&addr, view, TIMEOUT).await.unwrap().code, 1);
    let inside = recs[1].physical_offset + 7;
    let view = RemotingCommand::request(request::VIEW_MESSAGE_BY_ID)
        .with_ext(ViewMessageRequestHeader { offset: inside, topic: None }.encode());
    assert_eq!(
        client.invoke(&addr, view, TIMEOUT).await.unwrap().code,
        1,
        "no record starts inside a record"
    );

    // Offsets of the queue.
    let q = TopicQueueRequestHeader { topic: "TopicTest".into(), queue_id: 1 }.encode();
    let max = client
        .invoke(&addr, RemotingCommand::request(request::GET_MAX_OFFSET).with_ext(q.clone()), TIMEOUT)
        .await
        .unwrap();
    assert_eq!(OffsetResponseHeader::from_command(&max).unwrap().offset, 4);
    let min = client
        .invoke(&addr, RemotingCommand::request(request::GET_MIN_OFFSET).with_ext(q.clone()), TIMEOUT)
        .await
        .unwrap();
    assert_eq!(OffsetResponseHeader::from_command(&min).unwrap().offset, 0);
    let earliest = client
        .invoke(&addr, RemotingCommand::request(request::GET_EARLIEST_MSG_STORETIME).with_ext(q), TIMEOUT)
        .await
        .unwrap();
    assert!(earliest.ext("timestamp").unwrap().parse::<i64>().unwrap() > 1_700_000_000_000);

    broker.shutdown().await.unwrap();
}

#[tokio::test]
async fn query_message_by_key_and_uniq_key() {
    let dir = tempfile::tempdir().unwrap();
    let broker = start(dir.path(), "").await;
    let (client, addr) = (RemotingClient::default(), addr(&broker));
    let p = props(&[("UNIQ_KEY", "UNIQ0001"), ("KEYS", "order-42")]);
    send_ok(&client, &addr, send_v2(send_header("QueryTopic", 0, &p), b"find me")).await;
    // The index is built by dispatch; give it a moment.
    let query = |key: &str, uniq: bool| {
        let mut cmd = RemotingCommand::request(request::QUERY_MESSAGE).with_ext(
            QueryMessageRequestHeader {
                topic: "QueryTopic".into(),
                key: key.into(),
                max_num: 32,
                begin_timestamp: 0,
                end_timestamp: i64::MAX,
            }
            .encode(),
        );
        if uniq {
            cmd.set_ext("_UNIQUE_KEY_QUERY", "true");
        }
        cmd
    };
    let mut found = None;
    for _ in 0..50 {
        let resp = client.invoke(&addr, query("order-42", false), TIMEOUT).await.unwrap();
        if resp.code == 0 {
            found = Some(resp);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let resp = found.expect("message found by key");
    assert_eq!(records(resp.body.as_deref().unwrap())[0].body, b"find me");
    let resp = client.invoke(&addr, query("UNIQ0001", true), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 0);
    let resp = client.invoke(&addr, query("nope", false), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 22, "QUERY_NOT_FOUND");
    broker.shutdown().await.unwrap();
}

#[tokio::test]
async fn unknown_codes_and_bad_requests() {
    let dir = tempfile::tempdir().unwrap();
    let broker = start(dir.path(), "").await;
    let (client, addr) = (RemotingClient::default(), addr(&broker));
    for code in [9999, request::QUERY_CONSUME_QUEUE] {
        let resp = client.invoke(&addr, RemotingCommand::request(code), TIMEOUT).await.unwrap();
        assert_eq!(resp.code, 3, "code {code}");
        assert_eq!(resp.remark, Some(format!(" request type {code} not supported")));
    }
    // Served codes without their header or body: INVALID_PARAMETER, not a crash.
    for code in [request::LOCK_BATCH_MQ, request::CONSUMER_SEND_MSG_BACK, request::END_TRANSACTION] {
        let resp = client.invoke(&addr, RemotingCommand::request(code), TIMEOUT).await.unwrap();
        assert_eq!(resp.code, 29, "code {code}: {:?}", resp.remark);
    }
    // A send without its required header fields is refused, not a crash.
    let resp =
        client.invoke(&addr, RemotingCommand::request(request::SEND_MESSAGE_V2), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 29);
    assert_eq!(resp.ext("MSG_REGION"), Some("DefaultRegion"));
    // Forbidden and unknown topics.
    let resp = client
        .invoke(&addr, send_v2(send_header("SCHEDULE_TOPIC_XXXX", 0, ""), b"x"), TIMEOUT)
        .await
        .unwrap();
    assert_eq!(resp.code, 16);
    let mut h = send_header("NoTemplate", 0, "");
    h.default_topic = "NotATemplate".into();
    let resp = client.invoke(&addr, send_v2(h, b"x"), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 17, "TOPIC_NOT_EXIST");
    let resp = client.invoke(&addr, send_v2(send_header("bad topic", 0, ""), b"x"), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 29);
    // A malformed batch body is MESSAGE_ILLEGAL.
    let mut bh = send_header("TopicB", 0, "");
    bh.batch = Some(true);
    let resp = client.invoke(&addr, send_v2(bh, &[0, 0, 0, 99, 1, 2]), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 13);
    // Pull from a queue beyond the topic's queues.
    let resp = client.invoke(&addr, pull(pull_header("cg", "TBW102", 99, 0)), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 29);
    broker.shutdown().await.unwrap();
}

#[tokio::test]
async fn retry_dlq_delay_and_half_message_rewrites() {
    let dir = tempfile::tempdir().unwrap();
    let broker = start(dir.path(), "").await;
    let (client, addr) = (RemotingClient::default(), addr(&broker));

    // Exhausted retries go to the dead-letter topic.
    let mut h = send_header("%RETRY%cg", -1, &props(&[("UNIQ_KEY", "R1")]));
    h.reconsume_times = Some(17);
    send_ok(&client, &addr, send_v2(h, b"dead")).await;
    wait_max_offset(&client, &addr, "%DLQ%cg", 0, 1).await;
    let resp = client.invoke(&addr, pull(pull_header("cg", "%DLQ%cg", 0, 0)), TIMEOUT).await.unwrap();
    let rec = &records(resp.body.as_deref().unwrap())[0];
    assert_eq!((rec.body.as_slice(), rec.property("DELAY").as_deref()), (&b"dead"[..], Some("-1")));

    // Delayed messages wait in their level's queue of SCHEDULE_TOPIC_XXXX.
    send_ok(&client, &addr, send_v2(send_header("Delayed", 2, &props(&[("DELAY", "3")])), b"later")).await;
    wait_max_offset(&client, &addr, "SCHEDULE_TOPIC_XXXX", 2, 1).await;
    let resp =
        client.invoke(&addr, pull(pull_header("cg", "SCHEDULE_TOPIC_XXXX", 2, 0)), TIMEOUT).await.unwrap();
    let rec = &records(resp.body.as_deref().unwrap())[0];
    assert_eq!(
        (rec.property("REAL_TOPIC").as_deref(), rec.property("REAL_QID").as_deref()),
        (Some("Delayed"), Some("2"))
    );

    // Prepared transactional messages become half messages.
    let mut h =
        send_header("TxTopic", 1, &props(&[("TRAN_MSG", "true"), ("PGROUP", "PG"), ("UNIQ_KEY", "TX1")]));
    h.sys_flag = 0x4;
    let r = send_ok(&client, &addr, send_v2(h, b"half")).await;
    assert_eq!(r.transaction_id.as_deref(), Some("TX1"));
    wait_max_offset(&client, &addr, "RMQ_SYS_TRANS_HALF_TOPIC", 0, 1).await;
    let resp = client
        .invoke(&addr, pull(pull_header("cg", "RMQ_SYS_TRANS_HALF_TOPIC", 0, 0)), TIMEOUT)
        .await
        .unwrap();
    let rec = &records(resp.body.as_deref().unwrap())[0];
    assert_eq!(rec.property("REAL_TOPIC").as_deref(), Some("TxTopic"));
    assert_eq!(rec.property("__transactionId__").as_deref(), Some("TX1"));
    broker.shutdown().await.unwrap();
}
