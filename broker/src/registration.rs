//! Name-server registration (spec/remoting.md §4.9): REGISTER_BROKER to every
//! name server in `namesrvAddr` at startup, every `registerNameServerPeriod`
//! (clamped 10–60 s) and whenever topics change; UNREGISTER_BROKER at
//! shutdown. The request is built by pure functions; the loop only sends
//! (and a slave takes the master's HA address from the answers).
//!
//! The registered id and role come from `ctx.role`: in controller mode 0
//! while master and the controller id while slave, with the masterEpoch as
//! the topic data version's `stateVersion` (spec/controller.md §11.7); a
//! fenced broker skips the periodic registration.

use std::sync::Arc;
use std::time::Duration;

use booster_model::route::{RegisterBrokerBody, TopicConfigAndMappingSerializeWrapper};
use booster_model::{TopicConfigSerializeWrapper, to_rocketmq_json};
use booster_remoting::header::CommandHeader;
use booster_remoting::headers::namesrv::{
    RegisterBrokerRequestHeader, RegisterBrokerResponseHeader, UnRegisterBrokerRequestHeader,
};
use booster_remoting::{RemotingClient, RemotingCommand, ResponseCode, request};

use crate::context::BrokerContext;
use crate::topic::perm;

/// Pause between the registrations of a controller-mode slave that does not
/// know its master's HA address yet.
const MASTER_HA_RETRY_PERIOD: Duration = Duration::from_secs(1);
/// At most this many of them per role change; the periodic registration
/// (10–60 s) takes over afterwards.
const MASTER_HA_RETRIES: u32 = 30;

/// The body: every topic, with perms ANDed with `brokerPermission` when the
/// broker lacks read or write (attributes dropped on those copies, §5.4).
pub fn register_body(topics: TopicConfigSerializeWrapper, broker_permission: i32) -> RegisterBrokerBody {
    let mut wrapper = TopicConfigAndMappingSerializeWrapper::from(topics);
    if !perm::is_readable(broker_permission) || !perm::is_writeable(broker_permission) {
        for topic in wrapper.topic_config_table.values_mut() {
            topic.perm &= broker_permission;
            topic.attributes.clear();
        }
    }
    RegisterBrokerBody { filter_server_list: Vec::new(), topic_config_serialize_wrapper: wrapper }
}

/// RocketMQ's body checksum: CRC-32 masked to 31 bits (`UtilAll.crc32`).
pub fn body_crc32(body: &[u8]) -> i32 {
    booster_model::record::crc32(body)
}

/// The full REGISTER_BROKER request of this broker.
pub fn register_request(ctx: &BrokerContext) -> RemotingCommand {
    let c = &ctx.config;
    let mut topics = register_body(ctx.topics.snapshot(), c.broker_permission);
    if c.enable_controller_mode {
        topics.topic_config_serialize_wrapper.data_version.state_version = ctx.role.state_version();
    }
    let body = to_rocketmq_json(&topics, false).into_bytes();
    let ip2 = c.broker_ip2.clone().unwrap_or_else(|| ctx.store_host.ip().to_string());
    let header = RegisterBrokerRequestHeader {
        broker_name: c.broker_name.clone(),
        broker_addr: ctx.broker_addr(),
        cluster_name: c.broker_cluster_name.clone(),
        ha_server_addr: format!("{ip2}:{}", c.effective_ha_listen_port()),
        broker_id: ctx.role.name_server_id(),
        heartbeat_timeout_millis: c
            .enable_slave_acting_master
            .then_some(c.broker_not_active_timeout_millis as i64),
        enable_acting_master: Some(c.enable_slave_acting_master),
        compressed: Some(false),
        body_crc32: Some(body_crc32(&body)),
    };
    RemotingCommand::request(request::REGISTER_BROKER).with_ext(header.encode()).with_body(body)
}

