//! A plain page listing races: what `/` shows when the binary was built
//! without the dashboard.

use actix_web::{web, HttpResponse};

use super::error::WebError;
use super::AppState;
use crate::db::queries;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub async fn index(state: web::Data<AppState>) -> Result<HttpResponse, WebError> {
    let races = queries::races(&state.pg, None, 50).await?;
    let rows: String = races
        .iter()
        .map(|r| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&r.race_id),
                escape(&r.name),
                escape(&r.track_id),
                r.total_laps,
                escape(&r.status)
            )
        })
        .collect();
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Pitwall</title></head><body>\
         <h1>Pitwall</h1><p>GraphQL at <a href=\"/graphiql\">/graphiql</a>, live events at \
         <code>/ws</code>, control at <code>/api/races</code>.</p>\
         <table><tr><th>race</th><th>name</th><th>track</th><th>laps</th><th>status</th></tr>{rows}</table>\
         </body></html>"
    );
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html))
}
