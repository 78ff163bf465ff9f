//! The controller server over real sockets (127.0.0.1, port 0) with the
//! in-process test replicator: a broker's whole conversation, the role-change
//! push to a fake broker, and election on a closed master connection.

mod server_support;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use booster_controller::ResponseCode as Rc;
use booster_controller::server::{ControllerHandle, serve};
use booster_model::controller::{BrokerReplicasInfo, ElectMasterResponseBody, SyncStateSet};
use booster_remoting::codec::RemotingCodec;
use booster_remoting::connection::NoRequests;
use booster_remoting::headers::controller::*;
use booster_remoting::{
    BoxFuture, Connection, RemotingClient, RemotingCommand, RemotingServer, Router, request,
};
use server_support::*;
use tokio::sync::mpsc;

const TIMEOUT: Duration = Duration::from_secs(5);

async fn start(svc: Arc<Service>) -> (ControllerHandle, String) {
    let handle = serve("127.0.0.1:0".parse().unwrap(), svc, None).await.unwrap();
    let addr = handle.local_addr().to_string();
    (handle, addr)
}

async fn call(client: &RemotingClient, addr: &str, cmd: RemotingCommand) -> RemotingCommand {
    client.invoke(addr, cmd, TIMEOUT).await.unwrap()
}

async fn ok(client: &RemotingClient, addr: &str, cmd: RemotingCommand) -> RemotingCommand {
    let resp = call(client, addr, cmd).await;
    assert_eq!(resp.code, 0, "remark: {:?}", resp.remark);
    resp
}

