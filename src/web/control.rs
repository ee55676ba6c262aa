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

/// JSON bodies that do not parse get a 400 with serde's message, which names
/// the field (`unknown field "carz"`, `invalid type ... for cars`).
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

pub async fn start_race(
    state: web::Data<AppState>,
    params: web::Json<RaceParams>,
) -> Result<HttpResponse, WebError> {
    let params = params.into_inner();
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
