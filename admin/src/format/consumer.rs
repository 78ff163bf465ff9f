//! consumerProgress: per-queue progress of one group, or one line per
//! group when no group is given.

use booster_model::ConsumeStats;
use booster_model::connection::ConsumerConnection;
use booster_model::heartbeat::ConsumeType;

use super::{TimeFmt, front, java_queue_order};

/// `consumerProgress -g G [-t T]`: broker offset, consumer offset, diff
/// and in-flight per queue, then the totals.
pub fn consumer_progress(stats: &ConsumeStats, tf: TimeFmt) -> String {
    let mut out = format!(
        "{:<64}  {:<32}  {:<4}  {:<20}  {:<20}  {:<20} {:<20}{}\n",
        "#Topic",
        "#Broker Name",
        "#QID",
        "#Broker Offset",
        "#Consumer Offset",
        "#Diff",
        "#Inflight",
        "#LastTime"
    );
    let mut queues: Vec<_> = stats.offset_table.iter().collect();
    queues.sort_by(|a, b| java_queue_order(a.0, b.0));
    let (mut diff_total, mut inflight_total) = (0i64, 0i64);
    for (mq, w) in queues {
        diff_total += w.diff();
        inflight_total += w.inflight();
        let last = if w.last_timestamp == 0 { "N/A".to_owned() } else { tf.seconds(w.last_timestamp) };
        out.push_str(&format!(
            "{:<64}  {:<32}  {:<4}  {:<20}  {:<20}  {:<20} {:<20} {}\n",
            front(&mq.topic, 64),
            front(&mq.broker_name, 32),
            mq.queue_id,
            w.broker_offset,
            w.consumer_offset,
            w.diff(),
            w.inflight(),
            last
        ));
    }
    out.push('\n');
    out.push_str(&format!("Consume TPS: {:.2}\n", stats.consume_tps));
    out.push_str(&format!("Consume Diff Total: {diff_total}\n"));
    out.push_str(&format!("Consume Inflight Total: {inflight_total}\n"));
    out
}

/// One group of the no-`-g` listing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupSummary {
    pub group: String,
    /// GET_CONSUMER_CONNECTION_LIST's answer; `None` = no consumer online.
    pub connection: Option<ConsumerConnection>,
    pub consume_tps: f64,
    pub diff_total: i64,
}

/// `MQVersion.getVersionDesc` for the versions clients report: from
/// V4_9_4 (ordinal 401) on, every x.y.z release is preceded by its
/// SNAPSHOT, two ordinals per patch version. Older ordinals are shown as
/// numbers.
pub fn version_desc(ordinal: i32) -> String {
    if ordinal < 400 {
        return ordinal.to_string();
    }
    let (release, snapshot) = if ordinal % 2 == 1 { (ordinal, "") } else { (ordinal + 1, "_SNAPSHOT") };
    let n = 494 + (release - 401) / 2;
    format!("V{}_{}_{}{snapshot}", n / 100, n / 10 % 10, n % 10)
}

/// `consumerProgress` without `-g`: every group that has a `%RETRY%`
/// topic, with its consumer count, oldest client version, PUSH/PULL and
/// model (models only for push consumers), TPS and total diff.
pub fn consumer_groups(groups: &[GroupSummary]) -> String {
    let mut out = format!(
        "{:<64}  {:<6}  {:<24} {:<5}  {:<14}  {:<7}  {}\n",
        "#Group", "#Count", "#Version", "#Type", "#Model", "#TPS", "#Diff Total"
    );
    for g in groups {
        let conn = g.connection.as_ref().filter(|c| !c.connection_set.is_empty());
        let count = conn.map_or(0, |c| c.connection_set.len());
        let (version, kind, model) = match conn {
            None => ("OFFLINE".to_owned(), "", ""),
            Some(c) => {
                let oldest = c.connection_set.iter().map(|x| x.version).min().unwrap_or_default();
                let push = c.consume_type != ConsumeType::ConsumeActively;
                let model = if c.consume_type == ConsumeType::ConsumePassively {
                    c.message_model.as_str()
                } else {
                    ""
                };
                (version_desc(oldest), if push { "PUSH" } else { "PULL" }, model)
            }
        };
        out.push_str(&format!(
            "{:<64}  {:<6}  {:<24} {:<5}  {:<14}  {:<7}  {}\n",
            front(&g.group, 64),
            count,
            version,
            kind,
            model,
            g.consume_tps as i64,
            g.diff_total
        ));
    }
    out
}
