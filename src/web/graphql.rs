//! `POST` and `GET /graphql` (Juniper). Each operation is taken from the
//! cache of prepared operations (parsed against the depth and field limits
//! and validated once per distinct text, `schema::prepared`) and priced with
//! the request's own variables by `schema::limits` before anything runs; a
//! batch holds at most `MAX_BATCH` operations; the whole request runs under
//! a timeout (and every SQL statement under PostgreSQL's
//! `statement_timeout`). A rejection is a GraphQL error a client can read.

use std::sync::Arc;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use juniper::http::{GraphQLBatchRequest, GraphQLBatchResponse, GraphQLRequest, GraphQLResponse};
use juniper::{InputValue, Variables};
use serde_json::json;

use super::AppState;
use crate::metrics;
use crate::schema::prepared::{Prepared, Unprepared};
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
    run(body.into_inner(), &state).await
}

#[derive(serde::Deserialize)]
pub struct GetQuery {
    query: Option<String>,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
    /// JSON text, as GraphQL over HTTP puts it in a query string.
    variables: Option<String>,
}

/// `GET /graphql?query=…&variables=…`: the same path as POST. There are no
/// mutations in the schema, so nothing a GET could change.
pub async fn graphql_get(params: web::Query<GetQuery>, state: web::Data<AppState>) -> HttpResponse {
    let GetQuery {
        query,
        operation_name,
        variables,
    } = params.into_inner();
    let Some(query) = query else {
        return HttpResponse::BadRequest()
            .json(json!({ "errors": [{ "message": "GET /graphql needs a query parameter" }] }));
    };
    let variables = match variables.as_deref().map(serde_json::from_str::<InputValue>) {
        None => None,
        Some(Ok(v)) => Some(v),
        Some(Err(e)) => return HttpResponse::BadRequest().json(
            json!({ "errors": [{ "message": format!("variables is not a JSON object: {e}") }] }),
        ),
    };
    let request = GraphQLRequest::new(query, operation_name, variables);
    run(GraphQLBatchRequest::Single(request), &state).await
}

/// One operation of the request, ready to run or already answered.
enum Ready {
    Run(Arc<Prepared>, Variables),
    /// Parsed, but not valid against the schema: Juniper's own error.
    Invalid(juniper::GraphQLError),
}

async fn run(request: GraphQLBatchRequest, state: &AppState) -> HttpResponse {
    let (operations, single) = match request {
        GraphQLBatchRequest::Single(r) => (vec![r], true),
        GraphQLBatchRequest::Batch(rs) => (rs, false),
    };
    if operations.len() > MAX_BATCH {
        return rejected(&format!(
            "a batch holds at most {MAX_BATCH} operations, this one has {}",
            operations.len()
        ));
    }
    let names: Vec<&str> = operations
        .iter()
        .map(|op| op.operation_name.as_deref().unwrap_or("anonymous"))
        .collect();
    for name in &names {
        metrics::GRAPHQL_REQUESTS.with_label_values(&[name]).inc();
    }
    let count_errors = || {
        for name in &names {
            metrics::GRAPHQL_ERRORS.with_label_values(&[name]).inc();
        }
    };
    // Every operation is prepared and priced before any runs: one over the
    // limits refuses the request.
    let mut ready = Vec::with_capacity(operations.len());
    for op in &operations {
        let variables = op.variables();
        match state.graphql.get(&op.query, op.operation_name.as_deref()) {
            Ok(prepared) => {
                if let Err(e) = limits::price(prepared.document(), &variables) {
                    count_errors();
                    return rejected(&e.to_string());
                }
                ready.push(Ready::Run(prepared, variables));
            }
            Err(Unprepared::Parse(reason)) => {
                count_errors();
                return rejected(&reason);
            }
            Err(Unprepared::Invalid(e)) => ready.push(Ready::Invalid(e)),
        }
    }
    let context = Context {
        pg: state.pg.clone(),
        redis: state.redis.clone(),
        keys: state.keys.clone(),
        latest: state.latest.clone(),
        live_races: state.live_races.clone(),
    };
    let execute = futures_util::future::join_all(ready.iter().map(|op| {
        let context = &context;
        async move {
            match op {
                Ready::Run(prepared, variables) => GraphQLResponse::from_result(
                    prepared.operation().execute(variables, context).await,
                ),
                Ready::Invalid(e) => GraphQLResponse::from_result(Err(e.clone())),
            }
        }
    }));
    let timeout = Duration::from_millis(state.settings.http.graphql_timeout_ms);
    let Ok(mut responses) = tokio::time::timeout(timeout, execute).await else {
        count_errors();
        return rejected(&format!("query timed out after {} ms", timeout.as_millis()));
    };
    let response = match responses.pop() {
        Some(only) if single => GraphQLBatchResponse::Single(only),
        last => {
            responses.extend(last);
            GraphQLBatchResponse::Batch(responses)
        }
    };
    let status = if response.is_ok() {
        StatusCode::OK
    } else {
        count_errors();
        StatusCode::BAD_REQUEST
    };
    HttpResponse::build(status).json(response)
}
