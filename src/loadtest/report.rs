//! The load test's final report: plain data (serialised as JSON with
//! `--json`) and its text rendering. Latencies are in milliseconds; rates
//! are per second of generation (from the races' start to their stop);
//! costs also cover the wait for the last acknowledgements. Pure: built by
//! the orchestrator, printed by the binary.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use super::histogram::Summary;
use super::seqcheck::SeqSummary;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub config: RunConfig,
    pub samples: Samples,
    pub processed: Processed,
    pub latency_ms: Latencies,
    pub check: Check,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub websocket: Option<WebSocket>,
    pub cost: Cost,
    /// What went wrong or could not be measured, in words.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunConfig {
    pub races: u32,
    pub cars: u32,
    pub hz: f64,
    pub time_scale: f64,
    pub duration_s: f64,
    pub ws_clients: u32,
    pub server: String,
    pub brokers: String,
    pub raw_topic: String,
    pub processed_topic: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Samples {
    /// races × cars × hz × time scale (0 when the time scale is 0: as fast
    /// as the broker takes).
    pub target_per_s: f64,
    pub produced_per_s: f64,
    /// Samples the broker acknowledged.
    pub delivered: u64,
    pub records_failed: u64,
    /// Records still unacknowledged when the generator stopped waiting.
    pub unacknowledged: i32,
    /// From the start of the races to their stop.
    pub generation_s: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Processed {
    pub events: u64,
    pub events_per_s: f64,
    pub by_type: BTreeMap<String, u64>,
    pub mb_per_s: f64,
    /// Races whose finished `race_status` arrived.
    pub races_finished: usize,
    /// Seconds from the start of the races to the first processed event.
    pub first_event_after_s: Option<f64>,
}

/// One latency path, milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Latency {
    pub count: u64,
    pub mean: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

impl From<Summary> for Latency {
    fn from(s: Summary) -> Latency {
        let ms = |us: u64| us as f64 / 1000.0;
        Latency {
            count: s.count,
            mean: ms(s.mean),
            p50: ms(s.p50),
            p95: ms(s.p95),
            p99: ms(s.p99),
            max: ms(s.max),
        }
    }
}

/// Latency of frames sent after the warm-up; `warmup` holds the rest.
#[derive(Debug, Clone, Serialize)]
pub struct Latencies {
    pub warmup_s: f64,
    pub warmup: WarmupLatencies,
    /// `sent_at_us` → the raw frame read back from `telemetry_raw`.
    pub raw: Option<Latency>,
    /// `sent_at_us` → the processed event read from `telemetry_processed`.
    pub processed: Option<Latency>,
    /// `sent_at_us` → the event received over WebSocket.
    pub websocket: Option<Latency>,
}

/// The same paths for frames sent during the warm-up.
#[derive(Debug, Clone, Serialize)]
pub struct WarmupLatencies {
    pub raw: Option<Latency>,
    pub processed: Option<Latency>,
    pub websocket: Option<Latency>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    #[serde(flatten)]
    pub seqs: SeqSummary,
    /// Races whose `race_finished` was read back (so nothing before it is
    /// still to come).
    pub races_finished: usize,
    pub undecodable: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct WebSocket {
    pub clients: u32,
    pub connected: u64,
    pub failed: u64,
    pub closed_by_server: u64,
    pub snapshots: u64,
    /// From the first connect until every client held its snapshot (the
    /// races start then); none if that took longer than the load test
    /// waits.
    pub subscribed_after_s: Option<f64>,
    pub events: u64,
    pub events_per_s: f64,
    pub errors: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Cost {
    /// From the races' start until every record was acknowledged.
    pub wall_s: f64,
    /// The whole load-test process: simulators, producer, readers, clients.
    pub process_cpu_s: Option<f64>,
    /// The simulators' thread: stepping the races, serialising frames,
    /// handing them to the producer.
    pub simulator_cpu_s: Option<f64>,
    /// librdkafka's own threads (producer and the two readers).
    pub librdkafka_cpu_s: Option<f64>,
    /// The two reader threads (decoding and checking what they read).
    pub readers_cpu_s: Option<f64>,
    /// Simulator thread CPU per delivered sample.
    pub simulator_us_per_sample: Option<f64>,
    pub rss_mb: Option<f64>,
    pub peak_rss_mb: Option<f64>,
}

fn pct(cpu: Option<f64>, wall: f64) -> String {
    match cpu {
        Some(c) if wall > 0.0 => format!("{c:.2} s ({:.0}% of one core)", 100.0 * c / wall),
        Some(c) => format!("{c:.2} s"),
        None => "not measured".into(),
    }
}

fn mb(v: Option<f64>) -> String {
    v.map(|m| format!("{m:.0} MB"))
        .unwrap_or_else(|| "not measured".into())
}

fn latency_line(out: &mut String, name: &str, l: &Option<Latency>) {
    let _ = match l {
        Some(l) => writeln!(
            out,
            "  {name:<28} p50 {:>8.1}  p95 {:>8.1}  p99 {:>8.1}  max {:>8.1}  (n={})",
            l.p50, l.p95, l.p99, l.max, l.count
        ),
        None => writeln!(out, "  {name:<28} no events"),
    };
}

impl Report {
    pub fn render_text(&self) -> String {
        let mut o = String::new();
        let c = &self.config;
        let s = &self.samples;
        let _ = writeln!(
            o,
            "Pitwall load test: {} race(s) x {} cars at {} Hz (time scale {}) for {:.0} s, {} WebSocket client(s)",
            c.races, c.cars, c.hz, c.time_scale, c.duration_s, c.ws_clients
        );
        let _ = writeln!(
            o,
            "  broker {}  topics {} -> {}",
            c.brokers, c.raw_topic, c.processed_topic
        );
        let _ = writeln!(o, "\nThroughput");
        let target = if s.target_per_s > 0.0 {
            format!(
                " (target {:.0}, {:.1}%)",
                s.target_per_s,
                100.0 * s.produced_per_s / s.target_per_s
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            o,
            "  samples produced            {:>10.0} /s{target}  [{} acknowledged in {:.1} s]",
            s.produced_per_s, s.delivered, s.generation_s
        );
        let p = &self.processed;
        let types: Vec<String> = p.by_type.iter().map(|(k, v)| format!("{k} {v}")).collect();
        let _ = writeln!(
            o,
            "  processed events            {:>10.1} /s  ({:.2} MB/s; {})",
            p.events_per_s,
            p.mb_per_s,
            if types.is_empty() {
                "none".into()
            } else {
                types.join(", ")
            }
        );
        if let Some(ws) = &self.websocket {
            let _ = writeln!(
                o,
                "  WebSocket events            {:>10.1} /s  ({} of {} clients connected, {} failed, {} closed by the server)",
                ws.events_per_s, ws.connected, ws.clients, ws.failed, ws.closed_by_server
            );
            if let Some(after) = ws.subscribed_after_s {
                let _ = writeln!(
                    o,
                    "  WebSocket subscribed        {after:>10.1} s   (every client's snapshot, from the first connect)"
                );
            }
        }
        let l = &self.latency_ms;
        let _ = writeln!(
            o,
            "\nLatency from sent_at_us, ms (frames sent after the first {:.0} s)",
            l.warmup_s
        );
        latency_line(&mut o, "raw frame read back", &l.raw);
        latency_line(&mut o, "processed event", &l.processed);
        if self.websocket.is_some() {
            latency_line(&mut o, "WebSocket event", &l.websocket);
        }
        let _ = writeln!(o, "  during the warm-up:");
        latency_line(&mut o, "  raw frame read back", &l.warmup.raw);
        latency_line(&mut o, "  processed event", &l.warmup.processed);
        if self.websocket.is_some() {
            latency_line(&mut o, "  WebSocket event", &l.warmup.websocket);
        }
        let k = &self.check;
        let _ = writeln!(
            o,
            "\nDelivery check (independent read-back of {})",
            c.raw_topic
        );
        let _ = writeln!(
            o,
            "  acknowledged {}  read {}  lost {}  duplicated {}  unexpected {}  (race_finished read for {}/{} races)",
            k.seqs.delivered, k.seqs.read, k.seqs.lost, k.seqs.duplicated, k.seqs.unexpected,
            k.races_finished, c.races
        );
        if s.records_failed > 0 || s.unacknowledged > 0 {
            let _ = writeln!(
                o,
                "  records failed {}  unacknowledged {}",
                s.records_failed, s.unacknowledged
            );
        }
        let g = &self.cost;
        let _ = writeln!(o, "\nGenerator cost over {:.1} s", g.wall_s);
        let _ = writeln!(
            o,
            "  process CPU                 {}",
            pct(g.process_cpu_s, g.wall_s)
        );
        let _ = writeln!(
            o,
            "  simulator thread            {}{}",
            pct(g.simulator_cpu_s, g.wall_s),
            g.simulator_us_per_sample
                .map(|u| format!(", {u:.2} us/sample"))
                .unwrap_or_default()
        );
        let _ = writeln!(
            o,
            "  librdkafka threads          {}",
            pct(g.librdkafka_cpu_s, g.wall_s)
        );
        let _ = writeln!(
            o,
            "  reader threads              {}",
            pct(g.readers_cpu_s, g.wall_s)
        );
        let _ = writeln!(
            o,
            "  memory                      RSS {}, peak {}",
            mb(g.rss_mb),
            mb(g.peak_rss_mb)
        );
        if !self.warnings.is_empty() {
            let _ = writeln!(o, "\nWarnings");
            for w in &self.warnings {
                let _ = writeln!(o, "  - {w}");
            }
        }
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        Report {
            config: RunConfig {
                races: 1,
                cars: 20,
                hz: 50.0,
                time_scale: 1.0,
                duration_s: 20.0,
                ws_clients: 2,
                server: "http://127.0.0.1:8080".into(),
                brokers: "127.0.0.1:9092".into(),
                raw_topic: "raw".into(),
                processed_topic: "processed".into(),
            },
            samples: Samples {
                target_per_s: 1000.0,
                produced_per_s: 998.0,
                delivered: 19_960,
                records_failed: 0,
                unacknowledged: 0,
                generation_s: 20.0,
            },
            processed: Processed {
                events: 100,
                events_per_s: 5.0,
                by_type: [("leaderboard".to_string(), 100)].into_iter().collect(),
                mb_per_s: 0.1,
                races_finished: 1,
                first_event_after_s: Some(0.5),
            },
            latency_ms: Latencies {
                warmup_s: 2.0,
                warmup: WarmupLatencies {
                    raw: None,
                    processed: None,
                    websocket: None,
                },
                raw: Some(Latency {
                    count: 1000,
                    mean: 4.0,
                    p50: 3.5,
                    p95: 7.0,
                    p99: 9.0,
                    max: 12.0,
                }),
                processed: None,
                websocket: None,
            },
            check: Check {
                seqs: SeqSummary {
                    delivered: 19_960,
                    read: 19_960,
                    ..Default::default()
                },
                races_finished: 1,
                undecodable: 0,
            },
            websocket: None,
            cost: Cost {
                wall_s: 20.0,
                process_cpu_s: Some(2.0),
                simulator_cpu_s: Some(1.0),
                librdkafka_cpu_s: None,
                readers_cpu_s: None,
                simulator_us_per_sample: Some(50.0),
                rss_mb: Some(40.0),
                peak_rss_mb: Some(42.0),
            },
            warnings: vec!["no processed events".into()],
        }
    }

    #[test]
    fn text_names_every_section_and_missing_paths() {
        let text = report().render_text();
        for needle in [
            "1 race(s) x 20 cars at 50 Hz",
            "998 /s (target 1000, 99.8%)",
            "leaderboard 100",
            "processed event              no events",
            "lost 0  duplicated 0",
            "process CPU                 2.00 s (10% of one core)",
            "50.00 us/sample",
            "librdkafka threads          not measured",
            "- no processed events",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in\n{text}");
        }
        assert!(!text.contains("WebSocket event"));
    }

    #[test]
    fn json_flattens_the_check_and_skips_absent_websocket() {
        let json = serde_json::to_value(report()).unwrap();
        assert_eq!(json["check"]["lost"], 0);
        assert_eq!(json["check"]["delivered"], 19_960);
        assert_eq!(json["latency_ms"]["raw"]["p99"], 9.0);
        assert!(json["latency_ms"]["processed"].is_null());
        assert!(json.get("websocket").is_none());
    }
}
