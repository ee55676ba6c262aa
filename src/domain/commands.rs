//! Records of `simulator_commands`: what the control API asks the simulator
//! role to do. Validated where they are made (the HTTP API) and again where
//! they are read, since anyone may write to the topic.

use serde::{Deserialize, Serialize};

use super::records::SCHEMA_VERSION;
use super::sim;

/// The parameters of a simulated race, as `POST /api/races` takes them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RaceParams {
    #[serde(default = "default_name")]
    pub name: String,
    #[serde(default = "default_track")]
    pub track: String,
    #[serde(default = "default_cars")]
    pub cars: u32,
    #[serde(default = "default_laps")]
    pub laps: u32,
    #[serde(default = "default_hz")]
    pub sample_hz: f64,
    /// 1 is real time; larger runs faster; 0 runs as fast as the broker takes.
    #[serde(default = "default_time_scale")]
    pub time_scale: f64,
    #[serde(default)]
    pub seed: u64,
    #[serde(default = "default_sc")]
    pub safety_car_probability: f64,
}

impl Default for RaceParams {
    fn default() -> Self {
        RaceParams {
            name: default_name(),
            track: default_track(),
            cars: default_cars(),
            laps: default_laps(),
            sample_hz: default_hz(),
            time_scale: default_time_scale(),
            seed: 0,
            safety_car_probability: default_sc(),
        }
    }
}

fn default_name() -> String {
    "Demo Grand Prix".into()
}
fn default_track() -> String {
    sim::track_ids()[0].into()
}
fn default_cars() -> u32 {
    20
}
fn default_laps() -> u32 {
    10
}
fn default_hz() -> f64 {
    10.0
}
fn default_time_scale() -> f64 {
    1.0
}
fn default_sc() -> f64 {
    0.3
}

/// A parameter outside what the simulator accepts.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct ParamError {
    pub field: &'static str,
    pub reason: String,
}

impl RaceParams {
    /// The simulator's configuration of this race (pacing apart).
    pub fn race_config(&self) -> sim::RaceConfig {
        sim::RaceConfig {
            track: self.track.clone(),
            cars: self.cars,
            laps: self.laps,
            sample_hz: self.sample_hz,
            seed: self.seed,
            safety_car_probability: self.safety_car_probability,
            name: self.name.clone(),
        }
    }

    /// Checks every field; `max_cars` comes from settings.
    pub fn validate(&self, max_cars: u32) -> Result<(), ParamError> {
        let err = |field, reason: String| Err(ParamError { field, reason });
        if self.name.trim().is_empty() || self.name.len() > 100 {
            return err("name", "must be 1 to 100 characters".into());
        }
        if !sim::track_ids().contains(&self.track.as_str()) {
            return err("track", format!("must be one of {:?}", sim::track_ids()));
        }
        if !(1..=max_cars).contains(&self.cars) {
            return err("cars", format!("must be in 1..={max_cars}"));
        }
        if !(1..=200).contains(&self.laps) {
            return err("laps", "must be in 1..=200".into());
        }
        if !(self.sample_hz.is_finite() && (1.0..=100.0).contains(&self.sample_hz)) {
            return err("sample_hz", "must be in 1..=100".into());
        }
        if !(self.time_scale.is_finite() && (0.0..=1000.0).contains(&self.time_scale)) {
            return err(
                "time_scale",
                "must be in 0..=1000 (0: as fast as possible)".into(),
            );
        }
        if !(0.0..=1.0).contains(&self.safety_car_probability) {
            return err("safety_car_probability", "must be in 0..=1".into());
        }
        Ok(())
    }
}

/// Parses a race given on the command line as `key=value` pairs separated by
/// commas (`track=street,cars=20,laps=5`), with the same names, defaults
/// and checks as `POST /api/races`.
pub fn parse_race_flag(text: &str) -> Result<RaceParams, String> {
    let mut fields = serde_json::Map::new();
    for pair in text.split(',').filter(|p| !p.trim().is_empty()) {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("{pair:?} is not key=value"))?;
        let value = value.trim();
        let json = if let Ok(n) = value.parse::<u64>() {
            serde_json::Value::from(n)
        } else if let Ok(x) = value.parse::<f64>() {
            serde_json::Value::from(x)
        } else {
            serde_json::Value::from(value)
        };
        fields.insert(key.trim().to_owned(), json);
    }
    serde_json::from_value(serde_json::Value::Object(fields)).map_err(|e| e.to_string())
}

/// One record of `simulator_commands`, keyed by race id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Command {
    StartRace(StartCommand),
    StopRace(StopCommand),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StartCommand {
    pub v: u32,
    pub race_id: String,
    pub params: RaceParams,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StopCommand {
    pub v: u32,
    pub race_id: String,
}

impl Command {
    pub fn start(race_id: &str, params: RaceParams) -> Command {
        Command::StartRace(StartCommand {
            v: SCHEMA_VERSION,
            race_id: race_id.to_owned(),
            params,
        })
    }

    pub fn stop(race_id: &str) -> Command {
        Command::StopRace(StopCommand {
            v: SCHEMA_VERSION,
            race_id: race_id.to_owned(),
        })
    }

    pub fn race_id(&self) -> &str {
        match self {
            Command::StartRace(c) => &c.race_id,
            Command::StopRace(c) => &c.race_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_an_empty_request() {
        let p: RaceParams = serde_json::from_str("{}").unwrap();
        assert_eq!(p.cars, 20);
        p.validate(5000).unwrap();
    }

    #[test]
    fn bad_fields_are_named() {
        let p: RaceParams = serde_json::from_str(r#"{"cars": 0}"#).unwrap();
        assert_eq!(p.validate(5000).unwrap_err().field, "cars");
        let p: RaceParams = serde_json::from_str(r#"{"track": "moon"}"#).unwrap();
        assert_eq!(p.validate(5000).unwrap_err().field, "track");
        let p: RaceParams = serde_json::from_str(r#"{"sample_hz": 1000}"#).unwrap();
        assert_eq!(p.validate(5000).unwrap_err().field, "sample_hz");
        assert!(serde_json::from_str::<RaceParams>(r#"{"carz": 3}"#).is_err());
    }

    #[test]
    fn races_parse_from_flags() {
        let p =
            parse_race_flag("track=street, cars=6,laps=3,time_scale=0.5,name=Night Race").unwrap();
        assert_eq!((p.track.as_str(), p.cars, p.laps), ("street", 6, 3));
        assert_eq!(p.time_scale, 0.5);
        assert_eq!(p.name, "Night Race");
        assert_eq!(parse_race_flag("").unwrap(), RaceParams::default());
        assert!(parse_race_flag("carz=3").unwrap_err().contains("carz"));
        assert!(parse_race_flag("cars").unwrap_err().contains("key=value"));
        assert!(parse_race_flag("cars=many")
            .unwrap_err()
            .contains("invalid type"));
    }

    #[test]
    fn commands_round_trip() {
        let c = Command::start("r1", serde_json::from_str("{}").unwrap());
        let json = serde_json::to_string(&c).unwrap();
        assert!(json.contains(r#""type":"start_race""#));
        assert_eq!(serde_json::from_str::<Command>(&json).unwrap(), c);
    }
}
