//! Shared helpers: an in-process broker on port 0 with a small temp store,
//! and request builders that speak the protocol the way Java clients do.
#![allow(dead_code)]

use std::path::Path;
use std::time::Duration;

use booster_broker::BrokerHandle;
use booster_conf::BrokerStartupConfig;
use booster_model::{SubscriptionGroupConfig, to_rocketmq_json};
use booster_remoting::header::CommandHeader;
use booster_remoting::headers::broker::{
    CreateTopicRequestHeader, OffsetResponseHeader, PullMessageRequestHeader,
    QueryConsumerOffsetRequestHeader, SendMessageRequestHeader, SendMessageRequestHeaderV2,
    SendMessageResponseHeader, TopicQueueRequestHeader, UpdateConsumerOffsetRequestHeader, pull_sys_flag,
};
use booster_remoting::{RemotingClient, RemotingCommand, request};
use booster_store::record::{RecordCheck, check_record, encode_properties};

pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Broker settings for tests: small files, port 0, loopback, no name server.
pub fn config(dir: &Path, extra: &str) -> BrokerStartupConfig {
    let text = format!(
        "brokerName=broker-a\nbrokerClusterName=TestCluster\nlistenPort=0\nbrokerIP1=127.0.0.1\nbindAddress=127.0.0.1\n\
         storePathRootDir={}\nmappedFileSizeCommitLog=1048576\nmappedFileSizeConsumeQueue=6000\n{extra}",
        dir.display()
    );
    let mut c = BrokerStartupConfig::from_properties_str(&text, "test.conf").unwrap();
    c.broker.namesrv_addr = None;
    c
}

pub async fn start(dir: &Path, extra: &str) -> BrokerHandle {
    booster_broker::start(config(dir, extra)).await.expect("broker starts")
}

/// A name server on a free port, its kvConfig under `dir`; returns it and
/// its address.
pub async fn start_namesrv(dir: &Path) -> (booster_namesrv::NamesrvHandle, String) {
    let namesrv = booster_namesrv::start(booster_conf::NamesrvConfig {
        listen_port: 0,
        bind_address: "127.0.0.1".into(),
        kv_config_path: dir.join("kvConfig.json"),
        ..booster_conf::NamesrvConfig::default()
    })
    .await
    .unwrap();
    let addr = namesrv.local_addr().to_string();
    (namesrv, addr)
}

pub fn addr(b: &BrokerHandle) -> String {
    b.local_addr().to_string()
}

pub fn props(pairs: &[(&str, &str)]) -> String {
    encode_properties(pairs.iter().copied())
}

/// A V1 send header for `topic` (queue `queue_id`, -1 = any).
pub fn send_header(topic: &str, queue_id: i32, properties: &str) -> SendMessageRequestHeader {
    SendMessageRequestHeader {
        producer_group: "PG".into(),
        topic: topic.into(),
        default_topic: "TBW102".into(),
        default_topic_queue_nums: 4,
        queue_id,
        sys_flag: 0,
        born_timestamp: 1_700_000_000_000,
        flag: 0,
        properties: Some(properties.into()),
        reconsume_times: Some(0),
        unit_mode: Some(false),
        batch: Some(false),
        ..Default::default()
    }
}

/// SEND_MESSAGE_V2 as Java clients send it.
pub fn send_v2(h: SendMessageRequestHeader, body: &[u8]) -> RemotingCommand {
    let code = if h.batch == Some(true) { request::SEND_BATCH_MESSAGE } else { request::SEND_MESSAGE_V2 };
    RemotingCommand::request(code)
        .with_ext(SendMessageRequestHeaderV2::from(h).encode())
        .with_body(body.to_vec())
}

/// SEND_MESSAGE (long header names).
pub fn send_v1(h: SendMessageRequestHeader, body: &[u8]) -> RemotingCommand {
    RemotingCommand::request(request::SEND_MESSAGE).with_ext(h.encode()).with_body(body.to_vec())
}

/// Sends and expects SUCCESS; returns the response header.
pub async fn send_ok(client: &RemotingClient, addr: &str, cmd: RemotingCommand) -> SendMessageResponseHeader {
    let resp = client.invoke(addr, cmd, TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 0, "send failed: {:?}", resp.remark);
    SendMessageResponseHeader::from_command(&resp).unwrap()
}

pub fn pull_header(group: &str, topic: &str, queue_id: i32, offset: i64) -> PullMessageRequestHeader {
    PullMessageRequestHeader {
        consumer_group: group.into(),
        topic: topic.into(),
        queue_id,
        queue_offset: offset,
        max_msg_nums: 32,
        sys_flag: pull_sys_flag::SUBSCRIPTION,
        commit_offset: 0,
        suspend_timeout_millis: 0,
        subscription: Some("*".into()),
        sub_version: 0,
        expression_type: Some("TAG".into()),
        ..Default::default()
    }
}

pub fn pull(h: PullMessageRequestHeader) -> RemotingCommand {
    RemotingCommand::request(request::PULL_MESSAGE).with_ext(h.encode())
}

/// An UPDATE_AND_CREATE_TOPIC header: `queues` read and write queues,
/// perm 6, TBW102 as the default topic.
pub fn create_topic_header(topic: &str, queues: i32) -> CreateTopicRequestHeader {
    CreateTopicRequestHeader {
        topic: topic.into(),
        default_topic: Some("TBW102".into()),
        read_queue_nums: queues,
        write_queue_nums: queues,
        perm: 6,
        ..Default::default()
    }
}

