//! UNIQ_KEY generation for messages that arrive without one (spec/remoting.md
//! §4.2.2): the same layout as the Java client's `MessageClientIDSetter`, so
//! tools that parse the id (IP, time) keep working: IP (4 bytes), pid (i16),
//! a per-process hash (i32), ms since the start of the month (i32) and a
//! counter (i16), in uppercase hex.

use std::fmt::Write as _;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU16, Ordering};

use chrono::{Datelike, Local, TimeZone};

#[derive(Debug)]
pub struct UniqKeyGenerator {
    /// IP + pid + hash, already in hex.
    prefix: String,
    counter: AtomicU16,
}

impl UniqKeyGenerator {
    pub fn new(ip: IpAddr, pid: u32, hash: i32) -> Self {
        let mut raw = match ip {
            IpAddr::V4(v4) => v4.octets().to_vec(),
            IpAddr::V6(v6) => v6.octets().to_vec(),
        };
        raw.extend_from_slice(&(pid as i16).to_be_bytes());
        raw.extend_from_slice(&hash.to_be_bytes());
        Self { prefix: hex(&raw), counter: AtomicU16::new(0) }
    }

    /// A new key for `now_ms`, counting from `month_start_ms`.
    pub fn next_at(&self, now_ms: i64, month_start_ms: i64) -> String {
        let since = (now_ms - month_start_ms) as i32;
        let count = self.counter.fetch_add(1, Ordering::Relaxed);
        let mut tail = Vec::with_capacity(6);
        tail.extend_from_slice(&since.to_be_bytes());
        tail.extend_from_slice(&count.to_be_bytes());
        format!("{}{}", self.prefix, hex(&tail))
    }

    /// A new key for the current local time.
    pub fn next(&self) -> String {
        let now = Local::now();
        let month_start = Local
            .with_ymd_and_hms(now.year(), now.month(), 1, 0, 0, 0)
            .earliest()
            .map_or(0, |t| t.timestamp_millis());
        self.next_at(now.timestamp_millis(), month_start)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02X}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_matches_the_java_client() {
        let g = UniqKeyGenerator::new("127.0.0.1".parse().unwrap(), 0x1234, 0x0A0B0C0D);
        let a = g.next_at(1_000 + 0x10, 1_000);
        let b = g.next_at(1_000 + 0x10, 1_000);
        assert_eq!(a, "7F00000112340A0B0C0D000000100000");
        assert_eq!(b, "7F00000112340A0B0C0D000000100001");
        assert_eq!(g.next().len(), 32);
    }
}
