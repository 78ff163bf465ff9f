//! The standalone servers and the route to the target broker(s).

#[allow(clippy::wildcard_imports)]
use super::*;

pub(crate) struct Standalone {
    pub(crate) namesrv: NamesrvHandle,
    pub(crate) broker: BrokerHandle,
    pub(crate) dir: PathBuf,
}

impl Standalone {
    pub(crate) async fn start(args: &Args, dir: &Path) -> Result<Standalone, String> {
        let ns_dir = dir.join("namesrv");
        let store_root = dir.join("store");
        for d in [&ns_dir, &store_root] {
            fs::create_dir_all(d).map_err(|e| format!("create {}: {e}", d.display()))?;
        }
        let ns_config = NamesrvConfig {
            listen_port: 0,
            bind_address: "127.0.0.1".to_owned(),
            kv_config_path: ns_dir.join("kvConfig.json"),
            config_store_path: ns_dir.join("namesrv.properties"),
            ..NamesrvConfig::default()
        };
        let namesrv = booster_namesrv::start(ns_config).await.map_err(|e| format!("name server: {e}"))?;
        let flush = match args.flush {
            FlushDiskType::AsyncFlush => "ASYNC_FLUSH",
            FlushDiskType::SyncFlush => "SYNC_FLUSH",
        };
        let mut text = format!(
            "brokerClusterName={STANDALONE_CLUSTER}\nbrokerName={STANDALONE_BROKER}\nbrokerId=0\n\
             brokerRole=ASYNC_MASTER\nbrokerIP1=127.0.0.1\nbindAddress=127.0.0.1\nlistenPort=0\n\
             namesrvAddr={}\nstorePathRootDir={}\nautoCreateTopicEnable=true\n\
             autoCreateSubscriptionGroup=true\nflushDiskType={flush}\nmappedFileSizeCommitLog=1073741824\n",
            namesrv.local_addr(),
            store_root.display()
        );
        for s in &args.settings {
            text.push_str(s);
            text.push('\n');
        }
        let config = BrokerStartupConfig::from_properties_str(&text, "producer_bench")
            .map_err(|e| format!("broker settings: {e}"))?;
        if let Some(k) = config.unknown_keys.first() {
            return Err(format!("--set {}: not a broker setting", k.key));
        }
        let broker = booster_broker::start(config).await.map_err(|e| format!("broker: {e}"))?;
        Ok(Standalone { namesrv, broker, dir: dir.to_owned() })
    }

    pub(crate) async fn shutdown(self) -> Result<(), String> {
        let r = self.broker.shutdown().await.map_err(|e| format!("broker shutdown: {e}"));
        self.namesrv.shutdown();
        r
    }
}

// ---------------------------------------------------------------- route

pub(crate) async fn expect_success(
    client: &RemotingClient,
    addr: &str,
    cmd: RemotingCommand,
    what: &str,
    timeout: Duration,
) -> Result<RemotingCommand, String> {
    let resp = client.invoke(addr, cmd, timeout).await.map_err(|e| format!("{what} to {addr}: {e}"))?;
    if resp.code != ResponseCode::Success.code() {
        return Err(format!(
            "{what} to {addr}: {} {} {}",
            resp.code,
            code_name(resp.code),
            resp.remark.as_deref().unwrap_or("")
        ));
    }
    Ok(resp)
}

pub(crate) async fn create_topic(client: &RemotingClient, addr: &str, args: &Args) -> Result<(), String> {
    let header = CreateTopicRequestHeader {
        topic: args.topic.clone(),
        default_topic: Some("TBW102".to_owned()),
        read_queue_nums: args.queues,
        write_queue_nums: args.queues,
        perm: PERM_READ | PERM_WRITE,
        topic_filter_type: Some("SINGLE_TAG".to_owned()),
        topic_sys_flag: Some(0),
        order: Some(false),
        ..Default::default()
    };
    let cmd = RemotingCommand::request(request::UPDATE_AND_CREATE_TOPIC).with_ext(header.encode());
    expect_success(client, addr, cmd, "UPDATE_AND_CREATE_TOPIC", args.timeout).await.map(drop)
}

pub(crate) async fn lookup_route(
    client: &RemotingClient,
    namesrv: &str,
    args: &Args,
) -> Result<Vec<BrokerTarget>, String> {
    let header =
        GetRouteInfoRequestHeader { topic: args.topic.clone(), accept_standard_json_only: Some(true) };
    let cmd = RemotingCommand::request(request::GET_ROUTEINFO_BY_TOPIC).with_ext(header.encode());
    let resp = expect_success(client, namesrv, cmd, "GET_ROUTEINFO_BY_TOPIC", args.timeout).await?;
    let body = resp.body.unwrap_or_default();
    let route: TopicRouteData =
        booster_model::route::decode_body(&body).map_err(|e| format!("route body: {e}"))?;
    let mut targets = Vec::new();
    for qd in &route.queue_datas {
        let Some(addr) = route
            .broker_datas
            .iter()
            .find(|b| b.broker_name == qd.broker_name)
            .and_then(|b| b.broker_addrs.get(&booster_model::route::MASTER_ID))
        else {
            continue;
        };
        targets.push(BrokerTarget {
            name: qd.broker_name.clone(),
            addr: addr.clone(),
            write_queues: if qd.perm & PERM_WRITE != 0 { qd.write_queue_nums } else { 0 },
            read_queues: if qd.perm & PERM_READ != 0 { qd.read_queue_nums } else { 0 },
        });
    }
    if targets.is_empty() {
        return Err(format!("route of {} names no master broker", args.topic));
    }
    Ok(targets)
}
