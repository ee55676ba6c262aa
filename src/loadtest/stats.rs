//! What the load test's readers have seen, shared between their threads and
//! the orchestrator: per path (raw read-back, processed events, WebSocket)
//! a latency histogram and counts, and the raw path's per-car seq marks.
//! Each reader locks its own path once per record; the orchestrator reads a
//! snapshot once a second.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::Deserialize;

use super::histogram::Histogram;
use super::seqcheck::RaceSeqs;

/// The head of any record or event: enough to route it and time it. Fields
/// not named here are skipped without being decoded.
#[derive(Debug, Deserialize)]
pub struct Head {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub race_id: String,
    #[serde(default)]
    pub sent_at_us: u64,
    /// `race_status` events: `running` or `finished`.
    #[serde(default)]
    pub status: Option<String>,
    /// Raw frames: each sample reduced to what the delivery check needs.
    #[serde(default)]
    pub samples: Vec<CarSeq>,
}

#[derive(Debug, Deserialize)]
pub struct CarSeq {
    pub car_id: u32,
    pub seq: u64,
}

/// One latency path.
#[derive(Debug, Default)]
pub struct PathStats {
    /// Events whose frame was sent after the warm-up.
    pub latency_us: Histogram,
    /// Events whose frame was sent during the warm-up (connections being
    /// made, the pipeline meeting the races): kept apart from the rest.
    pub warmup_us: Histogram,
    /// Events (or records) of our races, by `type`.
    pub by_type: BTreeMap<String, u64>,
    pub events: u64,
    /// Races whose end this path has seen (`race_finished` on raw, a
    /// finished `race_status` on processed).
    pub finished: Vec<bool>,
    pub bytes: u64,
    /// Messages that could not be read as JSON.
    pub undecodable: u64,
}

impl PathStats {
    fn new(races: usize) -> PathStats {
        PathStats {
            finished: vec![false; races],
            ..Default::default()
        }
    }

    pub fn all_finished(&self) -> bool {
        self.finished.iter().all(|f| *f)
    }

    /// Counts an event of race `race` received at `now_us`; frames sent
    /// before `warmup_end_us` are timed apart.
    pub fn record(
        &mut self,
        race: usize,
        head: &Head,
        now_us: u64,
        bytes: usize,
        warmup_end_us: u64,
    ) {
        self.events += 1;
        self.bytes += bytes as u64;
        *self.by_type.entry(head.kind.clone()).or_default() += 1;
        if head.sent_at_us > 0 {
            let latency = now_us.saturating_sub(head.sent_at_us);
            if head.sent_at_us < warmup_end_us {
                self.warmup_us.record(latency);
            } else {
                self.latency_us.record(latency);
            }
        }
        let ended = match head.kind.as_str() {
            "race_finished" => true,
            "race_status" => head.status.as_deref() == Some("finished"),
            _ => false,
        };
        if ended {
            if let Some(f) = self.finished.get_mut(race) {
                *f = true;
            }
        }
    }
}

/// The raw read-back: a path plus the seq marks.
#[derive(Debug)]
pub struct RawStats {
    pub path: PathStats,
    pub seqs: Vec<RaceSeqs>,
    pub samples: u64,
}

/// WebSocket clients: a path plus connection counts.
#[derive(Debug, Default)]
pub struct WsStats {
    pub path: PathStats,
    pub connected: u64,
    pub failed: u64,
    pub closed_by_server: u64,
    pub snapshots: u64,
    /// Connected clients whose subscribe got an error or no answer before
    /// the connection ended: they will not have a snapshot.
    pub unanswered: u64,
    pub errors: Vec<String>,
}

pub struct Shared {
    /// Race id → its index in the run.
    pub races: HashMap<String, usize>,
    /// Wall clock (µs) at which the warm-up ends; never until the races
    /// start.
    warmup_end_us: AtomicU64,
    raw: Mutex<RawStats>,
    processed: Mutex<PathStats>,
    ws: Mutex<WsStats>,
}

/// A poisoned lock only means another reader panicked mid-update; the counts
/// are still the best there are.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub fn new(race_ids: &[String], cars: u32) -> Arc<Shared> {
        let n = race_ids.len();
        Arc::new(Shared {
            races: race_ids
                .iter()
                .enumerate()
                .map(|(i, id)| (id.clone(), i))
                .collect(),
            warmup_end_us: AtomicU64::new(u64::MAX),
            raw: Mutex::new(RawStats {
                path: PathStats::new(n),
                seqs: (0..n).map(|_| RaceSeqs::new(cars)).collect(),
                samples: 0,
            }),
            processed: Mutex::new(PathStats::new(n)),
            ws: Mutex::new(WsStats {
                path: PathStats::new(n),
                ..Default::default()
            }),
        })
    }

    pub fn set_warmup_end_us(&self, us: u64) {
        self.warmup_end_us.store(us, Ordering::Relaxed);
    }

    pub fn warmup_end_us(&self) -> u64 {
        self.warmup_end_us.load(Ordering::Relaxed)
    }

    pub fn raw(&self) -> MutexGuard<'_, RawStats> {
        lock(&self.raw)
    }

    pub fn processed(&self) -> MutexGuard<'_, PathStats> {
        lock(&self.processed)
    }

    pub fn ws(&self) -> MutexGuard<'_, WsStats> {
        lock(&self.ws)
    }
}
