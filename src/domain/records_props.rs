//! No-panic properties of the raw-record decoder (`records::decode_raw`):
//! arbitrary bytes, arbitrary JSON values, and valid records with one field
//! replaced by an arbitrary JSON value. Whatever comes off the broker, the
//! decoder answers `Ok` or a `DecodeError` with a reason, and what it
//! accepts is within the bounds timing relies on.

use proptest::prelude::*;
use serde_json::{json, Value};

use super::records::{decode_raw, RawRecord};

/// Any JSON value, nested a few levels, with numbers at the edges.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        Just(json!(1e308)),
        Just(json!(-0.0)),
        proptest::collection::vec(any::<char>(), 0..12)
            .prop_map(|c| Value::String(c.into_iter().collect())),
        prop_oneof![
            Just("frame"),
            Just("race_started"),
            Just("race_control"),
            Just("race_finished"),
            Just("soft"),
            Just("on_track"),
        ]
        .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((key(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Field names of the raw records, and some that are not.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "type",
            "v",
            "race_id",
            "tick",
            "ts_ms",
            "sent_at_us",
            "chunk",
            "chunks",
            "samples",
            "car_id",
            "seq",
            "lap",
            "lap_distance_m",
            "speed_kph",
            "entries",
            "track",
            "length_m",
            "total_laps",
            "kind",
            "reason",
        ])
        .prop_map(String::from),
        proptest::collection::vec(any::<char>(), 0..8).prop_map(|c| c.into_iter().collect()),
    ]
}

fn valid_frame() -> Value {
    let sample = json!({
        "car_id": 1, "seq": 1, "ts_ms": 100, "lap": 1, "lap_distance_m": 12.5,
        "speed_kph": 210.0, "throttle": 1.0, "brake": 0.0, "gear": 7, "rpm": 11000,
        "drs": false, "tyre": {"compound": "medium", "age_laps": 0, "wear": 0.01},
        "fuel_kg": 100.0, "x": 1.0, "y": 2.0, "pit": "on_track"
    });
    json!({"type": "frame", "v": 1, "race_id": "r1", "tick": 1, "ts_ms": 100,
           "sent_at_us": 1, "chunk": 0, "chunks": 1, "samples": [sample]})
}

fn valid_race_started() -> Value {
    json!({"type": "race_started", "v": 1, "race_id": "r1", "name": "GP",
           "track": {"id": "t", "name": "T", "length_m": 5000.0,
                     "sector_starts_m": [1500.0, 3500.0], "centreline": [[0.0, 0.0]]},
           "total_laps": 10, "sample_hz": 10.0, "seed": 1,
           "entries": [{"car_id": 1, "number": 11, "driver": "A", "team": "B"}],
           "ts_ms": 0, "sent_at_us": 1})
}

/// Every path to a leaf or object member of `v`.
fn paths(v: &Value, at: Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let mut p = at.clone();
                p.push(k.clone());
                out.push(p.clone());
                paths(child, p, out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let mut p = at.clone();
                p.push(i.to_string());
                out.push(p.clone());
                paths(child, p, out);
            }
        }
        _ => {}
    }
}

fn replace(v: &mut Value, path: &[String], with: Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut cur = v;
    for p in parents {
        cur = match cur {
            Value::Object(m) => m.get_mut(p).expect("path exists"),
            Value::Array(a) => &mut a[p.parse::<usize>().expect("index")],
            _ => return,
        };
    }
    match cur {
        Value::Object(m) => {
            m.insert(last.clone(), with);
        }
        Value::Array(a) => a[last.parse::<usize>().expect("index")] = with,
        _ => {}
    }
}

/// What timing relies on in an accepted record.
fn check_accepted(record: &RawRecord) -> Result<(), TestCaseError> {
    match record {
        RawRecord::Frame(f) => {
            prop_assert!(f.chunk < f.chunks);
            for s in &f.samples {
                prop_assert!(s.lap >= 1);
                for v in [s.lap_distance_m, s.speed_kph, s.fuel_kg, s.x, s.y] {
                    prop_assert!(v.is_finite(), "{:?}", s);
                }
                prop_assert!(s.lap_distance_m >= 0.0 && s.speed_kph >= 0.0, "{:?}", s);
            }
        }
        RawRecord::RaceStarted(r) => {
            prop_assert!(r.track.length_m.is_finite() && r.track.length_m > 100.0);
            prop_assert!(r.total_laps >= 1 && !r.entries.is_empty());
            prop_assert!(r.track.pit_loss_ms.is_finite());
        }
        RawRecord::RaceControl(_) | RawRecord::RaceFinished(_) => {}
    }
    // What was accepted is accepted again once re-encoded (as storage and
    // the DLQ tooling re-encode it).
    let again = serde_json::to_vec(record).expect("encodes");
    let decoded = decode_raw(&again);
    prop_assert!(decoded.is_ok(), "{:?}", decoded);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_decode_or_fail_with_a_reason(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        match decode_raw(&bytes) {
            Ok(record) => check_accepted(&record)?,
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn arbitrary_json_decodes_or_fails_with_a_reason(value in json_value()) {
        let bytes = serde_json::to_vec(&value).expect("encodes");
        match decode_raw(&bytes) {
            Ok(record) => check_accepted(&record)?,
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    /// A valid record with one member replaced: the deep fields, not just
    /// the envelope, are attacked.
    #[test]
    fn a_valid_record_with_one_field_replaced(
        which in any::<bool>(),
        at in any::<prop::sample::Index>(),
        with in json_value(),
    ) {
        let mut record = if which { valid_frame() } else { valid_race_started() };
        let mut all = Vec::new();
        paths(&record, Vec::new(), &mut all);
        let path = all[at.index(all.len())].clone();
        replace(&mut record, &path, with);
        let bytes = serde_json::to_vec(&record).expect("encodes");
        match decode_raw(&bytes) {
            Ok(record) => check_accepted(&record)?,
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}

#[test]
fn the_unmutated_records_are_valid() {
    for v in [valid_frame(), valid_race_started()] {
        decode_raw(&serde_json::to_vec(&v).unwrap()).expect("valid");
    }
}
