//! One origin allow-list (`http.allowed_origins`) for CORS and for the
//! WebSocket upgrade. An origin is allowed when it is listed, when the list
//! holds `"*"`, or when it is this server itself (`http(s)://` + the
//! request's `Host`), so the dashboard served from here always works.
//!
//! CORS goes on `/graphql` and `/api/races`: an allowed origin gets the
//! headers and a preflight that permits `Authorization` (for the bearer
//! token) and `Content-Type`; any other origin gets no CORS headers and its
//! preflight is refused (400). So a page elsewhere can neither read an
//! answer nor send what needs a preflight: a JSON body (every POST here
//! takes only `application/json`) or a token.

use actix_cors::Cors;
use actix_web::http::{header, Method};

/// Whether a browser page at `origin` may talk to this server, reached as
/// `host`.
pub fn origin_allowed(origin: &str, host: &str, allowed: &[String]) -> bool {
    if allowed.iter().any(|a| a == "*" || a == origin) {
        return true;
    }
    origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .is_some_and(|o| !host.is_empty() && o == host)
}

/// The CORS middleware for the API routes.
pub fn cors(allowed: &[String]) -> Cors {
    let allowed = allowed.to_vec();
    Cors::default()
        .allowed_origin_fn(move |origin, head| {
            let host = head
                .headers()
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .or_else(|| head.uri.authority().map(|a| a.as_str()))
                .unwrap_or_default();
            origin
                .to_str()
                .is_ok_and(|o| origin_allowed(o, host, &allowed))
        })
        .allowed_methods([Method::GET, Method::POST, Method::DELETE])
        .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .max_age(600)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_wildcard_and_own_origins_are_allowed() {
        let list = vec!["http://good.example".to_string()];
        let host = "127.0.0.1:8080";
        assert!(origin_allowed("http://good.example", host, &list));
        assert!(!origin_allowed("http://bad.example", host, &list));
        assert!(!origin_allowed("http://good.example.evil", host, &list));
        assert!(origin_allowed("http://127.0.0.1:8080", host, &list));
        assert!(origin_allowed("https://127.0.0.1:8080", host, &[]));
        assert!(!origin_allowed("http://127.0.0.1:8081", host, &[]));
        assert!(!origin_allowed("http://", "", &[]));
        assert!(origin_allowed("http://anything", host, &["*".to_string()]));
    }
}
