//! Formatters against fixed inputs, byte for byte (the widths are those of
//! the Java format strings, e.g. `%-22s  %-22s  %-4s…` for clusterList).

use std::collections::BTreeMap;

use booster_model::heartbeat::MessageQueue;
use booster_model::{
    BrokerData, ClusterInfo, ConsumeStats, OffsetWrapper, TopicList, TopicOffset, TopicStatsTable,
};

use super::*;
use crate::args::{Target, UpdateTopic};
use crate::message::decode_record;
use crate::message::tests::TestRecord;

/// 2023-11-14 22:13:20.123 UTC.
const T0: i64 = 1_700_000_000_123;

fn mq(broker: &str, queue_id: i32, topic: &str) -> MessageQueue {
    MessageQueue { broker_name: broker.into(), queue_id, topic: topic.into() }
}

fn cluster_info() -> ClusterInfo {
    let mut a = BrokerData::new("DefaultCluster", "broker-a");
    a.broker_addrs.insert(0, "127.0.0.1:10911".into());
    a.broker_addrs.insert(1, "127.0.0.1:10921".into());
    let mut info = ClusterInfo::default();
    info.broker_addr_table.insert("broker-a".into(), a);
    info.cluster_addr_table.insert("DefaultCluster".into(), ["broker-a".to_string()].into_iter().collect());
    info
}

