//! `POST` and `GET /graphql` (Juniper; GET through juniper_actix). Each
//! operation comes from the cache of prepared operations (parsed within the
//! depth and field limits and validated once per distinct text,
//! `schema::prepared`) and is priced with the request's own variables by
//! `schema::limits` before anything runs; a batch holds at most `MAX_BATCH`
//! operations; the whole request runs under a timeout (and every SQL
//! statement under PostgreSQL's `statement_timeout`). A rejection is a
//! GraphQL error a client can read.

use std::sync::Arc;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use juniper::http::{GraphQLBatchRequest, GraphQLBatchResponse, GraphQLRequest, GraphQLResponse};
use juniper::{InputValue, OperationType, Variables};
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
    execute(body.into_inner(), &state).await
}

#[derive(serde::Deserialize)]
pub struct GetQuery {
    query: Option<String>,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
    /// JSON text, as GraphQL over HTTP puts it in a query string.
    variables: Option<String>,
}

/// `GET /graphql?query=…&variables=…`: the same limits as POST, then
/// Juniper's own actix handler (which refuses anything but queries on GET).
/// It parses the query again, which the prepared operations spare POST, the
/// path clients use under load.
pub async fn graphql_get(
    req: HttpRequest,
    params: web::Query<GetQuery>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let GetQuery {
        query,
        operation_name,
        variables,
    } = params.into_inner();
    let name = operation_name.clone().unwrap_or_else(|| "anonymous".into());
    metrics::GRAPHQL_REQUESTS.with_label_values(&[&name]).inc();
    let refuse = |status: StatusCode, message: &str| {
        metrics::GRAPHQL_ERRORS.with_label_values(&[&name]).inc();
        HttpResponse::build(status).json(json!({ "errors": [{ "message": message }] }))
    };
    let Some(query) = query else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "GET /graphql needs a query parameter",
        );
    };
    let variables = match variables.as_deref().map(serde_json::from_str::<InputValue>) {
        None => None,
        Some(Ok(v)) => Some(v),
        Some(Err(e)) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                &format!("variables is not a JSON object: {e}"),
            )
        }
    };
    let request = GraphQLRequest::new(query, operation_name, variables);
    if let Err(reason) = admit(&state, &request) {
        return refuse(StatusCode::OK, &reason);
    }
    let context = context(&state);
    let timeout = Duration::from_millis(state.settings.http.graphql_timeout_ms);
    let schema = state.graphql.schema();
    match tokio::time::timeout(
        timeout,
        juniper_actix::get_graphql_handler(schema, &context, req),
    )
    .await
    {
        Ok(Ok(response)) => response,
        Ok(Err(e)) => refuse(StatusCode::BAD_REQUEST, &e.to_string()),
        Err(_) => refuse(
            StatusCode::OK,
            &format!("query timed out after {} ms", timeout.as_millis()),
        ),
    }
}

/// One operation of the request, ready to run or already answered.
enum Ready {
    Run(Arc<Prepared>, Variables),
    /// Parsed, but not valid against the schema: Juniper's own error.
    Invalid(juniper::GraphQLError),
}

/// The operation prepared (parsed within the depth and field limits, and
/// validated) and priced with its variables; Err: why it may not run.
fn admit(state: &AppState, op: &GraphQLRequest) -> Result<Ready, String> {
    let variables = op.variables();
    match state.graphql.get(&op.query, op.operation_name.as_deref()) {
        Ok(prepared) if prepared.operation().operation_type() == OperationType::Subscription => {
            Err(
                "subscriptions are served over WebSocket at /graphql/ws (graphql-transport-ws)"
                    .into(),
            )
        }
        Ok(prepared) => {
            limits::price(prepared.document(), &variables).map_err(|e| e.to_string())?;
            Ok(Ready::Run(prepared, variables))
        }
        Err(Unprepared::Parse(reason)) => Err(reason),
        Err(Unprepared::Invalid(e)) => Ok(Ready::Invalid(e)),
    }
}

pub fn context(state: &AppState) -> Context {
    Context {
        pg: state.pg.clone(),
        redis: state.redis.clone(),
        keys: state.keys.clone(),
        latest: state.latest.clone(),
        live_races: state.live_races.clone(),
        subscriptions: state.subscriptions.clone(),
    }
}

/// Admits every operation of the request, then runs them together.
async fn execute(request: GraphQLBatchRequest, state: &AppState) -> HttpResponse {
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
        match admit(state, op) {
            Ok(op) => ready.push(op),
            Err(reason) => {
                count_errors();
                return rejected(&reason);
            }
        }
    }
    let context = context(state);
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
