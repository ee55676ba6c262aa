//! Simulator control: `POST /api/races` validates the parameters, mints the
//! race id and publishes a start command to `simulator_commands` (answering
//! 202: the simulate role starts the race); `GET /api/races[/{id}]` read the
//! history; `DELETE /api/races/{id}` publishes a stop command. This role
//! never calls the simulator directly.

use std::time::Duration;

use actix_web::{web, HttpResponse};
use rdkafka::producer::{FutureProducer, FutureRecord};
use serde::Deserialize;

use super::error::WebError;
use super::AppState;
use crate::db::queries;
use crate::domain::commands::{Command, RaceParams};
use crate::kafka::KafkaError;

/// JSON bodies that are not JSON (or not sent as `application/json`, or
/// over 64 KB) get a 400 saying so; `parse_params` names a field whose
/// value does not fit.
pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(64 * 1024)
        .error_handler(|err, _| {
            WebError::BadRequest {
                field: None,
                message: format!("bad request body: {err}"),
            }
            .into()
        })
}

/// Publishes a command and waits until the broker has it.
pub async fn publish(
    producer: &FutureProducer,
    topic: &str,
    command: &Command,
) -> Result<(), KafkaError> {
    let payload = serde_json::to_vec(command).unwrap_or_default();
    let record = FutureRecord::to(topic)
        .key(command.race_id())
        .payload(&payload);
    producer
        .send(record, Duration::from_secs(5))
        .await
        .map_err(|(e, _)| KafkaError::Client(e))?;
    Ok(())
}

/// A fresh race id: short, URL-safe, unique.
pub fn mint_race_id() -> String {
    format!("r-{}", &uuid::Uuid::new_v4().simple().to_string()[..12])
}

async fn send(state: &AppState, command: &Command) -> Result<(), WebError> {
    Ok(publish(
        &state.producer,
        &state.settings.kafka.topics.commands,
        command,
    )
    .await?)
}

/// The fields of `RaceParams`, for naming the one that does not parse.
const PARAM_FIELDS: [&str; 8] = [
    "name",
    "track",
    "cars",
    "laps",
    "sample_hz",
    "time_scale",
    "seed",
    "safety_car_probability",
];

/// Reads the parameters from a JSON body. Read as a `Value` first and then
/// through `serde_path_to_error`, so a value of the wrong type or beyond its
/// type (`"cars": -1`, `"cars": 1e12`) is refused naming its field, which
/// serde's own message does not.
fn parse_params(body: serde_json::Value) -> Result<RaceParams, WebError> {
    serde_path_to_error::deserialize(body).map_err(|e| {
        let path = e.path().to_string();
        let field = PARAM_FIELDS.iter().find(|f| **f == path).copied();
        let message = match field {
            Some(f) => format!("{f}: {}", e.inner()),
            None => format!("bad request body: {}", e.inner()),
        };
        WebError::BadRequest { field, message }
    })
}

pub async fn start_race(
    state: web::Data<AppState>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, WebError> {
    let params = parse_params(body.into_inner())?;
    params
        .validate(state.settings.simulator.max_cars)
        .map_err(|e| WebError::bad(e.field, e.to_string()))?;
    let race_id = mint_race_id();
    send(&state, &Command::start(&race_id, params.clone())).await?;
    Ok(HttpResponse::Accepted().json(serde_json::json!({
        "race_id": race_id,
        "status": "starting",
        "params": params,
    })))
}

#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    limit: Option<i64>,
}

pub async fn list_races(
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, WebError> {
    let limit = query.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(WebError::bad("limit", "must be in 1..=500"));
    }
    let races = queries::races(&state.pg, query.status.as_deref(), limit).await?;
    Ok(HttpResponse::Ok().json(races))
}

pub async fn get_race(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    match queries::race(&state.pg, &id).await? {
        Some(race) => Ok(HttpResponse::Ok().json(race)),
        None => Err(WebError::NotFound(format!("no race {id}"))),
    }
}

pub async fn stop_race(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let race = queries::race(&state.pg, &id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("no race {id}")))?;
    if race.status != "running" {
        return Err(WebError::bad(
            "id",
            format!("race {id} is already {}", race.status),
        ));
    }
    send(&state, &Command::stop(&id)).await?;
    Ok(HttpResponse::Accepted().json(serde_json::json!({ "race_id": *id, "status": "stopping" })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field_of(body: serde_json::Value) -> (Option<&'static str>, String) {
        match parse_params(body) {
            Err(WebError::BadRequest { field, message }) => (field, message),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_value_that_does_not_fit_is_refused_naming_its_field() {
        for bad in [
            json!(-1),
            json!(1e12),
            json!(2.5),
            json!("lots"),
            json!(4294967296u64),
        ] {
            let (field, message) = field_of(json!({ "cars": bad }));
            assert_eq!(field, Some("cars"), "{message}");
            assert!(message.starts_with("cars: "), "{message}");
        }
        let (field, message) = field_of(json!({"carz": 1}));
        assert_eq!(field, None);
        assert!(message.contains("carz"), "{message}");
        assert_eq!(parse_params(json!({"cars": 3})).unwrap().cars, 3);
    }
}
