//! Hostile GraphQL: bombs of depth, aliases, list sizes, pages, batches and
//! fragments, and broken syntax. Each must get a GraphQL error a client can
//! read (not a 5xx, not a hang), and the server must then answer a normal
//! query.

use futures_util::FutureExt;
use serde_json::{json, Value};

use crate::{case, Case, Ctx};

async fn post(ctx: &Ctx, body: &Value) -> Result<(u16, Value), String> {
    let mut resp = ctx
        .app
        .http
        .post(format!("{}/graphql", ctx.app.base))
        .send_json(body)
        .await
        .map_err(|e| format!("request: {e}"))?;
    let status = resp.status().as_u16();
    let body = resp
        .json::<Value>()
        .limit(16 << 20)
        .await
        .map_err(|e| format!("answer is not JSON: {e}"))?;
    Ok((status, body))
}

/// `query` is refused with an error containing `needle`, and the server
/// still answers.
async fn refused(ctx: &Ctx, body: Value, needle: &str) -> Result<(), String> {
    let (status, answer) = post(ctx, &body).await?;
    if status >= 500 {
        return Err(format!("{status}: {answer}"));
    }
    let message = answer["errors"][0]["message"].as_str().unwrap_or_default();
    if message.is_empty() || !message.contains(needle) {
        return Err(format!(
            "expected an error saying {needle:?}, got {status} {answer}"
        ));
    }
    still_answers(ctx).await
}

async fn still_answers(ctx: &Ctx) -> Result<(), String> {
    let (status, answer) = post(ctx, &json!({"query": "{ races(first: 1) { id } }"})).await?;
    if status != 200 || answer.get("errors").is_some() {
        return Err(format!("a plain query afterwards got {status} {answer}"));
    }
    Ok(())
}

fn query(q: String) -> Value {
    json!({ "query": q })
}

pub fn cases() -> Vec<Case> {
    const G: &str = "GraphQL";
    vec![
        case(G, "depth bomb (30 levels)", |ctx| {
            async move {
                let q = format!(
                    "{{ {} id {} }}",
                    "race(id: \"x\") { ".repeat(30),
                    "} ".repeat(30)
                );
                refused(ctx, query(q), "").await
            }
            .boxed_local()
        }),
        case(G, "alias bomb (2,500 aliases)", |ctx| {
            async move {
                let aliases: String = (0..2_500)
                    .map(|i| format!("a{i}: races {{ id }} "))
                    .collect();
                refused(ctx, query(format!("{{ {aliases} }}")), "").await
            }
            .boxed_local()
        }),
        case(G, "list-size bomb (500 races × 1,000 laps)", |ctx| {
            async move {
                let q = "{ races(first: 500) { laps(first: 1000) { lap lapMs sectorsMs } } }";
                refused(ctx, query(q.into()), "too complex").await
            }
            .boxed_local()
        }),
        case(
            G,
            "list-size bomb in variables (500 races × 1,000 laps)",
            |ctx| {
                async move {
                let q = "query Q($r: Int, $l: Int) { races(first: $r) { laps(first: $l) { lap lapMs sectorsMs } } }";
                let body = json!({ "query": q, "variables": { "r": 500, "l": 1000 } });
                refused(ctx, body, "too complex").await
            }
            .boxed_local()
            },
        ),
        case(G, "huge first (100,000)", |ctx| {
            async move {
                refused(
                    ctx,
                    query("{ races(first: 100000) { id } }".into()),
                    "first must be",
                )
                .await
            }
            .boxed_local()
        }),
        case(G, "batch bomb (11 operations)", |ctx| {
            async move {
                let batch: Vec<Value> = (0..11)
                    .map(|_| json!({"query": "{ races { id } }"}))
                    .collect();
                refused(ctx, Value::Array(batch), "at most 10").await
            }
            .boxed_local()
        }),
        case(G, "syntax error", |ctx| {
            async move { refused(ctx, query("{ races(first: 1) { id ".into()), "").await }
                .boxed_local()
        }),
        case(G, "fragment that spreads itself", |ctx| {
            async move {
                let q = "query { races { ...A } } fragment A on Race { id ...A }";
                refused(ctx, query(q.into()), "").await
            }
            .boxed_local()
        }),
        case(G, "fragment fan-out bomb (2^40 fields)", |ctx| {
            async move {
                let mut q = String::from(
                    "query { races(first: 1) { ...F40 } } fragment F0 on Race { id } ",
                );
                for i in 1..=40 {
                    q.push_str(&format!(
                        "fragment F{i} on Race {{ ...F{j} ...F{j} }} ",
                        j = i - 1
                    ));
                }
                refused(ctx, query(q), "").await
            }
            .boxed_local()
        }),
        case(G, "not a GraphQL request (a JSON number)", |ctx| {
            async move {
                let (status, answer) = post(ctx, &json!(42)).await.or_else(|e| {
                    // A refusal that is not JSON is fine as long as it is 4xx.
                    if e.contains("not JSON") {
                        Ok((400, Value::Null))
                    } else {
                        Err(e)
                    }
                })?;
                if !(400..500).contains(&status) {
                    return Err(format!("{status}: {answer}"));
                }
                still_answers(ctx).await
            }
            .boxed_local()
        }),
    ]
}
