//! `TelemetryPoint`: a car's telemetry from the samples history, downsampled
//! on the server (LTTB on speed, `db::queries::telemetry`) to at most
//! `maxPoints`.

use juniper::GraphQLObject;

use super::Context;
use crate::db::queries::TelemetryRow;

#[derive(GraphQLObject)]
#[graphql(context = Context)]
pub struct TelemetryPoint {
    pub ts_ms: f64,
    pub speed_kph: f64,
    pub throttle: f64,
    pub brake: f64,
    pub gear: i32,
    pub lap: i32,
    pub lap_distance_m: f64,
    pub x: f64,
    pub y: f64,
}

impl From<&TelemetryRow> for TelemetryPoint {
    fn from(r: &TelemetryRow) -> Self {
        TelemetryPoint {
            ts_ms: r.ts_ms as f64,
            speed_kph: f64::from(r.speed_kph),
            throttle: f64::from(r.throttle),
            brake: f64::from(r.brake),
            gear: i32::from(r.gear),
            lap: r.lap,
            lap_distance_m: f64::from(r.lap_distance_m),
            x: f64::from(r.x),
            y: f64::from(r.y),
        }
    }
}
