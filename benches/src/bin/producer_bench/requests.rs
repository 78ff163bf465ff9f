//! Request building and small helpers shared by the load tasks.

#[allow(clippy::wildcard_imports)]
use super::*;

pub(crate) fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

pub(crate) fn now_us() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros() as u64)
}

pub(crate) fn code_name(code: i32) -> &'static str {
    pub(crate) const NAMES: &[(ResponseCode, &str)] = &[
        (ResponseCode::Success, "SUCCESS"),
        (ResponseCode::SystemError, "SYSTEM_ERROR"),
        (ResponseCode::SystemBusy, "SYSTEM_BUSY"),
        (ResponseCode::RequestCodeNotSupported, "REQUEST_CODE_NOT_SUPPORTED"),
        (ResponseCode::FlushDiskTimeout, "FLUSH_DISK_TIMEOUT"),
        (ResponseCode::SlaveNotAvailable, "SLAVE_NOT_AVAILABLE"),
        (ResponseCode::FlushSlaveTimeout, "FLUSH_SLAVE_TIMEOUT"),
        (ResponseCode::MessageIllegal, "MESSAGE_ILLEGAL"),
        (ResponseCode::ServiceNotAvailable, "SERVICE_NOT_AVAILABLE"),
        (ResponseCode::NoPermission, "NO_PERMISSION"),
        (ResponseCode::TopicNotExist, "TOPIC_NOT_EXIST"),
        (ResponseCode::PullNotFound, "PULL_NOT_FOUND"),
        (ResponseCode::PullRetryImmediately, "PULL_RETRY_IMMEDIATELY"),
        (ResponseCode::PullOffsetMoved, "PULL_OFFSET_MOVED"),
        (ResponseCode::SubscriptionParseFailed, "SUBSCRIPTION_PARSE_FAILED"),
        (ResponseCode::SubscriptionNotExist, "SUBSCRIPTION_NOT_EXIST"),
        (ResponseCode::SubscriptionNotLatest, "SUBSCRIPTION_NOT_LATEST"),
        (ResponseCode::SubscriptionGroupNotExist, "SUBSCRIPTION_GROUP_NOT_EXIST"),
        (ResponseCode::InvalidParameter, "INVALID_PARAMETER"),
        (ResponseCode::GoAway, "GO_AWAY"),
    ];
    match code {
        RPC_SEND_TO_CHANNEL_FAILED => "RPC_SEND_TO_CHANNEL_FAILED",
        RPC_TIME_OUT => "RPC_TIME_OUT",
        _ => NAMES.iter().find(|(c, _)| c.code() == code).map_or("?", |(_, n)| n),
    }
}

pub(crate) fn error_code(e: &ConnectionError) -> i32 {
    match e {
        ConnectionError::Timeout(..) => RPC_TIME_OUT,
        ConnectionError::Closed(_) | ConnectionError::Connect { .. } => RPC_SEND_TO_CHANNEL_FAILED,
    }
}

/// A 32-hex-digit UNIQ_KEY in the Java client's layout: IPv4, pid, a
/// per-process hash, ms since the month began, counter.
pub(crate) fn uniq_key(counter: u64) -> String {
    static SALT: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    let salt = *SALT.get_or_init(|| (now_us() as u32).rotate_left(13) ^ 0x5BD1_E995);
    let ms = (now_ms() % (31 * 24 * 3600 * 1000)) as u32;
    format!("7F000001{:04X}{:08X}{:08X}{:04X}", std::process::id() as u16, salt, ms, counter as u16)
}

pub(crate) fn properties(uniq: &str) -> String {
    format!("UNIQ_KEY\u{1}{uniq}\u{2}WAIT\u{1}true\u{2}")
}

/// One broker's share of the topic.
#[derive(Debug, Clone)]
pub(crate) struct BrokerTarget {
    pub(crate) name: String,
    pub(crate) addr: String,
    pub(crate) write_queues: i32,
    pub(crate) read_queues: i32,
}

