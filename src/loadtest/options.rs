//! The load test's options as the command line gives them, their limits,
//! and the duration syntax (`30s`, `2m`, `1m30s`, `500ms`, or seconds).

use std::time::Duration;

use super::LoadtestError;
use crate::domain::commands::RaceParams;

const MAX_RACES: u32 = 100;
const MAX_WS_CLIENTS: u32 = 10_000;
const MAX_DURATION: Duration = Duration::from_secs(3600);

/// What to run, from the command line.
#[derive(Debug, Clone)]
pub struct Options {
    pub races: u32,
    pub cars: u32,
    pub hz: f64,
    pub duration: Duration,
    pub ws_clients: u32,
    pub time_scale: f64,
    pub server: String,
    /// Start the independent read-back of `telemetry_raw` once the races
    /// have stopped instead of alongside them.
    pub read_back_after: bool,
}

impl Options {
    pub fn validate(&self, max_cars: u32) -> Result<(), LoadtestError> {
        let bad = |m: String| Err(LoadtestError::Options(m));
        if !(1..=MAX_RACES).contains(&self.races) {
            return bad(format!("--races must be in 1..={MAX_RACES}"));
        }
        if self.ws_clients > MAX_WS_CLIENTS {
            return bad(format!("--ws-clients must be at most {MAX_WS_CLIENTS}"));
        }
        if self.duration.is_zero() || self.duration > MAX_DURATION {
            return bad("--duration must be above 0 and at most 1h".into());
        }
        RaceParams {
            cars: self.cars,
            sample_hz: self.hz,
            time_scale: self.time_scale,
            ..RaceParams::default()
        }
        .validate(max_cars)
        .map_err(|e| {
            let flag = match e.field {
                "sample_hz" => "hz",
                other => other,
            };
            LoadtestError::Options(format!("--{flag}: {}", e.reason))
        })
    }
}

/// Parses `30s`, `2m`, `1m30s`, `500ms`, `1h` or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if let Ok(secs) = text.parse::<f64>() {
        return if secs.is_finite() && secs >= 0.0 {
            Ok(Duration::from_secs_f64(secs))
        } else {
            Err(format!("{text}: not a duration"))
        };
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(|| format!("{text}: a number needs a unit (ms, s, m, h)"))?;
        let value: f64 = rest[..digits]
            .parse()
            .map_err(|_| format!("{text}: not a duration (try 30s or 2m)"))?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            unit => return Err(format!("{text}: unknown unit {unit:?} (ms, s, m, h)")),
        };
        rest = &rest[unit_len..];
        total += Duration::from_secs_f64(value * scale);
    }
    if text.is_empty() {
        return Err("empty duration".into());
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_units_or_bare_seconds() {
        let d = |s| parse_duration(s).unwrap();
        assert_eq!(d("30s"), Duration::from_secs(30));
        assert_eq!(d("2m"), Duration::from_secs(120));
        assert_eq!(d("1m30s"), Duration::from_secs(90));
        assert_eq!(d("500ms"), Duration::from_millis(500));
        assert_eq!(d("1h"), Duration::from_secs(3600));
        assert_eq!(d("45"), Duration::from_secs(45));
        assert_eq!(d("2.5"), Duration::from_millis(2500));
        for bad in ["", "s", "10x", "ten", "-5", "5 s"] {
            assert!(parse_duration(bad).is_err(), "{bad:?} accepted");
        }
    }

    fn options() -> Options {
        Options {
            races: 1,
            cars: 20,
            hz: 10.0,
            duration: Duration::from_secs(20),
            ws_clients: 0,
            time_scale: 1.0,
            server: "http://127.0.0.1:8080".into(),
            read_back_after: false,
        }
    }

    #[test]
    fn options_are_checked_against_the_simulator_limits() {
        assert!(options().validate(5000).is_ok());
        let err = |o: Options| o.validate(5000).unwrap_err().to_string();
        assert!(err(Options {
            cars: 5001,
            ..options()
        })
        .contains("--cars"));
        assert!(err(Options {
            hz: 0.5,
            ..options()
        })
        .contains("--hz"));
        assert!(err(Options {
            races: 0,
            ..options()
        })
        .contains("--races"));
        assert!(err(Options {
            duration: Duration::ZERO,
            ..options()
        })
        .contains("--duration"));
    }
}
