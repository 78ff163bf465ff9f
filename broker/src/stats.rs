//! Broker statistics for GET_BROKER_RUNTIME_INFO (spec/remoting.md §4.8):
//! running totals, per-second rates over the last 10 s / 60 s / 600 s, and
//! the totals at this and the previous local midnight, the figures
//! `mqadmin clusterList` shows. Sampling is driven from outside with an
//! explicit time, so the arithmetic is tested without clocks.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::Mutex;

/// The counters that are sampled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub put: u64,
    pub get_found: u64,
    pub get_miss: u64,
    pub get_transferred: u64,
}

impl Totals {
    pub fn get_total(&self) -> u64 {
        self.get_found + self.get_miss
    }
}

#[derive(Debug, Default)]
pub struct BrokerStats {
    put: AtomicU64,
    get_found: AtomicU64,
    get_miss: AtomicU64,
    get_transferred: AtomicU64,
    history: Mutex<History>,
}

#[derive(Debug, Default)]
struct History {
    /// (time, totals), oldest first, covering a little over 600 s.
    samples: VecDeque<(i64, Totals)>,
    /// Totals at the start of today and of yesterday (local days).
    today: Option<(i64, Totals)>,
    yesterday: Option<(i64, Totals)>,
}

/// Rates of one counter over 10 s, 60 s and 600 s, per second.
pub type Rates = [f64; 3];

impl BrokerStats {
    pub fn add_put(&self, messages: u64) {
        self.put.fetch_add(messages, Ordering::Relaxed);
    }

    /// A pull that found `messages` (0 = a miss).
    pub fn add_get(&self, messages: u64) {
        if messages == 0 {
            self.get_miss.fetch_add(1, Ordering::Relaxed);
        } else {
            self.get_found.fetch_add(1, Ordering::Relaxed);
            self.get_transferred.fetch_add(messages, Ordering::Relaxed);
        }
    }

    pub fn totals(&self) -> Totals {
        Totals {
            put: self.put.load(Ordering::Relaxed),
            get_found: self.get_found.load(Ordering::Relaxed),
            get_miss: self.get_miss.load(Ordering::Relaxed),
            get_transferred: self.get_transferred.load(Ordering::Relaxed),
        }
    }

    /// Records a sample at `now_ms`; `day` identifies the local day (any
    /// number that changes at midnight, e.g. days since the epoch).
    pub fn sample(&self, now_ms: i64, day: i64) {
        let totals = self.totals();
        let mut h = self.history.lock();
        h.samples.push_back((now_ms, totals));
        while h.samples.len() > 2 && h.samples[1].0 <= now_ms - 600_000 {
            h.samples.pop_front();
        }
        match h.today {
            Some((d, _)) if d == day => {}
            previous => {
                h.yesterday = previous;
                h.today = Some((day, totals));
            }
        }
    }

    /// (put, get_found, get_miss, get_transferred, get_total) rates.
    pub fn rates(&self, now_ms: i64) -> [Rates; 5] {
        let current = self.totals();
        let h = self.history.lock();
        let rate = |window: i64, pick: fn(&Totals) -> u64| {
            let base = h.samples.iter().find(|(t, _)| *t >= now_ms - window).or(h.samples.front());
            match base {
                Some((t, old)) if now_ms > *t => {
                    (pick(&current).saturating_sub(pick(old))) as f64 * 1000.0 / (now_ms - t) as f64
                }
                _ => 0.0,
            }
        };
        let triple = |pick: fn(&Totals) -> u64| [rate(10_000, pick), rate(60_000, pick), rate(600_000, pick)];
        [
            triple(|t| t.put),
            triple(|t| t.get_found),
            triple(|t| t.get_miss),
            triple(|t| t.get_transferred),
            triple(Totals::get_total),
        ]
    }

    /// Totals at the start of yesterday and of today (zeros if unknown).
    pub fn day_starts(&self) -> (Totals, Totals) {
        let h = self.history.lock();
        (h.yesterday.map(|(_, t)| t).unwrap_or_default(), h.today.map(|(_, t)| t).unwrap_or_default())
    }
}

/// RocketMQ's rendering of a rate triple: `"10s 60s 600s"`, 2 decimals.
pub fn format_rates(r: &Rates) -> String {
    format!("{:.2} {:.2} {:.2}", r[0], r[1], r[2])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_day_starts() {
        let s = BrokerStats::default();
        s.sample(0, 1);
        s.add_put(100);
        s.add_get(3);
        s.add_get(0);
        s.sample(10_000, 1);
        s.add_put(50);
        let [put, found, miss, transferred, total] = s.rates(20_000);
        assert_eq!(put[0], 5.0, "50 puts in the last 10 s");
        assert_eq!(put[1], 7.5, "150 puts in 20 s");
        assert_eq!((found[1], miss[1], transferred[1], total[1]), (0.05, 0.05, 0.15, 0.1));
        assert_eq!(format_rates(&put), "5.00 7.50 7.50");
        s.sample(20_000, 2);
        let (yesterday, today) = s.day_starts();
        assert_eq!((yesterday.put, today.put), (0, 150));
    }
}
