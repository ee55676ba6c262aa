//! `GET /healthz`: the process answers. `GET /readyz`: the broker, Redis and
//! PostgreSQL answer and this instance's consumers have joined their groups;
//! a 503 names what is not ready. `GET /metrics`: Prometheus text.

use std::time::Duration;

use actix_web::{web, HttpResponse};
use deadpool_redis::redis;
use rdkafka::producer::Producer;
use serde_json::json;

use super::AppState;

const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// Prometheus text format.
pub async fn metrics() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(crate::metrics::render())
}

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "alive" }))
}

pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let (pg, redis, kafka) =
        tokio::join!(check_pg(&state), check_redis(&state), check_kafka(&state));
    let mut problems = Vec::new();
    for (name, result) in [("postgres", pg), ("redis", redis), ("kafka", kafka)] {
        if let Err(e) = result {
            problems.push(format!("{name}: {e}"));
        }
    }
    for source in &state.sources {
        if !source.joined() {
            problems.push(format!(
                "consumer {}: not yet assigned partitions",
                source.name
            ));
        }
    }
    let consumers: Vec<_> = state
        .sources
        .iter()
        .map(|s| json!({ "name": s.name, "joined": s.joined(), "partitions": s.assigned_partitions() }))
        .collect();
    if problems.is_empty() {
        HttpResponse::Ok().json(json!({ "status": "ready", "consumers": consumers }))
    } else {
        HttpResponse::ServiceUnavailable().json(json!({
            "status": "not ready",
            "problems": problems,
            "consumers": consumers,
        }))
    }
}

async fn check_pg(state: &AppState) -> Result<(), String> {
    let client = state.pg.get().await.map_err(|e| e.to_string())?;
    client
        .simple_query("SELECT 1")
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

async fn check_redis(state: &AppState) -> Result<(), String> {
    let mut conn = state.redis.get().await.map_err(|e| e.to_string())?;
    redis::cmd("PING")
        .query_async::<String>(&mut conn)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

async fn check_kafka(state: &AppState) -> Result<(), String> {
    // Fetching metadata blocks its thread: keep it off the HTTP workers.
    let producer = state.producer.clone();
    tokio::task::spawn_blocking(move || {
        producer
            .client()
            .fetch_metadata(None, CHECK_TIMEOUT)
            .map(|_| ())
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}