/// Registers with every name server concurrently; failures are logged.
pub async fn register_all(ctx: &Arc<BrokerContext>, client: &RemotingClient) {
    let timeout = Duration::from_millis(ctx.config.register_broker_timeout_mills);
    let mut tasks = Vec::new();
    for addr in ctx.config.namesrv_addrs() {
        let (ctx, client, cmd) = (Arc::clone(ctx), client.clone(), register_request(ctx));
        tasks.push(tokio::spawn(async move {
            match client.invoke(&addr, cmd, timeout).await {
                Ok(resp) if resp.code == ResponseCode::Success.code() => {
                    tracing::debug!(namesrv = %addr, "registered");
                    learn_master_ha_addr(&ctx, &resp);
                    follow_master(&ctx, &resp);
                }
                Ok(resp) => tracing::warn!(namesrv = %addr, code = resp.code, remark = ?resp.remark, "registration refused"),
                Err(e) => tracing::warn!(namesrv = %addr, error = %e, "registration failed"),
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
}

/// changeToSlave's registration (spec/controller.md §11.5 step 6). Its
/// answer carries the master's HA address only once the new master has
/// registered as id 0 (§11.7); a slave that got there first registers
/// again every second (bounded) instead of waiting for the periodic
/// registration, until it has the address or the role changes.
pub async fn register_as_slave(ctx: &Arc<BrokerContext>, client: &RemotingClient, master_epoch: i32) {
    let mut shutdown = ctx.shutdown_signal();
    for _ in 0..MASTER_HA_RETRIES {
        register_all(ctx, client).await;
        let same_role = ctx.is_slave() && ctx.role.state_version() == i64::from(master_epoch);
        if ctx.ha.master_ha_addr().is_some() || !same_role {
            return;
        }
        tracing::debug!(master_epoch, "no master HA address from the name servers yet; registering again");
        tokio::select! {
            () = tokio::time::sleep(MASTER_HA_RETRY_PERIOD) => {}
            _ = shutdown.changed() => return,
        }
    }
    tracing::warn!(
        master_epoch,
        "the name servers named no master HA address; waiting for the periodic registration"
    );
}

/// A slave without `haMasterAddress` follows the HA address the name server
/// answers with: the live master's `haServerAddr` (spec/config.md §3.1,
/// remoting.md §4.9 step 6; absent while no master is registered).
fn learn_master_ha_addr(ctx: &BrokerContext, resp: &RemotingCommand) {
    let fixed = !ctx.config.enable_controller_mode
        && ctx.config.ha_master_address.as_deref().is_some_and(|a| !a.trim().is_empty());
    if !ctx.is_slave() || fixed {
        return;
    }
    let Ok(header) = RegisterBrokerResponseHeader::from_command(resp) else { return };
    if let Some(addr) = header.ha_server_addr.filter(|a| !a.trim().is_empty())
        && ctx.ha.set_master_ha_addr(addr.trim().to_owned())
    {
        tracing::info!(master_ha = %addr, "following the master's HA address from the name server");
    }
}

/// A static slave syncs its metadata from the master the name server names
/// (`masterAddr`, as RocketMQ's registration feeds SlaveSynchronize); in
/// controller mode the replicas manager starts and stops the sync.
fn follow_master(ctx: &Arc<BrokerContext>, resp: &RemotingCommand) {
    if ctx.config.enable_controller_mode || !ctx.is_slave() {
        return;
    }
    let Ok(header) = RegisterBrokerResponseHeader::from_command(resp) else { return };
    if let Some(addr) = header.master_addr.map(|a| a.trim().to_owned()).filter(|a| !a.is_empty()) {
        ctx.slave_sync.start(ctx, addr);
    }
}

/// Tells every name server this broker is gone (best effort, short timeout).
pub async fn unregister_all(ctx: &Arc<BrokerContext>, client: &RemotingClient) {
    let c = &ctx.config;
    let header = UnRegisterBrokerRequestHeader {
        broker_name: c.broker_name.clone(),
        broker_addr: ctx.broker_addr(),
        cluster_name: c.broker_cluster_name.clone(),
        broker_id: ctx.role.name_server_id(),
    };
    for addr in c.namesrv_addrs() {
        let cmd = RemotingCommand::request(request::UNREGISTER_BROKER).with_ext(header.encode());
        if let Err(e) = client.invoke(&addr, cmd, Duration::from_secs(3)).await {
            tracing::warn!(namesrv = %addr, error = %e, "unregistration failed");
        }
    }
}

/// The registration loop: at once, then every period or on a topic change,
/// until shutdown.
pub async fn run(ctx: Arc<BrokerContext>, client: RemotingClient) {
    if ctx.config.namesrv_addrs().is_empty() {
        tracing::warn!("namesrvAddr is empty: clients cannot find this broker through a name server");
        return;
    }
    let period = Duration::from_millis(ctx.config.register_period_ms());
    let mut shutdown = ctx.shutdown_signal();
    loop {
        if !ctx.role.is_isolated() {
            register_all(&ctx, &client).await;
        }
        tokio::select! {
            () = tokio::time::sleep(period) => {}
            () = ctx.metadata_changed.notified() => {}
            _ = shutdown.changed() => return,
        }
        if *shutdown.borrow() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use booster_model::TopicConfig;

    use super::*;

    #[test]
    fn body_masks_perms_when_broker_is_not_read_write() {
        let mut topics = TopicConfigSerializeWrapper::default();
        let mut t = TopicConfig::new("T");
        t.attributes.insert("k".into(), "v".into());
        topics.topic_config_table.insert("T".into(), t);
        let full = register_body(topics.clone(), 6);
        assert_eq!(full.topic_config_serialize_wrapper.topic_config_table["T"].perm, 6);
        assert_eq!(full.topic_config_serialize_wrapper.topic_config_table["T"].attributes.len(), 1);
        let read_only = register_body(topics, 4);
        let t = &read_only.topic_config_serialize_wrapper.topic_config_table["T"];
        assert_eq!((t.perm, t.attributes.len()), (4, 0));
        let json = to_rocketmq_json(&read_only, false);
        assert!(
            json.starts_with(r#"{"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":"#),
            "{json}"
        );
        assert_eq!(body_crc32(b"123456789"), 0x4BF4_3926);
    }
}
