//! brokerStatus: the runtime-info table, one `key: value` line each,
//! sorted by key; with the broker's address in front when several brokers
//! are printed (`-c`), as Java does.

use std::collections::BTreeMap;

pub fn broker_status(addr: Option<&str>, table: &BTreeMap<String, String>) -> String {
    table
        .iter()
        .map(|(k, v)| match addr {
            Some(a) => format!("{a:<24} {k:<32}: {v}\n"),
            None => format!("{k:<32}: {v}\n"),
        })
        .collect()
}
