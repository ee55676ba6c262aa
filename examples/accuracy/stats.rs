//! Error distributions: absolute errors summarised by nearest-rank
//! percentiles, and counters of hits out of trials.

/// Absolute errors of one figure, in milliseconds.
#[derive(Debug, Clone, Default)]
pub struct Errors {
    values: Vec<f64>,
    /// The worst case seen, with a description to print.
    pub worst: Option<(f64, String)>,
}

impl Errors {
    pub fn push(&mut self, err: f64, what: impl FnOnce() -> String) {
        let e = err.abs();
        if self.worst.as_ref().is_none_or(|(w, _)| e > *w) {
            self.worst = Some((e, what()));
        }
        self.values.push(e);
    }

    pub fn extend(&mut self, other: Errors) {
        if let Some((w, d)) = other.worst {
            if self.worst.as_ref().is_none_or(|(m, _)| w > *m) {
                self.worst = Some((w, d));
            }
        }
        self.values.extend(other.values);
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Nearest-rank percentile `p` (0..=100); None when empty.
    pub fn percentile(&mut self, p: f64) -> Option<f64> {
        if self.values.is_empty() {
            return None;
        }
        self.values.sort_by(f64::total_cmp);
        let n = self.values.len();
        let rank = ((p / 100.0) * n as f64).ceil().max(1.0) as usize;
        Some(self.values[rank.min(n) - 1])
    }

    pub fn max(&mut self) -> Option<f64> {
        self.percentile(100.0)
    }

    pub fn count_above(&self, limit: f64) -> usize {
        self.values.iter().filter(|&&v| v > limit).count()
    }

    /// "p50 0.4 / p99 3.1 / max 12.0 ms (n = 1234)".
    pub fn describe(&mut self, decimals: usize) -> String {
        match (self.percentile(50.0), self.percentile(99.0), self.max()) {
            (Some(a), Some(b), Some(c)) => format!(
                "p50 {a:.d$} / p99 {b:.d$} / max {c:.d$} ms (n = {})",
                self.len(),
                d = decimals
            ),
            _ => "no samples".to_owned(),
        }
    }
}

/// Forecasts of yes/no events against what happened: the Brier score
/// (mean squared error of the probability) and the mean of each side.
#[derive(Debug, Clone, Copy, Default)]
pub struct Brier {
    /// Sum of squared errors, of forecasts and of outcomes, and the count.
    pub sq: f64,
    pub p: f64,
    pub y: f64,
    pub n: u64,
}

impl Brier {
    pub fn add(&mut self, p: f64, happened: bool) {
        let y = f64::from(u8::from(happened));
        self.sq += (p - y).powi(2);
        self.p += p;
        self.y += y;
        self.n += 1;
    }

    pub fn merge(&mut self, o: Brier) {
        self.sq += o.sq;
        self.p += o.p;
        self.y += o.y;
        self.n += o.n;
    }

    /// "0.074 (n = 4322; forecast 6.1%, happened 8.8%)".
    pub fn describe(&self) -> String {
        let n = self.n.max(1) as f64;
        format!(
            "{:.3} (n = {}; forecast {:.1}%, happened {:.1}%)",
            self.sq / n,
            self.n,
            100.0 * self.p / n,
            100.0 * self.y / n
        )
    }
}

/// Hits out of trials.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ratio {
    pub hits: u64,
    pub total: u64,
}

impl Ratio {
    pub fn add(&mut self, hit: bool) {
        self.total += 1;
        self.hits += u64::from(hit);
    }

    pub fn merge(&mut self, o: Ratio) {
        self.hits += o.hits;
        self.total += o.total;
    }

    pub fn pct(&self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            100.0 * self.hits as f64 / self.total as f64
        }
    }

    pub fn describe(&self) -> String {
        format!("{:.2}% ({}/{})", self.pct(), self.hits, self.total)
    }
}
