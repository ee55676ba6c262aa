//! `GET /graphql/ws`: GraphQL subscriptions over WebSocket, through
//! juniper_actix, which answers `graphql-transport-ws` and, when the client
//! asks for it by subprotocol, the older `graphql-ws`. The same `Origin`
//! allow-list and token as `/ws` (the route's guard), and the subscription
//! cap in `schema::subscription`. Keep-alive as on `/ws`: the server sends
//! the protocol's `pong` every `websocket.heartbeat_interval_ms`, and closes
//! a connection whose client sent no `ping` for `websocket.client_timeout_ms`
//! (graphql-ws clients: the `keepAlive` option).

use std::time::Duration;

use actix_web::{web, HttpRequest, HttpResponse};
use juniper_graphql_ws::ConnectionConfig;

use super::error::WebError;
use super::graphql::context;
use super::ws::origin_allowed;
use super::AppState;

pub async fn connect(
    req: HttpRequest,
    stream: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, actix_web::Error> {
    if !origin_allowed(&req, &state.settings.http.allowed_origins) {
        return Err(WebError::Forbidden("origin not allowed".into()).into());
    }
    if state.hub.is_none() {
        return Err(
            WebError::Unavailable("this instance does not serve subscriptions".into()).into(),
        );
    }
    let ws = &state.settings.websocket;
    let config = ConnectionConfig::new(context(&state))
        .with_keep_alive_interval(Duration::from_millis(ws.heartbeat_interval_ms))
        .with_keep_alive_timeout(Duration::from_millis(ws.client_timeout_ms));
    juniper_actix::subscriptions::ws_handler(req, stream, state.graphql.shared_schema(), config)
        .await
}
