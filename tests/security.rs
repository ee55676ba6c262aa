//! The bearer token and CORS against a real server: starting and stopping
//! races needs the token once one is set (401 naming the problem without
//! it or with a wrong one); GraphQL, race reads and `/ws` need it only with
//! `protect_reads` (`/ws` also takes `?token=`); health, metrics and the
//! dashboard stay open; CORS answers allowed origins (preflight included,
//! with `Authorization` allowed) and gives others nothing.

mod common;

use std::time::Duration;

use actix_web::http::Method;
use awc::error::WsClientError;
use common::{isolated_settings, TestApp, WsClient};
use pitwall::app::Role;
use serde_json::{json, Value};

const TOKEN: &str = "s3cret-Token_42";

async fn spawn(token: &str, protect_reads: bool, origins: &[&str]) -> TestApp {
    let mut settings = isolated_settings().await;
    settings.http.auth_token = token.into();
    settings.http.protect_reads = protect_reads;
    settings.http.allowed_origins = origins.iter().map(|o| o.to_string()).collect();
    TestApp::spawn_with(settings, Role::Serve).await
}

/// Sends `method path` with an optional Authorization header and JSON body.
async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    auth: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = app.http.request(method, format!("{}{path}", app.base));
    if let Some(auth) = auth {
        request = request.insert_header(("Authorization", auth));
    }
    let mut resp = match body {
        Some(body) => request.send_json(&body).await,
        None => request.send().await,
    }
    .expect("request sent");
    let status = resp.status().as_u16();
    let body = resp.json::<Value>().await.unwrap_or(Value::Null);
    (status, body)
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

fn race() -> Value {
    json!({"track": "street", "cars": 2, "laps": 1, "sample_hz": 10, "time_scale": 50})
}

fn assert_401(status: u16, body: &Value, needle: &str) {
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["field"], "authorization", "{body}");
    let message = body["error"].as_str().unwrap_or_default();
    assert!(message.contains(needle), "{needle:?} not in {message:?}");
}

async fn ws_connect(app: &TestApp, query: &str, auth: Option<&str>) -> Result<WsClient, u16> {
    let mut request = app
        .http
        .ws(format!("{}/ws{query}", app.base.replace("http", "ws")));
    if let Some(auth) = auth {
        request = request.set_header("Authorization", auth);
    }
    match request.connect().await {
        Ok((_, framed)) => Ok(WsClient { framed }),
        Err(WsClientError::InvalidResponseStatus(status)) => Err(status.as_u16()),
        Err(other) => panic!("websocket: {other:?}"),
    }
}

async fn pongs(ws: &mut WsClient) -> bool {
    ws.send(json!({"op": "ping"})).await;
    ws.next_json(Duration::from_secs(10))
        .await
        .is_some_and(|m| m["type"] == "pong")
}

/// The open routes answer without a token whatever the settings.
async fn open_routes_stay_open(app: &TestApp) {
    for path in ["/healthz", "/metrics", "/", "/graphiql"] {
        let resp = app
            .http
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .expect("request sent");
        assert_eq!(resp.status().as_u16(), 200, "{path}");
    }
}

