//! The records that travel on `telemetry_raw`: their JSON shape (the contract
//! with any external producer, see docs/records.md) and their validation.
//!
//! Every record carries `"v": 1` and a `"type"`. A frame holds the samples of
//! every car of one race at one tick, because the broker's cost is per record,
//! not per byte (DESIGN.md, "Tansu as measured here").

use serde::{Deserialize, Serialize};

/// The schema version this build writes and accepts.
pub const SCHEMA_VERSION: u32 = 1;

/// One record of `telemetry_raw`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RawRecord {
    RaceStarted(RaceStarted),
    Frame(Frame),
    RaceControl(RaceControl),
    RaceFinished(RaceFinished),
}

impl RawRecord {
    pub fn race_id(&self) -> &str {
        match self {
            RawRecord::RaceStarted(r) => &r.race_id,
            RawRecord::Frame(r) => &r.race_id,
            RawRecord::RaceControl(r) => &r.race_id,
            RawRecord::RaceFinished(r) => &r.race_id,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            RawRecord::RaceStarted(_) => "race_started",
            RawRecord::Frame(_) => "frame",
            RawRecord::RaceControl(_) => "race_control",
            RawRecord::RaceFinished(_) => "race_finished",
        }
    }
}

/// Announces a race: everything a consumer that starts late needs to rebuild it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RaceStarted {
    pub v: u32,
    pub race_id: String,
    pub name: String,
    pub track: TrackInfo,
    pub total_laps: u32,
    pub sample_hz: f64,
    pub seed: u64,
    pub entries: Vec<Entry>,
    pub ts_ms: u64,
    pub sent_at_us: u64,
}

/// The track as processing and the dashboard need it: length, sector
/// boundaries and the centre line for the map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackInfo {
    pub id: String,
    pub name: String,
    pub length_m: f64,
    /// Distances from the start/finish line where sectors 2 and 3 begin.
    pub sector_starts_m: [f64; 2],
    /// Closed centre line, metres, sampled along the lap from the line.
    pub centreline: Vec<[f64; 2]>,
    /// Time a stop costs against staying out at race pace (pit lane at its
    /// speed limit plus a typical stationary time): a property of the
    /// track, which strategy needs before any stop has been seen.
    #[serde(default = "default_pit_loss_ms")]
    pub pit_loss_ms: f64,
}

fn default_pit_loss_ms() -> f64 {
    22_000.0
}

/// One car of the entry list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub car_id: u32,
    pub number: u32,
    pub driver: String,
    pub team: String,
}

/// The samples of one race at one tick (or one chunk of them for a large field).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Frame {
    pub v: u32,
    pub race_id: String,
    pub tick: u64,
    /// Race clock of this tick.
    pub ts_ms: u64,
    /// Wall clock at publish, microseconds since the Unix epoch.
    pub sent_at_us: u64,
    /// Index of this chunk and how many chunks the tick has.
    pub chunk: u32,
    pub chunks: u32,
    pub samples: Vec<Sample>,
}

/// One car at one instant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sample {
    pub car_id: u32,
    /// Per car, strictly increasing.
    pub seq: u64,
    pub ts_ms: u64,
    /// The lap the car is on, from 1; the start/finish line ends a lap.
    pub lap: u32,
    /// Distance from the start/finish line along the lap.
    pub lap_distance_m: f64,
    pub speed_kph: f64,
    /// 0..=1
    pub throttle: f64,
    /// 0..=1
    pub brake: f64,
    /// -1 reverse, 0 neutral, 1..=8
    pub gear: i8,
    pub rpm: u32,
    pub drs: bool,
    pub tyre: Tyre,
    pub fuel_kg: f64,
    pub x: f64,
    pub y: f64,
    pub pit: PitState,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tyre {
    pub compound: Compound,
    pub age_laps: u32,
    /// 0 new ..= 1 worn out
    pub wear: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Compound {
    Soft,
    Medium,
    Hard,
}

impl Compound {
    pub fn as_str(self) -> &'static str {
        match self {
            Compound::Soft => "soft",
            Compound::Medium => "medium",
            Compound::Hard => "hard",
        }
    }
}

