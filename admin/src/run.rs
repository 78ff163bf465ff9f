//! Executes an [`Invocation`]: asks the servers through [`AdminClient`],
//! hands the answers to the [`format`] functions and writes the text. The
//! only decisions here are which servers to ask (masters of a cluster,
//! brokers of a route), mirroring Java's `DefaultMQAdminExt`.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use booster_model::{ClusterInfo, ConsumeStats, TopicRouteData, TopicStatsTable};

use crate::args::{BrokerSets, Command, Invocation, Target, UpdateTopic};
use crate::client::AdminClient;
use crate::error::AdminError;
use crate::format::{self, BrokerRuntime, GroupSummary, TimeFmt};
use crate::message::decode_record;
use crate::msg_id;

/// Where output goes: results to `out`, per-broker problems that do not
/// stop the command to `warn` (stderr in the binary).
pub struct Output<'a> {
    pub out: &'a mut dyn Write,
    pub warn: &'a mut dyn Write,
    pub tf: TimeFmt,
}

impl Output<'_> {
    fn print(&mut self, text: &str) -> Result<(), AdminError> {
        self.out.write_all(text.as_bytes())?;
        Ok(())
    }

    fn warn(&mut self, e: &AdminError) {
        let _ = writeln!(self.warn, "WARN: {e}");
    }
}

/// Runs the command with requests timing out after `timeout`; commands
/// given `-i` run again every that many seconds until killed.
pub async fn run(inv: &Invocation, timeout: Duration, o: &mut Output<'_>) -> Result<(), AdminError> {
    let admin = AdminClient::new(inv.namesrv.clone(), timeout);
    loop {
        run_once(&admin, &inv.command, o).await?;
        match inv.command.interval_secs() {
            Some(s) => tokio::time::sleep(Duration::from_secs(s)).await,
            None => return Ok(()),
        }
    }
}

