//! Small helpers shared by the shells: wall-clock time, the local address,
//! physical memory. The pure cores take these values as arguments.

use std::net::{IpAddr, Ipv4Addr, UdpSocket};
use std::time::{SystemTime, UNIX_EPOCH};

/// A metadata file that has never been written (first start): loading it
/// would only log warnings about a missing file and backup.
pub fn never_written(file: &booster_store::metadata::ConfigFile) -> bool {
    !file.path().exists() && !file.backup_path().exists()
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// The address other hosts would reach us at: the source address of a
/// route to a public address (no packet is sent), else loopback. RocketMQ
/// picks the first non-loopback IPv4 address; this is the usual one.
pub fn detect_local_ip() -> IpAddr {
    let routed = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0))
        .and_then(|s| s.connect((Ipv4Addr::new(8, 8, 8, 8), 80)).map(|()| s))
        .and_then(|s| s.local_addr());
    match routed {
        Ok(addr) if !addr.ip().is_unspecified() && !addr.ip().is_loopback() => addr.ip(),
        _ => IpAddr::V4(Ipv4Addr::LOCALHOST),
    }
}

/// Physical memory in bytes (Linux `/proc/meminfo`), 8 GiB if unknown.
/// Used for RocketMQ's "is this offset still in page cache" estimate.
pub fn total_physical_memory() -> u64 {
    const FALLBACK: u64 = 8 << 30;
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
            let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kib * 1024)
        })
        .unwrap_or(FALLBACK)
}

/// A tiny xorshift generator for random queue selection: no dependency,
/// no cryptographic needs, seeded from the clock and a counter.
pub fn random_below(n: u32) -> u32 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static STATE: AtomicU64 = AtomicU64::new(0);
    if n <= 1 {
        return 0;
    }
    let mut x = STATE.load(Ordering::Relaxed);
    if x == 0 {
        x = (now_ms() as u64) | 1;
    }
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    STATE.store(x, Ordering::Relaxed);
    (x % u64::from(n)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_stays_in_range() {
        for n in [1, 2, 7, 1024] {
            for _ in 0..100 {
                assert!(random_below(n) < n);
            }
        }
        assert_eq!(random_below(0), 0);
    }
}