#[actix_web::test]
async fn starting_and_stopping_races_need_the_token() {
    let app = spawn(TOKEN, false, &[]).await;
    let (status, body) = call(&app, Method::POST, "/api/races", None, Some(race())).await;
    assert_401(status, &body, "missing bearer token");
    let wrong = bearer("s3cret-Token_43");
    let (status, body) = call(&app, Method::POST, "/api/races", Some(&wrong), Some(race())).await;
    assert_401(status, &body, "wrong bearer token");
    let (status, body) = call(
        &app,
        Method::POST,
        "/api/races",
        Some(&bearer("s3cret")),
        Some(race()),
    )
    .await;
    assert_401(status, &body, "wrong bearer token");
    let (status, body) = call(
        &app,
        Method::POST,
        "/api/races",
        Some("Basic czNjcmV0"),
        Some(race()),
    )
    .await;
    assert_401(status, &body, "malformed Authorization header");
    // A refused request never reaches validation: an invalid body still
    // gets 401, not 400, so nothing about the API leaks without the token.
    let (status, body) = call(
        &app,
        Method::POST,
        "/api/races",
        None,
        Some(json!({"cars": 0})),
    )
    .await;
    assert_401(status, &body, "missing");

    let right = bearer(TOKEN);
    let (status, body) = call(&app, Method::POST, "/api/races", Some(&right), Some(race())).await;
    assert_eq!(status, 202, "{body}");
    assert!(body["race_id"].is_string(), "{body}");

    let (status, body) = call(&app, Method::DELETE, "/api/races/r-nosuch", None, None).await;
    assert_401(status, &body, "missing");
    let (status, body) = call(
        &app,
        Method::DELETE,
        "/api/races/r-nosuch",
        Some(&right),
        None,
    )
    .await;
    assert_eq!(status, 404, "past the guard, the race is looked up: {body}");

    // Reads stay open without protect_reads.
    let (status, body) = call(&app, Method::GET, "/api/races", None, None).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = call(
        &app,
        Method::POST,
        "/graphql",
        None,
        Some(json!({"query": "{ races(first: 1) { id } }"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    let mut ws = ws_connect(&app, "", None)
        .await
        .expect("open WebSocket without protect_reads");
    assert!(pongs(&mut ws).await);
    open_routes_stay_open(&app).await;
    app.cleanup().await;
}

#[actix_web::test]
async fn protect_reads_guards_graphql_race_reads_and_the_websocket() {
    let app = spawn(TOKEN, true, &[]).await;
    let query = json!({"query": "{ races(first: 1) { id } }"});
    let (status, body) = call(&app, Method::POST, "/graphql", None, Some(query.clone())).await;
    assert_401(status, &body, "missing");
    let (status, body) = call(
        &app,
        Method::POST,
        "/graphql",
        Some(&bearer("nope")),
        Some(query.clone()),
    )
    .await;
    assert_401(status, &body, "wrong");
    let (status, body) = call(
        &app,
        Method::POST,
        "/graphql",
        Some(&bearer(TOKEN)),
        Some(query),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["data"]["races"].is_array(), "{body}");
    let (status, body) = call(
        &app,
        Method::GET,
        "/graphql?query=%7Braces%7Bid%7D%7D",
        None,
        None,
    )
    .await;
    assert_401(status, &body, "missing");

    let (status, body) = call(&app, Method::GET, "/api/races", None, None).await;
    assert_401(status, &body, "missing");
    let (status, body) = call(&app, Method::GET, "/api/races", Some(&bearer(TOKEN)), None).await;
    assert_eq!(status, 200, "{body}");

    assert_eq!(ws_connect(&app, "", None).await.err(), Some(401));
    assert_eq!(ws_connect(&app, "?token=nope", None).await.err(), Some(401));
    let mut by_query = ws_connect(&app, &format!("?token={TOKEN}"), None)
        .await
        .expect("?token= lets a browser in");
    assert!(pongs(&mut by_query).await);
    let mut by_header = ws_connect(&app, "", Some(&bearer(TOKEN)))
        .await
        .expect("the header lets a tool in");
    assert!(pongs(&mut by_header).await);
    open_routes_stay_open(&app).await;
    app.cleanup().await;
}

/// An OPTIONS preflight from `origin` asking to POST with a token.
async fn preflight(app: &TestApp, path: &str, origin: &str) -> (u16, awc::http::header::HeaderMap) {
    let resp = app
        .http
        .request(Method::OPTIONS, format!("{}{path}", app.base))
        .insert_header(("Origin", origin))
        .insert_header(("Access-Control-Request-Method", "POST"))
        .insert_header((
            "Access-Control-Request-Headers",
            "authorization, content-type",
        ))
        .send()
        .await
        .expect("preflight sent");
    (resp.status().as_u16(), resp.headers().clone())
}

async fn post_from(
    app: &TestApp,
    path: &str,
    origin: &str,
    auth: Option<&str>,
    body: Value,
) -> (u16, awc::http::header::HeaderMap) {
    let mut request = app
        .http
        .post(format!("{}{path}", app.base))
        .insert_header(("Origin", origin));
    if let Some(auth) = auth {
        request = request.insert_header(("Authorization", auth));
    }
    let resp = request.send_json(&body).await.expect("request sent");
    (resp.status().as_u16(), resp.headers().clone())
}

fn allow_origin(headers: &awc::http::header::HeaderMap) -> Option<String> {
    headers
        .get("access-control-allow-origin")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

#[actix_web::test]
async fn cors_follows_the_allow_list() {
    let good = "http://good.example";
    let bad = "http://bad.example";
    let app = spawn(TOKEN, false, &[good]).await;
    for path in ["/graphql", "/api/races"] {
        let (status, headers) = preflight(&app, path, good).await;
        assert!((200..300).contains(&status), "{path}: {status}");
        assert_eq!(allow_origin(&headers).as_deref(), Some(good), "{path}");
        let allowed = headers
            .get("access-control-allow-headers")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        assert!(allowed.contains("authorization"), "{path}: {allowed}");
        let methods = headers
            .get("access-control-allow-methods")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(methods.contains("POST"), "{path}: {methods}");

        let (status, headers) = preflight(&app, path, bad).await;
        assert!(status >= 400, "{path}: a foreign preflight got {status}");
        assert_eq!(allow_origin(&headers), None, "{path}");
    }
    // The server's own origin needs no listing (the dashboard it serves).
    let (status, headers) = preflight(&app, "/graphql", &app.base).await;
    assert!((200..300).contains(&status), "own origin: {status}");
    assert_eq!(allow_origin(&headers).as_deref(), Some(app.base.as_str()));

    let query = json!({"query": "{ races(first: 1) { id } }"});
    let (status, headers) = post_from(&app, "/graphql", good, None, query.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(allow_origin(&headers).as_deref(), Some(good));
    // From a foreign origin: no CORS headers, so its page cannot read the
    // answer (and a browser would not even send a JSON body or a token
    // from there, the preflight being refused).
    let (_, headers) = post_from(&app, "/graphql", bad, None, query).await;
    assert_eq!(allow_origin(&headers), None);
    // A 401 to an allowed origin carries CORS headers, so the page can
    // read the message.
    let (status, headers) = post_from(&app, "/api/races", good, None, race()).await;
    assert_eq!(status, 401);
    assert_eq!(allow_origin(&headers).as_deref(), Some(good));
    let (status, headers) = post_from(&app, "/api/races", good, Some(&bearer(TOKEN)), race()).await;
    assert_eq!(status, 202);
    assert_eq!(allow_origin(&headers).as_deref(), Some(good));
    // Health is not an API for pages: no CORS there.
    let resp = app
        .http
        .get(format!("{}/healthz", app.base))
        .insert_header(("Origin", good))
        .send()
        .await
        .unwrap();
    assert_eq!(allow_origin(resp.headers()), None);
    app.cleanup().await;
}
