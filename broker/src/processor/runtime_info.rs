//! GET_BROKER_RUNTIME_INFO (28): spec/remoting.md §4.8. A KVTable with
//! RocketMQ's key names, all values strings; `mqadmin clusterList` and
//! dashboards read these by name.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use booster_model::route::KvTable;
use booster_model::to_rocketmq_json;
use booster_remoting::{Connection, RemotingCommand, ResponseCode, request};

use super::{ProcessorTable, Reply, response};
use crate::context::BrokerContext;
use crate::stats::format_rates;
use crate::util::now_ms;

/// RocketMQ's version name for the remoting version we report (479).
pub const BROKER_VERSION_DESC: &str = "V5_3_3";

pub fn register(table: &mut ProcessorTable) {
    table.register(request::GET_BROKER_RUNTIME_INFO, runtime_info);
}

/// `[ d days, h hours, m minutes, s seconds ]` (StoreStatsService).
pub fn format_runtime(elapsed_ms: i64) -> String {
    let s = elapsed_ms.max(0) / 1000;
    format!(
        "[ {} days, {} hours, {} minutes, {} seconds ]",
        s / 86_400,
        s % 86_400 / 3_600,
        s % 3_600 / 60,
        s % 60
    )
}

/// Used fraction of the file system holding `path` (0 if unknown).
// statvfs field types differ between platforms; the casts are no-ops on some.
#[allow(clippy::unnecessary_cast)]
fn disk_ratio(path: &Path) -> (f64, u64, u64) {
    match nix::sys::statvfs::statvfs(path) {
        Ok(st) => {
            let frsize = st.fragment_size() as u64;
            let total = st.blocks() as u64 * frsize;
            let free = st.blocks_available() as u64 * frsize;
            let ratio = if total == 0 { 0.0 } else { (total - free) as f64 / total as f64 };
            (ratio, total, free)
        }
        Err(_) => (0.0, 0, 0),
    }
}

fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.2} {}", UNITS[unit])
}

/// The table, computed from the context at `now`.
pub fn runtime_table(ctx: &BrokerContext, now: i64) -> BTreeMap<String, String> {
    let store = &ctx.store;
    let totals = ctx.stats.totals();
    let (yesterday, today) = ctx.stats.day_starts();
    let [put, found, miss, transferred, total] = ctx.stats.rates(now);
    let (cl_ratio, cl_total, cl_free) = disk_ratio(&ctx.store_config.commit_log_dir());
    let (cq_ratio, _, _) = disk_ratio(&ctx.store_config.consume_queue_dir());
    let earliest = store
        .consume_queues()
        .iter()
        .map(|q| store.earliest_message_time(q.topic(), q.queue_id()))
        .filter(|t| *t > 0)
        .min()
        .unwrap_or(-1);
    let mut t = BTreeMap::new();
    let mut put_kv = |k: &str, v: String| {
        t.insert(k.to_owned(), v);
    };
    put_kv("brokerVersionDesc", BROKER_VERSION_DESC.to_owned());
    put_kv("brokerVersion", booster_remoting::command::CURRENT_VERSION.to_string());
    put_kv("msgPutTotalYesterdayMorning", yesterday.put.to_string());
    put_kv("msgPutTotalTodayMorning", today.put.to_string());
    put_kv("msgPutTotalTodayNow", totals.put.to_string());
    put_kv("msgGetTotalYesterdayMorning", yesterday.get_transferred.to_string());
    put_kv("msgGetTotalTodayMorning", today.get_transferred.to_string());
    put_kv("msgGetTotalTodayNow", totals.get_transferred.to_string());
    put_kv("putTps", format_rates(&put));
    put_kv("getFoundTps", format_rates(&found));
    put_kv("getMissTps", format_rates(&miss));
    put_kv("getTransferredTps", format_rates(&transferred));
    put_kv("getTotalTps", format_rates(&total));
    put_kv("commitLogMinOffset", store.min_phy_offset().to_string());
    put_kv("commitLogMaxOffset", store.max_phy_offset().to_string());
    put_kv("commitLogDiskRatio", cl_ratio.to_string());
    put_kv("consumeQueueDiskRatio", cq_ratio.to_string());
    put_kv(
        "commitLogDirCapacity",
        format!("Total : {}, Free : {}.", human_bytes(cl_total), human_bytes(cl_free)),
    );
    put_kv("bootTimestamp", ctx.boot_ms.to_string());
    put_kv("runtime", format_runtime(now - ctx.boot_ms));
    put_kv("dispatchBehindBytes", (store.max_phy_offset() - store.dispatched_offset()).max(0).to_string());
    put_kv("pageCacheLockTimeMills", "0".to_owned());
    put_kv("earliestMessageTimeStamp", earliest.to_string());
    put_kv("startAcceptSendRequestTimeStamp", ctx.config.start_accept_send_request_time_stamp.to_string());
    put_kv("remainTransientStoreBufferNumbs", "0".to_owned());
    let unflushed = (store.max_phy_offset() - store.commit_log().flushed_offset()).max(0);
    put_kv("remainHowManyDataToFlush", human_bytes(unflushed as u64));
    put_kv("brokerActive", "true".to_owned());
    // No handler queues: requests run as tasks as they arrive.
    for pool in ["send", "pull", "litePull", "query", "ackThread", "endTransaction"] {
        put_kv(&format!("{pool}ThreadPoolQueueSize"), "0".to_owned());
        put_kv(&format!("{pool}ThreadPoolQueueHeadWaitTimeMills"), "0".to_owned());
    }
    put_kv("sendThreadPoolQueueCapacity", ctx.config.send_thread_pool_queue_capacity.to_string());
    put_kv("pullThreadPoolQueueCapacity", ctx.config.pull_thread_pool_queue_capacity.to_string());
    for key in
        ["timerReadBehind", "timerOffsetBehind", "timerCongestNum", "timerEnqueueTps", "timerDequeueTps"]
    {
        put_kv(key, "0".to_owned());
    }
    t
}

async fn runtime_info(ctx: Arc<BrokerContext>, _conn: Connection, req: RemotingCommand) -> Reply {
    let body = KvTable { table: runtime_table(&ctx, now_ms()) };
    Some(response(&req, ResponseCode::Success).with_body(to_rocketmq_json(&body, false).into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting() {
        assert_eq!(format_runtime(90_061_000), "[ 1 days, 1 hours, 1 minutes, 1 seconds ]");
        assert_eq!(human_bytes(0), "0.00 B");
        assert_eq!(human_bytes(1536), "1.50 KB");
    }
}