async fn run_once(admin: &AdminClient, command: &Command, o: &mut Output<'_>) -> Result<(), AdminError> {
    match command {
        Command::ClusterList { cluster, more_stats, .. } => {
            cluster_list(admin, cluster.as_deref(), *more_stats, o).await
        }
        Command::TopicList { cluster_model } => topic_list(admin, *cluster_model, o).await,
        Command::TopicRoute { topic } => o.print(&format::topic_route(&admin.topic_route(topic).await?)),
        Command::UpdateTopic(u) => update_topic(admin, u, o).await,
        Command::DeleteTopic { topic, cluster } => delete_topic(admin, topic, cluster, o).await,
        Command::TopicStatus { topic, cluster } => {
            let route = admin.topic_route(topic).await?;
            let mut table = TopicStatsTable::default();
            for (_, addr) in route_brokers(&route, topic, cluster.as_deref())? {
                table.offset_table.extend(admin.topic_stats(&addr, topic).await?.offset_table);
            }
            o.print(&format::topic_status(&table, o.tf))
        }
        Command::ConsumerProgress { group: Some(group), topic } => {
            let stats = consume_stats(admin, group, topic.as_deref()).await?;
            o.print(&format::consumer_progress(&stats, o.tf))
        }
        Command::ConsumerProgress { group: None, .. } => consumer_groups(admin, o).await,
        Command::BrokerStatus { target: Target::Broker(addr) } => {
            o.print(&format::broker_status(None, &admin.runtime_info(addr).await?.table))
        }
        Command::BrokerStatus { target: Target::Cluster(cluster) } => {
            let info = admin.cluster_info().await?;
            known_cluster(&info, cluster)?;
            let mut first_error = None;
            for (_, _, _, addr) in format::cluster_members(&info, Some(cluster)) {
                match admin.runtime_info(&addr).await {
                    Ok(kv) => o.print(&format::broker_status(Some(&addr), &kv.table))?,
                    Err(e) => {
                        o.warn(&e);
                        first_error.get_or_insert(e);
                    }
                }
            }
            first_error.map_or(Ok(()), Err)
        }
        Command::QueryMsgById { msg_ids, print_body } => {
            for (i, id) in msg_ids.iter().enumerate() {
                let at = msg_id::decode(id)?;
                let record = admin.view_message(&at.addr.to_string(), at.offset).await?;
                let m = decode_record(&record)
                    .map_err(|source| AdminError::BadMessage { msg_id: id.clone(), source })?;
                if i > 0 {
                    o.print("\n")?;
                }
                let offset_id = msg_id::encode(m.store_host, m.physical_offset);
                o.print(&format::message(&m, &offset_id, o.tf, *print_body))?;
            }
            Ok(())
        }
        Command::GetControllerMetaData { controller } => {
            o.print(&format::controller_metadata(&admin.controller_metadata(controller).await?))
        }
        Command::GetSyncStateSet { controller, brokers, .. } => {
            let names = broker_names(admin, brokers).await?;
            let leader = admin.controller_leader(controller).await?;
            o.print(&format::sync_state_set(&admin.sync_state_data(&leader, &names).await?))
        }
        Command::GetBrokerEpoch { brokers, .. } => {
            for addr in replica_addrs(admin, brokers).await? {
                o.print(&format::broker_epoch(&addr, &admin.broker_epoch_cache(&addr).await?))?;
            }
            Ok(())
        }
        Command::ElectMaster { controller, cluster, broker_name, broker_id } => {
            let leader = admin.controller_leader(controller).await?;
            let (head, body) = admin.elect_master(&leader, cluster, broker_name, *broker_id).await?;
            o.print(&format::elect_master(cluster, broker_name, &head, &body))
        }
        Command::CleanBrokerMetadata(c) => {
            let leader = admin.controller_leader(&c.controller).await?;
            admin.clean_broker_data(&leader, c).await?;
            o.print(&format!("clear broker {} metadata from controller success! \n", c.broker_name))
        }
        Command::GetControllerConfig { controllers } => {
            for addr in controllers {
                o.print(&format::controller_config(addr, &admin.controller_config(addr).await?))?;
            }
            Ok(())
        }
        Command::UpdateControllerConfig { controllers, key, value } => {
            // Every controller is tried; the last failure is reported, as Java does.
            let mut last_error = None;
            for addr in controllers {
                if let Err(e) = admin.update_controller_config(addr, key, value).await {
                    o.warn(&e);
                    last_error = Some(e);
                }
            }
            match last_error {
                Some(e) => Err(e),
                None => o.print(&format::controller_config_updated(controllers, key, value)),
            }
        }
        Command::HaStatus { target, .. } => {
            let addrs = match target {
                Target::Broker(addr) => vec![addr.clone()],
                Target::Cluster(cluster) => {
                    masters(&admin.cluster_info().await?, cluster)?.into_iter().map(|(_, a)| a).collect()
                }
            };
            for addr in addrs {
                o.print(&format::ha_status(&addr, &admin.ha_status(&addr).await?, o.tf))?;
            }
            Ok(())
        }
    }
}

/// The broker set names given, or those of the cluster.
async fn broker_names(admin: &AdminClient, sets: &BrokerSets) -> Result<Vec<String>, AdminError> {
    match sets {
        BrokerSets::Names(names) => Ok(names.clone()),
        BrokerSets::Cluster(cluster) => {
            Ok(known_cluster(&admin.cluster_info().await?, cluster)?.iter().cloned().collect())
        }
    }
}

/// Every registered replica address (master and slaves) of the sets.
async fn replica_addrs(admin: &AdminClient, sets: &BrokerSets) -> Result<Vec<String>, AdminError> {
    let info = admin.cluster_info().await?;
    let names: Vec<String> = match sets {
        BrokerSets::Names(names) => names.clone(),
        BrokerSets::Cluster(cluster) => known_cluster(&info, cluster)?.iter().cloned().collect(),
    };
    let addrs: Vec<String> = names
        .iter()
        .filter_map(|name| info.broker_addr_table.get(name))
        .flat_map(|group| group.broker_addrs.values().cloned())
        .collect();
    if addrs.is_empty() {
        return Err(AdminError::UnknownBrokerSets(names.join(", ")));
    }
    Ok(addrs)
}