fn runtime() -> BrokerRuntime {
    let table: BTreeMap<String, String> = [
        ("brokerVersionDesc", "V5_3_3"),
        ("putTps", "12.5 10.0 8.0"),
        ("getTransferredTps", "3.25 1 1"),
        ("sendThreadPoolQueueSize", "0"),
        ("sendThreadPoolQueueHeadWaitTimeMills", "0"),
        ("pullThreadPoolQueueSize", "1"),
        ("pullThreadPoolQueueHeadWaitTimeMills", "2"),
        ("pageCacheLockTimeMills", "0"),
        ("earliestMessageTimeStamp", &(T0 - 5_400_000).to_string()),
        ("commitLogDiskRatio", "0.25"),
        ("brokerActive", "true"),
        ("timerReadBehind", "0"),
        ("timerOffsetBehind", "0"),
        ("timerCongestNum", "0"),
        ("timerEnqueueTps", "0.0"),
        ("timerDequeueTps", "0.0"),
        ("msgPutTotalYesterdayMorning", "10"),
        ("msgPutTotalTodayMorning", "30"),
        ("msgPutTotalTodayNow", "35"),
        ("msgGetTotalYesterdayMorning", "1"),
        ("msgGetTotalTodayMorning", "2"),
        ("msgGetTotalTodayNow", "7"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    [("127.0.0.1:10911".to_owned(), table)].into_iter().collect()
}

#[test]
fn cluster_list_matches_java_layout() {
    let text = cluster_list(&cluster_info(), None, &runtime(), T0);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "#Cluster Name           #Broker Name            #BID  #Addr                  #Version              #InTPS(LOAD)     #OutTPS(LOAD)  #Timer(Progress)        #PCWait(ms)  #Hour         #SPACE    #ACTIVATED"
    );
    assert_eq!(
        lines[1],
        "DefaultCluster          broker-a                0     127.0.0.1:10911        V5_3_3                12.50(0,0ms)       3.25(1,2ms)  0-0(0.0w, 0.0, 0.0)               0  1.50          0.2500          true"
    );
    // The slave's table could not be fetched: zeros, like Java.
    assert_eq!(
        lines[2],
        "DefaultCluster          broker-a                1     127.0.0.1:10921                                 0.00(,ms)         0.00(,ms)  0-0(0.0w, 0.0, 0.0)                  0.00          0.0000         false"
    );
    assert_eq!(lines.len(), 3);
    // An unknown cluster prints the header only.
    assert_eq!(cluster_list(&cluster_info(), Some("Other"), &runtime(), T0).lines().count(), 1);
}

#[test]
fn cluster_more_stats_layout() {
    let text = cluster_more_stats(&cluster_info(), Some("DefaultCluster"), &runtime());
    assert_eq!(
        text,
        "#Cluster Name     #Broker Name                       #InTotalYest  #OutTotalYest  #InTotalToday #OutTotalToday\n\
         DefaultCluster    broker-a                                     20              1              5              5\n\
         DefaultCluster    broker-a                                      0              0              0              0\n"
    );
}

#[test]
fn topic_list_both_forms() {
    let list =
        TopicList { broker_addr: None, topic_list: ["B".to_string(), "A".to_string()].into_iter().collect() };
    assert_eq!(topic_list(&list), "A\nB\n");
    let rows = vec![("C1".to_string(), "T1".to_string()), ("C1".to_string(), "%RETRY%g".to_string())];
    let text = topic_list_by_cluster(&rows);
    assert_eq!(
        text,
        format!(
            "{:<20}  {:<48}  {:<48}\n{:<20}  {:<48}  {:<48}\n",
            "#Cluster Name", "#Topic", "#Consumer Group", "C1", "T1", ""
        )
    );
}

#[test]
fn topic_route_is_pretty_fastjson() {
    let mut route = booster_model::TopicRouteData::default();
    let mut b = BrokerData::new("DefaultCluster", "broker-a");
    b.broker_addrs.insert(0, "127.0.0.1:10911".into());
    route.broker_datas.push(b);
    let text = topic_route(&route);
    assert!(text.contains("\"brokerAddrs\":{\n\t\t\t\t0:\"127.0.0.1:10911\"\n"), "{text}");
    assert!(text.ends_with("}\n"));
}

#[test]
fn topic_config_echo() {
    let mut u = UpdateTopic {
        target: Target::Cluster("C".into()),
        topic: "T".into(),
        read_queue_nums: 8,
        write_queue_nums: 4,
        perm: 6,
        order: false,
        topic_sys_flag: 0,
        attributes: None,
    };
    assert_eq!(
        topic_config(&u),
        "TopicConfig [topicName=T, readQueueNums=8, writeQueueNums=4, perm=RW-, topicFilterType=SINGLE_TAG, topicSysFlag=0, order=false, attributes={}]\n"
    );
    u.attributes = Some("+a=b,-c".into());
    assert!(topic_config(&u).ends_with("attributes={+a=b, -c=}]\n"));
    assert_eq!(
        [perm_to_string(7), perm_to_string(4), perm_to_string(2), perm_to_string(0)],
        ["RWX", "R--", "-W-", "---"]
    );
}

#[test]
fn topic_status_sorted_like_java() {
    let mut t = TopicStatsTable::default();
    t.offset_table.insert(
        mq("broker-b", 0, "T"),
        TopicOffset { min_offset: 0, max_offset: 3, last_update_timestamp: T0 },
    );
    t.offset_table.insert(
        mq("broker-a", 1, "T"),
        TopicOffset { min_offset: 1, max_offset: 9, last_update_timestamp: 0 },
    );
    t.offset_table.insert(
        mq("broker-a", 0, "T"),
        TopicOffset { min_offset: 0, max_offset: 0, last_update_timestamp: 0 },
    );
    assert_eq!(
        topic_status(&t, TimeFmt::utc()),
        "#Broker Name                      #QID  #Min Offset           #Max Offset             #Last Updated\n\
         broker-a                          0     0                     0                       \n\
         broker-a                          1     1                     9                       \n\
         broker-b                          0     0                     3                       2023-11-14 22:13:20,123\n"
    );
}

#[test]
fn consumer_progress_with_totals() {
    let mut s = ConsumeStats { consume_tps: 1.5, ..Default::default() };
    s.offset_table.insert(
        mq("broker-a", 0, "T"),
        OffsetWrapper { broker_offset: 10, consumer_offset: 4, pull_offset: 6, last_timestamp: T0 },
    );
    s.offset_table.insert(mq("broker-a", 1, "T"), OffsetWrapper { broker_offset: 2, ..Default::default() });
    let text = consumer_progress(&s, TimeFmt::utc());
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        format!(
            "{:<64}  {:<32}  {:<4}  {:<20}  {:<20}  {:<20} {:<20}#LastTime",
            "#Topic", "#Broker Name", "#QID", "#Broker Offset", "#Consumer Offset", "#Diff", "#Inflight"
        )
    );
    assert_eq!(
        lines[1],
        "T                                                                 broker-a                          0     10                    4                     6                    2                    2023-11-14 22:13:20"
    );
    assert_eq!(
        lines[2],
        "T                                                                 broker-a                          1     2                     0                     2                    0                    N/A"
    );
    assert_eq!(&lines[3..], ["", "Consume TPS: 1.50", "Consume Diff Total: 8", "Consume Inflight Total: 2"]);
}

