//! The bearer-token guard (`http.auth_token`, `http.protect_reads`), as
//! middleware on the routes it covers: starting and stopping races always
//! (once a token is set); GraphQL, race reads and `/ws` only with
//! `protect_reads`. Health, metrics and the dashboard's files are never
//! wrapped. A refusal is a 401 whose JSON names the problem (missing,
//! malformed or wrong token); the token itself is never logged or echoed.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::web;

use super::error::WebError;
use super::AppState;
use crate::config::HttpSettings;

/// What a route is, for deciding whether it needs the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Guarded {
    /// `/api/races`: writes always, reads with `protect_reads`.
    Control,
    /// GraphQL: with `protect_reads`.
    Reads,
    /// `/ws`: with `protect_reads`; the token may come as `?token=`.
    Socket,
}

/// Middleware for `/api/races`.
pub async fn control(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    check(&req, Guarded::Control)?;
    next.call(req).await
}

/// Middleware for `/graphql`.
pub async fn reads(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    check(&req, Guarded::Reads)?;
    next.call(req).await
}

/// Middleware for `/ws`.
pub async fn socket(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    check(&req, Guarded::Socket)?;
    next.call(req).await
}

fn check(req: &ServiceRequest, route: Guarded) -> Result<(), WebError> {
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        // Routes are only mounted with their state; refuse rather than
        // leave a guarded route open if that ever changes.
        return Err(WebError::Unavailable("server state missing".into()));
    };
    let http = &state.settings.http;
    if !needs_token(http, route, req.method()) {
        return Ok(());
    }
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or_default());
    let query = (route == Guarded::Socket)
        .then(|| token_in_query(req.query_string()))
        .flatten();
    verify(&http.auth_token, header, query.as_deref())
}

fn needs_token(http: &HttpSettings, route: Guarded, method: &Method) -> bool {
    if http.auth_token.is_empty() {
        return false;
    }
    let read = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    match route {
        Guarded::Control => !read || http.protect_reads,
        Guarded::Reads | Guarded::Socket => http.protect_reads,
    }
}

/// The `token` parameter of a query string, percent-decoded.
fn token_in_query(query: &str) -> Option<String> {
    web::Query::<std::collections::HashMap<String, String>>::from_query(query)
        .ok()
        .and_then(|q| q.get("token").cloned())
}

/// Checks the `Authorization` header (or, for `/ws`, the query token)
/// against `expected`. The header wins when both are given.
fn verify(expected: &str, header: Option<&str>, query: Option<&str>) -> Result<(), WebError> {
    let presented = match (header, query) {
        (Some(value), _) => {
            let (scheme, token) = value.trim().split_once(' ').unwrap_or((value, ""));
            if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
                return Err(WebError::Unauthorized(
                    "malformed Authorization header: expected \"Bearer <token>\"".into(),
                ));
            }
            token.trim()
        }
        (None, Some(token)) => token,
        (None, None) => {
            return Err(WebError::Unauthorized(
                "missing bearer token: send \"Authorization: Bearer <token>\"".into(),
            ))
        }
    };
    if constant_time_eq(presented.as_bytes(), expected.as_bytes()) {
        Ok(())
    } else {
        Err(WebError::Unauthorized("wrong bearer token".into()))
    }
}

/// Compares every byte whatever the first difference, so the time taken
/// does not tell an attacker how much of a guess was right. (The length
/// still shows; it says nothing about the content.)
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a
        .iter()
        .zip(b)
        .fold(0u8, |acc, (x, y)| std::hint::black_box(acc | (x ^ y)));
    diff == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(token: &str, protect_reads: bool) -> HttpSettings {
        HttpSettings {
            bind: "127.0.0.1:0".into(),
            allowed_origins: Vec::new(),
            graphql_timeout_ms: 1,
            auth_token: token.into(),
            protect_reads,
        }
    }

    #[test]
    fn which_routes_need_the_token() {
        let open = http("", false);
        let writes = http("t", false);
        let all = http("t", true);
        for route in [Guarded::Control, Guarded::Reads, Guarded::Socket] {
            assert!(!needs_token(&open, route, &Method::POST));
        }
        assert!(needs_token(&writes, Guarded::Control, &Method::POST));
        assert!(needs_token(&writes, Guarded::Control, &Method::DELETE));
        assert!(!needs_token(&writes, Guarded::Control, &Method::GET));
        assert!(!needs_token(&writes, Guarded::Reads, &Method::POST));
        assert!(!needs_token(&writes, Guarded::Socket, &Method::GET));
        assert!(needs_token(&all, Guarded::Control, &Method::GET));
        assert!(needs_token(&all, Guarded::Reads, &Method::POST));
        assert!(needs_token(&all, Guarded::Socket, &Method::GET));
    }

    #[test]
    fn tokens_are_checked_and_problems_named() {
        let msg = |r: Result<(), WebError>| r.unwrap_err().to_string();
        assert!(verify("abc", Some("Bearer abc"), None).is_ok());
        assert!(verify("abc", Some("bearer  abc "), None).is_ok());
        assert!(verify("abc", None, Some("abc")).is_ok());
        assert!(msg(verify("abc", None, None)).contains("missing"));
        assert!(msg(verify("abc", Some("Basic YWJj"), None)).contains("malformed"));
        assert!(msg(verify("abc", Some("Bearer"), None)).contains("malformed"));
        assert!(msg(verify("abc", Some("Bearer abd"), None)).contains("wrong"));
        assert!(msg(verify("abc", Some("Bearer ab"), None)).contains("wrong"));
        // The header wins over the query.
        assert!(msg(verify("abc", Some("Bearer x"), Some("abc"))).contains("wrong"));
    }

    #[test]
    fn query_tokens_are_decoded() {
        assert_eq!(token_in_query("a=1&token=x%2By").as_deref(), Some("x+y"));
        assert_eq!(token_in_query("a=1"), None);
        assert_eq!(token_in_query(""), None);
    }

    #[test]
    fn equal_only_when_every_byte_is() {
        assert!(constant_time_eq(b"", b""));
        assert!(constant_time_eq(b"token", b"token"));
        assert!(!constant_time_eq(b"token", b"tokem"));
        assert!(!constant_time_eq(b"token", b"toke"));
    }
}
