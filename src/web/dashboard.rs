//! The dashboard: the Vite build of `dashboard/` (its `dist/`), embedded in
//! the binary at compile time so one file is the whole server (the Docker
//! image, a copied binary). Paths that are no asset get `index.html`: the
//! dashboard routes on the client. A binary built before the dashboard was
//! serves a plain race list instead, so the API is never without a face.

use actix_web::http::{header, Method};
use actix_web::{web, HttpRequest, HttpResponse};
use rust_embed::Embed;

use super::error::WebError;
use super::{index, AppState};

#[derive(Embed)]
#[folder = "dashboard/dist/"]
#[allow_missing = true]
struct Assets;

pub async fn serve(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, WebError> {
    let path = req.path().trim_start_matches('/');
    let api = ["api/", "graphql", "ws", "healthz", "readyz", "metrics"];
    if !matches!(*req.method(), Method::GET | Method::HEAD)
        || api.iter().any(|p| path.starts_with(p))
    {
        return Err(WebError::NotFound(format!(
            "no route {} {}",
            req.method(),
            req.path()
        )));
    }
    if let Some(file) = Assets::get(path).filter(|_| !path.is_empty()) {
        // Vite puts a content hash in every asset name under assets/.
        let cache = if path.starts_with("assets/") {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        return Ok(HttpResponse::Ok()
            .content_type(file.metadata.mimetype())
            .insert_header((header::CACHE_CONTROL, cache))
            .body(file.data.into_owned()));
    }
    page("index.html", state).await
}

/// `GET /graphiql`: GraphiQL, bundled with the dashboard, so it works with
/// no network beyond this server.
pub async fn graphiql(state: web::Data<AppState>) -> Result<HttpResponse, WebError> {
    page("graphiql.html", state).await
}

async fn page(name: &str, state: web::Data<AppState>) -> Result<HttpResponse, WebError> {
    match Assets::get(name) {
        Some(index) => Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .body(index.data.into_owned())),
        None => index::index(state).await,
    }
}