async fn cluster_list(
    admin: &AdminClient,
    only: Option<&str>,
    more: bool,
    o: &mut Output<'_>,
) -> Result<(), AdminError> {
    let info = admin.cluster_info().await?;
    let mut runtime = BrokerRuntime::new();
    for (_, _, _, addr) in format::cluster_members(&info, only) {
        match admin.runtime_info(&addr).await {
            Ok(kv) => {
                runtime.insert(addr, kv.table);
            }
            Err(e) => o.warn(&e),
        }
    }
    let now = chrono::Utc::now().timestamp_millis();
    let text = if more {
        format::cluster_more_stats(&info, only, &runtime)
    } else {
        format::cluster_list(&info, only, &runtime, now)
    };
    o.print(&text)
}

async fn topic_list(admin: &AdminClient, cluster_model: bool, o: &mut Output<'_>) -> Result<(), AdminError> {
    if !cluster_model {
        return o.print(&format::topic_list(&admin.topic_list().await?));
    }
    let info = admin.cluster_info().await?;
    // A topic served by several clusters is listed under the first one.
    let mut cluster_of: BTreeMap<String, String> = BTreeMap::new();
    for cluster in info.cluster_addr_table.keys() {
        for topic in admin.topics_by_cluster(cluster).await?.topic_list {
            cluster_of.entry(topic).or_insert_with(|| cluster.clone());
        }
    }
    let rows: Vec<(String, String)> = cluster_of.into_iter().map(|(t, c)| (c, t)).collect();
    o.print(&format::topic_list_by_cluster(&rows))
}

/// `(brokerName, master address)` of every group of `cluster`.
fn masters(info: &ClusterInfo, cluster: &str) -> Result<Vec<(String, String)>, AdminError> {
    let names = known_cluster(info, cluster)?;
    Ok(names
        .iter()
        .filter_map(|name| info.broker_addr_table.get(name))
        .filter_map(|group| group.broker_addrs.get(&0).map(|addr| (group.broker_name.clone(), addr.clone())))
        .collect())
}

fn known_cluster<'a>(
    info: &'a ClusterInfo,
    cluster: &str,
) -> Result<&'a std::collections::BTreeSet<String>, AdminError> {
    info.cluster_addr_table.get(cluster).ok_or_else(|| AdminError::UnknownCluster {
        cluster: cluster.to_owned(),
        known: info.cluster_addr_table.keys().cloned().collect::<Vec<_>>().join(", "),
    })
}

/// The broker each group of the route is asked through (its master, else
/// its lowest-id member), optionally only those of `cluster`.
fn route_brokers(
    route: &TopicRouteData,
    topic: &str,
    cluster: Option<&str>,
) -> Result<Vec<(String, String)>, AdminError> {
    let out: Vec<(String, String)> = route
        .broker_datas
        .iter()
        .filter(|b| cluster.is_none_or(|c| b.cluster == c))
        .filter_map(|b| b.select_broker_addr().map(|a| (b.broker_name.clone(), a.to_owned())))
        .collect();
    if out.is_empty() {
        return Err(AdminError::NoBrokers { topic: topic.to_owned(), cluster: cluster.map(str::to_owned) });
    }
    Ok(out)
}