/// Where the car is with respect to the pit lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PitState {
    OnTrack,
    PitLane,
    PitBox,
    Retired,
}

impl PitState {
    pub fn as_str(self) -> &'static str {
        match self {
            PitState::OnTrack => "on_track",
            PitState::PitLane => "pit_lane",
            PitState::PitBox => "pit_box",
            PitState::Retired => "retired",
        }
    }
}

/// A race control announcement: flags, safety car, retirements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RaceControl {
    pub v: u32,
    pub race_id: String,
    pub ts_ms: u64,
    pub sent_at_us: u64,
    pub kind: RaceControlKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub car_id: Option<u32>,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RaceControlKind {
    GreenFlag,
    YellowFlag,
    SafetyCar,
    SafetyCarIn,
    VirtualSafetyCar,
    VirtualSafetyCarEnd,
    Retirement,
    ChequeredFlag,
}

/// The end of a race. It carries no classification: the simulator's truth
/// never travels on `telemetry_raw`, processing works the order out itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RaceFinished {
    pub v: u32,
    pub race_id: String,
    pub ts_ms: u64,
    pub sent_at_us: u64,
    /// `completed` when the chequered flag fell, `stopped` when cancelled.
    pub reason: String,
}

/// Why a record was refused; the text goes into the DLQ's `reason` header.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("malformed JSON or wrong shape: {0}")]
    Json(#[from] serde_json::Error),
    #[error("unsupported schema version {0} (this build reads {SCHEMA_VERSION})")]
    Version(u32),
    #[error("invalid record: {0}")]
    Invalid(String),
}

/// Decodes and validates one raw record.
pub fn decode_raw(bytes: &[u8]) -> Result<RawRecord, DecodeError> {
    let record = match frame_fast(bytes) {
        Some(frame) => RawRecord::Frame(frame),
        None => serde_json::from_slice(bytes)?,
    };
    validate(&record)?;
    Ok(record)
}

/// Frames are nearly every record and the largest, and serde reads an
/// internally tagged enum by first copying the whole document into a tree
/// of its own (to find the tag wherever it is), then reading the variant
/// from that: processing and storage each paid that on every sample. A
/// frame as our producers write it starts with its tag, so it is read
/// straight into its fields instead. Anything else, including a frame this
/// fails to read, takes the general path, which also words the error.
fn frame_fast(bytes: &[u8]) -> Option<Frame> {
    if !bytes.starts_with(br#"{"type":"frame","#) {
        return None;
    }
    serde_json::from_slice::<TaggedFrame>(bytes)
        .ok()
        .map(Frame::from)
}

/// `Frame` with its tag as a field: the same fields and the same refusal of
/// unknown ones, so both paths accept exactly the same frames.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaggedFrame {
    #[serde(rename = "type")]
    _kind: FrameTag,
    v: u32,
    race_id: String,
    tick: u64,
    ts_ms: u64,
    sent_at_us: u64,
    chunk: u32,
    chunks: u32,
    samples: Vec<Sample>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum FrameTag {
    Frame,
}

impl From<TaggedFrame> for Frame {
    fn from(t: TaggedFrame) -> Frame {
        Frame {
            v: t.v,
            race_id: t.race_id,
            tick: t.tick,
            ts_ms: t.ts_ms,
            sent_at_us: t.sent_at_us,
            chunk: t.chunk,
            chunks: t.chunks,
            samples: t.samples,
        }
    }
}

fn invalid(msg: impl Into<String>) -> DecodeError {
    DecodeError::Invalid(msg.into())
}

