use std::collections::BTreeSet;

use super::*;
use crate::{from_rocketmq_json, to_rocketmq_json};

#[test]
fn spec_bodies_round_trip_in_fastjson_form() {
    let elect = r#"{"brokerMemberGroup":{"brokerAddrs":{1:"10.0.0.1:10911",2:"10.0.0.2:10911"},"brokerName":"broker-a","cluster":"DefaultCluster"},"syncStateSet":[2]}"#;
    let body: ElectMasterResponseBody = from_rocketmq_json(elect).unwrap();
    assert_eq!(body.broker_member_group.as_ref().unwrap().broker_addrs[&2], "10.0.0.2:10911");
    assert_eq!(to_rocketmq_json(&body, false), elect);

    let still = r#"{"syncStateSet":[1,3]}"#;
    let body: ElectMasterResponseBody = from_rocketmq_json(still).unwrap();
    assert_eq!((body.broker_member_group, body.sync_state_set), (None, BTreeSet::from([1, 3])));

    let cache = r#"{"brokerId":0,"brokerName":"broker-a","clusterName":"DefaultCluster","epochList":[{"endOffset":1048576,"epoch":1,"startOffset":0},{"endOffset":9223372036854775807,"epoch":2,"startOffset":1048576}],"maxOffset":2097152}"#;
    let parsed: EpochEntryCache = from_rocketmq_json(cache).unwrap();
    assert_eq!(parsed.epoch_list[1].end_offset, i64::MAX);
    assert_eq!(to_rocketmq_json(&parsed, false), cache);
}

#[test]
fn replicas_info_reads_the_spec_example_and_omits_an_absent_master() {
    let text = r#"{"replicasInfoTable":{"broker-a":{
      "inSyncReplicas":[{"alive":true,"brokerAddress":"10.0.0.1:10911","brokerId":1,"brokerName":"broker-a"}],
      "masterAddress":"10.0.0.1:10911","masterBrokerId":1,"masterEpoch":3,
      "notInSyncReplicas":[{"alive":false,"brokerAddress":"10.0.0.2:10911","brokerId":2,"brokerName":"broker-a"}],
      "syncStateSetEpoch":5}}}"#;
    let info: BrokerReplicasInfo = from_rocketmq_json(text).unwrap();
    let a = &info.replicas_info_table["broker-a"];
    assert_eq!((a.master_broker_id, a.master_epoch, a.sync_state_set_epoch), (Some(1), 3, 5));
    assert!(!a.not_in_sync_replicas[0].alive);
    let none = ReplicasInfo { master_epoch: 4, ..ReplicasInfo::default() };
    let text = to_rocketmq_json(&none, false);
    assert!(!text.contains("masterBrokerId") && !text.contains("masterAddress"), "{text}");
}

#[test]
fn sync_state_set_accepts_loose_shapes() {
    let s: SyncStateSet =
        from_rocketmq_json(r#"{"syncStateSetEpoch":"3","syncStateSet":["1",2,2]}"#).unwrap();
    assert_eq!(s, SyncStateSet { sync_state_set: BTreeSet::from([1, 2]), sync_state_set_epoch: 3 });
    let empty: SyncStateSet = from_rocketmq_json(r#"{"syncStateSet":null}"#).unwrap();
    assert_eq!(empty, SyncStateSet::default());
    assert_eq!(to_rocketmq_json(&s, false), r#"{"syncStateSet":[1,2],"syncStateSetEpoch":3}"#);
}
