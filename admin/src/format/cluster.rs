//! `clusterList`: one row per broker (every member of every group), with
//! figures from its GET_BROKER_RUNTIME_INFO table. A broker whose table
//! could not be fetched still gets its row, with zeros, as in Java.

use std::collections::{BTreeMap, BTreeSet};

use booster_model::ClusterInfo;

/// broker address → its runtime-info table (absent = fetch failed).
pub type BrokerRuntime = BTreeMap<String, BTreeMap<String, String>>;

/// The clusters to print: the one asked for (even if unknown, which
/// prints an empty table like Java), else all.
fn target_clusters(info: &ClusterInfo, only: Option<&str>) -> Vec<String> {
    match only {
        Some(c) => vec![c.to_owned()],
        None => info.cluster_addr_table.keys().cloned().collect(),
    }
}

/// `(cluster, brokerName, brokerId, addr)` of every broker to show, in
/// print order (clusters and broker names sorted, ids ascending).
pub fn members(info: &ClusterInfo, only: Option<&str>) -> Vec<(String, String, i64, String)> {
    let mut out = Vec::new();
    for cluster in target_clusters(info, only) {
        let names: BTreeSet<&String> = info.cluster_addr_table.get(&cluster).into_iter().flatten().collect();
        for name in names {
            let Some(group) = info.broker_addr_table.get(name) else { continue };
            for (id, addr) in &group.broker_addrs {
                out.push((cluster.clone(), name.clone(), *id, addr.clone()));
            }
        }
    }
    out
}

fn first_rate(table: &BTreeMap<String, String>, key: &str) -> f64 {
    table.get(key).and_then(|v| v.split_whitespace().next()).and_then(|v| v.parse().ok()).unwrap_or(0.0)
}

fn num<T: std::str::FromStr + Default>(table: &BTreeMap<String, String>, key: &str) -> T {
    table.get(key).and_then(|v| v.trim().parse().ok()).unwrap_or_default()
}

/// The base table (Java's `printClusterBaseInfo`). `now_ms` dates the
/// "#Hour" column (age of the oldest message).
pub fn cluster_list(info: &ClusterInfo, only: Option<&str>, runtime: &BrokerRuntime, now_ms: i64) -> String {
    let mut out = format!(
        "{:<22}  {:<22}  {:<4}  {:<22} {:<16}  {:>16}  {:>16}  {:<22}  {:<11}  {:<12}  {:<8}  {:<10}\n",
        "#Cluster Name",
        "#Broker Name",
        "#BID",
        "#Addr",
        "#Version",
        "#InTPS(LOAD)",
        "#OutTPS(LOAD)",
        "#Timer(Progress)",
        "#PCWait(ms)",
        "#Hour",
        "#SPACE",
        "#ACTIVATED"
    );
    let empty = BTreeMap::new();
    for (cluster, name, id, addr) in members(info, only) {
        let t = runtime.get(&addr).unwrap_or(&empty);
        let s = |k: &str| t.get(k).map_or("", String::as_str);
        let load_in = format!(
            "{:9.2}({},{}ms)",
            first_rate(t, "putTps"),
            s("sendThreadPoolQueueSize"),
            s("sendThreadPoolQueueHeadWaitTimeMills")
        );
        let load_out = format!(
            "{:9.2}({},{}ms)",
            first_rate(t, "getTransferredTps"),
            s("pullThreadPoolQueueSize"),
            s("pullThreadPoolQueueHeadWaitTimeMills")
        );
        let timer = format!(
            "{}-{}({:.1}w, {:.1}, {:.1})",
            num::<i64>(t, "timerReadBehind"),
            num::<i64>(t, "timerOffsetBehind"),
            num::<i64>(t, "timerCongestNum") as f32 / 10000.0,
            num::<f32>(t, "timerEnqueueTps"),
            num::<f32>(t, "timerDequeueTps")
        );
        let earliest: i64 = num(t, "earliestMessageTimeStamp");
        let hours = if earliest > 0 { (now_ms - earliest) as f64 / 1000.0 / 60.0 / 60.0 } else { 0.0 };
        let active = s("brokerActive").eq_ignore_ascii_case("true");
        out.push_str(&format!(
            "{:<22}  {:<22}  {:<4}  {:<22} {:<16}  {:>16}  {:>16}  {:<22}  {:>11}  {:<12}  {:<8}  {:>10}\n",
            cluster,
            name,
            id,
            addr,
            s("brokerVersionDesc"),
            load_in,
            load_out,
            timer,
            s("pageCacheLockTimeMills"),
            format!("{hours:2.2}"),
            format!("{:.4}", num::<f64>(t, "commitLogDiskRatio")),
            active
        ));
    }
    out
}

/// `clusterList -m` (Java's `printClusterMoreStats`): messages in and out
/// yesterday and today.
pub fn cluster_more_stats(info: &ClusterInfo, only: Option<&str>, runtime: &BrokerRuntime) -> String {
    let mut out = format!(
        "{:<16}  {:<32} {:>14} {:>14} {:>14} {:>14}\n",
        "#Cluster Name", "#Broker Name", "#InTotalYest", "#OutTotalYest", "#InTotalToday", "#OutTotalToday"
    );
    let empty = BTreeMap::new();
    for (cluster, name, _, addr) in members(info, only) {
        let t = runtime.get(&addr).unwrap_or(&empty);
        let n = |k: &str| num::<i64>(t, k);
        out.push_str(&format!(
            "{:<16}  {:<32} {:>14} {:>14} {:>14} {:>14}\n",
            cluster,
            name,
            n("msgPutTotalTodayMorning") - n("msgPutTotalYesterdayMorning"),
            n("msgGetTotalTodayMorning") - n("msgGetTotalYesterdayMorning"),
            n("msgPutTotalTodayNow") - n("msgPutTotalTodayMorning"),
            n("msgGetTotalTodayNow") - n("msgGetTotalTodayMorning"),
        ));
    }
    out
}