#[test]
fn consumer_group_listing() {
    use booster_model::connection::{ClientConnection, ConsumerConnection};
    use booster_model::heartbeat::{ConsumeType, MessageModel};
    let client = |version| ClientConnection { version, ..Default::default() };
    let push = ConsumerConnection {
        connection_set: vec![client(479), client(413)],
        consume_type: ConsumeType::ConsumePassively,
        message_model: MessageModel::Clustering,
        ..Default::default()
    };
    let pull = ConsumerConnection {
        connection_set: vec![client(476)],
        consume_type: ConsumeType::ConsumeActively,
        ..Default::default()
    };
    let groups = vec![
        GroupSummary { group: "g1".into(), connection: None, consume_tps: 0.0, diff_total: 5 },
        GroupSummary { group: "g2".into(), connection: Some(push), consume_tps: 3.7, diff_total: 0 },
        GroupSummary { group: "g3".into(), connection: Some(pull), consume_tps: 0.0, diff_total: 1 },
    ];
    let text = consumer_groups(&groups);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "#Group                                                            #Count  #Version                 #Type  #Model          #TPS     #Diff Total",
            "g1                                                                0       OFFLINE                                         0        5",
            "g2                                                                2       V5_0_0                   PUSH   CLUSTERING      3        0",
            "g3                                                                1       V5_3_2_SNAPSHOT          PULL                   0        1",
        ]
    );
}

#[test]
fn version_names_from_ordinals() {
    assert_eq!(version_desc(479), "V5_3_3");
    assert_eq!(version_desc(401), "V4_9_4");
    assert_eq!(version_desc(413), "V5_0_0");
    assert_eq!(version_desc(475), "V5_3_1");
    assert_eq!(version_desc(478), "V5_3_3_SNAPSHOT");
    assert_eq!(version_desc(37), "37");
}

#[test]
fn broker_status_lines() {
    let table: BTreeMap<String, String> =
        [("b", "2"), ("a", "1")].into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
    assert_eq!(broker_status(None, &table), format!("{:<32}: 1\n{:<32}: 2\n", "a", "b"));
    assert_eq!(
        broker_status(Some("127.0.0.1:10911"), &table),
        format!("{:<24} {:<32}: 1\n{:<24} {:<32}: 2\n", "127.0.0.1:10911", "a", "127.0.0.1:10911", "b")
    );
}

#[test]
fn message_fields_like_print_msg() {
    let m = decode_record(&TestRecord::default().encode()).unwrap();
    let text = message(&m, "7F00000100002A9F0000000000001000", TimeFmt::utc(), false);
    assert_eq!(
        text,
        "OffsetID:            7F00000100002A9F0000000000001000\n\
         Topic:               TopicTest\n\
         Tags:                [TagA]\n\
         Keys:                [k1 k2]\n\
         Queue ID:            3\n\
         Queue Offset:        42\n\
         CommitLog Offset:    4096\n\
         Reconsume Times:     1\n\
         Born Timestamp:      2023-11-14 22:13:20,000\n\
         Store Timestamp:     2023-11-14 22:13:20,250\n\
         Born Host:           10.0.0.9:53000\n\
         Store Host:          127.0.0.1:10911\n\
         System Flag:         0\n\
         Properties:          {KEYS=k1 k2, TAGS=TagA, UNIQ_KEY=7F0000011F4018B4AAC2051A2B3C0001}\n\
         Message Body:        Hello Booster\n"
    );
}

#[test]
fn message_body_previews() {
    let body_line = |rec: TestRecord, full: bool| {
        let m = decode_record(&rec.encode()).unwrap();
        message(&m, "X", TimeFmt::utc(), full).lines().last().unwrap().to_owned()
    };
    let no_tags = TestRecord { properties: "", body: b"a\nb".to_vec(), ..Default::default() };
    let m = decode_record(&no_tags.encode()).unwrap();
    assert!(message(&m, "X", TimeFmt::utc(), false).contains("Tags:                [null]\n"));
    assert_eq!(body_line(no_tags, false), "Message Body:        a\\nb");
    let long = TestRecord { body: "x".repeat(300).into_bytes(), ..Default::default() };
    let line = body_line(long, false);
    assert!(line.ends_with("... (300 bytes, use -f UTF-8 for all of it)"), "{line}");
    let full = TestRecord { body: "x".repeat(300).into_bytes(), ..Default::default() };
    assert_eq!(body_line(full, true), format!("Message Body:        {}", "x".repeat(300)));
    let binary = TestRecord { body: vec![0xff, 0x00, 0x10], ..Default::default() };
    assert_eq!(body_line(binary, false), "Message Body:        (binary, 3 bytes) FF0010");
    let lz4 = TestRecord { sys_flag: 0x101, ..Default::default() };
    assert!(body_line(lz4, false).contains("compressed with LZ4"));
}

#[test]
fn time_formats() {
    assert_eq!(TimeFmt::utc().millis(T0), "2023-11-14 22:13:20,123");
    assert_eq!(TimeFmt::utc().seconds(T0), "2023-11-14 22:13:20");
    assert_eq!(TimeFmt::utc().millis(i64::MAX), i64::MAX.to_string(), "out of range never panics");
    assert_eq!(front("abcdef", 3), "abc");
    assert_eq!(front("ab", 3), "ab");
}
