//! The latency histogram.

/// A log-bucket latency histogram (HdrHistogram's layout with 2^6 linear
/// sub-buckets per power of two): values below 64 are exact, larger ones
/// land in buckets 1/64 of their magnitude wide, so a percentile is within
/// 1.6 % of the truth. Values are nanoseconds.
#[derive(Debug, Clone)]
pub(crate) struct Histogram {
    pub(crate) counts: Vec<u64>,
    pub(crate) total: u64,
    pub(crate) max: u64,
    pub(crate) sum: u128,
}

pub(crate) const SUB_BITS: u32 = 6;
pub(crate) const SUB: u64 = 1 << SUB_BITS;

impl Histogram {
    pub(crate) fn new() -> Self {
        Self { counts: vec![0; ((64 - SUB_BITS as usize) + 1) * SUB as usize], total: 0, max: 0, sum: 0 }
    }

    pub(crate) fn index(v: u64) -> usize {
        if v < SUB {
            return v as usize;
        }
        let e = 63 - v.leading_zeros(); // ≥ SUB_BITS
        let sub = (v >> (e - SUB_BITS)) & (SUB - 1);
        ((e - SUB_BITS + 1) as usize) * SUB as usize + sub as usize
    }

    /// The highest value that lands in bucket `i`.
    pub(crate) fn bucket_high(i: usize) -> u64 {
        if (i as u64) < SUB {
            return i as u64;
        }
        let e = (i as u64 / SUB) as u32 + SUB_BITS - 1;
        let sub = i as u64 % SUB;
        let width = 1u64 << (e - SUB_BITS);
        ((SUB + sub) << (e - SUB_BITS)).saturating_add(width - 1)
    }

    pub(crate) fn record(&mut self, v: u64) {
        self.counts[Self::index(v)] += 1;
        self.total += 1;
        self.max = self.max.max(v);
        self.sum += u128::from(v);
    }

    pub(crate) fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.total += other.total;
        self.max = self.max.max(other.max);
        self.sum += other.sum;
    }

    /// Value at quantile `q` (0..=1), as the bucket's highest value capped
    /// by the true maximum; `None` when empty.
    pub(crate) fn quantile(&self, q: f64) -> Option<u64> {
        if self.total == 0 {
            return None;
        }
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0;
        for (i, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Some(Self::bucket_high(i).min(self.max));
            }
        }
        Some(self.max)
    }

    pub(crate) fn quantile_us(&self, q: f64) -> Option<f64> {
        self.quantile(q).map(|ns| ns as f64 / 1e3)
    }

    pub(crate) fn mean_us(&self) -> Option<f64> {
        (self.total > 0).then(|| self.sum as f64 / self.total as f64 / 1e3)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_tight_and_ordered() {
        let mut prev = 0;
        for v in (0..200_000u64).chain([1 << 20, 123_456_789, u64::MAX / 3]) {
            let i = Histogram::index(v);
            let hi = Histogram::bucket_high(i);
            assert!(hi >= v, "v={v} hi={hi}");
            assert!((hi - v) as f64 <= v as f64 / 64.0 + 1.0, "v={v} hi={hi}");
            if v < 200_000 {
                assert!(i >= prev);
                prev = i;
            }
        }
        let mut h = Histogram::new();
        for v in 1..=1000u64 {
            h.record(v * 1000);
        }
        let p50 = h.quantile(0.5).unwrap() as f64;
        assert!((p50 - 500_000.0).abs() / 500_000.0 < 0.02, "{p50}");
        assert_eq!(h.quantile(1.0), Some(1_000_000));
    }
}
