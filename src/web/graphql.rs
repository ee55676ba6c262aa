//! `POST /graphql` (Juniper over actix-web) and `GET /graphiql`.

use actix_web::{web, HttpRequest, HttpResponse};

use super::AppState;
use crate::schema::Context;

pub async fn graphql(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, actix_web::Error> {
    let context = Context {
        pg: state.pg.clone(),
        redis: state.redis.clone(),
        keys: state.keys.clone(),
    };
    juniper_actix::graphql_handler(&state.schema, &context, req, payload).await
}

pub async fn graphiql() -> Result<HttpResponse, actix_web::Error> {
    juniper_actix::graphiql_handler("/graphql", None).await
}
