//! A latency histogram with log-linear buckets, in the manner of HDR
//! histograms: values below 64 are counted exactly, above that each power of
//! two is split into 64 equal buckets, so a percentile is within 1/64 (1.6 %)
//! of the true value while memory stays fixed (under 32 KB) however many
//! samples are recorded. Pure logic: no clock, no I/O.

use serde::Serialize;

/// Sub-buckets per power of two, as a power of two itself.
const SUB_BITS: u32 = 6;
const SUB: u64 = 1 << SUB_BITS;
/// Buckets needed to cover the whole of `u64`.
const BUCKETS: usize = ((64 - SUB_BITS + 1) as usize) * SUB as usize;

#[derive(Debug, Clone)]
pub struct Histogram {
    counts: Vec<u64>,
    count: u64,
    min: u64,
    max: u64,
    sum: u128,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: vec![0; BUCKETS],
            count: 0,
            min: u64::MAX,
            max: 0,
            sum: 0,
        }
    }
}

/// The bucket a value falls in.
fn index(v: u64) -> usize {
    if v < SUB {
        return v as usize;
    }
    let exp = 63 - v.leading_zeros();
    let shift = exp - SUB_BITS;
    let sub = (v >> shift) - SUB;
    ((shift as u64 + 1) * SUB + sub) as usize
}

/// The highest value that falls in bucket `i`.
fn upper(i: usize) -> u64 {
    let i = i as u64;
    if i < SUB {
        return i;
    }
    let shift = i / SUB - 1;
    let sub = i % SUB;
    let low = (SUB + sub) << shift;
    low.saturating_add((1u64 << shift) - 1)
}

/// Count, extremes and percentiles of one histogram, in the recorded unit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    pub count: u64,
    pub min: u64,
    pub mean: u64,
    pub p50: u64,
    pub p95: u64,
    pub p99: u64,
    pub max: u64,
}

impl Histogram {
    pub fn record(&mut self, v: u64) {
        self.counts[index(v)] += 1;
        self.count += 1;
        self.min = self.min.min(v);
        self.max = self.max.max(v);
        self.sum += u128::from(v);
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// The value at or below which `p` percent of the samples lie (the
    /// nearest-rank definition), None when empty. Exact below 64 and for
    /// the maximum; otherwise the top of the sample's bucket, never above
    /// the largest value seen.
    pub fn percentile(&self, p: f64) -> Option<u64> {
        if self.count == 0 {
            return None;
        }
        let rank = ((p.clamp(0.0, 100.0) / 100.0) * self.count as f64).ceil() as u64;
        let rank = rank.clamp(1, self.count);
        let mut seen = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Some(upper(i).clamp(self.min, self.max));
            }
        }
        Some(self.max)
    }

    /// Adds every sample of `other`.
    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.count += other.count;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        self.sum += other.sum;
    }

    pub fn summary(&self) -> Option<Summary> {
        Some(Summary {
            count: self.count,
            min: self.min,
            mean: (self.sum / u128::from(self.count.max(1))) as u64,
            p50: self.percentile(50.0)?,
            p95: self.percentile(95.0)?,
            p99: self.percentile(99.0)?,
            max: self.max,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(sorted: &[u64], p: f64) -> u64 {
        let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        sorted[rank.clamp(1, sorted.len()) - 1]
    }

    /// A deterministic spread of values over many magnitudes.
    fn values(n: usize) -> Vec<u64> {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x % 1_000_000) >> (x % 17)
            })
            .collect()
    }

    #[test]
    fn every_value_lies_in_its_bucket() {
        for v in (0..5000).chain([u64::MAX, u64::MAX - 1, 1 << 40, (1 << 40) - 1]) {
            let i = index(v);
            assert!(upper(i) >= v, "{v} above bucket {i}");
            if i > 0 {
                assert!(upper(i - 1) < v, "{v} belongs below bucket {i}");
            }
        }
        assert_eq!(index(u64::MAX), BUCKETS - 1);
    }

    #[test]
    fn empty_has_no_percentiles() {
        let h = Histogram::default();
        assert_eq!(h.percentile(50.0), None);
        assert!(h.summary().is_none());
    }

    #[test]
    fn small_values_are_exact() {
        let mut h = Histogram::default();
        for v in 1..=50 {
            h.record(v);
        }
        assert_eq!(h.percentile(50.0), Some(25));
        assert_eq!(h.percentile(99.0), Some(50));
        assert_eq!(h.percentile(0.0), Some(1));
        let s = h.summary().unwrap();
        assert_eq!((s.count, s.min, s.max, s.mean), (50, 1, 50, 25));
    }

    #[test]
    fn percentiles_are_within_one_sixty_fourth_of_the_exact_ones() {
        let mut v = values(20_000);
        let mut h = Histogram::default();
        for &x in &v {
            h.record(x);
        }
        v.sort_unstable();
        for p in [1.0, 10.0, 50.0, 90.0, 95.0, 99.0, 99.9, 100.0] {
            let want = exact(&v, p);
            let got = h.percentile(p).unwrap();
            assert!(got >= want, "p{p}: {got} below exact {want}");
            assert!(
                (got - want) as f64 <= want as f64 / 64.0 + 1.0,
                "p{p}: {got} too far from {want}"
            );
        }
        assert_eq!(h.percentile(100.0), Some(*v.last().unwrap()));
    }

    #[test]
    fn percentiles_rise_with_p() {
        let mut h = Histogram::default();
        for x in values(5_000) {
            h.record(x);
        }
        let ps: Vec<u64> = (0..=100).map(|p| h.percentile(p as f64).unwrap()).collect();
        assert!(ps.windows(2).all(|w| w[0] <= w[1]), "{ps:?}");
    }

    #[test]
    fn merge_equals_recording_everything_in_one() {
        let v = values(3_000);
        let (mut a, mut b, mut all) = (
            Histogram::default(),
            Histogram::default(),
            Histogram::default(),
        );
        for (i, &x) in v.iter().enumerate() {
            if i % 3 == 0 {
                a.record(x)
            } else {
                b.record(x)
            }
            all.record(x);
        }
        a.merge(&b);
        assert_eq!(a.summary(), all.summary());
        a.merge(&Histogram::default());
        assert_eq!(a.summary(), all.summary());
    }
}