fn validate(record: &RawRecord) -> Result<(), DecodeError> {
    let v = match record {
        RawRecord::RaceStarted(r) => r.v,
        RawRecord::Frame(r) => r.v,
        RawRecord::RaceControl(r) => r.v,
        RawRecord::RaceFinished(r) => r.v,
    };
    if v != SCHEMA_VERSION {
        return Err(DecodeError::Version(v));
    }
    let race_id = record.race_id();
    if race_id.is_empty() || race_id.len() > 64 {
        return Err(invalid("race_id must be 1 to 64 characters"));
    }
    match record {
        RawRecord::RaceStarted(r) => validate_race_started(r),
        RawRecord::Frame(f) => validate_frame(f),
        RawRecord::RaceControl(_) | RawRecord::RaceFinished(_) => Ok(()),
    }
}

/// Longest lap accepted, metres: the longest circuits raced are ~25 km.
/// Samples' `lap_distance_m` has the same bound.
const MAX_LAP_M: f64 = 100_000.0;
/// Longest race accepted, metres (a 24-hour race is ~5,500 km). Timing
/// sizes its first-arrival line by the race distance (6 bytes per 10 m),
/// so this bounds what one record can make processing allocate.
const MAX_RACE_M: f64 = 10_000_000.0;

fn validate_race_started(r: &RaceStarted) -> Result<(), DecodeError> {
    let length_m = r.track.length_m;
    if !(length_m.is_finite() && length_m > 100.0 && length_m <= MAX_LAP_M) {
        return Err(invalid(format!(
            "track.length_m must be a finite number above 100 and at most {MAX_LAP_M}"
        )));
    }
    if !(r.track.pit_loss_ms.is_finite() && r.track.pit_loss_ms >= 0.0) {
        return Err(invalid(
            "track.pit_loss_ms must be a finite number, 0 or more",
        ));
    }
    let [s2, s3] = r.track.sector_starts_m;
    if !(0.0 < s2 && s2 < s3 && s3 < r.track.length_m) {
        return Err(invalid(
            "track.sector_starts_m must rise strictly inside the lap",
        ));
    }
    if r.total_laps == 0 || f64::from(r.total_laps) * length_m > MAX_RACE_M {
        return Err(invalid(format!(
            "total_laps must be at least 1 and the race at most {MAX_RACE_M} m long"
        )));
    }
    if !(r.sample_hz.is_finite() && r.sample_hz > 0.0) {
        return Err(invalid("sample_hz must be positive"));
    }
    if r.entries.is_empty() {
        return Err(invalid("entries must not be empty"));
    }
    let mut ids: Vec<u32> = r.entries.iter().map(|e| e.car_id).collect();
    ids.sort_unstable();
    if ids.windows(2).any(|w| w[0] == w[1]) {
        return Err(invalid("entries repeat a car_id"));
    }
    Ok(())
}

fn validate_frame(f: &Frame) -> Result<(), DecodeError> {
    if f.chunks == 0 || f.chunk >= f.chunks {
        return Err(invalid(format!(
            "chunk {} out of range for {} chunks",
            f.chunk, f.chunks
        )));
    }
    for s in &f.samples {
        validate_sample(s).map_err(|e| invalid(format!("car {}: {e}", s.car_id)))?;
    }
    Ok(())
}

