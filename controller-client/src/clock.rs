//! Wall-clock milliseconds, the only clock the shells read (the pure cores
//! take `now_ms` arguments).

pub fn now_ms() -> i64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}