#[tokio::test]
async fn a_brokers_conversation() {
    let svc = service();
    let (_handle, ctl) = start(Arc::clone(&svc)).await;
    let client = RemotingClient::default();

    // Registration as a broker does it: next id, apply, register.
    for id in 1..=2 {
        let h: GetNextBrokerIdResponseHeader = header(&ok(&client, &ctl, next_id()).await);
        assert_eq!(h.next_broker_id, Some(id));
        ok(&client, &ctl, apply_id(id, &addr(id))).await;
        ok(&client, &ctl, register(id, &addr(id))).await;
        ok(&client, &ctl, heartbeat(Some(id), &addr(id))).await;
    }
    assert_eq!(
        call(&client, &ctl, heartbeat(None, &addr(1))).await.code,
        Rc::ControllerInvalidRequest.code()
    );

    let resp = ok(&client, &ctl, elect(1)).await;
    let b: ElectMasterResponseBody = body(&resp);
    assert_eq!(b.broker_member_group.unwrap().broker_addrs.len(), 2);
    assert_eq!(call(&client, &ctl, elect(2)).await.code, Rc::ControllerMasterStillExist.code());

    let resp = ok(&client, &ctl, replica_info(NAME)).await;
    let h: GetReplicaInfoResponseHeader = header(&resp);
    assert_eq!((h.master_broker_id, h.master_epoch), (Some(1), Some(1)));
    assert_eq!(body::<SyncStateSet>(&resp).sync_state_set, BTreeSet::from([1]));

    let info: BrokerReplicasInfo = body(&ok(&client, &ctl, sync_state_data(r#"["broker-a"]"#)).await);
    assert_eq!(info.replicas_info_table[NAME].master_broker_id, Some(1));

    let h: AlterSyncStateSetResponseHeader = header(&ok(&client, &ctl, alter(1, 1, &[1, 2], 1)).await);
    assert_eq!(h.new_sync_state_set_epoch, 2);
    assert_eq!(call(&client, &ctl, alter(1, 0, &[1], 2)).await.code, Rc::ControllerFencedMasterEpoch.code());
    assert_eq!(
        call(&client, &ctl, alter(1, 1, &[1], 1)).await.code,
        Rc::ControllerFencedSyncStateSetEpoch.code()
    );

    let h: GetMetaDataResponseHeader =
        header(&ok(&client, &ctl, RemotingCommand::request(request::CONTROLLER_GET_METADATA_INFO)).await);
    assert_eq!(h.is_leader, Some(true));

    assert_eq!(call(&client, &ctl, update_config("configStorePath=/x\n")).await.code, 16);
    ok(&client, &ctl, update_config("enableElectUncleanMaster=true\n")).await;
    let text = body_text(&ok(&client, &ctl, RemotingCommand::request(request::GET_CONTROLLER_CONFIG)).await);
    assert!(text.contains("enableElectUncleanMaster=true\n"), "{text}");

    assert_eq!(
        call(&client, &ctl, clean(Some("2"), false)).await.code,
        Rc::ControllerInvalidCleanBrokerMetadata.code()
    );
    ok(&client, &ctl, clean(Some("2"), true)).await;
    assert_eq!(
        call(&client, &ctl, register(2, &addr(2))).await.code,
        Rc::ControllerBrokerNeedToBeRegistered.code()
    );

    assert_eq!(call(&client, &ctl, RemotingCommand::request(request::PULL_MESSAGE)).await.code, 3);

    svc.replicator().set_leader(false);
    assert_eq!(call(&client, &ctl, replica_info(NAME)).await.code, Rc::ControllerNotLeader.code());
}

/// A broker's remoting server that only records what it receives.
struct FakeBroker(mpsc::UnboundedSender<RemotingCommand>);

impl Router for FakeBroker {
    fn route(&self, _conn: Connection, request: RemotingCommand) -> BoxFuture<Option<RemotingCommand>> {
        let _ = self.0.send(request.clone());
        Box::pin(async move { Some(RemotingCommand::response_to(&request, 0)) })
    }
}

async fn fake_broker() -> (RemotingServer, String, mpsc::UnboundedReceiver<RemotingCommand>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let server = RemotingServer::bind(
        "127.0.0.1:0".parse().unwrap(),
        RemotingCodec::default(),
        Arc::new(FakeBroker(tx)),
    )
    .await
    .unwrap();
    let addr = server.local_addr().to_string();
    (server, addr, rx)
}

/// The next NOTIFY_BROKER_ROLE_CHANGED naming `master`, within the timeout.
async fn notified(rx: &mut mpsc::UnboundedReceiver<RemotingCommand>, master: i64) -> RemotingCommand {
    tokio::time::timeout(TIMEOUT, async {
        loop {
            let cmd = rx.recv().await.expect("fake broker alive");
            assert_eq!(cmd.code, request::NOTIFY_BROKER_ROLE_CHANGED);
            let h: NotifyBrokerRoleChangedRequestHeader = header(&cmd);
            if h.master_broker_id == Some(master) {
                return cmd;
            }
        }
    })
    .await
    .expect("notification within the timeout")
}

/// Id `id` for the fake broker at `broker_addr`, registered and heartbeating
/// on `client`'s own connection.
async fn join(client: &RemotingClient, ctl: &str, id: i64, broker_addr: &str) {
    ok(client, ctl, apply_id(id, broker_addr)).await;
    ok(client, ctl, register(id, broker_addr)).await;
    ok(client, ctl, heartbeat(Some(id), broker_addr)).await;
}

#[tokio::test]
async fn election_is_pushed_to_live_brokers() {
    let svc = service_with("");
    let (_handle, ctl) = start(svc).await;
    let (_b1, b1_addr, mut b1_rx) = fake_broker().await;
    let client = RemotingClient::default();
    join(&client, &ctl, 1, &b1_addr).await;
    ok(&client, &ctl, elect(1)).await;

    let cmd = notified(&mut b1_rx, 1).await;
    let h: NotifyBrokerRoleChangedRequestHeader = header(&cmd);
    assert_eq!(
        (h.master_address, h.master_epoch, h.sync_state_set_epoch),
        (Some(b1_addr.clone()), Some(1), Some(1))
    );
    assert_eq!(
        body::<SyncStateSet>(&cmd),
        SyncStateSet { sync_state_set: BTreeSet::from([1]), sync_state_set_epoch: 1 }
    );
}

#[tokio::test]
async fn expiry_closes_the_expired_brokers_connection() {
    let svc = service_with("scanNotActiveBrokerInterval=100\n");
    let (_handle, ctl) = start(Arc::clone(&svc)).await;
    let stream = tokio::net::TcpStream::connect(&ctl).await.unwrap();
    let conn = Connection::start(stream, RemotingCodec::default(), Arc::new(NoRequests));
    let resp = conn.request(heartbeat_expiring(Some(1), &addr(1), 1), TIMEOUT).await.unwrap();
    assert_eq!(resp.code, 0);
    // The first scan runs 2 s after the start, then every 100 ms.
    tokio::time::timeout(Duration::from_secs(20), async {
        while !conn.is_closed() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the controller closes the expired broker's connection");
    assert!(svc.controller().lock().liveness().is_empty());
}

#[tokio::test]
async fn closed_master_connection_triggers_an_election() {
    let svc = service_with("");
    let (_handle, ctl) = start(Arc::clone(&svc)).await;
    let (_b1, b1_addr, _b1_rx) = fake_broker().await;
    let (_b2, b2_addr, mut b2_rx) = fake_broker().await;
    let (c1, c2) = (RemotingClient::default(), RemotingClient::default());
    join(&c1, &ctl, 1, &b1_addr).await;
    ok(&c2, &ctl, next_id()).await;
    join(&c2, &ctl, 2, &b2_addr).await;
    ok(&c1, &ctl, elect(1)).await;
    ok(&c1, &ctl, alter(1, 1, &[1, 2], 1)).await;

    c1.shutdown().await;
    let cmd = notified(&mut b2_rx, 2).await;
    let h: NotifyBrokerRoleChangedRequestHeader = header(&cmd);
    assert_eq!((h.master_address, h.master_epoch), (Some(b2_addr), Some(2)));
    let h: GetReplicaInfoResponseHeader = header(&ok(&c2, &ctl, replica_info(NAME)).await);
    assert_eq!(h.master_broker_id, Some(2));
}