/// The (broker, queue) pairs to send to or pull from.
pub(crate) fn queue_list(targets: &[BrokerTarget], write: bool) -> Vec<(usize, i32)> {
    let mut out = Vec::new();
    for (i, t) in targets.iter().enumerate() {
        let n = if write { t.write_queues } else { t.read_queues };
        out.extend((0..n).map(|q| (i, q)));
    }
    out
}

pub(crate) fn send_request(
    args: &Args,
    target: &BrokerTarget,
    queue_id: i32,
    body: Bytes,
    counter: u64,
) -> RemotingCommand {
    let header = SendMessageRequestHeaderV2 {
        a: PRODUCER_GROUP.to_owned(),
        b: args.topic.clone(),
        c: "TBW102".to_owned(),
        d: args.queues,
        e: queue_id,
        f: 0,
        g: now_ms(),
        h: 0,
        i: Some(properties(&uniq_key(counter))),
        j: Some(0),
        k: Some(false),
        l: None,
        m: Some(false),
        n: (!target.name.is_empty()).then(|| target.name.clone()),
    };
    let mut cmd =
        RemotingCommand::request(request::SEND_MESSAGE_V2).with_ext(header.encode()).with_body(body);
    cmd.serialize_type = args.serialize;
    cmd
}

pub(crate) fn pull_request(args: &Args, queue_id: i32, offset: i64, suspend: bool) -> RemotingCommand {
    let sys_flag = pull_sys_flag::SUBSCRIPTION | if suspend { pull_sys_flag::SUSPEND } else { 0 };
    let header = PullMessageRequestHeader {
        consumer_group: CONSUMER_GROUP.to_owned(),
        topic: args.topic.clone(),
        queue_id,
        queue_offset: offset,
        max_msg_nums: args.pull_batch,
        sys_flag,
        commit_offset: 0,
        suspend_timeout_millis: if suspend { SUSPEND_MS } else { 0 },
        subscription: Some("*".to_owned()),
        sub_version: 0,
        expression_type: Some("TAG".to_owned()),
        ..Default::default()
    };
    let mut cmd = RemotingCommand::request(request::PULL_MESSAGE).with_ext(header.encode());
    cmd.serialize_type = args.serialize;
    cmd
}

/// A message body of `size` bytes; the first 8 carry the send time (µs
/// since the epoch) when there is room.
pub(crate) fn stamped_body(template: &[u8]) -> Bytes {
    let mut b = BytesMut::from(template);
    if b.len() >= 8 {
        b[..8].copy_from_slice(&now_us().to_be_bytes());
    }
    b.freeze()
}

pub(crate) fn frame_len(cmd: &RemotingCommand) -> usize {
    let mut buf = BytesMut::new();
    codec::encode_frame(cmd, &mut buf);
    buf.len()
}

/// The stored record size of one bench message (what a pull transfers per
/// message), with the properties a broker adds.
pub(crate) fn record_len(args: &Args) -> usize {
    let props = format!(
        "{}MSG_REGION\u{1}DefaultRegion\u{2}TRACE_ON\u{1}true\u{2}CLUSTER\u{1}{STANDALONE_CLUSTER}\u{2}",
        properties(&uniq_key(0))
    );
    let host = SocketAddr::from(([127, 0, 0, 1], 10911));
    let msg = MessageToStore {
        topic: args.topic.clone(),
        queue_id: 0,
        flag: 0,
        body: Bytes::from(vec![0u8; args.size]),
        properties: props,
        sys_flag: 0,
        born_timestamp: 0,
        born_host: host,
        store_host: host,
        reconsume_times: 0,
        prepared_transaction_offset: 0,
    };
    let config = MessageStoreConfig::default();
    let limits = EncodeLimits {
        max_message_size: config.max_message_size as usize,
        auto_message_version_on_topic_len: config.auto_message_version_on_topic_len,
    };
    record::encode(&msg, limits).map_or(args.size + 200, |r| r.len())
}