pub fn create_topic(h: CreateTopicRequestHeader) -> RemotingCommand {
    RemotingCommand::request(request::UPDATE_AND_CREATE_TOPIC).with_ext(h.encode())
}

/// UPDATE_AND_CREATE_SUBSCRIPTIONGROUP with `group` as its JSON body.
pub fn create_subscription_group(group: &SubscriptionGroupConfig) -> RemotingCommand {
    RemotingCommand::request(request::UPDATE_AND_CREATE_SUBSCRIPTIONGROUP)
        .with_body(to_rocketmq_json(group, false).into_bytes())
}

pub fn update_consumer_offset(group: &str, topic: &str, queue_id: i32, offset: i64) -> RemotingCommand {
    let h = UpdateConsumerOffsetRequestHeader {
        consumer_group: group.into(),
        topic: topic.into(),
        queue_id: Some(queue_id),
        commit_offset: Some(offset),
    };
    RemotingCommand::request(request::UPDATE_CONSUMER_OFFSET).with_ext(h.encode())
}

/// QUERY_CONSUMER_OFFSET; `set_zero_if_not_found` absent, true or false.
pub fn query_consumer_offset(
    group: &str,
    topic: &str,
    queue_id: i32,
    set_zero_if_not_found: Option<bool>,
) -> RemotingCommand {
    let h = QueryConsumerOffsetRequestHeader {
        consumer_group: group.into(),
        topic: topic.into(),
        queue_id,
        set_zero_if_not_found,
    };
    RemotingCommand::request(request::QUERY_CONSUMER_OFFSET).with_ext(h.encode())
}

/// The offset an offset query answers; `None` for any code but SUCCESS.
pub async fn offset_of(client: &RemotingClient, addr: &str, cmd: RemotingCommand) -> Option<i64> {
    let resp = client.invoke(addr, cmd, TIMEOUT).await.unwrap();
    (resp.code == 0).then(|| OffsetResponseHeader::from_command(&resp).unwrap().offset)
}

/// A record decoded from a pull/query body.
#[derive(Debug, Clone)]
pub struct Record {
    pub bytes: Vec<u8>,
    pub topic: String,
    pub queue_id: i32,
    pub queue_offset: i64,
    pub physical_offset: i64,
    pub body: Vec<u8>,
    pub properties: String,
    pub flag: i32,
    pub sys_flag: i32,
    pub reconsume_times: i32,
    pub prepared_transaction_offset: i64,
}

impl Record {
    pub fn property(&self, name: &str) -> Option<String> {
        booster_store::record::property_value(self.properties.as_bytes(), name).map(|v| v.into_owned())
    }
}

/// Splits a body of concatenated raw records, as clients do.
pub fn records(body: &[u8]) -> Vec<Record> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < body.len() {
        match check_record(&body[pos..], true) {
            RecordCheck::Record(v) => {
                let len = v.total_size as usize;
                out.push(Record {
                    bytes: body[pos..pos + len].to_vec(),
                    topic: v.topic().into_owned(),
                    queue_id: v.queue_id,
                    queue_offset: v.queue_offset,
                    physical_offset: v.physical_offset,
                    body: v.body.to_vec(),
                    properties: v.properties().into_owned(),
                    flag: v.flag,
                    sys_flag: v.sys_flag,
                    reconsume_times: v.reconsume_times,
                    prepared_transaction_offset: v.prepared_transaction_offset,
                });
                pos += len;
            }
            other => panic!("undecodable record at {pos}: {other:?}"),
        }
    }
    out
}

/// Waits until `topic`/`queue_id` has `n` dispatched messages (dispatch is
/// asynchronous, as in RocketMQ).
pub async fn wait_max_offset(client: &RemotingClient, addr: &str, topic: &str, queue_id: i32, n: i64) {
    let fields = TopicQueueRequestHeader { topic: topic.into(), queue_id }.encode();
    for _ in 0..500 {
        let cmd = RemotingCommand::request(request::GET_MAX_OFFSET).with_ext(fields.clone());
        let resp = client.invoke(addr, cmd, TIMEOUT).await.unwrap();
        if OffsetResponseHeader::from_command(&resp).unwrap().offset >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{topic}/{queue_id} never reached {n} messages");
}

/// Pulls `topic`/`queue_id` from `offset` (all tags); empty if nothing is there.
pub async fn pull_records(
    client: &RemotingClient,
    addr: &str,
    topic: &str,
    queue_id: i32,
    offset: i64,
) -> Vec<Record> {
    let resp = client
        .invoke(addr, pull(pull_header("TEST_PULLER", topic, queue_id, offset)), TIMEOUT)
        .await
        .unwrap();
    match resp.body.as_deref() {
        Some(body) if resp.code == 0 => records(body),
        _ => Vec::new(),
    }
}

/// Max offset of a queue right now.
pub async fn max_offset(client: &RemotingClient, addr: &str, topic: &str, queue_id: i32) -> i64 {
    let fields = TopicQueueRequestHeader { topic: topic.into(), queue_id }.encode();
    let cmd = RemotingCommand::request(request::GET_MAX_OFFSET).with_ext(fields);
    let resp = client.invoke(addr, cmd, TIMEOUT).await.unwrap();
    OffsetResponseHeader::from_command(&resp).unwrap().offset
}

/// Polls `check` every 20 ms until it holds or `limit` passes; false on timeout.
pub async fn eventually_within<F, Fut>(limit: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if check().await {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Wall-clock milliseconds.
pub fn now_ms() -> i64 {
    booster_broker::util::now_ms()
}