fn validate_sample(s: &Sample) -> Result<(), String> {
    let finite = [
        ("lap_distance_m", s.lap_distance_m),
        ("speed_kph", s.speed_kph),
        ("fuel_kg", s.fuel_kg),
        ("x", s.x),
        ("y", s.y),
        ("tyre.wear", s.tyre.wear),
    ];
    if let Some((name, _)) = finite.iter().find(|(_, v)| !v.is_finite()) {
        return Err(format!("{name} is not a finite number"));
    }
    let ranges = [
        ("lap_distance_m", s.lap_distance_m, 0.0, MAX_LAP_M),
        ("speed_kph", s.speed_kph, 0.0, 500.0),
        ("throttle", s.throttle, 0.0, 1.0),
        ("brake", s.brake, 0.0, 1.0),
        ("tyre.wear", s.tyre.wear, 0.0, 1.0),
        ("fuel_kg", s.fuel_kg, 0.0, 200.0),
    ];
    for (name, value, lo, hi) in ranges {
        if !(lo..=hi).contains(&value) {
            return Err(format!("{name} {value} outside {lo}..={hi}"));
        }
    }
    if !(-1..=8).contains(&s.gear) {
        return Err(format!("gear {} outside -1..=8", s.gear));
    }
    if s.lap == 0 {
        return Err("lap must start at 1".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(car_id: u32, seq: u64) -> Sample {
        Sample {
            car_id,
            seq,
            ts_ms: 100,
            lap: 1,
            lap_distance_m: 12.5,
            speed_kph: 210.0,
            throttle: 1.0,
            brake: 0.0,
            gear: 7,
            rpm: 11_000,
            drs: false,
            tyre: Tyre {
                compound: Compound::Medium,
                age_laps: 0,
                wear: 0.01,
            },
            fuel_kg: 100.0,
            x: 1.0,
            y: 2.0,
            pit: PitState::OnTrack,
        }
    }

    fn frame() -> RawRecord {
        RawRecord::Frame(Frame {
            v: SCHEMA_VERSION,
            race_id: "r1".into(),
            tick: 1,
            ts_ms: 100,
            sent_at_us: 1,
            chunk: 0,
            chunks: 1,
            samples: vec![sample(1, 1), sample(2, 1)],
        })
    }

    #[test]
    fn frame_round_trips_with_type_and_version() {
        let json = serde_json::to_string(&frame()).unwrap();
        assert!(json.starts_with(r#"{"type":"frame","v":1,"#), "{json}");
        assert_eq!(decode_raw(json.as_bytes()).unwrap(), frame());
    }

    #[test]
    fn a_frame_reads_the_same_by_either_path() {
        let json = serde_json::to_string(&frame()).unwrap();
        assert_eq!(
            frame_fast(json.as_bytes()).map(RawRecord::Frame),
            Some(frame())
        );
        // The general path: the tag elsewhere than first.
        let fields = json.strip_prefix(r#"{"type":"frame","#).unwrap();
        let moved = format!(r#"{{{},"type":"frame"}}"#, &fields[..fields.len() - 1]);
        assert_eq!(frame_fast(moved.as_bytes()), None);
        assert_eq!(decode_raw(moved.as_bytes()).unwrap(), frame());
        // An unknown field is refused by both.
        let extra = json.replacen(r#""v":1,"#, r#""v":1,"extra":0,"#, 1);
        assert_eq!(frame_fast(extra.as_bytes()), None);
        let err = decode_raw(extra.as_bytes()).unwrap_err().to_string();
        assert!(err.contains("unknown field"), "{err}");
    }

    #[test]
    fn malformed_json_is_rejected_with_a_reason() {
        let err = decode_raw(b"{not json").unwrap_err();
        assert!(matches!(err, DecodeError::Json(_)));
        assert!(err.to_string().contains("malformed JSON"));
    }

    #[test]
    fn wrong_shape_and_unknown_type_are_rejected() {
        let err = decode_raw(br#"{"type":"frame","v":1,"race_id":"r1"}"#).unwrap_err();
        assert!(err.to_string().contains("missing field"), "{err}");
        let err = decode_raw(br#"{"type":"lap","v":1}"#).unwrap_err();
        assert!(err.to_string().contains("unknown variant"), "{err}");
    }

    #[test]
    fn out_of_range_values_are_rejected_naming_the_field() {
        let mut bad = frame();
        if let RawRecord::Frame(f) = &mut bad {
            f.samples[1].throttle = 1.5;
        }
        let json = serde_json::to_string(&bad).unwrap();
        let err = decode_raw(json.as_bytes()).unwrap_err().to_string();
        assert!(err.contains("car 2") && err.contains("throttle"), "{err}");
    }

    #[test]
    fn other_versions_are_refused() {
        let json = serde_json::to_string(&frame())
            .unwrap()
            .replace(r#""v":1"#, r#""v":2"#);
        assert!(matches!(
            decode_raw(json.as_bytes()),
            Err(DecodeError::Version(2))
        ));
    }
}
