//! `POST` and `GET /graphql` (Juniper). Before anything runs, each
//! operation is parsed against the depth and field limits and priced by
//! `schema::limits`; a batch holds at most `MAX_BATCH` operations; the whole
//! request runs under a timeout (and every SQL statement under PostgreSQL's
//! `statement_timeout`). A rejection is a GraphQL error a client can read.

use std::time::Duration;

use actix_web::{web, HttpResponse};
use juniper::http::{GraphQLBatchRequest, GraphQLRequest};
use serde_json::json;

use super::AppState;
use crate::metrics;
use crate::schema::{limits, Context};

/// Operations one batched request may carry.
pub const MAX_BATCH: usize = 10;

fn rejected(message: &str) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "errors": [{ "message": message }] }))
}

pub async fn graphql(
    body: web::Json<GraphQLBatchRequest>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let request = body.into_inner();
    let operations: Vec<&GraphQLRequest> = match &request {
        GraphQLBatchRequest::Single(r) => vec![r],
        GraphQLBatchRequest::Batch(rs) => rs.iter().collect(),
    };
    if operations.len() > MAX_BATCH {
        return rejected(&format!(
            "a batch holds at most {MAX_BATCH} operations, this one has {}",
            operations.len()
        ));
    }
    let names: Vec<String> = operations
        .iter()
        .map(|op| {
            op.operation_name
                .clone()
                .unwrap_or_else(|| "anonymous".into())
        })
        .collect();
    for name in &names {
        metrics::GRAPHQL_REQUESTS
            .with_label_values(&[name.as_str()])
            .inc();
    }
    let refuse = |reason: &str| {
        for name in &names {
            metrics::GRAPHQL_ERRORS
                .with_label_values(&[name.as_str()])
                .inc();
        }
        rejected(reason)
    };
    for op in &operations {
        if let Err(reason) = limits::check(&state.schema, &op.query) {
            return refuse(&reason);
        }
    }
    let context = Context {
        pg: state.pg.clone(),
        redis: state.redis.clone(),
        keys: state.keys.clone(),
    };
    let timeout = Duration::from_millis(state.settings.http.graphql_timeout_ms);
    match tokio::time::timeout(timeout, request.execute(&state.schema, &context)).await {
        Ok(response) => {
            let status = if response.is_ok() {
                actix_web::http::StatusCode::OK
            } else {
                for name in &names {
                    metrics::GRAPHQL_ERRORS
                        .with_label_values(&[name.as_str()])
                        .inc();
                }
                actix_web::http::StatusCode::BAD_REQUEST
            };
            HttpResponse::build(status).json(response)
        }
        Err(_) => refuse(&format!("query timed out after {} ms", timeout.as_millis())),
    }
}

#[derive(serde::Deserialize)]
pub struct GetQuery {
    query: Option<String>,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
}

/// `GET /graphql?query=…`: the same limits, then Juniper's own actix handler
/// (which reads the query string and refuses anything but queries on GET).
pub async fn graphql_get(
    req: actix_web::HttpRequest,
    payload: web::Payload,
    params: web::Query<GetQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, actix_web::Error> {
    let name = params
        .operation_name
        .clone()
        .unwrap_or_else(|| "anonymous".into());
    metrics::GRAPHQL_REQUESTS
        .with_label_values(&[name.as_str()])
        .inc();
    if let Err(reason) = limits::check(&state.schema, params.query.as_deref().unwrap_or_default()) {
        metrics::GRAPHQL_ERRORS
            .with_label_values(&[name.as_str()])
            .inc();
        return Ok(rejected(&reason));
    }
    let context = Context {
        pg: state.pg.clone(),
        redis: state.redis.clone(),
        keys: state.keys.clone(),
    };
    let timeout = Duration::from_millis(state.settings.http.graphql_timeout_ms);
    match tokio::time::timeout(
        timeout,
        juniper_actix::graphql_handler(&state.schema, &context, req, payload),
    )
    .await
    {
        Ok(response) => response,
        Err(_) => Ok(rejected(&format!(
            "query timed out after {} ms",
            timeout.as_millis()
        ))),
    }
}