async fn update_topic(admin: &AdminClient, u: &UpdateTopic, o: &mut Output<'_>) -> Result<(), AdminError> {
    match &u.target {
        Target::Broker(addr) => {
            admin.create_topic(addr, u).await?;
            if u.order {
                let info = admin.cluster_info().await?;
                let name = info
                    .broker_addr_table
                    .values()
                    .find(|g| g.broker_addrs.values().any(|a| a == addr))
                    .map(|g| g.broker_name.clone())
                    .ok_or_else(|| AdminError::UnknownBroker(addr.clone()))?;
                let conf = format!("{name}:{}", u.write_queue_nums);
                admin.put_order_conf(&u.topic, &conf).await?;
                o.print(&format!("set broker orderConf. isOrder=true, orderConf=[{conf}]\n"))?;
            }
            o.print(&format!("create topic to {addr} success.\n"))?;
        }
        Target::Cluster(cluster) => {
            let info = admin.cluster_info().await?;
            let masters = masters(&info, cluster)?;
            for (_, addr) in &masters {
                admin.create_topic(addr, u).await?;
                o.print(&format!("create topic to {addr} success.\n"))?;
            }
            if u.order {
                let conf: Vec<String> =
                    masters.iter().map(|(name, _)| format!("{name}:{}", u.write_queue_nums)).collect();
                let conf = conf.join(";");
                admin.put_order_conf(&u.topic, &conf).await?;
                o.print(&format!("set cluster orderConf. isOrder=true, orderConf=[{conf}]\n"))?;
            }
        }
    }
    o.print(&format::topic_config(u))
}

async fn delete_topic(
    admin: &AdminClient,
    topic: &str,
    cluster: &str,
    o: &mut Output<'_>,
) -> Result<(), AdminError> {
    let info = admin.cluster_info().await?;
    for (_, addr) in masters(&info, cluster)? {
        admin.delete_topic_in_broker(&addr, topic).await?;
    }
    o.print(&format!("delete topic [{topic}] from cluster [{cluster}] success.\n"))?;
    admin.delete_topic_in_namesrv(topic, cluster).await?;
    o.print(&format!("delete topic [{topic}] from NameServer success.\n"))
}

/// Java's `examineConsumeStats`: the brokers of the group's retry topic
/// (else of the topic), merged; an empty table is an error.
async fn consume_stats(
    admin: &AdminClient,
    group: &str,
    topic: Option<&str>,
) -> Result<ConsumeStats, AdminError> {
    let retry_topic = format!("%RETRY%{group}");
    let (route, route_topic) = match (admin.topic_route(&retry_topic).await, topic) {
        (Ok(route), _) => (route, retry_topic),
        (Err(_), Some(t)) => (admin.topic_route(t).await?, t.to_owned()),
        (Err(e), None) => return Err(e),
    };
    let mut stats = ConsumeStats::default();
    for (_, addr) in route_brokers(&route, &route_topic, None)? {
        stats.merge(admin.consume_stats(&addr, group, topic).await?);
    }
    if stats.offset_table.is_empty() {
        return Err(AdminError::EmptyConsumeStats { group: group.to_owned() });
    }
    Ok(stats)
}

async fn consumer_groups(admin: &AdminClient, o: &mut Output<'_>) -> Result<(), AdminError> {
    let topics = admin.topic_list().await?;
    let mut groups = Vec::new();
    for group in topics.topic_list.iter().filter_map(|t| t.strip_prefix("%RETRY%")) {
        let mut summary = GroupSummary { group: group.to_owned(), ..GroupSummary::default() };
        match consume_stats(admin, group, None).await {
            Ok(stats) => {
                summary.consume_tps = stats.consume_tps;
                summary.diff_total = stats.total_diff();
            }
            Err(AdminError::EmptyConsumeStats { .. }) => {}
            Err(e) => o.warn(&e),
        }
        // Like Java's examineConsumerConnectionInfo: the first broker of the
        // retry topic that knows the group. No consumers = an error answer.
        if let Ok(route) = admin.topic_route(&format!("%RETRY%{group}")).await {
            for (_, addr) in route_brokers(&route, group, None).unwrap_or_default() {
                if let Ok(conn) = admin.consumer_connection(&addr, group).await {
                    summary.connection = Some(conn);
                    break;
                }
            }
        }
        groups.push(summary);
    }
    o.print(&format::consumer_groups(&groups))
}
