//! Race settings and their validation. Errors name the field and the allowed
//! range so an operator can fix a request without reading the code.

use super::circuits::TRACK_IDS;

#[derive(Debug, Clone, PartialEq)]
pub struct RaceConfig {
    /// One of [`track_ids`](super::track_ids).
    pub track: String,
    pub cars: u32,
    pub laps: u32,
    pub sample_hz: f64,
    pub seed: u64,
    /// Chance of a safety car or virtual safety car period in the race, 0..=1.
    pub safety_car_probability: f64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    #[error("track must be one of {allowed}, got {got:?}")]
    UnknownTrack { got: String, allowed: String },
    #[error("{field} must be in {range}, got {got}")]
    OutOfRange {
        field: &'static str,
        range: &'static str,
        got: String,
    },
}

fn out_of_range(field: &'static str, range: &'static str, got: impl ToString) -> ConfigError {
    ConfigError::OutOfRange {
        field,
        range,
        got: got.to_string(),
    }
}

impl RaceConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !TRACK_IDS.contains(&self.track.as_str()) {
            return Err(ConfigError::UnknownTrack {
                got: self.track.clone(),
                allowed: TRACK_IDS.join(", "),
            });
        }
        if !(1..=5000).contains(&self.cars) {
            return Err(out_of_range("cars", "1..=5000", self.cars));
        }
        if !(1..=200).contains(&self.laps) {
            return Err(out_of_range("laps", "1..=200", self.laps));
        }
        if !(self.sample_hz.is_finite() && (1.0..=100.0).contains(&self.sample_hz)) {
            return Err(out_of_range("sample_hz", "1..=100", self.sample_hz));
        }
        let p = self.safety_car_probability;
        if !(p.is_finite() && (0.0..=1.0).contains(&p)) {
            return Err(out_of_range("safety_car_probability", "0..=1", p));
        }
        Ok(())
    }
}

impl Default for RaceConfig {
    fn default() -> Self {
        RaceConfig {
            track: TRACK_IDS[0].to_owned(),
            cars: 20,
            laps: 50,
            sample_hz: 10.0,
            seed: 1,
            safety_car_probability: 0.3,
            name: "Grand Prix".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_names_field_and_range() {
        assert!(RaceConfig::default().validate().is_ok());
        let bad = |f: fn(&mut RaceConfig)| {
            let mut c = RaceConfig::default();
            f(&mut c);
            c.validate().unwrap_err().to_string()
        };
        assert!(bad(|c| c.track = "nowhere".into()).contains("power"));
        assert!(bad(|c| c.cars = 0).contains("cars must be in 1..=5000"));
        assert!(bad(|c| c.cars = 5001).contains("cars"));
        assert!(bad(|c| c.laps = 201).contains("laps must be in 1..=200"));
        assert!(bad(|c| c.sample_hz = 0.5).contains("sample_hz"));
        assert!(bad(|c| c.sample_hz = f64::NAN).contains("sample_hz"));
        assert!(bad(|c| c.safety_car_probability = 1.5).contains("safety_car_probability"));
    }
}
