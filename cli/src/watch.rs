//! Prints a broker set's master and SyncStateSet whenever they change, by
//! polling the controller's CONTROLLER_GET_SYNC_STATE_DATA (1006) — what a
//! user of the controller-mode quickstart wants to see while killing and
//! restarting replicas.

use std::time::Duration;

use booster_model::controller::{BrokerReplicasInfo, ReplicasInfo};
use booster_model::{from_rocketmq_json, to_rocketmq_json};
use booster_remoting::code::request;
use booster_remoting::{RemotingClient, RemotingCommand};

const POLL: Duration = Duration::from_millis(500);
const TIMEOUT: Duration = Duration::from_secs(3);

/// One line describing `info`: who is master under which epoch, and the
/// SyncStateSet with the replicas outside it.
pub fn describe(broker_name: &str, info: &ReplicasInfo) -> String {
    let ids = |v: &[booster_model::controller::ReplicaIdentity]| {
        let mut parts: Vec<String> =
            v.iter().map(|r| format!("{}{}", r.broker_id, if r.alive { "" } else { " (down)" })).collect();
        parts.sort();
        parts.join(", ")
    };
    let master = match (info.master_broker_id, info.master_address.as_deref()) {
        (Some(id), Some(addr)) => format!("master {id} at {addr}"),
        _ => "no master".to_owned(),
    };
    let mut line = format!(
        "{broker_name}: {master}, masterEpoch {}; SyncStateSet {{{}}} (epoch {})",
        info.master_epoch,
        ids(&info.in_sync_replicas),
        info.sync_state_set_epoch
    );
    if !info.not_in_sync_replicas.is_empty() {
        line.push_str(&format!("; not in sync: {}", ids(&info.not_in_sync_replicas)));
    }
    line
}

/// Asks `controller` for `broker_name`'s replicas; `None` while the set is
/// unknown or the controller does not answer (it may still be electing).
pub async fn fetch(client: &RemotingClient, controller: &str, broker_name: &str) -> Option<ReplicasInfo> {
    let names = to_rocketmq_json(&[broker_name], false);
    let cmd = RemotingCommand::request(request::CONTROLLER_GET_SYNC_STATE_DATA).with_body(names.into_bytes());
    let resp = client.invoke(controller, cmd, TIMEOUT).await.ok()?;
    let body = resp.body.filter(|_| resp.code == 0)?;
    let mut all: BrokerReplicasInfo = from_rocketmq_json(std::str::from_utf8(&body).ok()?).ok()?;
    all.replicas_info_table.remove(broker_name)
}

/// Polls until dropped, calling `print` with each changed description.
pub async fn watch(controller: String, broker_name: String, mut print: impl FnMut(String)) {
    let client = RemotingClient::default();
    let mut last = String::new();
    loop {
        if let Some(info) = fetch(&client, &controller, &broker_name).await {
            let line = describe(&broker_name, &info);
            if line != last {
                print(line.clone());
                last = line;
            }
        }
        tokio::time::sleep(POLL).await;
    }
}

#[cfg(test)]
mod tests {
    use booster_model::controller::ReplicaIdentity;

    use super::*;

    fn replica(id: i64, alive: bool) -> ReplicaIdentity {
        ReplicaIdentity {
            alive,
            broker_address: format!("127.0.0.1:{id}"),
            broker_id: id,
            broker_name: "b".into(),
        }
    }

    #[test]
    fn names_master_epochs_and_membership() {
        let info = ReplicasInfo {
            in_sync_replicas: vec![replica(2, true), replica(1, true)],
            master_address: Some("127.0.0.1:1".into()),
            master_broker_id: Some(1),
            master_epoch: 3,
            not_in_sync_replicas: vec![replica(3, false)],
            sync_state_set_epoch: 7,
        };
        assert_eq!(
            describe("b", &info),
            "b: master 1 at 127.0.0.1:1, masterEpoch 3; SyncStateSet {1, 2} (epoch 7); not in sync: 3 (down)"
        );
        let none = ReplicasInfo { master_epoch: 4, ..ReplicasInfo::default() };
        assert_eq!(describe("b", &none), "b: no master, masterEpoch 4; SyncStateSet {} (epoch 0)");
    }
}
