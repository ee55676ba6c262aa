//! Hostile requests to the simulator control API: out-of-range and absurd
//! values, broken bodies, the wrong content type, an oversize body, no or a
//! wrong token. Each must get a 4xx whose JSON names the field (or the
//! problem), and start no race.

use futures_util::FutureExt;
use serde_json::{json, Value};

use crate::common::TestApp;
use crate::{case, Case, Ctx, TOKEN};

/// `POST path` with a JSON body and, if given, the bearer token.
pub async fn post(app: &TestApp, path: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
    raw(app, path, token, "application/json", body.to_string()).await
}

pub async fn delete(app: &TestApp, path: &str, token: Option<&str>) -> (u16, Value) {
    let mut request = app.http.delete(format!("{}{path}", app.base));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let mut resp = request.send().await.expect("request sent");
    let status = resp.status().as_u16();
    (status, resp.json::<Value>().await.unwrap_or(Value::Null))
}

/// `POST path` with any body and content type.
async fn raw(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    content_type: &str,
    body: String,
) -> (u16, Value) {
    let mut request = app
        .http
        .post(format!("{}{path}", app.base))
        .insert_header(("content-type", content_type));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    // A server may answer an oversize body before reading it all; the
    // send then fails, which the case reports rather than panic on.
    let mut resp = match request.send_body(body).await {
        Ok(resp) => resp,
        Err(e) => return (0, json!({ "error": format!("request failed: {e}") })),
    };
    let status = resp.status().as_u16();
    (status, resp.json::<Value>().await.unwrap_or(Value::Null))
}

/// The answer is `status` and names `field` (in `field`, else in the
/// message).
fn names(answer: (u16, Value), status: u16, field: &str) -> Result<(), String> {
    let (code, body) = answer;
    let message = body["error"].as_str().unwrap_or_default();
    if code != status {
        return Err(format!("{code} (expected {status}): {body}"));
    }
    if body["field"] != field && !message.contains(field) {
        return Err(format!("{field:?} not named: {body}"));
    }
    Ok(())
}

fn bad_field(field: &'static str, body: Value) -> Case {
    let value = body[field].to_string();
    let shown = if value.len() > 24 {
        format!("{} characters", value.len() - 2)
    } else {
        value
    };
    case(
        "Control API",
        format!("{field}: {shown}"),
        move |ctx: &Ctx| {
            let body = body.clone();
            async move {
                names(
                    post(&ctx.app, "/api/races", Some(TOKEN), &body).await,
                    400,
                    field,
                )
            }
            .boxed_local()
        },
    )
}

pub fn cases() -> Vec<Case> {
    const C: &str = "Control API";
    let mut cases = vec![
        bad_field("cars", json!({"cars": 5001})),
        bad_field("laps", json!({"laps": 0})),
        bad_field("sample_hz", json!({"sample_hz": 0.5})),
        bad_field("time_scale", json!({"time_scale": -1})),
        bad_field(
            "safety_car_probability",
            json!({"safety_car_probability": 2}),
        ),
        bad_field("name", json!({"name": ""})),
        bad_field("name", json!({"name": "x".repeat(10_000)})),
        bad_field("track", json!({"track": "moon"})),
        // Absurd car counts: beyond any u32, negative, fractional, a string.
        bad_field("cars", json!({"cars": 4_294_967_295u64})),
        bad_field("cars", json!({"cars": 1_000_000_000_000u64})),
        bad_field("cars", json!({"cars": -1})),
        bad_field("cars", json!({"cars": 2.5})),
        bad_field("cars", json!({"cars": "lots"})),
        bad_field("carz", json!({"carz": 20})),
    ];
    cases.extend([
        case(C, "malformed body", |ctx| {
            async move {
                let answer = raw(
                    &ctx.app,
                    "/api/races",
                    Some(TOKEN),
                    "application/json",
                    "{not json".into(),
                )
                .await;
                names(answer, 400, "bad request body")
            }
            .boxed_local()
        }),
        case(C, "wrong content type (text/plain)", |ctx| {
            async move {
                let answer = raw(
                    &ctx.app,
                    "/api/races",
                    Some(TOKEN),
                    "text/plain",
                    json!({"cars": 2}).to_string(),
                )
                .await;
                names(answer, 400, "Content type")
            }
            .boxed_local()
        }),
        case(C, "oversize body (1 MB)", |ctx| {
            async move {
                let body = json!({"name": "x".repeat(1 << 20)}).to_string();
                let answer = raw(
                    &ctx.app,
                    "/api/races",
                    Some(TOKEN),
                    "application/json",
                    body,
                )
                .await;
                names(answer, 400, "bad request body")
            }
            .boxed_local()
        }),
        case(C, "missing token", |ctx| {
            async move {
                names(
                    post(&ctx.app, "/api/races", None, &json!({})).await,
                    401,
                    "authorization",
                )
            }
            .boxed_local()
        }),
        case(C, "wrong token", |ctx| {
            async move {
                let answer = post(
                    &ctx.app,
                    "/api/races",
                    Some("hostile-suite-tokeN"),
                    &json!({}),
                )
                .await;
                names(answer, 401, "authorization")
            }
            .boxed_local()
        }),
        case(C, "stop without a token", |ctx| {
            async move {
                let answer = delete(&ctx.app, &format!("/api/races/{}", ctx.race), None).await;
                names(answer, 401, "authorization")
            }
            .boxed_local()
        }),
        case(C, "stop a 10,000-character race id", |ctx| {
            async move {
                let answer = delete(
                    &ctx.app,
                    &format!("/api/races/{}", "r".repeat(10_000)),
                    Some(TOKEN),
                )
                .await;
                if !(400..500).contains(&answer.0) {
                    return Err(format!("{answer:?}"));
                }
                Ok(())
            }
            .boxed_local()
        }),
        case(C, "absurd list limit (10^12)", |ctx| {
            async move {
                let mut resp = ctx
                    .app
                    .http
                    .get(format!("{}/api/races?limit=1000000000000", ctx.app.base))
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                let status = resp.status().as_u16();
                let body = resp.json::<Value>().await.unwrap_or(Value::Null);
                names((status, body), 400, "limit")
            }
            .boxed_local()
        }),
    ]);
    cases
}
